#!/usr/bin/env python3
"""The upload path of an evidence photo, from a phone's form to the database.

Not a test (nothing is asserted): a measurement for the notes. In Debian's headless
Chromium at phone size (360 x 740) it
1. makes a phone-sized JPEG (4000 x 3000, about 6 MB) in the browser itself, with detail
   like a photo's (gradients and grain), and saves it to a file;
2. logs in as `USER`, opens `PAGE`, optionally clicks `CLICK` (the step that shows the
   upload box), wraps XMLHttpRequest.send to see what leaves the browser, and sets the
   file on the upload box's file input `INPUT` (an element id), as if picked;
3. waits for the upload to finish and reports: the file's size, the bytes sent, the time
   the browser took to scale the picture down, the time of the request;
4. reads the stored attachment through the API (size, width, height, thumbnail size);
5. posts the same scaled-down body and the original 6 MB file straight to the API from
   here (loopback, no browser), `RUNS` times each, and reports the server's median time:
   the first is the path the phone takes, the second what the server does with a photo
   that was not scaled down (it re-encodes every image).

Usage: start the server with the demo data (e.g. `XIANGZHU_BIND=127.0.0.1:8099 cargo xtask run`),
then
    python3 tests/perf/upload_path.py BASE USER PAGE INPUT [CLICK] [RUNS]
e.g.
    python3 tests/perf/upload_path.py http://127.0.0.1:8099 xiangxiang.rights \\
        /retrofits/cases/<id> photo-<id>-pick
"""
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

BASE, USER, PAGE, INPUT = sys.argv[1:5]
CLICK = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
RUNS = int(sys.argv[6]) if len(sys.argv) > 6 else 5
PASSWORD = "xiangzhu-demo"
PORT = 9578

MAKE_PHOTO = """
const done = arguments[arguments.length - 1];
const [w, h, quality] = [arguments[0], arguments[1], arguments[2]];
const canvas = document.createElement('canvas');
canvas.width = w; canvas.height = h;
const ctx = canvas.getContext('2d');
const g = ctx.createLinearGradient(0, 0, w, h);
g.addColorStop(0, '#6a8caf'); g.addColorStop(0.5, '#c9b79c'); g.addColorStop(1, '#3d5a3b');
ctx.fillStyle = g; ctx.fillRect(0, 0, w, h);
// Grain, as a phone's sensor leaves it: what makes a photo's JPEG large.
const img = ctx.getImageData(0, 0, w, h);
let seed = 12345;
for (let i = 0; i < img.data.length; i += 4) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  const n = (seed % 48) - 24;
  img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += n;
}
ctx.putImageData(img, 0, 0);
canvas.toBlob(b => {
  const r = new FileReader();
  r.onload = () => done(r.result.split(',')[1]);
  r.readAsDataURL(b);
}, 'image/jpeg', quality);
"""

WATCH_UPLOADS = """
window.__uploads = [];
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (body) {
  const rec = {size: body && body.size !== undefined ? body.size : -1, start: performance.now()};
  window.__uploads.push(rec);
  this.addEventListener('loadend', () => { rec.end = performance.now(); rec.status = this.status; });
  return send.call(this, body);
};
window.__picked = performance.now();
"""


def wd(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read() or b"null")["value"]


def api(method, path, token=None, body=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(f"{BASE}/api/v1{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=300) as r:
        return r.read()


def element(sid, css):
    for _ in range(300):
        try:
            found = wd("POST", f"/session/{sid}/element", {"using": "css selector", "value": css})
            return next(iter(found.values()))
        except urllib.error.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"no element {css}")


def main():
    profile = tempfile.mkdtemp(prefix="xiangzhu-perf-")
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--window-size=360,740", f"--user-data-dir={profile}"]}}}}
    sid = wd("POST", "/session", caps)["sessionId"]
    try:
        wd("POST", f"/session/{sid}/timeouts", {"script": 300000})
        wd("POST", f"/session/{sid}/url", {"url": f"{BASE}/login"})
        # A photo of about 6 MB: the quality that gets nearest.
        photo = None
        for quality in (0.92, 0.95, 0.97):
            data = base64.b64decode(wd("POST", f"/session/{sid}/execute/async",
                                       {"script": MAKE_PHOTO, "args": [4000, 3000, quality]}))
            photo = data
            if len(data) >= 5_500_000:
                break
        path = os.path.join(profile, "phone-photo.jpg")
        with open(path, "wb") as f:
            f.write(photo)

        for css, text in (("#username", USER), ("#password", PASSWORD)):
            el = element(sid, css)
            wd("POST", f"/session/{sid}/element/{el}/value", {"text": text})
        wd("POST", f"/session/{sid}/element/{element(sid, '#login-submit')}/click", {})
        element(sid, "header.top")
        time.sleep(1)
        wd("POST", f"/session/{sid}/url", {"url": f"{BASE}{PAGE}"})
        if CLICK:
            wd("POST", f"/session/{sid}/element/{element(sid, CLICK)}/click", {})
        el = element(sid, f"#{INPUT}")
        wd("POST", f"/session/{sid}/execute/sync", {"script": WATCH_UPLOADS, "args": []})
        wd("POST", f"/session/{sid}/element/{el}/value", {"text": path})
        for _ in range(1200):
            ups = wd("POST", f"/session/{sid}/execute/sync",
                     {"script": "return [window.__picked, window.__uploads];", "args": []})
            if ups[1] and all("end" in u for u in ups[1]):
                break
            time.sleep(0.1)
        picked, uploads = ups
        up = uploads[-1]
    finally:
        wd("DELETE", f"/session/{sid}")

    token = json.loads(api("POST", "/auth/login", body={"username": USER, "password": PASSWORD}))[
        "access_token"]
    owner = PAGE.rstrip("/").rsplit("/", 1)[-1]
    print(f"phone photo: {len(photo):,} B (4000 x 3000 JPEG)")
    print(f"sent by the browser: {up['size']:,} B ({up['size'] / len(photo):.1%}), status {up['status']}")
    print(f"browser scale-down: {up['start'] - picked:.0f} ms; request: {up['end'] - up['start']:.0f} ms")

    def post(body, owner_type):
        q = urllib.parse.urlencode({"owner_type": owner_type, "owner_id": owner, "id": str(uuid.uuid4())})
        t = time.perf_counter()
        meta = json.loads(api("POST", f"/attachments?{q}", token, body, "application/octet-stream"))
        return time.perf_counter() - t, meta

    listing = json.loads(api("GET", f"/attachments?owner_id={owner}&owner_type={OWNER_TYPE}", token))
    items = listing["items"] if isinstance(listing, dict) else listing
    stored = items[-1]
    thumb = api("GET", f"/attachments/{stored['id']}/thumbnail", token)
    print(f"stored: {stored['size_bytes']:,} B, {stored['width']} x {stored['height']}; "
          f"thumbnail {len(thumb):,} B")
    # The stored file stands for the browser's body (same size and kind: a 1,600 px
    # JPEG); the original is what a client that does not scale down would send. The
    # reference: the health check, a handler that does no work, in the same run.
    scaled = api("GET", f"/attachments/{stored['id']}", token)
    ref = []
    for _ in range(RUNS * 4):
        t = time.perf_counter()
        urllib.request.urlopen(f"{BASE}/healthz", timeout=30).read()
        ref.append((time.perf_counter() - t) * 1000)
    print(f"reference, GET /healthz: median {statistics.median(ref):.2f} ms")
    for name, body in (("scaled-down photo", scaled), ("original 6 MB photo", photo)):
        times = [post(body, OWNER_TYPE)[0] * 1000 for _ in range(RUNS)]
        med = statistics.median(times)
        print(f"server, {name} ({len(body):,} B): median {med:.0f} ms over {RUNS} "
              f"(min {min(times):.0f}, max {max(times):.0f}; {med / statistics.median(ref):.0f}x the reference)")


OWNER_TYPE = os.environ.get("OWNER_TYPE", "retrofit_case")
driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={PORT}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    time.sleep(1)
    main()
finally:
    driver.terminate()
