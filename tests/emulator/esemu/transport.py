"""Transport and TLS: the PKI (CAs and node certificates made with openssl), the
transport listener, the handshakes that decide whether a remote is connected, and
the REST endpoints that show them (_remote/info, _nodes, _ssl/certificates)."""

import concurrent.futures
import copy
import datetime
import fnmatch
import json
import os
import re
import secrets
import socket
import socketserver
import ssl
import subprocess

from .common import BUILD_HASH, ESError, RawResponse, ok
from .remote_cluster_server import caller_remote_indices, rcs_info
from .security import ACTION_NODES_INFO, ACTION_REMOTE_INFO, ACTION_RESOLVE_CLUSTER, ACTION_SSL_CERTS


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
    """The transport listener: a mutual-TLS handshake against the cluster's trusted CAs; on
    success the server sends b'OK' (so the client learns that its own certificate was accepted
    too, even with TLS 1.3). A client that only checks the connection closes then; a client
    that carries a request (a cross-cluster action, e.g. _resolve/cluster) sends one JSON line
    and gets one JSON line back."""

    def handle(self):
        sock = self.request
        try:
            sock.settimeout(5)
            ss = self.server.ssl_ctx.wrap_socket(sock, server_side=True)
            ss.sendall(b"OK")
            try:
                line = ss.makefile("rb").readline(1 << 20)
            except (OSError, ssl.SSLError, ValueError):
                line = b""
            if line.strip():
                try:
                    reply = remote_action(self.server.cluster, json.loads(line.decode("utf-8")))
                except Exception as e:  # noqa: BLE001 (the caller sees a transport error)
                    reply = {"exception": {"type": "exception", "reason": "%s: %s" % (type(e).__name__, e)}}
                ss.sendall(json.dumps(reply).encode() + b"\n")
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


def remote_action(c, msg):
    """A cross-cluster request received by cluster c. With certificate-based remote cluster
    security the caller's user and role names travel with the request and the roles are resolved
    by name on this cluster (RCS1: AuthorizationService, RBACEngine)."""
    if msg.get("action") != ACTION_RESOLVE_CLUSTER:
        return {"exception": {"type": "action_not_found_transport_exception",
                              "reason": "No handler for action [%s]" % msg.get("action")}}
    user, roles = msg.get("user", ""), msg.get("roles", [])
    indices = msg.get("indices", [])
    with c.lock:
        err = c.authorize_indices(user, roles, ACTION_RESOLVE_CLUSTER, indices)
        if err is not None:
            return {"exception": {"type": "security_exception", "reason": err}}
        info = c.resolve_local(indices)
    return {"info": info}


class TransportMixin:
    """The Emulator's remote connections, as RemoteClusterService keeps them: one state per
    (cluster, alias), changed only by a connection attempt. An attempt is made when the remote's
    settings are added or changed (the settings PUT waits for it, up to --remote-connect-wait-s
    per remote), when a request needs the remote and it is not connected (_resolve/cluster), and
    at startup for the remotes of elasticsearch.yml; never by _remote/info."""

    def check_address(self, cluster, address):
        key = (cluster.name, address)
        c = self.handshake_cache.get(key)
        if c is not None:
            return c
        okk = self._handshake(cluster, address)
        # Emulated listeners, certificates and trust never change while the process runs, so the
        # result of a handshake to an emulated cluster's transport address is kept for good.
        if address in self.emulated_addresses:
            self.handshake_cache[key] = okk
        return okk

    def open_tls(self, ctx, host, port, greeting):
        """A TLS connection that the far side greets with `greeting` once it accepted the handshake
        (so a rejected client certificate is seen with TLS 1.3 too)."""
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError(port)
        s = socket.create_connection((host, port), timeout=self.args.connect_timeout)
        s.settimeout(self.args.connect_timeout)
        ss = ctx.wrap_socket(s, server_hostname=host)
        data = b""
        while len(data) < len(greeting):
            chunk = ss.recv(len(greeting) - len(data))
            if not chunk:
                break
            data += chunk
        if data != greeting:
            ss.close()
            raise OSError("handshake refused")
        return ss

    def _open(self, cluster, address):
        host, _, port = address.rpartition(":")
        return self.open_tls(cluster.client_ctx, host, port, b"OK")

    def _handshake(self, cluster, address):
        try:
            self._open(cluster, address).close()
            return True
        except (OSError, ssl.SSLError, ValueError, UnicodeError):
            return False

    def transport_request(self, cluster, address, msg):
        """One request over a new transport connection; None when the address cannot be reached."""
        try:
            ss = self._open(cluster, address)
        except (OSError, ssl.SSLError, ValueError, UnicodeError):
            return None
        try:
            ss.sendall(json.dumps(msg).encode() + b"\n")
            line = ss.makefile("rb").readline(1 << 20)
            return json.loads(line.decode("utf-8")) if line else None
        except (OSError, ssl.SSLError, ValueError, UnicodeError):
            return None
        finally:
            try:
                ss.close()
            except OSError:
                pass

    def remote_addresses(self, r):
        return list(r["seeds"]) if r["mode"] == "sniff" else [r["proxy_address"]]

    def _attempt(self, cluster, alias, gen, r):
        # SniffConnectionStrategy tries the seeds in turn; ProxyConnectionStrategy the proxy address.
        # With credentials the connection uses the remote cluster profile (RemoteConnectionStrategy):
        # only a remote cluster server that authenticates the key accepts it, and as the key can be
        # invalidated or expire, that answer is never cached.
        if r["credentials"]:
            okk = any(self.rcs_handshake(cluster, a, r["credentials"]) for a in self.remote_addresses(r))
        else:
            okk = any(self.check_address(cluster, a) for a in self.remote_addresses(r))
        with cluster.lock:
            st = cluster.conns.get(alias)
            if st is not None and st["gen"] == gen:
                st["connected"] = okk
                st["attempt"] = None
        return okk

    def connect(self, cluster, alias):
        """RemoteClusterConnection.ensureConnected: the attempt in flight, a new one when the remote
        is not connected, or None when it is."""
        with cluster.lock:
            st = cluster.conns.get(alias)
            r = cluster.remotes().get(alias)
            if st is None or r is None:
                return None
            if st["connected"]:
                return None
            if st["attempt"] is None:
                st["attempt"] = self.pool.submit(self._attempt, cluster, alias, st["gen"], r)
            return st["attempt"]

    def await_remote_connections(self, cluster, aliases):
        """RemoteClusterService.updateRemoteCluster: each new or rebuilt remote in turn, waiting at
        most --remote-connect-wait-s (10 s) for its connection attempt."""
        for a in aliases:
            fut = self.connect(cluster, a)
            if fut is not None:
                concurrent.futures.wait([fut], timeout=self.args.remote_connect_wait_s)

    def ensure_connected(self, cluster, alias):
        """DisconnectedStrategy.RECONNECT_IF_DISCONNECTED: wait for an attempt when not connected."""
        fut = self.connect(cluster, alias)
        if fut is not None:
            fut.result()
        with cluster.lock:
            st = cluster.conns.get(alias)
            return bool(st and st["connected"])


# ---------------------------------------------------------------------------
# REST handlers
# ---------------------------------------------------------------------------


def h_remote_info(emu, c, req, p):
    """TransportRemoteInfoAction: the connections as they are; this call never connects."""
    c.authorize(p, ACTION_REMOTE_INFO)
    with c.lock:
        remotes = c.remotes()
        timeout = c.merged_settings().get("cluster.remote.initial_connect_timeout", "30s")
        conn = {a: bool(c.conns.get(a, {}).get("connected")) for a in remotes}
    out = {}
    for a, r in remotes.items():
        connected = conn[a]
        if r["mode"] == "sniff":
            out[a] = {"connected": connected, "mode": "sniff", "seeds": r["seeds"],
                      "num_nodes_connected": 1 if connected else 0,
                      "max_connections_per_cluster": r["node_connections"],
                      "initial_connect_timeout": timeout, "skip_unavailable": r["skip_unavailable"]}
        else:
            out[a] = {"connected": connected, "mode": "proxy", "proxy_address": r["proxy_address"],
                      "server_name": r["server_name"],
                      "num_proxy_sockets_connected": r["proxy_socket_connections"] if connected else 0,
                      "max_proxy_socket_connections": r["proxy_socket_connections"],
                      "initial_connect_timeout": timeout, "skip_unavailable": r["skip_unavailable"]}
        if r["credentials"]:  # RemoteConnectionInfo.toXContent: only whether credentials are loaded
            out[a]["cluster_credentials"] = "::es_redacted::"
    return ok(out)


def security_error_connected(vt):
    """TransportResolveClusterAction: a security exception marked the remote connected until
    elastic/elasticsearch#119793 (8.16.3 and 8.17.1 on), not connected since."""
    return not (vt >= (8, 17, 1) or (8, 16, 3) <= vt < (8, 17, 0))


def h_resolve_cluster(emu, c, req, p, name):
    """GET /_resolve/cluster/<expressions> (8.13+): per remote alias, reached with
    RECONNECT_IF_DISCONNECTED (so a connection is attempted), and (local) for local expressions
    (TransportResolveClusterAction, ResolveClusterActionResponse, ResolveClusterInfo)."""
    if c.vt < (8, 13, 0):  # not routed before 8.13
        raise RawResponse(400, {"error": "no handler found for uri [%s] and method [%s]" % (req.target, req.method),
                                "status": 400})
    exprs = [e.strip() for e in name.split(",") if e.strip()]
    with c.lock:
        remotes = c.remotes()
    local, per_alias = [], {}
    for e in exprs:
        if ":" in e:
            alias_pat, _, idx = e.partition(":")
            matched = [a for a in remotes if fnmatch.fnmatchcase(a, alias_pat)] if "*" in alias_pat else \
                ([alias_pat] if alias_pat in remotes else [])
            if not matched:
                # RemoteClusterAware.groupClusterIndices
                raise ESError(404, "no_such_remote_cluster_exception", "no such remote cluster: [%s]" % alias_pat)
            for a in matched:
                per_alias.setdefault(a, []).append(idx)
        else:
            local.append(e)
    c.authorize_resolve(p, local)
    out = {}
    if local:
        with c.lock:
            out["(local)"] = dict(c.resolve_local(local), skip_unavailable=False)
    futs = {a: emu.pool.submit(resolve_remote, emu, c, p, a, remotes[a], idx) for a, idx in per_alias.items()}
    for a in sorted(futs):
        out[a] = futs[a].result()
    return ok(out)


def resolve_remote(emu, c, p, alias, r, indices):
    skip = r["skip_unavailable"]
    if not emu.ensure_connected(c, alias):
        return {"connected": False, "skip_unavailable": skip}  # a ConnectTransportException: no error text
    msg = {"action": ACTION_RESOLVE_CLUSTER, "user": p.username, "roles": list(p.roles), "indices": indices}
    if r["credentials"]:
        # API-key security: the key authenticates the request, the caller's remote_indices travel with it
        msg.update(credentials=r["credentials"], remote_indices=caller_remote_indices(c, p, alias))
    reply = None
    for a in emu.remote_addresses(r):
        reply = emu.rcs_request(c, a, msg) if r["credentials"] else emu.transport_request(c, a, msg)
        if reply is not None:
            break
    if reply is None:
        with c.lock:  # the connection dropped: the node notices and reconnects later
            st = c.conns.get(alias)
            if st is not None:
                st["connected"] = False
        return {"connected": False, "skip_unavailable": skip}
    if "exception" in reply:
        ex = reply["exception"]
        if ex["type"] == "security_exception":
            return {"connected": security_error_connected(c.vt), "skip_unavailable": skip, "error": ex["reason"]}
        return {"connected": False, "skip_unavailable": skip,
                "error": "org.elasticsearch.ElasticsearchException: %s" % ex["reason"]}
    info = reply["info"]
    out = {"connected": True, "skip_unavailable": skip}
    for k in ("error", "matching_indices", "version"):
        if k in info:
            out[k] = info[k]
    return out


def h_nodes(emu, c, req, p, node_filter=None, metric=None):
    c.authorize(p, ACTION_NODES_INFO)
    addr = "127.0.0.1:%d" % c.transport_port
    haddr = "127.0.0.1:%d" % c.http_port
    metrics = set((metric or node_filter or "_all").split(","))
    known = {"transport", "http", "remote_cluster_server", "settings", "os", "process", "jvm", "thread_pool",
             "plugins", "ingest", "aggregations", "indices", "_all", "_none"}
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
    if metrics & {"remote_cluster_server", "_all"} and c.rcs_port:  # NodeInfo: only when the server is enabled
        node["remote_cluster_server"] = rcs_info(c)
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
