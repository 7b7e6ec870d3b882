#!/usr/bin/env python3
"""Integration test of `esreconcile render` against the emulator.

The lines render prints for a cluster are the elasticsearch.yml the emulator starts that
cluster with (--elasticsearch-yml): it starts, trusts what the desired state says, and its
remotes are in GET /_remote/info, connected; no secret is printed; the same desired state
renders the same text; an undeclared cluster, an unreadable cluster behind `cluster:`, and
usage mistakes end with their exit codes.

Needs PyYAML (python3-yaml) to read the rendered YAML. Env: ESR_BIN (default ./esreconcile).
Last line: "N passed, M failed"; exit status 1 on any failure. Names of tests given as
arguments run only those.
"""

import os
import re
import shutil
import stat
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import EXAMPLES, Emu, Emulator, Suite  # noqa: E402

suite = Suite()
check = suite.check
suite.require_emulator("starts emulated clusters with a rendered elasticsearch.yml")
FULL = "07-full-setup.yaml"

# Remotes of every shape beside 07's `cluster:` remote: all the settings render knows.
EXTRA = """version: 1
remotes:
  local:
    by_proxy:
      mode: proxy
      proxy_address: "127.0.0.1:9"
      server_name: far.example
      proxy_socket_connections: 2
      skip_unavailable: false
      transport: { compress: indexing_data, ping_schedule: 30s, compression_scheme: lz4 }
    by_seeds:
      seeds: ["127.0.0.1:9", "[::1]:9"]
      node_connections: 2
    gone: absent
"""

EMU = Emulator(clusters=("local", "cluster_one"))
EXTRA_FILE = EMU.write("extra.yaml", EXTRA)


def render(*args, env=None):
    return EMU.run("render", *args, env=env)


def secrets():
    """Every secret the desired state holds: the users' and the connections' passwords."""
    env = EMU.env()
    return [env[k] for k in ("CCU_PASSWORD", "ES_LOCAL_PASSWORD", "ES_CLUSTER_ONE_PASSWORD")]


def node_config(text, pki_from):
    """A restarted `local` node: its config directory holds the rendered elasticsearch.yml and
    the authorities' PEM files copied where its comments say; its state keeps the certificates
    of the first run (pki_from). Returns (state dir, path of elasticsearch.yml)."""
    state = tempfile.mkdtemp(prefix="esemu-test-")
    shutil.copytree(pki_from, os.path.join(state, "pki"))
    conf = os.path.join(state, "config")
    os.makedirs(conf)
    copies = re.findall(r"^#   (\S+)  <-  (.+)$", text, re.M)
    check(copies, "the comments name the files to copy:\n" + text)
    for dest, src in copies:
        os.makedirs(os.path.dirname(os.path.join(conf, dest)), exist_ok=True)
        shutil.copy(src, os.path.join(conf, dest))
    path = os.path.join(conf, "elasticsearch.yml")
    with open(path, "w") as f:
        f.write(text)
    return state, path


@suite.test
def test_render_is_the_static_configuration_a_node_accepts():
    r = render("-f", EMU.example(FULL), "-f", EXTRA_FILE, "--cluster", "local")
    check(r.rc == 0, r)
    seed = EMU.info["cluster_one"]["transport_address"]
    settings = yaml.safe_load(r.stdout)
    check(settings == {
        "xpack.security.transport.ssl.certificate_authorities": ["certs/local-ca.pem", "certs/one-ca.pem"],
        "cluster.remote.by_proxy.mode": "proxy",
        "cluster.remote.by_proxy.proxy_address": "127.0.0.1:9",
        "cluster.remote.by_proxy.proxy_socket_connections": 2,
        "cluster.remote.by_proxy.server_name": "far.example",
        "cluster.remote.by_proxy.skip_unavailable": False,
        "cluster.remote.by_proxy.transport.compress": "indexing_data",
        "cluster.remote.by_proxy.transport.ping_schedule": "30s",
        "cluster.remote.by_proxy.transport.compression_scheme": "lz4",
        "cluster.remote.by_seeds.seeds": ["127.0.0.1:9", "[::1]:9"],
        "cluster.remote.by_seeds.node_connections": 2,
        "cluster.remote.cluster_one.mode": "sniff",
        "cluster.remote.cluster_one.seeds": [seed],
        "cluster.remote.cluster_one.skip_unavailable": True,
    }, r.stdout)
    check("remotes.local.gone is declared absent" in r.stdout, r.stdout)
    for secret in secrets():
        check(secret not in r.stdout and secret not in r.stderr, "a secret was printed:\n%s" % r)
    state, path = node_config(r.stdout, os.path.join(EMU.emu.dir, "pki"))
    node = Emu(clusters=("local",), state_dir=state, args=["--keep-pki", "--elasticsearch-yml", "local=" + path])
    try:
        info = node.ok("GET", "/_remote/info")
        check(sorted(info) == ["by_proxy", "by_seeds", "cluster_one"], info)
        # the authorities render named are the trust: the remote to cluster_one connects
        check(info["cluster_one"]["connected"] and info["cluster_one"]["seeds"] == [seed], info)
        check(info["by_proxy"]["server_name"] == "far.example" and not info["by_proxy"]["skip_unavailable"], info)
        defaults = node.ok("GET", "/_cluster/settings?flat_settings=true&include_defaults=true")["defaults"]
        check(defaults["cluster.remote.by_seeds.node_connections"] == "2", defaults)
    finally:
        node.stop()


@suite.test
def test_the_same_desired_state_renders_the_same_text():
    first = render("-f", EMU.example(FULL), "-f", EXTRA_FILE, "--cluster", "local")
    # the files in the other order: the remotes are still listed by alias
    second = render("-f", EXTRA_FILE, "-f", EMU.example(FULL), "--cluster", "local")
    check(first.rc == 0 and second.rc == 0, "%s\n%s" % (first, second))
    check(first.stdout == second.stdout, "%s\n---\n%s" % (first.stdout, second.stdout))
    out = os.path.join(EMU.dir, "local.yml")
    r = render("-f", EMU.example(FULL), "-f", EXTRA_FILE, "--cluster", "local", "--out", out)
    check(r.rc == 0 and r.stdout == "", r)
    with open(out) as f:
        check(f.read() == first.stdout, "--out writes what stdout shows")
    check(stat.S_IMODE(os.stat(out).st_mode) == 0o644, oct(os.stat(out).st_mode))


@suite.test
def test_a_cluster_without_remotes_gets_its_trust():
    r = render("-f", EMU.example(FULL), "--cluster", "cluster_one")
    check(r.rc == 0, r)
    check(yaml.safe_load(r.stdout) == {
        "xpack.security.transport.ssl.certificate_authorities": ["certs/one-ca.pem", "certs/local-ca.pem"]}, r.stdout)


@suite.test
def test_without_trust_nothing_is_made_up():
    r = render("-f", os.path.join(EXAMPLES, "01-add-remotes.yaml"), "--cluster", "local")
    check(r.rc == 0, r)
    check("none declared (trust.clusters.local)" in r.stdout, r.stdout)
    check(not any(k.startswith("xpack.") for k in yaml.safe_load(r.stdout)), r.stdout)


@suite.test
def test_an_undeclared_cluster_is_an_error():
    r = render("-f", EMU.example(FULL), "--cluster", "nowhere")
    check(r.rc == 1 and r.stdout == "", r)
    check("cluster [nowhere] is not declared under clusters" in r.stderr, r)


@suite.test
def test_seeds_from_an_unreachable_cluster_are_an_error():
    closed = {"ES_CLUSTER_ONE_URL": "https://127.0.0.1:1"}
    r = render("-f", EMU.example(FULL), "--cluster", "local", env=closed)
    check(r.rc == 1 and r.stdout == "", r)
    check("remote [cluster_one] of cluster [local] takes its seeds from cluster [cluster_one], which could "
          "not be read" in r.stderr and "GET /_nodes/transport" in r.stderr, r)
    check("declare its seeds" in r.stderr, r)
    # declared seeds need no read: the unreachable cluster does not matter
    r = render("-f", EMU.example(FULL), "-f", EXTRA_FILE, "--cluster", "cluster_one", env=closed)
    check(r.rc == 0, r)


@suite.test
def test_render_reads_only_the_cluster_behind_cluster():
    EMU.clear_requests()
    r = render("-f", EMU.example(FULL), "--cluster", "local")
    check(r.rc == 0, r)
    check(EMU.requests("local") == [], EMU.requests("local"))
    check([(q["method"], q["path"]) for q in EMU.requests("cluster_one")] == [("GET", "/_nodes/transport")],
          EMU.requests("cluster_one"))


@suite.test
def test_usage_and_invalid_input():
    r = render("-f", EMU.example(FULL))
    check(r.rc == 64 and "needs exactly one --cluster ID" in r.stderr, r)
    r = render("-f", EMU.example(FULL), "--cluster", "local", "--cluster", "cluster_one")
    check(r.rc == 64, r)
    r = render("-f", EMU.example(FULL), "--cluster", "local", "extra")
    check(r.rc == 64 and "unexpected operand 'extra'" in r.stderr, r)
    r = render("--cluster", "local")
    check(r.rc == 64, r)
    bad = EMU.write("bad.yaml", "version: 1\nremotes:\n  local:\n    a: { seeds: [\"no-port\"] }\n")
    r = render("-f", bad, "--cluster", "local")
    check(r.rc == 1 and "bad.yaml:4:" in r.stderr and r.stdout == "", r)
    r = render("--help")
    check(r.rc == 0 and "certs/<authority>.pem" in r.stdout, r)


KEYED = """version: 1
remotes:
  local:
    keyed:
      cluster: cluster_one
      skip_unavailable: false
      security: api_key
      api_key: { access: { search: [{ names: [logs-*] }] } }
"""


def start(cluster, text, pki_from, extra=()):
    """One cluster started with the rendered elasticsearch.yml, keeping pki_from's certificates."""
    state, path = node_config(text, pki_from)
    return Emu(clusters=(cluster,), state_dir=state,
               args=["--keep-pki", "--license", "trial", "--elasticsearch-yml", cluster + "=" + path] + list(extra))


@suite.test
def test_api_key_remotes_connect_with_what_render_prints_and_the_keystore():
    keyed = EMU.write("keyed.yaml", KEYED)
    pki = os.path.join(EMU.emu.dir, "pki")
    # the cluster the remote points at: its remote cluster server
    r = render("-f", EMU.example(FULL), "-f", keyed, "--cluster", "cluster_one")
    check(r.rc == 0, r)
    check(yaml.safe_load(r.stdout)["remote_cluster_server.enabled"] is True, r.stdout)
    one = start("cluster_one", r.stdout, pki)
    try:
        server = one.info["cluster_one"]["remote_cluster_server_address"]
        nodes = one.ok("GET", "/_nodes/remote_cluster_server", cluster="cluster_one")["nodes"]
        check([n["remote_cluster_server"]["publish_address"] for n in nodes.values()] == [server], nodes)
        # the holding cluster: seeds read from that server, the keystore step named, no key
        env = {"ES_CLUSTER_ONE_URL": one.info["cluster_one"]["url"],
               "ES_CLUSTER_ONE_PASSWORD": one.info["cluster_one"]["password"]}
        r = render("-f", EMU.example(FULL), "-f", keyed, "--cluster", "local", env=env)
        check(r.rc == 0, r)
        settings = yaml.safe_load(r.stdout)
        check(settings["cluster.remote.keyed.seeds"] == [server], r.stdout)
        check("bin/elasticsearch-keystore add cluster.remote.keyed.credentials" in r.stdout, r.stdout)
        check(not any(k.endswith(".credentials") for k in settings), settings)
        local = start("local", r.stdout, pki)
        try:
            info = local.ok("GET", "/_remote/info")["keyed"]
            check(not info["connected"] and "cluster_credentials" not in info, info)
            key = one.ok("POST", "/_security/cross_cluster/api_key",
                         {"name": "render-test", "access": {"search": [{"names": ["logs-*"]}]}}, cluster="cluster_one")
            local.ok("POST", "/_emulator/keystore", {"cluster.remote.keyed.credentials": key["encoded"]}, auth=False)
            local.ok("POST", "/_nodes/reload_secure_settings")
            info = local.ok("GET", "/_remote/info")["keyed"]
            check(info["connected"] and info["cluster_credentials"] == "::es_redacted::", info)
        finally:
            local.stop()
    finally:
        one.stop()


@suite.test
def test_api_key_seeds_need_a_remote_cluster_server():
    keyed = EMU.write("keyed.yaml", KEYED)
    r = render("-f", EMU.example(FULL), "-f", keyed, "--cluster", "local")
    check(r.rc == 1 and r.stdout == "", r)
    check("GET /_nodes/remote_cluster_server names no publish address; enable its remote cluster server" in r.stderr,
          r)


EMU.stop()
suite.finish()
