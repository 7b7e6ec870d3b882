#!/usr/bin/env python3
"""Integration test of the Elasticsearch access layer (es/http.c, es/live.c).

Starts the emulator with three clusters and --control, then runs the test-only
driver build/<variant>/tools/live_dump (desired state in, live state out as
JSON) and checks the requests the emulator logged, parallelism, retries,
failures and their messages, password probes, the response cap, API key
auth, and that no secret ever reaches the output.

Standard library only. Env: BUILD (default build/default). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build/default")
DRIVER = os.path.join(ROOT, BUILD, "tools", "live_dump")
EMULATOR = os.path.join(ROOT, "tests", "emulator", "esemu.py")
# VALGRIND=1 (as for tests/run_all.sh) runs the driver under valgrind; timing
# bounds stretch accordingly.
VALGRIND = os.environ.get("VALGRIND") == "1"
WRAPPER = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
           "--errors-for-leak-kinds=definite,indirect"] if VALGRIND else []
SLOW = 4.0 if VALGRIND else 1.0
CLUSTERS = ["local", "one", "two"]
# Unique values that must never appear in any output.
CANARY_ELASTIC = "canary-elastic-Q7x9Zr2"
CANARY_PROBE_OK = "canary-probe-ok-M4p8Wd"
CANARY_PROBE_BAD = "canary-probe-bad-K2v6Tn"
CANARY_LIVE_BAD = "canary-live-bad-J5s3Lh"
# Without remotes; with some, GET /_resolve/cluster/<alias>:*,... follows /_remote/info (8.13+).
MANDATORY = ["GET /", "GET /_cluster/settings?flat_settings=true", "GET /_remote/info", "GET /_license",
             "GET /_security/role", "GET /_security/user"]

passed = 0
failed = 0
outputs = []  # every stdout/stderr of the driver, for the secrets check
secrets = [CANARY_ELASTIC, CANARY_PROBE_OK, CANARY_PROBE_BAD, CANARY_LIVE_BAD,
           base64.b64encode(("elastic:" + CANARY_ELASTIC).encode()).decode()]


class Emulator:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "emu")
        os.mkdir(self.dir)
        self.log = open(os.path.join(tmp, "emu.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, EMULATOR, "--state-dir", self.dir, "--clusters", ",".join(CLUSTERS),
             "--control", "--password", CANARY_ELASTIC],
            stdout=self.log, stderr=subprocess.STDOUT)
        path = os.path.join(self.dir, "clusters.json")
        deadline = time.time() + 60
        while not os.path.exists(path):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the emulator did not start; see emu.log")
            time.sleep(0.1)
        time.sleep(0.1)
        with open(path) as f:
            self.info = json.load(f)
        self.ctx = ssl.create_default_context(cafile=self.info["local"]["http_ca_file"])

    def call(self, cluster, method, path, body=None, auth=None):
        c = self.info[cluster]
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(c["url"] + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        user, pw = auth or (c["username"], c["password"])
        req.add_header("Authorization", "Basic " + base64.b64encode(
            ("%s:%s" % (user, pw)).encode()).decode())
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return json.loads(e.read() or b"null")

    def requests(self, cluster):
        out = []
        for r in self.call(cluster, "GET", "/_emulator/requests"):
            out.append("%s %s%s" % (r["method"], r["path"], "?" + r["query"] if r["query"] else ""))
        return out

    def reset(self):
        for c in CLUSTERS:
            self.call(c, "DELETE", "/_emulator/faults")
            self.call(c, "DELETE", "/_emulator/requests")

    def fault(self, cluster, *rules):
        self.call(cluster, "POST", "/_emulator/faults", list(rules))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cluster_yaml(cid, url, ca, auth="password", verify=None):
    lines = ["  %s:" % cid, "    url: %s" % url, "    auth:"]
    if auth == "password":
        lines += ["      username: elastic", "      password: ${ES_PASSWORD}"]
    else:
        lines += ["      api_key: ${%s}" % auth]
    lines += ["    tls:", "      ca_file: %s" % ca]
    if verify:
        lines.append("      verify: %s" % verify)
    lines.append("    timeout: 10s")
    return "\n".join(lines)


def write_desired(tmp, name, clusters, extra=""):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("version: 1\nclusters:\n%s\n%s" % ("\n".join(clusters), extra))
    return path


def run_driver(path, *args, env_extra=None):
    env = dict(os.environ, ES_PASSWORD=CANARY_ELASTIC, **(env_extra or {}))
    start = time.monotonic()
    p = subprocess.run(WRAPPER + [DRIVER, "-f", path] + list(args), capture_output=True, text=True,
                       env=env, timeout=120)
    elapsed = time.monotonic() - start
    outputs.append(p.stdout + p.stderr)
    if p.returncode != 0:
        raise AssertionError("live_dump exited %d: %s" % (p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)["clusters"], elapsed


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("ok   %s" % name)
    except Exception:
        failed += 1
        print("FAIL %s" % name)
        traceback.print_exc(file=sys.stdout)


def main():
    if not os.access(DRIVER, os.X_OK):
        print("FAIL driver %s not built (make unit-tests)" % DRIVER)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="esr-es-access-")
    emu = None
    try:
        emu = Emulator(tmp)
        info = emu.info
        ca = info["local"]["http_ca_file"]
        std = [cluster_yaml(c, info[c]["url"], ca) for c in CLUSTERS]
        plain = write_desired(tmp, "plain.yaml", std)

        def t_request_list():
            emu.reset()
            live, _ = run_driver(plain)
            assert sorted(live) == sorted(CLUSTERS), live.keys()
            for c in CLUSTERS:
                assert live[c]["reachable"] is True, live[c]["error"]
                assert live[c]["version"] == info[c]["version"], live[c]["version"]
                assert live[c]["version_major"] == 8
                assert emu.requests(c) == MANDATORY, emu.requests(c)
                assert live[c]["password_probes"] == {}, live[c]["password_probes"]
                assert live[c]["certificates"] is None
                assert live[c]["warnings"] == []
        check("per cluster exactly the six mandatory reads", t_request_list)

        def t_parallel():
            emu.reset()
            for c in CLUSTERS:
                emu.fault(c, {"action": "delay", "ms": 1000, "path": "/", "method": "GET"})
            live, elapsed = run_driver(plain, "--parallel", "3")
            assert all(live[c]["reachable"] for c in CLUSTERS)
            assert elapsed < 2.5 * SLOW, "3 clusters with a 1 s delay each took %.2f s" % elapsed
            emu.reset()
            for c in CLUSTERS:
                emu.fault(c, {"action": "delay", "ms": 500, "path": "/", "method": "GET"})
            _, serial = run_driver(plain, "--parallel", "1")
            assert serial >= 1.5, "--parallel 1 took only %.2f s" % serial
        check("clusters are read in parallel, bounded by --parallel", t_parallel)

        down = cluster_yaml("down", "https://127.0.0.1:%d" % closed_port(), ca)
        with_down = write_desired(tmp, "down.yaml", std + [down])

        def t_unreachable():
            emu.reset()
            live, elapsed = run_driver(with_down, "--deadline-ms", "1000")
            d = live["down"]
            assert d["reachable"] is False
            assert d["error"].startswith("cluster [down] GET /: cannot reach https://127.0.0.1:"), d["error"]
            for c in CLUSTERS:
                assert live[c]["reachable"] is True
                assert emu.requests(c) == MANDATORY
            assert elapsed < 5 * SLOW, elapsed
        check("an unreachable cluster is reported and the others are read", t_unreachable)

        def t_retries():
            emu.reset()
            emu.fault("local", {"action": "retry_after", "seconds": 1, "path": "/_security/role",
                                "count": 1},
                      {"action": "status", "status": 503, "path": "/_remote/info", "count": 2},
                      {"action": "status", "status": 502, "path": "/_security/user", "count": 1},
                      {"action": "reset_before", "path": "/_cluster/settings", "count": 1})
            live, elapsed = run_driver(plain)
            assert live["local"]["reachable"] is True, live["local"]["error"]
            reqs = emu.requests("local")
            assert reqs.count("GET /_security/role") == 2, reqs
            assert reqs.count("GET /_remote/info") == 3, reqs
            assert reqs.count("GET /_security/user") == 2, reqs
            assert reqs.count("GET /_cluster/settings?flat_settings=true") == 2, reqs
            assert elapsed >= 1.0, "Retry-After: 1 was not honoured (%.2f s)" % elapsed
        check("429 with Retry-After, 502, 503 and a reset connection are retried", t_retries)

        def t_deadline():
            emu.reset()
            emu.fault("one", {"action": "status", "status": 503, "path": "/_remote/info",
                              "count": -1})
            live, elapsed = run_driver(plain, "--deadline-ms", "1500", "--max-attempts", "50")
            e = live["one"]["error"]
            assert live["one"]["reachable"] is False
            assert e.startswith("cluster [one] GET /_remote/info: HTTP 503 "
                                "emulated_fault_exception: fault injected by the emulator (after "), e
            assert live["local"]["reachable"] and live["two"]["reachable"]
            assert elapsed < 4 * SLOW, elapsed
            n = emu.requests("one").count("GET /_remote/info")
            assert 2 <= n < 50, n
            emu.reset()
            emu.fault("two", {"action": "retry_after", "seconds": 30, "path": "/", "count": -1})
            live, elapsed = run_driver(plain, "--deadline-ms", "2000")
            assert "HTTP 429 es_rejected_execution_exception" in live["two"]["error"], live["two"]
            assert elapsed < 4 * SLOW, "a Retry-After beyond the deadline must not be waited for"
        check("faults beyond the retry deadline fail cleanly", t_deadline)

        wrong_ca = write_desired(tmp, "wrongca.yaml", [
            cluster_yaml("local", info["local"]["url"], info["local"]["transport_ca_file"])])

        def t_wrong_ca():
            emu.reset()
            live, _ = run_driver(wrong_ca)
            e = live["local"]["error"]
            assert e.startswith("cluster [local] GET /: certificate is not signed by the "
                                "configured CA: set tls.ca_file to the cluster's HTTP CA"), e
            assert emu.requests("local") == []
        check("a wrong CA gives the tls.ca_file hint", t_wrong_ca)

        port = info["local"]["url"].rsplit(":", 1)[1]
        host = socket.gethostname()
        mismatch = write_desired(tmp, "host.yaml", [
            cluster_yaml("local", "https://%s:%s" % (host, port), ca),
            cluster_yaml("one", "https://%s:%s" % (host, port), ca, verify="certificate"),
            cluster_yaml("two", info["two"]["url"], info["local"]["transport_ca_file"],
                         verify="none")])

        def t_host_and_verify_modes():
            emu.reset()
            live, _ = run_driver(mismatch)
            e = live["local"]["error"] or ""
            if host not in ("localhost", "127.0.0.1"):
                assert "set tls.verify: certificate or use the name in the certificate" in e, e
            assert live["one"]["reachable"] is True, live["one"]["error"]
            assert live["two"]["reachable"] is True, live["two"]["error"]
            assert live["two"]["warnings"] == ["TLS verification is disabled for cluster [two]"]
            assert live["one"]["warnings"] == []
        check("host name mismatch hint; verify certificate and none", t_host_and_verify_modes)

        emu.call("local", "PUT", "/_security/user/probe_ok",
                 {"password": CANARY_PROBE_OK, "roles": []})
        emu.call("local", "PUT", "/_security/user/probe_bad",
                 {"password": CANARY_LIVE_BAD, "roles": []})
        users = ("users:\n  local:\n"
                 "    probe_ok: { password: \"${PW_OK}\", roles: [] }\n"
                 "    probe_bad: { password: \"${PW_BAD}\", roles: [] }\n"
                 "    not_there: { password: \"${PW_OK}\", roles: [] }\n"
                 "    gone: absent\n")
        probes = write_desired(tmp, "probes.yaml", std, users)
        probe_env = {"PW_OK": CANARY_PROBE_OK, "PW_BAD": CANARY_PROBE_BAD}

        def t_probes():
            emu.reset()
            live, _ = run_driver(probes, env_extra=probe_env)
            assert live["local"]["password_probes"] == {"probe_ok": True, "probe_bad": False}, \
                live["local"]["password_probes"]
            reqs = emu.requests("local")
            assert sorted(reqs) == sorted(MANDATORY + ["GET /_security/_authenticate"] * 2), reqs
            on_create = write_desired(tmp, "oncreate.yaml", std,
                                      users + "policy:\n  password_check: on_create\n")
            emu.reset()
            live, _ = run_driver(on_create, env_extra=probe_env)
            assert live["local"]["password_probes"] == {}
            assert emu.requests("local") == MANDATORY
        check("password probes: match, mismatch, only existing users, policy", t_probes)

        def t_probe_failure():
            emu.reset()
            emu.fault("local", {"action": "status", "status": 500,
                                "path": "/_security/_authenticate", "count": -1})
            live, _ = run_driver(probes, env_extra=probe_env)
            assert live["local"]["reachable"] is False
            assert live["local"]["error"].startswith(
                "cluster [local] GET /_security/_authenticate: HTTP 500"), live["local"]["error"]
        check("a probe failing other than with 401 is an error", t_probe_failure)

        def t_cap():
            emu.reset()
            emu.fault("two", {"action": "oversized", "size": 3000000, "path": "/_security/user"})
            live, _ = run_driver(plain, "--response-max", "1000000")
            assert live["two"]["error"] == ("response from cluster [two] GET /_security/user "
                                            "exceeds 1000000 bytes"), live["two"]["error"]
            assert live["local"]["reachable"] is True
        check("the response size cap", t_cap)

        def t_api_key():
            key = emu.call("one", "POST", "/_security/api_key", {"name": "esr-test"})
            assert "encoded" in key, key
            f = write_desired(tmp, "apikey.yaml", [cluster_yaml("one", info["one"]["url"], ca,
                                                                auth="ONE_API_KEY")])
            emu.reset()
            live, _ = run_driver(f, env_extra={"ONE_API_KEY": key["encoded"]})
            assert live["one"]["reachable"] is True, live["one"]["error"]
            assert emu.requests("one") == MANDATORY
            emu.reset()
            live, _ = run_driver(f, env_extra={"ONE_API_KEY": base64.b64encode(
                b"nope:canary-bad-key").decode()})
            assert live["one"]["error"].startswith("cluster [one] GET /: HTTP 401 security_exception"), \
                live["one"]["error"]
            secrets.append(key["encoded"])
        check("API key authentication", t_api_key)

        def t_only_clusters_trust_and_transport():
            extra = ("trust:\n  authorities:\n    a: %s\n  clusters:\n"
                     "    one: { transport_ca: a, trusts: [a] }\n"
                     "remotes:\n  local:\n    to_two:\n      cluster: two\n      mode: sniff\n"
                     % info["one"]["transport_ca_file"])
            f = write_desired(tmp, "trust.yaml", std, extra)
            emu.reset()
            live, _ = run_driver(f)
            assert emu.requests("one") == MANDATORY + ["GET /_ssl/certificates"], emu.requests("one")
            assert isinstance(live["one"]["certificates"], list) and live["one"]["certificates"]
            assert emu.requests("two") == MANDATORY + ["GET /_nodes/transport"], emu.requests("two")
            assert live["two"]["transport_addresses"] == [info["two"]["transport_address"]], \
                live["two"]["transport_addresses"]
            assert emu.requests("local") == MANDATORY
            emu.reset()
            live, _ = run_driver(f, "--cluster", "one")
            assert list(live) == ["one"], list(live)
            assert emu.requests("local") == [] and emu.requests("two") == []
        check("--cluster, /_ssl/certificates and /_nodes/transport when needed",
              t_only_clusters_trust_and_transport)

        def t_no_secrets():
            text = "\n".join(outputs)
            for secret in secrets:
                assert secret not in text, "a secret reached the output"
            assert len(outputs) >= 10
        check("no secret in any output", t_no_secrets)
    except Exception:
        traceback.print_exc(file=sys.stdout)
        global failed
        failed += 1
    finally:
        if emu:
            emu.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
