#!/usr/bin/env python3
"""Writes hand-made seed inputs for the fuzz targets into a directory per target
(default build/fuzz/seeds/<name>/), from the golden plan cases' answers and the
emulator's answer shapes. The committed corpora (tests/fuzz/corpus/<name>/) are
these seeds plus what libFuzzer found, minimised with -merge=1:

  python3 tests/fuzz/make_seeds.py
  build/fuzz/fuzz_X -merge=1 tests/fuzz/corpus/X build/fuzz/seeds/X build/fuzz/new_X
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "tests", "plan_cases")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "seeds")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def es_error(status, etype, reason, caused_by=None):
    err = {"root_cause": [{"type": etype, "reason": reason}], "type": etype, "reason": reason}
    if caused_by:
        err["caused_by"] = caused_by
    return compact({"error": err, "status": status})


CERTS = [
    {"path": "certs/ca.crt", "format": "PEM", "alias": None, "subject_dn": "CN=local-ca, O=esreconcile-test",
     "serial_number": "1001", "has_private_key": False, "expiry": "2099-01-01T00:00:00.000Z",
     "issuer": "CN=local-ca,O=esreconcile-test"},
    {"path": "certs/one-ca.crt", "format": "PEM", "alias": None, "subject_dn": "CN=one-ca,O=esreconcile-test",
     "serial_number": "03ea", "has_private_key": False, "expiry": "2025-01-20T12:00:00.000Z",
     "issuer": "CN=one-ca,O=esreconcile-test"},
    {"path": "certs/node.crt", "format": "PEM", "alias": None, "subject_dn": "CN=node-1",
     "serial_number": "77", "has_private_key": True, "expiry": "2024-12-05T00:00:00.000Z",
     "issuer": "CN=local-ca,O=esreconcile-test"},
]
NODES = {"_nodes": {"total": 2, "successful": 2, "failed": 0}, "cluster_name": "local",
         "nodes": {"n1": {"name": "local-1", "transport": {"bound_address": ["0.0.0.0:9300"],
                                                          "publish_address": "local-1/10.0.0.1:9300"}},
                   "n2": {"name": "local-2", "transport": {"publish_address": "[::1]:9301"}}}}


def read_case(case):
    d = os.path.join(CASES, case, "live", "local")
    out = {}
    for n in ("root", "settings", "remote_info", "roles", "users"):
        p = os.path.join(d, n + ".json")
        if os.path.exists(p):
            with open(p) as f:
                out[n] = json.load(f)
    return out if "root" in out else None


def live_answers():
    order = ("root", "settings", "remote_info", "roles", "users")
    picked = ["001", "003", "004", "007", "008", "010", "012", "015", "016", "019", "020", "021", "025",
              "026", "027", "030", "031", "035", "036", "039", "043"]
    flags = 0
    for case in sorted(os.listdir(CASES)):
        if case[:3] not in picked:
            continue
        a = read_case(case)
        if not a:
            continue
        parts = [compact(a.get(n, {})) for n in order] + [compact(CERTS), compact(NODES)]
        write("live_answers", "seed-" + case, bytes([flags % 64]) + b"\0".join(p.encode() for p in parts))
        flags += 5
    # answers naming the objects of the target's own desired state (fuzz_live_answers.c)
    L = "cluster.metadata.esreconcile.remotes"
    root = {"name": "local-1", "cluster_name": "local", "version": {"number": "8.15.0", "build_flavor": "default"},
            "tagline": "You Know, for Search"}
    settings = {"persistent": {
        "cluster.remote.proxied.mode": "sniff", "cluster.remote.proxied.seeds": ["10.0.0.9:9300"],
        "cluster.remote.gone.seeds": ["10.0.0.8:9300"],
        "cluster.remote.one.seeds": ["10.0.1.1:9300"], "cluster.remote.one.transport.compress": "false",
        "cluster.remote.one.transport.ping_schedule": "1m",
        "cluster.remote.masked.seeds": ["10.0.0.7:9300"],
        "cluster.remote.stray.mode": "proxy", "cluster.remote.stray.proxy_address": "10.0.0.6:9400",
        L: "gone,stray"},
        "transient": {"cluster.remote.flipped.seeds": ["10.0.0.1:9300"],
                      "cluster.remote.flipped.skip_unavailable": "true"}}
    remote_info = {
        "proxied": {"connected": True, "mode": "sniff", "seeds": ["10.0.0.9:9300"], "num_nodes_connected": 1,
                    "max_connections_per_cluster": 3, "initial_connect_timeout": "30s", "skip_unavailable": True},
        "one": {"connected": False, "mode": "sniff", "seeds": ["10.0.1.1:9300"], "num_nodes_connected": 0,
                "max_connections_per_cluster": 3, "initial_connect_timeout": "30s", "skip_unavailable": True},
        "stray": {"connected": True, "mode": "proxy", "proxy_address": "10.0.0.6:9400", "server_name": "",
                  "num_proxy_sockets_connected": 18, "max_proxy_socket_connections": 18,
                  "initial_connect_timeout": "30s", "skip_unavailable": True},
        "from_yml": {"connected": True, "mode": "sniff", "seeds": ["10.9.9.9:9300"], "num_nodes_connected": 1,
                     "skip_unavailable": False}}
    meta = {"managed_by": "esreconcile"}
    role = lambda **kw: dict({"cluster": [], "indices": [], "applications": [], "run_as": [], "metadata": {},
                              "transient_metadata": {"enabled": True}}, **kw)
    roles = {
        "superuser": role(cluster=["all"], metadata={"_reserved": True}),
        "remote-replication": role(cluster=["manage_ccr"], indices=[{
            "names": ["follower-*"], "privileges": ["monitor", "read", "write", "manage_follow_index"],
            "allow_restricted_indices": False}], metadata=meta),
        "reader": role(cluster=["monitor"], indices=[{"names": ["logs-*"], "privileges": ["read"],
                                                      "field_security": {"grant": ["*"], "except": ["secret"]},
                                                      "query": "{\"term\":{\"team\":\"b\"}}",
                                                      "allow_restricted_indices": False}],
                       remote_indices=[{"clusters": ["one"], "names": ["logs-*"], "privileges": ["read"],
                                        "allow_restricted_indices": False}],
                       metadata={"owner": "ops", "managed_by": "esreconcile"}),
        "masked-role": role(cluster=["monitor"], run_as=["someone"], metadata=meta),
        "old-role": role(metadata=meta),
        "stray-role": role(cluster=["monitor"], metadata=meta),
        "their-role": role(cluster=["monitor"]),
    }
    user = lambda name, **kw: dict({"username": name, "roles": [], "full_name": None, "email": None,
                                    "metadata": {}, "enabled": True}, **kw)
    users = {
        "elastic": user("elastic", roles=["superuser"], metadata={"_reserved": True}),
        "kibana_system": user("kibana_system", roles=["kibana_system"], metadata={"_reserved": True}),
        "ccr-user": user("ccr-user", roles=["remote-replication"], full_name="Cross-cluster replication",
                         email="ccr@example.com", metadata={"team": "ops", "managed_by": "esreconcile"}),
        "hashed": user("hashed", roles=["reader", "other"], metadata=meta, enabled=False),
        "old-user": user("old-user", metadata=meta),
        "stray-user": user("stray-user", metadata=meta),
        "plugin-user": user("plugin-user", roles=["x"], metadata={"_reserved": True}),
    }
    own = [root, settings, remote_info, roles, users, CERTS, NODES]
    for flags in (0x00, 0x01, 0x02, 0x03, 0x04, 0x0d, 0x16, 0x2b):
        write("live_answers", "seed-own-%02x" % flags, bytes([flags]) + b"\0".join(compact(p).encode() for p in own))
    for name, ledger in (("number", 5), ("array", ["gone", "stray,one"]), ("object", {"a": 1}), ("null", None)):
        changed = json.loads(compact(settings))
        changed["persistent"][L] = ledger
        parts = [root, changed, remote_info, roles, users]
        write("live_answers", "seed-own-ledger-" + name, b"\0" + b"\0".join(compact(p).encode() for p in parts))
    # an answer naming an object twice, as raw JSON
    dup_roles = compact(roles)[:-1] + ',"reader":' + compact(roles["old-role"]) + "}"
    dup_users = compact(users)[:-1] + ',"hashed":' + compact(users["old-user"]) + "}"
    write("live_answers", "seed-own-duplicates", b"\0".join(
        [b"\0" + compact(root).encode(), compact(settings).encode(), compact(remote_info).encode(),
         dup_roles.encode(), dup_users.encode()]))
    # 8.14: roles go one PUT each
    old_root = dict(root, version={"number": "8.14.3"})
    write("live_answers", "seed-own-8.14", b"\x05" + b"\0".join(
        compact(p).encode() for p in [old_root, settings, remote_info, roles, users]))

    # unreachable local (bad root), an empty input, a 8.14 root, a non-object settings
    write("live_answers", "seed-no-version", b"\x00{\"name\":\"x\"}")
    write("live_answers", "seed-defaults", b"\x10")
    write("live_answers", "seed-settings-array", b"\x01{\"version\":{\"number\":\"7.17.0\"}}\0[]")


def apply_answer():
    bulk_ok = compact({"created": ["new-role"], "updated": ["reader"], "noop": ["same"]})
    bulk_err = compact({"created": ["new-role"], "errors": {"count": 1, "details": {
        "reader": {"type": "action_request_validation_exception",
                   "reason": "Validation Failed: 1: unknown cluster privilege [bogus];"}}}})
    bulk_del = compact({"deleted": ["old-role"], "not_found": ["gone-role"]})
    ack = compact({"acknowledged": True, "persistent": {}, "transient": {}})
    created = compact({"created": True})
    found = compact({"found": True})
    not_found = compact({"found": False})
    bad_setting = es_error(400, "illegal_argument_exception",
                           "persistent setting [cluster.remote.x.seeds], not recognized")
    parse_err = es_error(400, "x_content_parse_exception", "[1:2] [bulk_put_role_request_payload] unknown field [x]",
                         {"type": "json_parse_exception", "reason": "Unexpected character"})
    forbidden = es_error(403, "security_exception",
                         "action [cluster:admin/xpack/security/role/put] is unauthorized for user [bob]")
    unauth = es_error(401, "security_exception", "unable to authenticate user [elastic] for REST request [/]")
    method = compact({"error": "Incorrect HTTP method for uri [/_security/role] and method [POST], allowed: [GET]",
                      "status": 405})
    # sections: [status selector byte][body], separated by NUL; the order of the plan's requests
    # is roles write (bulk), user PUT new-user, user PUT second-user, settings, user delete,
    # roles delete (bulk)
    S = {200: 1, 201: 2, 400: 3, 401: 4, 403: 5, 404: 6, 405: 7, 409: 8, 429: 9, 500: 10, 502: 11, 503: 12}

    def sec(status, body, attempts=0):
        return bytes([S[status] | (attempts << 4)]) + body.encode()

    seeds = {
        "all-ok": [sec(200, bulk_ok), sec(200, created), sec(200, created), sec(200, ack), sec(200, found),
                   sec(200, bulk_del)],
        "bulk-item-error": [sec(200, bulk_err), sec(200, created), sec(200, created), sec(200, ack),
                            sec(404, not_found), sec(200, bulk_del)],
        "bulk-rejected": [sec(400, parse_err, 2)],
        "settings-rejected": [sec(200, bulk_ok), sec(200, created), sec(409, es_error(
            409, "version_conflict_engine_exception", "[new-user]: version conflict")), sec(400, bad_setting)],
        "forbidden": [sec(403, forbidden)],
        "unauthenticated": [sec(401, unauth, 3)],
        "method-405": [sec(405, method)],
        "proxy-page": [sec(502, "<html><body>Bad gateway</body></html>", 5)],
        "empty-503": [sec(503, "")],
        "remote-info": [sec(200, compact({"cluster_one": {"connected": True, "mode": "sniff",
                                                          "seeds": ["10.0.0.1:9300"], "num_nodes_connected": 1}}))],
        "empty-object": [sec(200, "{}")],
    }
    for name, sections in seeds.items():
        write("apply_answer", "seed-" + name, b"\0".join(sections))


def ledger():
    L = "cluster.metadata.esreconcile.remotes"
    seeds = {
        "absent": (compact({}), ["+a", "-b"]),
        "string": (compact({L: "compressed,extra_key,flipped"}), ["+new", "-flipped"]),
        "spaces": (compact({L: " a , b,,c "}), ["+b", "-c", "+d"]),
        "array": (compact({L: ["a,b", "c"]}), ["-a"]),
        "null": (compact({L: None}), ["+x"]),
        "number": (compact({L: 5}), ["+x"]),
        "bad-array": (compact({L: ["a", 1]}), ["-a"]),
        "settings": (compact({"cluster.remote.a.seeds": ["10.0.0.1:9300"], L: "a"}), ["+a", "-a"]),
    }
    for name, (persistent, edits) in seeds.items():
        write("ledger", "seed-" + name, persistent + "\0" + "\n".join(edits))


def duration():
    for i, v in enumerate(["30s", "1m", "500ms", "2h", "1d", "-1", "-01", "0", "000", "+5s", "-1s", "-2s",
                           "1.5s", " 60S ", "5M", "100nanos", "7micros", "9223372036854775807nanos",
                           "9223372036854775807d", "1e3s", "x", ""]):
        write("duration", "seed-%02d" % i, v)


def hostport():
    for i, v in enumerate(["127.0.0.1:9300", "[::1]:9300", "es-one.example:9400", "foo", ":9300",
                           "host:0", "host:65536", "host:-1", "::1:9300", "[fe80::1%eth0]:9300",
                           "host:+9300", "host:2147483648", "a b:1", "[]:1", "h:"]):
        write("hostport", "seed-%02d" % i, v)


def saved_plan():
    cases = ["003-remote-update-drift", "019-role-update-create-delete-8.15", "043-request-order-all-kinds",
             "017-cluster-unreachable-others-planned"]
    for case in cases:
        p = os.path.join(CASES, case, "expected.json")
        if os.path.exists(p):
            with open(p, "rb") as f:
                write("saved_plan", "seed-" + case[:3], f.read())
    write("saved_plan", "seed-minimal", compact({"format_version": "1", "fingerprint": "ab", "clusters": {}}))
    write("saved_plan", "seed-wrong-version", compact({"format_version": 2, "fingerprint": "ab", "clusters": {}}))
    write("saved_plan", "seed-not-json", "plan: yes\n")


if __name__ == "__main__":
    live_answers()
    apply_answer()
    ledger()
    duration()
    hostport()
    saved_plan()
