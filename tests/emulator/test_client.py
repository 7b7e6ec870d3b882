"""Debian's python3-elasticsearch client (a real client nobody here wrote) against the
emulator. Run with /usr/bin/python3 (the package is installed for it only); skipped
when the module is missing."""

import os
import sys
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu  # noqa: E402

try:
    import elasticsearch  # noqa: F401
    HAVE = True
except ImportError:
    HAVE = False


@unittest.skipUnless(HAVE, "python3-elasticsearch is not installed for this interpreter (use /usr/bin/python3)")
class TestOfficialClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.e = Emu(clusters=("local", "cluster_one"))
        info = cls.e.info["local"]
        warnings.simplefilter("ignore")
        cls.es = elasticsearch.Elasticsearch([info["url"]], http_auth=("elastic", info["password"]),
                                             ca_certs=info["http_ca_file"], verify_certs=True)

    @classmethod
    def tearDownClass(cls):
        cls.es.transport.close()
        cls.e.stop()

    def test_info(self):
        r = self.es.info()
        self.assertEqual(r["version"]["number"], "8.15.0")
        self.assertEqual(r["tagline"], "You Know, for Search")

    def test_settings_and_remote_info(self):
        addr = self.e.info["cluster_one"]["transport_address"]
        r = self.es.cluster.put_settings(body={"persistent": {"cluster.remote.cluster_one.seeds": [addr]}})
        self.assertTrue(r["acknowledged"])
        g = self.es.cluster.get_settings(flat_settings=True)
        self.assertEqual(g["persistent"]["cluster.remote.cluster_one.seeds"], [addr])
        g = self.es.cluster.get_settings(include_defaults=True)
        self.assertIn("defaults", g)
        ri = self.es.cluster.remote_info()
        self.assertTrue(ri["cluster_one"]["connected"])
        with self.assertRaises(elasticsearch.exceptions.RequestError) as cm:
            self.es.cluster.put_settings(body={"persistent": {"cluster.remote.cluster_one.bogus": "x"}})
        self.assertEqual(cm.exception.status_code, 400)
        self.assertEqual(cm.exception.error, "illegal_argument_exception")

    def test_roles_and_users(self):
        r = self.es.security.put_role("remote-replication", body={
            "cluster": ["manage_ccr"],
            "indices": [{"names": ["follower-index-name"], "privileges": ["monitor", "read", "write", "manage_follow_index"]}]})
        self.assertIn("created", r["role"])
        g = self.es.security.get_role(name="remote-replication")
        self.assertEqual(g["remote-replication"]["cluster"], ["manage_ccr"])
        r = self.es.security.put_user("cross-cluster-user", body={"password": "l0ng-r4nd0m-p@ssw0rd",
                                                                   "roles": ["remote-replication"]})
        self.assertIn("created", r)
        g = self.es.security.get_user(username="cross-cluster-user")
        self.assertEqual(g["cross-cluster-user"]["roles"], ["remote-replication"])
        with self.assertRaises(elasticsearch.exceptions.NotFoundError):
            self.es.security.get_role(name="no-such-role")

    def test_authentication_error(self):
        info = self.e.info["local"]
        bad = elasticsearch.Elasticsearch([info["url"]], http_auth=("elastic", "wrong-password"),
                                          ca_certs=info["http_ca_file"])
        try:
            with self.assertRaises(elasticsearch.exceptions.AuthenticationException):
                bad.cluster.get_settings()
        finally:
            bad.transport.close()


if __name__ == "__main__":
    unittest.main()
