#!/usr/bin/env python3
"""Integration test of `esreconcile plan` against the emulator.

Every example plans against empty clusters; the seed guide's scenarios give
the exact request bodies; state written directly in other representations
plans as no change; out-of-band drift of each kind shows; a no-op plan reads a
constant set of endpoints whatever the number of roles; role fields and
privileges the cluster's version lacks are problems; unreachable clusters,
exit codes, saved plans and secrets.

Standard library only. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure. Names of tests given as
arguments run only those.
"""

import os
import re
import socket
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emulator, Suite, connection_block, is_write  # noqa: E402

suite = Suite()
check = suite.check
LEDGER = "cluster.metadata.esreconcile.remotes"
MANAGED = {"managed_by": "esreconcile"}
CANARY = "canary-Zq81-plan-secret"
TWO = ("local", "cluster_one")

EXAMPLES = ["01-add-remotes.yaml", "02-update-remotes.yaml", "03-delete-cluster-two.yaml",
            "04-ccr-roles-users.yaml", "05-ccs-roles-users.yaml", "06-kibana.yaml",
            "07-full-setup.yaml"]

GUIDE_ADD = {"persistent": {"cluster": {"remote": {
    "cluster_one": {"seeds": ["127.0.0.1:9300"]},
    "cluster_two": {"mode": "sniff", "seeds": ["127.0.0.1:9301"], "transport.compress": True,
                    "skip_unavailable": True},
    "cluster_three": {"mode": "proxy", "proxy_address": "127.0.0.1:9302"}}}}}
GUIDE_UPDATE = {"persistent": {"cluster": {"remote": {
    "cluster_two": {"transport.compress": False},
    "cluster_three": {"transport.compress": True, "transport.ping_schedule": "60s"}}}}}


def plan_json(emu, *files, expect=None, extra=()):
    args = ["plan"]
    for f in files:
        args += ["-f", f if os.path.isabs(f) else emu.example(f)]
    r = emu.run(*(args + ["-o", "json"] + list(extra)))
    check(r.json is not None, "plan -o json printed JSON: %r" % r)
    if expect is not None:
        check(r.rc == expect, "exit %d expected: %r" % (expect, r))
    return r


def requests_of(r, cluster="local"):
    return [(q["method"], q["path"], q["body"]) for q in r.json["clusters"][cluster]["requests"]]


def put_ok(emu, method, path, body=None, cluster="local"):
    status, data = emu.es(method, path, body, cluster=cluster)
    check(status == 200, "%s %s: %s %s" % (method, path, status, data))
    return data


@suite.test
def every_example_plans_against_empty_clusters():
    with Emulator(TWO) as emu:
        for name in EXAMPLES:
            r = plan_json(emu, name, expect=2)
            s = r.json["summary"]
            check(r.json["format_version"] == "1", name)
            check(re.fullmatch(r"[0-9a-f]{64}", r.json["fingerprint"]), name)
            check(s["create"] > 0 and s["update"] == 0 and s["delete"] == 0 and s["problems"] == 0,
                  "%s: %s" % (name, s))
            t = emu.run("plan", "-f", emu.example(name), "--no-color")
            check(t.rc == 2 and "Plan: %d to create, 0 to update, 0 to delete." % s["create"] in t.stdout,
                  "%s text: %r" % (name, t))
            # planning writes nothing
            writes = [q for c in TWO for q in emu.requests(c) if q["method"] != "GET" and is_write(q)]
            check(not writes, "%s: plan sent writes %s" % (name, writes))


@suite.test
def guide_add_three_remotes():
    with Emulator(["local"]) as emu:
        r = plan_json(emu, "01-add-remotes.yaml", expect=2)
        check(requests_of(r) == [("PUT", "/_cluster/settings", {"persistent": {
            "cluster.remote.cluster_one.seeds": ["127.0.0.1:9300"],
            "cluster.remote.cluster_two.mode": "sniff",
            "cluster.remote.cluster_two.seeds": ["127.0.0.1:9301"],
            "cluster.remote.cluster_two.transport.compress": True,
            "cluster.remote.cluster_two.skip_unavailable": True,
            "cluster.remote.cluster_three.mode": "proxy",
            "cluster.remote.cluster_three.proxy_address": "127.0.0.1:9302",
            LEDGER: "cluster_one,cluster_three,cluster_two"}})], requests_of(r))
        check([c["action"] for c in r.json["clusters"]["local"]["changes"]] == ["create"] * 3, r.stdout)


@suite.test
def guide_update_compression_and_ping_schedule():
    with Emulator(["local"]) as emu:
        put_ok(emu, "PUT", "/_cluster/settings", GUIDE_ADD)
        r = plan_json(emu, "02-update-remotes.yaml", expect=2)
        check(requests_of(r) == [("PUT", "/_cluster/settings", {"persistent": {
            "cluster.remote.cluster_two.transport.compress": False,
            "cluster.remote.cluster_three.transport.compress": True,
            "cluster.remote.cluster_three.transport.ping_schedule": "60s",
            LEDGER: "cluster_one,cluster_three,cluster_two"}})], requests_of(r))
        fields = {c["name"]: [f["path"] for f in c["fields"]] for c in r.json["clusters"]["local"]["changes"]}
        check(fields == {"cluster_one": ["managed"], "cluster_two": ["transport.compress", "managed"],
                         "cluster_three": ["transport.compress", "transport.ping_schedule", "managed"]},
              fields)


@suite.test
def guide_delete_cluster_two():
    with Emulator(["local"]) as emu:
        put_ok(emu, "PUT", "/_cluster/settings", GUIDE_ADD)
        put_ok(emu, "PUT", "/_cluster/settings", GUIDE_UPDATE)
        put_ok(emu, "PUT", "/_cluster/settings",
               {"persistent": {LEDGER: "cluster_one,cluster_three,cluster_two"}})
        r = plan_json(emu, "03-delete-cluster-two.yaml", expect=2)
        check(requests_of(r) == [("PUT", "/_cluster/settings", {"persistent": {
            "cluster.remote.cluster_two.*": None, LEDGER: "cluster_one,cluster_three"}})], requests_of(r))
        changes = r.json["clusters"]["local"]["changes"]
        check([(c["name"], c["action"]) for c in changes] == [("cluster_two", "delete")], changes)
        check(changes[0]["request"] == {"method": "PUT", "path": "/_cluster/settings",
                                        "body": {"persistent": {"cluster.remote.cluster_two.*": None}}},
              changes[0])


def user_put(roles, **extra):
    body = {"roles": roles}
    body.update(extra)
    body.update({"metadata": MANAGED, "enabled": True, "password": "(sensitive)"})
    return body


@suite.test
def guide_roles_and_users():
    expected = {
        "04-ccr-roles-users.yaml": {
            "cluster_one": [("POST", "/_security/role", {"roles": {"remote-replication": {
                "cluster": ["read_ccr"],
                "indices": [{"names": ["leader-index-name"], "privileges": ["monitor", "read"]}],
                "metadata": MANAGED}}})],
            "local": [("POST", "/_security/role", {"roles": {"remote-replication": {
                "cluster": ["manage_ccr"],
                "indices": [{"names": ["follower-index-name"],
                             "privileges": ["monitor", "read", "write", "manage_follow_index"]}],
                "metadata": MANAGED}}}),
                ("PUT", "/_security/user/cross-cluster-user", user_put(["remote-replication"]))]},
        "05-ccs-roles-users.yaml": {
            "cluster_one": [("POST", "/_security/role", {"roles": {"remote-search": {
                "indices": [{"names": ["target-indices"], "privileges": ["read", "read_cross_cluster"]}],
                "metadata": MANAGED}}})],
            "local": [("POST", "/_security/role", {"roles": {"remote-search": {"metadata": MANAGED}}}),
                      ("PUT", "/_security/user/cross-search-user", user_put(["remote-search"]))]},
        "06-kibana.yaml": {
            "cluster_one": [("POST", "/_security/role", {"roles": {"logstash-reader": {
                "indices": [{"names": ["logstash-*"],
                             "privileges": ["read_cross_cluster", "read", "view_index_metadata"]}],
                "metadata": MANAGED}}})],
            "local": [("POST", "/_security/role", {"roles": {
                "logstash-reader": {"indices": [{"names": ["logstash-*"],
                                                 "privileges": ["read", "view_index_metadata"]}],
                                    "metadata": MANAGED},
                "kibana-access": {"applications": [{"application": "kibana-.kibana", "privileges": ["read"],
                                                    "resources": ["*"]}],
                                  "metadata": MANAGED}}}),
                ("PUT", "/_security/user/cross-cluster-kibana",
                 user_put(["logstash-reader", "kibana-access"]))]},
    }
    with Emulator(TWO) as emu:
        for name, clusters in expected.items():
            r = plan_json(emu, name, expect=2)
            for cid, reqs in clusters.items():
                check(requests_of(r, cid) == reqs, "%s %s: %s" % (name, cid, requests_of(r, cid)))
            users = [c for c in r.json["clusters"]["local"]["changes"] if c["kind"] == "user"]
            check(users and users[0]["depends_on"], "%s: the user depends on its roles" % name)


@suite.test
def roles_and_users_on_814_use_single_requests():
    with Emulator(TWO, args=["--version", "8.14.3"]) as emu:
        r = plan_json(emu, "04-ccr-roles-users.yaml", expect=2)
        check([(m, p) for m, p, _ in requests_of(r)] ==
              [("PUT", "/_security/role/remote-replication"), ("PUT", "/_security/user/cross-cluster-user")],
              requests_of(r))


@suite.test
def role_fields_and_privileges_the_version_lacks_are_problems():
    """On 8.14.3 a role with description, remote_cluster or monitor_stats is a
    plan-time problem naming the version, not a 400 from apply; the other role
    is planned, and apply writes it alone."""
    with Emulator(["local"], args=["--version", "8.14.3"]) as emu:
        path = emu.write("new-fields.yaml", "version: 1\n" + connection_block(["local"]) + """roles:
  local:
    new-style:
      description: Cross-cluster statistics
      cluster: [monitor_stats]
      remote_cluster: [{ privileges: [monitor_enrich], clusters: [cluster_one] }]
    plain: { cluster: [monitor] }
""")
        r = plan_json(emu, path, expect=1)
        changes = {c["name"]: c for c in r.json["clusters"]["local"]["changes"]}
        problem = changes["new-style"].get("problem", "")
        check(changes["new-style"]["action"] == "problem" and "Elasticsearch 8.14.3" in problem,
              "the problem names the version: %s" % changes["new-style"])
        for what in ("role field [description] (8.15+)", "role field [remote_cluster] (8.15+)",
                     "cluster privilege [monitor_stats] (8.17+)"):
            check(what in problem, "the problem names %s: %s" % (what, problem))
        check(changes["plain"]["action"] == "create", "the other role is planned: %s" % changes["plain"])
        a = emu.run("apply", "-f", path, "--auto-approve", stdin="")
        check(a.rc == 3 and "1 applied, 0 failed, 1 skipped" in a.stdout, "apply writes what it can: %r" % a)
        writes = [(q["method"], q["path"]) for q in emu.requests() if is_write(q)]
        check(writes == [("PUT", "/_security/role/plain")], "only the known role is written: %s" % writes)


def prime_other_representations(emu):
    """The state of examples 02 and 04, written as a person might by hand."""
    put_ok(emu, "PUT", "/_cluster/settings", {"persistent": {"cluster": {
        "remote": {
            "cluster_one": {"seeds": "127.0.0.1:9300", "skip_unavailable": "true"},
            "cluster_two": {"mode": "SNIFF", "seeds": ["127.0.0.1:9301"], "transport": {"compress": "false"},
                            "skip_unavailable": "true", "node_connections": "3"},
            "cluster_three": {"mode": "PROXY", "proxy_address": "127.0.0.1:9302",
                              "transport.compress": "true", "transport.ping_schedule": "1m",
                              "proxy_socket_connections": 18}},
        "metadata": {"esreconcile": {"remotes": "cluster_three,cluster_one,cluster_two"}}}}})
    put_ok(emu, "PUT", "/_security/role/remote-replication", {
        "cluster": ["MANAGE_CCR"],
        "indices": [{"names": "follower-index-name",
                     "privileges": ["manage_follow_index", "write", "read", "monitor"],
                     "allow_restricted_indices": False}],
        "metadata": MANAGED, "transient_metadata": {"enabled": True}})
    put_ok(emu, "PUT", "/_security/role/remote-replication", {
        "indices": [{"names": ["leader-index-name"], "privileges": ["read", "monitor"]}],
        "cluster": ["read_ccr"], "run_as": [], "metadata": MANAGED}, cluster="cluster_one")
    put_ok(emu, "POST", "/_security/user/cross-cluster-user", {
        "password": "ccu-password-1", "roles": ["remote-replication"], "metadata": MANAGED,
        "enabled": True, "full_name": None})


def in_sync(emu):
    for name in ("02-update-remotes.yaml", "04-ccr-roles-users.yaml"):
        r = plan_json(emu, name)
        check(r.rc == 0 and not r.json["clusters"]["local"]["changes"], "%s: %r" % (name, r))
        t = emu.run("plan", "-f", emu.example(name))
        lines = [line.strip() for line in t.stdout.strip().splitlines() if line.strip()]
        # no change; warnings may say what the clusters are like (the guide's remote addresses
        # answer nothing, replication privileges on a basic licence)
        check(t.rc == 0 and lines[-1] == "No changes. Live state matches the desired state." and
              all(re.match(r"(Cluster \w+ \(|warning: )", line) for line in lines[:-1]), repr(t))


@suite.test
def zero_noise_after_direct_writes():
    with Emulator(TWO) as emu:
        prime_other_representations(emu)
        in_sync(emu)


@suite.test
def zero_noise_after_apply_of_every_example():
    with Emulator(TWO) as emu:
        for name in EXAMPLES:
            a = emu.run("apply", "-f", emu.example(name), "--auto-approve")
            check(a.rc == 0, "apply %s: %r" % (name, a))
            r = plan_json(emu, name)
            check(r.rc == 0, "plan after apply %s: %r" % (name, r))


DRIFTS = [
    # (what, example, requests that drift, expected change)
    ("role privilege edited", "04-ccr-roles-users.yaml",
     [("PUT", "/_security/role/remote-replication", {
         "cluster": ["manage_ccr"], "indices": [{"names": ["follower-index-name"], "privileges": ["read"]}],
         "metadata": MANAGED})],
     ("role", "remote-replication", "update", ["indices"])),
    ("remote key changed", "02-update-remotes.yaml",
     [("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.cluster_two.skip_unavailable": False}})],
     ("remote", "cluster_two", "update", ["skip_unavailable"])),
    ("remote key added", "02-update-remotes.yaml",
     [("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.cluster_one.node_connections": 5}})],
     ("remote", "cluster_one", "update", ["node_connections"])),
    ("remote created out of band is left alone, a managed one deleted", "02-update-remotes.yaml",
     [("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.stray.seeds": ["h:1"],
                                                    LEDGER: "cluster_one,cluster_three,cluster_two,gone"}}),
      ("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.gone.seeds": ["h:2"]}})],
     ("remote", "gone", "delete", ["seeds"])),
    ("user roles changed", "04-ccr-roles-users.yaml",
     [("PUT", "/_security/user/cross-cluster-user", {"roles": [], "metadata": MANAGED})],
     ("user", "cross-cluster-user", "update", ["roles"])),
    ("user disabled", "04-ccr-roles-users.yaml",
     [("PUT", "/_security/user/cross-cluster-user/_disable", None)],
     ("user", "cross-cluster-user", "update", ["enabled"])),
    ("password changed", "04-ccr-roles-users.yaml",
     [("POST", "/_security/user/cross-cluster-user/_password", {"password": "another-password"})],
     ("user", "cross-cluster-user", "update", ["password"])),
]


@suite.test
def out_of_band_drift_shows():
    with Emulator(TWO) as emu:
        for what, name, drift, (kind, obj, action, paths) in DRIFTS:
            emu.control("DELETE", "/_emulator/state")
            emu.control("DELETE", "/_emulator/state", cluster="cluster_one")
            prime_other_representations(emu)
            for method, path, body in drift:
                put_ok(emu, method, path, body)
            r = plan_json(emu, name, expect=2)
            changes = [(c["kind"], c["name"], c["action"], [f["path"] for f in c["fields"]])
                       for c in r.json["clusters"]["local"]["changes"]]
            check(changes == [(kind, obj, action, paths)], "%s: %s" % (what, changes))


@suite.test
def noop_plan_reads_a_constant_set_of_endpoints():
    with Emulator(["local"]) as emu:
        desired = emu.write("empty.yaml", "version: 1\n" + connection_block(["local"]))
        for n in (0, 10, 1000):
            emu.control("DELETE", "/_emulator/state")
            if n:
                emu.seed("local", roles=n, users=n, remotes=0)
            emu.clear_requests()
            r = emu.run("plan", "-f", desired, "-o", "json")
            check(r.rc == 0, "%d roles: %r" % (n, r))
            seen = sorted((q["method"], q["path"] + ("?" + q["query"] if q["query"] else ""))
                          for q in emu.requests("local"))
            check(seen == sorted([("GET", "/"), ("GET", "/_cluster/settings?flat_settings=true"),
                                  ("GET", "/_remote/info"), ("GET", "/_license"), ("GET", "/_security/role"),
                                  ("GET", "/_security/user")]), "%d roles: %s" % (n, seen))
        # with remotes, one more: _resolve/cluster for all of them (it makes the cluster retry them)
        for n in (1, 10):
            emu.control("DELETE", "/_emulator/state")
            emu.seed("local", roles=0, users=0, remotes=n)
            emu.clear_requests()
            r = emu.run("plan", "-f", desired, "-o", "json")
            reads = [q for q in emu.requests("local")]
            check(len(reads) == 7 and all(q["method"] == "GET" for q in reads), "%d remotes: %s" % (n, reads))
            check(sum(q["path"].startswith("/_resolve/cluster/") for q in reads) == 1, reads)


@suite.test
def unreachable_cluster_is_a_problem_and_others_are_planned():
    with Emulator(TWO) as emu:
        r = emu.run("plan", "-f", emu.example("04-ccr-roles-users.yaml"), "-o", "json",
                    env={"ES_CLUSTER_ONE_URL": "https://127.0.0.1:1"})
        check(r.rc == 1 and r.json, repr(r))
        one, local = r.json["clusters"]["cluster_one"], r.json["clusters"]["local"]
        check(one["reachable"] is False and one["error"], one)
        check(len(local["changes"]) == 2 and local["reachable"], local)
        check(r.json["summary"]["problems"] == 1, r.json["summary"])
        t = emu.run("plan", "-f", emu.example("04-ccr-roles-users.yaml"), "--no-color",
                    env={"ES_CLUSTER_ONE_URL": "https://127.0.0.1:1"})
        check(t.rc == 1 and "  ! cluster cluster_one: " in t.stdout and "+ role remote-replication" in t.stdout,
              repr(t))


@suite.test
def static_and_transient_remotes():
    with Emulator(["local"], args=["--static-remote", "local:cluster_one=sniff:127.0.0.1:9300"]) as emu:
        r = plan_json(emu, "01-add-remotes.yaml", expect=1)
        problems = [c for c in r.json["clusters"]["local"]["changes"] if c["action"] == "problem"]
        check(len(problems) == 1 and problems[0]["name"] == "cluster_one" and
              "defined in elasticsearch.yml; esreconcile cannot change it" in problems[0]["problem"], problems)
        check(LEDGER + "" in str(requests_of(r)) and "cluster_one" not in
              str([k for _, _, b in requests_of(r) for k in b["persistent"]]), requests_of(r))
    with Emulator(["local"]) as emu:
        put_ok(emu, "PUT", "/_cluster/settings", {"transient": {"cluster.remote.cluster_one.seeds": ["127.0.0.1:9300"]},
                                                  "persistent": {LEDGER: "cluster_one"}})
        desired = emu.write("one.yaml", "version: 1\n" + connection_block(["local"]) +
                            "remotes:\n  local:\n    cluster_one: { seeds: ['127.0.0.1:9300'] }\n")
        r = plan_json(emu, desired, expect=2)
        check(requests_of(r) == [("PUT", "/_cluster/settings", {
            "persistent": {"cluster.remote.cluster_one.seeds": ["127.0.0.1:9300"]},
            "transient": {"cluster.remote.cluster_one.*": None}})], requests_of(r))
        check("transient" in r.stderr or r.json["clusters"]["local"]["warnings"], r.stderr)


@suite.test
def exit_codes():
    with Emulator(["local"]) as emu:
        empty = emu.write("empty.yaml", "version: 1\n" + connection_block(["local"]))
        bad = emu.write("bad.yaml", "version: 1\nclusterz: {}\n")
        check(emu.run("plan", "-f", empty).rc == 0, "in sync")
        check(emu.run("plan", "-f", emu.example("01-add-remotes.yaml")).rc == 2, "changes")
        r = emu.run("plan", "-f", bad)
        check(r.rc == 1 and "bad.yaml" in r.stderr, repr(r))
        check(emu.run("plan").rc == 64, "usage")
        check(emu.run("plan", "--help").rc == 0, "help")
        r = emu.run("plan", "-f", empty, "--cluster", "nope")
        check(r.rc == 1 and "nope" in r.stderr, repr(r))


@suite.test
def saved_plan_is_private_and_holds_no_secret():
    with Emulator(TWO) as emu:
        out = os.path.join(emu.dir, "plan.json")
        r = emu.run("plan", "-f", emu.example("04-ccr-roles-users.yaml"), "--out", out, "-v",
                    env={"CCU_PASSWORD": CANARY})
        check(r.rc == 2, repr(r))
        text = open(out).read()
        check(stat.S_IMODE(os.stat(out).st_mode) == 0o600, oct(os.stat(out).st_mode))
        check(re.search(r'"fingerprint":\s*"[0-9a-f]{64}"', text), "fingerprint in the saved plan")
        check("(sensitive)" in text, "placeholder in the saved plan")
        for where, s in (("saved plan", text), ("stdout", r.stdout), ("stderr", r.stderr)):
            check(CANARY not in s, "the canary reached the " + where)
        j = emu.run("plan", "-f", emu.example("04-ccr-roles-users.yaml"), "-o", "json",
                    env={"CCU_PASSWORD": CANARY})
        check(CANARY not in j.stdout + j.stderr, "canary in -o json output")


@suite.test
def remotes_pointing_at_each_other_plan_alike_at_any_parallelism():
    """Each cluster's plan needs the other's transport addresses (a cycle of
    `cluster:` remotes without seeds): planned one cluster at a time, on one
    worker or several, the plan and the reads are the same, and nothing stalls."""
    three = ("local", "cluster_one", "cluster_two")
    with Emulator(three) as emu:
        desired = emu.write("cycle.yaml", "version: 1\n" + connection_block(three) + (
            "remotes:\n"
            "  local: { one: { cluster: cluster_one }, two: { cluster: cluster_two } }\n"
            "  cluster_one: { back: { cluster: local } }\n"
            "  cluster_two: { back: { cluster: local }, one: { cluster: cluster_one } }\n"))
        plans = []
        for parallel in ("1", "2", "8"):
            emu.clear_requests()
            r = emu.run("plan", "-f", desired, "-o", "json", "--parallel", parallel, timeout=60)
            check(r.rc == 2 and r.json, "--parallel %s: %r" % (parallel, r))
            if not r.json:
                continue
            plans.append(r.json)
            for cid in three:
                nodes = [q for q in emu.requests(cid) if q["path"] == "/_nodes/transport"]
                check(len(nodes) == 1, "--parallel %s: %s read its addresses %d times" % (parallel, cid, len(nodes)))
        check(len(plans) == 3 and plans[0] == plans[1] == plans[2], "the plans differ with --parallel")
        if plans:
            body = plans[0]["clusters"]["local"]["requests"][0]["body"]["persistent"]
            port = emu.info["cluster_one"]["transport_address"].rsplit(":", 1)[1]
            seeds = body.get("cluster.remote.one.seeds")
            check(isinstance(seeds, list) and seeds and all(s.endswith(":" + port) for s in seeds),
                  "local's remote [one] seeds from cluster_one's addresses: %r" % body)


@suite.test
def tls_verification_off_warns_every_run():
    with Emulator(["local"]) as emu:
        desired = emu.write("insecure.yaml", "version: 1\n" + connection_block(["local"]).replace(
            'tls: { ca_file: "${ES_LOCAL_CA}" }', "tls: { verify: none }"))
        for _ in range(2):
            r = emu.run("plan", "-f", desired)
            check(r.rc == 0 and "TLS verification is disabled" in r.stderr, repr(r))


@suite.test
def reads_begin_while_loading_and_an_invalid_state_still_writes_nothing():
    """A cluster's first reads start once its file is read (docs/design.md §6); when a later
    file is invalid the run ends with the diagnostics, writes nothing, and does not wait for a
    cluster that never answers (its read is abandoned)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does), never answers a byte
    try:
        with Emulator(TWO) as emu:
            first = emu.write("10-clusters.yaml", "version: 1\n" + connection_block(["local"]) +
                              "  silent:\n    url: https://127.0.0.1:%d\n    auth: { username: elastic, "
                              "password: x }\n    tls: { verify: none }\n    timeout: 120s\n"
                              % silent.getsockname()[1])
            # long enough to load that the reads have begun when its last line turns out wrong
            many = "".join("    role-%d: { cluster: [monitor] }\n" % i for i in range(20000))
            emu.write("20-broken.yaml", "version: 1\nroles:\n  local:\n" + many + "    r: { colour: red }\n")
            emu.clear_requests()
            started = time.monotonic()
            r = emu.run("plan", "-f", os.path.dirname(first), timeout=60)
            took = time.monotonic() - started
            check(r.rc == 1 and "20-broken.yaml:20004:" in r.stderr and "colour" in r.stderr, repr(r))
            check(took < 20, "the unanswered read was abandoned: %.1f s" % took)
            for cid in TWO:
                check(all(q["method"] == "GET" for q in emu.requests(cid)), "no write: %s" % emu.requests(cid))
            r = emu.run("apply", "-f", os.path.dirname(first), "--auto-approve", timeout=60)
            check(r.rc == 1 and "colour" in r.stderr, repr(r))
            for cid in TWO:
                check(all(q["method"] == "GET" for q in emu.requests(cid)), "no write: %s" % emu.requests(cid))
    finally:
        silent.close()


@suite.test
def an_unresolvable_reference_in_a_later_file_stops_the_run_before_any_request():
    """docs/design.md §1: a ${VAR} that is not set, or a ${file:} that cannot be read, is an
    error before any request, even when it is in a file after the clusters' own, whose reads
    would otherwise begin while the later file loads (§6)."""
    many = "".join("    role-%d: { cluster: [monitor] }\n" % i for i in range(20000))
    with Emulator(TWO) as emu:
        clusters = emu.write("10-clusters.yaml", "version: 1\n" + connection_block(TWO))
        for reference, complaint in (("${ESR_TEST_NEVER_SET}", "ESR_TEST_NEVER_SET"),
                                     ("${file:no-such-secret}", "no-such-secret")):
            emu.write("20-users.yaml", "version: 1\nroles:\n  local:\n" + many +
                      "users:\n  local:\n    u: { password: \"%s\", roles: [role-1] }\n" % reference)
            for command in (["plan"], ["apply", "--auto-approve"]):
                emu.clear_requests()
                r = emu.run(*command, "-f", os.path.dirname(clusters), timeout=60)
                check(r.rc == 1 and complaint in r.stderr, "%s %s: %r" % (command[0], reference, r))
                for cid in TWO:
                    check(emu.requests(cid) == [], "%s %s: %s was asked %s" % (
                        command[0], reference, cid, [q["path"] for q in emu.requests(cid)]))


@suite.test
def reads_made_while_loading_are_not_asked_again():
    """With a long file after the clusters' own, their first reads happen while it loads; each
    request is still sent once, and --cluster still reads only what it selects."""
    reads = sorted([("GET", "/"), ("GET", "/_cluster/settings"), ("GET", "/_remote/info"), ("GET", "/_license"),
                    ("GET", "/_security/role"), ("GET", "/_security/user")])
    with Emulator(TWO) as emu:
        clusters = emu.write("10-clusters.yaml", "version: 1\n" + connection_block(TWO))
        many = "".join("    role-%d: { cluster: [monitor] }\n" % i for i in range(20000))
        emu.write("20-roles.yaml", "version: 1\nroles:\n  local:\n" + many)
        for selected in ([], ["--cluster", "local"]):
            emu.clear_requests()
            r = emu.run("plan", "-f", os.path.dirname(clusters), "-o", "json", *selected)
            check(r.rc == 2 and r.json["summary"]["create"] == 20000, "%s: %s" % (selected, r.json and r.json["summary"]))
            for cid in TWO:
                seen = sorted((q["method"], q["path"]) for q in emu.requests(cid))
                # local has changes to make: the preflight asks for the privileges they need
                expected = (sorted(reads + [("POST", "/_security/user/_has_privileges")]) if cid == "local"
                            else [] if selected else reads)
                check(seen == expected, "%s %s: %s" % (selected, cid, seen))


suite.finish()
