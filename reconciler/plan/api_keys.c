/* api_keys: the cross-cluster API keys of the remotes with security: api_key.
 *
 * A key lives on the cluster its remote points at (the remote's `cluster:`) and
 * is named esreconcile-<owner>-<local cluster>-<alias>; its metadata carries
 * the owner, the local cluster and the alias, and that is how the planner
 * finds it (dashes make a name ambiguous, the metadata is not). Plans call the
 * key "<local cluster>/<alias>", and a key that a rotation superseded
 * "<local cluster>/<alias>@<id>". One GET lists a cluster's keys, made only
 * where a declared key lives (es/live_read.c).
 *
 * Elasticsearch shows a key's secret once, in the answer to its creation: the
 * create request is marked hand_off, and apply passes that secret to the
 * command, which writes the credentials file. The local cluster reads the key
 * only from its nodes' keystores, which no API writes: until _remote/info shows
 * cluster_credentials for the alias, the plan carries a `!` problem naming that
 * manual step. Pure. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es/path.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"
#include "util/hostport.h"

#define LOCAL_CLUSTER_KEY "esreconcile_local_cluster"
#define ALIAS_KEY "esreconcile_alias"
#define CREATE_PATH "/_security/cross_cluster/api_key"

/* Creating, updating and invalidating cross-cluster keys. */
static const char *const key_privileges[] = { "manage_security", NULL };
/* Security.ADVANCED_REMOTE_CLUSTER_SECURITY_FEATURE is an enterprise feature. */
static const char *const key_licenses[] = { "enterprise", "trial", NULL };

static const char *metadata_string(const cJSON *key, const char *field)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(key, "metadata"),
							     field);

	return cJSON_IsString(value) ? value->valuestring : NULL;
}

static const char *string_of(const cJSON *object, const char *field)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, field);

	return cJSON_IsString(value) ? value->valuestring : NULL;
}

static double number_of(const cJSON *object, const char *field)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, field);

	return cJSON_IsNumber(value) ? value->valuedouble : 0;
}

/* Whether a live key is one of this owner's, for local cluster and alias
 * (either may be NULL: any). */
static bool owned_key(const cJSON *key, const char *owner, const char *local, const char *alias)
{
	const char *holder = plan_metadata_owner(key), *type = string_of(key, "type");
	const char *key_local = metadata_string(key, LOCAL_CLUSTER_KEY), *key_alias = metadata_string(key, ALIAS_KEY);

	return holder && !strcmp(holder, owner) && type && !strcmp(type, "cross_cluster") &&
	       !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "invalidated")) && key_local && key_alias &&
	       (!local || !strcmp(local, key_local)) && (!alias || !strcmp(alias, key_alias));
}

static const cJSON *live_keys(const struct live_cluster *lc)
{
	return cJSON_GetObjectItemCaseSensitive(lc->objects[RESOURCE_API_KEY], "api_keys");
}

/* How many active keys of this owner the cluster holds for local/alias. */
static size_t count_keys(const struct cluster_builder *b, const char *local, const char *alias)
{
	const cJSON *key;
	size_t count = 0;

	cJSON_ArrayForEach(key, live_keys(b->lc))
		count += owned_key(key, b->owner, local, alias);
	return count;
}

/* Adds a reference to key under its plan name; of two keys for one alias the
 * newer is the alias's key and the older is named name@id (superseded). */
static int add_live_key(cJSON *out, const cJSON *key)
{
	char name[1200], old_name[1400];
	cJSON *existing, *moved;
	const char *id;

	snprintf(name, sizeof(name), "%s/%s", metadata_string(key, LOCAL_CLUSTER_KEY), metadata_string(key, ALIAS_KEY));
	existing = cJSON_GetObjectItemCaseSensitive(out, name);
	if (existing && number_of(existing, "creation") > number_of(key, "creation")) {
		id = string_of(key, "id");
		snprintf(old_name, sizeof(old_name), "%s@%s", name, id ? id : "?");
		return cJSON_AddItemReferenceToObject(out, old_name, (cJSON *)key) ? 0 : -ENOMEM;
	}
	if (existing) {
		id = string_of(existing, "id");
		snprintf(old_name, sizeof(old_name), "%s@%s", name, id ? id : "?");
		moved = cJSON_DetachItemViaPointer(out, existing);
		if (!cJSON_AddItemToObject(out, old_name, moved)) {
			cJSON_Delete(moved);
			return -ENOMEM;
		}
	}
	return cJSON_AddItemReferenceToObject(out, name, (cJSON *)key) ? 0 : -ENOMEM;
}

/* A `!` problem (reason, owned by the caller) on every key declared on this cluster. */
static int problem_on_declared(struct cluster_builder *b, const char *reason)
{
	const struct desired_object *const *keys;
	size_t count = desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_API_KEY, &keys), i;
	int err = reason ? 0 : -ENOMEM;

	for (i = 0; !err && i < count; i++)
		err = builder_add_problem(b, RESOURCE_API_KEY, keys[i]->name,
					  "the key of remote [%s] of cluster [%s] (security: api_key): %s",
					  keys[i]->key_alias, keys[i]->key_cluster, reason);
	return err;
}

static bool declares_keys(const struct cluster_builder *b)
{
	const struct desired_object *const *keys;

	return desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_API_KEY, &keys) > 0;
}

/* What keeps a cluster from holding keys, as a sentence the caller frees; NULL
 * in *out when nothing does. */
static int holder_unfit(char **out, const struct live_cluster *lc)
{
	const char *type = plan_license_type(lc);

	*out = NULL;
	if (!live_version_at_least(lc, 8, 14))
		*out = buf_format("cluster [%s] runs %s; cross-cluster API keys and the remote cluster server "
				  "need 8.14 or later on both clusters: upgrade it", lc->cluster_id,
				  lc->version ? lc->version : "an unknown version");
	else if (!plan_license_allows(lc, key_licenses))
		*out = buf_format("the [%s] licence of cluster [%s] does not allow API-key remote clusters "
				  "(advanced-remote-cluster-security is an enterprise feature): install an "
				  "enterprise licence or start a trial (POST /_license/start_trial?acknowledge=true)",
				  type ? type : "current", lc->cluster_id);
	else
		return 0;
	return *out ? 0 : -ENOMEM;
}

/* This owner's live keys as {plan name: key}. Returns 1 after a problem on
 * each declared key when the cluster cannot hold them. */
static int api_key_read_live(cJSON **out, struct cluster_builder *b)
{
	const cJSON *key;
	char *reason = NULL;
	int err;

	*out = NULL;
	if (declares_keys(b)) {
		if ((err = holder_unfit(&reason, b->lc)))
			return err;
		if (!reason && cJSON_IsArray(b->lc->remote_cluster_server) &&
		    !cJSON_GetArraySize(b->lc->remote_cluster_server) &&
		    !(reason = buf_format("cluster [%s] has no remote cluster server (GET "
					  "/_nodes/remote_cluster_server lists none): set "
					  "remote_cluster_server.enabled: true in the elasticsearch.yml of its "
					  "nodes and restart them", b->lc->cluster_id)))
			return -ENOMEM;
		if (reason) {
			err = problem_on_declared(b, reason);
			free(reason);
			return err ? err : 1;
		}
	}
	*out = cJSON_CreateObject();
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(key, live_keys(b->lc))
		if (owned_key(key, b->owner, NULL, NULL) && (err = add_live_key(*out, key)))
			return err;
	return 0;
}

/* access with its index entries compared as role indices are, and metadata;
 * the name and the expiration do not compare (a key is renamed by nobody, and
 * an expiration is a moment live but a duration declared: rotation keeps it). */
static int api_key_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc)
{
	const cJSON *access = cJSON_GetObjectItemCaseSensitive(body, "access");
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(body, "metadata");
	cJSON *norm = cJSON_CreateObject(), *copy;
	int err = norm ? 0 : -ENOMEM;

	(void)lc;
	if (!err && cJSON_IsObject(access)) {
		copy = cJSON_Duplicate(access, 1);
		if (!copy || !cJSON_AddItemToObject(norm, "access", copy)) {
			cJSON_Delete(copy);
			err = -ENOMEM;
		}
		if (!err)
			err = plan_normalize_index_entries(copy, "search");
		if (!err)
			err = plan_normalize_index_entries(copy, "replication");
	}
	if (!err && cJSON_IsObject(metadata) && metadata->child) {
		copy = cJSON_Duplicate(metadata, 1);
		if (!copy || !cJSON_AddItemToObject(norm, "metadata", copy)) {
			cJSON_Delete(copy);
			err = -ENOMEM;
		}
	}
	if (err) {
		cJSON_Delete(norm);
		norm = NULL;
	}
	*out = norm;
	return err;
}

static bool api_key_prunable(const char *name, const cJSON *live)
{
	(void)name;
	(void)live;
	return true; /* api_key_read_live keeps only this owner's keys */
}

static const char *api_key_owner_of(const struct cluster_builder *b, const char *name, const cJSON *live)
{
	(void)b;
	(void)name;
	return plan_metadata_owner(live);
}

/* The declared body stamped with the marks (managed_by, the owner, the local
 * cluster and the alias); a new key's body starts with its name. */
static int key_body(cJSON **out, const struct cluster_builder *b, const struct desired_object *d, bool create)
{
	cJSON *stamped = NULL, *metadata, *body = NULL;
	char *name = NULL;
	int err = plan_stamp_managed(&stamped, d->body, b->owner);

	*out = NULL;
	if (err)
		return err;
	metadata = cJSON_GetObjectItemCaseSensitive(stamped, "metadata");
	if (!cJSON_AddStringToObject(metadata, LOCAL_CLUSTER_KEY, d->key_cluster) ||
	    !cJSON_AddStringToObject(metadata, ALIAS_KEY, d->key_alias))
		goto nomem;
	if (!create) {
		*out = stamped;
		return 0;
	}
	name = buf_format("esreconcile-%s-%s-%s", b->owner, d->key_cluster, d->key_alias);
	body = cJSON_CreateObject();
	if (!name || !body || !cJSON_AddStringToObject(body, "name", name))
		goto nomem;
	while (stamped->child) {
		cJSON *item = stamped->child;
		char *key = item->string;

		item->string = NULL;
		cJSON_DetachItemViaPointer(stamped, item);
		if (!cJSON_AddItemToObject(body, key, item)) {
			free(key);
			cJSON_Delete(item);
			goto nomem;
		}
		free(key);
	}
	free(name);
	cJSON_Delete(stamped);
	*out = body;
	return 0;
nomem:
	free(name);
	cJSON_Delete(body);
	cJSON_Delete(stamped);
	return -ENOMEM;
}

static int api_key_desired_body(cJSON **out, char **problem_out, struct cluster_builder *b,
				const struct desired_object *d, const cJSON *live)
{
	*problem_out = NULL;
	return key_body(out, b, d, !live);
}

/* POST a new key (live NULL; its answer holds the secret to hand over) or PUT
 * the access and metadata of the live one in place (same id). */
static int api_key_write(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
			 const cJSON *live, size_t change)
{
	struct plan_request r = { 0 };
	cJSON *sent = NULL, *redacted = NULL;
	char *id = NULL;
	int err;

	if (live) {
		id = es_escape_path_segment(string_of(live, "id") ? string_of(live, "id") : "");
		sent = cJSON_Duplicate(body, 1);
		err = id && sent ? request_init(&r, STEP_API_KEYS, "PUT") : -ENOMEM;
		if (!err)
			err = request_set_path(&r, CREATE_PATH "/%s", id);
		/* the expiration stays: a new one comes with a rotation */
		cJSON_DeleteItemFromObjectCaseSensitive(sent, "expiration");
	} else {
		err = request_init(&r, STEP_API_KEYS, "POST");
		if (!err)
			err = request_set_path(&r, CREATE_PATH);
		r.idempotent = false; /* sent twice, it makes two keys */
		r.hand_off = true;
	}
	if (!err)
		err = redact_into_request(&redacted, &r, sent ? sent : body, d->sensitive_paths, "");
	if (!err) {
		err = builder_push_single(b, &r, redacted, change);
		redacted = NULL;
	}
	request_dispose(&r);
	cJSON_Delete(redacted);
	cJSON_Delete(sent);
	free(id);
	return err;
}

/* DELETE /_security/api_key {"ids": [id]}: invalidates the key. */
static int api_key_remove(struct cluster_builder *b, const char *name, const cJSON *live, size_t change)
{
	struct plan_request r = { 0 };
	cJSON *body = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(body, "ids");
	const char *id = string_of(live, "id");
	int err = body && ids && id && cJSON_AddItemToArray(ids, cJSON_CreateString(id)) ? 0 : -ENOMEM;

	(void)name;
	if (!err)
		err = request_init(&r, STEP_API_KEYS, "DELETE");
	if (!err)
		err = request_set_path(&r, "/_security/api_key");
	if (!err) {
		err = builder_push_single(b, &r, body, change);
		body = NULL;
	}
	request_dispose(&r);
	cJSON_Delete(body);
	return err;
}

/* The alias's entry of the local cluster's GET /_remote/info, or NULL. */
static const cJSON *remote_info_of(const struct live_cluster *local, const char *alias)
{
	return local ? cJSON_GetObjectItemCaseSensitive(local->remote_info, alias) : NULL;
}

static bool has_credentials(const cJSON *info)
{
	return cJSON_GetObjectItemCaseSensitive(info, "cluster_credentials") != NULL;
}

/* Why the key should be replaced now, or NULL: --rotate-keys, or an
 * expiration nearer than policy.api_key_rotate_before. */
static const char *rotation_reason(const struct cluster_builder *b, const cJSON *live)
{
	double expiration = number_of(live, "expiration");

	if (b->desired->policy.rotate_keys)
		return "--rotate-keys";
	if (expiration > 0 && expiration - (double)b->lc->read_at_ms <
				      (double)b->desired->policy.api_key_rotate_before_ms)
		return "it expires within policy.api_key_rotate_before";
	return NULL;
}

/* A new key beside the live one; the old one stays valid until the keystore
 * step is done and `apply --retire-keys` invalidates it. */
static int plan_rotation(struct cluster_builder *b, const struct desired_object *d, const cJSON *live,
			 const char *reason)
{
	cJSON *body = NULL, *before = NULL, *after = NULL;
	size_t index;
	int err = key_body(&body, b, d, true);

	if (!err)
		err = builder_add_change(b, RESOURCE_API_KEY, d->name, ACTION_CREATE, &index);
	if (!err) {
		before = cJSON_CreateString(string_of(live, "id") ? string_of(live, "id") : "?");
		after = cJSON_CreateString(reason);
		err = before && after ? change_add_field(builder_change(b, index), "replaces", before, after, false)
				      : -ENOMEM;
	}
	if (!err)
		err = change_add_body_fields(builder_change(b, index), body, d->sensitive_paths);
	if (!err)
		err = api_key_write(b, d, body, NULL, index);
	cJSON_Delete(before);
	cJSON_Delete(after);
	cJSON_Delete(body);
	return err;
}

/* A key superseded by a rotation (name@id, pruned) is invalidated only with
 * --retire-keys, and only once the local cluster holds credentials for the
 * alias and is connected: Elasticsearch cannot tell which key a cluster's
 * keystore holds, so the operator says the keystore step is done. */
static int guard_superseded(struct cluster_builder *b, const char *name)
{
	char local[600], *at, *slash;
	const struct live_cluster *lc;
	const cJSON *info;
	int err;

	snprintf(local, sizeof(local), "%s", name);
	at = strchr(local, '@');
	if (at)
		*at = '\0';
	slash = strchr(local, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	lc = builder_find_live(b, local);
	info = remote_info_of(lc, slash + 1);
	if (b->desired->policy.retire_keys && has_credentials(info) &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "connected")))
		return 0;
	err = builder_add_problem(b, RESOURCE_API_KEY, name,
				  "a rotation replaced this key of remote [%s] of cluster [%s]; it stays valid "
				  "until the keystore step of the new key is done (manual: every node of [%s] "
				  "holds the new cluster.remote.%s.credentials and reloaded them), then `apply "
				  "--retire-keys` invalidates it%s", slash + 1, local, local, slash + 1,
				  !lc ? " (add that cluster to --cluster)"
				  : has_credentials(info) ? "" : "; the alias has no credentials loaded yet");
	return err ? err : 1;
}

static int api_key_guard(struct cluster_builder *b, const struct desired_object *d, const char *name,
			 const cJSON *live)
{
	const struct live_cluster *local;
	const char *reason;
	char *unfit = NULL;
	int err;

	if (!d)
		return strchr(name, '@') ? guard_superseded(b, name) : 0;
	local = builder_find_live(b, d->key_cluster);
	if (local && local->reachable && (err = holder_unfit(&unfit, local)))
		return err;
	if (unfit) {
		err = builder_add_problem(b, RESOURCE_API_KEY, name, "the key of remote [%s] of cluster [%s] "
					  "(security: api_key): %s", d->key_alias, d->key_cluster, unfit);
		free(unfit);
		return err ? err : 1;
	}
	/* one rotation at a time: a key already superseded waits for --retire-keys */
	if (live && (reason = rotation_reason(b, live)) && count_keys(b, d->key_cluster, d->key_alias) == 1) {
		err = plan_rotation(b, d, live, reason);
		return err ? err : 1;
	}
	return 0;
}

/* Only where they were read, so that the fingerprint of a cluster without
 * API-key remotes stays what it was before they existed. */
static int api_key_fingerprint(cJSON *doc, const struct live_cluster *lc)
{
	int err = 0;

	if (lc->objects[RESOURCE_API_KEY])
		err = fingerprint_add_reference(doc, "api_keys", lc->objects[RESOURCE_API_KEY]);
	if (!err && lc->remote_cluster_server)
		err = fingerprint_add_reference(doc, "remote_cluster_server", lc->remote_cluster_server);
	return err;
}

/* The manual step of each declared remote of this cluster whose credentials
 * the keystore does not hold as its security says. */
static int api_key_finish(struct cluster_builder *b)
{
	const struct desired_object *const *remotes;
	size_t count = desired_cluster_objects(b->desired, b->lc->cluster_id, RESOURCE_REMOTE, &remotes), i;
	int err = 0;

	for (i = 0; !err && i < count; i++) {
		const struct desired_object *d = remotes[i];
		const cJSON *info;

		if (d->absent)
			continue;
		info = remote_info_of(b->lc, d->name);
		if (d->security == REMOTE_SECURITY_API_KEY && !has_credentials(info))
			err = builder_add_problem(b, RESOURCE_REMOTE, d->name,
						  "manual step: remote [%s] authenticates with a cross-cluster API key "
						  "that the keystore of cluster [%s] does not hold yet: on every node run "
						  "`bin/elasticsearch-keystore add cluster.remote.%s.credentials` with the "
						  "key from the file %s.%s.credentials that `apply --credentials-out DIR` "
						  "wrote, then POST /_nodes/reload_secure_settings (or `apply "
						  "--reload-secure-settings`); a live alias keeps its addresses until then, "
						  "and the next apply points it at the remote cluster server of [%s]",
						  d->name, d->cluster, d->name, d->cluster, d->name, d->remote_cluster);
		else if (d->security != REMOTE_SECURITY_API_KEY && has_credentials(info))
			err = builder_add_problem(b, RESOURCE_REMOTE, d->name,
						  "manual step: remote [%s] uses certificate security, but cluster [%s] "
						  "holds API-key credentials for it, which make it connect to a remote "
						  "cluster server: on every node run `bin/elasticsearch-keystore remove "
						  "cluster.remote.%s.credentials`, then POST /_nodes/reload_secure_settings; "
						  "the alias keeps its addresses until then",
						  d->name, d->cluster, d->name);
	}
	return err;
}

/* ---- the api_key remote's addresses ---- */

/* The port of a "host:port" address, or -1. */
static int port_of(const char *address)
{
	struct buf why;
	int port = -1;

	buf_init(&why, BUF_SMALL_MAX);
	if (hostport_parse(&port, address, &why))
		port = -1;
	buf_dispose(&why);
	return port;
}

/* The first declared address whose port is not one of the server's, or NULL. */
static const char *foreign_address(const cJSON *addresses, const cJSON *server)
{
	const cJSON *address, *known;

	cJSON_ArrayForEach(address, addresses) {
		bool found = false;

		if (!cJSON_IsString(address))
			continue;
		cJSON_ArrayForEach(known, server)
			if (cJSON_IsString(known) && port_of(known->valuestring) == port_of(address->valuestring))
				found = true;
		if (!found)
			return address->valuestring;
	}
	return NULL;
}

/* The live value of cluster.remote.<alias>.<key> (persistent, else transient), or NULL. */
static const cJSON *live_remote_setting(const struct live_cluster *lc, const char *alias, const char *key)
{
	static const char *const scopes[] = { "persistent", "transient" };
	const cJSON *value = NULL;
	char flat[700];
	size_t i;

	snprintf(flat, sizeof(flat), "cluster.remote.%s.%s", alias, key);
	for (i = 0; !value && i < 2; i++)
		value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lc->settings, scopes[i]), flat);
	return value;
}

static int replace_member(cJSON *body, const char *key, const cJSON *value)
{
	cJSON *copy = cJSON_Duplicate(value, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(body, key);
	if (!copy || !cJSON_AddItemToObject(body, key, copy)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	return 0;
}

int plan_api_key_remote_body(cJSON *body, char **problem_out, struct cluster_builder *b,
			     const struct desired_object *d)
{
	const struct live_cluster *target = builder_find_live(b, d->remote_cluster);
	const cJSON *server = target && target->reachable ? target->remote_cluster_server : NULL;
	const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(body, "seeds");
	const cJSON *proxy = cJSON_GetObjectItemCaseSensitive(body, "proxy_address");
	const char *key = proxy ? "proxy_address" : "seeds", *foreign;
	cJSON *declared = NULL;
	int err = 0;

	*problem_out = NULL;
	if (!cJSON_IsArray(server) || !cJSON_GetArraySize(server)) {
		if (seeds || proxy) /* declared, and nothing to check them against */
			return 0;
		*problem_out = buf_format("the seeds of remote [%s] (security: api_key) are the remote cluster "
					  "server addresses of cluster [%s], which %s", d->name, d->remote_cluster,
					  !target ? "was not read (add it to --cluster)"
					  : !target->reachable ? "is unreachable"
					  : !server ? "runs a version without a remote cluster server (8.14+ needed)"
					  : "has none: set remote_cluster_server.enabled: true in its elasticsearch.yml");
		return *problem_out ? 0 : -ENOMEM;
	}
	if (seeds || proxy) {
		declared = proxy ? cJSON_CreateArray() : NULL;
		if (proxy && (!declared || !cJSON_AddItemReferenceToArray(declared, (cJSON *)proxy))) {
			cJSON_Delete(declared);
			return -ENOMEM;
		}
		foreign = foreign_address(proxy ? declared : seeds, server);
		if (foreign)
			*problem_out = buf_format("remote [%s] uses security: api_key, so it connects to the remote "
						  "cluster server of cluster [%s] (GET /_nodes/remote_cluster_server: "
						  "port %d), but [%s] of its %s has another port: write the server's "
						  "address, or leave %s out to have it discovered", d->name,
						  d->remote_cluster, port_of(cJSON_GetArrayItem(server, 0)->valuestring),
						  foreign, key, key);
		cJSON_Delete(declared);
		if (foreign)
			return *problem_out ? 0 : -ENOMEM;
	} else {
		err = replace_member(body, "seeds", server);
	}
	return err;
}

/* Elastic's migration order: a live alias moves to the remote cluster server
 * only once the keystore holds its key, and back to the transport port only
 * once the key is out of it; api_key_finish names that step. */
int plan_hold_remote_addresses(cJSON *body, struct cluster_builder *b, const struct desired_object *d)
{
	const char *key = cJSON_GetObjectItemCaseSensitive(body, "proxy_address") ? "proxy_address" : "seeds";
	const cJSON *live_value = live_remote_setting(b->lc, d->name, key);
	bool api_key = d->security == REMOTE_SECURITY_API_KEY;

	if (!live_value || api_key == has_credentials(remote_info_of(b->lc, d->name)))
		return 0;
	return replace_member(body, key, live_value);
}

const struct kind_ops api_key_kind_ops = {
	.kind = RESOURCE_API_KEY,
	.privileges = key_privileges,
	.read_live = api_key_read_live,
	.normalize = api_key_normalize,
	.comparable = NULL,
	.prunable = api_key_prunable,
	.owner_of = api_key_owner_of,
	.guard = api_key_guard,
	.desired_body = api_key_desired_body,
	.extra_fields = NULL,
	.write = api_key_write,
	.remove = api_key_remove,
	.finish = api_key_finish,
	.settle = NULL,
	.fingerprint = api_key_fingerprint,
	.declare = NULL,
};
