#!/usr/bin/env python3
"""Measure the emulator's throughput: N threads, one persistent HTTPS connection each
(keep-alive), small requests for a fixed time.

  python3 tests/emulator/bench_emulator.py [--threads 3] [--seconds 3] [--path /] [--seed N]
                                          [--url URL --ca FILE --password PW]

Without --url it starts its own emulator (one cluster) in a temporary directory;
--seed N first creates N roles and N users in it (POST /_emulator/seed), so that
GET /_security/role and /_security/user answer with N objects.
Prints "N requests in S s: R req/s".
"""

import argparse
import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def worker(host, port, ctx, auth, path, deadline, counts, idx, errors):
    conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
    n = 0
    hdrs = {"Authorization": auth}
    while time.perf_counter() < deadline:
        conn.request("GET", path, headers=hdrs)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            errors.append(r.status)
        n += 1
    conn.close()
    counts[idx] = n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--path", default="/")
    ap.add_argument("--url")
    ap.add_argument("--ca")
    ap.add_argument("--password")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    proc = None
    tmp = None
    try:
        if not a.url:
            tmp = tempfile.mkdtemp(prefix="esemu-bench-")
            proc = subprocess.Popen([sys.executable, os.path.join(HERE, "esemu.py"), "--state-dir", tmp,
                                     "--clusters", "local", "--control"], stderr=subprocess.DEVNULL)
            cj = os.path.join(tmp, "clusters.json")
            t0 = time.time()
            while not os.path.exists(cj):
                if time.time() - t0 > 30 or proc.poll() is not None:
                    raise SystemExit("emulator did not start")
                time.sleep(0.05)
            info = json.load(open(cj))["local"]
            a.url, a.ca, a.password = info["url"], info["http_ca_file"], info["password"]
        hostport = a.url.split("://", 1)[1].rstrip("/")
        host, port = hostport.rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=a.ca)
        auth = "Basic " + base64.b64encode(("elastic:%s" % a.password).encode()).decode()
        if a.seed:
            conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)
            conn.request("POST", "/_emulator/seed", body=json.dumps({"roles": a.seed, "users": a.seed}),
                         headers={"Content-Type": "application/json"})
            if conn.getresponse().status != 200:
                raise SystemExit("seeding failed")
            conn.close()
        counts = [0] * a.threads
        errors = []
        deadline = time.perf_counter() + a.seconds
        start = time.perf_counter()
        ts = [threading.Thread(target=worker, args=(host, int(port), ctx, auth, a.path, deadline, counts, i, errors))
              for i in range(a.threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        el = time.perf_counter() - start
        total = sum(counts)
        print("%d requests in %.2f s with %d keep-alive connections on %s%s: %.0f req/s%s"
              % (total, el, a.threads, a.path, (" (%d roles and users seeded)" % a.seed) if a.seed else "",
                 total / el, (", %d errors" % len(errors)) if errors else ""))
    finally:
        if proc:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
