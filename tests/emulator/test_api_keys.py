"""Issue 14: cross-cluster API keys, the remote cluster server, the keystore and API-key remote
connections, over real HTTPS and real TLS listeners (docs/elasticsearch.md, "API-key remotes")."""

import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESEMU, Emu  # noqa: E402

EMU = None
ACCESS = {"search": [{"names": ["logs-*"]}], "replication": [{"names": ["leader-*"]}]}


def setUpModule():
    global EMU
    EMU = Emu(clusters=("local", "one", "two", "old", "ancient"),
              args=["--license", "trial", "--remote-cluster-server", "one", "--remote-cluster-server", "two",
                    "--cluster-version", "old=8.12.2", "--cluster-version", "ancient=8.9.2",
                    "--remote-connect-wait-s", "2", "--connect-timeout", "3"])


def tearDownModule():
    EMU.stop()


def rcs(name):
    return EMU.info[name]["remote_cluster_server_address"]


def taddr(name):
    return EMU.info[name]["transport_address"]


class Base(unittest.TestCase):
    def setUp(self):
        for c in EMU.info:
            EMU.ok("DELETE", "/_emulator/state", cluster=c)

    def err(self, method, path, body=None, status=400, **kw):
        st, _, b = EMU.req(method, path, body, **kw)
        self.assertEqual(st, status, b)
        return b["error"]

    def key(self, name="k", access=None, cluster="one", **extra):
        return EMU.ok("POST", "/_security/cross_cluster/api_key", dict({"name": name, "access": access or ACCESS},
                                                                        **extra), cluster=cluster)

    def user(self, name, roles, cluster="one", **role_bodies):
        for r, b in role_bodies.items():
            EMU.ok("PUT", "/_security/role/" + r, b, cluster=cluster)
        EMU.ok("PUT", "/_security/user/" + name, {"password": "secret-1", "roles": roles}, cluster=cluster)
        return EMU.basic(name, "secret-1")

    def keystore(self, settings, cluster="local", reload=True):
        EMU.ok("POST", "/_emulator/keystore", settings, cluster=cluster)
        if reload:
            return EMU.ok("POST", "/_nodes/reload_secure_settings", cluster=cluster)

    def remote(self, alias, seeds=None, proxy=None, cluster="local"):
        if proxy:
            s = {"cluster.remote.%s.mode" % alias: "proxy", "cluster.remote.%s.proxy_address" % alias: proxy}
        else:
            s = {"cluster.remote.%s.seeds" % alias: seeds}
        EMU.ok("PUT", "/_cluster/settings", {"persistent": s}, cluster=cluster)

    def info(self, alias, cluster="local"):
        return EMU.ok("GET", "/_remote/info", cluster=cluster)[alias]


class TestCreate(Base):
    def test_create_answer(self):
        k = self.key("k1", expiration="90d", metadata={"owner": "x"})
        self.assertEqual(sorted(k), ["api_key", "encoded", "expiration", "id", "name"])
        self.assertEqual(k["name"], "k1")
        self.assertEqual(base64.b64decode(k["encoded"]).decode(), "%s:%s" % (k["id"], k["api_key"]))
        self.assertAlmostEqual(k["expiration"] / 1000.0, time.time() + 90 * 86400, delta=60)
        self.assertNotIn("expiration", self.key("k2"))

    def test_empty_access(self):
        for access in ({}, {"search": []}, {"search": [], "replication": []}):
            e = self.err("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": access}, cluster="one")
            self.assertEqual((e["type"], e["reason"]), ("illegal_argument_exception", "must specify non-empty access "
                                                        "for either [search] or [replication]"))

    def test_unknown_fields(self):
        e = self.err("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS, "role_descriptors": {}},
                     cluster="one")
        self.assertEqual(e["type"], "x_content_parse_exception")
        self.assertIn("[cross_cluster_api_key_request_payload] unknown field [role_descriptors]", e["reason"])
        e = self.err("POST", "/_security/cross_cluster/api_key",
                     {"name": "k", "access": {"search": [{"names": ["a"]}], "monitor": []}}, cluster="one")
        self.assertIn("failed to parse field [access]", e["reason"])
        self.assertIn("[cross_cluster_api_key_request_access] unknown field [monitor]", e["caused_by"]["reason"])

    def test_privileges_are_fixed(self):
        e = self.err("POST", "/_security/cross_cluster/api_key",
                     {"name": "k", "access": {"search": [{"names": ["a"], "privileges": ["read"]}]}}, cluster="one")
        self.assertEqual(e["caused_by"]["reason"], "failed to parse indices privileges for role [cross_cluster]. "
                                                   "field [privileges] must not present")

    def test_replication_refuses_dls_fls(self):
        e = self.err("POST", "/_security/cross_cluster/api_key",
                     {"name": "k", "access": {"replication": [{"names": ["a"], "query": {"match_all": {}}}]}},
                     cluster="one")
        self.assertEqual(e["reason"], "replication does not support document or field level security")

    def test_names_and_metadata(self):
        cases = [("_k", "api key name may not begin with an underscore"),
                 (" k", "api key name may not begin or end with whitespace"),
                 ("k" * 257, "api key name may not be more than 256 characters long"),
                 ("", "api key name is required")]
        for name, msg in cases:
            e = self.err("POST", "/_security/cross_cluster/api_key", {"name": name, "access": ACCESS}, cluster="one")
            self.assertEqual((e["type"], e["reason"]), ("action_request_validation_exception",
                                                        "Validation Failed: 1: %s;" % msg))
        e = self.err("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS, "metadata": {"_x": 1}},
                     cluster="one")
        self.assertEqual(e["reason"], "Validation Failed: 1: API key metadata keys may not start with [_];")
        e = self.err("POST", "/_security/cross_cluster/api_key", {"access": ACCESS}, cluster="one")
        self.assertIn("Required [name]", e["reason"])
        e = self.err("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS, "expiration": "90x"},
                     cluster="one")
        self.assertIn("failed to parse setting [expiration] with value [90x] as a time value", e["reason"])

    def test_needs_manage_security(self):
        # manage_api_key covers cluster:admin/xpack/security/api_key/*, not the cross_cluster actions
        auth = self.user("keyman", ["km"], km={"cluster": ["manage_api_key"]})
        e = self.err("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS}, status=403,
                     cluster="one", auth=auth)
        self.assertEqual(e["reason"], "action [cluster:admin/xpack/security/cross_cluster/api_key/create] is "
                         "unauthorized for user [keyman] with effective roles [km], this action is granted by the "
                         "cluster privileges [manage_security,all]")
        hp = EMU.ok("POST", "/_security/user/_has_privileges", {"cluster": ["manage_security", "manage_api_key"]},
                    cluster="one", auth=auth)
        self.assertEqual(hp["cluster"], {"manage_security": False, "manage_api_key": True})
        sec = self.user("secman", ["sm"], sm={"cluster": ["manage_security"]})
        EMU.ok("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS}, cluster="one", auth=sec)

    def test_rest_authentication_refuses_cross_cluster_keys(self):
        k = self.key()
        e = self.err("GET", "/_security/_authenticate", status=401, cluster="one", auth="ApiKey " + k["encoded"])
        self.assertEqual(e["reason"], "authentication expected API key type of [rest], but API key [%s] has type "
                         "[cross_cluster]" % k["id"])

    def test_version_gates(self):
        st, _, b = EMU.req("POST", "/_security/cross_cluster/api_key", {"name": "k", "access": ACCESS},
                           cluster="ancient")
        self.assertEqual((st, b["error"]), (400, "no handler found for uri [/_security/cross_cluster/api_key] "
                                                 "and method [POST]"))
        k = self.key(cluster="old")
        e = self.err("PUT", "/_security/cross_cluster/api_key/" + k["id"], {"expiration": "1d"}, cluster="old")
        self.assertIn("unknown field [expiration]", e["reason"])
        got = EMU.ok("GET", "/_security/api_key?id=" + k["id"], cluster="old")["api_keys"][0]
        self.assertNotIn("realm_type", got)  # ApiKey.realm_type: 8.14+
        self.assertEqual(EMU.ok("GET", "/_security/api_key?id=" + self.key()["id"], cluster="one")
                         ["api_keys"][0]["realm_type"], "reserved")


class TestGetUpdateInvalidate(Base):
    def test_get_shape(self):
        k = self.key("esr-a", metadata={"managed_by": "esreconcile"})
        got = EMU.ok("GET", "/_security/api_key?name=esr-a", cluster="one")["api_keys"]
        self.assertEqual(len(got), 1)
        g = got[0]
        self.assertEqual((g["id"], g["type"], g["invalidated"], g["username"], g["realm"]),
                         (k["id"], "cross_cluster", False, "elastic", "reserved"))
        self.assertEqual(g["metadata"], {"managed_by": "esreconcile"})
        self.assertEqual(g["access"], {"search": [{"names": ["logs-*"], "allow_restricted_indices": False}],
                                       "replication": [{"names": ["leader-*"], "allow_restricted_indices": False}]})
        rd = g["role_descriptors"]["cross_cluster"]
        self.assertEqual(rd["cluster"], ["cross_cluster_search", "cross_cluster_replication"])
        self.assertEqual([e["privileges"] for e in rd["indices"]],
                         [["read", "read_cross_cluster", "view_index_metadata"],
                          ["cross_cluster_replication", "cross_cluster_replication_internal"]])
        self.assertNotIn("expiration", g)
        self.assertNotIn("invalidation", g)

    def test_search_access_keeps_dls_fls(self):
        a = {"search": [{"names": ["x"], "query": {"term": {"a": 1}}, "field_security": {"grant": ["a"]}}]}
        self.key("dls", access=a)
        g = EMU.ok("GET", "/_security/api_key?name=dls", cluster="one")["api_keys"][0]
        self.assertEqual(g["access"], {"search": [{"names": ["x"], "field_security": {"grant": ["a"]},
                                                   "query": '{"term":{"a":1}}', "allow_restricted_indices": False}]})
        self.assertEqual(g["role_descriptors"]["cross_cluster"]["cluster"], ["cross_cluster_search"])

    def test_get_by_name_pattern_id_and_active_only(self):
        a, b = self.key("esr-one-a"), self.key("esr-one-b")
        self.key("other")
        names = lambda q: sorted(x["name"] for x in EMU.ok("GET", "/_security/api_key" + q, cluster="one")["api_keys"])
        self.assertEqual(names("?name=esr-one-*"), ["esr-one-a", "esr-one-b"])
        self.assertEqual(names("?name=*"), ["esr-one-a", "esr-one-b", "other"])
        self.assertEqual(names("?name=esr-one"), [])
        self.assertEqual(names("?id=" + a["id"]), ["esr-one-a"])
        EMU.ok("DELETE", "/_security/api_key", {"ids": [b["id"]]}, cluster="one")
        self.assertEqual(names("?name=esr-one-*"), ["esr-one-a", "esr-one-b"])
        self.assertEqual(names("?name=esr-one-*&active_only=true"), ["esr-one-a"])
        st, _, body = EMU.req("GET", "/_security/api_key?id=nope", cluster="one")
        self.assertEqual((st, body), (404, {"api_keys": []}))
        self.assertEqual(EMU.ok("GET", "/_security/api_key?name=nope", cluster="one"), {"api_keys": []})

    def test_update_in_place(self):
        k = self.key("u", metadata={"v": 1})
        path = "/_security/cross_cluster/api_key/" + k["id"]
        new = {"search": [{"names": ["metrics-*"]}]}
        self.assertEqual(EMU.ok("PUT", path, {"access": new}, cluster="one"), {"updated": True})
        self.assertEqual(EMU.ok("PUT", path, {"access": new, "metadata": {"v": 1}}, cluster="one"), {"updated": False})
        self.assertEqual(EMU.ok("PUT", path, {"metadata": {"v": 2}}, cluster="one"), {"updated": True})
        got = EMU.ok("GET", "/_security/api_key?name=u", cluster="one")["api_keys"]
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0]["id"], got[0]["metadata"]), (k["id"], {"v": 2}))
        self.assertEqual(got[0]["access"], {"search": [{"names": ["metrics-*"], "allow_restricted_indices": False}]})
        self.assertEqual(got[0]["role_descriptors"]["cross_cluster"]["cluster"], ["cross_cluster_search"])
        # the key keeps authenticating: same secret
        self.assertEqual(EMU.ok("PUT", path, {"expiration": "30d"}, cluster="one"), {"updated": True})
        exp = EMU.ok("GET", "/_security/api_key?id=" + k["id"], cluster="one")["api_keys"][0]["expiration"]
        self.assertAlmostEqual(exp / 1000.0, time.time() + 30 * 86400, delta=60)

    def test_update_errors(self):
        k = self.key("u")
        path = "/_security/cross_cluster/api_key/" + k["id"]
        e = self.err("PUT", path, {}, cluster="one")
        self.assertEqual(e["reason"], "Validation Failed: 1: must update either [access] or [metadata] for "
                                      "cross-cluster API keys;")
        e = self.err("PUT", path, {"access": {}}, cluster="one")
        self.assertEqual(e["reason"], "must specify non-empty access for either [search] or [replication]")
        e = self.err("PUT", path, {"name": "x"}, cluster="one")
        self.assertIn("[update_cross_cluster_api_key_request_payload] unknown field [name]", e["reason"])
        e = self.err("PUT", "/_security/cross_cluster/api_key/nope", {"metadata": {}}, status=404, cluster="one")
        self.assertEqual((e["type"], e["reason"]), ("resource_not_found_exception",
                                                    "no API key owned by requesting user found for ID [nope]"))
        rest = EMU.ok("POST", "/_security/api_key", {"name": "r"}, cluster="one")
        e = self.err("PUT", "/_security/cross_cluster/api_key/" + rest["id"], {"metadata": {}}, cluster="one")
        self.assertEqual(e["reason"], "cannot update API key of type [rest] while expected type is [cross_cluster]")
        EMU.ok("DELETE", "/_security/api_key", {"ids": [k["id"]]}, cluster="one")
        e = self.err("PUT", path, {"metadata": {}}, cluster="one")
        self.assertEqual(e["reason"], "cannot update invalidated API key [%s]" % k["id"])

    def test_expiry(self):
        k = self.key("short", expiration="1s")
        time.sleep(1.2)
        g = EMU.ok("GET", "/_security/api_key?name=short", cluster="one")["api_keys"]
        self.assertEqual((len(g), g[0]["invalidated"]), (1, False))
        self.assertEqual(EMU.ok("GET", "/_security/api_key?name=short&active_only=true", cluster="one"),
                         {"api_keys": []})
        e = self.err("PUT", "/_security/cross_cluster/api_key/" + k["id"], {"metadata": {}}, cluster="one")
        self.assertEqual(e["reason"], "cannot update expired API key [%s]" % k["id"])

    def test_invalidate(self):
        a, b, c = self.key("inv-a"), self.key("inv-b"), self.key("keep")
        r = EMU.ok("DELETE", "/_security/api_key", {"ids": [a["id"]]}, cluster="one")
        self.assertEqual(r, {"invalidated_api_keys": [a["id"]], "previously_invalidated_api_keys": [],
                             "error_count": 0})
        r = EMU.ok("DELETE", "/_security/api_key", {"name": "inv-*"}, cluster="one")
        self.assertEqual(r["invalidated_api_keys"], [b["id"]])  # an invalidated key is not searched again
        g = {x["name"]: x for x in EMU.ok("GET", "/_security/api_key", cluster="one")["api_keys"]}
        self.assertTrue(g["inv-a"]["invalidated"] and g["inv-b"]["invalidated"] and not g["keep"]["invalidated"])
        self.assertIn("invalidation", g["inv-a"])
        e = self.err("DELETE", "/_security/api_key", {}, cluster="one")
        self.assertEqual(e["reason"], "Validation Failed: 1: One of [api key id(s), api key name, username, realm "
                                      "name] must be specified if [owner] flag is false;")
        e = self.err("DELETE", "/_security/api_key", {"ids": []}, cluster="one")
        self.assertIn("Field [ids] cannot be an empty array", e["reason"])
        self.assertEqual(c["name"], "keep")


class TestRemoteClusterServer(Base):
    def test_nodes(self):
        n = list(EMU.ok("GET", "/_nodes/remote_cluster_server", cluster="one")["nodes"].values())[0]
        self.assertEqual(n["remote_cluster_server"], {"bound_address": [rcs("one")], "publish_address": rcs("one")})
        n = list(EMU.ok("GET", "/_nodes", cluster="one")["nodes"].values())[0]
        self.assertEqual(n["remote_cluster_server"]["publish_address"], rcs("one"))
        self.assertNotIn("remote_cluster_server", list(EMU.ok("GET", "/_nodes/transport", cluster="one")
                                                       ["nodes"].values())[0])
        n = list(EMU.ok("GET", "/_nodes/remote_cluster_server", cluster="local")["nodes"].values())[0]
        self.assertNotIn("remote_cluster_server", n)
        self.assertNotIn("remote_cluster_server_address", EMU.info["local"])
        self.assertNotEqual(rcs("one"), taddr("one"))

    def test_real_tls_listener(self):
        # TLS with the node's certificate (transport CA), no client certificate asked for
        ctx = ssl.create_default_context(cafile=EMU.info["one"]["transport_ca_file"])
        host, port = rcs("one").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname=host) as ss:
                self.assertEqual(ss.recv(2), b"RC")
                self.assertIn("one-node-0", json.dumps(ss.getpeercert()["subject"]))
        # the plain transport port wants a client certificate
        host, port = taddr("one").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as s:
            with self.assertRaises((ssl.SSLError, OSError)):
                with ctx.wrap_socket(s, server_hostname=host) as ss:
                    if ss.recv(2) != b"OK":
                        raise OSError("refused")


class TestKeystore(Base):
    def test_stage_then_reload(self):
        k = self.key()
        self.remote("r1", [rcs("one")])
        EMU.ok("POST", "/_emulator/keystore", {"cluster.remote.r1.credentials": k["encoded"]})
        self.assertNotIn("cluster_credentials", self.info("r1"))  # staged, not loaded
        self.assertFalse(self.info("r1")["connected"])
        r = EMU.ok("POST", "/_nodes/reload_secure_settings")
        node = EMU.info["local"]["node_id"]
        self.assertEqual(r, {"_nodes": {"total": 1, "successful": 1, "failed": 0}, "cluster_name": "local",
                             "nodes": {node: {"name": "local-node-0"}}})
        i = self.info("r1")
        self.assertEqual((i["cluster_credentials"], i["connected"]), ("::es_redacted::", True))
        self.assertNotIn(k["api_key"], json.dumps(EMU.ok("GET", "/_remote/info")))
        self.assertNotIn(k["encoded"], json.dumps(EMU.ok("GET", "/_cluster/settings?include_defaults=true")))
        self.keystore({"cluster.remote.r1.credentials": None})
        i = self.info("r1")
        self.assertNotIn("cluster_credentials", i)
        self.assertFalse(i["connected"])

    def test_keystore_accepts_only_credentials(self):
        st, _, b = EMU.req("POST", "/_emulator/keystore", {"xpack.security.http.ssl.keystore.secure_password": "x"})
        self.assertEqual(st, 400)
        self.assertIn("unknown secure setting", b["error"]["reason"])
        st, _, b = EMU.req("POST", "/_emulator/keystore", {"cluster.remote.r1.credentials": 5})
        self.assertEqual(st, 400)

    def test_credentials_stay_not_dynamic(self):
        st, _, b = EMU.req("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.r1.credentials": "x"}})
        self.assertEqual((st, b["error"]["reason"]),
                         (400, "persistent setting [cluster.remote.r1.credentials], not dynamically updateable"))

    def test_reload_needs_privilege(self):
        auth = self.user("mon", ["mo"], cluster="local", mo={"cluster": ["monitor"]})
        e = self.err("POST", "/_nodes/reload_secure_settings", status=403, auth=auth)
        self.assertIn("cluster:admin/nodes/reload_secure_settings", e["reason"])
        self.assertEqual(EMU.ok("POST", "/_nodes/nope/reload_secure_settings")["_nodes"]["total"], 0)


class TestConnections(Base):
    def connected(self, alias):
        return self.info(alias)["connected"]

    def test_matrix(self):
        good = self.key("good")["encoded"]
        other = self.key("other-cluster", cluster="two")["encoded"]
        rest = EMU.ok("POST", "/_security/api_key", {"name": "rest"}, cluster="one")["encoded"]
        cases = {"ok_sniff": ([rcs("one")], None, good), "ok_proxy": (None, rcs("one"), good),
                 "no_creds": ([rcs("one")], None, None), "transport_port": ([taddr("one")], None, good),
                 "key_of_two": ([rcs("one")], None, other), "rest_key": ([rcs("one")], None, rest),
                 "garbage": ([rcs("one")], None, "bm90LWEta2V5")}
        for alias, (seeds, proxy, cred) in cases.items():
            self.remote(alias, seeds, proxy)
        self.keystore({"cluster.remote.%s.credentials" % a: c for a, (_, _, c) in cases.items() if c})
        got = {a: self.connected(a) for a in cases}
        self.assertEqual(got, {"ok_sniff": True, "ok_proxy": True, "no_creds": False, "transport_port": False,
                               "key_of_two": False, "rest_key": False, "garbage": False})
        # a certificate remote to the plain transport port is unaffected
        self.remote("cert", [taddr("one")])
        self.assertTrue(self.connected("cert"))

    def test_settings_change_reconnects_with_credentials(self):
        k = self.key()
        self.remote("mig", [taddr("one")])
        self.assertTrue(self.connected("mig"))  # the certificate model
        self.keystore({"cluster.remote.mig.credentials": k["encoded"]})
        self.assertFalse(self.connected("mig"))  # credentials but the transport port
        self.remote("mig", [rcs("one")])  # the migration's last step: seeds to the remote cluster server
        self.assertTrue(self.connected("mig"))

    def test_invalidated_or_expired_key(self):
        k = self.key("inv")
        short = self.key("short", expiration="1s")
        self.remote("a", [rcs("one")])
        self.remote("b", [rcs("one")])
        self.keystore({"cluster.remote.a.credentials": k["encoded"], "cluster.remote.b.credentials": short["encoded"]})
        self.assertTrue(self.connected("a") and self.connected("b"))
        EMU.ok("DELETE", "/_security/api_key", {"ids": [k["id"]]}, cluster="one")
        time.sleep(1.2)
        # the connection stays; each request is authenticated on the remote cluster server
        self.assertTrue(self.connected("a"))
        r = EMU.ok("GET", "/_resolve/cluster/a:logs-*,b:logs-*")
        self.assertIn("invalidated", r["a"]["error"])
        self.assertIn("expired", r["b"]["error"])
        # TransportResolveClusterAction before 8.16.3: a security error counts as connected
        self.assertTrue(r["a"]["connected"] and r["b"]["connected"])
        # the next connection attempt (a settings change) fails
        self.remote("a", [rcs("one"), rcs("one")])
        self.assertFalse(self.connected("a"))

    def test_resolve_cluster_authorization(self):
        k = self.key("s", access={"search": [{"names": ["logs-*"]}]})
        self.remote("r", [rcs("one")])
        self.keystore({"cluster.remote.r.credentials": k["encoded"]})
        r = EMU.ok("GET", "/_resolve/cluster/r:logs-*")["r"]
        self.assertEqual((r["connected"], r["matching_indices"]), (True, False))
        r = EMU.ok("GET", "/_resolve/cluster/r:secret")["r"]
        self.assertIn("towards remote cluster is unauthorized for user [elastic]", r["error"])
        self.assertIn("authenticated by API key id [%s] of user [elastic]" % k["id"], r["error"])
        # the caller's remote_indices are intersected with the key's access
        auth = self.user("reader", ["rr"], cluster="local",
                         rr={"remote_indices": [{"clusters": ["r"], "names": ["logs-*"], "privileges": ["read"]}]})
        self.assertEqual(EMU.ok("GET", "/_resolve/cluster/r:logs-a", auth=auth)["r"]["error"], "no such index [logs-a]")
        noauth = self.user("none", ["nr"], cluster="local",
                           nr={"remote_indices": [{"clusters": ["elsewhere"], "names": ["*"], "privileges": ["read"]}]})
        self.assertIn("is unauthorized for user [none]",
                      EMU.ok("GET", "/_resolve/cluster/r:logs-a", auth=noauth)["r"]["error"])


class TestLicence(unittest.TestCase):
    """Security.ADVANCED_REMOTE_CLUSTER_SECURITY_FEATURE is an enterprise feature: the key APIs and
    both ends of a connection need it (a trial has it)."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emu(clusters=("local", "one"),
                      args=["--static-setting", "one:remote_cluster_server.enabled=true", "--remote-connect-wait-s", "2",
                            "--connect-timeout", "3"])

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_basic_refuses_then_trial_allows(self):
        e = self.emu
        self.assertIn("remote_cluster_server_address", e.info["one"])  # from elasticsearch.yml
        body = {"name": "k", "access": ACCESS}
        st, _, b = e.req("POST", "/_security/cross_cluster/api_key", body, cluster="one")
        self.assertEqual((st, b["error"]["type"], b["error"]["reason"]),
                         (403, "security_exception",
                          "current license is non-compliant for [advanced-remote-cluster-security]"))
        self.assertEqual(b["error"]["license.expired.feature"], "advanced-remote-cluster-security")
        st, _, b = e.req("PUT", "/_security/cross_cluster/api_key/x", {"metadata": {}}, cluster="one")
        self.assertEqual(st, 403)
        e.ok("POST", "/_license/start_trial?acknowledge=true", cluster="one")
        k = e.ok("POST", "/_security/cross_cluster/api_key", body, cluster="one")
        # the local cluster, still basic, cannot use the key
        e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.r.seeds": [e.info["one"]
                                                                                     ["remote_cluster_server_address"]]}})
        e.ok("POST", "/_emulator/keystore", {"cluster.remote.r.credentials": k["encoded"]})
        e.ok("POST", "/_nodes/reload_secure_settings")
        self.assertFalse(e.ok("GET", "/_remote/info")["r"]["connected"])
        e.ok("POST", "/_license/start_trial?acknowledge=true")
        e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.r.node_connections": 2}})
        self.assertTrue(e.ok("GET", "/_remote/info")["r"]["connected"])


class TestStartup(unittest.TestCase):
    def test_unknown_cluster_refused(self):
        d = tempfile.mkdtemp()
        r = subprocess.run([sys.executable, ESEMU, "--state-dir", d, "--clusters", "a", "--remote-cluster-server", "b"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--remote-cluster-server: unknown cluster 'b'", r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
