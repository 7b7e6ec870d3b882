"""One emulated cluster: its state (settings, roles, users, API keys, request log,
faults) and how it authenticates and authorizes a request."""

import base64
import collections
import fnmatch
import threading
import time
import uuid

from .common import ESError, vtuple
from .license import LicenseState
from .security import (ACTION_RESOLVE_CLUSTER, GRANT_ORDER, RESERVED_ROLES, RESERVED_USER_METADATA, RESERVED_USERS,
                       RESOLVE_CLUSTER_GRANTED_BY, hash_password, index_privilege_grants, privilege_grants,
                       verify_hash)
from .settings import KNOWN_SETTINGS, REMOTE_RE, as_list, remote_enabled, remote_mode


class Principal:
    __slots__ = ("username", "roles", "user", "realm", "api_key", "key_roles")

    def __init__(self, username, roles, user, realm, api_key=None, key_roles=None):
        self.username = username
        self.roles = roles
        self.user = user
        self.realm = realm
        self.api_key = api_key
        self.key_roles = key_roles


class Cluster:
    def __init__(self, emu, name, version, password):
        self.emu = emu
        self.name = name
        self.version = version
        self.vt = vtuple(version)
        self.uuid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")[:22]
        self.node_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")[:22]
        self.node_name = name + "-node-0"
        self.lock = threading.RLock()
        self.persistent = {}
        self.transient = {}
        self.static = {}  # "elasticsearch.yml"
        self.roles = {}  # name -> stored descriptor
        self.users = {}  # name -> dict(username, roles, full_name, email, metadata, enabled, hash)
        self.reserved_hash = {u: None for u in RESERVED_USERS}
        self.reserved_enabled = {u: True for u in RESERVED_USERS}
        self.reserved_hash["elastic"] = hash_password(password)
        self.api_keys = {}  # id -> dict
        self.auth_cache = {}
        self.requests = collections.deque(maxlen=emu.log_limit)
        self.faults = []
        self.fault_release = threading.Event()
        self.http_port = None
        self.transport_port = None
        self.files = {}
        self.cert_cache = None
        self.client_ctx = None
        self.rcs_client_ctx = None
        self.conns = {}  # alias -> {"sig", "connected", "gen", "attempt"}: RemoteClusterConnection
        self.rcs_port = None  # the remote cluster server's port, when enabled
        self.keystore = {}  # secure settings written to the keystore (POST /_emulator/keystore)
        self.secure = {}  # secure settings loaded (at startup, then by reload_secure_settings)
        self.conn_gen = 0
        self.license = LicenseState(name, getattr(emu.args, "license", "basic") or "basic")

    # ---------------- authentication ----------------
    def challenge_error(self, reason):
        # DefaultAuthenticationFailureHandler: one value per scheme, ordered Negotiate, Bearer, ApiKey,
        # Basic (authSchemePriority); Bearer because the token service is on with HTTPS (TokenService),
        # ApiKey (ApiKeyService); the Basic spelling has a comma from 8.15 (Realm).
        basic = 'Basic realm="security", charset="UTF-8"' if self.vt >= (8, 15, 0) else \
            'Basic realm="security" charset="UTF-8"'
        chal = ['Bearer realm="security"', "ApiKey", basic]
        e = ESError(401, "security_exception", reason, extra={"header": {"WWW-Authenticate": chal}},
                    headers=[("WWW-Authenticate", c) for c in chal])
        return e

    def authenticate(self, req):
        auth = req.headers.get("authorization")
        uri = req.target
        if not auth:
            raise self.challenge_error("missing authentication credentials for REST request [%s]" % uri)
        cached = self.auth_cache.get(auth)
        if cached is not None:
            p, stamp = cached
            if stamp == self._auth_stamp(p):
                return p
        scheme, _, cred = auth.partition(" ")
        scheme = scheme.lower()
        cred = cred.strip()
        if scheme == "basic":
            try:
                dec = base64.b64decode(cred, validate=True).decode("utf-8")
            except Exception:
                raise self.challenge_error("missing authentication credentials for REST request [%s]" % uri)
            user, sep, pw = dec.partition(":")
            if not sep:
                raise self.challenge_error("missing authentication credentials for REST request [%s]" % uri)
            p = self._basic(user, pw)
            if p is None:
                raise self.challenge_error("unable to authenticate user [%s] for REST request [%s]" % (user, uri))
        elif scheme == "apikey":
            try:
                dec = base64.b64decode(cred, validate=True).decode("utf-8")
                kid, _, secret = dec.partition(":")
            except Exception:
                kid, secret = "", ""
            k = self.api_keys.get(kid)
            if k is None or k["invalidated"] or not verify_hash(k["hash"], secret) or \
                    (k["expiration"] and k["expiration"] < time.time() * 1000):
                raise self.challenge_error("unable to authenticate with provided credentials and anonymous access "
                                           "is not allowed for this request")
            if k["type"] != "rest":  # ApiKeyService.validateApiKeyTypeAndExpiration: REST takes rest keys only
                raise self.challenge_error("authentication expected API key type of [rest], but API key [%s] has "
                                           "type [%s]" % (kid, k["type"]))
            owner = self._lookup_user(k["username"])
            roles = owner["roles"] if owner else []
            p = Principal(k["username"], roles, owner, k["realm"], api_key=k, key_roles=k["role_descriptors"])
        else:
            raise self.challenge_error("missing authentication credentials for REST request [%s]" % uri)
        if len(self.auth_cache) > 10000:
            self.auth_cache.clear()
        self.auth_cache[auth] = (p, self._auth_stamp(p))
        return p

    def _auth_stamp(self, p):
        if p.api_key is not None:
            k = self.api_keys.get(p.api_key["id"])
            return (id(k), k and k["invalidated"])
        if p.username in RESERVED_USERS:
            return (self.reserved_hash.get(p.username), self.reserved_enabled.get(p.username))
        u = self.users.get(p.username)
        if u is None:
            return None
        return (u["hash"], u["enabled"], tuple(u["roles"]))

    def _lookup_user(self, name):
        if name in RESERVED_USERS:
            return {"username": name, "roles": RESERVED_USERS[name], "full_name": None, "email": None,
                    "metadata": dict(RESERVED_USER_METADATA.get(name, {"_reserved": True})),
                    "enabled": self.reserved_enabled[name]}
        return self.users.get(name)

    def _basic(self, user, pw):
        if user in RESERVED_USERS:
            if not self.reserved_enabled[user] or not verify_hash(self.reserved_hash[user], pw):
                return None
            return Principal(user, RESERVED_USERS[user], self._lookup_user(user), ("reserved", "reserved"))
        u = self.users.get(user)
        if u is None or not u["enabled"] or not verify_hash(u["hash"], pw):
            return None
        return Principal(user, list(u["roles"]), u, ("default_native", "native"))

    def _role_def(self, name):
        if name in RESERVED_ROLES:
            return RESERVED_ROLES[name]
        return self.roles.get(name)

    def allows(self, p, action):
        """Whether principal p may run the cluster action (its roles, and an API key's own roles)."""
        def granted(role_names, descriptors=None):
            defs = descriptors if descriptors is not None else [self._role_def(r) for r in role_names]
            for d in defs:
                if not d:
                    continue
                for priv in d.get("cluster", []):
                    if privilege_grants(priv, action):
                        return True
            return False
        ok = granted(p.roles)
        if ok and p.key_roles:
            ok = granted(None, list(p.key_roles.values()))
        return ok

    def authorize(self, p, action):
        if not self.allows(p, action):
            by = [g for g in GRANT_ORDER if privilege_grants(g, action)]
            who = "user [%s]" % p.username
            if p.api_key is not None:
                who = "API key id [%s] of user [%s]" % (p.api_key["id"], p.username)
            raise ESError(403, "security_exception",
                          "action [%s] is unauthorized for %s with effective roles [%s], this action is granted by "
                          "the cluster privileges [%s]" % (action, who, ",".join(sorted(p.roles)), ",".join(by)))

    # ---------------- settings helpers ----------------
    def merged_settings(self):
        m = dict(self.static)
        m.update(self.persistent)
        m.update(self.transient)
        return m

    def default_settings(self):
        merged = dict(self.persistent)
        merged.update(self.transient)
        out = {}
        for k, spec in KNOWN_SETTINGS.items():
            if k not in merged and k not in self.static and spec[2] is not None:
                out[k] = spec[2]
        out["cluster.name"] = self.name
        out["node.name"] = self.node_name
        out["transport.port"] = str(self.transport_port)
        out["http.port"] = str(self.http_port)
        for k, v in self.static.items():
            if k not in merged:
                out[k] = v
        return out

    def skip_unavailable_default(self):
        return "true" if self.vt >= (8, 15, 0) else "false"

    def remotes(self):
        """Effective remote configuration: elasticsearch.yml < persistent < transient."""
        m = self.merged_settings()
        aliases = {}
        for k in m:
            mm = REMOTE_RE.match(k)
            if mm:
                aliases.setdefault(mm.group(1), True)
        out = {}
        for a in sorted(aliases):
            if not remote_enabled(m, a):
                continue
            g = lambda s, d=None: m.get("cluster.remote.%s.%s" % (a, s), d)
            mode = remote_mode(m, a).lower()
            # RemoteConnectionStrategy.shouldRebuildConnection: what a change of rebuilds the connection
            sig = tuple(str(g(k, "")) for k in ("mode", "seeds", "node_connections", "proxy", "proxy_address",
                                                 "proxy_socket_connections", "server_name", "transport.compress",
                                                 "transport.compression_scheme", "transport.ping_schedule"))
            out[a] = {"sig": sig, "mode": mode, "seeds": as_list(g("seeds")), "proxy_address": g("proxy_address", ""),
                      "server_name": g("server_name", ""),
                      "node_connections": int(g("node_connections", "3")),
                      "proxy_socket_connections": int(g("proxy_socket_connections", "18")),
                      "skip_unavailable": g("skip_unavailable", self.skip_unavailable_default()) == "true",
                      "credentials": self.secure.get("cluster.remote.%s.credentials" % a)}
        return out

    # ---------------- remote connections ----------------
    def remote_changes(self, old_remotes):
        """RemoteClusterService.updateRemoteCluster, under the lock after a settings change: a
        disabled remote is closed, a new or changed one gets a new, not yet connected connection.
        Returns the aliases to connect, in order."""
        new = self.remotes()
        for a in list(self.conns):
            if a not in new:
                del self.conns[a]
        todo = []
        for a in sorted(new):
            old = old_remotes.get(a)
            if a not in self.conns or old is None or old["sig"] != new[a]["sig"]:
                self.conn_gen += 1
                self.conns[a] = {"sig": new[a]["sig"], "connected": False, "gen": self.conn_gen, "attempt": None}
                todo.append(a)
        return todo

    def rebuild_remotes(self, aliases):
        """RemoteClusterService.updateRemoteClusterCredentials, under the lock: the connection of a
        configured remote whose credentials changed is rebuilt. Returns the aliases to connect."""
        configured = self.remotes()
        todo = []
        for a in sorted(aliases):
            if a in configured:
                self.conn_gen += 1
                self.conns[a] = {"sig": configured[a]["sig"], "connected": False, "gen": self.conn_gen,
                                 "attempt": None}
                todo.append(a)
        return todo

    # ---------------- _resolve/cluster ----------------
    def version_info(self):
        return {"number": self.version, "build_flavor": "default",
                "minimum_wire_compatibility_version": "7.17.0" if self.vt[0] == 8 else "8.18.0",
                "minimum_index_compatibility_version": "7.0.0" if self.vt[0] == 8 else "8.0.0"}

    def resolve_local(self, indices):
        """The local part of TransportResolveClusterAction: this emulator holds no index, so a
        wildcard matches nothing and a concrete name is an IndexNotFoundException."""
        for e in indices:
            if "*" not in e and not e.startswith("-"):
                return {"connected": True, "error": "no such index [%s]" % e}
        return {"connected": True, "matching_indices": False, "version": self.version_info()}

    def authorize_indices(self, user, role_names, action, indices):
        """RBACEngine for an index action, the roles resolved by name on this cluster: None when
        allowed, else the AuthorizationDenialMessages text."""
        defs = [(r, self._role_def(r)) for r in role_names]
        defs = [(r, d) for r, d in defs if d]
        entries = [e for _, d in defs for e in d.get("indices", [])
                   if any(index_privilege_grants(pr, action) for pr in e.get("privileges", []))]

        def covered(name):
            return any(fnmatch.fnmatchcase(name, pat) for e in entries for pat in e["names"])
        ok = bool(entries) and all("*" in i or covered(i) for i in indices)
        if ok:
            return None
        return ("action [%s] is unauthorized for user [%s] with effective roles [%s] on indices [%s], this action is "
                "granted by the index privileges [%s]" % (action, user, ",".join(sorted(r for r, _ in defs)),
                                                        ",".join(indices), ",".join(RESOLVE_CLUSTER_GRANTED_BY)))

    def authorize_resolve(self, p, local_indices):
        if not local_indices:
            return  # only remote expressions: the remote clusters authorize them
        with self.lock:
            err = self.authorize_indices(p.username, p.roles, ACTION_RESOLVE_CLUSTER, local_indices)
        if err is not None:
            raise ESError(403, "security_exception", err)
