#!/usr/bin/python3
"""API-key remotes (issue 14) end to end against the emulator: the cross-cluster
API key made on the remote cluster, the credentials file apply hands it over in
(and nowhere else), the keystore step the plan names until it is done, drift of
the key's access corrected in place, a missing remote cluster server, the
migration of a certificate remote, rotation and pruning.

    /usr/bin/python3 tests/integration/test_api_keys.py [test_name ...]
"""
import os
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emulator, Suite, connection_block  # noqa: E402

suite = Suite()
suite.require_emulator("needs two clusters and the emulator's remote cluster server")

CLUSTERS = ["local", "cluster_one"]
ARGS = ["--remote-cluster-server", "cluster_one", "--license", "trial"]
KEY_NAME = "esreconcile-default-local-cluster_one"


def desired(access="search: [{ names: [logs-*] }]\n          replication: [{ names: [leader-*] }]",
            security="api_key", extra="", policy=""):
    text = "version: 1\n" + connection_block(CLUSTERS) + """
remotes:
  local:
    cluster_one:
      cluster: cluster_one
      security: %s
""" % security
    if security == "api_key":
        text += """      api_key:
        access:
          %s
        metadata: { team: search }
""" % access
    text += extra
    text += "policy:\n  prune: { roles: none, users: none }\n" + policy
    return text


def keys(emu):
    status, body = emu.es("GET", "/_security/api_key?name=esreconcile-*&active_only=true", cluster="cluster_one")
    assert status == 200, body
    return body["api_keys"]


def credentials_dir(emu):
    path = os.path.join(emu.dir, "credentials")
    os.makedirs(path, exist_ok=True)
    return path


def encoded_of(path):
    with open(path) as f:
        lines = [line.strip() for line in f if not line.startswith("#") and line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def stage(emu, encoded, alias="cluster_one"):
    """The manual step: the key into local's keystore (POST /_emulator/keystore)."""
    emu.control("POST", "/_emulator/keystore", {"cluster.remote.%s.credentials" % alias: encoded}, cluster="local")


def first_apply(emu, f, *extra):
    """The first apply: the key is made and handed over; returns the file's path
    and the run (exit 3: applied, and the keystore step keeps it from converging)."""
    out = credentials_dir(emu)
    r = emu.run("apply", "-f", f, "--auto-approve", "--credentials-out", out, "--wait", "0", *extra)
    assert r.rc == 3, r
    return os.path.join(out, "local.cluster_one.credentials"), r


@suite.test
def api_keys_01_first_apply_makes_one_key_and_a_private_file():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        r = emu.run("plan", "-f", f, "-o", "json")
        suite.check(r.rc == 1, "the keystore step is a problem: %s" % r)
        one = r.json["clusters"]["cluster_one"]["changes"]
        suite.check([(c["kind"], c["name"], c["action"]) for c in one] == [("api_key", "local/cluster_one", "create")],
                    "one key to create: %s" % one)
        refused = emu.run("apply", "-f", f, "--auto-approve")
        suite.check(refused.rc == 1 and "--credentials-out" in refused.stderr, "refused without a place: %s" % refused)
        suite.check(keys(emu) == [], "nothing made when refused")
        emu.clear_requests()
        report = os.path.join(emu.dir, "report.json")
        path, r = first_apply(emu, f, "-v", "--report", report)
        made = keys(emu)
        suite.check(len(made) == 1 and made[0]["name"] == KEY_NAME, "one key: %s" % made)
        suite.check(made[0]["type"] == "cross_cluster", made[0])
        suite.check(sorted(made[0]["access"]) == ["replication", "search"]
                    and made[0]["access"]["search"][0]["names"] == ["logs-*"]
                    and made[0]["access"]["replication"][0]["names"] == ["leader-*"], made[0]["access"])
        suite.check(made[0]["metadata"]["team"] == "search" and made[0]["metadata"]["managed_by"] == "esreconcile",
                    made[0]["metadata"])
        posts = [e for e in emu.requests("cluster_one") if e["method"] == "POST" and "cross_cluster" in e["path"]]
        suite.check(len(posts) == 1, "one create request: %s" % posts)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        suite.check(mode == 0o600, "0600, not %o" % mode)
        encoded = encoded_of(path)
        with open(path) as fh:
            text = fh.read()
        suite.check("bin/elasticsearch-keystore add" in text and "cluster.remote.cluster_one.credentials" in text
                    and "POST /_nodes/reload_secure_settings" in text, text)
        again = emu.run("plan", "-f", f, "-o", "json")
        with open(report) as fh:
            report_text = fh.read()
        for where, out in (("apply stdout", r.stdout), ("apply stderr", r.stderr), ("report", report_text),
                           ("plan", again.stdout + again.stderr)):
            suite.check(encoded not in out, "the key leaks into the %s" % where)
            suite.check(encoded.split("=")[0][-12:] not in out, "part of the key leaks into the %s" % where)


@suite.test
def api_keys_02_keystore_step_then_connected_and_empty_plan():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        path, _ = first_apply(emu, f)
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 1 and "bin/elasticsearch-keystore add cluster.remote.cluster_one.credentials" in r.stdout
                    and "local.cluster_one.credentials" in r.stdout, "the plan names the keystore step: %s" % r)
        stage(emu, encoded_of(path))
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 1, "staged but not reloaded: still the step: %s" % r)
        emu.clear_requests()
        r = emu.run("apply", "-f", f, "--auto-approve", "--reload-secure-settings")
        suite.check(r.rc == 0, "converged after the reload: %s" % r)
        # nothing is read before the reload (no early read while loading): the plan sees the new key
        first = emu.requests("local")[:1]
        suite.check([(e["method"], e["path"]) for e in first] == [("POST", "/_nodes/reload_secure_settings")],
                    "the reload comes first: %s" % first)
        _, info = emu.es("GET", "/_remote/info")
        one = info["cluster_one"]
        suite.check(one["connected"] is True and one.get("cluster_credentials") == "::es_redacted::", info)
        rcs = emu.info["cluster_one"]["remote_cluster_server_address"]
        suite.check(one["seeds"] == [rcs], "seeds are the remote cluster server: %s" % one)
        emu.clear_requests()
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 0, "empty plan: %s" % r)
        # one extra read where the key lives: the key list and the server
        one_paths = sorted(e["path"] for e in emu.requests("cluster_one"))
        suite.check("/_security/api_key" in one_paths and "/_nodes/remote_cluster_server" in one_paths, one_paths)
        suite.check(not any("api_key" in e["path"] or "remote_cluster_server" in e["path"]
                            for e in emu.requests("local")), "no key read on local")


@suite.test
def api_keys_03_access_changed_by_hand_is_updated_in_place():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        first_apply(emu, f)
        key = keys(emu)[0]
        status, body = emu.es("PUT", "/_security/cross_cluster/api_key/%s" % key["id"],
                              {"access": {"search": [{"names": ["other-*"]}]}}, cluster="cluster_one")
        suite.check(status == 200, body)
        r = emu.run("plan", "-f", f, "-o", "json")
        changes = r.json["clusters"]["cluster_one"]["changes"]
        suite.check([(c["action"], [x["path"] for x in c["fields"]]) for c in changes] == [("update", ["access"])],
                    "the access drifted: %s" % changes)
        r = emu.run("apply", "-f", f, "--auto-approve", "--wait", "0")
        after = keys(emu)
        suite.check(len(after) == 1 and after[0]["id"] == key["id"], "same key: %s" % after)
        suite.check(after[0]["access"]["search"][0]["names"] == ["logs-*"] and "replication" in after[0]["access"],
                    after[0]["access"])
        r = emu.run("plan", "-f", f, "-o", "json")
        suite.check(r.json["clusters"]["cluster_one"]["changes"] == [], "zero noise after the update: %s" % r)


@suite.test
def api_keys_04_missing_remote_cluster_server_is_a_problem():
    with Emulator(CLUSTERS, args=["--license", "trial"]) as emu:
        f = emu.write("d.yaml", desired())
        r = emu.run("plan", "-f", f, "-o", "json")
        suite.check(r.rc == 1, r)
        problems = [c["problem"] for cid in CLUSTERS for c in r.json["clusters"][cid]["changes"]
                    if c["action"] == "problem"]
        suite.check(any("remote_cluster_server.enabled" in p for p in problems), problems)
        suite.check(not [c for c in r.json["clusters"]["cluster_one"]["changes"] if c["action"] == "create"],
                    "no key planned without the server")


@suite.test
def api_keys_05_basic_licence_is_a_problem():
    with Emulator(CLUSTERS, args=["--remote-cluster-server", "cluster_one"]) as emu:
        f = emu.write("d.yaml", desired())
        r = emu.run("plan", "-f", f, "-o", "json")
        problems = [c["problem"] for c in r.json["clusters"]["cluster_one"]["changes"] if c["action"] == "problem"]
        suite.check(r.rc == 1 and any("licence" in p and "enterprise" in p for p in problems), problems)


@suite.test
def api_keys_06_certificate_remote_migrates_in_place():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        transport = emu.info["cluster_one"]["transport_address"]
        rcs = emu.info["cluster_one"]["remote_cluster_server_address"]
        cert = emu.write("cert.yaml", desired(security="certificate"))
        r = emu.run("apply", "-f", cert, "--auto-approve", "--wait", "0")
        suite.check(r.rc in (0, 3), r)
        _, info = emu.es("GET", "/_remote/info")
        suite.check(info["cluster_one"]["seeds"] == [transport], info)
        f = emu.write("d.yaml", desired())
        r = emu.run("plan", "-f", f, "-o", "json")
        local = r.json["clusters"]["local"]["changes"]
        suite.check([c["action"] for c in local] == ["problem"] and "manual step" in local[0]["problem"],
                    "step 2 (manual) and no address change yet: %s" % local)
        suite.check([c["action"] for c in r.json["clusters"]["cluster_one"]["changes"]] == ["create"],
                    "step 1: the key")
        emu.clear_requests()
        path, _ = first_apply(emu, f)
        _, info = emu.es("GET", "/_remote/info")
        suite.check(info["cluster_one"]["seeds"] == [transport], "the alias waits: %s" % info)
        stage(emu, encoded_of(path))
        r = emu.run("plan", "-f", f, "--reload-secure-settings")  # plan ignores it: still the step
        r = emu.run("apply", "-f", f, "--auto-approve", "--reload-secure-settings")
        suite.check(r.rc == 0, "step 3: the addresses, converged: %s" % r)
        _, info = emu.es("GET", "/_remote/info")
        suite.check(info["cluster_one"]["seeds"] == [rcs] and info["cluster_one"]["connected"] is True, info)
        puts = [e for e in emu.requests("local") if e["method"] == "PUT" and e["path"] == "/_cluster/settings"]
        for e in puts:
            persistent = (e.get("body") or {}).get("persistent", {})
            suite.check("cluster.remote.cluster_one.*" not in persistent, "the alias was never deleted: %s" % e)
        suite.check(len(puts) == 1, "one settings PUT points it at the server: %s" % puts)


@suite.test
def api_keys_07_rotation_then_retire():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        path, _ = first_apply(emu, f)
        stage(emu, encoded_of(path))
        r = emu.run("apply", "-f", f, "--auto-approve", "--reload-secure-settings")
        suite.check(r.rc == 0, r)
        old = keys(emu)[0]["id"]
        out = credentials_dir(emu)
        r = emu.run("apply", "-f", f, "--auto-approve", "--rotate-keys", "--credentials-out", out, "--wait", "0")
        now = keys(emu)
        suite.check(len(now) == 2, "a new key beside the old: %s" % now)
        new_encoded = encoded_of(path)
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 1 and "--retire-keys" in r.stdout and old in r.stdout, "the old key waits: %s" % r)
        stage(emu, new_encoded)
        r = emu.run("apply", "-f", f, "--auto-approve", "--reload-secure-settings", "--retire-keys")
        suite.check(r.rc == 0, r)
        left = keys(emu)
        suite.check(len(left) == 1 and left[0]["id"] != old, "the old key invalidated: %s" % left)
        _, info = emu.es("GET", "/_remote/info")
        suite.check(info["cluster_one"]["connected"] is True, info)
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 0, r)


@suite.test
def api_keys_08_back_to_certificate_invalidates_the_key():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        first_apply(emu, f)
        suite.check(len(keys(emu)) == 1, "made")
        cert = emu.write("cert.yaml", desired(security="certificate"))
        r = emu.run("plan", "-f", cert, "-o", "json")
        deletes = [c for c in r.json["clusters"]["cluster_one"]["changes"] if c["action"] == "delete"]
        suite.check([c["name"] for c in deletes] == ["local/cluster_one"], r.json["clusters"]["cluster_one"])
        r = emu.run("apply", "-f", cert, "--auto-approve", "--wait", "0")
        suite.check(keys(emu) == [], "invalidated: %s" % r)


@suite.test
def api_keys_09_the_example_converges_after_the_keystore_step():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.example(os.path.join("api-keys", "remote-with-api-key.yaml"))
        path, _ = first_apply(emu, f)
        stage(emu, encoded_of(path))
        r = emu.run("apply", "-f", f, "--auto-approve", "--reload-secure-settings")
        suite.check(r.rc == 0 and "Converged." in r.stdout, r)
        r = emu.run("plan", "-f", f)
        suite.check(r.rc == 0, r)
        status, body = emu.es("GET", "/_resolve/cluster/cluster_one:logs-*", auth=("cross-search-user", "csu-password-1"))
        suite.check(status == 200 and body["cluster_one"]["connected"] is True, "%s %s" % (status, body))


@suite.test
def api_keys_10_credentials_out_is_checked_and_never_follows_a_link():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        f = emu.write("d.yaml", desired())
        real = credentials_dir(emu)
        link = os.path.join(emu.dir, "link-to-credentials")
        os.symlink(real, link)
        r = emu.run("apply", "-f", f, "--auto-approve", "--credentials-out", link)
        suite.check(r.rc == 1 and "symbolic link" in r.stderr, "a linked directory is refused: %s" % r)
        r = emu.run("apply", "-f", f, "--auto-approve", "--credentials-out", f)
        suite.check(r.rc == 1 and "not a directory" in r.stderr, "a file is refused: %s" % r)
        suite.check(keys(emu) == [], "nothing made when refused")
        victim = os.path.join(emu.dir, "victim.txt")
        with open(victim, "w") as fh:
            fh.write("do not touch\n")
        planted = os.path.join(real, "local.cluster_one.credentials")
        os.symlink(victim, planted)
        path, r = first_apply(emu, f, "-o", "json")
        with open(victim) as fh:
            suite.check(fh.read() == "do not touch\n", "the link's target is left alone")
        suite.check(not os.path.islink(path) and stat.S_IMODE(os.stat(path).st_mode) == 0o600,
                    "the link is replaced by a private file")
        suite.check(encoded_of(path) not in r.stdout + r.stderr, "-o json shows no key")
        suite.check(r.json and r.json["clusters"]["cluster_one"]["changes"][0]["status"] == "applied", r.stdout)


@suite.test
def api_keys_11_an_account_without_manage_security_is_stopped():
    with Emulator(CLUSTERS, args=ARGS) as emu:
        for path, body in (("/_security/role/ops", {"cluster": ["manage", "read_security", "manage_api_key"]}),
                           ("/_security/user/ops", {"password": "ops-password-1", "roles": ["ops"]})):
            status, answer = emu.es("PUT", path, body, cluster="cluster_one")
            suite.check(status == 200, answer)
        text = desired().replace('auth: { username: elastic, password: "${ES_CLUSTER_ONE_PASSWORD}" }',
                                 'auth: { username: ops, password: ops-password-1 }')
        suite.check("username: ops" in text, "the account replaced")
        f = emu.write("d.yaml", text)
        r = emu.run("plan", "-f", f, "-o", "json")
        blocking = [c for c in r.json["clusters"]["cluster_one"]["changes"] if c.get("blocks_cluster")]
        suite.check(r.rc == 1 and len(blocking) == 1 and "manage_security" in blocking[0]["problem"], blocking)
        path, _ = first_apply(emu, f)
        suite.check(keys(emu) == [] and not os.path.exists(path), "nothing made, nothing written")


suite.finish()
