"""API keys (ApiKeyService): REST keys (POST /_security/api_key), cross-cluster keys
(POST /_security/cross_cluster/api_key, PUT /_security/cross_cluster/api_key/<id>), and for
both GET and DELETE /_security/api_key. A key is a dict in Cluster.api_keys:
{id, name, type ("rest"|"cross_cluster"), hash, username, realm, role_descriptors, creation,
expiration, invalidated, invalidation, metadata} (times in epoch milliseconds)."""

import base64
import copy
import re
import secrets
import time

from .common import (ESError, RawResponse, object_expected, ok, parse_bool_param, require_body, token_name,
                     validation_error)
from .license import compliance_error
from .security import (SEC, hash_password, parse_index_entry, parse_role, render_stored_role, role_document,
                       verify_hash)

ACTION_CREATE = SEC + "api_key/create"
ACTION_GET = SEC + "api_key/get"
ACTION_INVALIDATE = SEC + "api_key/invalidate"
ACTION_CC_CREATE = SEC + "cross_cluster/api_key/create"  # CreateCrossClusterApiKeyAction.NAME
ACTION_CC_UPDATE = SEC + "cross_cluster/api_key/update"  # UpdateCrossClusterApiKeyAction.NAME
# Security.ADVANCED_REMOTE_CLUSTER_SECURITY_FEATURE: an enterprise feature (a trial allows it)
RCS_FEATURE = "advanced-remote-cluster-security"
# CrossClusterApiKeyRoleDescriptorBuilder: the fixed privileges of an access entry
CCS_INDEX_PRIVILEGES = ["read", "read_cross_cluster", "view_index_metadata"]
CCR_INDEX_PRIVILEGES = ["cross_cluster_replication", "cross_cluster_replication_internal"]
CC_ROLE = "cross_cluster"
CREATE_PAYLOAD = "cross_cluster_api_key_request_payload"
UPDATE_PAYLOAD = "update_cross_cluster_api_key_request_payload"
ACCESS_PARSER = "cross_cluster_api_key_request_access"
DURATION_RE = re.compile(r"^(\d+)(nanos|micros|ms|s|m|h|d)$")
UNIT_MS = {"nanos": 1e-6, "micros": 1e-3, "ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}


def now_ms():
    return int(time.time() * 1000)


def is_active(k, at=None):
    """ApiKeyService: a key authenticates while it is neither invalidated nor expired."""
    at = now_ms() if at is None else at
    return not k["invalidated"] and (k["expiration"] is None or k["expiration"] > at)


def parse_expiration(v):
    """TimeValue.parseTimeValue(v, null, "expiration"): milliseconds from now, or None."""
    if v is None:
        return None
    s = v.strip().lower()
    m = DURATION_RE.match(s)
    if not m:
        raise ESError(400, "parse_exception", "failed to parse setting [expiration] with value [%s] as a time value: "
                      "unit is missing or unrecognized" % v)
    return int(int(m.group(1)) * UNIT_MS[m.group(2)])


def _field_error(parser, field, cause):
    """ObjectParser: an error inside a field's value, wrapped in the outer parser's message."""
    return ESError(400, "x_content_parse_exception", "[1:2] [%s] failed to parse field [%s]" % (parser, field),
                   caused_by=cause)


def _check_fields(parser, body, known):
    for k, v in body.items():
        if k not in known:
            raise ESError(400, "x_content_parse_exception", "[1:2] [%s] unknown field [%s]" % (parser, k))
        kind = known[k]
        if v is None:
            continue
        if (kind == "string" and not isinstance(v, str)) or (kind == "object" and not isinstance(v, dict)):
            raise ESError(400, "x_content_parse_exception", "[1:2] [%s] %s doesn't support values of type: %s"
                          % (parser, k, token_name(v)))


def parse_access(parser, access, version):
    """CrossClusterApiKeyRoleDescriptorBuilder.PARSER then build(): the role descriptor
    "cross_cluster" (search entries first, then replication entries)."""
    try:
        for k, v in access.items():
            if k not in ("search", "replication"):
                raise ESError(400, "x_content_parse_exception", "[1:2] [%s] unknown field [%s]" % (ACCESS_PARSER, k))
            if not isinstance(v, list):
                raise ESError(400, "x_content_parse_exception", "[1:2] [%s] %s doesn't support values of type: %s"
                              % (ACCESS_PARSER, k, token_name(v)))
        entries = {}
        for part, privs in (("search", CCS_INDEX_PRIVILEGES), ("replication", CCR_INDEX_PRIVILEGES)):
            out = []
            for e in access.get(part) or []:
                # RoleDescriptor.parseIndexWithPrivileges: the privileges are fixed by the builder
                if isinstance(e, dict) and "privileges" in e:
                    raise ESError(400, "parse_exception", "failed to parse indices privileges for role [%s]. field "
                                  "[privileges] must not present" % CC_ROLE)
                out.append(parse_index_entry(CC_ROLE, dict(e, privileges=list(privs)) if isinstance(e, dict) else e,
                                             False, version))
            entries[part] = out
    except ESError as e:
        raise _field_error(parser, "access", {"type": e.etype, "reason": e.reason})
    search, replication = entries["search"], entries["replication"]
    if not search and not replication:
        raise ESError(400, "illegal_argument_exception", "must specify non-empty access for either [search] or "
                      "[replication]")
    if any("query" in e or "field_security" in e for e in replication):
        raise ESError(400, "illegal_argument_exception", "replication does not support document or field level "
                      "security")
    cluster = ["cross_cluster_search"] if search else []
    if replication:
        cluster.append("cross_cluster_replication")
    return parse_role(CC_ROLE, {"cluster": cluster, "indices": search + replication}, version)


def access_of(rd):
    """ApiKey.buildXContentForCrossClusterApiKeyAccess: the entries without their privileges."""
    out = {}
    for e in rd.get("indices", []):
        part = "search" if e["privileges"] == CCS_INDEX_PRIVILEGES else "replication"
        out.setdefault(part, []).append({k: v for k, v in e.items() if k != "privileges"})
    return {k: out[k] for k in ("search", "replication") if k in out}


def check_rcs_license(c):
    """ApiKeyBaseRestHandler.checkFeatureAvailable of the cross-cluster key handlers."""
    if not c.license.allows_rcs():
        raise compliance_error(RCS_FEATURE)


def _no_handler(req):
    return RawResponse(400, {"error": "no handler found for uri [%s] and method [%s]" % (req.target, req.method),
                             "status": 400})


def _create_errors(name, metadata):
    """CreateApiKeyRequest.validate."""
    errs = []
    if not name:
        errs.append("api key name is required")
    else:
        if len(name) > 256:
            errs.append("api key name may not be more than 256 characters long")
        if name != name.strip():
            errs.append("api key name may not begin or end with whitespace")
        if name.startswith("_"):
            errs.append("api key name may not begin with an underscore")
    if metadata and any(k.startswith("_") for k in metadata):
        errs.append("API key metadata keys may not start with [_]")
    return errs


def _new_key(c, p, name, typ, rds, expiration_ms, metadata):
    kid = secrets.token_urlsafe(15)[:20]
    secret = secrets.token_urlsafe(16)[:22]
    created = now_ms()
    k = {"id": kid, "name": name, "type": typ, "hash": hash_password(secret, 1), "username": p.username,
         "realm": p.realm, "role_descriptors": rds, "creation": created,
         "expiration": created + expiration_ms if expiration_ms is not None else None,
         "invalidated": False, "invalidation": None, "metadata": metadata or {}}
    with c.lock:
        c.api_keys[kid] = k
    out = {"id": kid, "name": name}
    if k["expiration"] is not None:
        out["expiration"] = k["expiration"]
    out["api_key"] = secret
    out["encoded"] = base64.b64encode(("%s:%s" % (kid, secret)).encode()).decode()
    return out


def h_api_key_create(emu, c, req, p):
    c.authorize(p, ACTION_CREATE)
    body = require_body(req.body)
    object_expected(body, "create_api_key_request")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise validation_error("api key name is required")
    rds = {rn: parse_role(rn, rb, c.version) for rn, rb in (body.get("role_descriptors") or {}).items()}
    exp = parse_expiration(body["expiration"]) if body.get("expiration") else None
    return ok(_new_key(c, p, name, "rest", rds, exp, body.get("metadata")))


def h_cc_api_key_create(emu, c, req, p):
    """POST /_security/cross_cluster/api_key (RestCreateCrossClusterApiKeyAction, 8.10+): licence,
    then parsing, then CreateApiKeyRequest.validate, then authorization (manage_security)."""
    if c.vt < (8, 10, 0):
        raise _no_handler(req)
    check_rcs_license(c)
    body = require_body(req.body)
    object_expected(body, CREATE_PAYLOAD)
    _check_fields(CREATE_PAYLOAD, body, {"name": "string", "access": "object", "expiration": "string",
                                         "metadata": "object"})
    missing = [f for f in ("name", "access") if body.get(f) is None]
    if missing:
        raise ESError(400, "x_content_parse_exception", "[1:2] Required [%s]" % ", ".join(missing))
    rd = parse_access(CREATE_PAYLOAD, body["access"], c.version)
    exp = parse_expiration(body.get("expiration"))
    errs = _create_errors(body["name"], body.get("metadata"))
    if errs:
        raise validation_error(*errs)
    c.authorize(p, ACTION_CC_CREATE)
    return ok(_new_key(c, p, body["name"], CC_ROLE, {CC_ROLE: rd}, exp, body.get("metadata")))


def h_cc_api_key_update(emu, c, req, p, kid):
    """PUT /_security/cross_cluster/api_key/<id> (RestUpdateCrossClusterApiKeyAction,
    TransportUpdateCrossClusterApiKeyAction, ApiKeyService.updateApiKeys): in place, the same id;
    {"updated": false} when nothing would change. expiration is accepted from 8.13."""
    if c.vt < (8, 10, 0):
        raise _no_handler(req)
    check_rcs_license(c)
    body = require_body(req.body)
    object_expected(body, UPDATE_PAYLOAD)
    known = {"access": "object", "metadata": "object"}
    if c.vt >= (8, 13, 0):
        known["expiration"] = "string"
    _check_fields(UPDATE_PAYLOAD, body, known)
    rd = parse_access(UPDATE_PAYLOAD, body["access"], c.version) if body.get("access") is not None else None
    metadata = body.get("metadata")
    exp = parse_expiration(body.get("expiration"))
    errs = []
    if metadata and any(k.startswith("_") for k in metadata):
        errs.append("API key metadata keys may not start with [_]")
    if rd is None and metadata is None and exp is None:
        errs.append("must update either [access] or [metadata] for cross-cluster API keys")
    if errs:
        raise validation_error(*errs)
    c.authorize(p, ACTION_CC_UPDATE)
    with c.lock:
        k = c.api_keys.get(kid)
        if k is None or k["username"] != p.username or tuple(k["realm"]) != tuple(p.realm):
            raise ESError(404, "resource_not_found_exception",
                          "no API key owned by requesting user found for ID [%s]" % kid)
        if k["type"] != CC_ROLE:
            raise ESError(400, "illegal_argument_exception", "cannot update API key of type [%s] while expected "
                          "type is [%s]" % (k["type"], CC_ROLE))
        if k["invalidated"]:
            raise ESError(400, "illegal_argument_exception", "cannot update invalidated API key [%s]" % kid)
        if not is_active(k):
            raise ESError(400, "illegal_argument_exception", "cannot update expired API key [%s]" % kid)
        new = dict(k)
        if rd is not None:
            new["role_descriptors"] = {CC_ROLE: rd}
        if metadata is not None:
            new["metadata"] = metadata
        if exp is not None:
            new["expiration"] = now_ms() + exp
        if new == k:  # ApiKeyService.isNoop
            return ok({"updated": False})
        c.api_keys[kid] = new
    return ok({"updated": True})


def render_key(c, k):
    """ApiKey.innerToXContent."""
    out = {"id": k["id"], "name": k["name"], "type": k["type"], "creation": k["creation"]}
    if k["expiration"] is not None:
        out["expiration"] = k["expiration"]
    out["invalidated"] = k["invalidated"]
    if k["invalidation"] is not None:
        out["invalidation"] = k["invalidation"]
    out["username"] = k["username"]
    out["realm"] = k["realm"][0]
    if c.vt >= (8, 14, 0):
        out["realm_type"] = k["realm"][1]
    out["metadata"] = copy.deepcopy(k["metadata"])
    out["role_descriptors"] = {n: render_stored_role(role_document(rd)) for n, rd in k["role_descriptors"].items()}
    if k["type"] == CC_ROLE:
        out["access"] = access_of(k["role_descriptors"][CC_ROLE])
    return copy.deepcopy(out)


def name_matches(pattern, name):
    """ApiKeyService.findApiKeysForUserRealmApiKeyIdAndNameCombination: "*" is every key, a
    trailing "*" a prefix, anything else the exact name."""
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def h_api_key_get(emu, c, req, p):
    """GET /_security/api_key (RestGetApiKeyAction, TransportGetApiKeyAction): 404 with the empty
    list only when an id was asked for."""
    c.authorize(p, ACTION_GET)
    prm = req.params
    kid, name = prm.get("id") or None, prm.get("name") or None
    username, realm = prm.get("username") or None, prm.get("realm_name") or None
    owner = parse_bool_param(prm["owner"]) if "owner" in prm else False
    active_only = parse_bool_param(prm["active_only"]) if "active_only" in prm else False
    if owner:
        if username or realm:
            raise validation_error("username or realm name must not be specified when retrieving owned API keys")
        username, realm = p.username, p.realm[0]
    at = now_ms()
    with c.lock:
        keys = sorted(c.api_keys.values(), key=lambda k: (k["creation"], k["id"]))
        found = [render_key(c, k) for k in keys
                 if (kid is None or k["id"] == kid) and (name is None or name_matches(name, k["name"]))
                 and (username is None or k["username"] == username) and (realm is None or k["realm"][0] == realm)
                 and (not active_only or is_active(k, at))]
    if kid is not None and not found:
        raise RawResponse(404, {"api_keys": []})
    return ok({"api_keys": found})


def h_api_key_invalidate(emu, c, req, p):
    """DELETE /_security/api_key (RestInvalidateApiKeyAction, ApiKeyService.invalidateApiKeys):
    only keys not yet invalidated are searched, so an invalidated key is simply not found."""
    body = require_body(req.body)
    object_expected(body, "invalidate_api_key")
    _check_fields("invalidate_api_key", {k: v for k, v in body.items() if k not in ("owner", "ids")},
                  {"realm_name": "string", "username": "string", "name": "string"})
    ids = body.get("ids")
    if ids is not None and (not isinstance(ids, list) or any(not isinstance(i, str) for i in ids)):
        raise ESError(400, "x_content_parse_exception", "[1:2] [invalidate_api_key] failed to parse field [ids]")
    owner = body.get("owner") or False
    if not isinstance(owner, bool):
        raise ESError(400, "x_content_parse_exception", "[1:2] [invalidate_api_key] failed to parse field [owner]")
    name, username, realm = body.get("name"), body.get("username"), body.get("realm_name")
    # InvalidateApiKeyRequest.validate
    if ids is not None and not ids:
        raise validation_error("Field [ids] cannot be an empty array")
    if not (ids or name or username or realm or owner):
        raise validation_error("One of [api key id(s), api key name, username, realm name] must be specified if "
                               "[owner] flag is false")
    if owner and (username or realm):
        raise validation_error("user name or realm name must not be specified when the current user owns the API key")
    c.authorize(p, ACTION_INVALIDATE)
    if owner:
        username, realm = p.username, p.realm[0]
    done = []
    at = now_ms()
    with c.lock:
        for k in sorted(c.api_keys.values(), key=lambda k: (k["creation"], k["id"])):
            if k["invalidated"] or (ids and k["id"] not in ids) or (name and not name_matches(name, k["name"])) or \
                    (username and k["username"] != username) or (realm and k["realm"][0] != realm):
                continue
            c.api_keys[k["id"]] = dict(k, invalidated=True, invalidation=at)
            done.append(k["id"])
    return ok({"invalidated_api_keys": done, "previously_invalidated_api_keys": [], "error_count": 0})


def h_api_key_root(emu, c, req, p):
    if req.method in ("GET", "HEAD"):
        return h_api_key_get(emu, c, req, p)
    if req.method == "DELETE":
        return h_api_key_invalidate(emu, c, req, p)
    return h_api_key_create(emu, c, req, p)


def authenticate_cross_cluster(c, credentials):
    """CrossClusterAccessAuthenticationService on the remote cluster server: the encoded key of an
    active cross-cluster API key of this cluster. Returns (key, None) or (None, reason)."""
    try:
        kid, _, secret = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeError):
        return None, "unable to authenticate with provided credentials and anonymous access is not allowed for " \
                     "this request"
    with c.lock:
        k = c.api_keys.get(kid)
    if k is None or not verify_hash(k["hash"], secret):
        return None, "unable to authenticate with provided credentials and anonymous access is not allowed for " \
                     "this request"
    if k["type"] != CC_ROLE:
        return None, "authentication expected API key type of [cross_cluster], but API key [%s] has type [%s]" \
                     % (kid, k["type"])
    if k["invalidated"]:
        return None, "api key [%s] has been invalidated" % kid
    if not is_active(k):
        return None, "api key is expired"
    return k, None
