"""Cluster settings: the registered settings, value parsing and validation, the
update rules of AbstractScopedSettings, and GET|PUT /_cluster/settings."""

import re

from .common import (BUILD_HASH, ESError, NumText, bad_request, json_error_position, object_expected, ok,
                     parse_bool_param, require_body, token_name, validation_error)
from .security import ACTION_SETTINGS_GET, ACTION_SETTINGS_PUT


REMOTE_SUFFIXES = ("mode", "seeds", "node_connections", "proxy", "proxy_address", "proxy_socket_connections",
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
    # the transport TLS configuration (SSLService, SslSettingsLoader) as far as trust goes
    "xpack.security.transport.ssl.certificate_authorities": ("list", False, None),
    "xpack.security.transport.ssl.certificate": ("string", False, None),
    "xpack.security.transport.ssl.key": ("string", False, None),
    "xpack.security.transport.ssl.verification_mode": ("string", False, "full"),
    # the remote cluster server (RemoteClusterPortSettings)
    "remote_cluster_server.enabled": ("bool", False, "false"),
    "remote_cluster.host": ("list", False, None),
    "remote_cluster.bind_host": ("list", False, None),
    "remote_cluster.publish_host": ("list", False, None),
    "remote_cluster.port": ("int", False, "9443"),
    "remote_cluster.publish_port": ("int", False, "-1"),
    "xpack.security.remote_cluster_server.ssl.enabled": ("bool", False, "true"),
    "xpack.security.remote_cluster_client.ssl.enabled": ("bool", False, "true"),
}
# Setting.intSetting bounds (min, max; None: no bound) where a setting has them
INT_BOUNDS = {
    "remote_cluster.port": (0, 65535),
    "remote_cluster.publish_port": (-1, None),
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


def parse_int_setting(key, v, minimum=None, maximum=None):
    # Setting.parseInt
    if isinstance(v, list):
        v = ",".join(v)
    try:
        n = java_parse_int(v)
    except ValueError:
        raise bad_request("Failed to parse value [%s] for setting [%s]" % (v, key))
    if minimum is not None and n < minimum:
        raise bad_request("Failed to parse value [%s] for setting [%s] must be >= %d" % (v, key, minimum))
    if maximum is not None and n > maximum:
        raise bad_request("Failed to parse value [%s] for setting [%s] must be <= %d" % (v, key, maximum))
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
        elif sfx == "proxy_address" or sfx == "proxy":
            # ProxyConnectionStrategy.PROXY_ADDRESS, SniffConnectionStrategy.REMOTE_CLUSTERS_PROXY: host:port when set
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
        parse_int_setting(key, value, *INT_BOUNDS.get(key, (None, None)))
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


SNIFF_ONLY = ("seeds", "node_connections", "proxy")
PROXY_ONLY = ("proxy_address", "proxy_socket_connections", "server_name")
NEEDS_ENABLED = ("skip_unavailable", "transport.ping_schedule", "transport.compress", "transport.compression_scheme")


def levenshtein_similarity(target, other):
    """Lucene's LevenshteinDistance.getDistance: 1 - edits / the longer length."""
    n, m = len(target), len(other)
    if n == 0 or m == 0:
        return 1.0 if n == m else 0.0
    prev = list(range(n + 1))
    for j in range(1, m + 1):
        cur = [j] + [0] * n
        for i in range(1, n + 1):
            cost = 0 if target[i - 1] == other[j - 1] else 1
            cur[i] = min(cur[i - 1] + 1, prev[i] + 1, prev[i - 1] + cost)
        prev = cur
    return 1.0 - prev[n] / max(n, m)


def unknown_setting_message(key):
    """AbstractScopedSettings.validate: the registered keys more than 0.7 similar, best first,
    or the hint about plugins. The emulator registers a subset of Elasticsearch's keys, so it
    suggests fewer of them."""
    scored = [(levenshtein_similarity(key, k), k) for k in sorted(KNOWN_SETTINGS)]
    keys = [k for score, k in sorted((t for t in scored if t[0] > 0.7), key=lambda t: -t[0])]
    msg = "unknown setting [%s]" % key
    if keys:
        return msg + " did you mean " + ("[%s]" % keys[0] if len(keys) == 1 else "any of [%s]" % ", ".join(keys)) + "?"
    return msg + (" please check that any required plugins are installed, or check the breaking changes "
                  "documentation for removed settings")


def validate_scope(settings):
    """AbstractScopedSettings.validate(settings, validateDependencies=true): every key in
    sorted order, value then dependencies, first failure wins."""
    for key in sorted(settings):
        if key.startswith("archived."):
            continue
        s = get_setting(key)
        if s is None:
            raise bad_request(unknown_setting_message(key))
        validate_value(s, settings[key])
        if s.kind == "remote":
            sfx = s.suffix
            alias = s.alias
            mode_key = "cluster.remote.%s.mode" % alias
            if sfx == "credentials":
                # SecureSetting.get: only the keystore may hold it (nothing else puts it in a scope)
                raise bad_request("Setting [%s] is a secure setting and must be stored inside the Elasticsearch "
                                  "keystore, but was found inside elasticsearch.yml" % key)
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


def alias_keys(settings, alias):
    prefix = "cluster.remote.%s." % alias
    return {k: v for k, v in settings.items() if k.startswith(prefix) and REMOTE_RE.match(k)}


def validate_merged(before, after):
    """SettingsUpdater then AbstractScopedSettings.validateUpdate: the node settings
    (elasticsearch.yml) + persistent + transient, run through the update consumers; for remote
    clusters each alias whose settings changed is read, so its validators see the merged view."""
    aliases = set()
    for k in set(before) | set(after):
        m = REMOTE_RE.match(k)
        if m and before.get(k) != after.get(k):
            aliases.add(m.group(1))
    for a in sorted(aliases):
        validate_scope(alias_keys(after, a))


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
# REST handlers
# ---------------------------------------------------------------------------


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
        before = c.merged_settings()
        after = dict(c.static)
        after.update(new_p)
        after.update(new_t)
        validate_merged(before, after)
        old_remotes = c.remotes()
        c.transient = new_t
        c.persistent = new_p
        changed = c.remote_changes(old_remotes)
    emu.await_remote_connections(c, changed)  # RemoteClusterService.updateRemoteCluster
    return ok({"acknowledged": True, "persistent": render_settings(upd_p, flat_mode),
               "transient": render_settings(upd_t, flat_mode)}, headers=headers)
