#!/usr/bin/env python3
"""Fuzzes the running API from its OpenAPI document alone, as a third party would.

Starts the server binary given as argv[1] on a fresh SQLite database with the demo
accounts, validates the served document with openapi-spec-validator, then runs
schemathesis with the checks not_a_server_error, response_schema_conformance,
status_code_conformance and content_type_conformance, once as an admin and once as a
county user (logout and password changes excluded: they would end the fuzzer's own
session). Bounded in examples and time. Exits non-zero on any failure; the closing
line reads 'N passed, N failed'.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
ROLES = ["admin", "xiangxiang.staff"]
EXAMPLES = os.environ.get("XIANGZHU_FUZZ_EXAMPLES", "20")
# A hard stop per run (seconds); schemathesis's own --max-time keeps fuzzing until it
# runs out, so the bound is the number of examples and this timeout.
TIMEOUT = int(os.environ.get("XIANGZHU_FUZZ_TIMEOUT", "600"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, proc):
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not become ready")


def login(base, user):
    req = urllib.request.Request(
        base + "/api/v1/auth/login",
        data=json.dumps({"username": user, "password": "xiangzhu-demo"}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["access_token"]


def main():
    binary = os.path.abspath(sys.argv[1])
    bindir = os.path.dirname(sys.executable)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    passed = failed = 0
    with tempfile.TemporaryDirectory() as data:
        log = open(os.path.join(data, "server.log"), "w")
        proc = subprocess.Popen(
            [binary, "--data-dir", data, "--bind", f"127.0.0.1:{port}", "--demo",
             "--static-dir", os.path.join(data, "no-spa")],
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(base, proc)
            spec = os.path.join(data, "openapi.json")
            with urllib.request.urlopen(base + "/api/v1/openapi.json") as r, open(spec, "wb") as f:
                f.write(r.read())
            ok = subprocess.run([os.path.join(bindir, "openapi-spec-validator"), spec]).returncode == 0
            print(f"openapi-spec-validator: {'valid' if ok else 'INVALID'}", flush=True)
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
            # Log in first: fuzzing the login operation uses up the address's attempts.
            tokens = {user: login(base, user) for user in ROLES}
            for user, token in tokens.items():
                cmd = [
                    os.path.join(bindir, "schemathesis"), "run", base + "/api/v1/openapi.json",
                    "--header", f"Authorization: Bearer {token}",
                    "--checks", CHECKS,
                    "--exclude-path", "/api/v1/auth/logout",
                    "--exclude-path", "/api/v1/me/password",
                    "--max-examples", EXAMPLES,
                    "--seed", "20200227", "--no-color",
                ]
                print(f"\n==> schemathesis as {user}", flush=True)
                try:
                    code = subprocess.run(cmd, cwd=data, timeout=TIMEOUT).returncode
                except subprocess.TimeoutExpired:
                    print(f"schemathesis as {user} ran over {TIMEOUT} s", flush=True)
                    code = 1
                print(f"schemathesis as {user}: {'no failures' if code == 0 else 'FAILURES'}", flush=True)
                passed, failed = (passed + 1, failed) if code == 0 else (passed, failed + 1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
            if failed:
                with open(os.path.join(data, "server.log")) as f:
                    tail = f.readlines()[-40:]
                print("server log (last lines):\n" + "".join(tail))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
