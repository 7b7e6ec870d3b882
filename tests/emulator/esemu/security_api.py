"""The security REST API: _authenticate, roles (single and bulk), users,
passwords, enable/disable (API keys: api_keys.py)."""

import copy

from .common import (ESError, RawResponse, bad_request, object_expected, ok, plain_validation_error, require_body,
                     token_name, validation_error)
from .license import compliance_error
from .security import (NAME_MSG, RESERVED_ROLES, RESERVED_USERS, SEC, check_hash_format, deep_merge,
                       hash_password, parse_role, render_stored_role, role_document, uses_dls_fls, valid_name,
                       validate_role)


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


# ---------------- roles ----------------

def render_role(c, d, reserved=False):
    if reserved:
        return copy.deepcopy(d)
    return copy.deepcopy(render_stored_role(d, not c.license.allows_dls_fls()))


def h_role_get(emu, c, req, p, names=None):
    c.authorize(p, SEC + "role/get")
    with c.lock:
        if names is None:
            out = {k: render_role(c, v, True) for k, v in RESERVED_ROLES.items()}
            for k in sorted(c.roles):
                out[k] = render_role(c, c.roles[k])
            return ok(out)
        out = {}
        for n in names.split(","):
            if n in RESERVED_ROLES:
                out[n] = render_role(c, RESERVED_ROLES[n], True)
            elif n in c.roles:
                out[n] = render_role(c, c.roles[n])
        if not out:
            raise RawResponse(404, {})
        return ok(out)


def h_role_put(emu, c, req, p, name):
    c.authorize(p, SEC + "role/put")
    body = require_body(req.body)
    role = parse_role(name, body, c.version)
    errs = validate_role(name, role, c.version)
    if errs:
        raise validation_error(*errs)
    with c.lock:
        if uses_dls_fls(role) and not c.license.allows_dls_fls():
            raise compliance_error("field and document level security")  # NativeRolesStore.validateRoleDescriptor
        created = name not in c.roles
        c.roles[name] = role_document(role)  # an index request: the whole document replaced
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
            errs = validate_role(n, role, c.version)
            e = validation_error(*errs) if errs else None
            if e is None and uses_dls_fls(role) and not c.license.allows_dls_fls():
                e = compliance_error("field and document level security")
            if e is not None:
                errors[n] = {"type": e.etype, "reason": e.reason}
                continue
            doc = role_document(role)  # NativeRolesStore.createRoleUpsertRequest: doc_as_upsert
            old = c.roles.get(n)
            if old is None:
                c.roles[n] = doc
                created.append(n)
                continue
            merged = deep_merge(old, doc)
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
    """PutUserRequestBuilder.password / ChangePasswordRequestBuilder.password: the length is checked
    while the body is parsed (Validation.Users.validatePassword), before any other validation, and
    fails with a ValidationException (400 validation_exception)."""
    if not isinstance(pw, str):
        raise ESError(400, "parse_exception", "expected field [password] to be of type string, but found [%s] instead"
                      % token_name(pw))
    if len(pw) < 6:
        raise plain_validation_error("passwords must be at least [6] characters long")


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
                _check_password(v)
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
        if errs:
            raise validation_error(*errs)
        if existing is None and "password" not in fields and "password_hash" not in fields:
            # NativeUsersStore.updateUserWithoutPassword: a ValidationException, after the request's own validation
            raise plain_validation_error("password must be specified unless you are updating an existing user")
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
            _check_password(v)
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

