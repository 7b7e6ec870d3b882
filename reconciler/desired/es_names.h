/* es_names: Elasticsearch's built-in names, checked offline: reserved roles
 * (ReservedRolesStore), reserved users, and the cluster and index privilege names
 * (ClusterPrivilegeResolver, IndexPrivilege) of 8.x. Static tables; nothing to free. */
#ifndef ESR_DESIRED_ES_NAMES_H
#define ESR_DESIRED_ES_NAMES_H

#include <stdbool.h>
#include <stddef.h>

bool es_role_is_reserved(const char *name);
bool es_user_is_reserved(const char *name);
/* Whether a user name is also a word of the user API in the same place of a
 * path (PUT /_security/user/_password changes the caller's own password), so
 * that a request for that user would reach the endpoint instead. Elasticsearch
 * matches path words before parameters, and decodes before matching, so no
 * encoding avoids it. */
bool es_user_name_is_api_word(const char *name);

/* Whether Elasticsearch accepts the privilege: a predefined name (compared in
 * lower case, as Elasticsearch does) or a pattern over the actions of its kind
 * ("cluster:...", "indices:..."). */
bool es_cluster_privilege_known(const char *name);
bool es_index_privilege_known(const char *name);
/* remote_cluster privileges (monitor_enrich, monitor_stats). */
bool es_remote_cluster_privilege_known(const char *name);

/* The predefined names, for "did you mean" hints. */
const char *const *es_cluster_privileges(size_t *out_count);
const char *const *es_index_privileges(size_t *out_count);

/* Role and user names: 1 to 507 printable ASCII characters, no leading or
 * trailing space (Validation.java). */
bool es_valid_security_name(const char *name);
/* That rule in Elasticsearch's words, which follow "Role " or "User ". */
extern const char es_security_name_rule[];

#endif
