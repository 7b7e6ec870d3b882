/* remote_status: what a cluster's own answer (GET /_resolve/cluster, 8.13+)
 * says of each declared remote: a warning when it is not connected or refuses
 * esreconcile's account, and a problem before anything is written when the
 * link cannot work (versions that are not wire-compatible, a replication
 * leader newer than its follower). Pure. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"

struct es_version {
	long major, minor, patch;
};

/* "8.15.0" (or "8.15.0-SNAPSHOT"): false when it does not read so. */
static bool parse_es_version(struct es_version *v, const cJSON *text)
{
	char *end;

	if (!cJSON_IsString(text))
		return false;
	v->major = strtol(text->valuestring, &end, 10);
	if (*end != '.')
		return false;
	v->minor = strtol(end + 1, &end, 10);
	v->patch = *end == '.' ? strtol(end + 1, &end, 10) : 0;
	return true;
}

static int compare_versions(const struct es_version *a, const struct es_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return a->patch < b->patch ? -1 : a->patch > b->patch;
}

/* Whether a declared role of the cluster follows indices of a remote (the
 * follower side of cross-cluster replication). */
static bool cluster_follows(const struct cluster_builder *b)
{
	const struct desired_object *const *roles;
	size_t count = desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_ROLE, &roles), i;

	for (i = 0; i < count; i++) {
		const struct desired_object *o = roles[i];

		if (o->absent)
			continue;
		if (privileges_grant(cJSON_GetObjectItemCaseSensitive(o->body, "cluster"), "manage_ccr"))
			return true;
	}
	return false;
}

/* What _resolve/cluster says of one declared remote: a warning when it is not
 * connected (or refuses our user), a problem when the two versions cannot
 * talk, or when a replication leader runs a newer version than its follower. */
static int check_link(struct cluster_builder *b, const char *alias, const cJSON *status, bool follows)
{
	const cJSON *root_version = cJSON_GetObjectItemCaseSensitive(b->lc->root, "version");
	const cJSON *remote_version = cJSON_GetObjectItemCaseSensitive(status, "version");
	const cJSON *remote_number = cJSON_GetObjectItemCaseSensitive(remote_version, "number");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(status, "error");
	struct es_version local, local_min, remote, remote_min;

	if (cJSON_IsString(error) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(status, "connected")))
		return builder_add_warning(b, "remote [%s] is connected but refuses esreconcile's account: %s "
					   "(with certificates, the remote grants a local user what its own roles "
					   "of the same names grant)", alias, error->valuestring);
	if (cJSON_IsString(error))
		return builder_add_warning(b, "remote [%s] is not connected: %s", alias, error->valuestring);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(status, "connected")))
		return builder_add_warning(b, "remote [%s] is not connected", alias);
	if (!parse_es_version(&local, cJSON_GetObjectItemCaseSensitive(root_version, "number")) ||
	    !parse_es_version(&remote, remote_number))
		return 0;
	if (parse_es_version(&local_min, cJSON_GetObjectItemCaseSensitive(root_version,
									   "minimum_wire_compatibility_version")) &&
	    parse_es_version(&remote_min, cJSON_GetObjectItemCaseSensitive(remote_version,
									    "minimum_wire_compatibility_version")) &&
	    (compare_versions(&remote, &local_min) < 0 || compare_versions(&local, &remote_min) < 0))
		return builder_add_problem(b, RESOURCE_REMOTE, alias,
					   "remote [%s] runs %s and cluster [%s] runs %s: their transport "
					   "protocols are not compatible; upgrade one of them",
					   alias, remote_number->valuestring, b->lc->cluster_id,
					   b->lc->version ? b->lc->version : "?");
	if (follows && compare_versions(&remote, &local) > 0)
		return builder_add_problem(b, RESOURCE_REMOTE, alias,
					   "cross-cluster replication: the leader behind remote [%s] runs a newer "
					   "version than this follower [%s] (%s): upgrade the follower first",
					   alias, b->lc->cluster_id, b->lc->version ? b->lc->version : "?");
	return 0;
}

int plan_check_remote_status(struct cluster_builder *b)
{
	const struct desired_object *const *remotes;
	bool follows;
	size_t count, i;
	int err = 0;

	if (!b->lc->resolve_cluster)
		return 0;
	follows = cluster_follows(b);
	count = desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_REMOTE, &remotes);
	for (i = 0; !err && i < count; i++) {
		const struct desired_object *o = remotes[i];
		const cJSON *status;

		if (o->absent)
			continue;
		status = cJSON_GetObjectItemCaseSensitive(b->lc->resolve_cluster, o->name);
		if (status)
			err = check_link(b, o->name, status, follows);
	}
	return err;
}
