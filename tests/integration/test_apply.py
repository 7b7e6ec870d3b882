#!/usr/bin/env python3
"""Integration test of `esreconcile apply` against the emulator.

Every example applies from empty clusters and the next plan is empty; mode
switches; deletion by `absent` and by pruning (ownership respected, reserved
objects and static remotes spared); a fault at each write step gives a correct
report and exit 3, and a re-run converges; saved plans (fresh and stale); the
deletion guard; the no-terminal refusal; two concurrent applies on one
cluster; and secret canaries that must never reach any output.

Standard library only. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
from harness import Emu  # noqa: E402

ESR = os.environ.get("ESR_BIN", os.path.join(ROOT, "esreconcile"))
EXAMPLES = os.path.join(ROOT, "examples")
LEDGER = "cluster.metadata.esreconcile.remotes"
WRITES = ("PUT", "POST", "DELETE")
CANARY_PASSWORD = "canary-pw-Vq83Lz0"

passed = 0
failed = 0
TMP = tempfile.mkdtemp(prefix="esr-apply-test-")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def env_for(emu, extra=None):
    env = dict(os.environ)
    for cid, info in emu.info.items():
        key = cid.upper().replace("-", "_")
        env["ES_%s_URL" % key] = info["url"]
        env["ES_%s_CA" % key] = info["http_ca_file"]
        env["ES_%s_PASSWORD" % key] = info["password"]
        env["ES_%s_TRANSPORT_CA" % key] = info["transport_ca_file"]
    env.setdefault("CCU_PASSWORD", "ccu-password-1")
    env.setdefault("CSU_PASSWORD", "csu-password-1")
    env.setdefault("KIBANA_CCU_PASSWORD", "kibana-password-1")
    env.pop("NO_COLOR", None)
    if extra:
        env.update(extra)
    return env


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __str__(self):
        return "esreconcile %s -> %d\nstdout:\n%s\nstderr:\n%s" % (" ".join(self.args), self.rc,
                                                                  self.out[-3000:], self.err[-3000:])


def esr(emu, *args, env=None, stdin=subprocess.DEVNULL):
    proc = subprocess.run([ESR] + list(args), env=env or env_for(emu), stdin=stdin,
                          capture_output=True, text=True, timeout=300)
    return Result(args, proc)


def expect(result, rc, what=""):
    if result.rc != rc:
        raise AssertionError("expected exit %d%s, got:\n%s" % (rc, " (" + what + ")" if what else "", result))
    return result


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


CONNECTION = """version: 1
clusters:
  local:
    url: ${ES_LOCAL_URL}
    auth: { username: elastic, password: "${ES_LOCAL_PASSWORD}" }
    tls: { ca_file: "${ES_LOCAL_CA}" }
"""


def desired(name, body, prune="{ remotes: managed, roles: managed, users: managed }", extra_policy=""):
    return write(name, CONNECTION + body + "policy:\n  prune: %s\n%s" % (prune, extra_policy))


def settings(emu, cluster="local"):
    return emu.ok("GET", "/_cluster/settings?flat_settings=true", cluster=cluster)["persistent"]


def requests_log(emu, cluster="local"):
    return emu.ok("GET", "/_emulator/requests", cluster=cluster)


def clear_log(emu, cluster="local"):
    emu.ok("DELETE", "/_emulator/requests", cluster=cluster)


def writes_in_log(emu, cluster="local"):
    return [(r["method"], r["path"]) for r in requests_log(emu, cluster) if r["method"] in WRITES]


def reset(emu):
    for cid in emu.info:
        emu.ok("DELETE", "/_emulator/faults", cluster=cid)
        emu.ok("DELETE", "/_emulator/state", cluster=cid)
        clear_log(emu, cid)


def roles(emu, cluster="local"):
    return emu.ok("GET", "/_security/role", cluster=cluster)


def users(emu, cluster="local"):
    return emu.ok("GET", "/_security/user", cluster=cluster)


def apply_ok(emu, path, *extra):
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s", *extra), 0, "apply " + path)
    check("Converged." in r.out, "no 'Converged.' in:\n%s" % r)
    expect(esr(emu, "plan", "-f", path), 0, "plan after apply of " + path)
    return r


# ---------------------------------------------------------------------------

def test_examples_apply_from_empty(emu):
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yaml"):
            continue
        reset(emu)
        path = os.path.join(EXAMPLES, name)
        r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s",
                       "--report", os.path.join(TMP, "report.json")), 0, name)
        check("Converged." in r.out, "%s: not converged:\n%s" % (name, r))
        with open(os.path.join(TMP, "report.json")) as f:
            report = json.load(f)
        check(report["converged"] is True, name + ": report not converged")
        for cid, c in report["clusters"].items():
            for ch in c["changes"]:
                check(ch["status"] == "applied", "%s: %s not applied: %s" % (name, ch["name"], ch))
        expect(esr(emu, "plan", "-f", path), 0, name + ": the next plan is empty")
        # A second apply has nothing to do.
        r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s"), 0, name + " again")
        check("0 applied" in r.out, name + ": second apply changed something:\n%s" % r)


def test_examples_on_8_14(emu814):
    for name in ("04-ccr-roles-users.yaml", "07-full-setup.yaml"):
        reset(emu814)
        path = os.path.join(EXAMPLES, name)
        apply_ok(emu814, path)
        posts = [r for r in requests_log(emu814) if r["method"] == "POST" and r["path"] == "/_security/role"]
        check(not posts, "8.14 got a bulk role write")


def test_mode_switch(emu):
    reset(emu)
    sniff = desired("sniff.yaml", """remotes:
  local:
    far: { mode: sniff, seeds: ["127.0.0.1:9399"], skip_unavailable: true, node_connections: 2 }
""")
    proxy = desired("proxy.yaml", """remotes:
  local:
    far: { mode: proxy, proxy_address: "127.0.0.1:9398", server_name: far.example, skip_unavailable: true }
""")
    apply_ok(emu, sniff)
    s = settings(emu)
    check(s.get("cluster.remote.far.seeds") == ["127.0.0.1:9399"], "sniff not written: %s" % s)
    apply_ok(emu, proxy)
    s = settings(emu)
    check(s.get("cluster.remote.far.mode") == "proxy", "not proxy: %s" % s)
    check("cluster.remote.far.seeds" not in s and "cluster.remote.far.node_connections" not in s,
          "sniff keys left: %s" % s)
    puts = [r for r in requests_log(emu) if r["method"] == "PUT" and r["path"] == "/_cluster/settings"]
    check(len(puts) == 2, "mode switch is not one PUT per apply: %d" % len(puts))
    apply_ok(emu, sniff)
    s = settings(emu)
    check(s.get("cluster.remote.far.mode") == "sniff", "not sniff again: %s" % s)
    check("cluster.remote.far.proxy_address" not in s and "cluster.remote.far.server_name" not in s,
          "proxy keys left: %s" % s)
    check(s.get(LEDGER) == "far", "ledger: %s" % s.get(LEDGER))


OWNED = """remotes:
  local:
    mine: { seeds: ["127.0.0.1:9390"] }
roles:
  local:
    mine-role: { cluster: [monitor] }
users:
  local:
    mine-user: { password: "mine-password", roles: [mine-role], full_name: Mine }
"""


def seed_foreign(emu):
    """Objects esreconcile does not own: made by hand, without the ledger or managed_by."""
    emu.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.handmade.seeds": ["127.0.0.1:9391"]}})
    emu.ok("PUT", "/_security/role/handmade-role", {"cluster": ["monitor"]})
    emu.ok("PUT", "/_security/user/handmade-user", {"password": "handmade-pw", "roles": ["handmade-role"]})


def test_delete_by_absent(emu):
    reset(emu)
    apply_ok(emu, desired("owned.yaml", OWNED))
    absent = desired("absent.yaml", """remotes:
  local:
    mine: absent
roles:
  local:
    mine-role: absent
users:
  local:
    mine-user: absent
""", prune="{ remotes: none, roles: none, users: none }")
    apply_ok(emu, absent)
    s = settings(emu)
    check(not any(k.startswith("cluster.remote.mine.") for k in s), "remote left: %s" % s)
    check(not s.get(LEDGER), "ledger still names it: %s" % s.get(LEDGER))
    check("mine-role" not in roles(emu), "role left")
    check("mine-user" not in users(emu), "user left")
    order = writes_in_log(emu)[-3:]
    check([m for m, _ in order] == ["PUT", "DELETE", "DELETE"] and "user" in order[1][1] and
          "role" in order[2][1], "order: settings, user deletes, role deletes: %s" % order)


def test_prune_managed_spares_what_it_does_not_own(emu):
    reset(emu)
    seed_foreign(emu)
    apply_ok(emu, desired("owned.yaml", OWNED))
    empty = desired("empty.yaml", "")
    apply_ok(emu, empty)
    s = settings(emu)
    check("cluster.remote.mine.seeds" not in s, "owned remote not pruned: %s" % s)
    check(s.get("cluster.remote.handmade.seeds") == ["127.0.0.1:9391"], "foreign remote touched: %s" % s)
    r, u = roles(emu), users(emu)
    check("mine-role" not in r and "mine-user" not in u, "owned role/user not pruned")
    check("handmade-role" in r and "handmade-user" in u, "foreign role/user pruned")
    check("superuser" in r and "elastic" in u and "kibana_system" in u, "reserved objects touched")


def test_prune_all_spares_reserved_and_static(emu_static):
    emu = emu_static
    reset(emu)
    seed_foreign(emu)
    apply_ok(emu, desired("owned.yaml", OWNED))
    everything = desired("all.yaml", "", prune="{ remotes: all, roles: all, users: all }",
                         extra_policy="  max_deletes: 100\n")
    r = expect(esr(emu, "apply", "-f", everything, "--auto-approve", "--wait", "1s"), 0, "prune all")
    s = settings(emu)
    check(not any(k.startswith("cluster.remote.") for k in s), "a dynamic remote survived: %s" % s)
    ro, us = roles(emu), users(emu)
    check("handmade-role" not in ro and "mine-role" not in ro, "roles not pruned")
    check("handmade-user" not in us and "mine-user" not in us, "users not pruned")
    check("superuser" in ro and "elastic" in us and "kibana_system" in us, "reserved pruned")
    deletes = [p for m, p in writes_in_log(emu) if m in ("PUT", "DELETE")]
    check(not any("static" in json.dumps(x) for x in requests_log(emu) if x["method"] in WRITES),
          "a write named the static remote: %s" % deletes)
    expect(esr(emu, "plan", "-f", everything), 0, "plan after prune all")
    check("static" in emu.ok("GET", "/_remote/info"), "static remote gone")


# A plan with one change at every step: role write, user write, settings PUT,
# user delete, role delete.
BEFORE = """remotes:
  local:
    gone: { seeds: ["127.0.0.1:9380"] }
roles:
  local:
    old-role: { cluster: [monitor] }
users:
  local:
    old-user: { password: "old-password", roles: [old-role] }
"""
AFTER = """remotes:
  local:
    fresh: { seeds: ["127.0.0.1:9381"] }
roles:
  local:
    new-role: { cluster: [monitor] }
users:
  local:
    new-user: { password: "new-password", roles: [new-role] }
"""
FAULTS = [
    ("role write", {"method": "POST", "path_regex": "^/_security/role(/new-role)?$"}, ("role", "new-role"),
     {("user", "new-user"): "skipped"}),
    ("user write", {"method": "*", "path_regex": "^/_security/user/new-user$"}, ("user", "new-user"), {}),
    ("settings PUT", {"method": "PUT", "path": "/_cluster/settings"}, ("remote", "fresh"),
     {("remote", "gone"): "failed"}),
    ("user delete", {"method": "DELETE", "path_regex": "^/_security/user/old-user$"}, ("user", "old-user"),
     {("role", "old-role"): None}),
    ("role delete", {"method": "DELETE", "path_regex": "^/_security/role"}, ("role", "old-role"), {}),
]


def test_fault_at_each_step(emu):
    before = desired("before.yaml", BEFORE)
    after = desired("after.yaml", AFTER)
    report_path = os.path.join(TMP, "fault-report.json")
    for step, rule, target, others in FAULTS:
        reset(emu)
        apply_ok(emu, before)
        fault = dict(rule, action="status", status=400, count=-1,
                     body={"error": {"type": "emulated_fault_exception", "reason": "fault at " + step},
                           "status": 400})
        if rule.get("method") == "*":
            fault.pop("method")
        emu.ok("POST", "/_emulator/faults", fault)
        r = esr(emu, "apply", "-f", after, "--auto-approve", "--wait", "1s", "--report", report_path)
        emu.ok("DELETE", "/_emulator/faults")
        expect(r, 3, "fault at " + step)
        with open(report_path) as f:
            report = json.load(f)
        check(report["converged"] is False, step + ": converged despite the fault")
        statuses = {(c["kind"], c["name"]): c for c in report["clusters"]["local"]["changes"]}
        t = statuses.get(target)
        check(t is not None and t["status"] == "failed", "%s: %s not failed: %s" % (step, target, t))
        check(t["error"]["type"] == "emulated_fault_exception" and "fault at" in t["error"]["reason"]
              and t["error"]["status"] in (400, None), "%s: error: %s" % (step, t["error"]))
        for key, c in statuses.items():
            if key == target:
                continue
            want = others.get(key, "applied")
            if want is None:
                continue
            check(c["status"] == want, "%s: %s is %s, want %s: %s" % (step, key, c["status"], want, c))
            if want == "skipped":
                check(target[1] in c["reason"], "%s: skip reason: %s" % (step, c["reason"]))
        check(report["summary"]["failed"] >= 1 and report["summary"]["applied"] >= 1, step + ": summary")
        check("failed" in r.out and "Not converged" in r.out, step + ": text summary:\n%s" % r)
        apply_ok(emu, after)


def test_unreachable_cluster_nothing_applied(emu):
    reset(emu)
    path = write("unreachable.yaml", """version: 1
clusters:
  local:
    url: https://127.0.0.1:9
    auth: { username: elastic, password: x }
    timeout: 2s
roles:
  local:
    r: { cluster: [monitor] }
policy:
  prune: { remotes: none, roles: none, users: none }
""")
    r = esr(emu, "apply", "-f", path, "--auto-approve")
    expect(r, 1, "unreachable cluster")


def test_saved_plan(emu):
    reset(emu)
    path = desired("saved.yaml", OWNED)
    plan_file = os.path.join(TMP, "plan.json")
    expect(esr(emu, "plan", "-f", path, "--out", plan_file), 2, "plan --out")
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s", plan_file), 0, "fresh saved plan")
    check("Converged." in r.out, "saved plan apply not converged")
    # Stale: a change out of band after the plan was saved.
    changed = desired("saved2.yaml", OWNED.replace("[monitor]", "[monitor, manage]"))
    expect(esr(emu, "plan", "-f", changed, "--out", plan_file), 2, "plan --out (2)")
    emu.ok("PUT", "/_security/role/mine-role", {"cluster": ["all"], "metadata": {"managed_by": "esreconcile"}})
    clear_log(emu)
    r = expect(esr(emu, "apply", "-f", changed, "--auto-approve", plan_file), 1, "stale saved plan")
    check("plan is stale: the live state changed since the plan was made; run plan again" in r.err,
          "stale message:\n%s" % r)
    check(not writes_in_log(emu), "a stale plan wrote: %s" % writes_in_log(emu))
    # Stale too when the desired state changed since the plan was made.
    expect(esr(emu, "plan", "-f", changed, "--out", plan_file), 2, "plan --out (3)")
    clear_log(emu)
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", plan_file), 1, "desired state changed")
    check("plan is stale" in r.err and not writes_in_log(emu), "desired-state change not caught:\n%s" % r)


def test_max_deletes_guard(emu):
    reset(emu)
    many = "roles:\n  local:\n" + "".join("    r%d: { cluster: [monitor] }\n" % i for i in range(3))
    apply_ok(emu, desired("three.yaml", many))
    guarded = desired("guarded.yaml", "", extra_policy="  max_deletes: 2\n")
    clear_log(emu)
    r = expect(esr(emu, "apply", "-f", guarded, "--auto-approve"), 1, "over max_deletes")
    check("--allow-deletes" in r.err and "max_deletes" in r.err, "guard message:\n%s" % r)
    check(not writes_in_log(emu), "the guard let writes through")
    apply_ok(emu, guarded, "--allow-deletes")
    check(not any(n in roles(emu) for n in ("r0", "r1", "r2")), "not deleted with --allow-deletes")


def test_no_tty_refused(emu):
    reset(emu)
    path = desired("notty.yaml", OWNED)
    clear_log(emu)
    r = expect(esr(emu, "apply", "-f", path), 1, "no terminal")
    check("--auto-approve" in r.err, "refusal message:\n%s" % r)
    check(not writes_in_log(emu), "wrote without approval")


def run_on_tty(emu, args, answer):
    """Runs esreconcile with a terminal as stdin and stdout; answers the prompt."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([ESR] + args, env=env_for(emu), stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, text=False)
    os.close(slave)
    seen = b""
    while b"Only 'yes' will be accepted:" not in seen:
        ready, _, _ = select.select([master], [], [], 60)
        check(ready, "no prompt; saw: %r" % seen[-500:])
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.write(master, answer.encode() + b"\n")
    rest = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        rest += chunk
    rc = proc.wait(60)
    err = proc.stderr.read().decode()
    os.close(master)
    return rc, seen.decode(errors="replace"), rest.decode(errors="replace"), err


def test_tty_approval(emu):
    reset(emu)
    path = desired("tty.yaml", OWNED)
    rc, shown, rest, err = run_on_tty(emu, ["apply", "-f", path, "--wait", "0s"], "no")
    check(rc == 1, "declined apply exit %d: %s %s" % (rc, rest, err))
    check("mine-role" in shown and "Plan:" in shown, "the plan was not shown before the prompt: %r" % shown)
    check(not writes_in_log(emu), "wrote after 'no'")
    rc, shown, rest, err = run_on_tty(emu, ["apply", "-f", path, "--wait", "0s"], "yes")
    check(rc == 0 and "Converged." in rest, "approved apply exit %d: %s %s" % (rc, rest, err))
    check("mine-role" in roles(emu), "approved apply did not write")


def test_concurrent_applies(emu):
    for round_ in range(3):
        reset(emu)
        files = [desired("conc%d.yaml" % i, "remotes:\n  local:\n    alias_%d: { seeds: [\"127.0.0.1:93%02d\"] }\n"
                         % (i, i), prune="{ remotes: none, roles: none, users: none }") for i in (1, 2)]
        results = [None, None]

        def run(i):
            results[i] = esr(emu, "apply", "-f", files[i], "--auto-approve", "--wait", "0s")

        threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for res in results:
            expect(res, 0, "concurrent apply, round %d" % round_)
        ledger = settings(emu).get(LEDGER, "")
        check(sorted(ledger.split(",")) == ["alias_1", "alias_2"], "ledger lost an alias: %r" % ledger)


def test_secret_canary(emu):
    reset(emu)
    key = emu.ok("POST", "/_security/api_key", {"name": "canary"})
    api_key = key["encoded"]
    path = write("canary.yaml", """version: 1
clusters:
  local:
    url: ${ES_LOCAL_URL}
    auth: { api_key: "${CANARY_API_KEY}" }
    tls: { ca_file: "${ES_LOCAL_CA}" }
users:
  local:
    canary-user: { password: "${CANARY_PASSWORD}", roles: [], full_name: Canary }
policy:
  prune: { remotes: none, roles: none, users: none }
""")
    env = env_for(emu, {"CANARY_API_KEY": api_key, "CANARY_PASSWORD": CANARY_PASSWORD})
    secrets = [CANARY_PASSWORD, api_key, key["api_key"]]
    plan_file = os.path.join(TMP, "canary-plan.json")
    report = os.path.join(TMP, "canary-report.json")
    runs = []
    for flags in ([], ["-v"], ["-vv", "--log-format", "json"], ["-o", "json"]):
        emu.req("DELETE", "/_security/user/canary-user")
        runs.append(esr(emu, "validate", "-f", path, *flags, env=env))
        runs.append(esr(emu, "plan", "-f", path, *flags, env=env))
        runs.append(esr(emu, "plan", "-f", path, "--out", plan_file, *flags, env=env))
        runs.append(expect(esr(emu, "apply", "-f", path, "--auto-approve", "--report", report, *flags,
                               plan_file, env=env), 0, "canary apply with a saved plan"))
        # Password drift: the next apply changes the password again.
        emu.ok("POST", "/_security/user/canary-user/_password", {"password": "other-password"})
        runs.append(expect(esr(emu, "apply", "-f", path, "--auto-approve", "--report", report, *flags, env=env),
                           0, "canary apply"))
        for f in (plan_file, report):
            with open(f) as fh:
                text = fh.read()
            for s in secrets:
                check(s not in text, "a secret is in %s" % f)
    for res in runs:
        for s in secrets:
            check(s not in res.out and s not in res.err, "a secret leaked from:\n%s" % res)
    # The password really was set.
    st, _, _ = emu.req("GET", "/_security/_authenticate", auth=emu.basic("canary-user", CANARY_PASSWORD))
    check(st == 200, "canary password not set: %s" % st)


def main():
    global passed, failed
    if not os.access(ESR, os.X_OK):
        print("esreconcile binary not found at %s" % ESR)
        print("0 passed, 1 failed")
        return 1
    emus = {}
    try:
        emus["main"] = Emu(clusters=("local", "cluster_one"))
        emus["814"] = Emu(clusters=("local", "cluster_one"), args=("--version", "8.14.0"))
        emus["static"] = Emu(clusters=("local",), args=("--static-remote", "local:static=sniff:127.0.0.1:9397"))
        tests = [
            (test_examples_apply_from_empty, "main"),
            (test_examples_on_8_14, "814"),
            (test_mode_switch, "main"),
            (test_delete_by_absent, "main"),
            (test_prune_managed_spares_what_it_does_not_own, "main"),
            (test_prune_all_spares_reserved_and_static, "static"),
            (test_fault_at_each_step, "main"),
            (test_unreachable_cluster_nothing_applied, "main"),
            (test_saved_plan, "main"),
            (test_max_deletes_guard, "main"),
            (test_no_tty_refused, "main"),
            (test_tty_approval, "main"),
            (test_concurrent_applies, "main"),
            (test_secret_canary, "main"),
        ]
        only = sys.argv[1:]
        for fn, which in tests:
            if only and fn.__name__ not in only:
                continue
            try:
                fn(emus[which])
                passed += 1
                print("ok   %s" % fn.__name__)
            except Exception:
                failed += 1
                print("FAIL %s" % fn.__name__)
                traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    finally:
        for e in emus.values():
            e.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
