#!/usr/bin/env python3
"""Integration test of what a GitOps repository with several teams relies on,
against the emulator: owners that do not prune each other, `expect` that
keeps a plan off the wrong cluster, validation without secrets, only secrets
hidden, role names checked across links, and trust proven by a handshake.

Standard library only; tests/lib/esrtest.py starts the emulators.
Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, EXAMPLES, Emulator, Suite, connection_block, expect  # noqa: E402

WRITES = ("PUT", "POST", "DELETE")

suite = Suite()
check = suite.check


def esr(emu, *args, env=None):
    """Runs esreconcile with an empty stdin (never a terminal)."""
    return emu.run(*args, env=env, stdin="")


def ok(emu, method, path, body=None, cluster="local"):
    status, data = emu.es(method, path, body, cluster=cluster)
    if status >= 300:
        raise AssertionError("%s %s -> %s %s" % (method, path, status, data))
    return data


def writes_in_log(emu, cluster="local"):
    return [(r["method"], r["path"]) for r in emu.requests(cluster) if r["method"] in WRITES]


def team_state(emu, team, extra=""):
    """A desired state of owner `team`: one remote, one role, one user, all pruned when managed."""
    return emu.write(team + ".yaml", "version: 1\n" + connection_block(["local"]) + """remotes:
  local:
    {t}-remote:
      seeds: ["127.0.0.1:9399"]
      skip_unavailable: true
roles:
  local:
    {t}-role:
      cluster: [monitor]
users:
  local:
    {t}-user:
      password: {t}-password-1
      roles: [{t}-role]
policy:
  owner: {t}
  prune: {{ remotes: managed, roles: managed, users: managed }}
{extra}""".format(t=team, extra=extra))


@suite.test
def test_two_owners_keep_each_others_objects():
    with Emulator(["local"]) as emu:
        a, b = team_state(emu, "team-a"), team_state(emu, "team-b")
        expect(esr(emu, "apply", "-f", a, "--auto-approve", "--wait", "0s"), 0, "team-a applies")
        expect(esr(emu, "apply", "-f", b, "--auto-approve", "--wait", "0s"), 0, "team-b applies")
        # each plan is empty: neither prunes nor adopts the other's objects
        for path in (a, b):
            r = expect(esr(emu, "plan", "-f", path), 0, "plan of %s is empty" % path)
            check("No changes" in r.stdout, r)
        roles = ok(emu, "GET", "/_security/role")
        users = ok(emu, "GET", "/_security/user")
        for team in ("team-a", "team-b"):
            check(roles[team + "-role"]["metadata"] == {"managed_by": "esreconcile", "esreconcile_owner": team},
                  roles[team + "-role"])
            check(team + "-user" in users, users)
        persistent = ok(emu, "GET", "/_cluster/settings?flat_settings=true")["persistent"]
        check(persistent.get("cluster.metadata.esreconcile.team-a.remotes") == "team-a-remote", persistent)
        check(persistent.get("cluster.metadata.esreconcile.team-b.remotes") == "team-b-remote", persistent)
        check("cluster.metadata.esreconcile.remotes" not in persistent, persistent)

        # declaring the other owner's role is a problem naming that owner, until --adopt-from
        with open(b) as f:
            grab = emu.write("grab.yaml", f.read().replace("roles:\n  local:\n",
                                                           "roles:\n  local:\n    team-a-role: { cluster: [all] }\n"))
        r = expect(esr(emu, "plan", "-f", grab), 1, "another owner's role")
        check("belongs to owner [team-a]" in r.stdout and "--adopt-from team-a" in r.stdout, r)
        r = expect(esr(emu, "plan", "-f", grab, "--adopt-from", "team-a"), 2, "adopted")
        check("team-a-role" in r.stdout and "belongs to owner" not in r.stdout, r)


@suite.test
def test_wrong_cluster_uuid_blocks_plan_and_apply():
    with Emulator(["local"]) as emu:
        uuid = emu.info["local"]["cluster_uuid"]
        body = "\nroles:\n  local:\n    reader: { cluster: [monitor] }\n"
        conn = "version: 1\n" + connection_block(["local"])
        right = emu.write("right.yaml", conn + "    expect: { cluster_name: local, cluster_uuid: %s }%s" % (uuid, body))
        wrong = emu.write("wrong.yaml", conn + "    expect: { cluster_uuid: not-%s }%s" % (uuid, body))
        expect(esr(emu, "plan", "-f", right), 2, "the expected cluster is planned")
        r = expect(esr(emu, "plan", "-f", wrong), 1, "another cluster_uuid")
        check("expect.cluster_uuid is [not-%s]" % uuid in r.stdout and "[%s]" % uuid in r.stdout, r)
        check("reader" not in r.stdout, r)
        r = expect(esr(emu, "plan", "-f", wrong, "-o", "json"), 1, "json")
        change = r.json["clusters"]["local"]["changes"][0]
        check(change["kind"] == "cluster" and change["blocks_cluster"] and not r.json["clusters"]["local"]["requests"],
              r.json)
        emu.clear_requests()
        r = esr(emu, "apply", "-f", wrong, "--auto-approve")
        check(r.rc != 0, r)
        check(writes_in_log(emu) == [], writes_in_log(emu))
        check("reader" not in ok(emu, "GET", "/_security/role"), "nothing written")


@suite.test
def test_seed_from_variable_shown_passwords_hidden():
    with Emulator(["local"]) as emu:
        seed, password = "seed-host-4d1.example:9300", "pw-never-shown-8c2e"
        path = emu.write("shown.yaml", "version: 1\n" + connection_block(["local"]) + """remotes:
  local:
    from_env:
      seeds: ["${ESR_IT_SEED}"]
      skip_unavailable: true
users:
  local:
    someone:
      password: "${ESR_IT_USER_PASSWORD}"
      roles: [monitoring_user]
      metadata: { api_key: "${ESR_IT_USER_PASSWORD}", team: blue }
""")
        env = {"ESR_IT_SEED": seed, "ESR_IT_USER_PASSWORD": password}
        text = expect(esr(emu, "plan", "-f", path, env=env), 2, "text plan")
        js = expect(esr(emu, "plan", "-f", path, "-o", "json", env=env), 2, "json plan")
        for r in (text, js):
            check(seed in r.stdout, "the seed shows:\n%r" % r)
            check(password not in r.stdout + r.stderr, "no password:\n%r" % r)
            check("(sensitive)" in r.stdout, r)
        user = [c for c in js.json["clusters"]["local"]["changes"] if c["name"] == "someone"][0]
        fields = {f["path"]: f for f in user["fields"]}
        check(fields["metadata"]["after"]["team"] == "blue" and fields["metadata"]["after"]["api_key"] == "(sensitive)",
              fields)
        check(fields["password"]["sensitive"], fields)


@suite.test
def test_validate_without_secrets():
    """A pull request's check: no production variable is set."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("ES_") or k.endswith("_PASSWORD") or k.endswith("_API_KEY"))}
    example = os.path.join(EXAMPLES, "07-full-setup.yaml")

    def validate(*args):
        p = subprocess.run([ESR, "validate"] + list(args) + ["-f", example], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
        return p.returncode, p.stderr

    rc, err = validate()
    check(rc == 0, "validate passes without the variables:\n%s" % err)
    lines = [line for line in err.splitlines() if line.startswith("not checked without their values:")]
    check(len(lines) == 1 and "ES_LOCAL_PASSWORD" in lines[0] and "ES_LOCAL_URL" in lines[0], err)
    check("error" not in err, err)
    rc, err = validate("--require-env")
    check(rc == 1 and "environment variable [ES_LOCAL_PASSWORD] is not set" in err, err)


@suite.test
def test_role_names_across_links():
    # a trial licence: on basic, replication roles draw a licence warning of their own
    with Emulator(["local", "cluster_one"], args=["--license", "trial"]) as emu:
        base = "version: 1\n" + connection_block(["local", "cluster_one"]) + """remotes:
  local:
    cluster_one: { cluster: cluster_one, skip_unavailable: true }
roles:
  local:
    follower:
      cluster: [manage_ccr]
      indices:
        - names: [follower-index]
          privileges: [monitor, read, write, manage_follow_index]
users:
  local:
    ccr-user:
      password: ccr-user-password-1
      roles: [follower%s]
"""
        missing = emu.write("missing.yaml", base % "")
        r = expect(esr(emu, "plan", "-f", missing), 2, "a warning alone")
        check("remote-role-missing: role [follower] on [local] is meant for remote [cluster_one]" in r.stdout
              and "declare roles.cluster_one.follower" in r.stdout, r)
        r = expect(esr(emu, "plan", "-f", missing, "--strict"), 1, "--strict")
        dangling = emu.write("dangling.yaml", base % ", ghost-role")
        r = expect(esr(emu, "plan", "-f", dangling), 1, "a dangling role")
        check("user [ccr-user] has role [ghost-role], which is declared nowhere" in r.stdout, r)
        with open(missing) as f:
            text = f.read().replace("roles:\n  local:\n", "roles:\n  cluster_one:\n    follower:\n"
                                    "      cluster: [read_ccr]\n  local:\n")
        fixed = emu.write("fixed.yaml", text)
        r = expect(esr(emu, "plan", "-f", fixed, "--strict"), 2, "names agree")
        check("remote-role" not in r.stdout + r.stderr, r)


def trust_state(emu, name, ca_var):
    """Both clusters trusting both authorities, read from the ${ES_<ID>_<ca_var>} files."""
    return emu.write(name, "version: 1\n" + connection_block(["local", "cluster_one"]) + """trust:
  authorities:
    local-ca: ${{ES_LOCAL_{v}}}
    one-ca: ${{ES_CLUSTER_ONE_{v}}}
  clusters:
    local: {{ transport_ca: local-ca, trusts: [local-ca, one-ca] }}
    cluster_one: {{ transport_ca: one-ca, trusts: [one-ca, local-ca] }}
remotes:
  local:
    cluster_one: {{ cluster: cluster_one, skip_unavailable: true }}
""".format(v=ca_var))


@suite.test
def test_trust_proven_by_handshake():
    with Emulator(["local", "cluster_one"]) as emu:
        transport = emu.info["cluster_one"]["transport_address"]
        right = trust_state(emu, "right.yaml", "TRANSPORT_CA")
        r = expect(esr(emu, "trust", "check", "-f", right), 0, "the transport CAs")
        check("ok local -> cluster_one at %s: subject " % transport in r.stdout and "Trust OK" in r.stdout, r)
        r = expect(esr(emu, "trust", "check", "-f", right, "-o", "json"), 0, "json")
        doc = r.json
        check(doc is not None and doc["ok"] and doc["problems"] == 0, r)
        link = doc["links"][0]
        check(link["verified"] and link["address"] == transport and link["remote"] == "cluster_one"
              and link["subject"] and link["issuer"] and link["expires"], link)

        # the HTTP CA declared as the transport CA: the names in _ssl/certificates match, the handshake does not
        wrong = trust_state(emu, "wrong.yaml", "CA")
        r = expect(esr(emu, "trust", "check", "-f", wrong), 1, "the HTTP CA as transport CA")
        check("! local -> cluster_one at %s" % transport in r.stdout and "do not verify" in r.stdout, r)
        r = expect(esr(emu, "trust", "check", "-f", wrong, "-o", "json"), 1, "json")
        check(r.json is not None and not r.json["ok"] and not r.json["links"][0]["verified"], r)

        # a URL naming the transport port says so, instead of blaming the CA
        misplaced = emu.write("misplaced.yaml", "version: 1\nclusters:\n  local:\n    url: https://%s\n"
                              "    auth: { username: elastic, password: \"${ES_LOCAL_PASSWORD}\" }\n"
                              "    tls: { ca_file: \"${ES_LOCAL_CA}\" }\n" % emu.info["local"]["transport_address"])
        r = expect(esr(emu, "plan", "-f", misplaced), 1, "transport port")
        check("seems to name the transport port" in r.stderr and "set tls.ca_file" not in r.stderr, r)


@suite.test
def test_options_after_plan_file_and_progress_on_a_terminal():
    with Emulator(["local"]) as emu:
        path = team_state(emu, "team-a")
        plan_file = os.path.join(emu.dir, "plan.json")
        expect(esr(emu, "plan", "-f", path, "--out", plan_file), 2, "plan --out")
        # options after the saved plan are options; stderr is a terminal, stdout a pipe
        master, slave = os.openpty()
        try:
            p = subprocess.run([ESR, "apply", "-f", path, plan_file, "--auto-approve", "--wait", "0s"],
                               env=emu.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                               universal_newlines=True, timeout=120)
            os.close(slave)
            slave = None
            err = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                err += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        err = err.decode("utf-8", "replace")
        check(p.returncode == 0 and "Converged." in p.stdout, "rc=%d\n%s\n%s" % (p.returncode, p.stdout, err))
        check("cluster [local]: 3/3 requests done" in err, err)
        # never in a pipe
        r = expect(esr(emu, "apply", "-f", path, "--auto-approve"), 0, "nothing to do")
        check("requests done" not in r.stderr, r)


suite.finish()
