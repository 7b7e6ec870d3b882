#!/usr/bin/env python3
"""Integration test of `esreconcile trust check` and `trust bundle` against the emulator.

The emulator gives each cluster its own transport CA and serves the node's real
PEM files under GET /_ssl/certificates, so a missing trust or an expired
certificate is visible exactly as on a real cluster. Standard library only.
Last line: "N passed, M failed"; exit status 1 on any failure.
"""

import json
import os
import subprocess
import sys
import tempfile
import shutil
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from esrtest import Emu  # noqa: E402

ESR = os.environ.get("ESR_BIN", os.path.join(ROOT, "esreconcile"))
FULL = os.path.join(ROOT, "examples", "07-full-setup.yaml")
TMP = tempfile.mkdtemp(prefix="esr-trust-test-")
results = {"passed": 0, "failed": 0}


def env_for(emu):
    env = dict(os.environ)
    for cid, info in emu.info.items():
        key = "ES_" + cid.upper()
        env[key + "_URL"] = info["url"]
        env[key + "_CA"] = info["http_ca_file"]
        env[key + "_PASSWORD"] = info["password"]
        env[key + "_TRANSPORT_CA"] = info["transport_ca_file"]
    env["CCU_PASSWORD"] = "trust-test-ccu-pw"
    return env


def run(args, env):
    p = subprocess.run([ESR] + args, env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def case(name, fn):
    try:
        fn()
        results["passed"] += 1
        print("ok   " + name)
    except Exception:  # noqa: BLE001 - report every failure and go on
        results["failed"] += 1
        print("FAIL " + name)
        traceback.print_exc()


def with_emulator(args, fn):
    emu = Emu(clusters=("local", "cluster_one"), args=args)
    try:
        fn(emu, env_for(emu))
    finally:
        emu.stop()


def trust_ok_when_clusters_trust_each_other():
    def body(emu, env):
        rc, out, err = run(["trust", "check", "-f", FULL], env)
        check(rc == 0, "exit %d: %s %s" % (rc, out, err))
        check("Trust OK" in out, out)
    with_emulator([], body)


def missing_trust_is_a_problem_with_a_fix():
    def body(emu, env):
        rc, out, _ = run(["trust", "check", "-f", FULL], env)
        check(rc == 1, "exit %d" % rc)
        check("! local: [local] does not trust authority [one-ca] (CN=Transport CA cluster_one): "
              "add it to xpack.security.transport.ssl.certificate_authorities" in out, out)
        check("cluster_one: [cluster_one] does not trust" not in out, out)
    with_emulator(["--no-trust", "local:cluster_one"], body)


def plan_shows_missing_trust_as_a_problem():
    def body(emu, env):
        rc, out, _ = run(["plan", "-f", FULL], env)
        check(rc == 1, "plan exit %d (a problem must fail the plan)" % rc)
        check("! trust transport: [local] does not trust authority [one-ca]" in out, out)
        check("1 problem (marked !)" in out, out)
        rc, out, _ = run(["plan", "-f", FULL, "-o", "json"], env)
        doc = json.loads(out)
        trust = [c for c in doc["clusters"]["local"]["changes"] if c["kind"] == "trust"]
        check(len(trust) == 1 and trust[0]["action"] == "problem", trust)
        check(not [c for c in doc["clusters"]["cluster_one"]["changes"] if c["kind"] == "trust"],
              "cluster_one trusts local: no trust problem there")
        check(doc["summary"]["problems"] == 1, doc["summary"])
    with_emulator(["--no-trust", "local:cluster_one"], body)


def expired_node_certificate_is_a_problem():
    def body(emu, env):
        rc, out, _ = run(["trust", "check", "-f", FULL], env)
        check(rc == 1, "exit %d" % rc)
        check("! cluster_one: certificate " in out and "of [cluster_one] expired" in out, out)
    with_emulator(["--expired-cert", "cluster_one"], body)


def one_way_declaration_is_caught_before_any_request():
    def body(emu, env):
        text = open(FULL).read().replace("trusts: [one-ca, local-ca]", "trusts: [one-ca]")
        path = os.path.join(TMP, "one-way.yaml")
        with open(path, "w") as f:
            f.write(text)
        rc, out, _ = run(["trust", "check", "-f", path], env)
        check(rc == 1, "exit %d" % rc)
        check("remote [cluster_one] points at [cluster_one], but [cluster_one] does not trust "
              "[local]'s transport CA [local-ca]: add it to trust.clusters.cluster_one.trusts" in out, out)
    with_emulator([], body)


def unreachable_cluster_is_reported():
    def body(emu, env):
        env = dict(env)
        env["ES_CLUSTER_ONE_URL"] = "https://127.0.0.1:1"
        rc, out, _ = run(["trust", "check", "-f", FULL], env)
        check(rc == 1, "exit %d" % rc)
        check("! cluster_one: cluster [cluster_one] GET /" in out, out)
    with_emulator([], body)


def bundle_holds_the_trusted_authorities():
    def body(emu, env):
        out_path = os.path.join(TMP, "bundle.pem")
        rc, out, err = run(["trust", "bundle", "-f", FULL, "--cluster", "local", "--out", out_path], env)
        check(rc == 0, "exit %d: %s" % (rc, err))
        expected = ""
        for cid in ("local", "cluster_one"):
            pem = open(emu.info[cid]["transport_ca_file"]).read()
            expected += pem if pem.endswith("\n") else pem + "\n"
        check(open(out_path).read() == expected, "bundle differs from local-ca + one-ca")
        # options in any order; without --out the bundle goes to standard output
        rc, out, err = run(["trust", "bundle", "--cluster", "local", "-f", FULL], env)
        check(rc == 0 and out == expected, "bundle on stdout: exit %d %s" % (rc, err))
        rc, _, err = run(["trust", "bundle", "-f", FULL, "--cluster", "local", "-o", "json"], env)
        check(rc == 64 and "--out FILE" in err, "-o json: exit %d %s" % (rc, err))
        rc, _, err = run(["trust", "bundle", "-f", FULL, "--cluster", "nowhere", "--out", out_path], env)
        check(rc == 1 and "[nowhere]" in err, "unknown cluster: exit %d %s" % (rc, err))
    with_emulator([], body)


def help_and_usage():
    rc, out, _ = run(["trust", "--help"], dict(os.environ))
    check(rc == 0 and "trust check" in out, "help")
    rc, _, err = run(["trust", "frobnicate"], dict(os.environ))
    check(rc == 64, "unknown subcommand exit %d" % rc)


def main():
    try:
        case("trust ok when clusters trust each other", trust_ok_when_clusters_trust_each_other)
        case("missing trust is a problem with a fix", missing_trust_is_a_problem_with_a_fix)
        case("plan shows missing trust as a problem", plan_shows_missing_trust_as_a_problem)
        case("expired node certificate is a problem", expired_node_certificate_is_a_problem)
        case("one-way declaration is caught", one_way_declaration_is_caught_before_any_request)
        case("unreachable cluster is reported", unreachable_cluster_is_reported)
        case("bundle holds the trusted authorities", bundle_holds_the_trusted_authorities)
        case("help and usage", help_and_usage)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
