#!/usr/bin/env python3
"""Integration test of the password probes (policy.password_check: probe)
against the emulator, counted in its request log by the user each
GET /_security/_authenticate authenticated as.

- A plan probes each declared user that exists once.
- apply's verification does not probe again the users whose answer still
  stands (not written), nor those whose password it has just set; it probes
  those it wrote without their password, and those whose write failed (which
  are then still pending: exit 3, a plan after it still has the change).
- export and trust check, which need no password answer, probe nobody; a
  watch pass probes its own cluster's users, not those of the clusters it
  reads for their transport addresses.
- --probe-parallel is parsed and checked (bad values: exit 64 and a clear
  message) and limits the probes in flight: with hung authentications, the
  emulator sees exactly that many at once.

Standard library only; tests/lib/esrtest.py starts the emulators.
Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import collections
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, Emulator, Suite, connection_block, expect  # noqa: E402

suite = Suite()
check = suite.check
emu = None  # the emulated cluster "local" the tests share

PASSWORD = "probe-password-1"
AUTHENTICATE = "/_security/_authenticate"


def esr(emu, *args):
    return emu.run(*args, env={"PROBE_PASSWORD": PASSWORD}, stdin="")


def desired(emu, names, extra_policy=""):
    users = "".join("    %s: { password: \"${PROBE_PASSWORD}\", roles: [probe-role], full_name: \"%s\" }\n"
                    % (n, n) for n in names)
    return emu.write("probes.yaml", "version: 1\n" + connection_block(["local"]) +
                     "roles:\n  local:\n    probe-role: { cluster: [monitor] }\n"
                     "users:\n  local:\n" + users +
                     "policy:\n  password_check: probe\n" + extra_policy)


def probes(emu):
    """How many times each user was authenticated as, in the log since it was cleared."""
    return collections.Counter(r["user"] for r in emu.requests() if r["path"] == AUTHENTICATE)


def changes(result):
    """(action, name) of each change of a JSON plan, sorted."""
    return sorted((c["action"], c["name"]) for cl in result.json["clusters"].values() for c in cl["changes"])


def ok(emu, method, path, body=None):
    status, data = emu.es(method, path, body)
    if status >= 300:
        raise AssertionError("%s %s -> %s %s" % (method, path, status, data))
    return data


def logs_in(emu, user, password):
    status, _ = emu.es("GET", AUTHENTICATE, auth=(user, password))
    return status == 200


NAMES = ["u-same", "u-password", "u-name", "u-new", "u-fail"]


def drifted(emu):
    """Every user applied, then changed by hand: u-password and u-fail have
    another password, u-name another full name, u-new is gone."""
    emu.reset()
    path = desired(emu, NAMES)
    expect(esr(emu, "apply", "-f", path, "--auto-approve"), 0, "first apply")
    for name in ("u-password", "u-fail"):
        ok(emu, "POST", "/_security/user/%s/_password" % name, {"password": "changed-by-hand"})
    user = ok(emu, "GET", "/_security/user/u-name")["u-name"]
    user["full_name"] = "changed by hand"
    ok(emu, "PUT", "/_security/user/u-name", user)
    ok(emu, "DELETE", "/_security/user/u-new")
    emu.clear_requests()
    return path


def test_plan_probes_each_existing_user_once():
    path = drifted(emu)
    r = expect(esr(emu, "plan", "-f", path, "-o", "json"), 2, "plan with drift")
    counted = probes(emu)
    check(counted == {"u-same": 1, "u-password": 1, "u-name": 1, "u-fail": 1}, counted)
    check(changes(r) == [("create", "u-new"), ("update", "u-fail"), ("update", "u-name"), ("update", "u-password")],
          changes(r))


def test_verification_probes_only_what_apply_wrote_without_its_password():
    path = drifted(emu)
    expect(esr(emu, "apply", "-f", path, "--auto-approve"), 0, "apply of the drift")
    counted = probes(emu)
    # u-same and u-password/u-fail/u-new: the first read's answer stands, or
    # apply set the password; u-name was written without it: asked again
    check(counted == {"u-same": 1, "u-password": 1, "u-fail": 1, "u-name": 2}, counted)
    for name in NAMES:
        check(logs_in(emu, name, PASSWORD), "%s cannot log in with the declared password" % name)
    emu.clear_requests()
    expect(esr(emu, "plan", "-f", path), 0, "plan after apply")
    check(probes(emu) == {n: 1 for n in NAMES}, probes(emu))


def test_a_failed_password_write_is_probed_again():
    path = drifted(emu)
    emu.control("POST", "/_emulator/faults", {"method": "POST", "path": "/_security/user/u-fail/_password",
                                               "action": "status", "status": 500, "count": -1})
    r = expect(esr(emu, "apply", "-f", path, "--auto-approve"), 3, "apply with a failed password write")
    check("u-fail" in r.stdout + r.stderr, r)
    counted = probes(emu)
    check(counted == {"u-same": 1, "u-password": 1, "u-name": 2, "u-fail": 2}, counted)
    check(not logs_in(emu, "u-fail", PASSWORD), "u-fail logs in although its write failed")
    emu.control("DELETE", "/_emulator/faults")
    r = expect(esr(emu, "plan", "-f", path, "-o", "json"), 2, "plan after the failed write")
    check(changes(r) == [("update", "u-fail")], changes(r))
    expect(esr(emu, "apply", "-f", path, "--auto-approve"), 0, "apply again")
    expect(esr(emu, "plan", "-f", path), 0, "plan after converging")


def test_export_and_trust_check_do_not_probe():
    path = drifted(emu)
    r = expect(esr(emu, "export", "-f", path, "--cluster", "local"), 0, "export")
    check("u-same" in r.stdout, r)
    r = esr(emu, "trust", "check", "-f", path)
    check(r.rc in (0, 1), r)
    check(not probes(emu), probes(emu))


def test_a_watch_pass_probes_only_its_own_cluster():
    """local's remote points at cluster_one without seeds: local's pass reads
    cluster_one for its transport addresses, and leaves its users alone."""
    pair = Emulator(("local", "cluster_one"))
    try:
        users = "".join("    %s: { password: \"${PROBE_PASSWORD}\", roles: [probe-role] }\n" % n
                        for n in ("w-1", "w-2"))
        path = pair.write("pair.yaml", "version: 1\n" + connection_block(["local", "cluster_one"]) +
                          "remotes:\n  local:\n    one: { mode: sniff, cluster: cluster_one, skip_unavailable: true }\n"
                          "roles:\n  local:\n    probe-role: { cluster: [monitor] }\n"
                          "  cluster_one:\n    probe-role: { cluster: [monitor] }\n"
                          "users:\n  local:\n" + users + "  cluster_one:\n" + users +
                          "policy:\n  password_check: probe\n")
        expect(pair.run("apply", "-f", path, "--auto-approve", "--wait", "0",
                        env={"PROBE_PASSWORD": PASSWORD}, stdin=""), 0, "apply")
        pair.clear_requests()
        proc = subprocess.Popen([ESR, "watch", "-f", path, "--cluster", "local", "--detect-only", "--interval", "1h",
                                 "--log-format", "json", "-v"], env=pair.env({"PROBE_PASSWORD": PASSWORD}),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                universal_newlines=True)
        guard = threading.Timer(60, proc.kill)  # a watch that never ends its cycle fails, not hangs
        guard.start()
        try:
            cycle = None
            for line in proc.stderr:
                if '"cycle_end"' in line:
                    cycle = line
                    break
        finally:
            guard.cancel()
            proc.terminate()
            proc.wait(30)
        check(cycle, "watch ended no cycle")
        local = [r["user"] for r in pair.requests("local") if r["path"] == AUTHENTICATE]
        far = pair.requests("cluster_one")
        check(sorted(local) == ["w-1", "w-2"], local)
        check(any(r["path"] == "/_nodes/transport" for r in far), [r["path"] for r in far])
        check(not [r for r in far if r["path"] == AUTHENTICATE], [r["user"] for r in far])
    finally:
        pair.stop()


def test_probe_parallel_rejects_bad_values():
    path = desired(emu, ["u-same"])
    for command in ("plan", "apply", "watch"):
        for bad in ("0", "-1", "1025", "abc", "4x", ""):
            r = expect(esr(emu, command, "-f", path, "--probe-parallel", bad), 64, "%s %r" % (command, bad))
            check("--probe-parallel takes a number from 1 to 1024, not '%s'" % bad in r.stderr, r)
        expect(esr(emu, command, "-f", path, "--probe-parallel"), 64, command + " without a value")
        r = expect(esr(emu, command, "--help"), 0, command + " --help")
        check("--probe-parallel N" in r.stdout, r.stdout)


def hung_at_once(path, width):
    """Runs a plan with every authentication hung, and returns how many the
    emulator holds at once once no more arrive; then lets them go."""
    emu.control("POST", "/_emulator/faults", {"path": AUTHENTICATE, "action": "hang", "seconds": 30,
                                               "count": -1})
    proc = subprocess.Popen([ESR, "plan", "-f", path, "--probe-parallel", str(width)],
                            env=emu.env({"PROBE_PASSWORD": PASSWORD}), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        fired, seen, deadline = 0, [], time.time() + 20
        # until the count stops growing: no probe goes out while `width` hang
        while time.time() < deadline and (len(seen) < 5 or len(set(seen[-5:])) > 1 or not fired):
            time.sleep(0.2)
            fired = emu.control("GET", "/_emulator/faults")["faults"][0].get("fired", 0)
            seen.append(fired)
        return fired
    finally:
        emu.control("DELETE", "/_emulator/faults")
        proc.wait(60)


def test_probe_parallel_limits_the_probes_in_flight():
    emu.reset()
    names = ["u-%d" % i for i in range(8)]
    path = desired(emu, names)
    expect(esr(emu, "apply", "-f", path, "--auto-approve"), 0, "apply")
    for width, expected in ((1, 1), (3, 3), (32, 8)):
        got = hung_at_once(path, width)
        check(got == expected, "--probe-parallel %d: %d authentications at once, not %d" % (width, got, expected))
    # and with one probe or many, the same (empty) plan
    for width in ("1", "64"):
        emu.clear_requests()
        expect(esr(emu, "plan", "-f", path, "--probe-parallel", width), 0, "plan --probe-parallel " + width)
        check(probes(emu) == {n: 1 for n in names}, probes(emu))


TESTS = [
    test_plan_probes_each_existing_user_once,
    test_verification_probes_only_what_apply_wrote_without_its_password,
    test_a_failed_password_write_is_probed_again,
    test_export_and_trust_check_do_not_probe,
    test_a_watch_pass_probes_only_its_own_cluster,
    test_probe_parallel_rejects_bad_values,
    test_probe_parallel_limits_the_probes_in_flight,
]


def main():
    global emu
    if not os.access(ESR, os.X_OK):
        print("esreconcile binary not found at %s" % ESR)
        print("0 passed, 1 failed")
        sys.exit(1)
    suite.require_emulator("counts the emulator's request log and uses its faults")
    emu = Emulator(("local",))
    try:
        for fn in TESTS:
            suite.test(fn)
    finally:
        emu.stop()
    suite.finish()


if __name__ == "__main__":
    main()
