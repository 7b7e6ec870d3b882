"""GET|POST /_security/user/_has_privileges (RestHasPrivilegesAction,
TransportHasPrivilegesAction): which of the requested cluster privileges the
authenticated user holds, evaluated with the same privilege-to-action mapping
that decides a 403 (security.privilege_grants)."""

from .common import ESError, bad_request, object_expected, ok, parse_json_body
from .security import CLUSTER_PRIV_SET, KNOWN_CLUSTER_ACTIONS, privilege_grants


def _actions_of(privilege):
    """The emulated actions a requested privilege stands for: itself when it
    names an action (or a pattern over actions), else every action it grants."""
    if privilege.startswith("cluster:"):
        return [privilege] if not privilege.endswith("*") else \
            [a for a in KNOWN_CLUSTER_ACTIONS if privilege_grants(privilege, a)]
    if privilege.lower() not in CLUSTER_PRIV_SET:
        raise bad_request("unknown cluster privilege [%s]. a privilege must be either one of the predefined "
                          "cluster privilege names [%s] or a pattern over one of the available cluster actions"
                          % (privilege, ",".join(sorted(CLUSTER_PRIV_SET))))
    return [a for a in KNOWN_CLUSTER_ACTIONS if privilege_grants(privilege, a)]


def h_has_privileges(emu, c, req, p):
    body = parse_json_body(req.body)
    if body is None:
        raise ESError(400, "action_request_validation_exception",
                      "Validation Failed: 1: clusterPrivileges, indexPrivileges and applicationPrivileges "
                      "must not all be empty;")
    object_expected(body, "has_privileges_request")
    requested = body.get("cluster") or []
    if not isinstance(requested, list) or not all(isinstance(x, str) for x in requested):
        raise bad_request("[cluster] must be an array of strings")
    if not requested and not body.get("index") and not body.get("application"):
        raise ESError(400, "action_request_validation_exception",
                      "Validation Failed: 1: clusterPrivileges, indexPrivileges and applicationPrivileges "
                      "must not all be empty;")
    cluster = {}
    for privilege in requested:
        actions = _actions_of(privilege)
        # a named privilege is held when every action it grants is allowed
        cluster[privilege] = bool(actions) and all(c.allows(p, a) for a in actions)
    return ok({"username": p.username, "has_all_requested": all(cluster.values()), "cluster": cluster,
               "index": {}, "application": {}})
