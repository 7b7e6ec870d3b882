"""Replays every request of the Elasticsearch guide
/work/shared/seeds/000_109e01cbf394782f.txt ("Add remote clusters using TLS certificate
authentication") and checks the documented result.

The guide's seed addresses 127.0.0.1:9300/9301/9302 are the transport ports of the
remote clusters; here they are replaced by the emulated clusters' real transport
addresses (cluster_one, cluster_two, cluster_three) so that `connected: true` is the
result of a real TLS handshake, as documented."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu  # noqa: E402

E = None
ADDR = {}


def setUpModule():
    global E
    E = Emu(clusters=("local", "cluster_one", "cluster_two", "cluster_three"))
    for i, n in enumerate(("cluster_one", "cluster_two", "cluster_three")):
        ADDR["127.0.0.1:930%d" % i] = E.info[n]["transport_address"]


def tearDownModule():
    E.stop()


def sub(obj):
    """Replace the guide's documented addresses by the emulated ones."""
    if isinstance(obj, dict):
        return {k: sub(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [sub(v) for v in obj]
    if isinstance(obj, str):
        return ADDR.get(obj, obj)
    return obj


class TestGuide(unittest.TestCase):
    maxDiff = None

    def test_1_connect_and_dynamic_configuration(self):
        # PUT /_cluster/settings (cluster_one seeds)
        body = {"persistent": {"cluster": {"remote": {"cluster_one": {"seeds": ["127.0.0.1:9300"]}}}}}
        r = E.ok("PUT", "/_cluster/settings", sub(body))
        self.assertEqual(r, {"acknowledged": True, "persistent": sub(body["persistent"]), "transient": {}})

        # GET /_remote/info -> the documented response
        r = E.ok("GET", "/_remote/info")
        self.assertEqual(r, sub({"cluster_one": {"seeds": ["127.0.0.1:9300"], "connected": True,
                                                 "num_nodes_connected": 1, "max_connections_per_cluster": 3,
                                                 "initial_connect_timeout": "30s", "skip_unavailable": True,
                                                 "mode": "sniff"}}))

        # PUT _cluster/settings: three remotes
        body = {"persistent": {"cluster": {"remote": {
            "cluster_one": {"seeds": ["127.0.0.1:9300"]},
            "cluster_two": {"mode": "sniff", "seeds": ["127.0.0.1:9301"], "transport.compress": True,
                            "skip_unavailable": True},
            "cluster_three": {"mode": "proxy", "proxy_address": "127.0.0.1:9302"}}}}}
        r = E.ok("PUT", "/_cluster/settings", sub(body))
        self.assertTrue(r["acknowledged"])
        self.assertEqual(r["persistent"]["cluster"]["remote"]["cluster_two"],
                         {"mode": "sniff", "seeds": [ADDR["127.0.0.1:9301"]], "transport": {"compress": "true"},
                          "skip_unavailable": "true"})
        info = E.ok("GET", "/_remote/info")
        self.assertEqual(sorted(info), ["cluster_one", "cluster_three", "cluster_two"])
        self.assertTrue(all(v["connected"] for v in info.values()))
        self.assertEqual(info["cluster_three"]["mode"], "proxy")

        # PUT _cluster/settings: updates
        body = {"persistent": {"cluster": {"remote": {
            "cluster_two": {"transport.compress": False},
            "cluster_three": {"transport.compress": True, "transport.ping_schedule": "60s"}}}}}
        r = E.ok("PUT", "/_cluster/settings", sub(body))
        self.assertTrue(r["acknowledged"])
        flat = E.ok("GET", "/_cluster/settings?flat_settings=true")["persistent"]
        self.assertEqual(flat["cluster.remote.cluster_two.transport.compress"], "false")
        self.assertEqual(flat["cluster.remote.cluster_three.transport.compress"], "true")
        self.assertEqual(flat["cluster.remote.cluster_three.transport.ping_schedule"], "60s")

        # PUT _cluster/settings: delete cluster_two with nulls
        body = {"persistent": {"cluster": {"remote": {"cluster_two": {
            "mode": None, "seeds": None, "skip_unavailable": None, "transport.compress": None}}}}}
        r = E.ok("PUT", "/_cluster/settings", body)
        self.assertEqual(r, {"acknowledged": True, "persistent": {}, "transient": {}})
        flat = E.ok("GET", "/_cluster/settings?flat_settings=true")["persistent"]
        self.assertFalse([k for k in flat if k.startswith("cluster.remote.cluster_two.")])
        self.assertEqual(sorted(E.ok("GET", "/_remote/info")), ["cluster_one", "cluster_three"])

    def test_2_static_configuration(self):
        # The guide's elasticsearch.yml, given to a fresh emulator as static settings
        e = Emu(clusters=("local", "cluster_one", "cluster_two", "cluster_three"), args=[
            "--static-remote", "local:cluster_one=sniff:@cluster_one",
            "--static-remote", "local:cluster_two=sniff:@cluster_two",
            "--static-setting", "local:cluster.remote.cluster_two.transport.compress=true",
            "--static-setting", "local:cluster.remote.cluster_two.skip_unavailable=true",
            "--static-remote", "local:cluster_three=proxy:@cluster_three"])
        try:
            d = e.ok("GET", "/_cluster/settings?include_defaults=true&flat_settings=true")
            self.assertEqual(d["persistent"], {})
            self.assertEqual(d["defaults"]["cluster.remote.cluster_three.proxy_address"],
                             e.info["cluster_three"]["transport_address"])
            self.assertEqual(d["defaults"]["cluster.remote.cluster_two.transport.compress"], "true")
            info = e.ok("GET", "/_remote/info")
            self.assertEqual(sorted(info), ["cluster_one", "cluster_three", "cluster_two"])
            self.assertTrue(all(v["connected"] for v in info.values()))
            # dynamic settings take precedence over elasticsearch.yml
            e.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.cluster_one.seeds": ["127.0.0.1:1"]}})
            self.assertEqual(e.ok("GET", "/_remote/info")["cluster_one"]["seeds"], ["127.0.0.1:1"])
        finally:
            e.stop()

    def test_3_roles_and_users(self):
        # CCR: remote cluster
        r = E.ok("POST", "/_security/role/remote-replication", {
            "cluster": ["read_ccr"], "indices": [{"names": ["leader-index-name"], "privileges": ["monitor", "read"]}]},
            cluster="cluster_one")
        self.assertEqual(r, {"role": {"created": True}})
        # CCR: local cluster
        r = E.ok("POST", "/_security/role/remote-replication", {
            "cluster": ["manage_ccr"], "indices": [{"names": ["follower-index-name"],
                                                    "privileges": ["monitor", "read", "write", "manage_follow_index"]}]})
        self.assertEqual(r, {"role": {"created": True}})
        r = E.ok("POST", "/_security/user/cross-cluster-user",
                 {"password": "l0ng-r4nd0m-p@ssw0rd", "roles": ["remote-replication"]})
        self.assertEqual(r, {"created": True})
        # CCS: remote cluster
        r = E.ok("POST", "/_security/role/remote-search", {
            "indices": [{"names": ["target-indices"], "privileges": ["read", "read_cross_cluster"]}]},
            cluster="cluster_one")
        self.assertEqual(r, {"role": {"created": True}})
        # CCS: local cluster, empty role
        r = E.ok("POST", "/_security/role/remote-search", {})
        self.assertEqual(r, {"role": {"created": True}})
        r = E.ok("POST", "/_security/user/cross-search-user",
                 {"password": "l0ng-r4nd0m-p@ssw0rd", "roles": ["remote-search"]})
        self.assertEqual(r, {"created": True})
        # CCS + Kibana: local cluster
        r = E.ok("POST", "/_security/role/logstash-reader", {
            "indices": [{"names": ["logstash-*"], "privileges": ["read", "view_index_metadata"]}]})
        self.assertEqual(r, {"role": {"created": True}})
        r = E.ok("PUT", "/_security/user/cross-cluster-kibana",
                 {"password": "l0ng-r4nd0m-p@ssw0rd", "roles": ["logstash-reader", "kibana-access"]})
        self.assertEqual(r, {"created": True})
        # CCS + Kibana: remote cluster
        r = E.ok("POST", "/_security/role/logstash-reader", {
            "indices": [{"names": ["logstash-*"], "privileges": ["read_cross_cluster", "read", "view_index_metadata"]}]},
            cluster="cluster_one")
        self.assertEqual(r, {"role": {"created": True}})

        # read back what the guide created
        g = E.ok("GET", "/_security/role/remote-replication")["remote-replication"]
        self.assertEqual(g["cluster"], ["manage_ccr"])
        self.assertEqual(g["indices"][0]["privileges"], ["monitor", "read", "write", "manage_follow_index"])
        self.assertEqual(E.ok("GET", "/_security/role/remote-search", cluster="cluster_one")["remote-search"]["indices"],
                         [{"names": ["target-indices"], "privileges": ["read", "read_cross_cluster"],
                           "allow_restricted_indices": False}])
        u = E.ok("GET", "/_security/user/cross-cluster-kibana")["cross-cluster-kibana"]
        self.assertEqual(u["roles"], ["logstash-reader", "kibana-access"])
        a = E.ok("GET", "/_security/_authenticate", auth=E.basic("cross-cluster-user", "l0ng-r4nd0m-p@ssw0rd"))
        self.assertEqual(a["roles"], ["remote-replication"])


if __name__ == "__main__":
    unittest.main()
