/* kind_list: the one table of resource kinds, as an X-macro.
 *
 * ESR_KINDS(X) expands X(ENUM, name, section, list_path) once per kind:
 *   ENUM       suffix of the enum resource_kind constant (RESOURCE_<ENUM>)
 *   name       the kind's singular name, as shown in plans ("role") and used
 *              in each stage's descriptor symbol (<stage>_<name>_kind)
 *   section    its top-level key in the desired state and its key under
 *              policy.prune ("roles")
 *   list_path  the GET that lists every live object of the kind on a cluster,
 *              or NULL when the kind is read from cluster-wide answers or only
 *              on the clusters that need it (cross-cluster API keys)
 *
 * Every stage builds its own table of per-kind descriptors from this list, so
 * a kind added here and missing in a stage is a link error, never a silent gap.
 * docs/architecture.md says what each stage's descriptor holds. */
#ifndef ESR_DESIRED_KIND_LIST_H
#define ESR_DESIRED_KIND_LIST_H

#define ESR_KINDS(X)                                   \
	X(REMOTE, remote, "remotes", NULL)             \
	X(ROLE, role, "roles", "/_security/role")      \
	X(USER, user, "users", "/_security/user")      \
	X(API_KEY, api_key, "api_keys", NULL)

#endif
