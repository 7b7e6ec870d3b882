#!/usr/bin/env python3
"""The fleet benchmarks of `make bench`, against the emulator (tests/emulator/esemu.py):

  bench.py plan       no-op plan: esreconcile beside a curl replay of exactly its own reads at
                      the same parallelism, and beside a per-resource baseline
  bench.py apply      full apply from empty clusters, then the correction of a 1% drift, with
                      password_check: probe (authentications per user)
  bench.py scaling    one cluster with 10, 100, 1,000, 10,000 roles and users, then 1 and 10
                      clusters of 1,000: esreconcile's CPU per size, and its growth per 10x step

Environment (defaults: the shape of issue 12):
  CLUSTERS (20) ROLES (1000) USERS (1000) REMOTES (10) LATENCY_MS (20)
  PARALLEL (8: esreconcile's default --parallel, used by the no-op plans and their replays)
  APPLY_PARALLEL (4 x CLUSTERS: the applies) RUNS (3: no-op plans and replays, medians)
  SIZES ("10 100 1000 10000": roles and users on one cluster), CLUSTER_SIZES ("1 10": clusters of
  PER_CLUSTER (1000) roles and users each), SCALING_RUNS (3: the least CPU of that many runs)
  BASELINE (1: 0 skips the per-resource baseline, the longest part)
  BENCH_SUMMARY (a file: every figure that has a target is also appended there; run.sh prints it)

Each figure with a target is printed as one line with the target and "met" or "NOT MET". A
benchmark measures: it exits 1 only when a run fails (an unexpected exit code, a request that
failed), never for a missed target.
"""

import concurrent.futures
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from esrtest import ESR, Emu, is_write  # noqa: E402

MIB = 1024.0
USER_PASSWORD = "bench-password"  # what POST /_emulator/seed gives every seeded user


def env_int(name, default):
    return int(os.environ.get(name, default))


CLUSTERS = env_int("CLUSTERS", 20)
ROLES = env_int("ROLES", 1000)
USERS = env_int("USERS", 1000)
REMOTES = env_int("REMOTES", 10)
LATENCY_MS = env_int("LATENCY_MS", 20)
PARALLEL = env_int("PARALLEL", 8)
APPLY_PARALLEL = env_int("APPLY_PARALLEL", 4 * CLUSTERS)
RUNS = max(1, env_int("RUNS", 3))


class BenchError(Exception):
    """A run that did not do what the benchmark needs (exit code, failed request)."""


# ---------------------------------------------------------------- reporting

def report(what, shown, ok=None, target=None):
    """One figure with its target (or none: request counts, shown so that a regression is
    seen), printed and appended to $BENCH_SUMMARY."""
    if target is None:
        line = "%-58s %18s" % (what, shown)
    else:
        line = "%-58s %18s   target %-10s %s" % (what, shown, target, "met" if ok else "NOT MET")
    print(line, flush=True)
    path = os.environ.get("BENCH_SUMMARY")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


def say(text):
    print(text, flush=True)


# ---------------------------------------------------------------- running esreconcile

class Run:
    """One esreconcile process: exit code, wall and CPU seconds, peak RSS in KiB, output."""

    def __init__(self, rc, wall, user, sys_, rss_kb, stdout, stderr):
        self.rc, self.wall, self.user, self.sys, self.rss_kb = rc, wall, user, sys_, rss_kb
        self.stdout, self.stderr = stdout, stderr

    @property
    def cpu(self):
        return self.user + self.sys

    def summary(self):
        return "wall %.2f s, CPU %.2f s user + %.2f s sys, peak RSS %.1f MiB, exit %d" % (
            self.wall, self.user, self.sys, self.rss_kb / MIB, self.rc)


def run_esr(args, env, expect, precise=False):
    """Runs esreconcile ARGS under /usr/bin/time -v (peak RSS and CPU as it reports them, CPU
    to 10 ms), or with precise=True directly, its CPU from wait4 to the microsecond (the
    scaling benchmark's small sizes take a few ms). Raises BenchError unless the exit code is
    in expect."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cmd = [ESR] + list(args) if precise else ["/usr/bin/time", "-v", ESR] + list(args)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if precise:
        run = Run(proc.returncode, wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, stdout, stderr)
    else:
        def field(name):
            m = re.search(r"^\s*%s: (.*)$" % re.escape(name), stderr, re.M)
            if not m:
                raise BenchError("no '%s' in /usr/bin/time's output:\n%s" % (name, stderr[-2000:]))
            return m.group(1)
        rc = int(field("Exit status"))
        run = Run(rc, wall, float(field("User time (seconds)")), float(field("System time (seconds)")),
                  int(field("Maximum resident set size (kbytes)")), stdout, stderr)
    if run.rc not in expect:
        tail = "\n".join(l for l in run.stderr.splitlines() if not l.startswith("\t"))[-3000:]
        raise BenchError("esreconcile %s: exit %d, expected %s\n%s" % (" ".join(args), run.rc, expect, tail))
    return run


# ---------------------------------------------------------------- the emulated fleet

class Fleet:
    """The emulator with clusters c00, c01, ..., the desired state that declares what
    POST /_emulator/seed creates in each (so seeded clusters only need adopting), and the
    reading of the emulator's request logs."""

    def __init__(self, ids, latency_ms):
        args = ["--latency-ms", str(latency_ms)] if latency_ms else []
        self.emu = Emu(clusters=ids, args=args, control=True)
        self.ids = list(ids)
        self.info = self.emu.info
        self.desired = os.path.join(self.emu.dir, "desired")
        os.makedirs(self.desired)
        self.env = dict(os.environ, BENCH_PASSWORD=USER_PASSWORD)
        for cid, c in self.info.items():
            k = cid.upper()
            self.env.update({"ES_%s_URL" % k: c["url"], "ES_%s_CA" % k: c["http_ca_file"],
                             "ES_%s_PASSWORD" % k: c["password"]})

    def stop(self):
        self.emu.stop()

    def ok(self, cid, method, path, body=None):
        return self.emu.ok(method, path, body, cluster=cid)

    def each(self, fn, ids=None):
        """fn(cid) for every cluster (or those of ids), in parallel (each has its own connection)."""
        ids = ids or self.ids
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(ids)) as pool:
            return list(pool.map(fn, ids))

    def seed(self, roles, users, remotes, ids=None):
        self.each(lambda cid: self.ok(cid, "POST", "/_emulator/seed",
                                      {"roles": roles, "users": users, "remotes": remotes}), ids)

    def reset(self):
        self.each(lambda cid: self.ok(cid, "DELETE", "/_emulator/state"))

    def emulator_cpu(self):
        """The CPU seconds (user + sys) the emulated clusters' process has used so far."""
        with open("/proc/%d/stat" % self.emu.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / float(os.sysconf("SC_CLK_TCK"))

    def clear_logs(self):
        self.each(lambda cid: self.ok(cid, "DELETE", "/_emulator/requests"))

    def logs(self):
        """{cluster: [request log entries, in arrival order]}."""
        return dict(zip(self.ids, self.each(lambda cid: self.ok(cid, "GET", "/_emulator/requests"))))

    def write_desired(self, roles, users, remotes, password_check, ids=None):
        """One file per cluster (a file may hold at most 4 MiB) of every cluster or those of ids
        (the others are not declared), and the policy in its own file."""
        for name in os.listdir(self.desired):
            os.unlink(os.path.join(self.desired, name))
        with open(os.path.join(self.desired, "00-policy.yaml"), "w") as f:
            f.write("version: 1\npolicy:\n  prune: { remotes: managed, roles: managed, users: managed }\n"
                    "  max_deletes: 1000000\n  password_check: %s\n" % password_check)
        for cid in ids or self.ids:
            c = self.info[cid]
            k = cid.upper()
            own = c["transport_address"]
            out = ["version: 1", "clusters:", "  %s:" % cid, "    url: ${ES_%s_URL}" % k,
                   "    auth: { username: elastic, password: \"${ES_%s_PASSWORD}\" }" % k,
                   "    tls: { ca_file: \"${ES_%s_CA}\" }" % k, "    timeout: 120s"]
            if remotes:
                out += ["remotes:", "  %s:" % cid]
                out += ["    bench_remote_%d: { mode: sniff, seeds: [\"%s\"], skip_unavailable: true }" % (i, own)
                        for i in range(remotes)]
            if roles:
                out += ["roles:", "  %s:" % cid]
                out += ["    bench-role-%d: { cluster: [monitor], indices: [{ names: [\"bench-index-%d-*\"], "
                        "privileges: [read, view_index_metadata] }], metadata: { seeded: true } }" % (i, i)
                        for i in range(roles)]
            if users:
                out += ["users:", "  %s:" % cid]
                out += ["    bench-user-%d: { password: \"${BENCH_PASSWORD}\", roles: %s, full_name: \"Bench user %d\", "
                        "metadata: { seeded: true } }" % (i, "[bench-role-%d]" % (i % roles) if roles else "[]", i)
                        for i in range(users)]
            with open(os.path.join(self.desired, "%s.yaml" % cid), "w") as f:
                f.write("\n".join(out) + "\n")

    def esr(self, command, *args, expect=(0,), precise=False):
        return run_esr([command, "-f", self.desired, "-o", "json"] + list(args), self.env, expect, precise)


def count(logs):
    """(requests, writes, authentications) in request logs."""
    entries = [e for log in logs.values() for e in log]
    auths = sum(1 for e in entries if e["method"] == "GET" and e["path"] == "/_security/_authenticate")
    return len(entries), sum(1 for e in entries if is_write(e)), auths


def per_cluster(logs):
    """The requests of one cluster, by method and path (the first cluster: all look alike)."""
    seen = {}
    for e in next(iter(logs.values()), []):
        k = "%s %s" % (e["method"], e["path"] if not e["path"].startswith("/_resolve/") else "/_resolve/cluster/...")
        seen[k] = seen.get(k, 0) + 1
    return ", ".join("%s%s" % (k, " x%d" % n if n > 1 else "") for k, n in seen.items())


# ---------------------------------------------------------------- curl

def curl_quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def curl_config(fleet, requests, path, outputs=None):
    """A curl config file for requests [(cluster, method, target, body)]: one operation per
    cluster (its CA and elastic's password, like esreconcile) for the GETs, one per request with
    a body. Every transfer writes its status code, so a failed one is seen. Each answer goes to
    /dev/null, or to the file outputs[i] of request i."""
    def head(cid):
        c = fleet.info[cid]
        return ["next", "cacert = %s" % curl_quote(c["http_ca_file"]),
                "user = %s" % curl_quote("elastic:" + c["password"]), 'write-out = "%{http_code}\\n"']
    lines = []
    current = None
    for i, (cid, method, target, body) in enumerate(requests):
        url = "url = %s" % curl_quote(fleet.info[cid]["url"] + target)
        output = "output = %s" % curl_quote(outputs[i] if outputs else "/dev/null")
        if method == "GET" and body is None:
            if current != cid:
                lines += head(cid)
                current = cid
            lines += [url, output]
            continue
        data = body if isinstance(body, str) else json.dumps(body)
        lines += head(cid) + ["request = %s" % method, url, output]
        if body is not None:
            lines += ['header = "Content-Type: application/json"', "data-raw = %s" % curl_quote(data)]
        current = None
    with open(path, "w") as f:
        f.write("\n".join(lines[1:]) + "\n")


def curl_run(fleet, requests, parallel, name, outputs=None, cpu=None):
    """Sends requests with curl --parallel --parallel-max PARALLEL over HTTP/1.1 (what
    esreconcile and Elasticsearch speak); returns the wall time. Raises BenchError when a
    transfer did not answer 2xx or 404 (a per-resource read of a missing object). outputs: as
    curl_config's. cpu: a list that gets curl's CPU (user + sys) appended."""
    path = os.path.join(fleet.emu.dir, name + ".curl")
    curl_config(fleet, requests, path, outputs)
    before = os.times()
    t0 = time.perf_counter()
    r = subprocess.run(["curl", "--silent", "--show-error", "--http1.1", "--parallel", "--parallel-max",
                        str(parallel), "--config", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = os.times()
    if cpu is not None:
        cpu.append(after.children_user - before.children_user + after.children_system - before.children_system)
    codes = r.stdout.decode().split()
    bad = [c for c in codes if not (c.startswith("2") or c == "404")]
    if r.returncode != 0 or len(codes) != len(requests) or bad:
        raise BenchError("curl %s: exit %d, %d of %d answered, statuses %s\n%s" % (
            name, r.returncode, len(codes), len(requests), sorted(set(bad))[:5], r.stderr.decode()[-1000:]))
    return wall


def parse_floor(fleet, reads):
    """Prints what the libraries alone cost (tests/tools/parse_floor): libyaml's parse of the
    desired state and cJSON's parse of the answers to reads, fetched once more with curl. No
    no-op plan of this state can spend less CPU with these libraries."""
    tool = os.path.join(HERE, "..", "..", os.environ.get("BUILD", "build/default"), "tools", "parse_floor")
    if not os.access(tool, os.X_OK):
        say("the libraries' floor: skipped, %s is not built (make bench builds it)" % tool)
        return
    answers = os.path.join(fleet.emu.dir, "answers")
    os.makedirs(answers, exist_ok=True)
    outputs = [os.path.join(answers, "%04d.json" % i) for i in range(len(reads))]
    curl_run(fleet, reads, PARALLEL, "answers", outputs)
    files = sorted(os.path.join(fleet.desired, n) for n in os.listdir(fleet.desired))
    r = subprocess.run([tool, "--runs", str(RUNS), "--yaml"] + files + ["--json"] + outputs,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise BenchError("parse_floor: exit %d\n%s" % (r.returncode, r.stderr.decode()[-1000:]))
    f = json.loads(r.stdout)
    say("the libraries alone (least of %d): libyaml's parser over the desired state (%.1f MB, %d events) "
        "%.2f s, cJSON's parse of the %d answers (%.1f MB) %.2f s: %.2f s of CPU no no-op plan of this "
        "state can spend less than" % (RUNS, f["yaml_bytes"] / 1e6, f["yaml_events"], f["yaml_cpu"],
                                          f["json_answers"], f["json_bytes"] / 1e6, f["json_cpu"],
                                          f["yaml_cpu"] + f["json_cpu"]))


def replay_of(logs):
    """The logged requests as [(cluster, method, target, body)], the clusters interleaved in the
    order of their own requests (the logs are per cluster; esreconcile reads them in parallel)."""
    out = []
    longest = max((len(v) for v in logs.values()), default=0)
    for i in range(longest):
        for cid, log in logs.items():
            if i < len(log):
                e = log[i]
                out.append((cid, e["method"], e["target"], e["body"]))
    return out


def per_resource_reads(fleet, roles, users):
    """What a per-resource tool reads to plan: one GET per role, one per user, and the settings
    (the remotes) once per cluster, as the Terraform provider for Elasticsearch (elasticstack)
    refreshes its resources."""
    out = []
    for cid in fleet.ids:
        out.append((cid, "GET", "/_cluster/settings?flat_settings=true", None))
        out += [(cid, "GET", "/_security/role/bench-role-%d" % i, None) for i in range(roles)]
        out += [(cid, "GET", "/_security/user/bench-user-%d" % i, None) for i in range(users)]
    return out


# ---------------------------------------------------------------- the benchmarks

def shape():
    return "%d clusters x %d roles x %d users x %d remotes, latency %d ms" % (
        CLUSTERS, ROLES, USERS, REMOTES, LATENCY_MS)


def cluster_ids():
    return ["c%02d" % i for i in range(CLUSTERS)]


def bench_plan():
    say("plan benchmark: %s, --parallel %d, medians of %d" % (shape(), PARALLEL, RUNS))
    fleet = Fleet(cluster_ids(), LATENCY_MS)
    try:
        fleet.seed(ROLES, USERS, REMOTES)
        fleet.write_desired(ROLES, USERS, REMOTES, "on_create")
        fleet.clear_logs()
        r = fleet.esr("plan", "--parallel", str(PARALLEL), expect=(2,))
        s = json.loads(r.stdout)["summary"]
        say("first plan of the seeded clusters (%d updates to adopt them): %s, %d requests"
            % (s["update"], r.summary(), count(fleet.logs())[0]))
        r = fleet.esr("apply", "--auto-approve", "--wait", "0", "--parallel", str(APPLY_PARALLEL))
        say("setup: apply adopting them, --parallel %d: %s" % (APPLY_PARALLEL, r.summary()))

        plans, plan_emulator = [], []
        for _ in range(RUNS):
            fleet.clear_logs()
            before = fleet.emulator_cpu()
            plans.append(fleet.esr("plan", "--parallel", str(PARALLEL)))
            plan_emulator.append(fleet.emulator_cpu() - before)
            logs = fleet.logs()
        requests, writes, _ = count(logs)
        if writes:
            raise BenchError("the no-op plan wrote %d times" % writes)
        wall = statistics.median(p.wall for p in plans)
        mid = sorted(plans, key=lambda p: p.cpu)[len(plans) // 2]
        cpu = mid.cpu
        rss = max(p.rss_kb for p in plans)
        say("no-op plan, password_check on_create: wall %.2f s, CPU %.2f s (user %.2f + sys %.2f), peak RSS %.1f MiB, "
            "%d requests (%d per cluster: %s)" % (wall, cpu, mid.user, mid.sys, rss / MIB, requests,
                                                  requests // CLUSTERS, per_cluster(logs)))

        reads = replay_of(logs)
        fleet.clear_logs()
        walls, curl_cpu, replay_emulator = [], [], []
        for _ in range(RUNS):
            before = fleet.emulator_cpu()
            walls.append(curl_run(fleet, reads, PARALLEL, "replay", cpu=curl_cpu))
            replay_emulator.append(fleet.emulator_cpu() - before)
        curl = statistics.median(walls)
        replayed = count(fleet.logs())[0]
        if replayed != RUNS * len(reads):
            raise BenchError("the replay sent %d requests, expected %d" % (replayed, RUNS * len(reads)))
        say("curl replaying exactly those %d reads, --parallel-max %d: wall %.2f s" % (len(reads), PARALLEL, curl))
        say("CPU on this machine's %d cores (medians): during a no-op plan esreconcile %.2f s + the emulated "
            "clusters %.2f s; during a replay curl %.2f s + the emulated clusters %.2f s"
            % (os.cpu_count() or 1, cpu, statistics.median(plan_emulator), statistics.median(curl_cpu),
               statistics.median(replay_emulator)))
        parse_floor(fleet, reads)
        ratio = wall / curl
        report("no-op plan wall / curl replay of the same reads", "%.2f x" % ratio, ratio <= 1.15, "<= 1.15")
        report("no-op plan CPU (user + sys)", "%.2f s" % cpu, cpu <= 0.35, "<= 0.35 s")
        report("no-op plan peak RSS", "%.1f MiB" % (rss / MIB), rss < 48 * MIB, "< 48 MiB")
        report("no-op plan requests", "%d (%d per cluster)" % (requests, requests // CLUSTERS))

        if os.environ.get("BASELINE", "1") != "0":
            base = per_resource_reads(fleet, ROLES, USERS)
            fleet.clear_logs()
            t = curl_run(fleet, base, PARALLEL, "baseline")
            say("per-resource baseline (a GET per role and per user, the settings per cluster), curl "
                "--parallel-max %d: wall %.1f s, %d requests" % (PARALLEL, t, len(base)))
            report("per-resource baseline / no-op plan: wall, requests", "%.0fx, %.0fx" % (
                t / wall, len(base) / float(requests)))
    finally:
        fleet.stop()


def drift(fleet):
    """1% of each cluster's roles and users changed by hand (their ownership metadata kept, so
    they stay esreconcile's), and one remote on every tenth cluster."""
    n_roles, n_users = max(1, ROLES // 100) if ROLES else 0, max(1, USERS // 100) if USERS else 0

    def one(cid):
        for i in range(n_roles):
            name = "bench-role-%d" % (i * 100)
            role = fleet.ok(cid, "GET", "/_security/role/" + name)[name]
            fleet.ok(cid, "PUT", "/_security/role/" + name, {"cluster": ["all"], "metadata": role["metadata"]})
        for i in range(n_users):
            name = "bench-user-%d" % (i * 100)
            user = fleet.ok(cid, "GET", "/_security/user/" + name)[name]
            fleet.ok(cid, "PUT", "/_security/user/" + name, {"roles": user["roles"], "full_name": "changed by hand",
                                                             "metadata": user["metadata"]})
        if int(cid[1:]) % 10 == 0 and REMOTES:
            fleet.ok(cid, "PUT", "/_cluster/settings",
                     {"persistent": {"cluster.remote.bench_remote_0.skip_unavailable": False}})
    fleet.each(one)


def apply_phase(fleet, name):
    fleet.clear_logs()
    r = fleet.esr("apply", "--auto-approve", "--wait", "30s", "--parallel", str(APPLY_PARALLEL))
    rep = json.loads(r.stdout)
    if not rep.get("converged"):
        raise BenchError("%s did not converge" % name)
    requests, writes, auths = count(fleet.logs())
    say("%s: %s, applied %d" % (name, r.summary(), rep["summary"]["applied"]))
    report("%s: requests (writes, authentications)" % name, "%d (%d, %d)" % (requests, writes, auths))
    return r, auths


def bench_apply():
    say("apply benchmark: %s, --parallel %d, password_check probe" % (shape(), APPLY_PARALLEL))
    fleet = Fleet(cluster_ids(), LATENCY_MS)
    try:
        fleet.write_desired(ROLES, USERS, REMOTES, "probe")
        r, _ = apply_phase(fleet, "full apply from empty")
        report("full apply from empty, peak RSS", "%.1f MiB" % (r.rss_kb / MIB), r.rss_kb < 64 * MIB, "< 64 MiB")
        drift(fleet)
        _, auths = apply_phase(fleet, "1% drift correction")
        users = CLUSTERS * USERS
        per_user = auths / float(users) if users else 0.0
        report("1%% drift, probe: authentications per user (%d / %d)" % (auths, users), "%.2f" % per_user,
               per_user <= 1.2, "<= 1.2")
    finally:
        fleet.stop()


SCALING_KINDS = ("plan from empty", "no-op plan", "no-op plan, probe")


def scaling_point(fleet, ids, n, runs):
    """esreconcile's least CPU over runs, for each of SCALING_KINDS, with n roles and n users on
    each cluster of ids (the other clusters empty and not declared)."""
    par = ("--parallel", str(PARALLEL))
    fleet.reset()
    fleet.write_desired(n, n, 0, "on_create", ids)
    out = [min(fleet.esr("plan", *par, expect=(2,), precise=True).cpu for _ in range(runs))]
    fleet.seed(n, n, 0, ids)
    fleet.esr("apply", "--auto-approve", "--wait", "0", *par)
    out.append(min(fleet.esr("plan", *par, precise=True).cpu for _ in range(runs)))
    fleet.write_desired(n, n, 0, "probe", ids)
    out.append(min(fleet.esr("plan", *par, precise=True).cpu for _ in range(runs)))
    return out


def scaling_verdict(series, sizes, cpu):
    """The growth of each kind's CPU between consecutive sizes; more than twice the growth of the
    size (20x per 10x step) is flagged as superlinear."""
    if len(sizes) < 2:
        return
    for k, kind in enumerate(SCALING_KINDS):
        steps = []
        worst = 0.0
        for i in range(1, len(sizes)):
            ratio = cpu[i][k] / max(cpu[i - 1][k], 1e-6)
            growth = sizes[i] / float(sizes[i - 1])
            steps.append("%d->%d: %.1fx%s" % (sizes[i - 1], sizes[i], ratio,
                                              " SUPERLINEAR" if ratio > 2 * growth else ""))
            worst = max(worst, ratio / growth)
        say("%s, %s: CPU growth %s" % (series, kind, "; ".join(steps)))
        report("scaling %s, %s: worst growth per 10x" % (series, kind), "%.1f x" % (worst * 10),
                   worst <= 2, "<= 20 x")


def bench_scaling():
    """Two series: N roles and N users on one cluster; and K clusters of PER_CLUSTER roles and
    users each (a lookup across every cluster's objects grows with K x K)."""
    sizes = [int(s) for s in os.environ.get("SIZES", "10 100 1000 10000").split()]
    counts = [int(s) for s in os.environ.get("CLUSTER_SIZES", "1 10").split()]
    per_cluster_n = env_int("PER_CLUSTER", 1000)
    runs = max(1, env_int("SCALING_RUNS", 3))
    say("scaling benchmark: no latency, --parallel %d; esreconcile's CPU (user + sys, from wait4) for %s, "
        "the least of %d runs" % (PARALLEL, ", ".join(SCALING_KINDS), runs))
    fleet = Fleet(["s%02d" % i for i in range(max(counts + [1]))], 0)
    try:
        cpu = []
        for n in sizes:
            cpu.append(scaling_point(fleet, fleet.ids[:1], n, runs))
            say("one cluster, N = %6d roles and users: %s" % (n, ", ".join("%.3f s" % c for c in cpu[-1])))
        scaling_verdict("by objects", sizes, cpu)
        cpu = []
        for k in counts:
            cpu.append(scaling_point(fleet, fleet.ids[:k], per_cluster_n, runs))
            say("%d cluster(s) of %d roles and users: %s" % (k, per_cluster_n, ", ".join("%.3f s" % c for c in cpu[-1])))
        scaling_verdict("by clusters", counts, cpu)
    finally:
        fleet.stop()


def main():
    benches = {"plan": bench_plan, "apply": bench_apply, "scaling": bench_scaling}
    if len(sys.argv) != 2 or sys.argv[1] not in benches:
        sys.exit("usage: bench.py plan|apply|scaling")
    t0 = time.perf_counter()
    try:
        benches[sys.argv[1]]()
    except BenchError as e:
        say("FAILED: %s" % e)
        sys.exit(1)
    say("(%s benchmark: %.0f s)" % (sys.argv[1], time.perf_counter() - t0))


if __name__ == "__main__":
    main()
