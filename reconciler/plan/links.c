/* links: role names across the links between declared clusters.
 *
 * With certificate authentication, the cluster a remote points at resolves
 * the local user's role names against its own roles ("You must use the same
 * role names on both the local and remote clusters"). So a role on the far
 * side that grants cross-cluster reading (read_cross_cluster, read_ccr) is
 * useless without a local user holding a role of that name, and a local role
 * meant for the link (naming <alias>: indices, or with manage_ccr) does
 * nothing without a role of that name on the far side. Both are warnings with
 * a stable code, since the plan is still sound. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"

bool privileges_grant(const cJSON *privileges, const char *name)
{
	const cJSON *item;

	if (cJSON_IsString(privileges))
		return !strcasecmp(privileges->valuestring, name);
	cJSON_ArrayForEach(item, privileges)
		if (cJSON_IsString(item) && !strcasecmp(item->valuestring, name))
			return true;
	return false;
}

/* The cross-cluster reading privilege a role body grants, or NULL. */
static const char *cross_cluster_grant(const cJSON *role)
{
	const cJSON *entry;

	if (privileges_grant(cJSON_GetObjectItemCaseSensitive(role, "cluster"), "read_ccr"))
		return "read_ccr";
	cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(role, "indices"))
		if (privileges_grant(cJSON_GetObjectItemCaseSensitive(entry, "privileges"), "read_cross_cluster"))
			return "read_cross_cluster";
	return NULL;
}

/* True when an index name (or one of a list) is on the remote alias: "alias:pattern". */
static bool names_alias(const cJSON *names, const char *alias)
{
	size_t len = strlen(alias);
	const cJSON *item;

	if (cJSON_IsString(names))
		return !strncmp(names->valuestring, alias, len) && names->valuestring[len] == ':';
	cJSON_ArrayForEach(item, names)
		if (names_alias(item, alias))
			return true;
	return false;
}

/* Why a local role is meant for the link of alias, or NULL when it is not. */
static const char *link_reason(const cJSON *role, const char *alias)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(role, "indices"))
		if (names_alias(cJSON_GetObjectItemCaseSensitive(entry, "names"), alias))
			return "names its indices";
	if (privileges_grant(cJSON_GetObjectItemCaseSensitive(role, "cluster"), "manage_ccr"))
		return "has manage_ccr";
	return NULL;
}

/* Whether the far cluster holds a role of that name: declared present, or
 * live (among the names its facts kept: those the link checks ask about). */
static bool has_role(const struct cluster_builder *b, const struct cluster_facts *far, const char *name)
{
	const struct desired_object *d = desired_find_object(b->desired, RESOURCE_ROLE, far->cluster_id, name);

	if (d)
		return !d->absent;
	return cJSON_GetObjectItemCaseSensitive(far->link_roles, name) != NULL;
}

/* Whether a declared (present) user of the cluster holds a role of that name. */
static bool user_holds(const struct desired_state *desired, const char *cluster, const char *role)
{
	size_t i;

	for (i = 0; i < desired->object_count; i++) {
		const struct desired_object *u = &desired->objects[i];
		const cJSON *item;

		if (u->kind != RESOURCE_USER || u->absent || strcmp(u->cluster, cluster) != 0)
			continue;
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(u->body, "roles"))
			if (cJSON_IsString(item) && !strcmp(item->valuestring, role))
				return true;
	}
	return false;
}

/* Far-side roles that grant cross-cluster reading to role names no local user has. */
static int check_far_roles(struct cluster_builder *b, const struct desired_object *remote)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < b->desired->object_count; i++) {
		const struct desired_object *r = &b->desired->objects[i];
		const char *grant;

		if (r->kind != RESOURCE_ROLE || r->absent || strcmp(r->cluster, remote->remote_cluster) != 0 ||
		    !(grant = cross_cluster_grant(r->body)) || user_holds(b->desired, remote->cluster, r->name))
			continue;
		err = builder_add_warning(b, "remote-role-unused: role [%s] on [%s] grants %s for remote [%s] of [%s], "
					  "but no user on [%s] has a role named [%s], and [%s] resolves the local "
					  "user's role names; give a user on [%s] the role [%s]", r->name,
					  remote->remote_cluster, grant, remote->name, remote->cluster, remote->cluster,
					  r->name, remote->remote_cluster, remote->cluster, r->name);
	}
	return err;
}

/* Why r, a role of the remote's cluster held by one of its users, is meant
 * for the link (so the far side needs a role of its name); NULL when it is not. */
static const char *near_role_reason(const struct desired_state *desired, const struct desired_object *remote,
				    const struct desired_object *r)
{
	const char *reason;

	if (r->kind != RESOURCE_ROLE || r->absent || strcmp(r->cluster, remote->cluster) != 0 ||
	    !(reason = link_reason(r->body, remote->name)))
		return NULL;
	return user_holds(desired, r->cluster, r->name) ? reason : NULL;
}

/* Local user roles meant for the link that the far side lacks. */
static int check_near_roles(struct cluster_builder *b, const struct desired_object *remote,
			    const struct cluster_facts *far)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < b->desired->object_count; i++) {
		const struct desired_object *r = &b->desired->objects[i];
		const char *reason = near_role_reason(b->desired, remote, r);

		if (!reason || has_role(b, far, r->name))
			continue;
		err = builder_add_warning(b, "remote-role-missing: role [%s] on [%s] is meant for remote [%s] (it "
					  "%s), but [%s] has no role named [%s] and resolves the local user's role "
					  "names against its own roles; declare roles.%s.%s", r->name, remote->cluster,
					  remote->name, reason, remote->remote_cluster, r->name, remote->remote_cluster,
					  r->name);
	}
	return err;
}

int plan_link_roles(cJSON **out, const struct desired_state *desired, const struct live_cluster *lc)
{
	const cJSON *live_roles = lc->objects[RESOURCE_ROLE];
	cJSON *names = cJSON_CreateObject();
	size_t i, j;
	int err = names ? 0 : -ENOMEM;

	*out = NULL;
	for (i = 0; !err && i < desired->object_count; i++) {
		const struct desired_object *remote = &desired->objects[i];

		if (remote->kind != RESOURCE_REMOTE || remote->absent || !remote->remote_cluster ||
		    strcmp(remote->remote_cluster, lc->cluster_id) != 0)
			continue;
		for (j = 0; !err && j < desired->object_count; j++) {
			const struct desired_object *r = &desired->objects[j];

			if (!near_role_reason(desired, remote, r) ||
			    !cJSON_GetObjectItemCaseSensitive(live_roles, r->name) ||
			    cJSON_GetObjectItemCaseSensitive(names, r->name))
				continue;
			if (!cJSON_AddTrueToObject(names, r->name))
				err = -ENOMEM;
		}
	}
	if (err) {
		cJSON_Delete(names);
		return err;
	}
	*out = names;
	return 0;
}

int plan_check_links(struct cluster_builder *b)
{
	const struct cluster_facts *far;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < b->desired->object_count; i++) {
		const struct desired_object *remote = &b->desired->objects[i];

		if (remote->kind != RESOURCE_REMOTE || remote->absent || !remote->remote_cluster ||
		    strcmp(remote->cluster, b->lc->cluster_id) != 0)
			continue;
		err = check_far_roles(b, remote);
		/* the far side's live roles are needed: unread, a role may well exist there */
		far = builder_find_facts(b, remote->remote_cluster);
		if (!err && far && far->reachable)
			err = check_near_roles(b, remote, far);
	}
	return err;
}
