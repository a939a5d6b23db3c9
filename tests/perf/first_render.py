#!/usr/bin/env python3
"""First render of the web app on a throttled network, in Debian's headless Chromium.

Not a test (timings are not asserted anywhere): a measurement for the notes. Drives
/usr/bin/chromedriver over its REST API with Chromium's network emulation (default:
Chrome DevTools' "Slow 3G" preset, 400 ms latency, 500 kbit/s down, 500 kbit/s up) and
prints, from navigation start: first contentful paint (the plain-HTML boot screen), and
the moment the app has drawn its login form (#username).

Usage: start the server (e.g. `XIANGZHU_BIND=127.0.0.1:8099 cargo xtask run`), then
    python3 tests/perf/first_render.py http://127.0.0.1:8099 [runs]
"""
import json
import subprocess
import sys
import tempfile
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8099"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
PORT = 9577
SLOW_3G = {"offline": False, "latency": 400,
           "download_throughput": 500 * 1024 // 8, "upload_throughput": 500 * 1024 // 8}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def measure():
    profile = tempfile.mkdtemp(prefix="xiangzhu-perf-")
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--window-size=360,740", f"--user-data-dir={profile}"]}}}}
    sid = call("POST", "/session", caps)["value"]["sessionId"]
    try:
        call("POST", f"/session/{sid}/chromium/network_conditions", {"network_conditions": SLOW_3G})
        call("POST", f"/session/{sid}/url", {"url": f"{BASE}/login"})
        script = """
            const done = arguments[arguments.length - 1];
            (function poll() {
              if (document.getElementById('username')) {
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                done({app: performance.now(), fcp: fcp ? fcp.startTime : -1});
              } else setTimeout(poll, 10);
            })();"""
        call("POST", f"/session/{sid}/timeouts", {"script": 120000})
        return call("POST", f"/session/{sid}/execute/async", {"script": script, "args": []})["value"]
    finally:
        call("DELETE", f"/session/{sid}")


driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={PORT}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            call("GET", "/status")
            break
        except OSError:
            time.sleep(0.1)
    for i in range(RUNS):
        m = measure()
        print(f"run {i + 1}: first contentful paint {m['fcp']:.0f} ms, login form drawn {m['app']:.0f} ms")
finally:
    driver.terminate()
