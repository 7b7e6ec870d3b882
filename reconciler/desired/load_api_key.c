/* load_api_key: remotes.<cluster>.<alias>.security and .api_key. A remote with
 * `security: api_key` authenticates with a cross-cluster API key that lives on
 * the cluster its `cluster:` names; the loader adds that key as an object of
 * its own kind there, checked as CrossClusterApiKeyRoleDescriptorBuilder
 * checks the `access` of POST /_security/cross_cluster/api_key. */
#include "desired/loader_internal.h"

#include <string.h>

#include "util/duration.h"

/* The metadata keys esreconcile stamps on every key it writes (plan/api_keys.c). */
static bool stamped_key(const char *key)
{
	return !strcmp(key, "managed_by") || !strncmp(key, "esreconcile_", 12);
}

/* search[] and replication[] entries: replication takes names only. */
static void check_access_entry(struct loader *l, const struct ynode *entry, const struct path *p,
			       bool search)
{
	static const char *const keys[] = { "names", "query", "field_security", "allow_restricted_indices" };

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, search ? COUNT(keys) : 1);
	check_index_grant(l, entry, p);
}

/* access: {search: [...], replication: [...]}, at least one entry in all. */
static void check_access(struct loader *l, const struct ynode *access, const struct path *p)
{
	static const char *const keys[] = { "search", "replication" };
	const struct ynode *list;
	struct path child, item;
	size_t i, j, entries = 0;

	if (!want_kind(l, access, p, YNODE_MAP))
		return;
	check_keys(l, access, p, keys, COUNT(keys));
	for (i = 0; i < COUNT(keys); i++) {
		if (!(list = ynode_get(access, keys[i])))
			continue;
		path_child(&child, p, keys[i]);
		if (!want_kind(l, list, &child, YNODE_SEQ))
			return;
		for (j = 0; j < list->count; j++) {
			path_index(&item, &child, j);
			check_access_entry(l, list->items[j], &item, i == 0);
		}
		entries += list->count;
	}
	if (!entries)
		report(l, access, "invalid-value", "add search: [{names: [...]}] or replication: [{names: [...]}]",
		       "must specify non-empty access for either [search] or [replication]");
}

static void check_expiration(struct loader *l, const struct ynode *node, const struct path *p)
{
	struct buf why;
	long long ns;

	if (!want_string(l, node, p) || node->placeholder)
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (duration_check(&ns, node->text, "expiration", &why))
		report_bad_time(l, node, &why);
	else if (ns <= 0)
		report(l, node, "invalid-value", "write a time value such as 90d, or leave expiration out "
		       "for a key that never expires", "[%s] must be positive", p->text);
	buf_dispose(&why);
}

static void check_api_key_body(struct loader *l, const struct ynode *api_key, const struct path *p)
{
	static const char *const keys[] = { "access", "expiration", "metadata" };
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, api_key, p, YNODE_MAP))
		return;
	check_keys(l, api_key, p, keys, COUNT(keys));
	if (!(node = ynode_get(api_key, "access"))) {
		missing_key(l, api_key, p, "access", "e.g. access: {search: [{names: [logs-*]}]}");
	} else {
		path_child(&child, p, "access");
		check_access(l, node, &child);
	}
	if ((node = ynode_get(api_key, "expiration"))) {
		path_child(&child, p, "expiration");
		check_expiration(l, node, &child);
	}
	if ((node = ynode_get(api_key, "metadata"))) {
		path_child(&child, p, "metadata");
		check_metadata(l, node, &child, "API key metadata keys may not start with [_]");
		for (i = 0; node->kind == YNODE_MAP && i < node->count; i++)
			if (stamped_key(node->pairs[i].key->text))
				report(l, node->pairs[i].key, "reserved-metadata-key",
				       "esreconcile writes managed_by and esreconcile_* itself",
				       "metadata key [%s] is reserved for esreconcile's marks",
				       node->pairs[i].key->text);
	}
}

/* The key's object on the remote's cluster, named "<cluster>/<alias>": added
 * after the remote (which load_entry() finishes), interned and indexed here.
 * Its cluster and key_* names are the remote's, interned already. */
static void add_key_object(struct loader *l, size_t remote_at, const struct ynode *api_key)
{
	struct json_path where = { NULL, NULL, 0 };
	cJSON *body = cJSON_CreateObject(), *sensitive = cJSON_CreateArray(), *json;
	const struct desired_object *remote;
	struct desired_object *o;
	struct buf name;
	size_t i;

	buf_init(&name, BUF_SMALL_MAX);
	if (!body || !sensitive)
		oom(l);
	for (i = 0; i < api_key->count && !l->err; i++) {
		where.key = api_key->pairs[i].key->text;
		json = to_json(l, api_key->pairs[i].value, &where, sensitive);
		if (!json || !cJSON_AddItemToObject(body, where.key, json)) {
			cJSON_Delete(json);
			oom(l);
		}
	}
	/* the append may move the array that holds the remote */
	o = l->err ? NULL : append_zeroed(l, &l->state->objects, &l->state->object_count, sizeof(*o));
	if (!o)
		goto done;
	remote = &l->state->objects[remote_at];
	o->kind = RESOURCE_API_KEY;
	o->key_cluster = remote->cluster;
	o->key_alias = remote->name;
	o->pos = remote->pos;
	if (buf_printf(&name, "%s/%s", remote->cluster, remote->name) ||
	    desired_state_intern_name(l->state, remote->remote_cluster, &o->cluster) ||
	    desired_state_intern_name(l->state, name.data, &o->name)) {
		oom(l);
		goto done;
	}
	finish_object(l, l->state->object_count - 1, &body, &sensitive);
done:
	cJSON_Delete(body);
	cJSON_Delete(sensitive);
	buf_dispose(&name);
}

void load_remote_security(struct loader *l, struct desired_object *o, const struct ynode *body,
			  const struct path *p)
{
	static const char *const choices[] = { "certificate", "api_key" };
	const struct ynode *security = ynode_get(body, "security"), *api_key = ynode_get(body, "api_key");
	const char *value = NULL;
	struct path child;

	if (security) {
		path_child(&child, p, "security");
		value = want_enum(l, security, &child, choices, COUNT(choices));
		if (!value)
			return;
	}
	o->security = value && !strcmp(value, "api_key") ? REMOTE_SECURITY_API_KEY : REMOTE_SECURITY_CERTIFICATE;
	o->security_declared = value != NULL;
	if (o->security != REMOTE_SECURITY_API_KEY) {
		if (api_key)
			report(l, api_key, "conflicting-keys", "add security: api_key, or remove api_key",
			       "remote [%s] on cluster [%s] has an api_key but uses certificate security",
			       o->name, o->cluster);
		return;
	}
	if (!o->remote_cluster) {
		report(l, security, "missing-key", "add cluster: ID naming the declared cluster that holds the key",
		       "remote [%s] on cluster [%s] uses security: api_key and needs cluster: the cluster "
		       "that creates its cross-cluster API key", o->name, o->cluster);
		return;
	}
	if (!strcmp(o->remote_cluster, o->cluster)) {
		report(l, security, "invalid-value", NULL,
		       "remote [%s] on cluster [%s] points at its own cluster: a cross-cluster API key "
		       "connects two clusters", o->name, o->cluster);
		return;
	}
	if (!api_key) {
		missing_key(l, body, p, "api_key", "e.g. api_key: {access: {search: [{names: [logs-*]}]}}");
		return;
	}
	path_child(&child, p, "api_key");
	check_api_key_body(l, api_key, &child);
	if (api_key->kind == YNODE_MAP)
		add_key_object(l, (size_t)(o - l->state->objects), api_key);
}

const struct desired_kind desired_api_key_kind = { .load = NULL };
