"""Replays every request of Elastic's guide "Add remote clusters using TLS certificate
authentication" and checks the documented result. The requests are read from
fixtures/seed_guide_requests.txt, where they are copied from the guide.

The guide's seed addresses 127.0.0.1:9300/9301/9302 are the transport ports of the
remote clusters; here they are replaced by the emulated clusters' real transport
addresses (cluster_one, cluster_two, cluster_three) so that `connected: true` is the
result of a real TLS handshake, as documented."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "seed_guide_requests.txt")
# The guide's "remote cluster": the one its role requests go to.
REMOTE = "cluster_one"
E = None
ADDR = {}
SENT = set()


def load_requests(path=FIXTURE):
    """name -> (cluster, method, path, body) from the fixture's "=== NAME @ CLUSTER" blocks."""
    reqs = {}
    name = None
    block = []

    def close():
        if name is None:
            return
        method, _, target = block[0].partition(" ")
        text = "\n".join(block[1:]).strip()
        if not target.startswith("/"):
            target = "/" + target
        reqs[name] = (cluster, method, target, json.loads(text) if text else None)

    with open(path) as f:
        for line in f.read().splitlines():
            if line.startswith("==="):
                close()
                name, _, cluster = line[3:].partition("@")
                name, cluster = name.strip(), cluster.strip()
                if cluster == "remote":
                    cluster = REMOTE
                block = []
            elif name is not None and not line.startswith("#") and (block or line.strip()):
                block.append(line)
    close()
    return reqs


REQ = load_requests()


def send(name):
    """Sends the guide's request NAME to its cluster (addresses replaced); the 200 body."""
    cluster, method, path, body = REQ[name]
    SENT.add(name)
    return E.ok(method, path, sub(body), cluster=cluster)


def body_of(name):
    return REQ[name][3]


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
        body = body_of("connect-cluster-one")
        r = send("connect-cluster-one")
        self.assertEqual(r, {"acknowledged": True, "persistent": sub(body["persistent"]), "transient": {}})

        # GET /_remote/info -> the documented response
        r = send("remote-info")
        self.assertEqual(r, sub({"cluster_one": {"seeds": ["127.0.0.1:9300"], "connected": True,
                                                 "num_nodes_connected": 1, "max_connections_per_cluster": 3,
                                                 "initial_connect_timeout": "30s", "skip_unavailable": True,
                                                 "mode": "sniff"}}))

        # PUT _cluster/settings: three remotes
        r = send("add-three-remotes")
        self.assertTrue(r["acknowledged"])
        self.assertEqual(r["persistent"]["cluster"]["remote"]["cluster_two"],
                         {"mode": "sniff", "seeds": [ADDR["127.0.0.1:9301"]], "transport": {"compress": "true"},
                          "skip_unavailable": "true"})
        info = E.ok("GET", "/_remote/info")
        self.assertEqual(sorted(info), ["cluster_one", "cluster_three", "cluster_two"])
        self.assertTrue(all(v["connected"] for v in info.values()))
        self.assertEqual(info["cluster_three"]["mode"], "proxy")

        # PUT _cluster/settings: updates
        r = send("update-remotes")
        self.assertTrue(r["acknowledged"])
        flat = E.ok("GET", "/_cluster/settings?flat_settings=true")["persistent"]
        self.assertEqual(flat["cluster.remote.cluster_two.transport.compress"], "false")
        self.assertEqual(flat["cluster.remote.cluster_three.transport.compress"], "true")
        self.assertEqual(flat["cluster.remote.cluster_three.transport.ping_schedule"], "60s")

        # PUT _cluster/settings: delete cluster_two with nulls
        r = send("delete-cluster-two")
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
        # CCR: remote cluster, local cluster, the user
        self.assertEqual(send("ccr-role-remote"), {"role": {"created": True}})
        self.assertEqual(send("ccr-role-local"), {"role": {"created": True}})
        self.assertEqual(send("ccr-user"), {"created": True})
        # CCS: remote cluster; local cluster, empty role; the user
        self.assertEqual(send("ccs-role-remote"), {"role": {"created": True}})
        self.assertEqual(send("ccs-role-local"), {"role": {"created": True}})
        self.assertEqual(send("ccs-user"), {"created": True})
        # CCS + Kibana: local cluster (role, user), remote cluster
        self.assertEqual(send("kibana-role-local"), {"role": {"created": True}})
        self.assertEqual(send("kibana-user"), {"created": True})
        self.assertEqual(send("kibana-role-remote"), {"role": {"created": True}})

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

    def test_4_every_request_of_the_guide_replayed(self):
        self.assertEqual(len(REQ), 14)
        self.assertEqual(sorted(SENT), sorted(REQ))


if __name__ == "__main__":
    unittest.main()
