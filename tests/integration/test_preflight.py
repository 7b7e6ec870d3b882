#!/usr/bin/env python3
"""Integration test of the privilege preflight against the emulator.

An account that lacks a privilege the plan needs gets a plan problem naming
it, and apply sends no write to that cluster; an account holding exactly the
role that README documents converges every example; a superuser's plan has no
such problem; a no-op plan asks nothing.

Standard library only; tests/lib/esrtest.py starts the emulators.
Env: ESR_BIN (default ./esreconcile). Last line: "N passed, M failed".
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import EXAMPLES, ESR, ROOT, Emulator, Suite, connection_block, is_write  # noqa: E402

HAS_PRIVILEGES = "/_security/user/_has_privileges"
ACCOUNT = "esreconcile"
ACCOUNT_PASSWORD = "esreconcile-pw-1"

suite = Suite()
check = suite.check
EMU = {}


def readme_role():
    """The role README documents for the account, read from README itself."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    m = re.search(r"PUT /_security/role/esreconcile\n(\{.*\})\n", text)
    if not m:
        raise AssertionError("README.md documents no role for the account")
    return json.loads(m.group(1))


def reset(emu):
    for cid in emu.info:
        emu.control("DELETE", "/_emulator/faults", cluster=cid)
        emu.control("DELETE", "/_emulator/state", cluster=cid)
    emu.clear_requests()


def make_account(emu, role, clusters=None):
    for cid in clusters or emu.info:
        for method, path, body in (("PUT", "/_security/role/esreconcile-account", role),
                                   ("PUT", "/_security/user/" + ACCOUNT,
                                    {"password": ACCOUNT_PASSWORD, "roles": ["esreconcile-account"]})):
            status, data = emu.es(method, path, body, cluster=cid)
            if status >= 300:
                raise AssertionError("%s %s: %s %s" % (method, path, status, data))
    emu.clear_requests()


def as_account(emu, name, text):
    """The desired state text connecting as the account instead of elastic."""
    return emu.write(name, text.replace("username: elastic", "username: " + ACCOUNT))


def account_env(emu):
    return {"ES_%s_PASSWORD" % cid.upper().replace("-", "_"): ACCOUNT_PASSWORD for cid in emu.info}


def writes(emu, cluster):
    return [r for r in emu.requests(cluster) if is_write(r)]


def cluster_problems(plan_json, cluster):
    return [c for c in plan_json["clusters"][cluster]["changes"] if c["kind"] == "cluster"]


def test_missing_settings_privilege_blocks_the_cluster():
    emu = EMU["main"]
    reset(emu)
    make_account(emu, {"cluster": ["manage_security", "monitor"]})
    path = as_account(emu, "remote-and-role.yaml", "version: 1\n" + connection_block(["local"]) + """
remotes:
  local:
    far: { seeds: ["127.0.0.1:9399"] }
roles:
  local:
    reader: { cluster: [monitor] }
""")
    r = emu.run("plan", "-f", path, "-o", "json", env=account_env(emu))
    check(r.rc == 1, "plan must exit 1 on a privilege problem: %r" % r)
    problems = cluster_problems(r.json, "local")
    check([p["name"] for p in problems] == ["cluster:admin/settings/update"], "problems: %s" % problems)
    p = problems[0]
    check(p["action"] == "problem" and p.get("blocks_cluster") is True, "not blocking: %s" % p)
    check("account [%s]" % ACCOUNT in p["problem"] and "PUT /_cluster/settings" in p["problem"],
          "the problem must name the account and the request: %s" % p["problem"])
    text = emu.run("plan", "-f", path, env=account_env(emu))
    check("cluster:admin/settings/update" in text.stdout, "text plan: %r" % text)
    emu.clear_requests()
    a = emu.run("apply", "-f", path, "--auto-approve", "--wait", "0s", env=account_env(emu), stdin="")
    check(a.rc == 1, "apply must apply nothing (exit 1): %r" % a)
    check(writes(emu, "local") == [], "apply wrote to a blocked cluster: %s" % writes(emu, "local"))
    status, data = emu.es("GET", "/_security/role/reader")
    check(status == 404, "the role must not have been written (no partial apply): %s" % data)


def test_documented_role_converges_every_example():
    emu = EMU["main"]
    role = readme_role()
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yaml"):
            continue
        reset(emu)
        make_account(emu, role)
        with open(os.path.join(EXAMPLES, name)) as f:
            path = as_account(emu, name, f.read())
        env = account_env(emu)
        v = emu.run("validate", "-f", path, env=env)
        check(v.rc == 0, "%s: validate: %r" % (name, v))
        p = emu.run("plan", "-f", path, "-o", "json", env=env)
        check(p.rc == 2, "%s: plan: %r" % (name, p))
        for cid in p.json["clusters"]:
            check(cluster_problems(p.json, cid) == [], "%s: %s: %s" % (name, cid, cluster_problems(p.json, cid)))
        a = emu.run("apply", "-f", path, "--auto-approve", "--wait", "1s", env=env, stdin="")
        check(a.rc == 0 and "Converged." in a.stdout, "%s: apply as the account: %r" % (name, a))
        again = emu.run("plan", "-f", path, env=env)
        check(again.rc == 0, "%s: the next plan is empty: %r" % (name, again))


def test_superuser_plan_has_no_privilege_problem():
    emu = EMU["main"]
    reset(emu)
    path = os.path.join(EXAMPLES, "04-ccr-roles-users.yaml")
    r = emu.run("plan", "-f", path, "-o", "json")
    check(r.rc == 2, "plan: %r" % r)
    for cid in r.json["clusters"]:
        check(cluster_problems(r.json, cid) == [], "%s: %s" % (cid, cluster_problems(r.json, cid)))
        asked = [q for q in emu.requests(cid) if q["path"] == HAS_PRIVILEGES]
        check(len(asked) == 1, "%s: one _has_privileges per cluster with changes: %s" % (cid, asked))


def test_noop_plan_asks_nothing():
    emu = EMU["main"]
    reset(emu)
    path = os.path.join(EXAMPLES, "01-add-remotes.yaml")
    a = emu.run("apply", "-f", path, "--auto-approve", "--wait", "0s", stdin="")
    check(a.rc in (0, 3), "apply: %r" % a)
    emu.clear_requests()
    r = emu.run("plan", "-f", path)
    check(r.rc == 0, "plan after apply must be empty: %r" % r)
    asked = [q for q in emu.requests("local") if q["path"] == HAS_PRIVILEGES]
    check(asked == [], "a no-op plan asked about privileges: %s" % asked)


TESTS = [
    test_missing_settings_privilege_blocks_the_cluster,
    test_documented_role_converges_every_example,
    test_superuser_plan_has_no_privilege_problem,
    test_noop_plan_asks_nothing,
]


def main():
    if not os.access(ESR, os.X_OK):
        print("esreconcile binary not found at %s" % ESR)
        print("0 passed, 1 failed")
        sys.exit(1)
    try:
        EMU["main"] = Emulator(["local", "cluster_one"])
        for fn in TESTS:
            suite.test(fn)
    finally:
        for emu in EMU.values():
            emu.stop()
    suite.finish()


if __name__ == "__main__":
    main()
