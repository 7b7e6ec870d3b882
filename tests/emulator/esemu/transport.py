"""Transport and TLS: the PKI (CAs and node certificates made with openssl), the
transport listener, the handshakes that decide whether a remote is connected, and
the REST endpoints that show them (_remote/info, _nodes, _ssl/certificates)."""

import copy
import datetime
import os
import re
import secrets
import socket
import socketserver
import ssl
import subprocess
import time

from .common import BUILD_HASH, ok
from .security import ACTION_NODES_INFO, ACTION_REMOTE_INFO, ACTION_SSL_CERTS


# ---------------------------------------------------------------------------
# PKI
# ---------------------------------------------------------------------------

OPENSSL_CNF = """
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_node]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1,DNS:localhost,IP:::1
"""


def run_openssl(args):
    r = subprocess.run(["openssl"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def make_ca(cnf, d, name, cn):
    key = os.path.join(d, name + ".key")
    crt = os.path.join(d, name + ".pem")
    run_openssl(["req", "-config", cnf, "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", crt, "-subj", "/CN=" + cn, "-days", "3650", "-extensions", "v3_ca"])
    return crt, key


def make_node_cert(cnf, d, name, cn, ca_crt, ca_key, expired=False):
    key = os.path.join(d, name + ".key")
    crt = os.path.join(d, name + ".pem")
    if not expired:
        run_openssl(["req", "-config", cnf, "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", key, "-out", crt, "-subj", "/CN=" + cn, "-days", "825",
                     "-CA", ca_crt, "-CAkey", ca_key, "-extensions", "v3_node"])
    else:
        csr = os.path.join(d, name + ".csr")
        run_openssl(["req", "-config", cnf, "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + cn])
        # notAfter one day before notBefore's day: the certificate is already expired
        run_openssl(["x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial"
                     if False else "-set_serial", str(secrets.randbits(63)), "-days", "-1", "-out", crt,
                     "-extfile", cnf, "-extensions", "v3_node"])
    return crt, key


def cert_info(path):
    """subject/issuer (RFC 2253), serial, expiry of every certificate in a PEM file."""
    with open(path) as f:
        pem = f.read()
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S)
    out = []
    for b in blocks:
        r = subprocess.run(["openssl", "x509", "-noout", "-subject", "-issuer", "-serial", "-enddate",
                            "-nameopt", "RFC2253"], input=b.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        info = {}
        for line in r.stdout.decode().splitlines():
            k, _, v = line.partition("=")
            info[k.strip()] = v.strip()
        end = datetime.datetime.strptime(info.get("notAfter", "Jan  1 00:00:00 1970 GMT"), "%b %d %H:%M:%S %Y %Z")
        out.append({"subject_dn": info.get("subject", ""), "issuer": info.get("issuer", ""),
                    "serial_number": info.get("serial", "").lower().lstrip("0") or "0",
                    "expiry": end.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    return out


# ---------------------------------------------------------------------------
# Transport listener and handshakes
# ---------------------------------------------------------------------------


class TransportHandler(socketserver.BaseRequestHandler):
    """The transport listener: a mutual-TLS handshake against the cluster's trusted CAs;
    on success the server sends b'OK' (so the client learns that its own certificate
    was accepted too, even with TLS 1.3) and closes."""

    def handle(self):
        sock = self.request
        try:
            sock.settimeout(5)
            ss = self.server.ssl_ctx.wrap_socket(sock, server_side=True)
            ss.sendall(b"OK")
            try:
                ss.unwrap()
            except (OSError, ssl.SSLError, ValueError):
                pass
            ss.close()
        except (OSError, ssl.SSLError, ValueError):
            try:
                sock.close()
            except OSError:
                pass


class TransportMixin:
    """The Emulator's remote connections: a real mutual-TLS handshake from a cluster
    to a seed or proxy address, cached, several addresses in parallel."""

    def check_address(self, cluster, address):
        key = (cluster.name, address)
        now = time.monotonic()
        c = self.handshake_cache.get(key)
        if c is not None and (c[2] or now - c[1] < self.args.handshake_cache_s):
            return c[0]
        okk = self._handshake(cluster, address)
        # Emulated listeners, certificates and trust never change while the process runs, so the
        # result of a real handshake to an emulated cluster's transport address is kept for good;
        # any other address is re-checked after --handshake-cache-s.
        self.handshake_cache[key] = (okk, time.monotonic(), address in self.emulated_addresses)
        return okk

    def _handshake(self, cluster, address):
        try:
            host, port = address.rsplit(":", 1)
            if host.startswith("[") and host.endswith("]"):
                host = host[1:-1]
            port = int(port)
            if not 0 < port < 65536:
                return False
        except ValueError:
            return False
        try:
            with socket.create_connection((host, port), timeout=self.args.connect_timeout) as s:
                s.settimeout(self.args.connect_timeout)
                with cluster.client_ctx.wrap_socket(s, server_hostname=host) as ss:
                    data = b""
                    while len(data) < 2:
                        chunk = ss.recv(2 - len(data))
                        if not chunk:
                            break
                        data += chunk
                    return data == b"OK"
        except (OSError, ssl.SSLError, ValueError, UnicodeError):
            return False

    def remote_connected(self, cluster, remotes):
        addrs = set()
        for r in remotes.values():
            if r["mode"] == "sniff":
                addrs.update(r["seeds"])
            else:
                addrs.add(r["proxy_address"])
        addrs = sorted(addrs)
        if len(addrs) <= 1:
            return {a: self.check_address(cluster, a) for a in addrs}
        futs = {a: self.pool.submit(self.check_address, cluster, a) for a in addrs}
        return {a: f.result() for a, f in futs.items()}


# ---------------------------------------------------------------------------
# REST handlers
# ---------------------------------------------------------------------------


def h_remote_info(emu, c, req, p):
    c.authorize(p, ACTION_REMOTE_INFO)
    with c.lock:
        remotes = c.remotes()
        timeout = c.merged_settings().get("cluster.remote.initial_connect_timeout", "30s")
    conn = emu.remote_connected(c, remotes)
    out = {}
    for a, r in remotes.items():
        if r["mode"] == "sniff":
            connected = any(conn.get(s) for s in r["seeds"])
            out[a] = {"connected": connected, "mode": "sniff", "seeds": r["seeds"],
                      "num_nodes_connected": 1 if connected else 0,
                      "max_connections_per_cluster": r["node_connections"],
                      "initial_connect_timeout": timeout, "skip_unavailable": r["skip_unavailable"]}
        else:
            connected = bool(conn.get(r["proxy_address"]))
            out[a] = {"connected": connected, "mode": "proxy", "proxy_address": r["proxy_address"],
                      "server_name": r["server_name"],
                      "num_proxy_sockets_connected": r["proxy_socket_connections"] if connected else 0,
                      "max_proxy_socket_connections": r["proxy_socket_connections"],
                      "initial_connect_timeout": timeout, "skip_unavailable": r["skip_unavailable"]}
    return ok(out)


def h_nodes(emu, c, req, p, node_filter=None, metric=None):
    c.authorize(p, ACTION_NODES_INFO)
    addr = "127.0.0.1:%d" % c.transport_port
    haddr = "127.0.0.1:%d" % c.http_port
    metrics = set((metric or node_filter or "_all").split(","))
    known = {"transport", "http", "settings", "os", "process", "jvm", "thread_pool", "plugins", "ingest",
             "aggregations", "indices", "_all", "_none"}
    if node_filter and metric is None and not (metrics & known):
        metrics = {"_all"}  # /_nodes/<node filter>
    node = {"name": c.node_name, "transport_address": addr, "host": "127.0.0.1", "ip": "127.0.0.1",
            "version": c.version, "transport_version": 8702003, "index_version": 8512000,
            "build_flavor": "default", "build_type": "tar", "build_hash": BUILD_HASH,
            "roles": ["data", "ingest", "master", "remote_cluster_client", "transform"], "attributes": {}}
    if metrics & {"transport", "_all"}:
        node["transport"] = {"bound_address": [addr], "publish_address": addr, "profiles": {}}
    if metrics & {"http", "_all"}:
        node["http"] = {"bound_address": [haddr], "publish_address": haddr, "max_content_length_in_bytes": 104857600}
    return ok({"_nodes": {"total": 1, "successful": 1, "failed": 0}, "cluster_name": c.name,
               "nodes": {c.node_id: node}})


def h_ssl(emu, c, req, p):
    c.authorize(p, ACTION_SSL_CERTS)
    with c.lock:
        if c.cert_cache is None:
            out = []
            f = c.files
            for path, has_key in ((f["http_ca_file"], False), (f["http_cert_file"], True),
                                  (f["trust_bundle_file"], False), (f["transport_cert_file"], True)):
                for info in cert_info(path):
                    out.append({"path": path, "format": "PEM", "alias": None, "subject_dn": info["subject_dn"],
                                "serial_number": info["serial_number"], "has_private_key": has_key,
                                "expiry": info["expiry"], "issuer": info["issuer"]})
            c.cert_cache = out
        return ok(copy.deepcopy(c.cert_cache))
