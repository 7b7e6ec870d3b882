"""API-key remote cluster security: the remote cluster server (a TLS listener of its own, as
remote_cluster_server.enabled opens on port 9443), what a connection to it needs (the
encoded cross-cluster API key from the local cluster's keystore, cluster.remote.<alias>.credentials),
the keystore and POST /_nodes/reload_secure_settings."""

import fnmatch
import json
import socketserver
import ssl

from .api_keys import RCS_FEATURE, authenticate_cross_cluster
from .common import ESError, bad_request, ok, parse_json_body
from .license import compliance_error
from .security import ACTION_RESOLVE_CLUSTER, RESOLVE_CLUSTER_GRANTED_BY, index_privilege_grants
from .settings import REMOTE_RE

ACTION_RELOAD = "cluster:admin/nodes/reload_secure_settings"  # NodesReloadSecureSettingsAction
ACTION_RCS_HANDSHAKE = "cluster:internal/remote_cluster/handshake"  # RemoteClusterService
GREETING = b"RC"  # what the emulated remote cluster server sends after the TLS handshake
CREDENTIALS_HEADER = "_cross_cluster_access_credentials"  # CrossClusterAccessHeaders
AUTH_FAILED = "unable to authenticate with provided credentials and anonymous access is not allowed for this request"


class RemoteClusterServerHandler(socketserver.BaseRequestHandler):
    """The remote cluster server: TLS without client authentication (remote_cluster_server.ssl:
    client_authentication none), then one JSON request line carrying the credentials, answered
    with one JSON line (CrossClusterAccessServerTransportFilter authenticates every request)."""

    def handle(self):
        sock = self.request
        try:
            sock.settimeout(5)
            ss = self.server.ssl_ctx.wrap_socket(sock, server_side=True)
            ss.sendall(GREETING)
            try:
                line = ss.makefile("rb").readline(1 << 20)
            except (OSError, ssl.SSLError, ValueError):
                line = b""
            if line.strip():
                try:
                    reply = rcs_action(self.server.cluster, json.loads(line.decode("utf-8")))
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


def _exception(etype, reason):
    return {"exception": {"type": etype, "reason": reason}}


def rcs_action(c, msg):
    """A request received on cluster c's remote cluster server (CrossClusterAccessServerTransportFilter,
    CrossClusterAccessAuthenticationService, then authorization by the key's access intersected with
    the caller's remote_indices privileges, which travel with the request)."""
    if not c.license.allows_rcs():
        e = compliance_error(RCS_FEATURE)
        return _exception(e.etype, e.reason)
    action = msg.get("action")
    if action not in (ACTION_RCS_HANDSHAKE, ACTION_RESOLVE_CLUSTER):
        return _exception("illegal_argument_exception", "action [%s] is not allowed as a cross cluster operation on "
                          "the dedicated remote cluster server port" % action)
    credentials = msg.get("credentials")
    if not credentials:
        return _exception("illegal_argument_exception", "Cross cluster requests through the dedicated remote cluster "
                          "server port require transport header [%s] but none found. Please ensure you have "
                          "configured remote cluster credentials on the cluster originating the request."
                          % CREDENTIALS_HEADER)
    key, why = authenticate_cross_cluster(c, credentials)
    if key is None:
        return _exception("security_exception", why)
    if action == ACTION_RCS_HANDSHAKE:
        return {"ok": True, "cluster_name": c.name, "version": c.version}
    indices = msg.get("indices", [])
    access = key["role_descriptors"]["cross_cluster"].get("indices", [])
    granted = [e for e in access if any(index_privilege_grants(p, action) for p in e["privileges"])]
    caller = [e for e in msg.get("remote_indices", [])
              if any(index_privilege_grants(p, action) for p in e["privileges"])]

    def covered(entries, name):
        return any(fnmatch.fnmatchcase(name, pat) for e in entries for pat in e["names"])
    if not (granted and caller and all("*" in i or (covered(granted, i) and covered(caller, i)) for i in indices)):
        return _exception("security_exception",
                          "action [%s] towards remote cluster is unauthorized for user [%s] with assigned roles [%s] "
                          "authenticated by API key id [%s] of user [%s] on indices [%s], this action is granted by "
                          "the index privileges [%s]"
                          % (action, msg.get("user", ""), ",".join(sorted(msg.get("roles", []))), key["id"],
                             key["username"], ",".join(indices), ",".join(RESOLVE_CLUSTER_GRANTED_BY)))
    with c.lock:
        return {"info": c.resolve_local(indices)}


def caller_remote_indices(c, p, alias):
    """The caller's remote_indices entries whose clusters match the alias (RoleDescriptor
    remote_indices; the local cluster sends them with each cross-cluster request)."""
    with c.lock:
        defs = [c._role_def(r) for r in p.roles]
    return [e for d in defs if d for e in d.get("remote_indices", [])
            if any(fnmatch.fnmatchcase(alias, pat) for pat in e.get("clusters", []))]


def rcs_info(c):
    """RemoteClusterServerInfo.toXContent, for a node with the remote cluster server enabled."""
    addr = "127.0.0.1:%d" % c.rcs_port
    return {"bound_address": [addr], "publish_address": addr}


class RemoteClusterServerMixin:
    """The Emulator's client side of API-key remotes: a connection to a remote cluster server
    (RemoteConnectionStrategy with the _remote_cluster profile: TLS without a client certificate,
    the remote_cluster handshake with the alias's credentials)."""

    def rcs_request(self, cluster, address, msg):
        """One request to a remote cluster server; None when the address does not answer as one
        (a transport port wants a client certificate, which this profile does not present)."""
        host, _, port = address.rpartition(":")
        try:
            ss = self.open_tls(cluster.rcs_client_ctx, host, int(port), GREETING)
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

    def rcs_handshake(self, cluster, address, credentials):
        """RemoteClusterService.REMOTE_CLUSTER_HANDSHAKE_ACTION_NAME with the credentials: connected
        only when the far side is a remote cluster server that authenticates the key. The local
        cluster must hold the licence too (SecurityServerTransportInterceptor
        .sendWithCrossClusterAccessHeaders)."""
        if not cluster.license.allows_rcs():
            return False
        reply = self.rcs_request(cluster, address, {"action": ACTION_RCS_HANDSHAKE, "credentials": credentials})
        return bool(reply and reply.get("ok"))

    def keystore_update(self, cluster, body):
        """POST /_emulator/keystore: what `elasticsearch-keystore add|remove` does to the node's
        keystore; loaded at the next reload_secure_settings."""
        if not isinstance(body, dict) or not body:
            raise bad_request("expected an object of secure settings, e.g. {\"cluster.remote.ALIAS.credentials\": ..}")
        for k, v in body.items():
            m = REMOTE_RE.match(k)
            if not m or m.group(2) != "credentials":
                raise bad_request("unknown secure setting [%s] please check that any required plugins are installed, "
                                  "or check the breaking changes documentation for removed settings" % k)
            if v is not None and (not isinstance(v, str) or not v):
                raise bad_request("secure setting [%s] must be a non-empty string or null" % k)
        with cluster.lock:
            for k, v in body.items():
                if v is None:
                    cluster.keystore.pop(k, None)
                else:
                    cluster.keystore[k] = v
            return {"acknowledged": True, "keystore": sorted(cluster.keystore)}

    def reload_credentials(self, cluster):
        """Loads the keystore (under the lock); returns the configured aliases whose credentials
        changed, to connect again."""
        with cluster.lock:
            old, cluster.secure = cluster.secure, dict(cluster.keystore)
            changed = {REMOTE_RE.match(k).group(1) for k in set(old) | set(cluster.secure)
                       if old.get(k) != cluster.secure.get(k)}
            cluster.auth_cache = {}
            return cluster.rebuild_remotes(changed)


def h_reload_secure_settings(emu, c, req, p, node_filter=None):
    """POST /_nodes[/<node_id>]/reload_secure_settings (RestReloadSecureSettingsAction,
    NodesReloadSecureSettingsResponse); remote credentials that changed rebuild their connection
    (RemoteClusterService.updateRemoteClusterCredentials), which the answer waits for."""
    body = parse_json_body(req.body)
    if body is not None:
        if not isinstance(body, dict) or any(k != "secure_settings_password" for k in body):
            raise ESError(400, "x_content_parse_exception", "[1:2] [reload_secure_settings] unknown field [%s]"
                          % (next(iter(body)) if isinstance(body, dict) else body))
    c.authorize(p, ACTION_RELOAD)
    nodes = {}
    if node_filter in (None, "_all", "_local", "_master", c.node_id, c.node_name):
        changed = emu.reload_credentials(c)
        emu.await_remote_connections(c, changed)
        nodes[c.node_id] = {"name": c.node_name}
    return ok({"_nodes": {"total": len(nodes), "successful": len(nodes), "failed": 0}, "cluster_name": c.name,
               "nodes": nodes})
