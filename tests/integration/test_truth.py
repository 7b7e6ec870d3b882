#!/usr/bin/env python3
"""Integration test: the tool is right where real clusters differ from a naive
emulator (docs/elasticsearch.md has the facts and their source classes).

A remote whose address comes up after the settings PUT is seen connected by
the next run (_resolve/cluster retries it; _remote/info would not); a remote
that refuses our user is reported as such; a settings PUT that waits for
unreachable remotes does not fail on the client's timeout; a role with
document-level security is a plan-time problem on a basic licence and applies
after a trial starts; replication privileges on a basic licence warn; versions
that cannot talk, and a replication leader newer than its follower, are
problems before anything is written.

Standard library only; tests/lib/esrtest.py starts the emulators.
Env: ESR_BIN (default ./esreconcile). Last line: "N passed, M failed".
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, Emulator, Forwarder, Silent, Suite, connection_block, free_port  # noqa: E402

suite = Suite()
check = suite.check
EMU = {}


def reset(emu):
    for cid in emu.info:
        emu.control("DELETE", "/_emulator/faults", cluster=cid)
        emu.control("DELETE", "/_emulator/state", cluster=cid)
    emu.clear_requests()


def transport_port(emu, cluster):
    return int(emu.info[cluster]["transport_address"].rsplit(":", 1)[1])


def desired(emu, name, body, clusters=("local",), timeout=None):
    head = "version: 1\n" + connection_block(list(clusters))
    if timeout:
        head = head.replace("    tls:", "    timeout: %s\n    tls:" % timeout)
    return emu.write(name, head + body)


def warnings(plan_json, cluster="local"):
    return plan_json["clusters"][cluster]["warnings"]


def problems(plan_json, cluster="local"):
    return [c for c in plan_json["clusters"][cluster]["changes"] if c["action"] == "problem"]


def remote_up_later_is_seen_connected_by_the_next_run():
    emu = EMU["two"]
    reset(emu)
    port = free_port()
    path = desired(emu, "later.yaml", """remotes:
  local:
    later: { mode: proxy, proxy_address: "127.0.0.1:%d" }
""" % port)
    report = os.path.join(emu.dir, "later-report.json")
    r = emu.run("apply", "-f", path, "--auto-approve", "--wait", "1s", "--report", report, stdin="")
    check(r.rc == 0, "the settings are stored, the remote just does not answer yet: %r" % r)
    p = emu.run("plan", "-f", path, "-o", "json")
    check(p.rc == 0 and "remote [later] is not connected" in warnings(p.json), "before: %r" % p)
    fwd = Forwarder(port, transport_port(emu, "cluster_one"))
    try:
        p = emu.run("plan", "-f", path, "-o", "json")
        check(p.rc == 0 and not any("later" in w for w in warnings(p.json)),
              "the next run sees it connected: %r" % p)
        status, info = emu.es("GET", "/_remote/info")
        check(info["later"]["connected"] is True, "the plan's read made the cluster retry it: %s" % info)
    finally:
        fwd.close()


def remote_that_refuses_our_user_is_reported():
    emu = EMU["two"]
    reset(emu)
    # an account whose role the far side does not know: with certificates, the remote
    # resolves the local user's role names against its own roles
    for method, path, body in (("PUT", "/_security/role/reconciler", {"cluster": ["all"]}),
                               ("PUT", "/_security/user/reconciler",
                                {"password": "reconciler-pw", "roles": ["reconciler"]})):
        status, data = emu.es(method, path, body)
        check(status < 300, "%s %s: %s" % (method, path, data))
    path = desired(emu, "refused.yaml", """remotes:
  local:
    one: { seeds: ["%s"] }
""" % emu.info["cluster_one"]["transport_address"])
    with open(path) as f:
        text = f.read().replace("username: elastic", "username: reconciler")
    path = emu.write("refused.yaml", text)
    env = {"ES_LOCAL_PASSWORD": "reconciler-pw"}
    emu.run("apply", "-f", path, "--auto-approve", "--wait", "0s", env=env, stdin="")
    p = emu.run("plan", "-f", path, "-o", "json", env=env)
    said = [w for w in warnings(p.json) if w.startswith("remote [one]")]
    check(said and "refuses esreconcile's account" in said[0] and "unauthorized" in said[0],
          "the refusal is reported with Elasticsearch's reason: %r" % p)


def settings_put_waiting_for_unreachable_remotes_does_not_time_out():
    emu = EMU["slow"]
    reset(emu)
    silent = [Silent(), Silent()]
    try:
        path = desired(emu, "silent.yaml", """remotes:
  local:
    s1: { seeds: ["127.0.0.1:%d"] }
    s2: { seeds: ["127.0.0.1:%d"] }
""" % (silent[0].port, silent[1].port), timeout="3s")
        t0 = time.time()
        r = emu.run("apply", "-f", path, "--auto-approve", "--wait", "0s", stdin="", timeout=120)
        took = time.time() - t0
        check(r.rc == 0, "the PUT waits ~2 x 2 s for the silent remotes, longer than the 3 s "
              "timeout, and must not fail: %r" % r)
        check(took >= 3.5, "the emulator did wait for both remotes (%.1f s)" % took)
    finally:
        for s in silent:
            s.close()


def dls_role_on_basic_is_a_plan_problem_and_applies_after_a_trial():
    emu = EMU["two"]
    reset(emu)
    path = desired(emu, "dls.yaml", """roles:
  local:
    dls-reader:
      indices:
        - names: [logs-*]
          privileges: [read]
          query: '{"term": {"team": "a"}}'
""")
    p = emu.run("plan", "-f", path, "-o", "json")
    found = problems(p.json)
    check(p.rc == 1 and [c["name"] for c in found] == ["dls-reader"] and "licence" in found[0]["problem"],
          "a plan-time problem, not a 403 at apply time: %r" % p)
    emu.clear_requests()
    a = emu.run("apply", "-f", path, "--auto-approve", stdin="")
    check(a.rc == 1, "nothing applied while the licence forbids it: %r" % a)
    status, data = emu.es("POST", "/_license/start_trial?acknowledge=true")
    check(status == 200, "start_trial: %s" % data)
    p = emu.run("plan", "-f", path, "-o", "json")
    check(p.rc == 2 and not problems(p.json), "on a trial the role is planned: %r" % p)
    a = emu.run("apply", "-f", path, "--auto-approve", stdin="")
    check(a.rc == 0 and "Converged." in a.stdout, repr(a))


def replication_privileges_on_basic_warn():
    emu = EMU["two"]
    reset(emu)
    path = desired(emu, "ccr.yaml", """roles:
  local:
    follower: { cluster: [manage_ccr] }
""")
    p = emu.run("plan", "-f", path, "-o", "json")
    check(p.rc == 2 and any("replication" in w and "basic" in w for w in warnings(p.json)), repr(p))


def versions_that_cannot_talk_are_a_problem_before_any_write():
    emu = EMU["mixed"]
    reset(emu)
    body = """remotes:
  local:
    far: { seeds: ["%s"] }
""" % emu.info["cluster_one"]["transport_address"]
    path = desired(emu, "mixed.yaml", body)
    # the remote is stored first, so that _resolve/cluster reports its version
    emu.es("PUT", "/_cluster/settings",
           {"persistent": {"cluster.remote.far.seeds": [emu.info["cluster_one"]["transport_address"]]}})
    p = emu.run("plan", "-f", path, "-o", "json")
    found = [c for c in problems(p.json) if c["name"] == "far"]
    check(p.rc == 1 and found and "not compatible" in found[0]["problem"], repr(p))


def replication_leader_newer_than_follower_is_a_problem():
    emu = EMU["leader"]
    reset(emu)
    emu.es("PUT", "/_cluster/settings",
           {"persistent": {"cluster.remote.leader.seeds": [emu.info["cluster_one"]["transport_address"]]}})
    path = desired(emu, "follow.yaml", """remotes:
  local:
    leader: { seeds: ["%s"] }
roles:
  local:
    follower: { cluster: [manage_ccr] }
""" % emu.info["cluster_one"]["transport_address"])
    p = emu.run("plan", "-f", path, "-o", "json")
    found = [c for c in problems(p.json) if c["name"] == "leader"]
    check(p.rc == 1 and found and "newer" in found[0]["problem"], repr(p))


def main():
    if not os.access(ESR, os.X_OK):
        print("esreconcile binary not found at %s" % ESR)
        print("0 passed, 1 failed")
        sys.exit(1)
    try:
        EMU["two"] = Emulator(["local", "cluster_one"])
        EMU["slow"] = Emulator(["local"], args=["--remote-connect-wait-s", "2"])
        EMU["mixed"] = Emulator(["local", "cluster_one"], args=["--cluster-version", "cluster_one=9.0.0"])
        EMU["leader"] = Emulator(["local", "cluster_one"], args=["--cluster-version", "local=8.14.3",
                                                                 "--cluster-version", "cluster_one=8.15.0"])
        for fn in (remote_up_later_is_seen_connected_by_the_next_run,
                   remote_that_refuses_our_user_is_reported,
                   settings_put_waiting_for_unreachable_remotes_does_not_time_out,
                   dls_role_on_basic_is_a_plan_problem_and_applies_after_a_trial,
                   replication_privileges_on_basic_warn,
                   versions_that_cannot_talk_are_a_problem_before_any_write,
                   replication_leader_newer_than_follower_is_a_problem):
            suite.test(fn)
    finally:
        for emu in EMU.values():
            emu.stop()
    suite.finish()


if __name__ == "__main__":
    main()
