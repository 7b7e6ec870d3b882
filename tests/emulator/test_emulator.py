"""Behaviour tests for esemu.py, one or more per point of docs/elasticsearch.md."""

import base64
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu  # noqa: E402

EMU = None


def setUpModule():
    global EMU
    EMU = Emu(clusters=("local", "cluster_one", "cluster_two", "cluster_three", "lonely"),
              args=["--static-remote", "local:legacy=sniff:@cluster_one",
                    "--static-setting", "local:cluster.remote.legacy.skip_unavailable=false",
                    "--no-trust", "cluster_two:local",
                    "--trust-only", "lonely:",
                    "--expired-cert", "cluster_three"])


def tearDownModule():
    EMU.stop()


def taddr(name):
    return EMU.info[name]["transport_address"]


class Base(unittest.TestCase):
    def setUp(self):
        for c in EMU.info:
            EMU.ok("DELETE", "/_emulator/state", cluster=c)
            EMU.ok("DELETE", "/_emulator/faults", cluster=c)
            EMU.ok("DELETE", "/_emulator/requests", cluster=c)

    def err(self, method, path, body=None, status=400, **kw):
        st, h, b = EMU.req(method, path, body, **kw)
        self.assertEqual(st, status, b)
        return b

    def reason(self, method, path, body=None, status=400, **kw):
        b = self.err(method, path, body, status, **kw)
        self.assertEqual(b["status"], status)
        self.assertEqual(b["error"]["root_cause"][0]["reason"], b["error"]["reason"])
        return b["error"]["type"], b["error"]["reason"]

    def put_settings(self, body, **kw):
        return EMU.ok("PUT", "/_cluster/settings", body, **kw)

    def flat(self, cluster="local"):
        return EMU.ok("GET", "/_cluster/settings?flat_settings=true", cluster=cluster)


class TestStartAndEveryResponse(Base):
    def test_clusters_json(self):
        for name, c in EMU.info.items():
            for k in ("url", "transport_address", "http_ca_file", "transport_ca_file", "username", "password"):
                self.assertIn(k, c)
            self.assertTrue(c["url"].startswith("https://127.0.0.1:"))
            self.assertEqual(c["username"], "elastic")
            self.assertTrue(os.path.exists(c["http_ca_file"]))
            self.assertTrue(os.path.exists(c["transport_ca_file"]))
        self.assertNotEqual(EMU.info["local"]["transport_ca_file"], EMU.info["cluster_one"]["transport_ca_file"])

    def test_product_header_everywhere(self):
        for m, p in (("GET", "/"), ("POST", "/_cluster/settings"), ("GET", "/nope"), ("GET", "/_security/role/zz")):
            st, h, b = EMU.req(m, p)
            self.assertEqual(h.get("x-elastic-product"), "Elasticsearch", (m, p))
            self.assertTrue(h.get("content-type", "").startswith("application/json"))
        st, h, b = EMU.req("GET", "/", auth=False)
        self.assertEqual(h.get("x-elastic-product"), "Elasticsearch")

    def test_root(self):
        b = EMU.ok("GET", "/")
        self.assertEqual(b["tagline"], "You Know, for Search")
        self.assertEqual(b["cluster_name"], "local")
        for k in ("number", "build_flavor", "build_type", "build_hash", "build_date", "build_snapshot",
                  "lucene_version", "minimum_wire_compatibility_version", "minimum_index_compatibility_version"):
            self.assertIn(k, b["version"])
        self.assertEqual(b["version"]["number"], "8.15.0")
        for k in ("name", "cluster_uuid"):
            self.assertIn(k, b)

    def test_405(self):
        st, h, b = EMU.req("POST", "/_cluster/settings?flat_settings=true")
        self.assertEqual(st, 405)
        self.assertEqual(b, {"error": "Incorrect HTTP method for uri [/_cluster/settings?flat_settings=true] and "
                                      "method [POST], allowed: [GET, PUT]", "status": 405})
        self.assertIn("allow", h)
        st, h, b = EMU.req("DELETE", "/_remote/info")
        self.assertEqual(st, 405)

    def test_bool_query_params(self):
        b = EMU.ok("GET", "/_cluster/settings?flat_settings")
        self.assertEqual(b, {"persistent": {}, "transient": {}})
        t, r = self.reason("GET", "/_cluster/settings?flat_settings=yes")
        self.assertEqual(r, "Failed to parse value [yes] as only [true] or [false] are allowed.")

    def test_unknown_path_and_param(self):
        st, h, b = EMU.req("GET", "/_nope")
        self.assertEqual(st, 400)
        t, r = self.reason("GET", "/_cluster/settings?bogus=1")
        self.assertIn("unrecognized parameter: [bogus]", r)
        self.assertEqual(EMU.req("GET", "/_cluster/settings?bogus=1", auth=False)[0], 401)

    def test_content_type(self):
        st, h, b = EMU.req("PUT", "/_security/role/x", raw="{}", headers={"Content-Type": "text/plain"})
        self.assertEqual((st, b), (406, {"error": "Content-Type header [text/plain] is not supported", "status": 406}))
        c = EMU.conn(fresh=True)
        c.putrequest("PUT", "/_security/role/x")
        c.putheader("Authorization", EMU.basic("elastic", EMU.info["local"]["password"]))
        c.putheader("Content-Length", "2")
        c.endheaders(b"{}")
        r = c.getresponse()
        self.assertEqual((r.status, json.loads(r.read())), (406, {"error": "Content-Type header is missing", "status": 406}))
        c.close()
        st, h, b = EMU.req("PUT", "/_security/role/x", raw="{}",
                           headers={"Content-Type": "application/vnd.elasticsearch+json; compatible-with=8"})
        self.assertEqual(st, 200)

    def test_keep_alive_and_content_length(self):
        c = EMU.conn(fresh=True)
        auth = EMU.basic("elastic", EMU.info["local"]["password"])
        sock_ids = set()
        for _ in range(5):
            c.request("GET", "/", headers={"Authorization": auth})
            r = c.getresponse()
            body = r.read()
            self.assertEqual(int(r.getheader("content-length")), len(body))
            sock_ids.add(id(c.sock))
        self.assertEqual(len(sock_ids), 1)
        c.close()

    def test_malformed_json(self):
        st, h, b = EMU.req("PUT", "/_cluster/settings", raw='{"persistent": {')
        self.assertEqual(st, 400)
        self.assertEqual(b["error"]["type"], "x_content_parse_exception")
        self.assertEqual(b["status"], 400)
        st, h, b = EMU.req("PUT", "/_security/role/x", raw='{bad json')
        self.assertEqual(st, 400)
        self.assertIn("error", b)

    def test_garbage_request_no_traceback(self):
        u = EMU.info["local"]["url"].split("://")[1]
        host, port = u.rsplit(":", 1)
        s = EMU.ctx().wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
        s.sendall(b"BLAH\r\n\r\n")
        data = s.recv(65536)
        self.assertNotIn(b"Traceback", data)
        s.close()
        for raw in ('[1,2]', '"x"', '{"persistent": 5}', '{"persistent": {"a": [{"b": 1}]}}'):
            st, h, b = EMU.req("PUT", "/_cluster/settings", raw=raw)
            self.assertEqual(st, 400, raw)
            self.assertIn("error", b)
        for path in ("/_security/role/x", "/_security/user/x", "/_security/role"):
            for raw in ('[]', '"x"', '{"roles": 5}', '{"cluster": 5}', '{"indices": [5]}', '{"password": 5}'):
                st, h, b = EMU.req("POST", path, raw=raw)
                self.assertIn(st, (400, 405), (path, raw, b))
                self.assertNotIn("Traceback", json.dumps(b))

    def test_concurrent_requests(self):
        errors = []

        def work(i):
            try:
                e = Emu.__new__(Emu)
                e.info = EMU.info
                e.conns = {}
                for j in range(20):
                    e.ok("PUT", "/_security/role/conc-%d-%d" % (i, j), {"cluster": ["monitor"]})
                    e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.k%d" % i: str(j)}})
                for c in e.conns.values():
                    c.close()
            except Exception as ex:  # noqa
                errors.append(ex)
        ts = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        self.assertEqual(errors, [])
        roles = EMU.ok("GET", "/_security/role")
        self.assertEqual(len([r for r in roles if r.startswith("conc-")]), 120)
        self.assertEqual(self.flat()["persistent"]["cluster.metadata.k3"], "19")


class TestAuth(Base):
    def test_missing_credentials(self):
        st, h, b = EMU.req("GET", "/_cluster/settings?flat_settings=true", auth=False)
        self.assertEqual(st, 401)
        self.assertEqual(b["error"]["type"], "security_exception")
        self.assertEqual(b["error"]["reason"],
                         "missing authentication credentials for REST request [/_cluster/settings?flat_settings=true]")
        self.assertIn('Basic realm="security", charset="UTF-8"', h["www-authenticate"])
        self.assertIn("ApiKey", h["www-authenticate"])
        self.assertIn('Basic realm="security", charset="UTF-8"', b["error"]["header"]["WWW-Authenticate"])

    def test_bad_password(self):
        st, h, b = EMU.req("GET", "/", auth=EMU.basic("joe", "wrongpw"))
        self.assertEqual(st, 401)
        self.assertEqual(b["error"]["reason"], "unable to authenticate user [joe] for REST request [/]")
        st, h, b = EMU.req("GET", "/", auth=EMU.basic("elastic", "wrongpw"))
        self.assertEqual(st, 401)

    def test_native_user_and_privileges(self):
        EMU.ok("PUT", "/_security/role/mon", {"cluster": ["monitor"]})
        EMU.ok("PUT", "/_security/user/joe", {"password": "joe-secret", "roles": ["mon"]})
        joe = EMU.basic("joe", "joe-secret")
        EMU.ok("GET", "/_remote/info", auth=joe)
        EMU.ok("GET", "/_ssl/certificates", auth=joe)
        EMU.ok("GET", "/_cluster/settings", auth=joe)
        st, h, b = EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.x": "1"}}, auth=joe)
        self.assertEqual(st, 403)
        self.assertEqual(b["error"]["type"], "security_exception")
        self.assertTrue(b["error"]["reason"].startswith(
            "action [cluster:admin/settings/update] is unauthorized for user [joe]"), b)
        st, h, b = EMU.req("PUT", "/_security/role/x", {}, auth=joe)
        self.assertEqual(st, 403)
        st, h, b = EMU.req("GET", "/_security/user", auth=joe)
        self.assertEqual(st, 403)
        # manage -> settings; manage_security -> roles/users
        EMU.ok("PUT", "/_security/role/adm", {"cluster": ["manage"]})
        EMU.ok("PUT", "/_security/role/sec", {"cluster": ["manage_security"]})
        EMU.ok("PUT", "/_security/user/ann", {"password": "ann-secret", "roles": ["adm"]})
        EMU.ok("PUT", "/_security/user/sam", {"password": "sam-secret", "roles": ["sec"]})
        ann, sam = EMU.basic("ann", "ann-secret"), EMU.basic("sam", "sam-secret")
        EMU.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.x": "1"}}, auth=ann)
        self.assertEqual(EMU.req("PUT", "/_security/role/y", {}, auth=ann)[0], 403)
        EMU.ok("PUT", "/_security/role/y", {}, auth=sam)
        EMU.ok("GET", "/_security/user", auth=sam)
        self.assertEqual(EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.x": "1"}},
                                 auth=sam)[0], 403)

    def test_api_key(self):
        b = EMU.ok("POST", "/_security/api_key", {"name": "k1"})
        auth = "ApiKey " + b["encoded"]
        a = EMU.ok("GET", "/_security/_authenticate", auth=auth)
        self.assertEqual(a["authentication_type"], "api_key")
        self.assertEqual(a["api_key"]["id"], b["id"])
        EMU.ok("GET", "/_cluster/settings", auth=auth)
        st, h, bb = EMU.req("GET", "/", auth="ApiKey " + base64.b64encode(b"nope:nope").decode())
        self.assertEqual(st, 401)

    def test_authenticate(self):
        a = EMU.ok("GET", "/_security/_authenticate")
        self.assertEqual(a["username"], "elastic")
        self.assertIn("superuser", a["roles"])
        EMU.ok("PUT", "/_security/user/bob", {"password": "bob-secret", "roles": ["r1"], "full_name": "Bob",
                                              "email": "b@x", "metadata": {"k": 1}})
        a = EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("bob", "bob-secret"))
        self.assertEqual(a, {"username": "bob", "roles": ["r1"], "full_name": "Bob", "email": "b@x",
                             "metadata": {"k": 1}, "enabled": True,
                             "authentication_realm": {"name": "default_native", "type": "native"},
                             "lookup_realm": {"name": "default_native", "type": "native"},
                             "authentication_type": "realm"})
        st, h, b = EMU.req("GET", "/_security/_authenticate", auth=EMU.basic("bob", "wrong-secret"))
        self.assertEqual(st, 401)


class TestClusterSettings(Base):
    def test_put_needs_settings(self):
        t, r = self.reason("PUT", "/_cluster/settings", {})
        self.assertEqual((t, r), ("action_request_validation_exception", "Validation Failed: 1: no settings to update;"))
        t, r = self.reason("PUT", "/_cluster/settings", {"other": {"a": 1}, "persistent": {}})
        self.assertEqual(r, "Validation Failed: 1: no settings to update;")
        # unknown top-level keys are ignored
        b = self.put_settings({"foo": 1, "persistent": {"cluster.metadata.a": "b"}})
        self.assertEqual(b, {"acknowledged": True, "persistent": {"cluster": {"metadata": {"a": "b"}}}, "transient": {}})
        # a body of only null deletions is not empty
        b = self.put_settings({"persistent": {"cluster.metadata.a": None}})
        self.assertEqual(b, {"acknowledged": True, "persistent": {}, "transient": {}})
        self.assertEqual(self.flat()["persistent"], {})

    def test_nested_and_dotted_string_storage(self):
        a = taddr("cluster_one")
        self.put_settings({"persistent": {"cluster": {"remote": {"a": {"seeds": [a]}}},
                                          "cluster.remote.a.skip_unavailable": True,
                                          "cluster.remote.a.node_connections": 5,
                                          "cluster.metadata.list": "x,y"}})
        f = self.flat()["persistent"]
        self.assertEqual(f, {"cluster.remote.a.seeds": [a], "cluster.remote.a.skip_unavailable": "true",
                             "cluster.remote.a.node_connections": "5", "cluster.metadata.list": "x,y"})
        n = EMU.ok("GET", "/_cluster/settings")["persistent"]
        self.assertEqual(n["cluster"]["remote"]["a"]["skip_unavailable"], "true")
        self.assertEqual(n["cluster"]["metadata"]["list"], "x,y")

    def test_values_never_normalised(self):
        self.put_settings({"persistent": {"cluster.remote.p.mode": "PROXY", "cluster.remote.p.proxy_address": "h:1",
                                          "cluster.remote.p.transport.ping_schedule": "60s",
                                          "cluster.remote.p.transport.compress": "INDEXING_DATA"}})
        f = self.flat()["persistent"]
        self.assertEqual(f["cluster.remote.p.mode"], "PROXY")
        self.assertEqual(f["cluster.remote.p.transport.ping_schedule"], "60s")
        self.assertEqual(f["cluster.remote.p.transport.compress"], "INDEXING_DATA")

    def test_transient_warning(self):
        st, h, b = EMU.req("PUT", "/_cluster/settings", {"transient": {"cluster.metadata.t": "1"}})
        self.assertEqual(st, 200)
        self.assertIn("transient settings removal", h.get("warning", ""))
        self.assertEqual(self.flat()["transient"], {"cluster.metadata.t": "1"})
        st, h, b = EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.t": "1"}})
        self.assertNotIn("warning", h)

    def test_not_recognized(self):
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.foo": "x"}})
        self.assertEqual((t, r), ("illegal_argument_exception", "persistent setting [cluster.remote.a.foo], not recognized"))
        t, r = self.reason("PUT", "/_cluster/settings", {"transient": {"foo.bar": "x"}})
        self.assertEqual(r, "transient setting [foo.bar], not recognized")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"foo.bar": None}})
        self.assertEqual(r, "persistent setting [foo.bar], not recognized")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.b.seeds": ["h:1"]}})
        self.assertEqual(r, "persistent setting [cluster.remote.a.b.seeds], not recognized")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.credentials": "x"}})
        self.assertIn("cluster.remote.a.credentials", r)
        # wildcard and archived deletes never fail
        self.put_settings({"persistent": {"foo.*": None, "archived.x": None}})

    def test_null_and_wildcard_delete(self):
        a = taddr("cluster_one")
        self.put_settings({"persistent": {"cluster.remote.a.seeds": [a], "cluster.remote.a.skip_unavailable": False,
                                          "cluster.remote.b.seeds": [a]}})
        b = self.put_settings({"persistent": {"cluster.remote.a.*": None}})
        self.assertEqual(b["persistent"], {})
        self.assertEqual(self.flat()["persistent"], {"cluster.remote.b.seeds": [a]})
        # nulling only seeds while skip_unavailable stays fails
        self.put_settings({"persistent": {"cluster.remote.a.seeds": [a], "cluster.remote.a.skip_unavailable": False}})
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.seeds": None}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.")
        self.assertIn("cluster.remote.a.seeds", self.flat()["persistent"])  # nothing changed

    def test_mode_switch_validation(self):
        self.put_settings({"persistent": {"cluster.remote.a.seeds": ["h:1"]}})
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.mode": "proxy",
                                                                        "cluster.remote.a.proxy_address": "h:2"}})
        self.assertEqual(r, 'Setting "cluster.remote.a.seeds" cannot be used with the configured '
                            '"cluster.remote.a.mode" [required=SNIFF, configured=PROXY]')
        # switching with the old mode's keys nulled in the same request
        self.put_settings({"persistent": {"cluster.remote.a.mode": "proxy", "cluster.remote.a.proxy_address": "h:2",
                                          "cluster.remote.a.seeds": None}})
        self.assertEqual(self.flat()["persistent"], {"cluster.remote.a.mode": "proxy",
                                                     "cluster.remote.a.proxy_address": "h:2"})
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.mode": "sniff"}})
        self.assertEqual(r, 'Setting "cluster.remote.a.proxy_address" cannot be used with the configured '
                            '"cluster.remote.a.mode" [required=PROXY, configured=SNIFF]')
        # wildcard delete of the old alias plus new keys in the same request (deletes hit existing keys only)
        self.put_settings({"persistent": {"cluster.remote.a.*": None, "cluster.remote.a.seeds": ["h:3"]}})
        self.assertEqual(self.flat()["persistent"], {"cluster.remote.a.seeds": ["h:3"]})

    def test_per_scope_validation(self):
        # all keys of one alias must be in the same scope
        self.put_settings({"persistent": {"cluster.remote.a.seeds": ["h:1"]}})
        t, r = self.reason("PUT", "/_cluster/settings", {"transient": {"cluster.remote.a.skip_unavailable": True}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.")

    def test_sorted_first_failure(self):
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {
            "cluster.remote.b.skip_unavailable": True, "cluster.remote.a.transport.compress": True}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.a.transport.compress] if remote cluster is not enabled.")

    def test_skip_unavailable_needs_enabled(self):
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.skip_unavailable": True}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.mode": "proxy",
                                                                        "cluster.remote.a.transport.ping_schedule": "5s"}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.a.transport.ping_schedule] if remote cluster is not enabled.")

    def test_address_validation(self):
        cases = {"foo": "remote hosts need to be configured as [host:port], found [foo] instead",
                 "foo:bar": "failed to parse port", "foo:0": "port number must be > 0 but was: [0]"}
        for addr, msg in cases.items():
            t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.seeds": [addr]}})
            self.assertEqual((t, r), ("illegal_argument_exception", msg), addr)
            t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.mode": "proxy",
                                                                            "cluster.remote.a.proxy_address": addr}})
            self.assertEqual(r, msg)
        self.put_settings({"persistent": {"cluster.remote.v6.seeds": ["[::1]:9300"],
                                          "cluster.remote.unres.seeds": ["no-such-host.invalid:9300"]}})

    def test_value_errors(self):
        self.put_settings({"persistent": {"cluster.remote.a.seeds": ["h:1"]}})
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.skip_unavailable": "yes"}})
        self.assertEqual(r, "Failed to parse value [yes] as only [true] or [false] are allowed.")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.skip_unavailable": "True"}})
        self.assertEqual(r, "Failed to parse value [True] as only [true] or [false] are allowed.")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.node_connections": 0}})
        self.assertIn("must be >= 1", r)
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.mode": "bogus"}})
        self.assertIn("BOGUS", r)
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.transport.ping_schedule": "abc"}})
        self.assertIn("time value", r)
        # enums are case-insensitive
        self.put_settings({"persistent": {"cluster.remote.a.transport.compress": "Indexing_Data",
                                          "cluster.remote.a.transport.compression_scheme": "LZ4",
                                          "cluster.remote.a.mode": "SNIFF"}})
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.transport.compression_scheme": "gzip"}})
        self.assertIn("GZIP", r)

    def test_flat_output_and_echo(self):
        b = EMU.ok("PUT", "/_cluster/settings?flat_settings=true",
                   {"persistent": {"cluster": {"metadata": {"a": 1, "b": None}}}})
        self.assertEqual(b, {"acknowledged": True, "persistent": {"cluster.metadata.a": "1"}, "transient": {}})

    def test_metadata(self):
        self.put_settings({"persistent": {"cluster.metadata.esreconcile.remotes": "a,b"}})
        self.assertEqual(self.flat()["persistent"], {"cluster.metadata.esreconcile.remotes": "a,b"})
        self.put_settings({"persistent": {"cluster.metadata.esreconcile.remotes": ["a", "b"]}})
        self.assertEqual(self.flat()["persistent"]["cluster.metadata.esreconcile.remotes"], ["a", "b"])

    def test_include_defaults_static_remotes(self):
        b = EMU.ok("GET", "/_cluster/settings?flat_settings=true&include_defaults=true")
        d = b["defaults"]
        self.assertEqual(d["cluster.remote.legacy.seeds"], [taddr("cluster_one")])
        self.assertEqual(d["cluster.remote.legacy.mode"], "sniff")
        self.assertEqual(b["persistent"], {})
        self.assertNotIn("defaults", self.flat())
        n = EMU.ok("GET", "/_cluster/settings?include_defaults=true")
        self.assertIn("legacy", n["defaults"]["cluster"]["remote"])
        info = EMU.ok("GET", "/_remote/info")
        self.assertTrue(info["legacy"]["connected"])
        self.assertFalse(info["legacy"]["skip_unavailable"])
        # transient > persistent > elasticsearch.yml
        # each scope is validated alone: the yml seeds do not enable the alias inside "persistent"
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.legacy.skip_unavailable": True}})
        self.assertEqual(r, "Cannot configure setting [cluster.remote.legacy.skip_unavailable] if remote cluster is not enabled.")
        self.put_settings({"persistent": {"cluster.remote.legacy.skip_unavailable": True,
                                          "cluster.remote.legacy.seeds": [taddr("cluster_one")]}})
        self.assertTrue(EMU.ok("GET", "/_remote/info")["legacy"]["skip_unavailable"])
        self.put_settings({"transient": {"cluster.remote.legacy.seeds": ["127.0.0.1:1"]}})
        info = EMU.ok("GET", "/_remote/info")
        self.assertEqual(info["legacy"]["seeds"], ["127.0.0.1:1"])
        self.assertFalse(info["legacy"]["connected"])
        d = EMU.ok("GET", "/_cluster/settings?flat_settings=true&include_defaults=true")["defaults"]
        self.assertNotIn("cluster.remote.legacy.seeds", d)


class TestRemoteInfo(Base):
    def test_guide_shape_and_connected(self):
        self.put_settings({"persistent": {"cluster.remote.one.seeds": [taddr("cluster_one")],
                                          "cluster.remote.px.mode": "proxy",
                                          "cluster.remote.px.proxy_address": taddr("cluster_one"),
                                          "cluster.remote.px.server_name": "es-one.example"}})
        info = EMU.ok("GET", "/_remote/info")
        self.assertEqual(info["one"], {"connected": True, "mode": "sniff", "seeds": [taddr("cluster_one")],
                                       "num_nodes_connected": 1, "max_connections_per_cluster": 3,
                                       "initial_connect_timeout": "30s", "skip_unavailable": True})
        self.assertEqual(info["px"], {"connected": True, "mode": "proxy", "proxy_address": taddr("cluster_one"),
                                      "server_name": "es-one.example", "num_proxy_sockets_connected": 18,
                                      "max_proxy_socket_connections": 18, "initial_connect_timeout": "30s",
                                      "skip_unavailable": True})

    def test_empty(self):
        self.assertEqual(EMU.ok("GET", "/_remote/info", cluster="cluster_one"), {})

    def test_nobody_listening(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.put_settings({"persistent": {"cluster.remote.dead.seeds": ["127.0.0.1:%d" % port]}})
        info = EMU.ok("GET", "/_remote/info")
        self.assertFalse(info["dead"]["connected"])
        self.assertEqual(info["dead"]["num_nodes_connected"], 0)

    def test_only_enabled_remotes(self):
        self.put_settings({"persistent": {"cluster.remote.a.mode": "proxy"}})
        self.assertNotIn("a", EMU.ok("GET", "/_remote/info"))

    def test_trust(self):
        # cluster_two does not trust local's CA: neither direction connects
        self.put_settings({"persistent": {"cluster.remote.two.seeds": [taddr("cluster_two")],
                                          "cluster.remote.three.seeds": [taddr("cluster_three")],
                                          "cluster.remote.lonely.seeds": [taddr("lonely")]}})
        info = EMU.ok("GET", "/_remote/info")
        self.assertFalse(info["two"]["connected"])
        self.assertFalse(info["three"]["connected"])  # expired certificate
        self.assertFalse(info["lonely"]["connected"])  # lonely trusts only its own CA
        self.put_settings({"persistent": {"cluster.remote.local.seeds": [taddr("local")]}}, cluster="cluster_two")
        self.assertFalse(EMU.ok("GET", "/_remote/info", cluster="cluster_two")["local"]["connected"])
        # cluster_one <-> cluster_two trust each other
        self.put_settings({"persistent": {"cluster.remote.one.seeds": [taddr("cluster_one")]}}, cluster="cluster_two")
        self.assertTrue(EMU.ok("GET", "/_remote/info", cluster="cluster_two")["one"]["connected"])
        # a cluster connects to itself
        self.put_settings({"persistent": {"cluster.remote.self.seeds": [taddr("lonely")]}}, cluster="lonely")
        self.assertTrue(EMU.ok("GET", "/_remote/info", cluster="lonely")["self"]["connected"])

    def test_nodes_transport(self):
        b = EMU.ok("GET", "/_nodes/transport")
        node = list(b["nodes"].values())[0]
        self.assertEqual(node["transport"]["publish_address"], taddr("local"))
        self.assertEqual(b["cluster_name"], "local")

    def test_ssl_certificates(self):
        certs = EMU.ok("GET", "/_ssl/certificates")
        self.assertIsInstance(certs, list)
        paths = {c["path"] for c in certs}
        self.assertIn(EMU.info["local"]["http_ca_file"], paths)
        for c in certs:
            self.assertEqual(c["format"], "PEM")
            self.assertIsNone(c["alias"])
            self.assertRegex(c["expiry"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertRegex(c["serial_number"], r"^[0-9a-f]+$")
            for k in ("subject_dn", "has_private_key", "issuer"):
                self.assertIn(k, c)
        self.assertTrue(any(c["has_private_key"] for c in certs))
        subjects = {c["subject_dn"] for c in certs}
        self.assertIn("CN=Transport CA cluster_one", subjects)  # trusted by default
        three = EMU.ok("GET", "/_ssl/certificates", cluster="cluster_three")
        node = [c for c in three if c["has_private_key"] and "Transport" in c["issuer"]][0]
        self.assertLess(node["expiry"], time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()))


class TestRoles(Base):
    def test_put_get_defaults(self):
        EMU.ok("POST", "/_license/start_trial?acknowledge=true")  # a query needs document level security
        b = EMU.ok("POST", "/_security/role/r1", {"cluster": ["read_ccr"], "indices": [
            {"names": "leader", "privileges": ["monitor", "read"], "query": {"match_all": {}}}]})
        self.assertEqual(b, {"role": {"created": True}})
        b = EMU.ok("PUT", "/_security/role/r1", {"cluster": ["read_ccr"], "indices": [
            {"names": "leader", "privileges": ["monitor", "read"], "query": {"match_all": {}}}]})
        self.assertEqual(b, {"role": {"created": False}})
        g = EMU.ok("GET", "/_security/role/r1")
        self.assertEqual(g, {"r1": {"cluster": ["read_ccr"], "indices": [
            {"names": ["leader"], "privileges": ["monitor", "read"], "query": '{"match_all":{}}',
             "allow_restricted_indices": False}], "applications": [], "run_as": [], "metadata": {},
            "transient_metadata": {"enabled": True}}})
        b = EMU.ok("PUT", "/_security/role/empty", {})
        self.assertEqual(EMU.ok("GET", "/_security/role/empty")["empty"],
                         {"cluster": [], "indices": [], "applications": [], "run_as": [], "metadata": {},
                          "transient_metadata": {"enabled": True}})

    def test_put_replaces(self):
        EMU.ok("PUT", "/_security/role/r", {"cluster": ["monitor"], "metadata": {"a": 1, "b": 2}})
        EMU.ok("PUT", "/_security/role/r", {"metadata": {"a": 1}, "transient_metadata": {"enabled": False}})
        g = EMU.ok("GET", "/_security/role/r")["r"]
        self.assertEqual(g["cluster"], [])
        self.assertEqual(g["metadata"], {"a": 1})
        self.assertEqual(g["transient_metadata"], {"enabled": True})

    def test_get_all_and_404(self):
        EMU.ok("PUT", "/_security/role/mine", {})
        g = EMU.ok("GET", "/_security/role")
        self.assertEqual(g["superuser"]["metadata"], {"_reserved": True})
        self.assertIn("mine", g)
        st, h, b = EMU.req("GET", "/_security/role/nope")
        self.assertEqual((st, b), (404, {}))
        g = EMU.ok("GET", "/_security/role/mine,nope,superuser")
        self.assertEqual(set(g), {"mine", "superuser"})

    def test_validation(self):
        t, r = self.reason("PUT", "/_security/role/superuser", {})
        self.assertEqual((t, r), ("action_request_validation_exception",
                                  "Validation Failed: 1: Role [superuser] is reserved and may not be used.;"))
        t, r = self.reason("PUT", "/_security/role/x", {"cluster": ["bogus"]})
        self.assertTrue(r.startswith("Validation Failed: 1: unknown cluster privilege [bogus]. "), r)
        t, r = self.reason("PUT", "/_security/role/x", {"indices": [{"names": ["i"], "privileges": ["bogus"]}]})
        self.assertTrue(r.startswith("Validation Failed: 1: unknown index privilege [bogus]. "), r)
        t, r = self.reason("PUT", "/_security/role/x", {"metadata": {"_k": 1}})
        self.assertEqual(r, "Validation Failed: 1: role descriptor metadata keys may not start with [_];")
        t, r = self.reason("PUT", "/_security/role/x", {"bogus": 1})
        self.assertEqual((t, r), ("parse_exception", "failed to parse role [x]. unexpected field [bogus]"))
        t, r = self.reason("PUT", "/_security/role/x", {"indices": [{"names": [], "privileges": ["read"]}]})
        self.assertEqual(t, "parse_exception")
        t, r = self.reason("PUT", "/_security/role/x", {"indices": [{"names": ["a"]}]})
        self.assertIn("missing required [privileges] field", r)
        t, r = self.reason("PUT", "/_security/role/x", {"indices": [{"names": ["a"], "privileges": ["read"],
                                                                      "allow_restricted_indices": "true"}]})
        self.assertEqual(t, "parse_exception")
        t, r = self.reason("PUT", "/_security/role/x", {"remote_indices": [{"names": ["a"], "privileges": ["read"]}]})
        self.assertIn("clusters", r)
        t, r = self.reason("PUT", "/_security/role/%20x", {})
        self.assertIn("Role names must be at least 1", r)
        EMU.ok("PUT", "/_security/role/x", {"remote_indices": [{"clusters": ["c*"], "names": ["a"], "privileges": ["read"]}],
                                            "cluster": ["cluster:monitor/state"]})

    def test_encoded_names(self):
        EMU.ok("PUT", "/_security/role/a%20b+c", {})
        self.assertIn("a b+c", EMU.ok("GET", "/_security/role/a%20b+c"))

    def test_delete(self):
        EMU.ok("PUT", "/_security/role/d", {})
        self.assertEqual(EMU.ok("DELETE", "/_security/role/d"), {"found": True})
        st, h, b = EMU.req("DELETE", "/_security/role/d")
        self.assertEqual((st, b), (404, {"found": False}))
        t, r = self.reason("DELETE", "/_security/role/superuser")
        self.assertEqual(r, "role [superuser] is reserved and cannot be deleted")

    def test_bulk(self):
        b = EMU.ok("POST", "/_security/role", {"roles": {"a": {"cluster": ["monitor"]},
                                                         "b": {"cluster": ["bogus"]},
                                                         "c": {"metadata": {"k1": 1, "k2": 2}}}})
        self.assertEqual(b["created"], ["a", "c"])
        self.assertEqual(b["errors"]["count"], 1)
        self.assertIn("unknown cluster privilege [bogus]", b["errors"]["details"]["b"]["reason"])
        self.assertIn("type", b["errors"]["details"]["b"])
        self.assertNotIn("updated", b)
        b = EMU.ok("POST", "/_security/role", {"roles": {"a": {"cluster": ["monitor"]}, "c": {"metadata": {"k1": 1}}}})
        self.assertEqual(b, {"noop": ["a", "c"]})  # metadata key removal survives a bulk write
        self.assertEqual(EMU.ok("GET", "/_security/role/c")["c"]["metadata"], {"k1": 1, "k2": 2})
        b = EMU.ok("POST", "/_security/role", {"roles": {"a": {"cluster": ["manage"]}}})
        self.assertEqual(b, {"updated": ["a"]})
        # a single PUT then an identical bulk write -> noop
        EMU.ok("PUT", "/_security/role/s", {"indices": [{"names": "i", "privileges": ["read"]}]})
        self.assertEqual(EMU.ok("POST", "/_security/role",
                                {"roles": {"s": {"indices": [{"names": ["i"], "privileges": ["read"]}]}}}),
                         {"noop": ["s"]})
        # malformed body fails the whole request
        st, h, b = EMU.req("POST", "/_security/role", {"roles": {"z": {"bogus": 1}}})
        self.assertEqual(st, 400)
        st, h, b = EMU.req("GET", "/_security/role/z")
        self.assertEqual(st, 404)
        b = EMU.ok("DELETE", "/_security/role", {"names": ["a", "nope", "superuser"]})
        self.assertEqual(b["deleted"], ["a"])
        self.assertEqual(b["not_found"], ["nope"])
        self.assertEqual(b["errors"]["count"], 1)


class TestUsers(Base):
    def test_put_get(self):
        b = EMU.ok("PUT", "/_security/user/joe", {"password": "l0ng-r4nd0m-p@ssw0rd", "roles": ["r"]})
        self.assertEqual(b, {"created": True})
        self.assertEqual(EMU.ok("GET", "/_security/user/joe"),
                         {"joe": {"username": "joe", "roles": ["r"], "full_name": None, "email": None,
                                  "metadata": {}, "enabled": True}})
        b = EMU.ok("PUT", "/_security/user/joe", {"roles": ["r"], "full_name": "Joe", "enabled": False})
        self.assertEqual(b, {"created": False})
        # password unchanged (user disabled though)
        self.assertEqual(EMU.req("GET", "/", auth=EMU.basic("joe", "l0ng-r4nd0m-p@ssw0rd"))[0], 401)
        EMU.ok("PUT", "/_security/user/joe", {"roles": ["r"]})
        g = EMU.ok("GET", "/_security/user/joe")["joe"]
        self.assertEqual((g["full_name"], g["enabled"]), (None, True))  # omitted -> null / true
        self.assertEqual(EMU.req("GET", "/_security/_authenticate", auth=EMU.basic("joe", "l0ng-r4nd0m-p@ssw0rd"))[0], 200)

    def test_validation(self):
        t, r = self.reason("PUT", "/_security/user/u", {"password": "short", "roles": []})
        self.assertEqual((t, r), ("validation_exception",
                                  "Validation Failed: 1: passwords must be at least [6] characters long;"))
        t, r = self.reason("PUT", "/_security/user/u", {"password": "longenough"})
        self.assertEqual(r, "Validation Failed: 1: roles are missing;")
        t, r = self.reason("PUT", "/_security/user/u", {"roles": []})
        self.assertEqual((t, r), ("validation_exception", "Validation Failed: 1: password must be specified unless "
                                                          "you are updating an existing user;"))
        h = EMU.ok("POST", "/_emulator/hash", {"password": "hashed-pw"})["hash"]
        t, r = self.reason("PUT", "/_security/user/u", {"password": "longenough", "password_hash": h, "roles": []})
        self.assertIn("password_hash has already been set", r)
        t, r = self.reason("PUT", "/_security/user/elastic", {"roles": []})
        self.assertIn("user [elastic] is reserved and only the password can be changed", r)
        t, r = self.reason("PUT", "/_security/user/u", {"roles": [], "password": "longenough", "bogus": 1})
        self.assertEqual(t, "parse_exception")
        t, r = self.reason("PUT", "/_security/user/u", {"roles": [], "password_hash": "$2a$10$notreally"})
        self.assertEqual((t, r), ("illegal_argument_exception", "4 > -38"))  # Hasher.resolveFromHash
        t, r = self.reason("PUT", "/_security/user/u", {"roles": [], "password_hash": "plain-text"})
        self.assertTrue(r.startswith("The provided password hash is not a hash or it could not be resolved"), r)

    def test_password_hash(self):
        h = EMU.ok("POST", "/_emulator/hash", {"password": "hashed-pw"})["hash"]
        EMU.ok("PUT", "/_security/user/h", {"password_hash": h, "roles": []})
        EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("h", "hashed-pw"))

    def test_reserved(self):
        g = EMU.ok("GET", "/_security/user")
        for u in ("elastic", "kibana_system", "logstash_system", "beats_system", "apm_system", "remote_monitoring_user"):
            self.assertEqual(g[u]["metadata"], {"_reserved": True}, u)
        t, r = self.reason("DELETE", "/_security/user/elastic")
        self.assertEqual(r, "user [elastic] is reserved and cannot be deleted")
        self.assertEqual(EMU.ok("POST", "/_security/user/kibana_system/_password", {"password": "kibana-pw"}), {})
        a = EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("kibana_system", "kibana-pw"))
        self.assertEqual(a["authentication_realm"]["type"], "reserved")

    def test_password_enable_disable_delete(self):
        EMU.ok("PUT", "/_security/user/u", {"password": "first-pw", "roles": []})
        self.assertEqual(EMU.ok("PUT", "/_security/user/u/_password", {"password": "second-pw"}), {})
        self.assertEqual(EMU.req("GET", "/_security/_authenticate", auth=EMU.basic("u", "first-pw"))[0], 401)
        EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("u", "second-pw"))
        self.assertEqual(EMU.ok("PUT", "/_security/user/u/_disable"), {})
        self.assertEqual(EMU.req("GET", "/_security/_authenticate", auth=EMU.basic("u", "second-pw"))[0], 401)
        self.assertFalse(EMU.ok("GET", "/_security/user/u")["u"]["enabled"])
        self.assertEqual(EMU.ok("POST", "/_security/user/u/_enable"), {})
        EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("u", "second-pw"))
        self.assertEqual(EMU.ok("DELETE", "/_security/user/u"), {"found": True})
        st, h, b = EMU.req("DELETE", "/_security/user/u")
        self.assertEqual((st, b), (404, {"found": False}))
        st, h, b = EMU.req("GET", "/_security/user/u")
        self.assertEqual((st, b), (404, {}))


class TestHasPrivileges(Base):
    """_has_privileges answers with the same mapping that decides a 403."""

    def test_superuser_holds_everything(self):
        b = EMU.ok("POST", "/_security/user/_has_privileges",
                   {"cluster": ["manage_security", "cluster:admin/settings/update", "monitor", "manage"]})
        self.assertEqual(b["username"], "elastic")
        self.assertTrue(b["has_all_requested"])
        self.assertEqual(set(b["cluster"]), {"manage_security", "cluster:admin/settings/update", "monitor", "manage"})
        self.assertEqual((b["index"], b["application"]), ({}, {}))

    def test_limited_user(self):
        EMU.ok("PUT", "/_security/role/settings_only", {"cluster": ["cluster:admin/settings/update", "monitor"]})
        EMU.ok("PUT", "/_security/user/bob", {"password": "bob-password", "roles": ["settings_only"]})
        bob = EMU.basic("bob", "bob-password")
        b = EMU.ok("GET", "/_security/user/_has_privileges",
                   {"cluster": ["manage_security", "cluster:admin/settings/update", "monitor", "manage"]}, auth=bob)
        self.assertEqual(b["cluster"], {"manage_security": False, "cluster:admin/settings/update": True,
                                        "monitor": True, "manage": False})
        self.assertFalse(b["has_all_requested"])
        # the answer agrees with what the user may actually do
        self.assertEqual(EMU.req("PUT", "/_security/role/x", {"cluster": []}, auth=bob)[0], 403)
        self.assertEqual(EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.x.seeds": None}},
                                 auth=bob)[0], 200)

    def test_bad_requests(self):
        t, r = self.reason("POST", "/_security/user/_has_privileges", {"cluster": ["nope"]})
        self.assertEqual(t, "illegal_argument_exception")
        self.assertIn("unknown cluster privilege [nope]", r)
        t, r = self.reason("POST", "/_security/user/_has_privileges", {})
        self.assertEqual(t, "action_request_validation_exception")


class TestControl(Base):
    def test_request_log(self):
        EMU.ok("PUT", "/_cluster/settings?flat_settings=true", {"persistent": {"cluster.metadata.a": "1"}})
        log = EMU.ok("GET", "/_emulator/requests")
        self.assertEqual(len(log), 1)
        e = log[0]
        self.assertEqual((e["method"], e["path"], e["query"]), ("PUT", "/_cluster/settings", "flat_settings=true"))
        self.assertEqual(e["body"], {"persistent": {"cluster.metadata.a": "1"}})
        self.assertNotIn("Authorization", e["headers"])
        self.assertEqual(e["params"], {"flat_settings": "true"})
        EMU.ok("DELETE", "/_emulator/requests")
        self.assertEqual(EMU.ok("GET", "/_emulator/requests"), [])

    def test_faults_status_and_count(self):
        EMU.ok("POST", "/_emulator/faults", {"method": "PUT", "path": "/_cluster/settings", "count": 2,
                                             "action": "status", "status": 503, "body": {"x": 1}})
        for _ in range(2):
            st, h, b = EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.a": "1"}})
            self.assertEqual((st, b), (503, {"x": 1}))
        self.assertEqual(EMU.req("GET", "/_cluster/settings")[0], 200)
        EMU.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.a": "1"}})

    def test_fault_retry_after_and_regex(self):
        EMU.ok("POST", "/_emulator/faults", [{"path_regex": "^/_security/", "action": "retry_after", "seconds": 2}])
        st, h, b = EMU.req("GET", "/_security/user")
        self.assertEqual(st, 429)
        self.assertEqual(h["retry-after"], "2")
        self.assertEqual(EMU.req("GET", "/_security/user")[0], 200)

    def test_fault_delay(self):
        EMU.ok("POST", "/_emulator/faults", {"path": "/", "action": "delay", "ms": 300})
        t0 = time.time()
        EMU.ok("GET", "/")
        self.assertGreaterEqual(time.time() - t0, 0.3)

    def test_fault_resets(self):
        EMU.ok("POST", "/_emulator/faults", {"path": "/_remote/*", "action": "reset_before"})
        c = EMU.conn(fresh=True)
        with self.assertRaises((http.client.HTTPException, ConnectionError, ssl.SSLError, OSError)):
            c.request("GET", "/_remote/info", headers={"Authorization": EMU.basic("elastic", EMU.info["local"]["password"])})
            c.getresponse().read()
        c.close()
        EMU.ok("POST", "/_emulator/faults", {"path": "/_remote/*", "action": "reset_after"})
        c = EMU.conn(fresh=True)
        with self.assertRaises((http.client.HTTPException, ConnectionError, ssl.SSLError, OSError)):
            c.request("GET", "/_remote/info", headers={"Authorization": EMU.basic("elastic", EMU.info["local"]["password"])})
            c.getresponse().read()
        c.close()

    def test_fault_malformed_oversized(self):
        EMU.ok("POST", "/_emulator/faults", {"path": "/", "action": "malformed"})
        st, h, b = EMU.req("GET", "/")
        self.assertEqual(st, 200)
        self.assertIsInstance(b, str)
        EMU.ok("POST", "/_emulator/faults", {"path": "/", "action": "oversized", "size": 5 * 1024 * 1024})
        st, h, b = EMU.req("GET", "/")
        self.assertEqual(int(h["content-length"]), 5 * 1024 * 1024)

    def test_fault_hang_released(self):
        EMU.ok("POST", "/_emulator/faults", {"path": "/", "action": "hang", "seconds": 30})
        res = {}

        def hang():
            c = EMU.conn(fresh=True)
            try:
                c.request("GET", "/", headers={"Authorization": EMU.basic("elastic", EMU.info["local"]["password"])})
                c.getresponse().read()
                res["r"] = "answered"
            except Exception as e:  # noqa
                res["r"] = "closed"
            c.close()
        t = threading.Thread(target=hang)
        t0 = time.time()
        t.start()
        time.sleep(0.5)
        self.assertNotIn("r", res)
        EMU.ok("DELETE", "/_emulator/faults")
        t.join(10)
        self.assertEqual(res.get("r"), "closed")
        self.assertLess(time.time() - t0, 10)

    def raw(self, method, path, body=None, cluster="local", timeout=10):
        """One request on a fresh connection with Connection: close; returns (head, body) as
        bytes, read to the end, so that answers http.client refuses can be looked at."""
        url = EMU.info[cluster]["url"].split("://")[1]
        host, port = url.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=timeout)
        ssock = EMU.ctx(cluster).wrap_socket(sock, server_hostname=host)
        data = json.dumps(body).encode() if body is not None else b""
        auth = EMU.basic("elastic", EMU.info[cluster]["password"])
        ssock.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nConnection: close\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % (method, path, auth, len(data))).encode() + data)
        out = b""
        while True:
            try:
                b = ssock.recv(65536)
            except ssl.SSLError:
                break
            if not b:
                break
            out += b
        ssock.close()
        head, _, rest = out.partition(b"\r\n\r\n")
        return head.decode("latin-1"), rest

    def test_fault_slow_body(self):
        EMU.ok("POST", "/_emulator/faults", {"method": "GET", "path": "/_cluster/settings", "action": "slow_body",
                                             "chunk": 8, "interval_ms": 100})
        t0 = time.time()
        st, h, b = EMU.req("GET", "/_cluster/settings")
        # {"persistent":{},"transient":{}} is 32 bytes: 4 chunks, 3 pauses
        self.assertEqual((st, b), (200, {"persistent": {}, "transient": {}}))
        self.assertGreaterEqual(time.time() - t0, 0.3)
        self.assertEqual(h["content-length"], "32")
        t0 = time.time()
        EMU.ok("GET", "/_cluster/settings")  # count 1: the next one is fast
        self.assertLess(time.time() - t0, 0.3)
        # a body of its own, trickled; clearing the faults sends the rest at once
        EMU.ok("POST", "/_emulator/faults", {"path": "/", "action": "slow_body", "interval_ms": 5000,
                                             "status": 503, "body": {"slow": "x" * 40}})
        res = {}

        def slow():
            c = EMU.conn(fresh=True)
            c.request("GET", "/", headers={"Authorization": EMU.basic("elastic", EMU.info["local"]["password"])})
            r = c.getresponse()
            res["r"] = (r.status, json.loads(r.read()))
            c.close()
        t = threading.Thread(target=slow)
        t0 = time.time()
        t.start()
        time.sleep(0.3)
        self.assertNotIn("r", res)
        EMU.ok("DELETE", "/_emulator/faults", cluster="local")
        t.join(10)
        self.assertEqual(res.get("r"), (503, {"slow": "x" * 40}))
        self.assertLess(time.time() - t0, 3)

    def test_fault_redirect(self):
        other = EMU.info["cluster_one"]["url"]
        EMU.ok("POST", "/_emulator/faults", [
            {"method": "PUT", "path": "/_cluster/settings", "action": "redirect", "status": 307,
             "location": other + "{target}"},
            {"path": "/", "action": "redirect"}])
        st, h, b = EMU.req("PUT", "/_cluster/settings?flat_settings=true",
                           {"persistent": {"cluster.metadata.a": "1"}})
        self.assertEqual(st, 307)
        self.assertEqual(h["location"], other + "/_cluster/settings?flat_settings=true")
        self.assertEqual(h["content-type"], "text/html")
        self.assertNotIn("x-elastic-product", h)  # a proxy answered, not Elasticsearch
        self.assertIn("307 Moved", b)
        self.assertEqual(self.flat()["persistent"], {})  # the request was not handled
        st, h, b = EMU.req("GET", "/")
        self.assertEqual((st, h["location"]), (302, "https://example.invalid/"))
        self.assertEqual(EMU.req("GET", "/")[0], 200)
        self.assertEqual(EMU.ok("GET", "/_emulator/requests", cluster="cluster_one"), [])

    def test_fault_oversized_headers(self):
        EMU.ok("POST", "/_emulator/faults", [
            {"path": "/", "action": "oversized_headers", "size": 200000},
            {"path": "/", "action": "oversized_headers", "size": 1024 * 1024, "line": 4096}])
        head, body = self.raw("GET", "/")
        lines = head.split("\r\n")
        self.assertEqual(lines[0], "HTTP/1.1 200 OK")
        pad = [x for x in lines if x.startswith("X-Emulator-Padding-")]
        self.assertEqual(len(pad), 1)
        self.assertTrue(199000 < len(pad[0]) <= 200000, len(pad[0]))
        self.assertEqual(json.loads(body)["version"]["number"], EMU.info["local"]["version"])
        head, body = self.raw("GET", "/")
        pad = [x for x in head.split("\r\n") if x.startswith("X-Emulator-Padding-")]
        self.assertTrue(250 <= len(pad) <= 260 and max(len(x) for x in pad) <= 4094, len(pad))
        self.assertGreater(len(head), 1000000)
        self.assertIn(b'"tagline"', body)
        head, _ = self.raw("GET", "/")
        self.assertLess(len(head), 1000)

    def test_fault_tls_stall(self):
        st, _, b = EMU.req("POST", "/_emulator/faults", {"path": "/_security/*", "action": "tls_stall"})
        self.assertEqual(st, 400)
        self.assertIn("matches new connections", b["error"]["reason"])
        EMU.ok("GET", "/")  # the helper's connection is open before the stall is armed
        EMU.ok("POST", "/_emulator/faults", {"action": "tls_stall", "seconds": 30})
        self.assertEqual(EMU.req("GET", "/")[0], 200)  # open connections are not affected
        t0 = time.time()
        with self.assertRaises((socket.timeout, ssl.SSLError, OSError)):
            self.raw("GET", "/", timeout=0.5)
        self.assertLess(time.time() - t0, 2)
        self.assertEqual(self.raw("GET", "/")[0].split("\r\n")[0], "HTTP/1.1 200 OK")  # count 1
        EMU.ok("POST", "/_emulator/faults", {"action": "tls_stall", "count": -1, "seconds": 30})
        EMU.ok("DELETE", "/_emulator/requests")
        for _ in range(2):
            with self.assertRaises((socket.timeout, ssl.SSLError, OSError)):
                self.raw("GET", "/", timeout=0.3)
        faults = EMU.ok("GET", "/_emulator/faults")["faults"]
        self.assertEqual([f["fired"] for f in faults], [1, 2])
        self.assertEqual(EMU.ok("GET", "/_emulator/requests"), [])  # no request got through
        EMU.ok("DELETE", "/_emulator/faults")  # releases
        self.assertEqual(self.raw("GET", "/")[0].split("\r\n")[0], "HTTP/1.1 200 OK")

    def test_fault_invalid_utf8(self):
        EMU.ok("PUT", "/_security/role/r-INVALID_UTF8-x", {"cluster": ["monitor"]})
        EMU.ok("POST", "/_emulator/faults", [
            {"method": "GET", "path": "/_security/role", "action": "invalid_utf8", "bytes": "c3 28"},
            {"method": "PUT", "path": "/_security/role/*", "action": "invalid_utf8", "marker": "HERE",
             "status": 400, "body": {"error": {"type": "t", "reason": "bad HERE"}, "status": 400}}])
        head, body = self.raw("GET", "/_security/role")
        self.assertIn(b'"r-\xc3(-x"', body)
        with self.assertRaises(UnicodeDecodeError):
            body.decode("utf-8")
        head, body = self.raw("PUT", "/_security/role/y", {"cluster": ["monitor"]})
        self.assertTrue(head.startswith("HTTP/1.1 400 "), head)
        self.assertEqual(body, b'{"error": {"type": "t", "reason": "bad \xff"}, "status": 400}')
        self.assertEqual(EMU.req("GET", "/_security/role/y")[0], 404)  # not handled
        st, _, b = EMU.req("POST", "/_emulator/faults", {"action": "invalid_utf8", "bytes": "zz"})
        self.assertEqual(st, 400)

    def test_fault_content_type(self):
        plain = EMU.ok("GET", "/_remote/info")
        EMU.ok("POST", "/_emulator/faults", {"method": "GET", "path": "/_remote/info", "action": "content_type",
                                             "count": -1})
        for _ in range(2):
            st, h, b = EMU.req("GET", "/_remote/info")
            self.assertEqual((st, b), (200, plain))  # the answer itself is unchanged
            self.assertEqual(h["content-type"], "text/html; charset=utf-8")
            self.assertEqual(h["x-elastic-product"], "Elasticsearch")
        EMU.ok("POST", "/_emulator/faults", {"method": "PUT", "path": "/_cluster/settings", "action": "content_type",
                                             "content_type": "text/plain"})
        st, h, b = EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.metadata.a": "1"}})
        self.assertEqual((st, h["content-type"]), (200, "text/plain"))
        self.assertEqual(self.flat()["persistent"], {"cluster.metadata.a": "1"})  # handled as usual

    def test_seed(self):
        t0 = time.time()
        b = EMU.ok("POST", "/_emulator/seed", {"roles": 1000, "users": 1000, "remotes": 10, "prefix": "bench"})
        self.assertLess(time.time() - t0, 5)
        self.assertEqual(b["roles"], 1000)
        roles = EMU.ok("GET", "/_security/role")
        self.assertEqual(len([r for r in roles if r.startswith("bench-role-")]), 1000)
        users = EMU.ok("GET", "/_security/user")
        self.assertEqual(len([u for u in users if u.startswith("bench-user-")]), 1000)
        EMU.ok("GET", "/_security/_authenticate", auth=EMU.basic("bench-user-7", b["password"]))
        info = EMU.ok("GET", "/_remote/info")
        self.assertEqual(len([a for a in info if a.startswith("bench_remote_")]), 10)
        self.assertTrue(info["bench_remote_3"]["connected"])

    def test_emulator_paths_not_logged(self):
        EMU.ok("GET", "/_emulator/requests")
        self.assertEqual(EMU.ok("GET", "/_emulator/requests"), [])


class TestCachedAnswers(Base):
    """The GETs that only read the state are answered from a cache until the next write: every
    kind of write shows in the next read, and who asks is part of the key."""

    def test_writes_show_in_the_next_read(self):
        self.assertNotIn("r1", EMU.ok("GET", "/_security/role"))
        EMU.ok("PUT", "/_security/role/r1", {"cluster": ["monitor"]})
        self.assertEqual(EMU.ok("GET", "/_security/role")["r1"]["cluster"], ["monitor"])
        EMU.ok("POST", "/_security/role", {"roles": {"r1": {"cluster": ["manage"]}, "r2": {}}})
        self.assertEqual(EMU.ok("GET", "/_security/role")["r1"]["cluster"], ["manage"])
        self.assertEqual(EMU.ok("GET", "/_security/role/r1")["r1"]["cluster"], ["manage"])
        EMU.ok("DELETE", "/_security/role/r2")
        self.assertNotIn("r2", EMU.ok("GET", "/_security/role"))
        EMU.ok("PUT", "/_security/user/u1", {"password": "u1-secret", "roles": ["r1"]})
        self.assertTrue(EMU.ok("GET", "/_security/user")["u1"]["enabled"])
        EMU.ok("PUT", "/_security/user/u1/_disable")
        self.assertFalse(EMU.ok("GET", "/_security/user")["u1"]["enabled"])
        self.assertFalse(EMU.ok("GET", "/_security/user/u1")["u1"]["enabled"])
        self.put_settings({"persistent": {"cluster.metadata.x": "1"}})
        self.assertEqual(self.flat()["persistent"], {"cluster.metadata.x": "1"})
        self.put_settings({"persistent": {"cluster.metadata.x": None}})
        self.assertEqual(self.flat()["persistent"], {})
        EMU.ok("POST", "/_emulator/seed", {"roles": 3, "users": 3})
        self.assertIn("bench-role-2", EMU.ok("GET", "/_security/role"))
        self.assertIn("bench-user-2", EMU.ok("GET", "/_security/user"))
        EMU.ok("DELETE", "/_emulator/state")
        self.assertNotIn("bench-role-2", EMU.ok("GET", "/_security/role"))
        self.assertNotIn("u1", EMU.ok("GET", "/_security/user"))

    def test_who_asks_is_part_of_the_key(self):
        EMU.ok("PUT", "/_security/role/mon", {"cluster": ["monitor"]})
        EMU.ok("PUT", "/_security/user/joe", {"password": "joe-secret", "roles": ["mon"]})
        joe = EMU.basic("joe", "joe-secret")
        EMU.ok("GET", "/_security/role")
        self.assertEqual(EMU.req("GET", "/_security/role", auth=joe)[0], 403)
        EMU.ok("PUT", "/_security/role/mon", {"cluster": ["monitor", "read_security"]})
        self.assertIn("mon", EMU.ok("GET", "/_security/role", auth=joe))
        EMU.ok("PUT", "/_security/role/mon", {"cluster": ["monitor"]})
        self.assertEqual(EMU.req("GET", "/_security/role", auth=joe)[0], 403)
        self.assertEqual(EMU.req("GET", "/_security/role", auth=False)[0], 401)


class TestKeptTransportConnections(unittest.TestCase):
    def test_a_connection_the_listener_closed_is_replaced(self):
        emu = Emu(clusters=("a", "b"), args=["--transport-idle-s", "0.3"])
        try:
            emu.ok("PUT", "/_cluster/settings",
                   {"persistent": {"cluster.remote.b.seeds": [emu.info["b"]["transport_address"]]}}, cluster="a")
            for _ in range(2):  # the second over the kept connection
                r = emu.ok("GET", "/_resolve/cluster/b:*", cluster="a")
                self.assertEqual((r["b"]["connected"], r["b"]["matching_indices"]), (True, False), r)
            time.sleep(1)  # the listener closes the idle connection
            r = emu.ok("GET", "/_resolve/cluster/b:*", cluster="a")
            self.assertEqual((r["b"]["connected"], r["b"]["matching_indices"]), (True, False), r)
            self.assertTrue(emu.ok("GET", "/_remote/info", cluster="a")["b"]["connected"])
        finally:
            emu.stop()


class TestNoControl(unittest.TestCase):
    def test_no_control_and_latency(self):
        e = Emu(clusters=("x",), control=False, args=["--latency-ms", "200"])
        try:
            st, h, b = e.req("GET", "/_emulator/requests", cluster="x")
            self.assertEqual(st, 400)  # no handler
            t0 = time.time()
            e.ok("GET", "/", cluster="x")
            self.assertGreaterEqual(time.time() - t0, 0.2)
        finally:
            e.stop()
        self.assertEqual(e.rc, 0)


class TestVersion814(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.e = Emu(clusters=("old", "new"), args=["--version", "8.14.3", "--cluster-version", "new=8.15.0"])

    @classmethod
    def tearDownClass(cls):
        cls.e.stop()

    def test_no_bulk_and_skip_default(self):
        e = self.e
        self.assertEqual(e.ok("GET", "/", cluster="old")["version"]["number"], "8.14.3")
        st, h, b = e.req("POST", "/_security/role", {"roles": {"a": {}}}, cluster="old")
        self.assertEqual(st, 405)
        self.assertEqual(b["error"], "Incorrect HTTP method for uri [/_security/role] and method [POST], allowed: [GET]")
        e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.n.seeds": [e.info["new"]["transport_address"]]}},
             cluster="old")
        info = e.ok("GET", "/_remote/info", cluster="old")
        self.assertFalse(info["n"]["skip_unavailable"])
        self.assertTrue(info["n"]["connected"])
        e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.o.seeds": [e.info["old"]["transport_address"]]}},
             cluster="new")
        self.assertTrue(e.ok("GET", "/_remote/info", cluster="new")["o"]["skip_unavailable"])
        self.assertEqual(e.ok("POST", "/_security/role", {"roles": {"a": {}}}, cluster="new"), {"created": ["a"]})


class TestSharedCA(unittest.TestCase):
    def test_shared_ca_and_config_file(self):
        import tempfile
        fd, path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump({"shared_transport_ca": [["a", "b"]], "no_trust": ["a:b"],
                       "static_settings": {"a": {"cluster": {"remote": {"x": {"seeds": ["@b"]}}}}}}, f)
        e = Emu(clusters=("a", "b", "c"), args=["--config", path, "--password", "fixed-password"])
        try:
            self.assertEqual(e.info["a"]["password"], "fixed-password")
            self.assertEqual(e.info["a"]["transport_ca_file"], e.info["b"]["transport_ca_file"])
            # a shares b's CA, so "not trusting b" cannot exclude it
            info = e.ok("GET", "/_remote/info", cluster="a")
            self.assertTrue(info["x"]["connected"])
            self.assertEqual(info["x"]["seeds"], [e.info["b"]["transport_address"]])
        finally:
            e.stop()
            os.unlink(path)


if __name__ == "__main__":
    unittest.main()
