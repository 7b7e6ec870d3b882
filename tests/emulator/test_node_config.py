"""--elasticsearch-yml CLUSTER=PATH: a cluster started with a static configuration, as a node
reads, validates and applies its elasticsearch.yml (docs/elasticsearch.md, "elasticsearch.yml")."""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import Emu  # noqa: E402

PLUGINS_HINT = ("please check that any required plugins are installed, or check the breaking changes "
                "documentation for removed settings")


class ConfigDir:
    """A node's config directory: elasticsearch.yml and the files it names."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="esemu-conf-")

    def write(self, text, name="elasticsearch.yml"):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TestRefusedAtStartup(unittest.TestCase):
    """What Elasticsearch refuses in elasticsearch.yml stops the node before it listens."""

    def refused(self, text, message):
        conf = ConfigDir()
        try:
            path = conf.write(text)
            with self.assertRaises(RuntimeError) as cm:
                Emu(clusters=("local",), args=["--elasticsearch-yml", "local=" + path]).stop()
            self.assertIn("fatal exception while booting Elasticsearch", str(cm.exception))
            self.assertIn(message, str(cm.exception))
        finally:
            conf.remove()

    def test_unknown_setting(self):
        self.refused("cluster.remote.a.seedz: [\"127.0.0.1:9300\"]\n",
                     "IllegalArgumentException: unknown setting [cluster.remote.a.seedz] " + PLUGINS_HINT)

    def test_unknown_setting_close_to_a_known_one(self):
        self.refused("remote_cluster_server.enable: true\n",
                     "unknown setting [remote_cluster_server.enable] did you mean [remote_cluster_server.enabled]?")

    def test_credentials_belong_in_the_keystore(self):
        self.refused("cluster.remote.a.seeds: [\"127.0.0.1:9300\"]\ncluster.remote.a.credentials: abc\n",
                     "Setting [cluster.remote.a.credentials] is a secure setting and must be stored inside the "
                     "Elasticsearch keystore, but was found inside elasticsearch.yml")

    def test_yaml_booleans_are_not_booleans(self):
        self.refused("remote_cluster_server.enabled: yes\n",
                     "Failed to parse value [yes] as only [true] or [false] are allowed.")

    def test_port_range(self):
        self.refused("remote_cluster.port: 65536\n",
                     "Failed to parse value [65536] for setting [remote_cluster.port] must be <= 65535")

    def test_mode_keys(self):
        self.refused("cluster:\n  remote:\n    a:\n      mode: proxy\n      seeds: [\"127.0.0.1:9300\"]\n",
                     'Setting "cluster.remote.a.seeds" cannot be used with the configured "cluster.remote.a.mode" '
                     '[required=SNIFF, configured=PROXY]')

    def test_needs_an_enabled_remote(self):
        self.refused("cluster.remote.a.skip_unavailable: true\n",
                     "Cannot configure setting [cluster.remote.a.skip_unavailable] if remote cluster is not enabled.")

    def test_bad_seed(self):
        self.refused("cluster.remote.a.seeds: [\"no-port\"]\n",
                     "remote hosts need to be configured as [host:port], found [no-port] instead")

    def test_same_key_nested_and_dotted(self):
        self.refused("cluster.remote.a.seeds: \"h:1\"\ncluster:\n  remote.a.seeds: \"h:2\"\n",
                     "duplicate settings key [cluster.remote.a.seeds]")

    def test_missing_ca_file(self):
        self.refused("xpack.security.transport.ssl.certificate_authorities: [certs/none.pem]\n",
                     "failed to load SSL configuration [xpack.security.transport.ssl] - cannot read configured "
                     "PEM certificate_authorities [")

    def test_not_a_mapping(self):
        self.refused("- a\n- b\n", "not a mapping of settings")


class TestStaticRemotes(unittest.TestCase):
    """Static remotes are the lowest-precedence source, key by key (AbstractScopedSettings.applySettings)."""

    @classmethod
    def setUpClass(cls):
        cls.conf = ConfigDir()
        cls.far = Emu(clusters=("cluster_one",))
        seed = cls.far.info["cluster_one"]["transport_address"]
        path = cls.conf.write("# nested and dotted keys, as Elasticsearch reads them\n"
                              "cluster:\n  remote:\n    nested:\n      seeds: [\"%s\"]\n"
                              "      skip_unavailable: false\n"
                              "cluster.remote.dotted.mode: proxy\n"
                              "cluster.remote.dotted.proxy_address: \"127.0.0.1:1\"\n"
                              "remote_cluster_server.enabled: true\n"
                              "remote_cluster.port: 9443\n" % seed)
        cls.emu = Emu(clusters=("local",), args=["--elasticsearch-yml", "local=" + path])

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.far.stop()
        cls.conf.remove()

    def test_remote_info_and_defaults(self):
        info = self.emu.ok("GET", "/_remote/info")
        self.assertEqual(sorted(info), ["dotted", "nested"])
        self.assertEqual(info["nested"]["seeds"], [self.far.info["cluster_one"]["transport_address"]])
        self.assertFalse(info["nested"]["skip_unavailable"])
        self.assertEqual(info["dotted"]["mode"], "proxy")
        self.assertFalse(info["dotted"]["connected"])
        plain = self.emu.ok("GET", "/_cluster/settings?flat_settings=true")
        self.assertEqual(plain, {"persistent": {}, "transient": {}})
        d = self.emu.ok("GET", "/_cluster/settings?flat_settings=true&include_defaults=true")["defaults"]
        self.assertEqual(d["cluster.remote.nested.skip_unavailable"], "false")
        self.assertEqual(d["cluster.remote.dotted.proxy_address"], "127.0.0.1:1")
        self.assertEqual(d["remote_cluster_server.enabled"], "true")
        self.assertEqual(d["remote_cluster.port"], "9443")

    def test_persistent_overrides_key_by_key(self):
        try:
            self.emu.ok("PUT", "/_cluster/settings", {"persistent": {
                "cluster.remote.nested.seeds": ["127.0.0.1:2"], "cluster.remote.nested.skip_unavailable": True}})
            info = self.emu.ok("GET", "/_remote/info")["nested"]
            self.assertEqual(info["seeds"], ["127.0.0.1:2"])
            self.assertTrue(info["skip_unavailable"])
            d = self.emu.ok("GET", "/_cluster/settings?flat_settings=true&include_defaults=true")["defaults"]
            self.assertNotIn("cluster.remote.nested.seeds", d)
            # deleting the dynamic keys brings the static ones back: they were never removed
            self.emu.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.nested.*": None}})
            info = self.emu.ok("GET", "/_remote/info")["nested"]
            self.assertEqual(info["seeds"], [self.far.info["cluster_one"]["transport_address"]])
            self.assertFalse(info["skip_unavailable"])
        finally:
            self.emu.ok("PUT", "/_cluster/settings", {"persistent": {"cluster.remote.nested.*": None}})

    def test_static_settings_are_not_dynamic(self):
        st, _, b = self.emu.req("PUT", "/_cluster/settings", {"persistent": {"remote_cluster.port": 9444}})
        self.assertEqual(st, 400)
        self.assertEqual(b["error"]["reason"], "persistent setting [remote_cluster.port], not dynamically updateable")


class TestTransportTrust(unittest.TestCase):
    """xpack.security.transport.ssl.certificate_authorities decides whom the node trusts: a node
    restarted with --keep-pki keeps its certificates and trusts what its elasticsearch.yml names."""

    @classmethod
    def setUpClass(cls):
        cls.first = Emu(clusters=("local", "cluster_one"))

    @classmethod
    def tearDownClass(cls):
        cls.first.stop()

    def restarted_local(self, authorities):
        """local again, with the first run's certificates, trusting the listed clusters' CAs."""
        state = tempfile.mkdtemp(prefix="esemu-test-")
        shutil.copytree(os.path.join(self.first.dir, "pki"), os.path.join(state, "pki"))
        conf = os.path.join(state, "conf")
        os.makedirs(os.path.join(conf, "certs"))
        for cid in authorities:
            shutil.copy(self.first.info[cid]["transport_ca_file"], os.path.join(conf, "certs", cid + ".pem"))
        with open(os.path.join(conf, "elasticsearch.yml"), "w") as f:
            f.write("cluster.remote.one.seeds: [\"%s\"]\n" % self.first.info["cluster_one"]["transport_address"])
            f.write("xpack.security.transport.ssl.certificate_authorities: [%s]\n"
                    % ", ".join("certs/%s.pem" % cid for cid in authorities))
        return Emu(clusters=("local",), state_dir=state,
                   args=["--keep-pki", "--elasticsearch-yml", "local=" + os.path.join(conf, "elasticsearch.yml")])

    def test_trusting_the_far_ca_connects(self):
        emu = self.restarted_local(["local", "cluster_one"])
        try:
            self.assertEqual(emu.info["local"]["transport_cert_file"].rsplit("/", 1)[1], "transport-local.pem")
            with open(emu.info["local"]["transport_cert_file"]) as a, \
                    open(self.first.info["local"]["transport_cert_file"]) as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual([os.path.basename(p) for p in emu.info["local"]["transport_trusted_ca_files"]],
                             ["local.pem", "cluster_one.pem"])
            self.assertTrue(emu.ok("GET", "/_remote/info")["one"]["connected"])
        finally:
            emu.stop()

    def test_not_trusting_the_far_ca_does_not_connect(self):
        emu = self.restarted_local(["local"])
        try:
            self.assertFalse(emu.ok("GET", "/_remote/info")["one"]["connected"])
        finally:
            emu.stop()


if __name__ == "__main__":
    unittest.main()
