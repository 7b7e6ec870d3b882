"""GET / and the table of every REST endpoint: path pattern, handler per method,
accepted query parameters."""

import re

from .common import BUILD_HASH, LUCENE, ok
from .privileges_api import h_has_privileges
from .security import ACTION_MAIN
from .api_keys import h_api_key_root, h_cc_api_key_create, h_cc_api_key_update
from .remote_cluster_server import h_reload_secure_settings
from .security_api import (h_authenticate, h_role_delete, h_role_get, h_role_put, h_roles_root, h_user_delete,
                           h_user_enable, h_user_get, h_user_password, h_user_put)
from .license import h_license_get, h_start_trial, h_trial_status
from .server import COMMON_PARAMS
from .settings import h_settings_get, h_settings_put
from .transport import h_nodes, h_remote_info, h_resolve_cluster, h_ssl


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


def route(pattern, methods, params=()):
    return re.compile("^" + pattern + "$"), methods, set(params) | COMMON_PARAMS


# (regex, {method: handler}, accepted params), tried in this order: the first match wins.
ROUTES = [
    route(r"/", {"GET": h_root, "HEAD": h_root}),
    route(r"/_cluster/settings", {"GET": h_settings_get, "PUT": h_settings_put},
          ("flat_settings", "include_defaults", "master_timeout", "timeout", "local")),
    route(r"/_remote/info", {"GET": h_remote_info}),
    route(r"/_resolve/cluster/([^/]+)", {"GET": h_resolve_cluster},
          ("expand_wildcards", "ignore_unavailable", "allow_no_indices", "ignore_throttled")),
    route(r"/_nodes(?:/([^/]+))?/reload_secure_settings", {"POST": h_reload_secure_settings}, ("timeout",)),
    route(r"/_nodes(?:/([^/]+))?(?:/([^/]+))?", {"GET": h_nodes}, ("flat_settings", "timeout")),
    route(r"/_ssl/certificates", {"GET": h_ssl}),
    route(r"/_security/_authenticate", {"GET": h_authenticate}),
    route(r"/_security/role", {"GET": h_roles_root, "POST": h_roles_root, "DELETE": h_roles_root},
          ("refresh",)),
    route(r"/_security/role/([^/]+)", {"GET": h_role_get, "PUT": h_role_put, "POST": h_role_put,
                                       "DELETE": h_role_delete}, ("refresh",)),
    route(r"/_security/user", {"GET": h_user_get}, ("with_profile_uid",)),
    route(r"/_security/user/_password", {"PUT": h_user_password, "POST": h_user_password}, ("refresh",)),
    route(r"/_security/user/_has_privileges", {"GET": h_has_privileges, "POST": h_has_privileges}),
    route(r"/_security/user/([^/]+)/_password", {"PUT": h_user_password, "POST": h_user_password},
          ("refresh",)),
    route(r"/_security/user/([^/]+)/(_enable|_disable)", {"PUT": h_user_enable, "POST": h_user_enable},
          ("refresh",)),
    route(r"/_security/user/([^/]+)", {"GET": h_user_get, "PUT": h_user_put, "POST": h_user_put,
                                       "DELETE": h_user_delete}, ("refresh", "with_profile_uid")),
    route(r"/_security/api_key", {"GET": h_api_key_root, "POST": h_api_key_root, "PUT": h_api_key_root,
                                  "DELETE": h_api_key_root},
          ("refresh", "id", "name", "username", "realm_name", "owner", "with_limited_by", "active_only",
           "with_profile_uid")),
    route(r"/_security/cross_cluster/api_key", {"POST": h_cc_api_key_create}, ("refresh",)),
    route(r"/_security/cross_cluster/api_key/([^/]+)", {"PUT": h_cc_api_key_update}),
    route(r"/_license", {"GET": h_license_get}, ("local", "accept_enterprise")),
    route(r"/_license/trial_status", {"GET": h_trial_status}),
    route(r"/_license/start_trial", {"POST": h_start_trial}, ("acknowledge", "type", "master_timeout", "timeout")),
]
