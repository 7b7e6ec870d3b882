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
#include <stdlib.h>
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

/* The role names that declared (present) users of the cluster hold, in *held. */
static int index_held_roles(struct strmap *held, const struct desired_state *desired, const char *cluster)
{
	const struct desired_object *const *users;
	size_t count = desired_cluster_objects(desired, cluster, RESOURCE_USER, &users), i;
	int err = 0;

	for (i = 0; !err && i < count; i++)
		if (!users[i]->absent)
			err = strmap_put_names(held, cJSON_GetObjectItemCaseSensitive(users[i]->body, "roles"));
	return err;
}

/* Whether the far cluster holds a role of that name: declared present, or
 * live (among the names its facts kept: those the link checks ask about). */
static bool has_role(const struct cluster_builder *b, const struct cluster_facts *far, const char *name)
{
	const struct desired_object *d = desired_find_object(b->desired, RESOURCE_ROLE, far->live->cluster_id, name);

	if (d)
		return !d->absent;
	return cJSON_GetObjectItemCaseSensitive(far->link_roles, name) != NULL;
}

/* Far-side roles that grant cross-cluster reading to role names no local user
 * has (held: the role names the local users hold). */
static int check_far_roles(struct cluster_builder *b, const struct desired_object *remote,
			   const struct strmap *held)
{
	const struct desired_object *const *roles;
	size_t count = desired_cluster_objects(b->desired, remote->remote_cluster, RESOURCE_ROLE, &roles), i;
	int err = 0;

	for (i = 0; !err && i < count; i++) {
		const struct desired_object *r = roles[i];
		const char *grant;

		if (r->absent || !(grant = cross_cluster_grant(r->body)) || strmap_get(held, r->name, NULL))
			continue;
		err = builder_add_warning(b, "remote-role-unused: role [%s] on [%s] grants %s for remote [%s] of [%s], "
					  "but no user on [%s] has a role named [%s], and [%s] resolves the local "
					  "user's role names; give a user on [%s] the role [%s]", r->name,
					  remote->remote_cluster, grant, remote->name, remote->cluster, remote->cluster,
					  r->name, remote->remote_cluster, remote->cluster, r->name);
	}
	return err;
}

/* Why r, a role of the remote's cluster, is meant for the link (so the far
 * side needs a role of its name) when a user of that cluster holds it (held:
 * the role names they hold); NULL when it is not. */
static const char *near_role_reason(const struct desired_object *remote, const struct desired_object *r,
				    const struct strmap *held)
{
	const char *reason;

	if (r->absent || !(reason = link_reason(r->body, remote->name)))
		return NULL;
	return strmap_get(held, r->name, NULL) ? reason : NULL;
}

/* Local user roles meant for the link that the far side lacks. */
static int check_near_roles(struct cluster_builder *b, const struct desired_object *remote,
			    const struct cluster_facts *far, const struct strmap *held)
{
	const struct desired_object *const *roles;
	size_t count = desired_cluster_objects(b->desired, remote->cluster, RESOURCE_ROLE, &roles), i;
	int err = 0;

	for (i = 0; !err && i < count; i++) {
		const struct desired_object *r = roles[i];
		const char *reason = near_role_reason(remote, r, held);

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

/* Adds to names the live roles of lc (live: their index) that the roles of
 * remote's cluster meant for the link (held: the role names its users hold)
 * ask about; added keeps names' keys so that each is added once. */
static int add_link_roles(cJSON *names, struct strmap *added, const struct desired_state *desired,
			  const struct desired_object *remote, const struct strmap *live, const struct strmap *held)
{
	const struct desired_object *const *roles;
	size_t count = desired_cluster_objects(desired, remote->cluster, RESOURCE_ROLE, &roles), i;
	const cJSON *name;
	int err = 0;

	for (i = 0; !err && i < count; i++) {
		const struct desired_object *r = roles[i];

		if (!near_role_reason(remote, r, held) || !strmap_get(live, r->name, NULL) ||
		    strmap_get(added, r->name, NULL))
			continue;
		if (!(name = cJSON_AddTrueToObject(names, r->name)))
			err = -ENOMEM;
		else
			err = strmap_put(added, name->string, 1);
	}
	return err;
}

int plan_link_roles(cJSON **out, const struct desired_state *desired, const struct live_cluster *lc)
{
	struct strmap live = { 0 }, added = { 0 }, held = { 0 };
	bool live_indexed = false;
	cJSON *names = cJSON_CreateObject();
	size_t c, i;
	int err = names ? 0 : -ENOMEM;

	*out = NULL;
	for (c = 0; !err && c < desired->cluster_count; c++) {
		const struct desired_object *const *remotes;
		size_t count = desired_cluster_objects(desired, desired->clusters[c].id, RESOURCE_REMOTE, &remotes);
		bool held_indexed = false;

		for (i = 0; !err && i < count; i++) {
			const struct desired_object *remote = remotes[i];

			if (remote->absent || !remote->remote_cluster || strcmp(remote->remote_cluster, lc->cluster_id) != 0)
				continue;
			if (!live_indexed && (err = strmap_put_names(&live, lc->objects[RESOURCE_ROLE])))
				break;
			live_indexed = true;
			if (!held_indexed && (err = index_held_roles(&held, desired, remote->cluster)))
				break;
			held_indexed = true;
			err = add_link_roles(names, &added, desired, remote, &live, &held);
		}
		strmap_dispose(&held);
	}
	strmap_dispose(&live);
	strmap_dispose(&added);
	if (err) {
		cJSON_Delete(names);
		return err;
	}
	*out = names;
	return 0;
}

int plan_check_links(struct cluster_builder *b)
{
	const struct desired_object *const *remotes;
	const struct cluster_facts *far;
	size_t count = desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_REMOTE, &remotes), i;
	struct strmap held = { 0 };
	bool held_indexed = false;
	int err = 0;

	for (i = 0; !err && i < count; i++) {
		const struct desired_object *remote = remotes[i];

		if (remote->absent || !remote->remote_cluster)
			continue;
		if (!held_indexed && (err = index_held_roles(&held, b->desired, b->lc->cluster_id)))
			break;
		held_indexed = true;
		err = check_far_roles(b, remote, &held);
		/* the far side's live roles are needed: unread, a role may well exist there */
		far = builder_find_facts(b, remote->remote_cluster);
		if (!err && far && far->live->reachable)
			err = check_near_roles(b, remote, far, &held);
	}
	strmap_dispose(&held);
	return err;
}
