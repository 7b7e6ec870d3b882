#!/usr/bin/env python3
"""Integration test of `esreconcile watch` against the emulator.

watch converges by itself and corrects a role deleted by hand; SIGHUP runs a
cycle now; SIGTERM and SIGINT exit 0, a second signal at once; an invalid
desired state keeps the last valid one; policy.suspend and --detect-only only
report; the metrics file parses as Prometheus text and /metrics serves it; a
failing cluster backs off and a hanging one holds up nobody; memory and file
descriptors stay flat over hundreds of cycles.

Standard library only. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure. Names of tests given as
arguments run only those.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, Emulator, Suite, connection_block  # noqa: E402

suite = Suite()
check = suite.check
TWO = ("local", "cluster_one")
CANARY = "canary-Wt52-watch-secret"
MANAGED = {"managed_by": "esreconcile"}


class Watch:
    """`esreconcile watch` running in the background, its JSON log collected as it comes."""

    def __init__(self, emu, *args, env=None):
        self.proc = subprocess.Popen([ESR, "watch", "--log-format", "json", "-v"] + list(args),
                                     env=emu.env(env), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     universal_newlines=True)
        self.lines = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self):
        with self.lock:
            return list(self.lines)

    def events(self, event=None, **fields):
        out = []
        for line in self.log():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or (event and entry.get("event") != event):
                continue
            if all(entry.get(k) == v for k, v in fields.items()):
                out.append(entry)
        return out

    def wait_for(self, what, cond, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = cond()
            if value:
                return value
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s; log:\n%s" % (what, "\n".join(self.log()[-40:])))

    def wait_cycles(self, n, timeout=10.0):
        return self.wait_for("%d cycles" % n, lambda: len(self.events("cycle_end")) >= n, timeout)

    def send(self, signo):
        self.proc.send_signal(signo)

    def stop(self, signo=signal.SIGTERM, timeout=15):
        self.proc.send_signal(signo)
        rc = self.proc.wait(timeout)
        self.reader.join(5)
        return rc


def parse_prometheus(text):
    """Parses the text format 0.0.4 strictly: returns ({family: type}, {(name, labels): value})."""
    types, samples, helped = {}, {}, set()
    label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{%s(?:,%s)*\})? (\S+)$' % (label, label))
    check(text.endswith("\n"), "the exposition ends with a newline")
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            check(name not in helped, "one HELP per family: " + name)
            helped.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            check(name in helped and name not in types, "TYPE after HELP, once: " + line)
            check(kind in ("counter", "gauge"), line)
            types[name] = kind
        else:
            m = sample.match(line)
            check(m, "a sample line: %r" % line)
            name, labels, value = m.groups()
            check(name in types, "a sample of a family announced before: " + line)
            pairs = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels or ""))
            check((name, pairs) not in samples, "no duplicate series: " + line)
            samples[(name, pairs)] = float(value)
    return types, samples


REQUIRED = {
    "esreconcile_cycles_total": "counter", "esreconcile_last_cycle_timestamp_seconds": "gauge",
    "esreconcile_last_cycle_duration_seconds": "gauge", "esreconcile_drift_changes": "gauge",
    "esreconcile_changes_applied_total": "counter", "esreconcile_errors_total": "counter",
    "esreconcile_cluster_up": "gauge", "esreconcile_remote_connected": "gauge",
    "esreconcile_desired_state_valid": "gauge", "esreconcile_suspended": "gauge",
}


def metric(path, name, **labels):
    with open(path) as f:
        _, samples = parse_prometheus(f.read())
    return samples.get((name, tuple(sorted(labels.items()))))


def roles_file(emu, name, clusters, roles, extra=""):
    """A desired state declaring `roles` ({cluster: [role names]}) on `clusters`."""
    text = "version: 1\n" + connection_block(clusters) + "roles:\n"
    for cid, names in roles.items():
        text += "  %s:\n" % cid
        for role in names:
            text += "    %s: { cluster: [monitor] }\n" % role
    return emu.write(name, text + extra)


def role_exists(emu, role, cluster="local"):
    status, _ = emu.es("GET", "/_security/role/" + role, cluster=cluster)
    return status == 200


def writes(emu, cluster="local"):
    """Requests that change something (the privileges check is a POST that reads)."""
    return [q for q in emu.requests(cluster)
            if q["method"] != "GET" and q["path"] != "/_security/user/_has_privileges"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@suite.test
def converges_and_corrects_a_role_deleted_by_hand():
    with Emulator(TWO) as emu, Watch(emu, "-f", emu.example("04-ccr-roles-users.yaml"), "--interval", "1s",
                                     env={"CCU_PASSWORD": CANARY}) as w:
        w.wait_for("the example applied", lambda: len(w.events("applied")) >= 3)
        applied = sorted((e["cluster"], e["kind"], e["name"], e["action"]) for e in w.events("applied"))
        check(applied == [("cluster_one", "role", "remote-replication", "create"),
                          ("local", "role", "remote-replication", "create"),
                          ("local", "user", "cross-cluster-user", "create")], applied)
        check(len(w.events("drift")) == 3, w.events("drift"))
        w.wait_cycles(2)
        check(emu.run("plan", "-f", emu.example("04-ccr-roles-users.yaml"),
                      env={"CCU_PASSWORD": CANARY}).rc == 0, "converged: plan is empty")
        status, _ = emu.es("DELETE", "/_security/role/remote-replication")
        check(status == 200, "deleted by hand")
        deleted_at = time.time()
        w.wait_for("the role back", lambda: role_exists(emu, "remote-replication"), timeout=5)
        check(time.time() - deleted_at < 4, "corrected within a few intervals")
        # the role exists once the PUT lands; the event follows its answer
        w.wait_for("the correction logged",
                   lambda: len(w.events("applied", cluster="local", kind="role")) >= 2, timeout=5)
        again = w.events("applied", cluster="local", kind="role")
        check(len(again) == 2, again)
        check(w.stop() == 0, "SIGTERM: exit 0")
        check(w.events("stopping"), "said it is stopping")
        log = w.log()
        check(all(json.loads(line) is not None for line in log), "every log line is JSON")
        check(not any(CANARY in line for line in log), "the password never reaches the log")


@suite.test
def sighup_runs_a_cycle_now_and_sigint_exits_zero():
    with Emulator(["local"]) as emu:
        desired = roles_file(emu, "r.yaml", ["local"], {"local": ["hup-role"]})
        with Watch(emu, "-f", desired, "--interval", "1h") as w:
            w.wait_cycles(1)
            check(role_exists(emu, "hup-role"), "applied in the first cycle")
            emu.es("DELETE", "/_security/role/hup-role")
            time.sleep(0.3)
            check(len(w.events("cycle_start")) == 1, "no cycle before the hour is over")
            w.send(signal.SIGHUP)
            w.wait_cycles(2, timeout=5)
            check(role_exists(emu, "hup-role"), "SIGHUP ran a cycle that recreated the role")
            check(w.events("signal", signal="SIGHUP"), "SIGHUP logged")
            check(w.stop(signal.SIGINT) == 0, "SIGINT: exit 0")


@suite.test
def sigterm_waits_for_the_request_in_flight_and_a_second_signal_exits_at_once():
    with Emulator(["local"]) as emu:
        desired = roles_file(emu, "r.yaml", ["local"], {"local": ["slow-role"]})
        # the write is answered 3 s after the emulator logs it: a busy machine
        # (the sanitized suite) noticing the log late still leaves > 0.5 s in flight
        emu.control("POST", "/_emulator/faults", {"method": "POST", "path": "/_security/role",
                                                  "action": "delay", "ms": 3000})
        with Watch(emu, "-f", desired, "--interval", "1h") as w:
            w.wait_for("the role write in flight",
                       lambda: any(q["method"] == "POST" for q in emu.requests()))
            t0 = time.time()
            check(w.stop() == 0, "exit 0 after the write")
            check(time.time() - t0 > 0.5, "waited for the answer in flight")
            check(role_exists(emu, "slow-role"), "the request in flight finished")
        emu.clear_requests()
        emu.control("POST", "/_emulator/faults", {"method": "GET", "path": "/_security/role",
                                                  "action": "hang", "seconds": 30})
        with Watch(emu, "-f", desired, "--interval", "1h") as w:
            w.wait_for("the read in flight", lambda: any(q["path"] == "/_security/role" for q in emu.requests()))
            w.send(signal.SIGTERM)
            time.sleep(0.5)
            check(w.proc.poll() is None, "the first SIGTERM waits for the read in flight")
            t0 = time.time()
            rc = w.stop()
            check(rc == 128 + signal.SIGTERM and time.time() - t0 < 2, "second signal: rc %s" % rc)
        emu.control("DELETE", "/_emulator/faults")


@suite.test
def an_invalid_desired_state_keeps_the_last_valid_one():
    with Emulator(["local"]) as emu:
        desired = roles_file(emu, "r.yaml", ["local"], {"local": ["kept-role"]})
        metrics = os.path.join(emu.dir, "m.prom")
        with Watch(emu, "-f", desired, "--interval", "300ms", "--metrics-file", metrics) as w:
            w.wait_for("the role", lambda: role_exists(emu, "kept-role"))
            emu.write("r.yaml", "version: 1\nclusterz: {}\n")
            w.wait_for("the invalid state noticed", lambda: w.events("desired_invalid"))
            w.wait_for("the metric", lambda: metric(metrics, "esreconcile_desired_state_valid") == 0)
            emu.es("DELETE", "/_security/role/kept-role")
            w.wait_for("the role back from the last valid state", lambda: role_exists(emu, "kept-role"))
            w.wait_for("more cycles", lambda: len(w.events("desired_invalid")) >= 3)
            diagnostics = [line for line in w.log() if "clusterz" in line]
            check(len(diagnostics) == 1, "the diagnostics are printed once: %s" % diagnostics)
            roles_file(emu, "r.yaml", ["local"], {"local": ["new-role"]})
            w.wait_for("the new state applied", lambda: role_exists(emu, "new-role"))
            w.wait_for("the old managed role pruned", lambda: not role_exists(emu, "kept-role"))
            w.wait_for("valid again", lambda: metric(metrics, "esreconcile_desired_state_valid") == 1)
            check(w.stop() == 0, "exit 0")


@suite.test
def suspended_or_detect_only_reports_and_writes_nothing():
    with Emulator(["local"]) as emu:
        suspended = roles_file(emu, "r.yaml", ["local"], {"local": ["held-role"]},
                               "policy:\n  suspend: true\n")
        metrics = os.path.join(emu.dir, "m.prom")
        with Watch(emu, "-f", suspended, "--interval", "200ms", "--metrics-file", metrics) as w:
            w.wait_cycles(3)
            check(not role_exists(emu, "held-role"), "nothing applied while suspended")
            check(writes(emu) == [], "only reads")
            held = w.events("held", cluster="local")
            check(held and "suspended" in held[0]["message"], held)
            check(w.events("drift", kind="role", name="held-role", action="create"), "drift reported")
            check(metric(metrics, "esreconcile_suspended") == 1, "suspended metric")
            check(metric(metrics, "esreconcile_drift_changes", cluster="local", kind="role") == 1, "drift metric")
            roles_file(emu, "r.yaml", ["local"], {"local": ["held-role"]}, "policy:\n  suspend: false\n")
            w.wait_for("applied once resumed", lambda: role_exists(emu, "held-role"))
            check(w.stop() == 0, "exit 0")
        emu.es("DELETE", "/_security/role/held-role")
        emu.clear_requests()
        with Watch(emu, "-f", suspended, "--interval", "200ms", "--detect-only") as w:
            w.wait_cycles(2)
            check(writes(emu) == [], "--detect-only: only reads")
            check(w.events("held") and "--detect-only" in w.events("held")[0]["message"], w.events("held"))
            check(w.stop() == 0, "exit 0")


@suite.test
def metrics_file_parses_and_the_endpoint_serves_it():
    port = free_port()
    with Emulator(TWO) as emu:
        metrics = os.path.join(emu.dir, "m.prom")
        with Watch(emu, "-f", emu.example("07-full-setup.yaml"), "--interval", "1h", "--metrics-file", metrics,
                   "--metrics-listen", "127.0.0.1:%d" % port) as w:
            w.wait_cycles(1, timeout=30)
            with open(metrics) as f:
                text = f.read()
            types, samples = parse_prometheus(text)
            for name, kind in REQUIRED.items():
                check(types.get(name) == kind, "%s is a %s" % (name, kind))
            check(samples[("esreconcile_cycles_total", ())] == 1, "one cycle")
            check(abs(samples[("esreconcile_last_cycle_timestamp_seconds", ())] - time.time()) < 60, "timestamp")
            for cid in TWO:
                check(samples[("esreconcile_cluster_up", (("cluster", cid),))] == 1, cid + " up")
                check(samples[("esreconcile_errors_total", (("cluster", cid),))] == 0, cid + " no error")
            check(samples[("esreconcile_changes_applied_total", (("cluster", "local"), ("kind", "role")))] == 1,
                  "applied role counted")
            check(samples[("esreconcile_remote_connected", (("cluster", "local"), ("remote", "cluster_one")))] == 1,
                  "the remote connected")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            served = r.read().decode()
            check(r.status == 200 and r.getheader("Content-Type").startswith("text/plain; version=0.0.4"),
                  (r.status, r.getheaders()))
            check(served == text, "/metrics serves what the file holds")
            conn.request("GET", "/")
            r = conn.getresponse()
            r.read()
            check(r.status == 404, "404 elsewhere")
            conn.request("POST", "/metrics", body="x")
            r = conn.getresponse()
            r.read()
            check(r.status == 405 and "GET" in r.getheader("Allow"), "405 for POST")
            conn.close()
            check(w.stop() == 0, "exit 0")


@suite.test
def a_failing_cluster_backs_off_and_a_hanging_one_holds_up_nobody():
    clusters = ["local", "cluster_one", "cluster_two"]
    with Emulator(clusters) as emu:
        desired = roles_file(emu, "r.yaml", clusters, {c: ["b-role"] for c in clusters})
        metrics = os.path.join(emu.dir, "m.prom")
        emu.control("POST", "/_emulator/faults", {"method": "GET", "path": "/", "count": -1,
                                                  "action": "status", "status": 401}, cluster="cluster_one")
        emu.control("POST", "/_emulator/faults", {"method": "GET", "path": "/", "count": -1,
                                                  "action": "hang", "seconds": 30}, cluster="cluster_two")
        with Watch(emu, "-f", desired, "--interval", "2s", "--jitter", "0", "--metrics-file", metrics) as w:
            w.wait_for("local converged", lambda: role_exists(emu, "b-role"))
            w.wait_for("three retries", lambda: len(w.events("retry", cluster="cluster_one")) >= 3, timeout=15)
            delays = [int(e["delay_ms"]) for e in w.events("retry", cluster="cluster_one")]
            check(500 <= delays[0] <= 1000 and 1000 <= delays[1] <= 2000 and max(delays) <= 2000, delays)
            # cycle 2 comes at 2 s while cluster_two still hangs in cycle 1
            w.wait_for("local's next cycle", lambda: len([q for q in emu.requests("local")
                                                         if q["method"] == "GET" and q["path"] == "/"]) >= 2)
            check(w.events("unreachable", cluster="cluster_one"), "the failure logged")
            check(not w.events("retry", cluster="local"), "local never failed")
            check(metric(metrics, "esreconcile_cluster_up", cluster="cluster_one") == 0, "cluster_one down")
            check(metric(metrics, "esreconcile_errors_total", cluster="cluster_one") >= 2, "errors counted")
            check(metric(metrics, "esreconcile_cluster_up", cluster="local") == 1, "local up")
            emu.control("DELETE", "/_emulator/faults", cluster="cluster_two")
            check(w.stop() == 0, "exit 0")


def rss_and_fds(pid):
    """The smallest RSS (KiB) and the smallest and largest descriptor counts of
    a few samples: a pass in flight holds a connection and buffers for a moment."""
    samples = []
    for _ in range(20):
        with open("/proc/%d/status" % pid) as f:
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))
        samples.append((rss, len(os.listdir("/proc/%d/fd" % pid))))
        time.sleep(0.007)
    fds = [s[1] for s in samples]
    return min(s[0] for s in samples), min(fds), max(fds)


def sanitized():
    with open(ESR, "rb") as f:
        return b"__asan_init" in f.read()


@suite.test
def memory_and_file_descriptors_stay_flat():
    # AddressSanitizer keeps a record of every thread that ever ran (a pass
    # starts a few): allow for it, and keep no freed memory in quarantine.
    allowed_kib = 4096 if sanitized() else 512
    with Emulator(["local"]) as emu:
        desired = roles_file(emu, "r.yaml", ["local"], {"local": ["flat-a", "flat-b"]},
                             "remotes:\n  local:\n    flat: { seeds: ['127.0.0.1:9300'] }\n")
        with Watch(emu, "-f", desired, "--interval", "5ms", "--jitter", "0", "--wait", "0s",
                   env={"ASAN_OPTIONS": "quarantine_size_mb=0"}) as w:
            w.wait_cycles(100, timeout=30)
            base_rss, base_fds, base_fds_max = rss_and_fds(w.proc.pid)
            w.wait_cycles(1100, timeout=90)
            rss, fds, _ = rss_and_fds(w.proc.pid)
            print("     RSS %d KiB after 100 cycles, %d KiB after 1100; descriptors %d, %d"
                  % (base_rss, rss, base_fds, fds))
            # a descriptor lost per pass would be a thousand more
            check(fds <= base_fds_max, "file descriptors: %d-%d then %d" % (base_fds, base_fds_max, fds))
            check(rss - base_rss < allowed_kib, "RSS grew by %d KiB over 1000 cycles" % (rss - base_rss))
            check(not w.events("retry"), "no failures")
            check(w.stop() == 0, "exit 0")


suite.finish()
