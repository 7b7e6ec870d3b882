#!/usr/bin/env python3
"""Integration test of `esreconcile apply` against the emulator.

Every example applies from empty clusters and the next plan is empty; a
role's hand-added description, remote_indices and remote_cluster converge on
8.15 and 8.14; users declared with password hashes log in; mode switches; deletion by `absent` and by pruning (ownership respected, reserved
objects and static remotes spared); a fault at each write step gives a correct
report and exit 3, and a re-run converges; saved plans (fresh and stale); the
deletion guard; the no-terminal refusal; two concurrent applies on one
cluster; and secret canaries that must never reach any output.

Standard library only; tests/lib/esrtest.py starts the emulators.
Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import base64
import hashlib
import json
import os
import pty
import select
import shutil
import stat
import subprocess
import sys
import threading

import bcrypt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import EXAMPLES, ESR, REAL, Emulator, Suite, connection_block, expect, is_write  # noqa: E402

LEDGER = "cluster.metadata.esreconcile.remotes"
CANARY_PASSWORD = "canary-pw-Vq83Lz0"

suite = Suite()
check = suite.check


def esr(emu, *args, env=None):
    """Runs esreconcile with an empty stdin (never a terminal)."""
    return emu.run(*args, env=env, stdin="")


CONNECTION = "version: 1\n" + connection_block(["local"])


def desired(emu, name, body, prune="{ remotes: managed, roles: managed, users: managed }", extra_policy=""):
    return emu.write(name, CONNECTION + body + "policy:\n  prune: %s\n%s" % (prune, extra_policy))


def ok(emu, method, path, body=None, cluster="local"):
    status, data = emu.es(method, path, body, cluster=cluster)
    if status >= 300:
        raise AssertionError("%s %s -> %s %s" % (method, path, status, data))
    return data


def settings(emu, cluster="local"):
    return ok(emu, "GET", "/_cluster/settings?flat_settings=true", cluster=cluster)["persistent"]


def writes_in_log(emu, cluster="local"):
    return [(r["method"], r["path"]) for r in emu.requests(cluster) if is_write(r)]


def reset(emu):
    emu.reset()


def roles(emu, cluster="local"):
    return ok(emu, "GET", "/_security/role", cluster=cluster)


def users(emu, cluster="local"):
    return ok(emu, "GET", "/_security/user", cluster=cluster)


def apply_ok(emu, path, *extra):
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s", *extra), 0, "apply " + path)
    check("Converged." in r.stdout, "no 'Converged.' in:\n%r" % r)
    expect(esr(emu, "plan", "-f", path), 0, "plan after apply of " + path)
    return r


# Emulators shared by the tests, started on first use, so that one a real
# cluster cannot stand for skips its tests, not the script: "main" (local,
# cluster_one), "814" (the same on 8.14.0), "static" (local with a remote in
# elasticsearch.yml), and "local" for the tests that touch local only ("main"
# on the emulator; ES_URL's cluster when it is set).
SHARED = {
    "main": (["local", "cluster_one"], []),
    "814": (["local", "cluster_one"], ["--version", "8.14.0"]),
    "static": (["local"], ["--static-remote", "local:static=sniff:127.0.0.1:9397"]),
    "local": (["local"], []),
}
EMU = {}


def shared(key):
    if key == "local" and not REAL:
        key = "main"
    if key not in EMU:
        EMU[key] = Emulator(*SHARED[key])
    return EMU[key]


# ---------------------------------------------------------------------------

def test_examples_apply_from_empty():
    emu = shared("main")
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yaml"):
            continue
        reset(emu)
        path = os.path.join(EXAMPLES, name)
        r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s",
                       "--report", os.path.join(emu.dir, "report.json")), 0, name)
        check("Converged." in r.stdout, "%s: not converged:\n%r" % (name, r))
        with open(os.path.join(emu.dir, "report.json")) as f:
            report = json.load(f)
        check(report["converged"] is True, name + ": report not converged")
        for cid, c in report["clusters"].items():
            for ch in c["changes"]:
                check(ch["status"] == "applied", "%s: %s not applied: %s" % (name, ch["name"], ch))
        expect(esr(emu, "plan", "-f", path), 0, name + ": the next plan is empty")
        # A second apply has nothing to do.
        r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s"), 0, name + " again")
        check("0 applied" in r.stdout, name + ": second apply changed something:\n%r" % r)


def test_dot_names_reach_their_own_endpoints():
    """Users and roles named "." and "..": their requests must not lose the
    name to dot-segment removal (POST /_security/user/./_password would change
    the password of the account esreconcile connects as)."""
    for key in ("local", "814"):
        emu = shared(key)
        reset(emu)
        body = """roles:
  local:
    ".": { cluster: [monitor] }
    "..": { cluster: [monitor] }
users:
  local:
    ".": { password: dot-password-1, roles: ["."] }
    "..": { password: dotdot-password-1, roles: [".."] }
"""
        path = desired(emu, "dots.yaml", body)
        expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "0s"), 0, key + ": dots")
        check(set(users(emu)) >= {".", ".."}, key + ": users: %s" % sorted(users(emu)))
        check(set(roles(emu)) >= {".", ".."}, key + ": roles: %s" % sorted(roles(emu)))
        # the password of "." drifts: the fix must reach "." and nobody else
        ok(emu, "POST", "/_security/user/%2E/_password", {"password": "changed-by-hand"})
        emu.clear_requests()
        r = expect(esr(emu, "plan", "-f", path, "-o", "json"), 2, key + ": drifted password")
        paths = [q["path"] for q in r.json["clusters"]["local"]["requests"]]
        check(paths == ["/_security/user/%2E/_password"], key + ": planned paths %s" % paths)
        expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "0s"), 0, key + ": password fixed")
        status, _ = emu.es("GET", "/_security/_authenticate", auth=(".", "dot-password-1"))
        check(status == 200, key + ": user [.] has its declared password again")
        status, _ = emu.es("GET", "/_security/_authenticate")
        check(status == 200, key + ": the account esreconcile connects as keeps its password")
        expect(esr(emu, "plan", "-f", path), 0, key + ": converged")


def test_report_file_is_private_and_replaces_a_symlink():
    """--report is written like plan --out: a new 0600 file renamed over the
    target; a symlink planted there is replaced, its target left alone."""
    emu = shared("local")
    reset(emu)
    victim = os.path.join(emu.dir, "victim.txt")
    with open(victim, "w") as f:
        f.write("do not touch\n")
    report = os.path.join(emu.dir, "planted-report.json")
    if os.path.lexists(report):
        os.unlink(report)
    os.symlink(victim, report)
    r = esr(emu, "apply", "-f", os.path.join(EXAMPLES, "01-add-remotes.yaml"), "--auto-approve", "--wait", "0s",
            "--report", report)
    check(r.rc in (0, 3), repr(r))
    with open(victim) as f:
        check(f.read() == "do not touch\n", "the symlink's target was written")
    check(not os.path.islink(report), "the report replaced the symlink")
    check(stat.S_IMODE(os.stat(report).st_mode) == 0o600, "mode %o" % stat.S_IMODE(os.stat(report).st_mode))
    with open(report) as f:
        check(json.load(f)["format_version"] == "1", "a whole report")


def test_saved_plan_must_be_a_file():
    """A FIFO with no writer given as the saved plan is refused at once, before any request;
    so is a saved plan that is not one."""
    emu = shared("local")
    reset(emu)
    fifo = os.path.join(emu.dir, "plan.fifo")
    os.mkfifo(fifo)
    r = emu.run("apply", "-f", os.path.join(EXAMPLES, "01-add-remotes.yaml"), "--auto-approve", fifo,
                stdin="", timeout=20)
    expect(r, 1, "a FIFO as the saved plan")
    check("not a regular file" in r.stderr, "the error says why: %r" % r)
    check(not emu.requests(), "nothing asked: %s" % emu.requests())
    garbage = os.path.join(emu.dir, "not-a-plan.json")
    with open(garbage, "w") as f:
        f.write("{ this is not JSON\n")
    # a long second file: the first file's cluster would be read while it loads
    desired = os.path.join(emu.dir, "saved-plan-state")
    os.makedirs(desired, exist_ok=True)
    shutil.copy(os.path.join(EXAMPLES, "01-add-remotes.yaml"), os.path.join(desired, "10-example.yaml"))
    with open(os.path.join(desired, "20-roles.yaml"), "w") as f:
        f.write("version: 1\nroles:\n  local:\n" +
                "".join("    role-%d: { cluster: [monitor] }\n" % i for i in range(20000)))
    r = emu.run("apply", "-f", desired, "--auto-approve", garbage, stdin="", timeout=20)
    expect(r, 1, "a saved plan that is not JSON")
    check("not-a-plan.json" in r.stderr, "the error names the file: %r" % r)
    check(not emu.requests(), "nothing asked: %s" % emu.requests())


def test_examples_on_8_14():
    emu814 = shared("814")
    for name in ("04-ccr-roles-users.yaml", "07-full-setup.yaml"):
        reset(emu814)
        path = os.path.join(EXAMPLES, name)
        apply_ok(emu814, path)
        posts = [r for r in emu814.requests() if r["method"] == "POST" and r["path"] == "/_security/role"]
        check(not posts, "8.14 got a bulk role write")


def hand_added_role_fields_converge(emu):
    """A description, remote_indices or remote_cluster added by hand to a
    managed role and not declared is drift: apply removes it (a bulk POST on
    8.15+, whose upsert document carries the three empty; a PUT on 8.14, which
    replaces the role) and the next plan is empty. 8.14 knows remote_indices
    only."""
    number = ok(emu, "GET", "/")["version"]["number"]
    bulk = tuple(int(x) for x in number.split("-")[0].split(".")[:2]) >= (8, 15)
    extra = {"remote_indices": [{"names": ["traces-*"], "privileges": ["read"], "clusters": ["cluster_one"]}]}
    if bulk:
        extra["description"] = "added by hand"
        extra["remote_cluster"] = [{"privileges": ["monitor_enrich"], "clusters": ["cluster_one"]}]
    write = ("POST", "/_security/role") if bulk else ("PUT", "/_security/role/ccs-role")
    reset(emu)
    path = desired(emu, "ccs.yaml", """roles:
  local:
    ccs-role:
      cluster: [monitor]
      indices: [{ names: [logs-*], privileges: [read] }]
""")
    apply_ok(emu, path)
    role = roles(emu)["ccs-role"]
    role.pop("transient_metadata")
    role.update(extra)
    ok(emu, "PUT", "/_security/role/ccs-role", role)
    r = expect(esr(emu, "plan", "-f", path, "-o", "json"), 2, number + ": hand-added fields are drift")
    changes = r.json["clusters"]["local"]["changes"]
    fields = sorted(f["path"] for f in changes[0]["fields"])
    check(len(changes) == 1 and fields == sorted(extra), "%s: the drift is %s: %s" % (number, sorted(extra), changes))
    if not REAL:  # the request log is the emulator's
        emu.clear_requests()
    apply_ok(emu, path)
    if not REAL:
        check(writes_in_log(emu) == [write], "%s: one %s %s: %s" % (number, write[0], write[1], writes_in_log(emu)))
    left = roles(emu)["ccs-role"]
    check(not any(left.get(k) for k in extra), "%s: the hand-added fields are gone: %s" % (number, left))


def test_hand_added_role_fields_converge():
    hand_added_role_fields_converge(shared("local"))


def test_hand_added_role_fields_converge_on_8_14():
    hand_added_role_fields_converge(shared("814"))


def test_password_hash_user_logs_in():
    """Users declared with a bcrypt ($2b$ from python3-bcrypt, $2a$ and $2y$
    spellings of it) or a PBKDF2 hash are created by apply, log in with the
    password, and the next plan is empty."""
    emu = shared("local")
    reset(emu)
    password = b"hash-password-1"
    b2b = bcrypt.hashpw(password, bcrypt.gensalt(4)).decode()
    salt = b"esreconcile-salt"
    pbkdf2 = "{PBKDF2}1000$%s$%s" % (base64.b64encode(salt).decode(), base64.b64encode(
        hashlib.pbkdf2_hmac("sha512", password, salt, 1000, 32)).decode())
    hashes = {"bcrypt-2b": b2b, "bcrypt-2a": "$2a$" + b2b[4:], "bcrypt-2y": "$2y$" + b2b[4:],
              "pbkdf2": pbkdf2}
    path = desired(emu, "hashes.yaml", "users:\n  local:\n" + "".join(
        "    %s: { password_hash: \"%s\", roles: [] }\n" % (name, h) for name, h in hashes.items()))
    expect(esr(emu, "validate", "-f", path), 0, "the hashes are valid")
    r = apply_ok(emu, path)
    for name, h in hashes.items():
        check(h not in r.stdout + r.stderr, "%s: the hash is never printed" % name)
        status, body = emu.es("GET", "/_security/_authenticate", auth=(name, password.decode()))
        check(status == 200 and body["username"] == name, "%s logs in with the password: %s %s"
              % (name, status, body))
        status, _ = emu.es("GET", "/_security/_authenticate", auth=(name, "another-password"))
        check(status == 401, "%s: another password is refused: %s" % (name, status))


def test_mode_switch():
    emu = shared("local")
    reset(emu)
    sniff = desired(emu, "sniff.yaml", """remotes:
  local:
    far: { mode: sniff, seeds: ["127.0.0.1:9399"], skip_unavailable: true, node_connections: 2 }
""")
    proxy = desired(emu, "proxy.yaml", """remotes:
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
    puts = [r for r in emu.requests() if r["method"] == "PUT" and r["path"] == "/_cluster/settings"]
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
    ok(emu, "PUT", "/_cluster/settings", {"persistent": {"cluster.remote.handmade.seeds": ["127.0.0.1:9391"]}})
    ok(emu, "PUT", "/_security/role/handmade-role", {"cluster": ["monitor"]})
    ok(emu, "PUT", "/_security/user/handmade-user", {"password": "handmade-pw", "roles": ["handmade-role"]})


def test_delete_by_absent():
    emu = shared("local")
    reset(emu)
    apply_ok(emu, desired(emu, "owned.yaml", OWNED))
    absent = desired(emu, "absent.yaml", """remotes:
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


def test_prune_managed_spares_what_it_does_not_own():
    emu = shared("local")
    reset(emu)
    seed_foreign(emu)
    apply_ok(emu, desired(emu, "owned.yaml", OWNED))
    empty = desired(emu, "empty.yaml", "")
    apply_ok(emu, empty)
    s = settings(emu)
    check("cluster.remote.mine.seeds" not in s, "owned remote not pruned: %s" % s)
    check(s.get("cluster.remote.handmade.seeds") == ["127.0.0.1:9391"], "foreign remote touched: %s" % s)
    r, u = roles(emu), users(emu)
    check("mine-role" not in r and "mine-user" not in u, "owned role/user not pruned")
    check("handmade-role" in r and "handmade-user" in u, "foreign role/user pruned")
    check("superuser" in r and "elastic" in u and "kibana_system" in u, "reserved objects touched")


def test_prune_all_spares_reserved_and_static():
    emu = shared("static")
    reset(emu)
    seed_foreign(emu)
    apply_ok(emu, desired(emu, "owned.yaml", OWNED))
    everything = desired(emu, "all.yaml", "", prune="{ remotes: all, roles: all, users: all }",
                         extra_policy="  max_deletes: 100\n")
    r = expect(esr(emu, "apply", "-f", everything, "--auto-approve", "--wait", "1s"), 0, "prune all")
    s = settings(emu)
    check(not any(k.startswith("cluster.remote.") for k in s), "a dynamic remote survived: %s" % s)
    ro, us = roles(emu), users(emu)
    check("handmade-role" not in ro and "mine-role" not in ro, "roles not pruned")
    check("handmade-user" not in us and "mine-user" not in us, "users not pruned")
    check("superuser" in ro and "elastic" in us and "kibana_system" in us, "reserved pruned")
    deletes = [p for m, p in writes_in_log(emu) if m in ("PUT", "DELETE")]
    check(not any("static" in json.dumps(x) for x in emu.requests() if is_write(x)),
          "a write named the static remote: %s" % deletes)
    expect(esr(emu, "plan", "-f", everything), 0, "plan after prune all")
    check("static" in ok(emu, "GET", "/_remote/info"), "static remote gone")


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


def test_fault_at_each_step():
    emu = shared("local")
    before = desired(emu, "before.yaml", BEFORE)
    after = desired(emu, "after.yaml", AFTER)
    report_path = os.path.join(emu.dir, "fault-report.json")
    for step, rule, target, others in FAULTS:
        reset(emu)
        apply_ok(emu, before)
        fault = dict(rule, action="status", status=400, count=-1,
                     body={"error": {"type": "emulated_fault_exception", "reason": "fault at " + step},
                           "status": 400})
        if rule.get("method") == "*":
            fault.pop("method")
        emu.control("POST", "/_emulator/faults", fault)
        r = esr(emu, "apply", "-f", after, "--auto-approve", "--wait", "1s", "--report", report_path)
        emu.control("DELETE", "/_emulator/faults")
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
        check("failed" in r.stdout and "Not converged" in r.stdout, step + ": text summary:\n%r" % r)
        apply_ok(emu, after)


def test_unreachable_cluster_nothing_applied():
    emu = shared("local")
    reset(emu)
    path = emu.write("unreachable.yaml", """version: 1
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


def test_saved_plan():
    emu = shared("local")
    reset(emu)
    path = desired(emu, "saved.yaml", OWNED)
    plan_file = os.path.join(emu.dir, "plan.json")
    expect(esr(emu, "plan", "-f", path, "--out", plan_file), 2, "plan --out")
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", "--wait", "1s", plan_file), 0, "fresh saved plan")
    check("Converged." in r.stdout, "saved plan apply not converged")
    # Stale: a change out of band after the plan was saved.
    changed = desired(emu, "saved2.yaml", OWNED.replace("[monitor]", "[monitor, manage]"))
    expect(esr(emu, "plan", "-f", changed, "--out", plan_file), 2, "plan --out (2)")
    ok(emu, "PUT", "/_security/role/mine-role", {"cluster": ["all"], "metadata": {"managed_by": "esreconcile"}})
    emu.clear_requests()
    r = expect(esr(emu, "apply", "-f", changed, "--auto-approve", plan_file), 1, "stale saved plan")
    check("plan is stale: the live state changed since the plan was made; run plan again" in r.stderr,
          "stale message:\n%r" % r)
    check(not writes_in_log(emu), "a stale plan wrote: %s" % writes_in_log(emu))
    # Stale too when the desired state changed since the plan was made.
    expect(esr(emu, "plan", "-f", changed, "--out", plan_file), 2, "plan --out (3)")
    emu.clear_requests()
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve", plan_file), 1, "desired state changed")
    check("plan is stale: the desired state (-f files) plans other changes" in r.stderr and not writes_in_log(emu),
          "desired-state change not caught:\n%r" % r)


def test_max_deletes_guard():
    emu = shared("local")
    reset(emu)
    many = "roles:\n  local:\n" + "".join("    r%d: { cluster: [monitor] }\n" % i for i in range(3))
    apply_ok(emu, desired(emu, "three.yaml", many))
    guarded = desired(emu, "guarded.yaml", "", extra_policy="  max_deletes: 2\n")
    emu.clear_requests()
    r = expect(esr(emu, "apply", "-f", guarded, "--auto-approve"), 1, "over max_deletes")
    check("--allow-deletes" in r.stderr and "max_deletes" in r.stderr, "guard message:\n%r" % r)
    check(not writes_in_log(emu), "the guard let writes through")
    apply_ok(emu, guarded, "--allow-deletes")
    check(not any(n in roles(emu) for n in ("r0", "r1", "r2")), "not deleted with --allow-deletes")


def test_no_tty_refused():
    emu = shared("local")
    reset(emu)
    path = desired(emu, "notty.yaml", OWNED)
    emu.clear_requests()
    r = expect(esr(emu, "apply", "-f", path), 1, "no terminal")
    check("--auto-approve" in r.stderr, "refusal message:\n%r" % r)
    check(not writes_in_log(emu), "wrote without approval")


def run_on_tty(emu, args, answer):
    """Runs esreconcile with a terminal as stdin and stdout; answers the prompt."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([ESR] + args, env=emu.env(), stdin=slave, stdout=slave,
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


def test_tty_approval():
    emu = shared("local")
    reset(emu)
    path = desired(emu, "tty.yaml", OWNED)
    rc, shown, rest, err = run_on_tty(emu, ["apply", "-f", path, "--wait", "0s"], "no")
    check(rc == 1, "declined apply exit %d: %s %s" % (rc, rest, err))
    check("mine-role" in shown and "Plan:" in shown, "the plan was not shown before the prompt: %r" % shown)
    check(not writes_in_log(emu), "wrote after 'no'")
    rc, shown, rest, err = run_on_tty(emu, ["apply", "-f", path, "--wait", "0s"], "yes")
    check(rc == 0 and "Converged." in rest, "approved apply exit %d: %s %s" % (rc, rest, err))
    check("mine-role" in roles(emu), "approved apply did not write")


def test_concurrent_applies():
    emu = shared("local")
    for round_ in range(3):
        reset(emu)
        files = [desired(emu, "conc%d.yaml" % i, "remotes:\n  local:\n    alias_%d: { seeds: [\"127.0.0.1:93%02d\"] }\n"
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


def test_secret_canary():
    emu = shared("local")
    reset(emu)
    key = ok(emu, "POST", "/_security/api_key", {"name": "canary"})
    api_key = key["encoded"]
    path = emu.write("canary.yaml", """version: 1
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
    env = {"CANARY_API_KEY": api_key, "CANARY_PASSWORD": CANARY_PASSWORD}
    secrets = [CANARY_PASSWORD, api_key, key["api_key"]]
    plan_file = os.path.join(emu.dir, "canary-plan.json")
    report = os.path.join(emu.dir, "canary-report.json")
    runs = []
    for flags in ([], ["-v"], ["-vv", "--log-format", "json"], ["-o", "json"]):
        emu.es("DELETE", "/_security/user/canary-user")
        runs.append(esr(emu, "validate", "-f", path, *flags, env=env))
        runs.append(esr(emu, "plan", "-f", path, *flags, env=env))
        runs.append(esr(emu, "plan", "-f", path, "--out", plan_file, *flags, env=env))
        runs.append(expect(esr(emu, "apply", "-f", path, "--auto-approve", "--report", report, *flags,
                               plan_file, env=env), 0, "canary apply with a saved plan"))
        # Password drift: the next apply changes the password again.
        ok(emu, "POST", "/_security/user/canary-user/_password", {"password": "other-password"})
        runs.append(expect(esr(emu, "apply", "-f", path, "--auto-approve", "--report", report, *flags, env=env),
                           0, "canary apply"))
        for f in (plan_file, report):
            with open(f) as fh:
                text = fh.read()
            for s in secrets:
                check(s not in text, "a secret is in %s" % f)
    for res in runs:
        for s in secrets:
            check(s not in res.stdout and s not in res.stderr, "a secret leaked from:\n%r" % res)
    # The password really was set.
    st, _ = emu.es("GET", "/_security/_authenticate", auth=("canary-user", CANARY_PASSWORD))
    check(st == 200, "canary password not set: %s" % st)


TESTS = [
    test_examples_apply_from_empty,
    test_dot_names_reach_their_own_endpoints,
    test_saved_plan_must_be_a_file,
    test_report_file_is_private_and_replaces_a_symlink,
    test_examples_on_8_14,
    test_hand_added_role_fields_converge,
    test_hand_added_role_fields_converge_on_8_14,
    test_password_hash_user_logs_in,
    test_mode_switch,
    test_delete_by_absent,
    test_prune_managed_spares_what_it_does_not_own,
    test_prune_all_spares_reserved_and_static,
    test_fault_at_each_step,
    test_unreachable_cluster_nothing_applied,
    test_saved_plan,
    test_max_deletes_guard,
    test_no_tty_refused,
    test_tty_approval,
    test_concurrent_applies,
    test_secret_canary,
]


def main():
    if not os.access(ESR, os.X_OK):
        print("esreconcile binary not found at %s" % ESR)
        print("0 passed, 1 failed")
        sys.exit(1)
    try:
        for fn in TESTS:
            suite.test(fn)
    finally:
        for emu in EMU.values():
            emu.stop()
    suite.finish()


if __name__ == "__main__":
    main()
