"""The command line: options and --config, the PKI and trust of every cluster,
the listeners, clusters.json, and running until SIGTERM or SIGINT."""

import argparse
import concurrent.futures
import json
import os
import re
import secrets
import signal
import ssl
import sys
import threading

from .cluster import Cluster
from .emulator import Emulator
from .node_config import StartupError, read_elasticsearch_yml, trusted_ca_files, validate_node_settings
from .server import ConnectionHandler, TLSServer
from .remote_cluster_server import RemoteClusterServerHandler
from .transport import OPENSSL_CNF, TransportHandler, make_ca, make_node_cert


def parse_static_remote(spec):
    """CLUSTER:ALIAS=sniff:HOST:PORT[,HOST:PORT...] | CLUSTER:ALIAS=proxy:HOST:PORT
    HOST:PORT may be @name (that emulated cluster's transport address)."""
    left, _, right = spec.partition("=")
    cluster, _, alias = left.partition(":")
    mode, _, addrs = right.partition(":")
    if not cluster or not alias or mode not in ("sniff", "proxy") or not addrs:
        raise SystemExit("bad --static-remote %r (want CLUSTER:ALIAS=sniff:HOST:PORT[,..] or =proxy:HOST:PORT)" % spec)
    out = {"cluster.remote.%s.mode" % alias: mode}
    if mode == "sniff":
        out["cluster.remote.%s.seeds" % alias] = addrs.split(",")
    else:
        out["cluster.remote.%s.proxy_address" % alias] = addrs
    return cluster, out


def build_arg_parser():
    ap = argparse.ArgumentParser(description="Elasticsearch emulator for esreconcile tests (see README.md).")
    ap.add_argument("--state-dir", required=True, help="directory for PKI files and clusters.json")
    ap.add_argument("--clusters", default="local", help="comma-separated cluster names (default: local)")
    ap.add_argument("--version", default=None, help="Elasticsearch version to emulate (default 8.15.0)")
    ap.add_argument("--cluster-version", action="append", default=[], metavar="CLUSTER=VERSION",
                    help="per-cluster version override (repeatable)")
    ap.add_argument("--latency-ms", type=float, default=0, help="delay every response by N ms")
    ap.add_argument("--control", action="store_true", help="enable the /_emulator/ control API")
    ap.add_argument("--password", default=None, help="password of the elastic superuser (default: random)")
    ap.add_argument("--config", default=None, help="JSON config file (see README.md)")
    ap.add_argument("--static-remote", action="append", default=[], metavar="CLUSTER:ALIAS=MODE:ADDR",
                    help="a remote defined in the cluster's elasticsearch.yml, e.g. local:legacy=sniff:127.0.0.1:9399 "
                         "or local:old=proxy:@cluster_one (repeatable)")
    ap.add_argument("--static-setting", action="append", default=[], metavar="CLUSTER:KEY=VALUE",
                    help="any elasticsearch.yml setting, e.g. local:cluster.remote.legacy.skip_unavailable=false")
    ap.add_argument("--elasticsearch-yml", action="append", default=[], metavar="CLUSTER=PATH",
                    help="the cluster starts with this elasticsearch.yml (remotes, transport trust, remote cluster "
                         "server settings); a file Elasticsearch would refuse stops the emulator (repeatable)")
    ap.add_argument("--keep-pki", action="store_true",
                    help="reuse the certificates and keys an earlier run left in STATE_DIR/pki (a restarted node "
                         "keeps its certificates); only the missing ones are generated")
    ap.add_argument("--shared-transport-ca", action="append", default=[], metavar="A,B,...",
                    help="these clusters share one transport CA (default: each cluster has its own)")
    ap.add_argument("--no-trust", action="append", default=[], metavar="A:B",
                    help="cluster A does not trust cluster B's transport CA (repeatable)")
    ap.add_argument("--trust-only", action="append", default=[], metavar="A:B,C",
                    help="cluster A trusts only these clusters' transport CAs (its own CA is always trusted)")
    ap.add_argument("--expired-cert", action="append", default=[], metavar="CLUSTER",
                    help="give CLUSTER an expired transport node certificate")
    ap.add_argument("--expired-http-cert", action="append", default=[], metavar="CLUSTER",
                    help="give CLUSTER an expired HTTP node certificate")
    ap.add_argument("--connect-timeout", type=float, default=30.0,
                    help="timeout of one transport connection attempt, seconds (transport.connect_timeout, 30 s)")
    ap.add_argument("--remote-connect-wait-s", type=float, default=10.0,
                    help="how long a settings PUT waits for each new or changed remote to connect "
                         "(RemoteClusterService: 10 s)")
    ap.add_argument("--transport-idle-s", type=float, default=60.0,
                    help="how long a transport listener keeps a connection with no request on it (60 s)")
    ap.add_argument("--request-log-limit", type=int, default=100000, help="max logged requests per cluster")
    ap.add_argument("--license", choices=("basic", "trial", "platinum", "enterprise"), default=None,
                    help="the licence every cluster starts with (default basic, as a self-managed cluster; trial = "
                         "xpack.license.self_generated.type: trial; platinum or enterprise: an installed licence)")
    ap.add_argument("--remote-cluster-server", action="append", default=[], metavar="CLUSTER",
                    help="start CLUSTER's remote cluster server, as remote_cluster_server.enabled: true (repeatable)")
    ap.add_argument("--debug", action="store_true", help="print handler tracebacks to stderr")
    return ap


def load_config(args):
    cfg = {}
    if args.config:
        with open(args.config) as f:
            cfg = json.load(f)
    if isinstance(cfg.get("clusters"), list) and args.clusters == "local":
        args.clusters = ",".join(cfg["clusters"])
    if args.version is None:
        args.version = cfg.get("version", "8.15.0")
    if args.password is None:
        args.password = cfg.get("password")
    if args.license is None:
        args.license = cfg.get("license", "basic")
    if not args.latency_ms:
        args.latency_ms = cfg.get("latency_ms", 0)
    if cfg.get("control"):
        args.control = True
    for cname, path in sorted((cfg.get("elasticsearch_yml") or {}).items()):
        args.elasticsearch_yml.append("%s=%s" % (cname, path))
    for k in ("no_trust", "expired_cert", "expired_http_cert", "static_remote", "static_setting", "cluster_version",
              "trust_only", "remote_cluster_server"):
        for v in cfg.get(k, []):
            getattr(args, k).append(v)
    for grp in cfg.get("shared_transport_ca", []):
        args.shared_transport_ca.append(",".join(grp) if isinstance(grp, list) else grp)
    static = {}
    for cname, settings in (cfg.get("static_settings") or {}).items():
        static.setdefault(cname, {}).update(flatten_plain(settings))
    return static


def flatten_plain(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten_plain(v, prefix + k + "."))
        elif isinstance(v, bool):
            out[prefix + k] = "true" if v else "false"
        elif isinstance(v, list):
            out[prefix + k] = [("true" if x else "false") if isinstance(x, bool) else str(x) for x in v]
        else:
            out[prefix + k] = str(v)
    return out


def load_node_configs(specs, static, names):
    """--elasticsearch-yml CLUSTER=PATH: the file's settings join the cluster's static settings
    (under the --static-* ones) and are validated as the node validates them at startup; a refusal
    ends the process with status 1 and Elasticsearch's message. Returns {cluster: [CA files]} for
    the clusters whose file names their transport trust."""
    cas = {}
    for spec in specs:
        cname, sep, path = spec.partition("=")
        if not sep or not path:
            raise SystemExit("bad --elasticsearch-yml %r (want CLUSTER=PATH)" % spec)
        if cname not in names:
            raise SystemExit("--elasticsearch-yml: unknown cluster %r" % cname)
        try:
            merged = read_elasticsearch_yml(path)
            merged.update(static.get(cname, {}))
            validate_node_settings(merged)
            files = trusted_ca_files(merged, os.path.dirname(os.path.abspath(path)))
        except StartupError as e:
            sys.stderr.write("esemu: cluster [%s] (%s): fatal exception while booting Elasticsearch: %s\n"
                             % (cname, path, e))
            sys.stderr.flush()
            sys.exit(1)
        static[cname] = merged
        if files is not None:
            cas[cname] = files
    return cas


def main(argv=None):
    args = build_arg_parser().parse_args(argv)
    static = load_config(args)
    names = [n.strip() for n in args.clusters.split(",") if n.strip()]
    for n in names:
        if not re.match(r"^[A-Za-z0-9_-]+$", n):
            raise SystemExit("bad cluster name %r" % n)
    if len(set(names)) != len(names):
        raise SystemExit("duplicate cluster names")
    versions = {}
    for cv in args.cluster_version:
        k, _, v = cv.partition("=")
        versions[k] = v
    for spec in args.static_remote:
        cname, kv = parse_static_remote(spec)
        static.setdefault(cname, {}).update(kv)
    for spec in args.static_setting:
        left, _, value = spec.partition("=")
        cname, _, key = left.partition(":")
        static.setdefault(cname, {})[key] = value
    node_cas = load_node_configs(args.elasticsearch_yml, static, names)
    for cname in static:
        if cname not in names:
            raise SystemExit("static settings for unknown cluster %r" % cname)
    for cname in args.remote_cluster_server:
        if cname not in names:
            raise SystemExit("--remote-cluster-server: unknown cluster %r" % cname)
    state = os.path.abspath(args.state_dir)
    os.makedirs(state, exist_ok=True)
    pki = os.path.join(state, "pki")
    os.makedirs(pki, exist_ok=True)
    cnf = os.path.join(pki, "openssl.cnf")
    with open(cnf, "w") as f:
        f.write(OPENSSL_CNF)
    password = args.password or secrets.token_urlsafe(18)
    emu = Emulator(args)

    # ---- transport CA groups
    ca_of = {n: n for n in names}
    for grp in args.shared_transport_ca:
        members = [m.strip() for m in grp.split(",") if m.strip()]
        for m in members:
            if m not in ca_of:
                raise SystemExit("--shared-transport-ca: unknown cluster %r" % m)
            ca_of[m] = members[0]
    distrust = set()
    for spec in args.no_trust:
        a, _, b = spec.partition(":")
        if a not in ca_of or b not in ca_of:
            raise SystemExit("--no-trust: unknown cluster in %r" % spec)
        distrust.add((a, b))
    trust_only = {}
    for spec in args.trust_only:
        a, _, bs = spec.partition(":")
        trust_only[a] = set(x for x in bs.split(",") if x)

    # ---- PKI, in parallel
    jobs = {}
    def pem(make, name, *rest):
        """--keep-pki: a restarted node keeps the certificate and key it had"""
        crt, key = os.path.join(pki, name + ".pem"), os.path.join(pki, name + ".key")
        if args.keep_pki and os.path.isfile(crt) and os.path.isfile(key):
            return crt, key
        return make(cnf, pki, name, *rest)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        http_ca = ex.submit(pem, make_ca, "http-ca", "Emulator HTTP CA")
        ca_jobs = {g: ex.submit(pem, make_ca, "transport-ca-" + g, "Transport CA " + g) for g in set(ca_of.values())}
        http_crt, http_key = http_ca.result()
        for n in names:
            jobs[n] = ex.submit(pem, make_node_cert, "http-" + n, n + "-node-0", http_crt, http_key,
                                n in args.expired_http_cert)
        for g in ca_jobs:
            ca_jobs[g] = ca_jobs[g].result()
        tjobs = {n: ex.submit(pem, make_node_cert, "transport-" + n, n + "-node-0", ca_jobs[ca_of[n]][0],
                              ca_jobs[ca_of[n]][1], n in args.expired_cert) for n in names}
        node_http = {n: jobs[n].result() for n in names}
        node_tr = {n: tjobs[n].result() for n in names}

    for n in names:
        c = Cluster(emu, n, versions.get(n, args.version), password)
        c.static = static.get(n, {})
        emu.clusters[n] = c
        trusted_groups = []
        for m in names:
            g = ca_of[m]
            if m != n and (n, m) in distrust:
                continue
            if n in trust_only and m != n and m not in trust_only[n]:
                continue
            if g not in trusted_groups:
                trusted_groups.append(g)
        # a distrusted cluster sharing our CA cannot be excluded: our own CA is always trusted
        if ca_of[n] not in trusted_groups:
            trusted_groups.insert(0, ca_of[n])
        # xpack.security.transport.ssl.certificate_authorities replaces the emulator's choice
        trusted_files = node_cas.get(n) or [ca_jobs[g][0] for g in trusted_groups]
        bundle = os.path.join(pki, "trust-" + n + ".pem")
        with open(bundle, "w") as f:
            for path in trusted_files:
                with open(path) as cf:
                    f.write(cf.read())
        c.files = {"http_ca_file": http_crt, "http_cert_file": node_http[n][0], "http_key_file": node_http[n][1],
                   "transport_ca_file": ca_jobs[ca_of[n]][0], "transport_cert_file": node_tr[n][0],
                   "transport_key_file": node_tr[n][1], "trust_bundle_file": bundle,
                   "transport_trusted_ca_files": trusted_files}

    # ---- listeners
    servers = []
    for n, c in emu.clusters.items():
        hctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        hctx.load_cert_chain(c.files["http_cert_file"], c.files["http_key_file"])
        hs = TLSServer(("127.0.0.1", 0), ConnectionHandler, hctx, c, emu)
        c.http_port = hs.server_address[1]
        tctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tctx.load_cert_chain(c.files["transport_cert_file"], c.files["transport_key_file"])
        tctx.load_verify_locations(c.files["trust_bundle_file"])
        tctx.verify_mode = ssl.CERT_REQUIRED
        ts = TLSServer(("127.0.0.1", 0), TransportHandler, tctx, c, emu)
        c.transport_port = ts.server_address[1]
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cctx.load_cert_chain(c.files["transport_cert_file"], c.files["transport_key_file"])
        cctx.load_verify_locations(c.files["trust_bundle_file"])
        cctx.check_hostname = True
        c.client_ctx = cctx
        servers += [hs, ts]
        # the remote cluster client profile: no client certificate, the server verified against the same CAs
        rctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        rctx.load_verify_locations(c.files["trust_bundle_file"])
        rctx.check_hostname = True
        c.rcs_client_ctx = rctx
        if n in args.remote_cluster_server or str(c.static.get("remote_cluster_server.enabled")).lower() == "true":
            # RemoteClusterPortSettings: TLS with the node's certificate, client_authentication none
            sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            sctx.load_cert_chain(c.files["transport_cert_file"], c.files["transport_key_file"])
            rs = TLSServer(("127.0.0.1", 0), RemoteClusterServerHandler, sctx, c, emu)
            c.rcs_port = rs.server_address[1]
            servers.append(rs)
    for c in emu.clusters.values():
        for h in ("127.0.0.1", "localhost", "[::1]"):
            emu.emulated_addresses.add("%s:%d" % (h, c.transport_port))
    # resolve @cluster (transport port) and @cluster:rcs (remote cluster server) references in static settings
    for c in emu.clusters.values():
        for k, v in list(c.static.items()):
            def sub(x):
                if not isinstance(x, str) or not x.startswith("@"):
                    return x
                name, _, port = x[1:].partition(":")
                target = emu.clusters.get(name)
                if target is None or port not in ("", "rcs"):
                    return x
                if port == "rcs" and not target.rcs_port:
                    raise SystemExit("%s: cluster %r has no remote cluster server" % (x, name))
                return "127.0.0.1:%d" % (target.rcs_port if port else target.transport_port)
            c.static[k] = [sub(x) for x in v] if isinstance(v, list) else sub(v)
    for s in servers:
        t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True)
        t.start()
    # RemoteClusterService.initializeRemoteClusters: the remotes of elasticsearch.yml connect at startup
    starts = []
    for c in emu.clusters.values():
        with c.lock:
            aliases = c.remote_changes({})
        starts += [f for f in (emu.connect(c, a) for a in aliases) if f is not None]
    if starts:
        concurrent.futures.wait(starts, timeout=args.remote_connect_wait_s)

    out = {}
    for n, c in emu.clusters.items():
        out[n] = {"url": "https://127.0.0.1:%d" % c.http_port, "transport_address": "127.0.0.1:%d" % c.transport_port,
                  "http_ca_file": c.files["http_ca_file"], "transport_ca_file": c.files["transport_ca_file"],
                  "username": "elastic", "password": password, "version": c.version, "cluster_uuid": c.uuid,
                  "node_name": c.node_name, "node_id": c.node_id,
                  "transport_cert_file": c.files["transport_cert_file"],
                  "transport_key_file": c.files["transport_key_file"],
                  "transport_trusted_ca_files": c.files["transport_trusted_ca_files"],
                  "http_cert_file": c.files["http_cert_file"]}
        if c.rcs_port:
            out[n]["remote_cluster_server_address"] = "127.0.0.1:%d" % c.rcs_port
    tmp = os.path.join(state, ".clusters.json.tmp")
    with open(tmp, "w") as f:
        json.dump(out, f, indent=2)
    os.replace(tmp, os.path.join(state, "clusters.json"))
    sys.stderr.write("esemu: %d cluster(s) ready, see %s\n" % (len(names), os.path.join(state, "clusters.json")))
    sys.stderr.flush()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.is_set():
        stop.wait(1.0)
    for c in emu.clusters.values():
        c.fault_release.set()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
