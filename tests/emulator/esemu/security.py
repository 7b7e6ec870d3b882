"""Security model: cluster privileges and actions, reserved and native roles
(parsing and validation as RoleDescriptor and PutRoleRequest do), reserved users
and password hashes."""

import base64
import fnmatch
import hashlib
import hmac
import json
import re
import secrets

from .common import ESError, bad_request, token_name, vtuple


# ---------------------------------------------------------------------------
# Privileges (from x-pack/.../authz/privilege/ClusterPrivilegeResolver.java and IndexPrivilege.java)
# ---------------------------------------------------------------------------

CLUSTER_PRIVILEGES = [
    "none", "cancel_task", "create_snapshot", "cross_cluster_replication", "cross_cluster_search",
    "delegate_pki", "grant_api_key", "manage_autoscaling", "manage_index_templates", "manage_logstash_pipelines",
    "manage_oidc", "manage_saml", "manage_search_application", "manage_search_query_rules",
    "manage_search_synonyms", "manage_service_account", "manage_token", "manage_user_profile",
    "monitor_connector", "monitor_data_stream_global_retention", "monitor_enrich", "monitor_inference",
    "monitor_ml", "monitor_rollup", "monitor_snapshot", "monitor_stats", "monitor_text_structure",
    "monitor_watcher", "post_behavioral_analytics_event", "read_ccr", "read_connector_secrets",
    "read_fleet_secrets", "read_ilm", "read_pipeline", "read_security", "read_slm", "transport_client",
    "write_connector_secrets", "write_fleet_secrets", "manage_api_key", "manage_behavioral_analytics",
    "manage_ccr", "manage_connector", "manage_data_frame_transforms", "manage_data_stream_global_retention",
    "manage_enrich", "manage_ilm", "manage_inference", "manage_ml", "manage_own_api_key",
    "manage_pipeline", "manage_rollup", "manage_slm", "manage_transform", "manage_watcher",
    "monitor_data_frame_transforms", "monitor_transform", "manage_ingest_pipelines", "monitor",
    "manage_security", "manage", "all",
]
INDEX_PRIVILEGES = [
    "none", "auto_configure", "create", "create_doc", "create_index", "cross_cluster_replication",
    "cross_cluster_replication_internal", "delete", "delete_index", "index", "maintenance",
    "manage_data_stream_lifecycle", "manage_follow_index", "manage_ilm", "manage_leader_index",
    "monitor", "read", "read_cross_cluster", "view_index_metadata", "write", "manage", "all",
]
REMOTE_CLUSTER_PRIVILEGES = ["monitor_enrich", "monitor_stats"]
CLUSTER_PRIV_SET = set(CLUSTER_PRIVILEGES)
# Privileges that appeared after 8.14: (name, first version). monitor_stats is a cluster and a
# remote-cluster privilege from 8.17 (ClusterPrivilegeResolver, RemoteClusterPermissions).
PRIVILEGE_SINCE = {"monitor_stats": (8, 17, 0)}


def cluster_privileges(vt):
    """ClusterPrivilegeResolver's names known to the emulated version, in the order of its message."""
    return [p for p in CLUSTER_PRIVILEGES if vt >= PRIVILEGE_SINCE.get(p, (0, 0, 0))]


def remote_cluster_privileges(vt):
    """RemoteClusterPermissions: monitor_enrich (8.15), monitor_stats (8.17)."""
    return [p for p in REMOTE_CLUSTER_PRIVILEGES if vt >= PRIVILEGE_SINCE.get(p, (0, 0, 0))]
INDEX_PRIV_SET = set(INDEX_PRIVILEGES)

ACTION_MAIN = "cluster:monitor/main"
ACTION_SETTINGS_GET = "cluster:monitor/settings"
ACTION_SETTINGS_PUT = "cluster:admin/settings/update"
ACTION_REMOTE_INFO = "cluster:monitor/remote/info"
ACTION_NODES_INFO = "cluster:monitor/nodes/info"
ACTION_SSL_CERTS = "cluster:monitor/xpack/ssl/certificates/get"
ACTION_RESOLVE_CLUSTER = "indices:admin/resolve/cluster"  # TransportResolveClusterAction.NAME
# IndexPrivilege: the named privileges whose automaton holds indices:admin/resolve/cluster, least first
RESOLVE_CLUSTER_GRANTED_BY = ["view_index_metadata", "read_cross_cluster", "read", "manage", "all"]


def index_privilege_grants(priv, action):
    priv = priv.lower()
    if priv in ("all",):
        return action.startswith("indices:")
    if priv == "manage":
        return action.startswith("indices:admin/") or action.startswith("indices:monitor/")
    if priv in ("read", "view_index_metadata", "read_cross_cluster"):
        return action == ACTION_RESOLVE_CLUSTER or (priv == "read" and action.startswith("indices:data/read/"))
    if priv.startswith("indices:"):
        pat = priv if priv.endswith("*") else priv + "*"
        return fnmatch.fnmatchcase(action, pat)
    return False
SEC = "cluster:admin/xpack/security/"
# Every cluster action the emulator authorizes, and a few it does not serve
# (so that `manage` or `all` stand for more than what the tool needs): what a
# named privilege stands for when _has_privileges is asked about it.
KNOWN_CLUSTER_ACTIONS = [ACTION_MAIN, ACTION_SETTINGS_GET, ACTION_SETTINGS_PUT, ACTION_REMOTE_INFO, ACTION_NODES_INFO,
                         ACTION_SSL_CERTS, "cluster:admin/repository/put", "cluster:admin/reroute",
                         "cluster:admin/xpack/ccr/auto_follow_pattern/put", "cluster:monitor/health",
                         "cluster:monitor/xpack/license/get", "cluster:admin/xpack/license/start_trial",
                         "cluster:admin/xpack/license/trial_status"] + \
    [SEC + a for a in (
                             "role/get", "role/put", "role/delete", "role/bulk_put", "role/bulk_delete",
                             "user/get", "user/put", "user/delete", "user/change_password", "user/set_enabled",
                             "api_key/create", "api_key/get", "api_key/invalidate", "cross_cluster/api_key/create",
                             "cross_cluster/api_key/update")] + ["cluster:admin/nodes/reload_secure_settings"]
GRANT_ORDER = ["monitor", "read_security", "manage_own_api_key", "manage_api_key", "manage_security", "manage", "all"]


def privilege_grants(priv, action):
    priv = priv.lower()
    if priv == "all":
        return action.startswith("cluster:")
    if priv == "manage":
        return action.startswith("cluster:") and not action.startswith(SEC)
    if priv == "monitor":
        return action.startswith("cluster:monitor/")
    if priv == "manage_security":
        return action.startswith(SEC)
    if priv == "read_security":
        return action in (SEC + "role/get", SEC + "user/get")
    if priv in ("manage_api_key", "manage_own_api_key"):
        return action.startswith(SEC + "api_key/")
    if priv.startswith("cluster:"):
        pat = priv if priv.endswith("*") else priv + "*"
        return fnmatch.fnmatchcase(action, pat)
    return False


# ---------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------

def _reserved_role(cluster=None, indices=None, applications=None, run_as=None):
    return {"cluster": cluster or [], "indices": indices or [], "applications": applications or [],
            "run_as": run_as or [], "metadata": {"_reserved": True}, "transient_metadata": {"enabled": True}}


RESERVED_ROLES = {
    "superuser": _reserved_role(
        ["all"],
        [{"names": ["*"], "privileges": ["all"], "allow_restricted_indices": False},
         {"names": ["*"], "privileges": ["monitor", "read", "view_index_metadata", "read_cross_cluster"],
          "allow_restricted_indices": True}],
        [{"application": "*", "privileges": ["*"], "resources": ["*"]}], ["*"]),
    "kibana_system": _reserved_role(["monitor", "manage_index_templates", "cancel_task", "manage_token",
                                     "manage_own_api_key", "manage_pipeline", "manage_ilm", "read_security"],
                                    [{"names": [".kibana*"], "privileges": ["all"], "allow_restricted_indices": True}]),
    "kibana_admin": _reserved_role([], [], [{"application": "kibana-.kibana", "privileges": ["all"], "resources": ["*"]}]),
    "logstash_system": _reserved_role(["monitor", "cluster:admin/xpack/monitoring/bulk"]),
    "beats_system": _reserved_role(["monitor", "cluster:admin/xpack/monitoring/bulk"]),
    "apm_system": _reserved_role(["monitor", "cluster:admin/xpack/monitoring/bulk"]),
    "remote_monitoring_agent": _reserved_role(["manage_index_templates", "manage_ingest_pipelines", "monitor",
                                               "cluster:monitor/xpack/watcher/watch/get",
                                               "cluster:admin/xpack/watcher/watch/put",
                                               "cluster:admin/xpack/watcher/watch/delete"],
                                              [{"names": [".monitoring-*"], "privileges": ["all"],
                                                "allow_restricted_indices": False}]),
    "remote_monitoring_collector": _reserved_role(["monitor"], [{"names": ["*"], "privileges": ["monitor"],
                                                                 "allow_restricted_indices": True}]),
    "monitoring_user": _reserved_role(["cluster:monitor/main", "cluster:monitor/xpack/info"],
                                      [{"names": [".monitoring-*"], "privileges": ["read", "read_cross_cluster"],
                                        "allow_restricted_indices": False}]),
    "viewer": _reserved_role([], [{"names": ["*"], "privileges": ["read", "view_index_metadata"],
                                   "allow_restricted_indices": False}]),
    "editor": _reserved_role([], [{"names": ["*"], "privileges": ["read", "view_index_metadata", "write"],
                                   "allow_restricted_indices": False}]),
    "ingest_admin": _reserved_role(["manage_index_templates", "manage_pipeline"]),
    "transport_client": _reserved_role(["transport_client"]),
    "snapshot_user": _reserved_role(["create_snapshot", "monitor_snapshot"],
                                    [{"names": ["*"], "privileges": ["view_index_metadata", "monitor"],
                                      "allow_restricted_indices": True}]),
    "machine_learning_user": _reserved_role(["monitor_ml"]),
    "machine_learning_admin": _reserved_role(["manage_ml"]),
    "watcher_user": _reserved_role(["monitor_watcher"]),
    "watcher_admin": _reserved_role(["manage_watcher"]),
    "rollup_user": _reserved_role(["monitor_rollup"]),
    "rollup_admin": _reserved_role(["manage_rollup"]),
    "enrich_user": _reserved_role(["manage_enrich", "manage_ingest_pipelines", "monitor"]),
    "logstash_admin": _reserved_role(["manage_logstash_pipelines"]),
    "transform_user": _reserved_role(["monitor_transform"]),
    "transform_admin": _reserved_role(["manage_transform"]),
    "reporting_user": _reserved_role([]),
    "apm_user": _reserved_role([], [{"names": ["apm-*", "logs-apm*", "metrics-apm*", "traces-apm*"],
                                     "privileges": ["read", "view_index_metadata"]}]),
    "beats_admin": _reserved_role([], [{"names": [".management-beats"], "privileges": ["all"]}]),
    "kibana_user": _reserved_role([], [], [{"application": "kibana-.kibana", "privileges": ["all"], "resources": ["*"]}]),
    "data_frame_transforms_admin": _reserved_role(["manage_data_frame_transforms"]),
    "data_frame_transforms_user": _reserved_role(["monitor_data_frame_transforms"]),
}
# ReservedRolesStore: deprecated reserved roles carry MetadataUtils.getDeprecatedReservedMetadata(reason).
DEPRECATED_ROLES = {
    "kibana_user": "Please use the [kibana_admin] role instead",
    "data_frame_transforms_admin": "Please use the [transform_admin] role instead",
    "data_frame_transforms_user": "Please use the [transform_user] role instead",
}
for _n, _why in DEPRECATED_ROLES.items():
    RESERVED_ROLES[_n]["metadata"] = {"_reserved": True, "_deprecated": True, "_deprecated_reason": _why}
# ReservedRolesStore.SUPERUSER_ROLE_DESCRIPTOR: the same index privileges on every remote cluster
RESERVED_ROLES["superuser"]["remote_indices"] = [
    dict(e, clusters=["*"]) for e in RESERVED_ROLES["superuser"]["indices"]]
RESERVED_ROLES = dict(sorted(RESERVED_ROLES.items()))
for _r in RESERVED_ROLES.values():
    for _i in _r["indices"]:
        _i.setdefault("allow_restricted_indices", False)

ROLE_FIELDS = ("cluster", "indices", "applications", "run_as", "metadata", "transient_metadata", "global",
               "remote_indices", "remote_cluster", "description")
NAME_MSG = ("%s names must be at least 1 and no more than 507 characters. They can contain alphanumeric "
            "characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) "
            "block. Leading or trailing whitespace is not allowed.")


def valid_name(name):
    if not (1 <= len(name) <= 507):
        return False
    if any(ord(c) < 0x20 or ord(c) > 0x7e for c in name):
        return False
    return name == name.strip()


def _string_array(role, field, v, what="role"):
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list) or any(not isinstance(x, str) for x in v):
        raise ESError(400, "parse_exception",
                      "failed to parse %s [%s]. could not parse [%s] field. expected a string array but found [%s] value instead"
                      % (what, role, field, token_name(v)))
    return list(v)


def parse_index_entry(role, e, remote, version):
    kind = "remote indices" if remote else "indices"
    if not isinstance(e, dict):
        raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. expected field [%s] "
                      "value to be an array of objects, but found an array element of type [%s]"
                      % (kind, role, "remote_indices" if remote else "indices", token_name(e)))
    out = {}
    names = privileges = None
    for f, v in e.items():
        if f == "names":
            if isinstance(v, str):
                names = [v]
            else:
                names = _string_array(role, f, v)
                if not names:
                    raise ESError(400, "parse_exception",
                                  "failed to parse %s privileges for role [%s]. [names] cannot be an empty array" % (kind, role))
        elif f == "privileges":
            privileges = _string_array(role, f, v)
        elif f == "field_security":
            if not isinstance(v, dict):
                raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. [field_security] "
                              "value must be an object" % (kind, role))
            fs = {}
            for fk, fv in v.items():
                if fk not in ("grant", "except"):
                    raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. "
                                  "[field_security] only supports [grant] and [except] but found [%s]" % (kind, role, fk))
                fs[fk] = _string_array(role, fk, fv)
            if "except" in fs and "grant" not in fs:
                raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. field_security "
                              "requires grant if except is given" % (kind, role))
            out["field_security"] = fs
        elif f == "query":
            if isinstance(v, dict):
                out["query"] = json.dumps(v, separators=(",", ":"))
            elif isinstance(v, str) or v is None:
                if v is not None:
                    out["query"] = v
            else:
                raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. [query] field "
                              "value must be an object or string" % (kind, role))
        elif f == "allow_restricted_indices":
            if not isinstance(v, bool):
                raise ESError(400, "parse_exception", "failed to parse %s privileges for role [%s]. expected field "
                              "[allow_restricted_indices] value to be a boolean, but found [%s] instead"
                              % (kind, role, token_name(v)))
            out["allow_restricted_indices"] = v
        elif f == "clusters" and remote:
            out["clusters"] = _string_array(role, f, v)
        else:
            raise ESError(400, "parse_exception",
                          "failed to parse %s privileges for role [%s]. unexpected field [%s]" % (kind, role, f))
    if names is None:
        raise ESError(400, "parse_exception",
                      "failed to parse %s privileges for role [%s]. missing required [names] field" % (kind, role))
    if privileges is None:
        raise ESError(400, "parse_exception",
                      "failed to parse %s privileges for role [%s]. missing required [privileges] field" % (kind, role))
    if remote and "clusters" not in out:
        raise ESError(400, "parse_exception",
                      "failed to parse remote indices privileges for role [%s]. missing required [clusters] field" % role)
    if not privileges:
        raise bad_request("indices privileges must define at least one privilege")
    res = {}
    if remote:
        res["clusters"] = out["clusters"]
    res["names"] = names
    res["privileges"] = privileges
    if "field_security" in out:
        res["field_security"] = out["field_security"]
    if "query" in out:
        res["query"] = out["query"]
    res["allow_restricted_indices"] = out.get("allow_restricted_indices", False)
    return res


def parse_role(name, body, version):
    """RoleDescriptor.parse: returns the normalised descriptor (the stored document,
    rendered by GET). Parse errors raise ESError (400 parse_exception)."""
    if not isinstance(body, dict):
        raise ESError(400, "parse_exception", "failed to parse role [%s]. expected an object but found [%s] instead"
                      % (name, token_name(body)))
    bulk_era = vtuple(version) >= (8, 15, 0)  # description and remote_cluster are 8.15+ fields
    d = {"cluster": [], "indices": [], "applications": [], "run_as": [], "metadata": {},
         "transient_metadata": {"enabled": True}}
    for f, v in body.items():
        if f not in ROLE_FIELDS or (f in ("description", "remote_cluster") and not bulk_era):
            raise ESError(400, "parse_exception", "failed to parse role [%s]. unexpected field [%s]" % (name, f))
        if f in ("cluster", "run_as"):
            d[f] = _string_array(name, f, v)
        elif f in ("indices", "remote_indices"):
            if not isinstance(v, list):
                raise ESError(400, "parse_exception", "failed to parse indices privileges for role [%s]. expected "
                              "field [%s] value to be an array, but found [%s] instead" % (name, f, token_name(v)))
            d[f] = [parse_index_entry(name, e, f == "remote_indices", version) for e in v]
        elif f == "applications":
            if not isinstance(v, list):
                raise ESError(400, "parse_exception", "failed to parse application privileges for role [%s]. expected "
                              "field [applications] value to be an array, but found [%s] instead" % (name, token_name(v)))
            apps = []
            for a in v:
                if not isinstance(a, dict):
                    raise ESError(400, "parse_exception", "failed to parse application privileges for role [%s]. "
                                  "expected an object but found [%s]" % (name, token_name(a)))
                app = {}
                for ak, av in a.items():
                    if ak == "application":
                        if not isinstance(av, str):
                            raise ESError(400, "parse_exception", "failed to parse application privileges for role [%s]. "
                                          "[application] must be a string" % name)
                        app[ak] = av
                    elif ak in ("privileges", "resources"):
                        app[ak] = _string_array(name, ak, av)
                    else:
                        raise ESError(400, "parse_exception", "failed to parse application privileges for role [%s]. "
                                      "unexpected field [%s]" % (name, ak))
                for req in ("application", "privileges", "resources"):
                    if req not in app:
                        raise ESError(400, "parse_exception", "failed to parse application privileges for role [%s]. "
                                      "missing required [%s] field" % (name, req))
                apps.append({"application": app["application"], "privileges": app["privileges"],
                             "resources": app["resources"]})
            d["applications"] = apps
        elif f == "metadata":
            if v is None:
                continue
            if not isinstance(v, dict):
                raise ESError(400, "parse_exception", "expected field [metadata] to be of type object, but found [%s] "
                              "instead" % token_name(v))
            d["metadata"] = v
        elif f == "transient_metadata":
            if not isinstance(v, dict):
                raise ESError(400, "parse_exception", "failed to parse role [%s]. expected field [transient_metadata] "
                              "to be an object" % name)
            # accepted and dropped (docs/elasticsearch.md)
        elif f == "global":
            if not isinstance(v, dict):
                raise ESError(400, "parse_exception", "failed to parse role [%s]. expected field [global] to be an "
                              "object" % name)
            d["global"] = v
        elif f == "remote_cluster":
            if not isinstance(v, list):
                raise ESError(400, "parse_exception", "failed to parse role [%s]. expected field [remote_cluster] "
                              "value to be an array" % name)
            rcs = []
            for rc in v:
                if not isinstance(rc, dict):
                    raise ESError(400, "parse_exception", "failed to parse remote_cluster for role [%s]. expected an "
                                  "object" % name)
                item = {}
                for rk, rv in rc.items():
                    if rk not in ("privileges", "clusters"):
                        raise ESError(400, "parse_exception", "failed to parse remote_cluster for role [%s]. "
                                      "unexpected field [%s]" % (name, rk))
                    item[rk] = _string_array(name, rk, rv)
                for req in ("privileges", "clusters"):
                    if req not in item:
                        raise ESError(400, "parse_exception", "failed to parse remote_cluster for role [%s]. missing "
                                      "required [%s] field" % (name, req))
                rcs.append({"privileges": item["privileges"], "clusters": item["clusters"]})
            d["remote_cluster"] = rcs
        elif f == "description":
            if v is not None and not isinstance(v, str):
                raise ESError(400, "parse_exception", "failed to parse role [%s]. expected field [description] to be a "
                              "string" % name)
            if v is not None:
                d["description"] = v
    # key order as RoleDescriptor.toXContent
    out = {}
    for k in ("cluster", "global", "indices", "applications", "run_as", "metadata", "transient_metadata",
              "remote_indices", "remote_cluster", "description"):
        if k in d:
            if k in ("remote_indices", "remote_cluster") and not d[k]:
                continue
            out[k] = d[k]
    return out


def validate_role(name, role, version="8.15.0"):
    """PutRoleRequest.validate / RoleDescriptorRequestValidator: list of messages."""
    vt = vtuple(version)
    known = set(cluster_privileges(vt))
    errs = []
    if name in RESERVED_ROLES:
        errs.append("Role [%s] is reserved and may not be used." % name)
    elif not valid_name(name):
        errs.append(NAME_MSG % "Role")
    for p in role.get("cluster", []):
        pl = p.lower()
        if pl not in known and not (pl.startswith("cluster:") or pl.startswith("indices:admin/template/")
                                               or pl.startswith("indices:admin/index_template/")):
            errs.append("unknown cluster privilege [%s]. a privilege must be either one of the predefined cluster "
                        "privilege names [%s] or a pattern over one of the available cluster actions"
                        % (pl, ",".join(cluster_privileges(vt))))
    for key in ("indices", "remote_indices"):
        for e in role.get(key, []):
            for p in e["privileges"]:
                pl = p.lower()
                if pl not in INDEX_PRIV_SET and not pl.startswith("indices:"):
                    errs.append("unknown index privilege [%s]. a privilege must be either one of the predefined fixed "
                                "indices privileges [%s] or a pattern over one of the available index actions"
                                % (pl, ",".join(INDEX_PRIVILEGES)))
            if "query" in e:
                try:
                    q = json.loads(e["query"])
                    if not isinstance(q, dict):
                        raise ValueError
                except ValueError:
                    pass  # ES validates the query lazily; stored as given
    rcp = remote_cluster_privileges(vt)
    for rc in role.get("remote_cluster", []):
        for p in rc["privileges"]:
            if p not in rcp:
                errs.append("Invalid remote_cluster permissions found. Please remove the following: [%s] Only [%s] "
                            "are allowed" % (p, ", ".join(rcp)))
    for k in role.get("metadata", {}):
        if k.startswith("_"):
            errs.append("role descriptor metadata keys may not start with [_]")
            break
    return errs


def uses_dls_fls(role):
    """RoleDescriptor.isUsingDocumentOrFieldLevelSecurity: a query or field_security in indices."""
    return any("query" in e or "field_security" in e for e in role.get("indices", []))


def role_document(role):
    """NativeRolesStore.createRoleXContentBuilder: the stored document always carries global {},
    remote_indices [], remote_cluster [] and description "" when the role has none, so that an
    upsert (bulk) overwrites them like an index (single PUT) does."""
    doc = dict(role)
    doc.setdefault("global", {})
    doc.setdefault("remote_indices", [])
    doc.setdefault("remote_cluster", [])
    doc.setdefault("description", "")
    return doc


def render_stored_role(doc, basic_license=False):
    """RoleDescriptor.toXContent of a stored document: empty global, remote_indices,
    remote_cluster and description are not shown; on a licence without document and field level
    security a role using them reads back disabled (NativeRolesStore.transformRole)."""
    out = {}
    for k, v in doc.items():
        if k in ("global", "remote_indices", "remote_cluster", "description") and not v:
            continue
        out[k] = v
    if basic_license and uses_dls_fls(doc):
        feats = []
        if any("field_security" in e for e in doc.get("indices", [])):
            feats.append("fls")
        if any("query" in e for e in doc.get("indices", [])):
            feats.append("dls")
        out["transient_metadata"] = {"unlicensed_features": feats, "enabled": False}
    return out


def deep_merge(base, upd):
    """The update-with-doc_as_upsert merge used by bulk role writes: objects key by key,
    everything else (arrays, scalars) replaced."""
    out = dict(base)
    for k, v in upd.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


# ---------------------------------------------------------------------------
# Users and password hashes
# ---------------------------------------------------------------------------

RESERVED_USERS = {
    "elastic": ["superuser"],
    "kibana": ["kibana_system"],
    "kibana_system": ["kibana_system"],
    "logstash_system": ["logstash_system"],
    "beats_system": ["beats_system"],
    "apm_system": ["apm_system"],
    "remote_monitoring_user": ["remote_monitoring_collector", "remote_monitoring_agent"],
}
# ReservedRealm: the deprecated user kibana (KibanaUser) carries the deprecated reserved metadata.
RESERVED_USER_METADATA = {
    "kibana": {"_reserved": True, "_deprecated": True, "_deprecated_reason": "Please use the [kibana_system] user instead."},
}
PBKDF2_ITERATIONS = 1000
# Hasher.getAvailableAlgoStoredHash(): the algorithms a password_hash may use, in enum order.
STORED_HASH_ALGOS = (["bcrypt"] + ["bcrypt%d" % i for i in range(4, 15)] +
                     ["pbkdf2"] + ["pbkdf2_%d" % i for i in (1000, 10000, 50000, 100000, 500000, 1000000)] +
                     ["pbkdf2_stretch"] + ["pbkdf2_stretch_%d" % i for i in (1000, 10000, 50000, 100000, 500000,
                                                                              1000000)])
SUPPORTED_HASHES = "[" + ", ".join(STORED_HASH_ALGOS) + "]"
HASH_NOT_SUPPORTED = ("The provided password hash is not a hash or it could not be resolved to a supported hash "
                      "algorithm. The supported password hash algorithms are " + SUPPORTED_HASHES)

try:  # Debian's python3-bcrypt (tests/install-deps.sh); without it bcrypt hashes are refused
    import bcrypt as _bcrypt
except ImportError:  # pragma: no cover
    _bcrypt = None


def _pbkdf2(password_bytes, salt_b64, iterations, key_len):
    return hashlib.pbkdf2_hmac("sha512", password_bytes, base64.b64decode(salt_b64, validate=True), iterations, key_len)


def hash_password(password, iterations=PBKDF2_ITERATIONS, stretch=False):
    """Hasher.getPbkdf2Hash: {PBKDF2}<cost>$<base64 of 32 salt bytes>$<base64 of the 32-byte key>,
    PBKDF2-HMAC-SHA512 over the base64-DECODED salt (8.x). {PBKDF2_STRETCH} first replaces the
    password with the hex of its SHA-512. 1000 iterations by default, for speed."""
    salt = base64.b64encode(secrets.token_bytes(32)).decode()
    data = password.encode("utf-8")
    if stretch:
        data = hashlib.sha512(data).hexdigest().encode()
    dk = _pbkdf2(data, salt, iterations, 32)
    return "{%s}%d$%s$%s" % ("PBKDF2_STRETCH" if stretch else "PBKDF2", iterations, salt, base64.b64encode(dk).decode())


def bcrypt_hash(password, cost=10):
    if _bcrypt is None:
        raise ESError(500, "exception", "python3-bcrypt is not installed")
    return _bcrypt.hashpw(password.encode("utf-8"), _bcrypt.gensalt(cost, prefix=b"2a")).decode()


def _is_bcrypt(h):
    # Hasher.isBcryptPrefix: "$2" + a valid minor (a, b, y) + "$"
    return len(h) >= 4 and h[0] == "$" and h[1] == "2" and h[3] == "$" and h[2] in "aby"


def resolve_hash_algo(h):
    """Hasher.resolveFromHash: the algorithm name of a stored hash, 'noop' when no prefix matches.
    Raises ValueError(message) where Elasticsearch throws an IllegalArgumentException."""
    if _is_bcrypt(h):
        if len(h) - 54 < 4:
            raise ValueError("4 > %d" % (len(h) - 54))  # Arrays.copyOfRange(hash, 4, length - 54)
        cost = h[4:len(h) - 54]
        if not re.match(r"^[+-]?\d+$", cost):
            raise ValueError('For input string: "%s"' % cost)
        return "bcrypt" if int(cost) == 10 else "bcrypt%d" % int(cost)
    for prefix, name in (("{PBKDF2_STRETCH}", "pbkdf2_stretch"), ("{PBKDF2}", "pbkdf2")):
        if h.startswith(prefix):
            cost = h[len(prefix):].split("$", 1)
            if len(cost) < 2 or not re.match(r"^[+-]?\d+$", cost[0]):
                raise ValueError("The number of iterations could not be determined from the provided PBKDF2 hash.")
            return name if int(cost[0]) == 10000 else "%s_%d" % (name, int(cost[0]))
    if h.startswith("{SHA}"):
        return "sha1"
    if h.startswith("{MD5}"):
        return "md5"
    if h.startswith("{SSHA256}"):
        return "ssha256"
    return "noop"


def verify_hash(stored, password):
    """Hasher.verifyHash for the stored algorithms (bcrypt, PBKDF2, PBKDF2_STRETCH)."""
    if stored is None:
        return False
    try:
        if _is_bcrypt(stored):
            if _bcrypt is None:
                return False
            # jBCrypt reads $2y$ and $2b$ as $2a$
            return _bcrypt.checkpw(password.encode("utf-8"), ("$2a$" + stored[4:]).encode())
        stretch = stored.startswith("{PBKDF2_STRETCH}")
        if stretch or stored.startswith("{PBKDF2}"):
            rest = stored[len("{PBKDF2_STRETCH}" if stretch else "{PBKDF2}"):]
            cost, salt, h = rest.split("$", 2)
            bits = len(h) * 3 // 64 * 128  # key length deduced from the hash length
            if bits <= 0 or len(base64.b64decode(salt, validate=True)) < 8:
                return False
            data = password.encode("utf-8")
            if stretch:
                data = hashlib.sha512(data).hexdigest().encode()
            dk = _pbkdf2(data, salt, int(cost), bits // 8)
            return hmac.compare_digest(base64.b64encode(dk).decode(), h)
    except (ValueError, TypeError):
        return False
    return False


def check_hash_format(h, configured="bcrypt"):
    """PutUserRequestBuilder.passwordHash (8.7+): any bcrypt, pbkdf2 or pbkdf2_stretch hash is
    accepted whatever the configured algorithm; anything else is 400."""
    try:
        algo = resolve_hash_algo(h)
    except ValueError as e:
        raise bad_request(str(e))
    if algo != configured and algo not in STORED_HASH_ALGOS:
        if algo.startswith("pbkdf2") or algo.startswith("bcrypt"):
            raise bad_request("unknown hash function [%s]" % algo)  # Hasher.resolve: an unlisted cost
        raise bad_request(HASH_NOT_SUPPORTED)
