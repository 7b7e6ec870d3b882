"""The /_emulator/ control API (only with --control): the request log, fault
rules and how they are acted out on the wire, seeding, hashes, state reset."""

import base64
import binascii
import copy
import fnmatch
import json
import re
import threading
import time

from .common import ESError, Handled, bad_request, parse_json_body, require_body
from .license import LicenseState
from .security import PBKDF2_ITERATIONS, bcrypt_hash, hash_password, parse_role, role_document


# Every fault action; tls_stall matches connections (see match_connection_fault), the
# others requests.
FAULT_ACTIONS = ("status", "retry_after", "delay", "reset_before", "reset_after", "hang", "malformed",
                 "oversized", "slow_body", "redirect", "oversized_headers", "tls_stall", "invalid_utf8",
                 "content_type")
CONNECTION_ACTIONS = ("tls_stall",)


def check_fault_rule(r):
    """Raises a 400 for a rule whose action or parameters cannot be acted out."""
    act = r["action"]
    if act in CONNECTION_ACTIONS:
        if r.get("method", "*") not in ("*", "", None) or r.get("path", "*") != "*" or "path_regex" in r:
            raise bad_request("a [%s] fault matches new connections, before any request: it takes no "
                              "method, path or path_regex" % act)
    if act == "invalid_utf8":
        try:
            if not bytes.fromhex(str(r.get("bytes", "ff"))):
                raise ValueError
        except ValueError:
            raise bad_request("invalid_utf8: [bytes] must be hexadecimal digits, e.g. \"ff\" or \"c3 28\"")
        if not str(r.get("marker", INVALID_UTF8_MARKER)):
            raise bad_request("invalid_utf8: [marker] must not be empty")
    for key in ("chunk", "interval_ms", "size", "line", "seconds", "ms", "status"):
        if key in r:
            try:
                v = float(r[key])
            except (TypeError, ValueError):
                raise bad_request("fault parameter [%s] must be a number" % key)
            if v < 0 or (key in ("chunk", "line") and v < 1):
                raise bad_request("fault parameter [%s] is out of range" % key)


INVALID_UTF8_MARKER = "INVALID_UTF8"


class ControlMixin:
    """The Emulator's /_emulator/ control API (request log, faults, seed, hash,
    info, state) and the matching of fault rules."""

    # ---------------- fault injection ----------------
    def match_fault(self, cluster, req):
        with cluster.lock:
            for rule in cluster.faults:
                if rule["count"] == 0 or rule["action"] in CONNECTION_ACTIONS:
                    continue
                m = rule.get("method", "*")
                if m not in ("*", "", None) and m.upper() != req.method:
                    continue
                if "path_regex" in rule:
                    if not re.search(rule["path_regex"], req.path):
                        continue
                elif not fnmatch.fnmatchcase(req.path, rule.get("path", "*")):
                    continue
                if rule["count"] > 0:
                    rule["count"] -= 1
                rule["fired"] = rule.get("fired", 0) + 1
                return rule
        return None

    def match_connection_fault(self, cluster):
        """The first connection rule (tls_stall) with a count left, counted down; or None."""
        with cluster.lock:
            for rule in cluster.faults:
                if rule["count"] == 0 or rule["action"] not in CONNECTION_ACTIONS:
                    continue
                if rule["count"] > 0:
                    rule["count"] -= 1
                rule["fired"] = rule.get("fired", 0) + 1
                return rule
        return None

    # ---------------- control API ----------------
    def control_api(self, cluster, req):
        try:
            status, body = self._control(cluster, req)
        except ESError as e:
            status, body = e.status, e.body()
        except Exception as e:
            status, body = 500, ESError(500, "exception", "emulator control error: %s" % e).body()
        finally:
            # seed, state reset, faults: the cached answers are stale. Clearing the request log
            # changes no answer, and the benchmarks clear it before each run they measure.
            if req.method != "GET" and req.path.rstrip("/") != "/_emulator/requests":
                cluster.state_changed()
        return status, [], json.dumps(body).encode()

    def _control(self, cluster, req):
        p = req.path.rstrip("/")
        m = req.method
        if p == "/_emulator/requests":
            if m == "GET":
                with cluster.lock:
                    items = list(cluster.requests)
                return 200, [log_entry(r) for r in items]
            if m == "DELETE":
                with cluster.lock:
                    n = len(cluster.requests)
                    cluster.requests.clear()
                return 200, {"cleared": n}
        elif p == "/_emulator/faults":
            if m == "GET":
                with cluster.lock:
                    return 200, {"faults": copy.deepcopy(cluster.faults)}
            if m == "POST":
                body = require_body(req.body)
                rules = body.get("faults", body.get("rules")) if isinstance(body, dict) and \
                    ("faults" in body or "rules" in body) else body
                if isinstance(rules, dict):
                    rules = [rules]
                if not isinstance(rules, list):
                    raise bad_request("faults must be a rule object or an array of rules")
                clean = []
                for r in rules:
                    if not isinstance(r, dict):
                        raise bad_request("a fault rule must be an object")
                    r = dict(r)
                    act = r.get("action", "status")
                    if act not in FAULT_ACTIONS:
                        raise bad_request("unknown fault action [%s]" % act)
                    r["action"] = act
                    check_fault_rule(r)
                    c = r.get("count", 1)
                    r["count"] = -1 if c is None else int(c)
                    if "path_regex" in r:
                        re.compile(r["path_regex"])
                    clean.append(r)
                with cluster.lock:
                    if cluster.fault_release.is_set():
                        cluster.fault_release = threading.Event()
                    cluster.faults.extend(clean)
                    return 200, {"acknowledged": True, "faults": len(cluster.faults)}
            if m == "DELETE":
                with cluster.lock:
                    cluster.faults = []
                    cluster.fault_release.set()
                return 200, {"acknowledged": True}
        elif p == "/_emulator/seed" and m in ("POST", "PUT"):
            body = parse_json_body(req.body) or {}
            return 200, self.seed(cluster, body)
        elif p == "/_emulator/hash" and m == "POST":
            body = require_body(req.body)
            algo = body.get("algorithm", "pbkdf2")
            if algo == "bcrypt":
                return 200, {"hash": bcrypt_hash(body["password"], int(body.get("cost", 10)))}
            if algo not in ("pbkdf2", "pbkdf2_stretch"):
                raise bad_request("algorithm must be pbkdf2, pbkdf2_stretch or bcrypt")
            return 200, {"hash": hash_password(body["password"], int(body.get("iterations", PBKDF2_ITERATIONS)),
                                               stretch=algo == "pbkdf2_stretch")}
        elif p == "/_emulator/keystore" and m in ("POST", "PUT"):
            return 200, self.keystore_update(cluster, require_body(req.body))
        elif p == "/_emulator/info" and m == "GET":
            return 200, {"name": cluster.name, "version": cluster.version, "http_port": cluster.http_port,
                         "transport_port": cluster.transport_port, "remote_cluster_server_port": cluster.rcs_port,
                         "roles": len(cluster.roles),
                         "users": len(cluster.users), "requests_logged": len(cluster.requests)}
        elif p == "/_emulator/state" and m == "DELETE":
            with cluster.lock:
                old_remotes = cluster.remotes()
                cluster.persistent = {}
                cluster.transient = {}
                changed = cluster.remote_changes(old_remotes)
                cluster.roles = {}
                cluster.users = {}
                cluster.api_keys = {}
                cluster.keystore = {}
                cluster.secure = {}
                cluster.auth_cache = {}
                cluster.license = LicenseState(cluster.name, getattr(self.args, "license", "basic") or "basic")
            self.await_remote_connections(cluster, changed)
            return 200, {"acknowledged": True}
        raise ESError(404, "resource_not_found_exception", "unknown emulator control endpoint [%s %s]" % (m, p))

    def seed(self, cluster, body):
        prefix = body.get("prefix", "bench")
        nroles = int(body.get("roles", 0))
        nusers = int(body.get("users", 0))
        nrem = int(body.get("remotes", 0))
        password = body.get("password", "bench-password")
        h = hash_password(password)  # one hash shared by every seeded user: seeding stays fast
        with cluster.lock:
            for i in range(nroles):
                name = "%s-role-%d" % (prefix, i)
                cluster.roles[name] = role_document(parse_role(name, {
                    "cluster": ["monitor"],
                    "indices": [{"names": ["%s-index-%d-*" % (prefix, i)], "privileges": ["read", "view_index_metadata"]}],
                    "metadata": {"seeded": True}}, cluster.version))
            for i in range(nusers):
                name = "%s-user-%d" % (prefix, i)
                cluster.users[name] = {"username": name, "roles": ["%s-role-%d" % (prefix, i % max(nroles, 1))]
                                       if nroles else [], "full_name": "Bench user %d" % i, "email": None,
                                       "metadata": {"seeded": True}, "enabled": True, "hash": h}
            seeds_from = body.get("remote_address") or "127.0.0.1:%d" % cluster.transport_port
            old_remotes = cluster.remotes()
            for i in range(nrem):
                a = "%s_remote_%d" % (prefix, i)
                cluster.persistent["cluster.remote.%s.mode" % a] = "sniff"
                cluster.persistent["cluster.remote.%s.seeds" % a] = [seeds_from]
                cluster.persistent["cluster.remote.%s.skip_unavailable" % a] = "true"
            changed = cluster.remote_changes(old_remotes)
        self.await_remote_connections(cluster, changed)  # as a settings PUT would
        return {"roles": nroles, "users": nusers, "remotes": nrem, "prefix": prefix, "password": password}


def basic_username(value):
    """The user name of a Basic Authorization header (never the password), or None."""
    scheme, _, token = (value or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None


def log_entry(r):
    body = None
    if r.body:
        try:
            body = json.loads(r.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            body = r.body.decode("utf-8", "replace")
    hdrs = {}
    user = None
    for k, v in r.raw_headers:
        if k.lower() == "authorization":
            user = basic_username(v)
        if k.lower() in ("authorization", "proxy-authorization"):
            continue
        hdrs[k] = v
    return {"method": r.method, "path": r.path, "target": r.target, "query": r.query, "params": dict(r.params),
            "headers": hdrs, "user": user, "body": body}


def fault_answer(conn, req, cluster, fault):
    """The answer a fault reshapes: its own "status" and "body" when it has a body, else the
    request handled as usual (its effect applied). Returns (status, headers, bytes)."""
    if "body" in fault:
        body = fault["body"]
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return int(fault.get("status", 200)), [], data
    return conn.server.emu.dispatch(cluster, req)


def stall_connection(sock, cluster, fault):
    """A tls_stall fault: the TCP connection is accepted and the TLS handshake never
    answered, until the faults are cleared or "seconds" (default 60) pass; then closed."""
    cluster.fault_release.wait(min(float(fault.get("seconds", 60)), 600))
    try:
        sock.close()
    except OSError:
        pass


def serve_fault(conn, ssock, req, cluster, fault, keep):
    """Acts out a fault rule that matched req, on the ConnectionHandler conn. Returns
    None when the request is then handled as usual (delay, reset_after), else the
    keep-alive flag of the fault's own answer; raises Handled after a reset."""
    act = fault.get("action", "status")
    if act == "delay":
        time.sleep(float(fault.get("ms", 1000)) / 1000.0)
    elif act == "reset_before":
        conn.reset(ssock)
        raise Handled()
    elif act == "hang":
        cluster.fault_release.wait(min(float(fault.get("seconds", 60)), 600))
        conn.reset(ssock)
        raise Handled()
    elif act == "oversized":
        size = int(fault.get("size", 64 * 1024 * 1024))
        conn.send_oversized(ssock, size)
        return keep
    elif act == "malformed":
        data = fault.get("raw", '{"acknowledged": tru').encode()
        conn.send(ssock, req, int(fault.get("status", 200)), [], data, keep)
        return keep
    elif act == "redirect":
        status = int(fault.get("status", 302))
        location = str(fault.get("location", "https://example.invalid{target}")).replace("{target}", req.target)
        body = fault.get("body")
        if body is None:
            body = ("<html>\r\n<head><title>%d Moved</title></head>\r\n<body>\r\n<center><h1>%d Moved</h1>"
                    "</center>\r\n</body>\r\n</html>\r\n" % (status, status))
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        conn.send(ssock, req, status, [("Location", location)], data, keep,
                  content_type=fault.get("content_type", "text/html"), product=False)
        return keep
    elif act == "content_type":
        status, hdrs, data = fault_answer(conn, req, cluster, fault)
        conn.send(ssock, req, status, hdrs, data, keep,
                  content_type=fault.get("content_type", "text/html; charset=utf-8"))
        return keep
    elif act == "invalid_utf8":
        status, hdrs, data = fault_answer(conn, req, cluster, fault)
        marker = str(fault.get("marker", INVALID_UTF8_MARKER)).encode()
        data = data.replace(marker, bytes.fromhex(str(fault.get("bytes", "ff"))))
        conn.send(ssock, req, status, hdrs, data, keep)
        return keep
    elif act == "oversized_headers":
        status, hdrs, data = fault_answer(conn, req, cluster, fault)
        size = int(fault.get("size", 1024 * 1024))
        line = int(fault.get("line", size))
        hdrs = list(hdrs)
        i = 0
        while size > 0:
            name = "X-Emulator-Padding-%d" % i
            n = max(min(line, size) - len(name) - 4, 1)  # "name: value\r\n"
            hdrs.append((name, "x" * n))
            size -= n + len(name) + 4
            i += 1
        conn.send(ssock, req, status, hdrs, data, keep)
        return keep
    elif act == "slow_body":
        status, hdrs, data = fault_answer(conn, req, cluster, fault)
        chunk = int(fault.get("chunk", 1))
        interval = float(fault.get("interval_ms", 500)) / 1000.0
        release = cluster.fault_release
        ssock.sendall(conn.head(status, hdrs, len(data), keep))
        if req.method == "HEAD":
            return keep
        for i in range(0, len(data), chunk):
            ssock.sendall(data[i:i + chunk])
            if i + chunk < len(data) and not release.is_set():
                release.wait(interval)
        return keep
    elif act in ("status", "retry_after"):
        status = int(fault.get("status", 429 if act == "retry_after" else 500))
        hdrs = []
        if act == "retry_after":
            hdrs.append(("Retry-After", str(fault.get("seconds", 1))))
        body = fault.get("body")
        if body is None:
            if status == 429:
                body = ESError(429, "es_rejected_execution_exception", "rejected execution (emulated fault)").body()
            else:
                body = ESError(status, "emulated_fault_exception", "fault injected by the emulator").body()
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        for hk, hv in (fault.get("headers") or {}).items():
            hdrs.append((hk, str(hv)))
        conn.send(ssock, req, status, hdrs, data, keep)
        return keep
    return None
