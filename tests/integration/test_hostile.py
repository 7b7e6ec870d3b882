#!/usr/bin/env python3
"""Integration test: `esreconcile plan` and `apply` against hostile answers.

The emulator's faults stand in for a broken or hostile server or proxy: a slow
body, a redirect to another host, oversized headers and bodies, a TLS
handshake that never completes, invalid UTF-8 and escape sequences in names
and error reasons, a JSON answer labelled text/html, a proxy's HTML page. For
each, what a user needs: the run ends in bounded time (per-request timeout and
retries), the error names the cluster and the request, the exit code is the
documented one, nothing is half-applied, no redirect is followed, and
whatever the server sent reaches the terminal escaped and the JSON outputs as
valid UTF-8.

Standard library only. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure. Names of tests given as
arguments run only those.
"""

import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import unquote

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, Emulator, Suite, connection_block, is_write  # noqa: E402

suite = Suite()
check = suite.check
ESC = "\u001b[2J\u001b]0;pwned\u0007"  # clear the screen, set the window title
MANAGED = {"managed_by": "esreconcile"}
# An always-failing request: attempts x timeout + the backoffs between them (about 3 s), with room
# for a loaded machine; a hang would run into the subprocess timeout instead.
BOUND_S = 20


class Run:
    """One esreconcile run: rc, the raw bytes of stdout and stderr, their text (strict UTF-8:
    invalid UTF-8 on either stream fails the test), stdout as JSON when it parses, elapsed."""

    def __init__(self, args, p, elapsed):
        self.args = args
        self.rc = p.returncode
        self.raw_out = p.stdout
        self.raw_err = p.stderr
        self.elapsed = elapsed
        try:
            self.out = p.stdout.decode("utf-8")
            self.err = p.stderr.decode("utf-8")
        except UnicodeDecodeError as e:
            raise AssertionError("%s: output is not valid UTF-8 (%s): %r %r" % (args, e, p.stdout[:2000],
                                                                                 p.stderr[:2000]))
        try:
            self.json = json.loads(self.out)
        except ValueError:
            self.json = None

    def __repr__(self):
        return "esreconcile %s: rc=%d in %.1f s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.args[:1]), self.rc, self.elapsed, self.out[-3000:], self.err[-3000:])


def esr(*args):
    t0 = time.monotonic()
    p = subprocess.run([ESR] + list(args), env=EMU.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return Run(args, p, time.monotonic() - t0)


def desired(timeout="5s", name="d.yaml"):
    """Role r1, user u1 (role r1) and remote far (to cluster one) on local, pruning what it owns."""
    text = connection_block(["local"]) + "    timeout: %s\n" % timeout
    return EMU.write(name, "version: 1\n" + text + """roles:
  local:
    r1: { cluster: [monitor] }
users:
  local:
    u1: { password: "${CCU_PASSWORD}", roles: [r1] }
remotes:
  local:
    far: { mode: sniff, seeds: ["%s"], skip_unavailable: true }
policy:
  prune: { remotes: managed, roles: managed, users: managed }
""" % EMU.info["one"]["transport_address"])


def reset():
    for cid in EMU.info:
        EMU.control("DELETE", "/_emulator/faults", cluster=cid)
        EMU.control("DELETE", "/_emulator/state", cluster=cid)
        EMU.control("DELETE", "/_emulator/requests", cluster=cid)


def fault(*rules, cluster="local"):
    EMU.control("POST", "/_emulator/faults", list(rules), cluster=cluster)


def apply(path, *extra):
    return esr("apply", "-f", path, "--auto-approve", "--wait", "0s", "--no-color", *extra)


def converge(path):
    """The desired state applied, without faults; the request log cleared."""
    r = apply(path)
    check(r.rc == 0, "the clean apply converges: %r" % r)
    EMU.clear_requests()


def live():
    """(role r1 exists, user u1 exists, the local persistent settings)."""
    _, roles = EMU.es("GET", "/_security/role/r1")
    _, users = EMU.es("GET", "/_security/user/u1")
    _, settings = EMU.es("GET", "/_cluster/settings?flat_settings=true")
    return "r1" in (roles or {}), "u1" in (users or {}), settings["persistent"]


def writes(cluster="local"):
    return [(q["method"], q["path"]) for q in EMU.requests(cluster) if is_write(q)]


def bounded(r):
    check(r.elapsed < BOUND_S, "bounded time: %.1f s: %r" % (r.elapsed, r))


def names_request(r, method, path, cluster="local"):
    """The error on stderr names the cluster and the request."""
    check("cluster [%s] %s %s" % (cluster, method, path) in r.err,
          "the error names cluster [%s] and %s %s: %r" % (cluster, method, path, r))


def report(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise AssertionError("the report is not valid UTF-8 JSON (%s): %r" % (e, raw[:2000]))


def statuses(rep, cluster="local"):
    return {(c["kind"], c["name"]): c for c in rep["clusters"][cluster]["changes"]}


def no_raw_control(r):
    """Nothing but newlines and tabs below U+0020, no DEL, no C1 controls, on either stream."""
    for name, text in (("stdout", r.out), ("stderr", r.err)):
        bad = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        check(not bad, "a raw control character %r reached %s: %r" % (bad and bad.group(), name, r))


# The results of a few slow runs, shared by a test and the known-defect test beside it.
memo = {}


def once(key, fn):
    if key not in memo:
        memo[key] = fn()
    return memo[key]


EMU = Emulator(("local", "one"))
try:
    # ---------------- a slow body ----------------

    def slow_read():
        reset()
        fault({"action": "slow_body", "method": "GET", "path": "/_security/role", "count": -1,
               "chunk": 1, "interval_ms": 300})
        return esr("plan", "-f", desired("600ms"), "--no-color")

    @suite.test
    def slow_body_on_a_read_fails_the_plan_in_bounded_time():
        r = once("slow_read", slow_read)
        check(r.rc == 1, "exit 1: %r" % r)
        bounded(r)
        names_request(r, "GET", "/_security/role")
        check("timed out" in r.err, "the error says the request timed out: %r" % r)
        check("! cluster local" in r.out, "a problem in the plan: %r" % r)
        n = [q["path"] for q in EMU.requests()].count("/_security/role")
        check(2 <= n <= 5, "a read that timed out is retried, a bounded number of times: %d" % n)
        check(writes() == [], "plan wrote nothing: %s" % writes())

    @suite.test
    def slow_body_once_is_retried():
        reset()
        path = desired("600ms")
        converge(path)
        fault({"action": "slow_body", "method": "GET", "path": "/_security/role", "chunk": 1,
               "interval_ms": 300})
        r = esr("plan", "-f", path, "--no-color")
        check(r.rc == 0, "in sync once the retry got the answer: %r" % r)
        check([q["path"] for q in EMU.requests()].count("/_security/role") == 2, "retried once")

    def slow_write():
        reset()
        fault({"action": "slow_body", "method": "POST", "path": "/_security/role", "count": -1,
               "chunk": 1, "interval_ms": 300})
        rep = os.path.join(EMU.dir, "slow-write.json")
        r = apply(desired("600ms"), "--report", rep)
        return r, report(rep), live(), writes()

    @suite.test
    def slow_body_on_a_write_stops_the_cluster_in_bounded_time():
        r, rep, _, sent = once("slow_write", slow_write)
        bounded(r)
        names_request(r, "POST", "/_security/role")
        s = statuses(rep)
        # the write got no answer in time, yet landed: apply's fresh read settles it as applied
        check(s[("role", "r1")]["status"] == "applied", "r1 settled by the read after: %s" % s[("role", "r1")])
        check("timed out" in r.err, "the timeout is reported: %r" % r)
        for key in (("user", "u1"), ("remote", "far")):
            check(s[key]["status"] == "skipped", "%s skipped after the cluster stopped answering: %s"
                  % (key, s[key]))
        check(set(sent) == {("POST", "/_security/role")}, "nothing sent after the failed step: %s" % sent)
        check(rep["converged"] is False, "not converged")

    @suite.test
    def slow_body_on_a_write_that_landed_is_not_reported_as_nothing_applied():
        r, rep, (has_role, _, _), _ = once("slow_write", slow_write)
        check(has_role, "the emulator handled the write (precondition)")
        check(r.rc == 3, "exit 3 (partly applied): the role was created; exit 1 says nothing was: %r" % r)

    # ---------------- a redirect ----------------

    @suite.test
    def redirect_on_a_read_is_not_followed():
        reset()
        other = EMU.info["one"]["url"]
        fault({"action": "redirect", "method": "GET", "path": "/", "count": -1, "location": other + "{target}"})
        r = esr("plan", "-f", desired(), "--no-color")
        check(r.rc == 1, "exit 1: %r" % r)
        names_request(r, "GET", "/")
        check("HTTP 302" in r.err, "the 3xx is reported: %r" % r)
        check(EMU.requests("one") == [], "the redirect was followed to another host: %s" % EMU.requests("one"))
        check([q["path"] for q in EMU.requests()] == ["/"], "a redirect is not retried: %s" % EMU.requests())

    @suite.test
    def redirect_on_a_write_is_not_followed_and_reported():
        reset()
        other = EMU.info["one"]["url"]
        fault({"action": "redirect", "method": "PUT", "path": "/_cluster/settings", "status": 307,
               "count": -1, "location": other + "{target}"})
        rep_path = os.path.join(EMU.dir, "redirect.json")
        r = apply(desired(), "--report", rep_path)
        check(r.rc == 3, "exit 3: roles and users applied, the settings PUT failed: %r" % r)
        s = statuses(report(rep_path))
        far = s[("remote", "far")]
        check(far["status"] == "failed" and far["error"]["status"] == 307, "far failed with 307: %s" % far)
        check(s[("role", "r1")]["status"] == "applied" and s[("user", "u1")]["status"] == "applied", s)
        check("HTTP 307" in r.out, "the 307 is shown: %r" % r)
        check(live()[2] == {}, "no setting written: %s" % (live()[2],))
        check(EMU.requests("one") == [], "the redirect was followed to another host: %s" % EMU.requests("one"))

    # ---------------- oversized bodies and headers ----------------

    @suite.test
    def oversized_body_on_a_read_is_refused():
        reset()
        fault({"action": "oversized", "method": "GET", "path": "/_security/user", "size": (64 << 20) + 1})
        r = esr("plan", "-f", desired(), "--no-color")
        check(r.rc == 1, "exit 1: %r" % r)
        bounded(r)
        check("response from cluster [local] GET /_security/user exceeds 67108864 bytes" in r.err, repr(r))
        check([q["path"] for q in EMU.requests()].count("/_security/user") == 1, "not retried")

    @suite.test
    def oversized_body_on_a_write_leaves_nothing_half_applied():
        reset()
        fault({"action": "oversized", "method": "POST", "path": "/_security/role", "size": (64 << 20) + 1})
        rep_path = os.path.join(EMU.dir, "oversized.json")
        r = apply(desired(), "--report", rep_path)
        check(r.rc == 1, "exit 1 (nothing applied): %r" % r)
        s = statuses(report(rep_path))
        check(s[("role", "r1")]["status"] == "failed" and "exceeds" in s[("role", "r1")]["error"]["reason"],
              s[("role", "r1")])
        check(s[("user", "u1")]["status"] == "skipped" and s[("remote", "far")]["status"] == "skipped", s)
        check(live() == (False, False, {}), "nothing written: %s" % (live(),))
        check(writes() == [("POST", "/_security/role")], writes())

    def big_header_line():
        reset()
        fault({"action": "oversized_headers", "method": "GET", "path": "/_security/user", "count": -1,
               "size": 200000})
        return esr("plan", "-f", desired(), "--no-color"), [q["path"] for q in EMU.requests()]

    def big_headers():
        reset()
        fault({"action": "oversized_headers", "method": "GET", "path": "/_security/user", "count": -1,
               "size": 1 << 20, "line": 4096})
        return esr("plan", "-f", desired(), "--no-color"), [q["path"] for q in EMU.requests()]

    @suite.test
    def oversized_headers_are_refused():
        for key, fn in (("big_header_line", big_header_line), ("big_headers", big_headers)):
            r, _ = once(key, fn)
            check(r.rc == 1, "%s: exit 1: %r" % (key, r))
            bounded(r)
            names_request(r, "GET", "/_security/user")

    @suite.test
    def answers_that_arrived_are_not_described_as_unreachable():
        problems = []
        for key, fn in (("big_header_line", big_header_line), ("big_headers", big_headers)):
            r, paths = once(key, fn)
            if "header" not in r.err.lower():
                problems.append("%s: the error does not say the headers are too large: %s" % (key, r.err.strip()))
            if "cannot reach" in r.err or "Out of memory" in r.err:
                problems.append("%s: %s" % (key, r.err.strip()))
            if paths.count("/_security/user") != 1:
                problems.append("%s: an oversized answer was retried (%d requests)"
                                % (key, paths.count("/_security/user")))
        r = once("slow_read", slow_read)
        if "cannot reach" in r.err:
            problems.append("slow body: %s" % r.err.strip())
        check(not problems, "\n".join(problems))

    # ---------------- a TLS stall ----------------

    @suite.test
    def tls_stall_fails_the_plan_in_bounded_time():
        reset()
        path = desired("600ms")
        EMU.requests()  # the test's control connection is open before the stall is armed
        fault({"action": "tls_stall", "count": -1, "seconds": 60})
        try:
            r = esr("plan", "-f", path, "--no-color")
        finally:
            EMU.control("DELETE", "/_emulator/faults")
        check(r.rc == 1, "exit 1: %r" % r)
        bounded(r)
        names_request(r, "GET", "/")
        check("timed out" in r.err, repr(r))
        check(EMU.requests() == [], "no request got through: %s" % EMU.requests())

    @suite.test
    def tls_stall_once_is_retried_and_apply_converges():
        reset()
        path = desired("600ms")
        EMU.requests()
        fault({"action": "tls_stall", "seconds": 60})
        r = apply(path)
        fired = EMU.control("GET", "/_emulator/faults")["faults"][0].get("fired")
        check(fired == 1, "one connection stalled: %s" % fired)
        check(r.rc == 0, "converged after one stalled connection: %r" % r)
        check(live()[:2] == (True, True), live())

    # ---------------- invalid UTF-8 ----------------

    def bad_names():
        """A role and a user esreconcile owns, whose names arrive with a byte 0xff."""
        reset()
        EMU.es("PUT", "/_security/role/bad-INVALID_UTF8-role", {"cluster": ["monitor"], "metadata": MANAGED})
        EMU.es("PUT", "/_security/user/bad-INVALID_UTF8-user",
               {"password": "bad-user-password", "roles": ["bad-INVALID_UTF8-role"], "metadata": MANAGED})
        fault({"action": "invalid_utf8", "method": "GET", "path_regex": "^/_security/(role|user)$", "count": -1})

    @suite.test
    def invalid_utf8_in_names_gives_valid_json_and_escaped_text():
        bad_names()
        path = desired()
        r = esr("plan", "-f", path, "-o", "json")  # Run checks that both streams are valid UTF-8
        check(r.json is not None, "plan -o json printed valid JSON: %r" % r)
        names = [c["name"] for c in r.json["clusters"]["local"]["changes"]]
        check(any(n.startswith("bad-") and n.endswith("-role") for n in names), names)
        t = esr("plan", "-f", path, "--no-color")
        check(t.rc in (1, 2), repr(t))
        check("bad-\\xff-role" in t.out and "bad-\\xff-user" in t.out, "the byte is shown escaped: %r" % t)
        check(b"\xff" not in t.raw_out + t.raw_err, "a raw 0xff reached the terminal")
        saved = os.path.join(EMU.dir, "bad-names-plan.json")
        s = esr("plan", "-f", path, "--out", saved, "--no-color")
        check(s.rc in (1, 2), repr(s))
        report(saved)  # valid UTF-8 JSON

    @suite.test
    def invalid_utf8_names_are_never_sent_differently_from_the_plan():
        bad_names()
        path = desired()
        planned = esr("plan", "-f", path, "-o", "json")
        # the emulator logs paths percent-decoded
        shown = [(q["method"], unquote(q["path"]), q["body"]) for q in planned.json["clusters"]["local"]["requests"]]
        EMU.clear_requests()
        r = apply(path, "-o", "json")
        sent = [q for q in EMU.requests() if is_write(q)]
        problems = []
        for q in sent:
            if isinstance(q["body"], str):
                problems.append("%s %s: the body is not valid UTF-8 JSON: %r" % (q["method"], q["path"], q["body"]))
            elif "password" not in json.dumps(q["body"]) and (q["method"], q["path"], q["body"]) not in shown:
                problems.append("%s %s %s: not a request of the plan" % (q["method"], q["path"], q["body"]))
        check(not problems, "\n".join(problems) + "\n%r" % r)

    @suite.test
    def invalid_utf8_in_an_error_reason_gives_a_valid_report_and_escaped_text():
        reset()
        fault({"action": "invalid_utf8", "method": "PUT", "path": "/_security/user/*", "bytes": "c3 28",
               "count": -1, "status": 400,
               "body": {"error": {"type": "illegal_argument_exception", "reason": "bad INVALID_UTF8 reason"},
                        "status": 400}})
        rep_path = os.path.join(EMU.dir, "bad-reason.json")
        r = apply(desired(), "--report", rep_path)
        check(r.rc == 3, "exit 3: role and remote applied, the user failed: %r" % r)
        u1 = statuses(report(rep_path))[("user", "u1")]
        check(u1["status"] == "failed" and u1["error"]["status"] == 400, u1)
        check(u1["error"]["reason"].startswith("bad ") and u1["error"]["reason"].endswith(" reason"), u1)
        check("bad \\xc3( reason" in r.out, "the reason is shown escaped: %r" % r)
        j = apply(desired(), "-o", "json")
        check(j.json is not None, "apply -o json printed valid JSON: %r" % j)

    # ---------------- escape sequences ----------------

    @suite.test
    def escape_sequences_from_the_server_never_reach_the_terminal_raw():
        reset()
        roles = EMU.es("GET", "/_security/role")[1]
        roles["evil" + ESC] = {"cluster": ["monitor"], "indices": [], "applications": [], "run_as": [],
                               "metadata": {"managed_by": "esreconcile", "note": ESC},
                               "transient_metadata": {"enabled": True}}
        users = {"bad" + ESC: {"username": "bad" + ESC, "roles": ["evil" + ESC], "full_name": ESC, "email": None,
                               "metadata": MANAGED, "enabled": True}}
        error = {"error": {"type": "x" + ESC, "reason": "no " + ESC}, "status": 400}
        fault({"action": "status", "status": 200, "method": "GET", "path": "/_security/role", "body": roles,
               "count": -1},
              {"action": "status", "status": 200, "method": "GET", "path": "/_security/user", "body": users,
               "count": -1},
              {"action": "status", "status": 400, "method": "DELETE", "path": "/_security/user/*", "body": error,
               "count": -1},
              {"action": "status", "status": 400, "method": "PUT", "path": "/_cluster/settings", "body": error,
               "count": -1},
              {"action": "status", "status": 200, "method": "POST", "path": "/_security/role", "count": -1,
               "body": {"errors": {"count": 1, "details": {"r1": {"type": "x" + ESC, "reason": "no " + ESC}}}}},
              {"action": "status", "status": 200, "method": "DELETE", "path": "/_security/role", "count": -1,
               "body": {"errors": {"count": 1, "details": {"evil" + ESC: {"type": "x" + ESC,
                                                                          "reason": "no " + ESC}}}}})
        path = desired()
        rep_path = os.path.join(EMU.dir, "esc.json")
        runs = [esr("plan", "-f", path, "--no-color", "-vv"),
                esr("plan", "-f", path, "-o", "json", "--log-format", "json", "-vv"),
                apply(path, "--report", rep_path, "-vv"),
                apply(path, "-o", "json", "--log-format", "json", "-vv")]
        for r in runs:
            no_raw_control(r)
        check(runs[0].rc == 2 and "- role evil\\u001b[2J\\u001b]0;pwned\\u0007" in runs[0].out,
              "the role name is shown escaped: %r" % runs[0])
        check("- user bad\\u001b[2J" in runs[0].out, repr(runs[0]))
        check(runs[2].rc == 1, "apply: every change failed, exit 1: %r" % runs[2])
        check("no \\u001b[2J" in runs[2].out, "the error reason is shown escaped: %r" % runs[2])
        s = statuses(report(rep_path))
        check(("role", "evil" + ESC) in s, "the report keeps the name, JSON-escaped: %s" % list(s))
        check(s[("role", "r1")]["error"]["reason"] == "no " + ESC, s[("role", "r1")])
        # the same text in the error of a read
        EMU.control("DELETE", "/_emulator/faults")
        fault({"action": "status", "status": 500, "method": "GET", "path": "/_security/user", "body": error,
               "count": -1})
        r = esr("plan", "-f", path, "--no-color")
        check(r.rc == 1, repr(r))
        names_request(r, "GET", "/_security/user")
        no_raw_control(r)

    # ---------------- a wrong Content-Type, a proxy's page ----------------

    @suite.test
    def an_html_page_on_a_read_is_refused():
        reset()
        fault({"action": "status", "status": 200, "method": "GET", "path": "/_security/role", "count": -1,
               "body": "<html><body><form>Sign in to the proxy</form></body></html>",
               "headers": {}})
        r = esr("plan", "-f", desired(), "--no-color")
        check(r.rc == 1, "exit 1: %r" % r)
        names_request(r, "GET", "/_security/role")
        check("not a JSON object" in r.err, repr(r))

    @suite.test
    def a_json_answer_labelled_text_html_is_not_used():
        reset()
        path = desired()
        converge(path)
        problems = []
        for rule in ({"action": "content_type", "method": "GET", "path": "/_security/role", "count": -1},
                     {"action": "content_type", "method": "GET", "path": "/_security/role", "count": -1,
                      "body": "{}"}):
            EMU.control("DELETE", "/_emulator/faults")
            fault(rule)
            r = esr("plan", "-f", path, "--no-color")
            if r.rc != 1 or "cluster [local] GET /_security/role" not in r.err or "text/html" not in r.err:
                problems.append("%s: exit %d, want 1 with an error naming the request and text/html:\n%s%s"
                                % ("body {}" if "body" in rule else "the real answer", r.rc, r.out, r.err))
        check(not problems, "\n".join(problems))

    @suite.test
    def a_proxy_page_to_a_write_is_not_counted_as_applied():
        problems = []
        for rule, key in (({"action": "status", "status": 200, "method": "PUT", "path": "/_security/user/*",
                            "body": "<html><body>Sign in to the proxy</body></html>"}, ("user", "u1")),
                          ({"action": "content_type", "method": "POST", "path": "/_security/role",
                            "body": {"created": ["r1"]}}, ("role", "r1"))):
            reset()
            fault(rule)
            rep_path = os.path.join(EMU.dir, "proxy-page.json")
            r = apply(desired(), "--report", rep_path)
            c = statuses(report(rep_path))[key]
            if c["status"] == "applied":
                problems.append("%s %s was not written (the emulator did not handle it) but is `applied` "
                                "(exit %d)" % (key[0], key[1], r.rc))
        check(not problems, "\n".join(problems))
finally:
    EMU.stop()

suite.finish()
