#!/usr/bin/env python3
"""Elasticsearch emulator for esreconcile tests (Python 3 standard library only).

Starts one or more emulated single-node clusters in one process, each with an
HTTPS REST listener and a TLS transport listener on free loopback ports, and
writes DIR/clusters.json once all are ready.  See README.md next to this file
for every option, the control API and the fidelity notes.

The behaviour follows /work/shared/es-facts.md; where that file is silent the
Elasticsearch source is cited in comments.
"""

import argparse
import base64
import collections
import concurrent.futures
import copy
import datetime
import fnmatch
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback
import uuid

# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------

LUCENE = {"8.15": "9.11.1", "8.14": "9.10.0", "8.13": "9.10.0", "8.16": "9.12.0",
          "8.17": "9.12.0", "8.18": "9.12.1", "8.19": "9.12.1", "9.0": "10.1.0", "9.1": "10.2.1"}
BUILD_HASH = "1a77947f34deddb41af25e6f0ddb8e830159c179"


def vtuple(v):
    out = []
    for p in v.split("-")[0].split("."):
        try:
            out.append(int(p))
        except ValueError:
            out.append(0)
    while len(out) < 3:
        out.append(0)
    return tuple(out[:3])


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class ESError(Exception):
    """An Elasticsearch-shaped error:
    {"error":{"root_cause":[{type,reason}],"type","reason",...},"status":N}"""

    def __init__(self, status, etype, reason, caused_by=None, extra=None, headers=None):
        Exception.__init__(self, reason)
        self.status = status
        self.etype = etype
        self.reason = reason
        self.caused_by = caused_by  # dict {"type","reason"} or None
        self.extra = extra or {}
        self.headers = headers or []

    def body(self):
        rc = {"type": self.etype, "reason": self.reason}
        rc.update(self.extra)
        err = dict(rc)
        if self.caused_by:
            err["caused_by"] = self.caused_by
        return {"error": {"root_cause": [rc], **err}, "status": self.status}


class RawResponse(Exception):
    """A response with a non-standard body (405, 404 {}), raised from handlers."""

    def __init__(self, status, body, headers=None):
        Exception.__init__(self, "raw")
        self.status = status
        self.rbody = body
        self.headers = headers or []


def bad_request(reason, etype="illegal_argument_exception", caused_by=None):
    return ESError(400, etype, reason, caused_by)


def validation_error(*msgs):
    text = "Validation Failed: " + "".join("%d: %s;" % (i + 1, m) for i, m in enumerate(msgs))
    return ESError(400, "action_request_validation_exception", text)


def parse_bool_param(value):
    # es-facts: present-and-empty means true; otherwise only true/false.
    if value == "" or value == "true":
        return True
    if value == "false":
        return False
    raise bad_request("Failed to parse value [%s] as only [true] or [false] are allowed." % value)


class NumText(float):
    """A JSON float that remembers its source text (settings store number text)."""

    def __new__(cls, text):
        f = float.__new__(cls, text)
        f.text = text
        return f


def json_error_position(body_text, pos):
    line = body_text.count("\n", 0, pos) + 1
    col = pos - (body_text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def parse_json_body(raw, keep_number_text=False):
    """Parse a request body; malformed JSON -> 400 x_content_parse_exception (the
    Jackson message is approximated by Python's json error text)."""
    if raw is None or len(raw) == 0 or raw.strip() == b"":
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ESError(400, "x_content_parse_exception", "[1:1] Invalid UTF-8 start byte",
                      caused_by={"type": "json_parse_exception", "reason": "Invalid UTF-8 start byte 0x%02x" % raw[e.start]})
    try:
        if keep_number_text:
            return json.loads(text, parse_float=NumText)
        return json.loads(text)
    except json.JSONDecodeError as e:
        line, col = e.lineno, e.colno
        msg = "[%d:%d] %s" % (line, col, e.msg)
        raise ESError(400, "x_content_parse_exception", msg,
                      caused_by={"type": "json_parse_exception", "reason": e.msg + " at line: %d, column: %d" % (line, col)})
    except (ValueError, RecursionError) as e:
        raise ESError(400, "x_content_parse_exception", "[1:1] " + str(e),
                      caused_by={"type": "json_parse_exception", "reason": str(e)})


def require_body(raw, keep_number_text=False):
    body = parse_json_body(raw, keep_number_text)
    if body is None:
        raise ESError(400, "parse_exception", "request body is required")
    return body


def object_expected(body, parser_name):
    if not isinstance(body, dict):
        tok = "START_ARRAY" if isinstance(body, list) else "VALUE_STRING" if isinstance(body, str) else \
            "VALUE_BOOLEAN" if isinstance(body, bool) else "VALUE_NULL" if body is None else "VALUE_NUMBER"
        raise ESError(400, "x_content_parse_exception",
                      "[1:1] [%s] Expected START_OBJECT but was: %s" % (parser_name, tok))


def token_name(v):
    if isinstance(v, dict):
        return "START_OBJECT"
    if isinstance(v, list):
        return "START_ARRAY"
    if isinstance(v, bool):
        return "VALUE_BOOLEAN"
    if isinstance(v, str):
        return "VALUE_STRING"
    if v is None:
        return "VALUE_NULL"
    return "VALUE_NUMBER"


# ---------------------------------------------------------------------------
# Cluster settings
# ---------------------------------------------------------------------------

REMOTE_SUFFIXES = ("mode", "seeds", "node_connections", "proxy_address", "proxy_socket_connections",
                   "server_name", "skip_unavailable", "transport.ping_schedule", "transport.compress",
                   "transport.compression_scheme", "credentials")
REMOTE_RE = re.compile(r"^cluster\.remote\.([A-Za-z0-9_-]+)\.(" +
                       "|".join(re.escape(s) for s in REMOTE_SUFFIXES) + r")$")

# A representative set of registered cluster-scope settings: key -> (kind, dynamic).
# kinds: bool, int, time, string
KNOWN_SETTINGS = {
    "action.destructive_requires_name": ("bool", True, "true"),
    "action.auto_create_index": ("string", True, "true"),
    "cluster.indices.close.enable": ("bool", True, "true"),
    "cluster.blocks.read_only": ("bool", True, "false"),
    "cluster.blocks.read_only_allow_delete": ("bool", True, "false"),
    "cluster.max_shards_per_node": ("int", True, "1000"),
    "cluster.max_shards_per_node.frozen": ("int", True, "3000"),
    "cluster.routing.allocation.enable": ("string", True, "all"),
    "cluster.routing.rebalance.enable": ("string", True, "all"),
    "cluster.routing.allocation.allow_rebalance": ("string", True, "indices_all_active"),
    "cluster.routing.allocation.cluster_concurrent_rebalance": ("int", True, "2"),
    "cluster.routing.allocation.node_concurrent_recoveries": ("int", True, "2"),
    "cluster.routing.allocation.node_initial_primaries_recoveries": ("int", True, "4"),
    "cluster.routing.allocation.total_shards_per_node": ("int", True, "-1"),
    "cluster.routing.allocation.awareness.attributes": ("string", True, ""),
    "cluster.routing.allocation.disk.threshold_enabled": ("bool", True, "true"),
    "cluster.routing.allocation.disk.watermark.low": ("string", True, "85%"),
    "cluster.routing.allocation.disk.watermark.high": ("string", True, "90%"),
    "cluster.routing.allocation.disk.watermark.flood_stage": ("string", True, "95%"),
    "cluster.info.update.interval": ("time", True, "30s"),
    "indices.recovery.max_bytes_per_sec": ("string", True, "40mb"),
    "indices.breaker.total.limit": ("string", True, "95%"),
    "search.default_search_timeout": ("time", True, "-1"),
    "search.allow_expensive_queries": ("bool", True, "true"),
    "search.max_buckets": ("int", True, "65536"),
    "xpack.monitoring.collection.enabled": ("bool", True, "false"),
    "ingest.geoip.downloader.enabled": ("bool", True, "true"),
    "persistent_tasks.allocation.enable": ("string", True, "all"),
    # static (node scope) settings
    "cluster.name": ("string", False, None),
    "node.name": ("string", False, None),
    "path.data": ("string", False, ""),
    "path.logs": ("string", False, ""),
    "network.host": ("string", False, "_local_"),
    "http.port": ("string", False, "9200-9300"),
    "transport.port": ("string", False, "9300-9400"),
    "discovery.seed_hosts": ("string", False, ""),
    "cluster.initial_master_nodes": ("string", False, ""),
    "node.roles": ("string", False, ""),
    "cluster.remote.initial_connect_timeout": ("time", False, "30s"),
    "cluster.remote.connections_per_cluster": ("int", False, "3"),
    "cluster.remote.node.attr": ("string", False, ""),
    "xpack.security.enabled": ("bool", False, "true"),
    "xpack.security.transport.ssl.enabled": ("bool", False, "true"),
    "xpack.security.http.ssl.enabled": ("bool", False, "true"),
}
DYNAMIC_PREFIXES = ("logger.", "cluster.metadata.", "cluster.routing.allocation.exclude.",
                    "cluster.routing.allocation.include.", "cluster.routing.allocation.require.")

TIME_RE = re.compile(r"^(-?\d+)(nanos|micros|ms|s|m|h|d)$")
INT_RE = re.compile(r"^[+-]?\d+$")


class Setting:
    __slots__ = ("key", "kind", "dynamic", "alias", "suffix")

    def __init__(self, key, kind, dynamic, alias=None, suffix=None):
        self.key = key
        self.kind = kind
        self.dynamic = dynamic
        self.alias = alias
        self.suffix = suffix


def get_setting(key):
    m = REMOTE_RE.match(key)
    if m:
        alias, suffix = m.group(1), m.group(2)
        return Setting(key, "remote", suffix != "credentials", alias, suffix)
    k = KNOWN_SETTINGS.get(key)
    if k:
        return Setting(key, k[0], k[1])
    for p in DYNAMIC_PREFIXES:
        if key.startswith(p) and len(key) > len(p):
            return Setting(key, "string", True)
    return None


def as_list(v):
    """Settings.getAsList: a list stays a list; a string is comma-split and trimmed."""
    if isinstance(v, list):
        return v
    if v is None:
        return []
    return [s.strip() for s in v.split(",") if s.strip() != ""]


def java_parse_int(s):
    if not INT_RE.match(s):
        raise ValueError(s)
    n = int(s)
    if n < -2 ** 31 or n >= 2 ** 31:
        raise ValueError(s)
    return n


def parse_port(host):
    # RemoteConnectionStrategy.parsePort / indexOfPortSeparator
    sep = host.rfind(":")
    if sep == -1 or sep == len(host):
        raise bad_request("remote hosts need to be configured as [host:port], found [%s] instead" % host)
    try:
        port = java_parse_int(host[sep + 1:])
    except ValueError:
        raise bad_request("failed to parse port")
    if port <= 0:
        raise bad_request("port number must be > 0 but was: [%d]" % port)
    return port


def parse_bool_setting(key, v):
    if v == "true":
        return True
    if v == "false":
        return False
    raise bad_request("Failed to parse value [%s] as only [true] or [false] are allowed." % v)


def parse_int_setting(key, v, minimum=None):
    # Setting.parseInt
    if isinstance(v, list):
        v = ",".join(v)
    try:
        n = java_parse_int(v)
    except ValueError:
        raise bad_request("Failed to parse value [%s] for setting [%s]" % (v, key))
    if minimum is not None and n < minimum:
        raise bad_request("Failed to parse value [%s] for setting [%s] must be >= %d" % (v, key, minimum))
    return n


def parse_time_setting(key, v):
    # TimeValue.parseTimeValue
    if isinstance(v, list):
        v = ",".join(v)
    s = v.strip().lower()
    if s in ("-1", "0"):
        return
    m = TIME_RE.match(s)
    if not m:
        if re.match(r"^-?\d+\.\d+(nanos|micros|ms|s|m|h|d)$", s):
            raise bad_request("failed to parse [%s], fractional time values are not supported" % v)
        raise bad_request("failed to parse setting [%s] with value [%s] as a time value: unit is missing or unrecognized" % (key, v))
    if int(m.group(1)) < 0 and int(m.group(1)) != -1:
        raise bad_request("failed to parse setting [%s] with value [%s] as a time value: negative durations are not supported" % (key, v))


def parse_enum(v, cls, allowed):
    # Enum.valueOf(clazz, value.toUpperCase(Locale.ROOT))
    if isinstance(v, list):
        v = ",".join(v)
    u = v.upper()
    if u not in allowed:
        raise bad_request("No enum constant %s.%s" % (cls, u))
    return u


def validate_value(setting, value):
    """validateWithoutDependencies: parse the value and run the value-only validator."""
    key = setting.key
    kind = setting.kind
    if kind == "remote":
        sfx = setting.suffix
        if sfx == "mode":
            parse_enum(value, "org.elasticsearch.transport.RemoteConnectionStrategy.ConnectionStrategy", ("SNIFF", "PROXY"))
        elif sfx == "seeds":
            for s in as_list(value):
                parse_port(s)
        elif sfx == "node_connections" or sfx == "proxy_socket_connections":
            parse_int_setting(key, value, 1)
        elif sfx == "proxy_address":
            if isinstance(value, list):
                value = ",".join(value)
            if value:
                parse_port(value)
        elif sfx == "skip_unavailable":
            parse_bool_setting(key, value if not isinstance(value, list) else ",".join(value))
        elif sfx == "transport.ping_schedule":
            parse_time_setting(key, value)
        elif sfx == "transport.compress":
            parse_enum(value, "org.elasticsearch.transport.Compression.Enabled", ("TRUE", "FALSE", "INDEXING_DATA"))
        elif sfx == "transport.compression_scheme":
            parse_enum(value, "org.elasticsearch.transport.Compression.Scheme", ("DEFLATE", "LZ4"))
    elif kind == "bool":
        parse_bool_setting(key, value if not isinstance(value, list) else ",".join(value))
    elif kind == "int":
        parse_int_setting(key, value)
    elif kind == "time":
        parse_time_setting(key, value)


def remote_mode(settings, alias):
    v = settings.get("cluster.remote.%s.mode" % alias)
    if v is None:
        return "SNIFF"
    if isinstance(v, list):
        v = ",".join(v)
    return v.upper()


def remote_enabled(settings, alias):
    # RemoteConnectionStrategy.isConnectionEnabled
    mode = remote_mode(settings, alias)
    if mode == "SNIFF":
        return len(as_list(settings.get("cluster.remote.%s.seeds" % alias))) > 0
    if mode == "PROXY":
        v = settings.get("cluster.remote.%s.proxy_address" % alias)
        if isinstance(v, list):
            v = ",".join(v)
        return bool(v)
    return False


SNIFF_ONLY = ("seeds", "node_connections")
PROXY_ONLY = ("proxy_address", "proxy_socket_connections", "server_name")
NEEDS_ENABLED = ("skip_unavailable", "transport.ping_schedule", "transport.compress", "transport.compression_scheme")


def validate_scope(settings):
    """AbstractScopedSettings.validate(settings, validateDependencies=true): every key in
    sorted order, value then dependencies, first failure wins."""
    for key in sorted(settings):
        if key.startswith("archived."):
            continue
        s = get_setting(key)
        if s is None:
            raise bad_request("unknown setting [%s] please check that any required plugins are installed, "
                              "or check the breaking changes documentation for removed settings" % key)
        validate_value(s, settings[key])
        if s.kind == "remote":
            sfx = s.suffix
            alias = s.alias
            mode_key = "cluster.remote.%s.mode" % alias
            if sfx in SNIFF_ONLY or sfx in PROXY_ONLY:
                # RemoteConnectionStrategy.StrategyValidator
                required = "SNIFF" if sfx in SNIFF_ONLY else "PROXY"
                configured = remote_mode(settings, alias)
                if configured != required:
                    raise bad_request('Setting "%s" cannot be used with the configured "%s" [required=%s, configured=%s]'
                                      % (key, mode_key, required, configured))
            elif sfx in NEEDS_ENABLED:
                # RemoteClusterService... RemoteConnectionEnabled validator
                if not remote_enabled(settings, alias):
                    raise bad_request("Cannot configure setting [%s] if remote cluster is not enabled." % key)


def settings_value(v, field, body_text):
    """Convert one JSON value into its stored form (strings, lists of strings)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, NumText):
        return v.text
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        out = []
        for e in v:
            if isinstance(e, (dict, list)) or e is None:
                # Settings.fromXContent: IllegalStateException, wrapped by the ObjectParser
                pos = body_text.find('"%s"' % field) if body_text else -1
                line, col = json_error_position(body_text, pos + 1) if pos >= 0 else (1, 1)
                raise ESError(400, "x_content_parse_exception",
                              "[%d:%d] [cluster_update_settings_request] failed to parse field [%s]" % (line, col, field),
                              caused_by={"type": "illegal_state_exception",
                                         "reason": "only value lists are allowed in serialized settings"})
            out.append(settings_value(e, field, body_text))
        return out
    return v


def flatten_settings(obj, field, body_text, prefix="", out=None):
    if out is None:
        out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            flatten_settings(v, field, body_text, key + ".", out)
            continue
        val = None if v is None else settings_value(v, field, body_text)
        if key in out:
            raise ESError(400, "x_content_parse_exception",
                          "[1:1] [cluster_update_settings_request] failed to parse field [%s]" % field,
                          caused_by={"type": "settings_exception",
                                     "reason": "duplicate settings key [%s] found, previous value [%s], current value [%s]"
                                               % (key, out[key], val)})
        out[key] = val
    return out


def nest_settings(flat):
    root = {}
    for k in sorted(flat):
        v = flat[k]
        parts = k.split(".")
        d = root
        for i, p in enumerate(parts[:-1]):
            nxt = d.get(p)
            if nxt is None:
                nxt = d[p] = {}
            elif not isinstance(nxt, dict):
                d[".".join(parts[i:])] = v
                break
            d = nxt
        else:
            last = parts[-1]
            if isinstance(d.get(last), dict):
                d[last + "."] = v
            else:
                d[last] = v
    return root


def glob_match(pattern, key):
    # Regex.simpleMatch: '*' wildcards only
    if "*" not in pattern:
        return pattern == key
    rx = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(rx, key) is not None


def is_valid_delete(key):
    # AbstractScopedSettings.isValidDelete(key, onlyDynamic=true)
    s = get_setting(key)
    if s is not None:
        return s.dynamic
    return key.startswith("archived.")


def update_scope(to_apply, target, scope):
    """AbstractScopedSettings.updateSettings(..., onlyDynamic=true): returns the new scope
    dict and the echoed updates. Deletes apply to the existing keys, then the puts are
    added (server/src/main/java/org/elasticsearch/common/settings/AbstractScopedSettings.java)."""
    to_remove = []
    puts = {}
    for key in sorted(to_apply):
        val = to_apply[key]
        is_delete = val is None
        s = get_setting(key)
        if is_delete and (is_valid_delete(key) or key.endswith("*")):
            to_remove.append(key)
        elif s is None:
            raise bad_request("%s setting [%s], not recognized" % (scope, key))
        elif not is_delete and s.dynamic:
            validate_value(s, val)
            puts[key] = val
        else:
            raise bad_request("%s setting [%s], not dynamically updateable" % (scope, key))
    new = dict(target)
    for pat in to_remove:
        for k in [k for k in new if glob_match(pat, k) and is_valid_delete(k)]:
            del new[k]
    new.update(puts)
    return new, puts


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
INDEX_PRIV_SET = set(INDEX_PRIVILEGES)

ACTION_MAIN = "cluster:monitor/main"
ACTION_SETTINGS_GET = "cluster:monitor/settings"
ACTION_SETTINGS_PUT = "cluster:admin/settings/update"
ACTION_REMOTE_INFO = "cluster:monitor/remote/info"
ACTION_NODES_INFO = "cluster:monitor/nodes/info"
ACTION_SSL_CERTS = "cluster:monitor/xpack/ssl/certificates/get"
SEC = "cluster:admin/xpack/security/"
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
}
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
    bulk_era = vtuple(version) >= (8, 15, 0)
    d = {"cluster": [], "indices": [], "applications": [], "run_as": [], "metadata": {},
         "transient_metadata": {"enabled": True}}
    for f, v in body.items():
        if f not in ROLE_FIELDS or (f == "description" and not bulk_era):
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
            # accepted and dropped (es-facts)
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


def validate_role(name, role):
    """PutRoleRequest.validate / RoleDescriptorRequestValidator: list of messages."""
    errs = []
    if name in RESERVED_ROLES:
        errs.append("Role [%s] is reserved and may not be used." % name)
    elif not valid_name(name):
        errs.append(NAME_MSG % "Role")
    for p in role.get("cluster", []):
        pl = p.lower()
        if pl not in CLUSTER_PRIV_SET and not (pl.startswith("cluster:") or pl.startswith("indices:admin/template/")
                                               or pl.startswith("indices:admin/index_template/")):
            errs.append("unknown cluster privilege [%s]. a privilege must be either one of the predefined cluster "
                        "privilege names [%s] or a pattern over one of the available cluster actions"
                        % (pl, ",".join(CLUSTER_PRIVILEGES)))
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
    for rc in role.get("remote_cluster", []):
        for p in rc["privileges"]:
            if p not in REMOTE_CLUSTER_PRIVILEGES:
                errs.append("Invalid remote_cluster permissions found. Please remove the following: [%s] Only [%s] "
                            "are allowed" % (p, ", ".join(REMOTE_CLUSTER_PRIVILEGES)))
    for k in role.get("metadata", {}):
        if k.startswith("_"):
            errs.append("role descriptor metadata keys may not start with [_]")
            break
    return errs


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
    "kibana_system": ["kibana_system"],
    "logstash_system": ["logstash_system"],
    "beats_system": ["beats_system"],
    "apm_system": ["apm_system"],
    "remote_monitoring_user": ["remote_monitoring_collector", "remote_monitoring_agent"],
}
PBKDF2_ITERATIONS = 1000
SUPPORTED_HASHES = "[bcrypt, bcrypt4, bcrypt5, bcrypt6, bcrypt7, bcrypt8, bcrypt9, bcrypt10, bcrypt11, bcrypt12, " \
                   "bcrypt13, bcrypt14, pbkdf2, pbkdf2_1000, pbkdf2_10000, pbkdf2_50000, pbkdf2_100000, " \
                   "pbkdf2_500000, pbkdf2_1000000, pbkdf2_stretch, pbkdf2_stretch_1000, pbkdf2_stretch_10000, " \
                   "pbkdf2_stretch_50000, pbkdf2_stretch_100000, pbkdf2_stretch_500000, pbkdf2_stretch_1000000]"


def hash_password(password, iterations=PBKDF2_ITERATIONS):
    """Elasticsearch's PBKDF2 format: {PBKDF2}<cost>$<salt>$<base64 hash>, HMAC-SHA512, 32-byte
    key; the salt is the base64 text and is used as its UTF-8 bytes (Hasher.java)."""
    salt = base64.b64encode(secrets.token_bytes(24)).decode()
    dk = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt.encode(), iterations, 32)
    return "{PBKDF2}%d$%s$%s" % (iterations, salt, base64.b64encode(dk).decode())


def verify_hash(stored, password):
    if stored is None:
        return False
    try:
        if stored.startswith("{PBKDF2}"):
            cost, salt, h = stored[len("{PBKDF2}"):].split("$", 2)
            want = base64.b64decode(h)
            dk = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt.encode(), int(cost), len(want))
            return hmac.compare_digest(dk, want)
    except (ValueError, TypeError):
        return False
    return False


def check_hash_format(h):
    if isinstance(h, str) and re.match(r"^\{PBKDF2\}\d+\$[^$]+\$[A-Za-z0-9+/=]+$", h):
        return
    raise bad_request("The provided password hash is not a hash or it could not be resolved to a supported hash "
                      "algorithm. The supported password hash algorithms are " + SUPPORTED_HASHES)


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
# Cluster
# ---------------------------------------------------------------------------

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

    # ---------------- authentication ----------------
    def challenge_error(self, reason):
        chal = ['Basic realm="security", charset="UTF-8"', "ApiKey"]
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
                    "metadata": {"_reserved": True}, "enabled": self.reserved_enabled[name]}
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

    def authorize(self, p, action):
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
        if not ok:
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
            out[a] = {"mode": mode, "seeds": as_list(g("seeds")), "proxy_address": g("proxy_address", ""),
                      "server_name": g("server_name", ""),
                      "node_connections": int(g("node_connections", "3")),
                      "proxy_socket_connections": int(g("proxy_socket_connections", "18")),
                      "skip_unavailable": g("skip_unavailable", self.skip_unavailable_default()) == "true"}
        return out


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

class Request:
    __slots__ = ("method", "target", "path", "query", "params", "headers", "raw_headers", "body", "version")


METHOD_ORDER = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"]
REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 413: "Payload Too Large",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
COMMON_PARAMS = {"pretty", "human", "error_trace", "filter_path", "format"}


def unquote(s):
    if "%" not in s and "+" not in s:
        return s
    from urllib.parse import unquote_plus
    return unquote_plus(s)


class Handled(Exception):
    pass


class ConnectionHandler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        sock = self.request
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(600)
            ssock = srv.ssl_ctx.wrap_socket(sock, server_side=True)
        except (OSError, ssl.SSLError, ValueError):
            try:
                sock.close()
            except OSError:
                pass
            return
        self.ssock = ssock
        rfile = ssock.makefile("rb", buffering=65536)
        try:
            while True:
                keep = self.one_request(rfile, ssock, srv)
                if not keep:
                    break
        except (OSError, ssl.SSLError, ValueError, Handled):
            pass
        finally:
            try:
                rfile.close()
            except Exception:
                pass
            try:
                ssock.close()
            except Exception:
                pass

    def send_simple_error(self, ssock, status, body):
        data = json.dumps(body).encode()
        head = ("HTTP/1.1 %d %s\r\nX-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n"
                "content-length: %d\r\nconnection: close\r\n\r\n" % (status, REASONS.get(status, "Error"), len(data)))
        ssock.sendall(head.encode() + data)

    def one_request(self, rfile, ssock, srv):
        line = rfile.readline(65537)
        while line in (b"\r\n", b"\n"):
            line = rfile.readline(65537)
        if not line:
            return False
        if len(line) > 65536:
            self.send_simple_error(ssock, 400, {"error": "request line too long", "status": 400})
            return False
        parts = line.decode("latin-1").strip().split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self.send_simple_error(ssock, 400, {"error": "malformed request line", "status": 400})
            return False
        req = Request()
        req.method, req.target, req.version = parts[0].upper(), parts[1], parts[2]
        headers = {}
        raw_headers = []
        total = 0
        while True:
            h = rfile.readline(65537)
            total += len(h)
            if not h:
                return False
            if h in (b"\r\n", b"\n"):
                break
            if total > 262144:
                self.send_simple_error(ssock, 400, {"error": "headers too large", "status": 400})
                return False
            k, sep, v = h.decode("latin-1").partition(":")
            if not sep:
                continue
            k = k.strip()
            v = v.strip()
            raw_headers.append((k, v))
            lk = k.lower()
            if lk in headers:
                headers[lk] = headers[lk] + "," + v
            else:
                headers[lk] = v
        req.headers = headers
        req.raw_headers = raw_headers
        if headers.get("expect", "").lower() == "100-continue" and req.version == "HTTP/1.1":
            # libcurl waits (1 s) for this before sending a large body
            ssock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        te = headers.get("transfer-encoding", "").lower()
        body = b""
        if "chunked" in te:
            chunks = []
            while True:
                size_line = rfile.readline(1024)
                if not size_line:
                    return False
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:
                        t = rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(rfile.read(size))
                rfile.readline(1024)
            body = b"".join(chunks)
        else:
            cl = headers.get("content-length")
            if cl:
                try:
                    n = int(cl)
                    if n < 0:
                        raise ValueError
                except ValueError:
                    self.send_simple_error(ssock, 400, {"error": "bad content-length", "status": 400})
                    return False
                if n > srv.emu.max_body:
                    self.send_simple_error(ssock, 413, {"error": {"root_cause": [{"type": "content_too_long_exception",
                                            "reason": "request body too large"}], "type": "content_too_long_exception",
                                            "reason": "request body too large"}, "status": 413})
                    return False
                body = rfile.read(n)
                if len(body) < n:
                    return False
        req.body = body
        path, _, query = req.target.partition("?")
        if "%" in path:
            from urllib.parse import unquote as unquote_path  # no '+' -> ' ' in paths
            path = unquote_path(path)
        req.path = path
        req.query = query
        params = {}
        if query:
            for kv in query.split("&"):
                if not kv:
                    continue
                k, _, v = kv.partition("=")
                params[unquote(k)] = unquote(v)
        req.params = params
        conn_hdr = headers.get("connection", "").lower()
        keep = (req.version == "HTTP/1.1" and "close" not in conn_hdr) or \
               (req.version == "HTTP/1.0" and "keep-alive" in conn_hdr)
        cluster = srv.cluster
        emu = srv.emu
        if emu.control and req.path.startswith("/_emulator/"):
            status, hdrs, data = emu.control_api(cluster, req)
            self.send(ssock, req, status, hdrs, data, keep)
            return keep
        if emu.control:
            cluster.requests.append(req)
        if emu.trace_path:
            emu.trace(cluster, req)
        fault = emu.match_fault(cluster, req) if cluster.faults else None
        if fault is not None:
            act = fault.get("action", "status")
            if act == "delay":
                time.sleep(float(fault.get("ms", 1000)) / 1000.0)
            elif act == "reset_before":
                self.reset(ssock)
                raise Handled()
            elif act == "hang":
                cluster.fault_release.wait(min(float(fault.get("seconds", 60)), 600))
                self.reset(ssock)
                raise Handled()
            elif act == "oversized":
                size = int(fault.get("size", 64 * 1024 * 1024))
                self.send_oversized(ssock, size)
                return keep
            elif act == "malformed":
                data = fault.get("raw", '{"acknowledged": tru').encode()
                self.send(ssock, req, int(fault.get("status", 200)), [], data, keep)
                return keep
            elif act in ("status", "retry_after"):
                status = int(fault.get("status", 429 if act == "retry_after" else 500))
                hdrs = []
                if act == "retry_after":
                    hdrs.append(("Retry-After", str(fault.get("seconds", 1))))
                body = fault.get("body")
                if body is None:
                    if status == 429:
                        body = ESError(429, "es_rejected_execution_exception", "rejected execution (emulated fault)").body()
                    else:
                        body = ESError(status, "emulated_fault_exception", "fault injected by the emulator").body()
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                for hk, hv in (fault.get("headers") or {}).items():
                    hdrs.append((hk, str(hv)))
                self.send(ssock, req, status, hdrs, data, keep)
                return keep
        status, hdrs, data = emu.dispatch(cluster, req)
        if emu.latency:
            time.sleep(emu.latency)
        if fault is not None and fault.get("action") == "reset_after":
            self.send_partial(ssock, status, hdrs, data)
            raise Handled()
        self.send(ssock, req, status, hdrs, data, keep)
        return keep

    def reset(self, ssock):
        try:
            ssock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            ssock.close()
        except OSError:
            pass

    def head(self, status, hdrs, length, keep=True):
        h = ["HTTP/1.1 %d %s\r\nX-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n"
             "content-length: %d\r\n" % (status, REASONS.get(status, "Unknown"), length)]
        for k, v in hdrs:
            h.append("%s: %s\r\n" % (k, v))
        if not keep:
            h.append("connection: close\r\n")
        h.append("\r\n")
        return "".join(h).encode("latin-1", "replace")

    def send(self, ssock, req, status, hdrs, data, keep):
        if req.method == "HEAD":
            ssock.sendall(self.head(status, hdrs, len(data), keep))
        else:
            ssock.sendall(self.head(status, hdrs, len(data), keep) + data)

    def send_partial(self, ssock, status, hdrs, data):
        if len(data) < 2:
            data = data + b" " * 64
        ssock.sendall(self.head(status, hdrs, len(data)) + data[:len(data) // 2])
        self.reset(ssock)

    def send_oversized(self, ssock, size):
        prefix = b'{"emulator_oversized":"'
        suffix = b'"}'
        n = max(size - len(prefix) - len(suffix), 0)
        ssock.sendall(self.head(200, [], len(prefix) + n + len(suffix)) + prefix)
        chunk = b"x" * 65536
        while n > 0:
            k = min(n, len(chunk))
            ssock.sendall(chunk[:k])
            n -= k
        ssock.sendall(suffix)


class TLSServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    block_on_close = False

    def __init__(self, addr, handler, ssl_ctx, cluster, emu):
        self.ssl_ctx = ssl_ctx
        self.cluster = cluster
        self.emu = emu
        socketserver.TCPServer.__init__(self, addr, handler)

    def handle_error(self, request, client_address):
        pass


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


# ---------------------------------------------------------------------------
# The emulator: routing and handlers
# ---------------------------------------------------------------------------

def ok(body, status=200, headers=None):
    return status, headers or [], body


ROUTES = []  # (regex, {method: handler_name}, allowed params)


def route(pattern, methods, params=()):
    def deco(fn):
        ROUTES.append((re.compile("^" + pattern + "$"), methods, set(params) | COMMON_PARAMS, fn))
        return fn
    return deco


class Emulator:
    def __init__(self, args):
        self.args = args
        self.control = args.control
        self.latency = args.latency_ms / 1000.0 if args.latency_ms else 0
        self.version = args.version
        self.log_limit = args.request_log_limit
        self.max_body = 100 * 1024 * 1024
        self.clusters = {}
        self.handshake_cache = {}
        self.hs_lock = threading.Lock()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
        self.emulated_addresses = set()
        # ESEMU_REQUEST_TRACE=FILE appends every non-control request as a JSON
        # line, tagged with ESEMU_TRACE_TAG, so that two builds' requests can be compared.
        self.trace_path = os.environ.get("ESEMU_REQUEST_TRACE")
        self.trace_tag = os.environ.get("ESEMU_TRACE_TAG", "")
        self.trace_lock = threading.Lock()

    def trace(self, cluster, req):
        entry = log_entry(req)
        line = json.dumps({"tag": self.trace_tag, "cluster": cluster.name, "method": entry["method"],
                           "path": entry["path"], "query": entry["query"], "body": entry["body"]},
                          sort_keys=True)
        with self.trace_lock:
            with open(self.trace_path, "a") as f:
                f.write(line + "\n")

    # ---------------- dispatch ----------------
    def dispatch(self, cluster, req):
        try:
            status, hdrs, body = self._dispatch(cluster, req)
        except ESError as e:
            status, hdrs, body = e.status, list(e.headers), e.body()
        except RawResponse as r:
            status, hdrs, body = r.status, list(r.headers), r.rbody
        except Exception as e:  # never a traceback on the wire
            if self.args.debug:
                traceback.print_exc()
            err = ESError(500, "exception", "emulator internal error: %s: %s" % (type(e).__name__, e))
            status, hdrs, body = 500, [], err.body()
        if isinstance(body, (bytes, bytearray)):
            return status, hdrs, body
        if "pretty" in req.params:
            data = json.dumps(body, indent=2).encode()
        else:
            data = json.dumps(body, separators=(",", ":")).encode()
        return status, hdrs, data

    def _dispatch(self, cluster, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        for rx, methods, params, fn in ROUTES:
            m = rx.match(path)
            if not m:
                continue
            method = req.method
            if method == "HEAD" and "GET" in methods and "HEAD" not in methods:
                method = "GET"
            allowed = [x for x in METHOD_ORDER if x in methods]
            if method == "OPTIONS":
                return 200, [("Allow", ",".join(allowed))], b""
            if method not in methods:
                raise RawResponse(405, {"error": "Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]"
                                        % (req.target, req.method, ", ".join(allowed)), "status": 405},
                                  [("Allow", ",".join(allowed))])
            # RestController.dispatchRequest: content type checked before the security filter
            ct = req.headers.get("content-type")
            if req.body and ct is None:
                raise RawResponse(406, {"error": "Content-Type header is missing", "status": 406})
            if req.body and ct is not None:
                base = ct.split(";")[0].strip().lower()
                if base not in ("application/json", "application/vnd.elasticsearch+json", "application/x-ndjson",
                                "application/vnd.elasticsearch+x-ndjson", "application/smile", "application/yaml",
                                "application/cbor"):
                    raise RawResponse(406, {"error": "Content-Type header [%s] is not supported" % ct, "status": 406})
            principal = cluster.authenticate(req)  # the security filter runs before the handler
            for k in req.params:
                if k not in params:
                    raise bad_request("request [%s] contains unrecognized parameter: [%s]" % (path, k))
            return methods[method](self, cluster, req, principal, *m.groups())
        raise RawResponse(400, {"error": "no handler found for uri [%s] and method [%s]" % (req.target, req.method),
                                "status": 400})

    # ---------------- fault injection ----------------
    def match_fault(self, cluster, req):
        with cluster.lock:
            for rule in cluster.faults:
                if rule["count"] == 0:
                    continue
                m = rule.get("method", "*")
                if m not in ("*", "", None) and m.upper() != req.method:
                    continue
                if "path_regex" in rule:
                    if not re.search(rule["path_regex"], req.path):
                        continue
                elif not fnmatch.fnmatchcase(req.path, rule.get("path", "*")):
                    continue
                if rule["count"] > 0:
                    rule["count"] -= 1
                rule["fired"] = rule.get("fired", 0) + 1
                return rule
        return None

    # ---------------- control API ----------------
    def control_api(self, cluster, req):
        try:
            status, body = self._control(cluster, req)
        except ESError as e:
            status, body = e.status, e.body()
        except Exception as e:
            status, body = 500, ESError(500, "exception", "emulator control error: %s" % e).body()
        return status, [], json.dumps(body).encode()

    def _control(self, cluster, req):
        p = req.path.rstrip("/")
        m = req.method
        if p == "/_emulator/requests":
            if m == "GET":
                with cluster.lock:
                    items = list(cluster.requests)
                return 200, [log_entry(r) for r in items]
            if m == "DELETE":
                with cluster.lock:
                    n = len(cluster.requests)
                    cluster.requests.clear()
                return 200, {"cleared": n}
        elif p == "/_emulator/faults":
            if m == "GET":
                with cluster.lock:
                    return 200, {"faults": copy.deepcopy(cluster.faults)}
            if m == "POST":
                body = require_body(req.body)
                rules = body.get("faults", body.get("rules")) if isinstance(body, dict) and \
                    ("faults" in body or "rules" in body) else body
                if isinstance(rules, dict):
                    rules = [rules]
                if not isinstance(rules, list):
                    raise bad_request("faults must be a rule object or an array of rules")
                clean = []
                for r in rules:
                    if not isinstance(r, dict):
                        raise bad_request("a fault rule must be an object")
                    r = dict(r)
                    act = r.get("action", "status")
                    if act not in ("status", "retry_after", "delay", "reset_before", "reset_after", "hang",
                                   "malformed", "oversized"):
                        raise bad_request("unknown fault action [%s]" % act)
                    r["action"] = act
                    c = r.get("count", 1)
                    r["count"] = -1 if c is None else int(c)
                    if "path_regex" in r:
                        re.compile(r["path_regex"])
                    clean.append(r)
                with cluster.lock:
                    if cluster.fault_release.is_set():
                        cluster.fault_release = threading.Event()
                    cluster.faults.extend(clean)
                    return 200, {"acknowledged": True, "faults": len(cluster.faults)}
            if m == "DELETE":
                with cluster.lock:
                    cluster.faults = []
                    cluster.fault_release.set()
                return 200, {"acknowledged": True}
        elif p == "/_emulator/seed" and m in ("POST", "PUT"):
            body = parse_json_body(req.body) or {}
            return 200, self.seed(cluster, body)
        elif p == "/_emulator/hash" and m == "POST":
            body = require_body(req.body)
            return 200, {"hash": hash_password(body["password"], int(body.get("iterations", PBKDF2_ITERATIONS)))}
        elif p == "/_emulator/info" and m == "GET":
            return 200, {"name": cluster.name, "version": cluster.version, "http_port": cluster.http_port,
                         "transport_port": cluster.transport_port, "roles": len(cluster.roles),
                         "users": len(cluster.users), "requests_logged": len(cluster.requests)}
        elif p == "/_emulator/state" and m == "DELETE":
            with cluster.lock:
                cluster.persistent = {}
                cluster.transient = {}
                cluster.roles = {}
                cluster.users = {}
                cluster.api_keys = {}
                cluster.auth_cache = {}
            return 200, {"acknowledged": True}
        raise ESError(404, "resource_not_found_exception", "unknown emulator control endpoint [%s %s]" % (m, p))

    def seed(self, cluster, body):
        prefix = body.get("prefix", "bench")
        nroles = int(body.get("roles", 0))
        nusers = int(body.get("users", 0))
        nrem = int(body.get("remotes", 0))
        password = body.get("password", "bench-password")
        h = hash_password(password)  # one hash shared by every seeded user: seeding stays fast
        with cluster.lock:
            for i in range(nroles):
                name = "%s-role-%d" % (prefix, i)
                cluster.roles[name] = parse_role(name, {
                    "cluster": ["monitor"],
                    "indices": [{"names": ["%s-index-%d-*" % (prefix, i)], "privileges": ["read", "view_index_metadata"]}],
                    "metadata": {"seeded": True}}, cluster.version)
            for i in range(nusers):
                name = "%s-user-%d" % (prefix, i)
                cluster.users[name] = {"username": name, "roles": ["%s-role-%d" % (prefix, i % max(nroles, 1))]
                                       if nroles else [], "full_name": "Bench user %d" % i, "email": None,
                                       "metadata": {"seeded": True}, "enabled": True, "hash": h}
            seeds_from = body.get("remote_address") or "127.0.0.1:%d" % cluster.transport_port
            for i in range(nrem):
                a = "%s_remote_%d" % (prefix, i)
                cluster.persistent["cluster.remote.%s.mode" % a] = "sniff"
                cluster.persistent["cluster.remote.%s.seeds" % a] = [seeds_from]
                cluster.persistent["cluster.remote.%s.skip_unavailable" % a] = "true"
        return {"roles": nroles, "users": nusers, "remotes": nrem, "prefix": prefix, "password": password}

    # ---------------- remote connections ----------------
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


def log_entry(r):
    body = None
    if r.body:
        try:
            body = json.loads(r.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            body = r.body.decode("utf-8", "replace")
    hdrs = {}
    for k, v in r.raw_headers:
        if k.lower() in ("authorization", "proxy-authorization"):
            continue
        hdrs[k] = v
    return {"method": r.method, "path": r.path, "query": r.query, "params": dict(r.params), "headers": hdrs,
            "body": body}


# ------------------------------- handlers ----------------------------------

def h_root(emu, c, req, p):
    c.authorize(p, ACTION_MAIN)
    minor = ".".join(c.version.split(".")[:2])
    return ok({"name": c.node_name, "cluster_name": c.name, "cluster_uuid": c.uuid,
               "version": {"number": c.version, "build_flavor": "default", "build_type": "tar",
                           "build_hash": BUILD_HASH, "build_date": "2024-08-05T10:05:34.233336849Z",
                           "build_snapshot": False, "lucene_version": LUCENE.get(minor, "9.11.1"),
                           "minimum_wire_compatibility_version": "7.17.0" if c.vt[0] == 8 else "8.18.0",
                           "minimum_index_compatibility_version": "7.0.0" if c.vt[0] == 8 else "8.0.0"},
               "tagline": "You Know, for Search"})


route(r"/", {"GET": h_root, "HEAD": h_root})(h_root)


def render_settings(flat, flat_mode):
    return dict(sorted(flat.items())) if flat_mode else nest_settings(flat)


def h_settings_get(emu, c, req, p):
    c.authorize(p, ACTION_SETTINGS_GET)
    flat_mode = parse_bool_param(req.params["flat_settings"]) if "flat_settings" in req.params else False
    inc = parse_bool_param(req.params["include_defaults"]) if "include_defaults" in req.params else False
    with c.lock:
        out = {"persistent": render_settings(c.persistent, flat_mode),
               "transient": render_settings(c.transient, flat_mode)}
        if inc:
            out["defaults"] = render_settings(c.default_settings(), flat_mode)
    return ok(out)


def h_settings_put(emu, c, req, p):
    flat_mode = parse_bool_param(req.params["flat_settings"]) if "flat_settings" in req.params else False
    c.authorize(p, ACTION_SETTINGS_PUT)
    body = require_body(req.body, keep_number_text=True)
    object_expected(body, "cluster_update_settings_request")
    text = req.body.decode("utf-8", "replace")
    scopes = {}
    for field in ("persistent", "transient"):
        if field in body:
            v = body[field]
            if not isinstance(v, dict):
                pos = text.find('"%s"' % field)
                line, col = json_error_position(text, pos + len(field) + 4) if pos >= 0 else (1, 1)
                raise ESError(400, "x_content_parse_exception",
                              "[%d:%d] [cluster_update_settings_request] %s doesn't support values of type: %s"
                              % (line, col, field, token_name(v)))
            scopes[field] = flatten_settings(v, field, text)
        else:
            scopes[field] = {}
    if not scopes["persistent"] and not scopes["transient"]:
        raise validation_error("no settings to update")
    headers = []
    if scopes["transient"]:
        # RestClusterUpdateSettingsAction: deprecation warning for transient settings
        headers.append(("Warning", '299 Elasticsearch-%s-%s "[transient settings removal] Updating cluster settings '
                        'through transientSettings is deprecated. Use persistent settings instead."'
                        % (c.version, BUILD_HASH)))
    with c.lock:
        # SettingsUpdater.updateSettings: transient first, then persistent; then each scope validated
        new_t, upd_t = update_scope(scopes["transient"], c.transient, "transient")
        new_p, upd_p = update_scope(scopes["persistent"], c.persistent, "persistent")
        validate_scope(new_t)
        validate_scope(new_p)
        c.transient = new_t
        c.persistent = new_p
    return ok({"acknowledged": True, "persistent": render_settings(upd_p, flat_mode),
               "transient": render_settings(upd_t, flat_mode)}, headers=headers)


route(r"/_cluster/settings", {"GET": h_settings_get, "PUT": h_settings_put},
      ("flat_settings", "include_defaults", "master_timeout", "timeout", "local"))(None)


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


route(r"/_remote/info", {"GET": h_remote_info})(h_remote_info)


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


route(r"/_nodes(?:/([^/]+))?(?:/([^/]+))?", {"GET": h_nodes}, ("flat_settings", "timeout"))(h_nodes)


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


route(r"/_ssl/certificates", {"GET": h_ssl})(h_ssl)


def h_authenticate(emu, c, req, p):
    u = p.user or {}
    realm = {"name": p.realm[0], "type": p.realm[1]}
    out = {"username": p.username, "roles": list(p.roles), "full_name": u.get("full_name"),
           "email": u.get("email"), "metadata": u.get("metadata") or {}, "enabled": u.get("enabled", True),
           "authentication_realm": realm, "lookup_realm": dict(realm), "authentication_type": "realm"}
    if p.api_key is not None:
        out["authentication_realm"] = {"name": "_es_api_key", "type": "_es_api_key"}
        out["lookup_realm"] = {"name": "_es_api_key", "type": "_es_api_key"}
        out["authentication_type"] = "api_key"
        out["api_key"] = {"id": p.api_key["id"], "name": p.api_key["name"]}
        out["roles"] = []
    return ok(out)


route(r"/_security/_authenticate", {"GET": h_authenticate})(h_authenticate)


# ---------------- roles ----------------

def render_role(d):
    return copy.deepcopy(d)


def h_role_get(emu, c, req, p, names=None):
    c.authorize(p, SEC + "role/get")
    with c.lock:
        if names is None:
            out = {k: render_role(v) for k, v in RESERVED_ROLES.items()}
            for k in sorted(c.roles):
                out[k] = render_role(c.roles[k])
            return ok(out)
        out = {}
        for n in names.split(","):
            d = RESERVED_ROLES.get(n) or c.roles.get(n)
            if d is not None:
                out[n] = render_role(d)
        if not out:
            raise RawResponse(404, {})
        return ok(out)


def h_role_put(emu, c, req, p, name):
    c.authorize(p, SEC + "role/put")
    body = require_body(req.body)
    role = parse_role(name, body, c.version)
    errs = validate_role(name, role)
    if errs:
        raise validation_error(*errs)
    with c.lock:
        created = name not in c.roles
        c.roles[name] = role
    return ok({"role": {"created": created}})


def h_role_delete(emu, c, req, p, name):
    c.authorize(p, SEC + "role/delete")
    if name in RESERVED_ROLES:
        raise bad_request("role [%s] is reserved and cannot be deleted" % name)
    with c.lock:
        if c.roles.pop(name, None) is None:
            raise RawResponse(404, {"found": False})
    return ok({"found": True})


def h_roles_bulk_put(emu, c, req, p):
    c.authorize(p, SEC + "role/bulk_put")
    body = require_body(req.body)
    object_expected(body, "bulk_put_role_request_payload")
    for k in body:
        if k != "roles":
            raise ESError(400, "x_content_parse_exception",
                          "[1:2] [bulk_put_role_request_payload] unknown field [%s]" % k)
    roles = body.get("roles")
    if not isinstance(roles, dict):
        raise ESError(400, "x_content_parse_exception", "[1:2] [bulk_put_role_request_payload] failed to parse field [roles]")
    parsed = [(n, parse_role(n, b, c.version)) for n, b in roles.items()]  # parse errors fail the whole request
    created, updated, noop, errors = [], [], [], {}
    with c.lock:
        for n, role in parsed:
            errs = validate_role(n, role)
            if errs:
                e = validation_error(*errs)
                errors[n] = {"type": e.etype, "reason": e.reason}
                continue
            old = c.roles.get(n)
            if old is None:
                c.roles[n] = role
                created.append(n)
                continue
            merged = deep_merge(old, role)
            if merged == old:
                noop.append(n)
            else:
                c.roles[n] = merged
                updated.append(n)
    out = {}
    if created:
        out["created"] = created
    if updated:
        out["updated"] = updated
    if noop:
        out["noop"] = noop
    if errors:
        out["errors"] = {"count": len(errors), "details": errors}
    return ok(out)


def h_roles_bulk_delete(emu, c, req, p):
    c.authorize(p, SEC + "role/bulk_delete")
    body = require_body(req.body)
    object_expected(body, "bulk_delete_roles_request_payload")
    names = body.get("names")
    if not isinstance(names, list) or any(not isinstance(n, str) for n in names):
        raise ESError(400, "x_content_parse_exception",
                      "[1:2] [bulk_delete_roles_request_payload] failed to parse field [names]")
    deleted, not_found, errors = [], [], {}
    with c.lock:
        for n in names:
            if n in RESERVED_ROLES:
                errors[n] = {"type": "illegal_argument_exception",
                             "reason": "role [%s] is reserved and cannot be deleted" % n}
            elif c.roles.pop(n, None) is not None:
                deleted.append(n)
            else:
                not_found.append(n)
    out = {}
    if deleted:
        out["deleted"] = deleted
    if not_found:
        out["not_found"] = not_found
    if errors:
        out["errors"] = {"count": len(errors), "details": errors}
    return ok(out)


def h_roles_root(emu, c, req, p):
    if req.method in ("GET", "HEAD"):
        return h_role_get(emu, c, req, p)
    if c.vt < (8, 15, 0):
        raise RawResponse(405, {"error": "Incorrect HTTP method for uri [%s] and method [%s], allowed: [GET]"
                                % (req.target, req.method), "status": 405}, [("Allow", "GET")])
    if req.method == "POST":
        return h_roles_bulk_put(emu, c, req, p)
    return h_roles_bulk_delete(emu, c, req, p)


route(r"/_security/role", {"GET": h_roles_root, "POST": h_roles_root, "DELETE": h_roles_root},
      ("refresh",))(h_roles_root)
route(r"/_security/role/([^/]+)", {"GET": h_role_get, "PUT": h_role_put, "POST": h_role_put,
                                   "DELETE": h_role_delete}, ("refresh",))(h_role_get)


# ---------------- users ----------------

def render_user(c, name):
    if name in RESERVED_USERS:
        return c._lookup_user(name)
    u = c.users.get(name)
    if u is None:
        return None
    return {"username": u["username"], "roles": list(u["roles"]), "full_name": u["full_name"],
            "email": u["email"], "metadata": copy.deepcopy(u["metadata"]) if u["metadata"] else {},
            "enabled": u["enabled"]}


def h_user_get(emu, c, req, p, names=None):
    c.authorize(p, SEC + "user/get")
    with c.lock:
        if names is None:
            out = {}
            for n in RESERVED_USERS:
                out[n] = render_user(c, n)
            for n in sorted(c.users):
                out[n] = render_user(c, n)
            return ok(out)
        out = {}
        for n in names.split(","):
            u = render_user(c, n)
            if u is not None:
                out[n] = u
        if not out:
            raise RawResponse(404, {})
        return ok(out)


def _check_password(pw):
    if not isinstance(pw, str):
        raise ESError(400, "parse_exception", "expected field [password] to be of type string, but found [%s] instead"
                      % token_name(pw))
    if len(pw) < 6:
        return "passwords must be at least [6] characters long"
    return None


def h_user_put(emu, c, req, p, name):
    c.authorize(p, SEC + "user/put")
    body = require_body(req.body)
    if not isinstance(body, dict):
        raise ESError(400, "parse_exception", "failed to parse add user request. expected an object")
    errs = []
    fields = {}
    for k, v in body.items():
        if k in ("password", "password_hash"):
            if "password_hash" in fields or "password" in fields:
                errs.append("password_hash has already been set" if k == "password_hash" or "password_hash" in fields
                            else "password has already been set")
                continue
            if v is None:
                continue
            if k == "password":
                e = _check_password(v)
                if e:
                    errs.append(e)
            else:
                if not isinstance(v, str):
                    raise ESError(400, "parse_exception", "failed to parse add user request. expected field "
                                  "[password_hash] to be a string")
                check_hash_format(v)
            fields[k] = v
        elif k == "roles":
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or any(not isinstance(x, str) for x in v):
                raise ESError(400, "parse_exception", "failed to parse add user request. expected field [roles] "
                              "to be an array of strings")
            fields[k] = v
        elif k in ("full_name", "email"):
            if v is not None and not isinstance(v, str):
                raise ESError(400, "parse_exception", "expected field [%s] to be of type string, but found [%s] "
                              "instead" % (k, token_name(v)))
            fields[k] = v
        elif k == "metadata":
            if v is not None and not isinstance(v, dict):
                raise ESError(400, "parse_exception", "expected field [metadata] to be of type object, but found "
                              "[%s] instead" % token_name(v))
            fields[k] = v
        elif k == "enabled":
            if not isinstance(v, bool):
                raise ESError(400, "parse_exception", "expected field [enabled] to be of type boolean, but found "
                              "[%s] instead" % token_name(v))
            fields[k] = v
        elif k == "username":
            if v != name:
                raise ESError(400, "parse_exception", "failed to parse add user request. username in request "
                              "body [%s] does not match the username [%s] in the URL" % (v, name))
        else:
            raise ESError(400, "parse_exception",
                          "failed to parse add user request. unexpected field [%s]" % k)
    if name in RESERVED_USERS:
        errs.insert(0, "user [%s] is reserved and only the password can be changed" % name)
    elif not valid_name(name):
        errs.insert(0, NAME_MSG % "User")
    if "roles" not in fields:
        errs.append("roles are missing")
    md = fields.get("metadata")
    if md and any(k.startswith("_") for k in md):
        errs.append("metadata keys may not start with [_]")
    with c.lock:
        existing = c.users.get(name)
        if not errs and existing is None and "password" not in fields and "password_hash" not in fields:
            errs.append("password must be specified unless you are updating an existing user")
        if errs:
            raise validation_error(*errs)
        if "password" in fields:
            h = hash_password(fields["password"])
        elif "password_hash" in fields:
            h = fields["password_hash"]
        else:
            h = existing["hash"]
        c.users[name] = {"username": name, "roles": list(fields["roles"]), "full_name": fields.get("full_name"),
                         "email": fields.get("email"), "metadata": fields.get("metadata") or {},
                         "enabled": fields.get("enabled", True), "hash": h}
    return ok({"created": existing is None})


def h_user_delete(emu, c, req, p, name):
    c.authorize(p, SEC + "user/delete")
    if name in RESERVED_USERS:
        raise bad_request("user [%s] is reserved and cannot be deleted" % name)
    with c.lock:
        if c.users.pop(name, None) is None:
            raise RawResponse(404, {"found": False})
    return ok({"found": True})


def h_user_password(emu, c, req, p, name=None):
    if name is None:
        name = p.username
    if name != p.username or p.api_key is not None:
        c.authorize(p, SEC + "user/change_password")
    body = require_body(req.body)
    if not isinstance(body, dict):
        raise ESError(400, "parse_exception", "failed to parse change password request. expected an object")
    h = None
    for k, v in body.items():
        if k == "password":
            e = _check_password(v)
            if e:
                raise validation_error(e)
            h = hash_password(v)
        elif k == "password_hash":
            check_hash_format(v)
            h = v
        else:
            raise ESError(400, "parse_exception",
                          "failed to parse change password request. unexpected field [%s]" % k)
    if h is None:
        raise validation_error("password must be specified")
    with c.lock:
        if name in RESERVED_USERS:
            c.reserved_hash[name] = h
        elif name in c.users:
            c.users[name]["hash"] = h
        else:
            raise ESError(400, "validation_exception", "Validation Failed: 1: user must exist in order to change password;")
    return ok({})


def h_user_enable(emu, c, req, p, name, action):
    c.authorize(p, SEC + "user/set_enabled")
    enabled = action == "_enable"
    if name == p.username and p.api_key is None:
        raise validation_error("users may not update the enabled status of their own account")
    with c.lock:
        if name in RESERVED_USERS:
            c.reserved_enabled[name] = enabled
        elif name in c.users:
            c.users[name]["enabled"] = enabled
        else:
            raise ESError(404, "resource_not_found_exception", "user [%s] not found" % name)
    return ok({})


route(r"/_security/user", {"GET": h_user_get}, ("with_profile_uid",))(h_user_get)
route(r"/_security/user/_password", {"PUT": h_user_password, "POST": h_user_password}, ("refresh",))(h_user_password)
route(r"/_security/user/([^/]+)/_password", {"PUT": h_user_password, "POST": h_user_password},
      ("refresh",))(h_user_password)
route(r"/_security/user/([^/]+)/(_enable|_disable)", {"PUT": h_user_enable, "POST": h_user_enable},
      ("refresh",))(h_user_enable)
route(r"/_security/user/([^/]+)", {"GET": h_user_get, "PUT": h_user_put, "POST": h_user_put,
                                   "DELETE": h_user_delete}, ("refresh", "with_profile_uid"))(h_user_get)


# ---------------- API keys ----------------

def h_api_key_create(emu, c, req, p):
    c.authorize(p, SEC + "api_key/create")
    body = require_body(req.body)
    object_expected(body, "create_api_key_request")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise validation_error("api key name is required")
    rds = body.get("role_descriptors") or {}
    parsed = {}
    for rn, rb in rds.items():
        parsed[rn] = parse_role(rn, rb, c.version)
    exp = None
    if body.get("expiration"):
        m = TIME_RE.match(str(body["expiration"]))
        if not m:
            raise bad_request("failed to parse setting [expiration] with value [%s] as a time value" % body["expiration"])
        mult = {"nanos": 1e-6, "micros": 1e-3, "ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}[m.group(2)]
        exp = time.time() * 1000 + int(m.group(1)) * mult
    kid = secrets.token_urlsafe(15)[:20]
    secret = secrets.token_urlsafe(16)[:22]
    with c.lock:
        c.api_keys[kid] = {"id": kid, "name": name, "hash": hash_password(secret, 1), "username": p.username,
                           "realm": p.realm, "role_descriptors": parsed, "invalidated": False,
                           "expiration": exp, "metadata": body.get("metadata") or {}}
    out = {"id": kid, "name": name, "api_key": secret,
           "encoded": base64.b64encode(("%s:%s" % (kid, secret)).encode()).decode()}
    if exp:
        out["expiration"] = int(exp)
    return ok(out)


route(r"/_security/api_key", {"POST": h_api_key_create, "PUT": h_api_key_create}, ("refresh",))(h_api_key_create)


# ---------------------------------------------------------------------------
# Startup
# ---------------------------------------------------------------------------

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
    ap.add_argument("--connect-timeout", type=float, default=1.0, help="transport handshake timeout, seconds")
    ap.add_argument("--handshake-cache-s", type=float, default=1.0, help="cache of handshake results, seconds")
    ap.add_argument("--request-log-limit", type=int, default=100000, help="max logged requests per cluster")
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
    if not args.latency_ms:
        args.latency_ms = cfg.get("latency_ms", 0)
    if cfg.get("control"):
        args.control = True
    for k in ("no_trust", "expired_cert", "expired_http_cert", "static_remote", "static_setting", "cluster_version",
              "trust_only"):
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
    for cname in static:
        if cname not in names:
            raise SystemExit("static settings for unknown cluster %r" % cname)
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
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        http_ca = ex.submit(make_ca, cnf, pki, "http-ca", "Emulator HTTP CA")
        ca_jobs = {g: ex.submit(make_ca, cnf, pki, "transport-ca-" + g, "Transport CA " + g) for g in set(ca_of.values())}
        http_crt, http_key = http_ca.result()
        for n in names:
            jobs[n] = ex.submit(make_node_cert, cnf, pki, "http-" + n, n + "-node-0", http_crt, http_key,
                                n in args.expired_http_cert)
        for g in ca_jobs:
            ca_jobs[g] = ca_jobs[g].result()
        tjobs = {n: ex.submit(make_node_cert, cnf, pki, "transport-" + n, n + "-node-0", ca_jobs[ca_of[n]][0],
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
        bundle = os.path.join(pki, "trust-" + n + ".pem")
        with open(bundle, "w") as f:
            for g in trusted_groups:
                with open(ca_jobs[g][0]) as cf:
                    f.write(cf.read())
        c.files = {"http_ca_file": http_crt, "http_cert_file": node_http[n][0], "http_key_file": node_http[n][1],
                   "transport_ca_file": ca_jobs[ca_of[n]][0], "transport_cert_file": node_tr[n][0],
                   "transport_key_file": node_tr[n][1], "trust_bundle_file": bundle,
                   "transport_trusted_ca_files": [ca_jobs[g][0] for g in trusted_groups]}

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
    for c in emu.clusters.values():
        for h in ("127.0.0.1", "localhost", "[::1]"):
            emu.emulated_addresses.add("%s:%d" % (h, c.transport_port))
    # resolve @cluster references in static settings
    for c in emu.clusters.values():
        for k, v in list(c.static.items()):
            def sub(x):
                if isinstance(x, str) and x.startswith("@") and x[1:] in emu.clusters:
                    return "127.0.0.1:%d" % emu.clusters[x[1:]].transport_port
                return x
            c.static[k] = [sub(x) for x in v] if isinstance(v, list) else sub(v)
    for s in servers:
        t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True)
        t.start()

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


if __name__ == "__main__":
    main()
