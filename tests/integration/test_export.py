#!/usr/bin/env python3
"""Integration test of `esreconcile export` against the emulator.

The round trip export -> validate -> apply (adoption only) -> plan is empty,
for every example applied and for objects made by hand in other shapes;
reserved objects and remotes of elasticsearch.yml stay out; no secret reaches
the file; usage and exit codes.

Standard library only. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure. Names of tests given as
arguments run only those.
"""

import os
import re
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emulator, Suite, connection_block  # noqa: E402

suite = Suite()
check = suite.check
TWO = ("local", "cluster_one")
LEDGER = "cluster.metadata.esreconcile.remotes"
CANARY = "canary-Ex93-export-secret"

# Which clusters each example declares objects on.
EXAMPLES = {
    "01-add-remotes.yaml": ["local"], "02-update-remotes.yaml": ["local"],
    "03-delete-cluster-two.yaml": ["local"], "04-ccr-roles-users.yaml": ["local", "cluster_one"],
    "05-ccs-roles-users.yaml": ["local", "cluster_one"], "06-kibana.yaml": ["local", "cluster_one"],
    "07-full-setup.yaml": ["local", "cluster_one"],
}


def placeholders(emu, path):
    """Values for the users' ${VAR} the exported file names (the connection's come from the harness)."""
    with open(path) as f:
        names = set(re.findall(r"\$\{([A-Z0-9_]+)\}", f.read())) - set(emu.env())
    return {n: "exported-password-%d" % i for i, n in enumerate(sorted(names))}


def changes(r, cluster):
    return [(c["kind"], c["name"], c["action"], sorted(f["path"] for f in c["fields"]))
            for c in r.json["clusters"][cluster]["changes"]]


def round_trip(emu, source, cluster, name, env=None):
    """export -> validate -> plan (adoption only) -> apply -> plan empty; returns the file's text
    and the adoption changes."""
    out = os.path.join(emu.dir, name)
    r = emu.run("export", "-f", source, "--cluster", cluster, "-o", out, env=env)
    check(r.rc == 0 and r.stdout == "", "export %s %s: %r" % (source, cluster, r))
    values = placeholders(emu, out)
    values.update(env or {})
    v = emu.run("validate", "-f", out, env=values)
    check(v.rc == 0, "validate %s: %r\n%s" % (name, v, open(out).read()))
    p = emu.run("plan", "-f", out, "-o", "json", env=values)
    check(p.rc in (0, 2) and p.json, "plan %s: %r" % (name, p))
    adoption = changes(p, cluster)
    for kind, obj, action, fields in adoption:
        check(action == "update" and fields in (["metadata"], ["managed"]),
              "%s: only adoptions, not %s %s %s %s\n%s" % (name, action, kind, obj, fields, open(out).read()))
    a = emu.run("apply", "-f", out, "--auto-approve", "--wait", "0s", env=values)
    check(a.rc == 0, "apply %s: %r" % (name, a))
    e = emu.run("plan", "-f", out, env=values)
    check(e.rc == 0, "plan after apply %s: %r" % (name, e))
    with open(out) as f:
        return f.read(), adoption


@suite.test
def every_example_round_trips():
    with Emulator(TWO) as emu:
        for example, clusters in EXAMPLES.items():
            for cid in TWO:
                emu.control("DELETE", "/_emulator/state", cluster=cid)
            a = emu.run("apply", "-f", emu.example(example), "--auto-approve", "--wait", "0s")
            check(a.rc == 0, "apply %s: %r" % (example, a))
            for cid in clusters:
                text, adoption = round_trip(emu, emu.example(example), cid, "%s-%s" % (cid, example))
                check(adoption == [], "%s %s: applied objects need no adoption: %s" % (example, cid, adoption))
                check("managed_by:" not in text, "%s: managed_by is esreconcile's, not declared" % example)


def make_by_hand(emu):
    ok = [200, 201]
    for method, path, body in [
        ("PUT", "/_security/role/hand%20made", {
            "cluster": ["MONITOR"], "run_as": [],
            "indices": [{"names": "logs-*", "privileges": ["read", "view_index_metadata"],
                         "field_security": {"grant": ["*"], "except": ["secret"]},
                         "query": {"term": {"owner": "${USER}"}}, "allow_restricted_indices": False},
                        {"names": ["audit"], "privileges": ["read"], "allow_restricted_indices": True}],
            "applications": [{"application": "kibana-.kibana", "privileges": ["read"], "resources": ["*"]}],
            "metadata": {"team": "yes", "note": "a: \"quoted\" #tag"}, "description": ""}),
        ("PUT", "/_security/role/plain", {"cluster": [], "indices": []}),
        ("POST", "/_security/user/bob", {"password": "bob-password", "roles": ["hand made", "plain"],
                                        "full_name": "Bob", "email": "", "enabled": False}),
        ("POST", "/_security/user/b.o.b", {"password": "bob-password", "roles": []}),
        ("POST", "/_security/user/b-o-b", {"password": "bob-password", "roles": [], "metadata": {"k": 1}}),
        ("PUT", "/_cluster/settings", {"persistent": {"cluster": {"remote": {
            "by_hand": {"mode": "PROXY", "proxy_address": "127.0.0.1:9999", "server_name": "x.example",
                        "transport": {"compress": "TRUE", "ping_schedule": "30s"}},
            "sniffer": {"seeds": "127.0.0.1:9301,127.0.0.1:9300", "node_connections": "3",
                        "skip_unavailable": "false"}}}}}),
    ]:
        status, data = emu.es(method, path, body)
        check(status in ok, "%s %s: %s %s" % (method, path, status, data))


@suite.test
def objects_made_by_hand_are_adopted():
    # a trial licence: roles with field and document level security need one
    with Emulator(["local"], args=["--static-remote", "local:from_yml=sniff:127.0.0.1:9300",
                                   "--license", "trial"]) as emu:
        make_by_hand(emu)
        conn = emu.write("conn.yaml", "version: 1\n" + connection_block(["local"]))
        text, adoption = round_trip(emu, conn, "local", "hand.yaml")
        check(sorted(adoption) == [("remote", "by_hand", "update", ["managed"]),
                                   ("remote", "sniffer", "update", ["managed"]),
                                   ("role", "hand made", "update", ["metadata"]),
                                   ("role", "plain", "update", ["metadata"]),
                                   ("user", "b-o-b", "update", ["metadata"]),
                                   ("user", "b.o.b", "update", ["metadata"]),
                                   ("user", "bob", "update", ["metadata"])], adoption)
        check("from_yml" not in text, "remotes of elasticsearch.yml stay out")
        for reserved in ("superuser", "kibana_system", "elastic:", "remote_monitoring_user"):
            check(reserved not in text, "%s is reserved: left out" % reserved)
        # defaults left out, the rest in the project's style
        for absent in ("allow_restricted_indices: false", "run_as", "description", "email", "node_connections",
                       "transient_metadata"):
            check(absent not in text, "%s left out:\n%s" % (absent, text))
        for present in ("mode: proxy", "compress: true", 'seeds: ["127.0.0.1:9300", "127.0.0.1:9301"]',
                        "allow_restricted_indices: true", "enabled: false", "skip_unavailable: false", "password_check: on_create",
                        '$${USER}', 'password: "${ES_LOCAL_B_O_B_PASSWORD}"',
                        'password: "${ES_LOCAL_B_O_B_PASSWORD_2}"', 'password: "${ES_LOCAL_BOB_PASSWORD}"'):
            check(present in text, "%s in:\n%s" % (present, text))
        check(text.index('"hand made":') < text.index("plain:"), "names sorted")
        # the users kept the passwords they had
        status, _ = emu.es("GET", "/_security/_authenticate", auth=("b.o.b", "bob-password"))
        check(status == 200, "adoption kept bob's password")


@suite.test
def secrets_stay_out_and_usage():
    with Emulator(["local"]) as emu:
        conn = emu.write("conn.yaml", "version: 1\n" + connection_block(["local"]))
        password = emu.info["local"]["password"]
        r = emu.run("export", "-f", conn, "--cluster", "local")
        check(r.rc == 0 and r.stdout.startswith("# Exported by esreconcile"), repr(r))
        check(password not in r.stdout + r.stderr, "the connection's password never reaches the output")
        check('password: "${ES_LOCAL_PASSWORD}"' in r.stdout, r.stdout)
        check("users:" not in r.stdout and "policy:" not in r.stdout, "no users, no password policy")
        out = os.path.join(emu.dir, "out.yaml")
        r = emu.run("export", "-f", conn, "--cluster", "local", "--output", out, env={"CANARY": CANARY})
        check(r.rc == 0 and stat.S_IMODE(os.stat(out).st_mode) == 0o600, oct(os.stat(out).st_mode))
        check(emu.run("export", "-f", conn).rc == 64, "--cluster is required")
        check(emu.run("export", "-f", conn, "--cluster", "local", "--cluster", "x").rc == 64, "one cluster")
        check(emu.run("export", "--cluster", "local").rc == 64, "-f is required")
        r = emu.run("export", "-f", conn, "--cluster", "nope")
        check(r.rc == 1 and "nope" in r.stderr, repr(r))
        r = emu.run("export", "-f", conn, "--cluster", "local", env={"ES_LOCAL_URL": "https://127.0.0.1:1"})
        check(r.rc == 1 and r.stdout == "", "unreachable: %r" % r)
        check(emu.run("export", "--help").rc == 0, "help")


suite.finish()
