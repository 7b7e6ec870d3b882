"""Issue 9: the emulator agrees with Elasticsearch's source (docs/elasticsearch.md) on remote
connections, _resolve/cluster, bulk role writes, licences, password hashes, version gates,
reserved names, settings and routing. One or more tests per fact."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu, Forwarder, Silent, free_port  # noqa: E402

EMU = None


def setUpModule():
    global EMU
    EMU = Emu(clusters=("local", "one", "two", "old"),
              args=["--no-trust", "two:local", "--cluster-version", "old=8.14.3",
                    "--remote-connect-wait-s", "1", "--connect-timeout", "3"])


def tearDownModule():
    EMU.stop()


def taddr(name):
    return EMU.info[name]["transport_address"]


class Base(unittest.TestCase):
    def setUp(self):
        for c in EMU.info:
            EMU.ok("DELETE", "/_emulator/state", cluster=c)
            EMU.ok("DELETE", "/_emulator/requests", cluster=c)

    def reason(self, method, path, body=None, status=400, **kw):
        st, h, b = EMU.req(method, path, body, **kw)
        self.assertEqual(st, status, b)
        return b["error"]["type"], b["error"]["reason"]

    def put(self, persistent, cluster="local"):
        return EMU.ok("PUT", "/_cluster/settings", {"persistent": persistent}, cluster=cluster)


class TestRemoteConnections(Base):
    def test_remote_info_never_connects(self):
        # a remote that was unreachable at PUT time keeps connected: false on every _remote/info
        port = free_port()
        self.put({"cluster.remote.late.seeds": ["127.0.0.1:%d" % port]})
        for _ in range(3):
            self.assertFalse(EMU.ok("GET", "/_remote/info")["late"]["connected"])

    def test_up_later_seen_by_resolve_not_remote_info(self):
        # A listener for the remote comes up after the PUT: only a request that needs the remote
        # (RECONNECT_IF_DISCONNECTED) connects; _remote/info then reports it.
        port = free_port()
        self.put({"cluster.remote.later.mode": "proxy", "cluster.remote.later.proxy_address": "127.0.0.1:%d" % port})
        self.assertFalse(EMU.ok("GET", "/_remote/info")["later"]["connected"])
        fwd = Forwarder(port, int(taddr("one").rsplit(":", 1)[1]))
        try:
            self.assertFalse(EMU.ok("GET", "/_remote/info")["later"]["connected"])  # never connects
            r = EMU.ok("GET", "/_resolve/cluster/later:*")
            self.assertEqual(r["later"]["connected"], True, r)
            self.assertTrue(EMU.ok("GET", "/_remote/info")["later"]["connected"])
            self.assertEqual(EMU.ok("GET", "/_remote/info")["later"]["num_proxy_sockets_connected"], 18)
        finally:
            fwd.close()

    def test_put_connects_and_info_reports(self):
        self.put({"cluster.remote.one.seeds": [taddr("one")], "cluster.remote.two.seeds": [taddr("two")]})
        info = EMU.ok("GET", "/_remote/info")
        self.assertTrue(info["one"]["connected"])
        self.assertFalse(info["two"]["connected"])  # two does not trust local

    def test_put_waits_for_a_remote_that_does_not_answer(self):
        s1, s2 = Silent(), Silent()
        try:
            t0 = time.time()
            self.put({"cluster.remote.s1.seeds": ["127.0.0.1:%d" % s1.port],
                      "cluster.remote.s2.seeds": ["127.0.0.1:%d" % s2.port]})
            took = time.time() - t0
            self.assertGreaterEqual(took, 1.9)  # --remote-connect-wait-s 1, per new remote, in turn
            self.assertLess(took, 3.5)
            # an unchanged remote is not reconnected: no wait
            t0 = time.time()
            self.put({"cluster.remote.s1.skip_unavailable": False})
            self.assertLess(time.time() - t0, 0.9)
            # a refused address answers at once
            t0 = time.time()
            self.put({"cluster.remote.r.seeds": ["127.0.0.1:%d" % free_port()]})
            self.assertLess(time.time() - t0, 0.9)
        finally:
            s1.close()
            s2.close()

    def test_rebuilt_on_change(self):
        self.put({"cluster.remote.x.seeds": ["127.0.0.1:%d" % free_port()]})
        self.assertFalse(EMU.ok("GET", "/_remote/info")["x"]["connected"])
        self.put({"cluster.remote.x.seeds": [taddr("one")]})
        self.assertTrue(EMU.ok("GET", "/_remote/info")["x"]["connected"])


class TestResolveCluster(Base):
    def test_shape(self):
        self.put({"cluster.remote.one.seeds": [taddr("one")], "cluster.remote.old.seeds": [taddr("old")],
                  "cluster.remote.dead.seeds": ["127.0.0.1:%d" % free_port()],
                  "cluster.remote.dead.skip_unavailable": False})
        r = EMU.ok("GET", "/_resolve/cluster/one:*,old:logs-*,dead:*")
        self.assertEqual(r["one"], {"connected": True, "skip_unavailable": True, "matching_indices": False,
                                    "version": {"number": "8.15.0", "build_flavor": "default",
                                                "minimum_wire_compatibility_version": "7.17.0",
                                                "minimum_index_compatibility_version": "7.0.0"}})
        self.assertEqual(r["old"]["version"]["number"], "8.14.3")
        self.assertEqual(r["dead"], {"connected": False, "skip_unavailable": False})
        # a concrete index that does not exist: IndexNotFoundException, still connected, no version
        r = EMU.ok("GET", "/_resolve/cluster/one:nope")
        self.assertEqual(r["one"], {"connected": True, "skip_unavailable": True, "error": "no such index [nope]"})
        # local expressions appear as (local)
        r = EMU.ok("GET", "/_resolve/cluster/*,one:*")
        self.assertEqual(r["(local)"]["connected"], True)
        self.assertEqual(r["(local)"]["skip_unavailable"], False)
        self.assertIn("one", r)

    def test_unknown_alias(self):
        t, r = self.reason("GET", "/_resolve/cluster/nosuch:*", status=404)
        self.assertEqual((t, r), ("no_such_remote_cluster_exception", "no such remote cluster: [nosuch]"))

    def test_untrusted_stays_disconnected(self):
        self.put({"cluster.remote.two.seeds": [taddr("two")]})
        r = EMU.ok("GET", "/_resolve/cluster/two:*")
        self.assertEqual(r["two"], {"connected": False, "skip_unavailable": True})

    def test_remote_refuses_the_user(self):
        # the user's roles are resolved by name on the remote (certificate-based security)
        EMU.ok("PUT", "/_security/role/ccs", {"cluster": ["monitor"]})
        EMU.ok("PUT", "/_security/user/u1", {"password": "u1-password", "roles": ["ccs"]})
        self.put({"cluster.remote.one.seeds": [taddr("one")]})
        r = EMU.ok("GET", "/_resolve/cluster/one:*", auth=EMU.basic("u1", "u1-password"))
        self.assertEqual(r["one"]["connected"], True)  # 8.15.0: before elastic/elasticsearch#119793
        self.assertTrue(r["one"]["error"].startswith(
            "action [indices:admin/resolve/cluster] is unauthorized for user [u1] with effective roles []"), r)
        self.assertNotIn("version", r["one"])
        # the same role on the remote, with an index privilege that grants the action
        EMU.ok("PUT", "/_security/role/ccs", {"indices": [{"names": ["*"], "privileges": ["read_cross_cluster"]}]},
               cluster="one")
        r = EMU.ok("GET", "/_resolve/cluster/one:*", auth=EMU.basic("u1", "u1-password"))
        self.assertEqual(r["one"]["matching_indices"], False)
        self.assertNotIn("error", r["one"])

    def test_security_error_connected_by_version(self):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from esemu.transport import security_error_connected
        self.assertTrue(security_error_connected((8, 15, 0)))
        self.assertTrue(security_error_connected((8, 17, 0)))
        self.assertFalse(security_error_connected((8, 17, 1)))
        self.assertFalse(security_error_connected((8, 16, 3)))
        self.assertTrue(security_error_connected((8, 16, 2)))

    def test_logged(self):
        self.put({"cluster.remote.one.seeds": [taddr("one")]})
        EMU.ok("DELETE", "/_emulator/requests")
        EMU.ok("GET", "/_resolve/cluster/one:*")
        log = EMU.ok("GET", "/_emulator/requests")
        self.assertEqual([(e["method"], e["path"]) for e in log], [("GET", "/_resolve/cluster/one:*")])


class TestBulkRoles(Base):
    def test_bulk_clears_description_and_remote(self):
        EMU.ok("PUT", "/_security/role/r", {"cluster": ["monitor"], "description": "by hand",
                                            "remote_indices": [{"clusters": ["c"], "names": ["i"],
                                                                "privileges": ["read"]}],
                                            "remote_cluster": [{"clusters": ["c"], "privileges": ["monitor_enrich"]}],
                                            "metadata": {"a": 1}, "global": {"application": {"manage": {
                                                "applications": ["app"]}}}})
        b = EMU.ok("POST", "/_security/role", {"roles": {"r": {"cluster": ["monitor"]}}})
        self.assertEqual(b, {"updated": ["r"]})
        g = EMU.ok("GET", "/_security/role/r")["r"]
        for k in ("description", "remote_indices", "remote_cluster"):
            self.assertNotIn(k, g)
        self.assertEqual(g["metadata"], {"a": 1})  # objects still merge
        self.assertIn("global", g)
        b = EMU.ok("POST", "/_security/role", {"roles": {"r": {"cluster": ["monitor"]}}})
        self.assertEqual(b, {"noop": ["r"]})

    def test_single_put_then_identical_bulk_is_noop(self):
        EMU.ok("PUT", "/_security/role/s", {"cluster": ["monitor"], "description": "d"})
        self.assertEqual(EMU.ok("POST", "/_security/role", {"roles": {"s": {"cluster": ["monitor"],
                                                                            "description": "d"}}}),
                         {"noop": ["s"]})


class TestLicense(Base):
    DLS = {"indices": [{"names": ["i"], "privileges": ["read"], "query": {"match_all": {}}}]}
    FLS = {"indices": [{"names": ["i"], "privileges": ["read"], "field_security": {"grant": ["a"]}}]}

    def test_basic_by_default(self):
        lic = EMU.ok("GET", "/_license")["license"]
        self.assertEqual(lic["type"], "basic")
        self.assertEqual(lic["status"], "active")
        self.assertNotIn("expiry_date_in_millis", lic)
        for k in ("uid", "issue_date", "issue_date_in_millis", "max_nodes", "issued_to", "issuer",
                  "start_date_in_millis"):
            self.assertIn(k, lic)
        self.assertEqual(EMU.ok("GET", "/_license/trial_status"), {"eligible_to_start_trial": True})

    def test_dls_fls_refused_on_basic(self):
        for body in (self.DLS, self.FLS):
            st, h, b = EMU.req("PUT", "/_security/role/d", body)
            self.assertEqual(st, 403, b)
            self.assertEqual(b["error"]["type"], "security_exception")
            self.assertEqual(b["error"]["reason"],
                             "current license is non-compliant for [field and document level security]")
            self.assertEqual(b["error"]["license.expired.feature"], "field and document level security")
        b = EMU.ok("POST", "/_security/role", {"roles": {"d": self.DLS, "ok": {"cluster": ["monitor"]}}})
        self.assertEqual(b["created"], ["ok"])
        self.assertEqual(b["errors"]["details"]["d"]["type"], "security_exception")

    def test_start_trial(self):
        b = EMU.ok("POST", "/_license/start_trial")
        self.assertEqual((b["acknowledged"], b["trial_was_started"], b["error_message"]),
                         (False, False, "Operation failed: Needs acknowledgement."))
        self.assertIn("message", b["acknowledge"])
        b = EMU.ok("POST", "/_license/start_trial?acknowledge=true")
        self.assertEqual(b, {"acknowledged": True, "trial_was_started": True, "type": "trial"})
        lic = EMU.ok("GET", "/_license")["license"]
        self.assertEqual(lic["type"], "trial")
        self.assertIn("expiry_date_in_millis", lic)
        EMU.ok("PUT", "/_security/role/d", self.DLS)
        st, h, b = EMU.req("POST", "/_license/start_trial?acknowledge=true")
        self.assertEqual((st, b["error_message"]), (403, "Operation failed: Trial was already activated."))
        self.assertEqual(EMU.ok("GET", "/_license/trial_status"), {"eligible_to_start_trial": False})

    def test_trial_option(self):
        e = Emu(clusters=("t",), args=["--license", "trial"])
        try:
            self.assertEqual(e.ok("GET", "/_license", cluster="t")["license"]["type"], "trial")
            e.ok("PUT", "/_security/role/d", self.DLS, cluster="t")
        finally:
            e.stop()


class TestPasswordHashes(Base):
    def login(self, user, pw):
        return EMU.req("GET", "/_security/_authenticate", auth=EMU.basic(user, pw))[0]

    def test_bcrypt(self):
        for prefix in ("$2a$", "$2b$", "$2y$"):
            h = EMU.ok("POST", "/_emulator/hash", {"password": "bcrypt-pw", "algorithm": "bcrypt", "cost": 4})["hash"]
            h = prefix + h[4:]
            EMU.ok("PUT", "/_security/user/b", {"password_hash": h, "roles": []})
            self.assertEqual(self.login("b", "bcrypt-pw"), 200, prefix)
            self.assertEqual(self.login("b", "wrong-pw"), 401)

    def test_pbkdf2_base64_decoded_salt(self):
        import base64
        import hashlib
        salt = os.urandom(32)
        dk = hashlib.pbkdf2_hmac("sha512", b"pbkdf2-pw", salt, 10000, 32)
        h = "{PBKDF2}10000$%s$%s" % (base64.b64encode(salt).decode(), base64.b64encode(dk).decode())
        EMU.ok("PUT", "/_security/user/p", {"password_hash": h, "roles": []})
        self.assertEqual(self.login("p", "pbkdf2-pw"), 200)
        # the 6.x reading (the salt's text as bytes) no longer verifies
        salt_text = base64.b64encode(salt).decode()
        dk = hashlib.pbkdf2_hmac("sha512", b"pbkdf2-pw", salt_text.encode(), 10000, 32)
        h = "{PBKDF2}10000$%s$%s" % (salt_text, base64.b64encode(dk).decode())
        EMU.ok("PUT", "/_security/user/p", {"password_hash": h, "roles": []})
        self.assertEqual(self.login("p", "pbkdf2-pw"), 401)

    def test_pbkdf2_stretch(self):
        h = EMU.ok("POST", "/_emulator/hash", {"password": "stretch-pw", "algorithm": "pbkdf2_stretch"})["hash"]
        self.assertTrue(h.startswith("{PBKDF2_STRETCH}1000$"))
        EMU.ok("PUT", "/_security/user/s", {"password_hash": h, "roles": []})
        self.assertEqual(self.login("s", "stretch-pw"), 200)

    def test_refused(self):
        for h, msg in (("{PBKDF2}2000$c2FsdHNhbHQ=$aGFzaA==", "unknown hash function [pbkdf2_2000]"),
                       ("{SHA}abc", None), ("not-a-hash", None)):
            t, r = self.reason("PUT", "/_security/user/x", {"password_hash": h, "roles": []})
            self.assertEqual(t, "illegal_argument_exception")
            if msg:
                self.assertEqual(r, msg)
            else:
                self.assertTrue(r.startswith("The provided password hash is not a hash"), r)
                self.assertTrue(r.endswith("pbkdf2_stretch_500000, pbkdf2_stretch_1000000]"), r)

    def test_change_password_short(self):
        EMU.ok("PUT", "/_security/user/c", {"password": "long-enough", "roles": []})
        t, r = self.reason("POST", "/_security/user/c/_password", {"password": "short"})
        self.assertEqual((t, r), ("validation_exception",
                                  "Validation Failed: 1: passwords must be at least [6] characters long;"))


class TestVersionGates(Base):
    def test_remote_cluster_field_814(self):
        t, r = self.reason("PUT", "/_security/role/x", {"remote_cluster": [{"clusters": ["c"],
                                                                            "privileges": ["monitor_enrich"]}]},
                           cluster="old")
        self.assertEqual((t, r), ("parse_exception", "failed to parse role [x]. unexpected field [remote_cluster]"))
        EMU.ok("PUT", "/_security/role/x", {"remote_cluster": [{"clusters": ["c"], "privileges": ["monitor_enrich"]}]})

    def test_monitor_stats_817(self):
        t, r = self.reason("PUT", "/_security/role/x", {"cluster": ["monitor_stats"]})
        self.assertTrue(r.startswith("Validation Failed: 1: unknown cluster privilege [monitor_stats]."), r)
        self.assertNotIn("monitor_stats", r.split("names [")[1])
        t, r = self.reason("PUT", "/_security/role/x", {"remote_cluster": [{"clusters": ["c"],
                                                                            "privileges": ["monitor_stats"]}]})
        self.assertEqual(r, "Validation Failed: 1: Invalid remote_cluster permissions found. Please remove the "
                            "following: [monitor_stats] Only [monitor_enrich] are allowed;")
        e = Emu(clusters=("n",), args=["--version", "8.17.0"])
        try:
            e.ok("PUT", "/_security/role/x", {"cluster": ["monitor_stats"], "remote_cluster": [
                {"clusters": ["c"], "privileges": ["monitor_stats", "monitor_enrich"]}]}, cluster="n")
        finally:
            e.stop()


class TestReservedNames(Base):
    def test_deprecated_roles(self):
        g = EMU.ok("GET", "/_security/role")
        for n in ("kibana_user", "apm_user", "beats_admin", "data_frame_transforms_admin",
                  "data_frame_transforms_user"):
            self.assertTrue(g[n]["metadata"]["_reserved"], n)
            t, r = self.reason("PUT", "/_security/role/" + n, {})
            self.assertEqual(r, "Validation Failed: 1: Role [%s] is reserved and may not be used.;" % n)
            t, r = self.reason("DELETE", "/_security/role/" + n)
            self.assertEqual(r, "role [%s] is reserved and cannot be deleted" % n)
        self.assertTrue(g["kibana_user"]["metadata"]["_deprecated"])

    def test_kibana_user(self):
        g = EMU.ok("GET", "/_security/user/kibana")["kibana"]
        self.assertEqual(g["roles"], ["kibana_system"])
        self.assertTrue(g["metadata"]["_reserved"])
        self.assertTrue(g["metadata"]["_deprecated"])
        t, r = self.reason("PUT", "/_security/user/kibana", {"roles": []})
        self.assertIn("user [kibana] is reserved and only the password can be changed", r)
        t, r = self.reason("DELETE", "/_security/user/kibana")
        self.assertEqual(r, "user [kibana] is reserved and cannot be deleted")


class TestSettings(Base):
    def test_proxy_is_a_sniff_setting(self):
        self.put({"cluster.remote.a.seeds": ["h:1"], "cluster.remote.a.proxy": "socks:1080"})
        self.assertEqual(EMU.ok("GET", "/_cluster/settings?flat_settings")["persistent"]["cluster.remote.a.proxy"],
                         "socks:1080")
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.b.mode": "proxy",
                                                                        "cluster.remote.b.proxy_address": "h:1",
                                                                        "cluster.remote.b.proxy": "s:1"}})
        self.assertEqual(r, 'Setting "cluster.remote.b.proxy" cannot be used with the configured '
                            '"cluster.remote.b.mode" [required=SNIFF, configured=PROXY]')
        t, r = self.reason("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.a.proxy": "nocolon"}})
        self.assertEqual(r, "remote hosts need to be configured as [host:port], found [nocolon] instead")

    def test_merged_view_validated(self):
        # each scope is valid alone; together the proxy mode meets sniff seeds
        self.put({"cluster.remote.m.seeds": ["h:1"]})
        t, r = self.reason("PUT", "/_cluster/settings", {"transient": {"cluster.remote.m.mode": "proxy"}})
        self.assertEqual(r, 'Setting "cluster.remote.m.seeds" cannot be used with the configured '
                            '"cluster.remote.m.mode" [required=SNIFF, configured=PROXY]')
        self.assertEqual(EMU.ok("GET", "/_cluster/settings?flat_settings")["transient"], {})


class TestRouting(Base):
    def test_encoded_slash_is_one_segment(self):
        EMU.ok("PUT", "/_security/role/a%2Fb", {"cluster": ["monitor"]})
        self.assertIn("a/b", EMU.ok("GET", "/_security/role/a%2Fb"))
        st, h, b = EMU.req("GET", "/_security/role/a/b")
        self.assertEqual(st, 400)  # two segments: no handler
        log = EMU.ok("GET", "/_emulator/requests")
        self.assertEqual(log[0]["target"], "/_security/role/a%2Fb")
        self.assertEqual(log[0]["path"], "/_security/role/a/b")


class TestChallenges(unittest.TestCase):
    def test_challenges_per_version(self):
        for cluster, basic in (("local", 'Basic realm="security", charset="UTF-8"'),
                               ("old", 'Basic realm="security" charset="UTF-8"')):
            st, h, b = EMU.req("GET", "/", cluster=cluster, auth=False)
            self.assertEqual(st, 401)
            self.assertEqual(h["www-authenticate"].split("\n"), ['Bearer realm="security"', "ApiKey", basic])
            self.assertEqual(b["error"]["header"]["WWW-Authenticate"], ['Bearer realm="security"', "ApiKey", basic])


class TestSslCertificates(unittest.TestCase):
    def test_dn_rfc2253(self):
        certs = EMU.ok("GET", "/_ssl/certificates")
        node = [c for c in certs if c["path"] == EMU.info["local"]["transport_cert_file"]][0]
        self.assertEqual(node["subject_dn"], "CN=local-node-0")
        self.assertEqual(node["issuer"], "CN=Transport CA local")
        self.assertTrue(node["has_private_key"])


if __name__ == "__main__":
    unittest.main()
