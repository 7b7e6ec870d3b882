"""Test helper: start esemu.py as a subprocess in a temporary directory, talk to it."""

import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ESEMU = os.path.join(HERE, "esemu.py")


class Emu:
    def __init__(self, clusters=("local",), args=(), control=True, python=None):
        self.dir = tempfile.mkdtemp(prefix="esemu-test-")
        cmd = [python or sys.executable, ESEMU, "--state-dir", self.dir, "--clusters", ",".join(clusters)]
        if control:
            cmd.append("--control")
        cmd += list(args)
        self.log = open(os.path.join(self.dir, "stderr.log"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        cj = os.path.join(self.dir, "clusters.json")
        t0 = time.time()
        while not os.path.exists(cj):
            if self.proc.poll() is not None or time.time() - t0 > 30:
                self.log.seek(0)
                raise RuntimeError("emulator failed to start: " + self.log.read())
            time.sleep(0.02)
        with open(cj) as f:
            self.info = json.load(f)
        self.conns = {}

    def stop(self):
        for c in self.conns.values():
            c.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.rc = self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def ctx(self, cluster="local"):
        return ssl.create_default_context(cafile=self.info[cluster]["http_ca_file"])

    def conn(self, cluster="local", fresh=False):
        if fresh or cluster not in self.conns:
            hp = self.info[cluster]["url"].split("://")[1]
            host, port = hp.rsplit(":", 1)
            c = http.client.HTTPSConnection(host, int(port), context=self.ctx(cluster), timeout=30)
            if fresh:
                return c
            self.conns[cluster] = c
        return self.conns[cluster]

    def basic(self, user, password):
        return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()

    def req(self, method, path, body=None, cluster="local", auth=None, headers=None, raw=None):
        """Returns (status, headers-dict (lower-case), parsed body or raw text)."""
        h = {}
        if auth is None:
            auth = self.basic("elastic", self.info[cluster]["password"])
        if auth is not False:
            h["Authorization"] = auth
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            h["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        for attempt in range(2):
            c = self.conn(cluster)
            try:
                c.request(method, path, body=data, headers=h)
                r = c.getresponse()
                payload = r.read()
                break
            except (http.client.HTTPException, ConnectionError, ssl.SSLError):
                c.close()
                self.conns.pop(cluster, None)
                if attempt:
                    raise
        hd = {}
        for k, v in r.getheaders():
            k = k.lower()
            hd[k] = hd[k] + "\n" + v if k in hd else v
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode("utf-8", "replace")
        return r.status, hd, parsed

    def ok(self, method, path, body=None, **kw):
        st, _, b = self.req(method, path, body, **kw)
        if st != 200:
            raise AssertionError("%s %s -> %s %s" % (method, path, st, b))
        return b
