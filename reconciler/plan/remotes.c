/* remotes: cluster.remote.<alias>.* settings, planned into the one
 * PUT /_cluster/settings per cluster (with the ownership ledger).
 *
 * Comparison is by effective value: a key absent on one side takes its
 * Elasticsearch default, so a declared key equal to its default and absent live
 * is no change, and a live key left out of the declaration is drift only when
 * its value differs from the default (the plan then nulls it, so the alias ends
 * up exactly as declared, as Terraform does for an attribute removed from a
 * resource). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired/remote_settings.h"
#include "es/path.h"
#include "plan/ledger.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"
#include "util/duration.h"

#define REMOTE_PREFIX "cluster.remote."

static char *lowercase_copy(const char *s)
{
	char *copy = plan_strdup(s), *p;

	for (p = copy; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return copy;
}

/* The normalised form of one value: enums lowercased, booleans and integers as
 * JSON values, times in nanoseconds, lists as sorted sets. A value that does
 * not parse stays as its text, so it still compares (and differs). */
static cJSON *normalize_value(const struct remote_setting *rk, const cJSON *value)
{
	char *text, number[32];
	cJSON *out = NULL;
	long long n;
	bool flag;
	int err;

	if (rk && rk->type == REMOTE_VALUE_HOSTPORT_LIST) {
		out = json_string_set(value, false, true, &err);
		return out ? out : (err ? NULL : cJSON_CreateNull());
	}
	if (rk && rk->type == REMOTE_VALUE_BOOL && !json_as_bool(value, &flag))
		return cJSON_CreateBool(flag);
	if (rk && rk->type == REMOTE_VALUE_INT && !json_as_long(value, &n))
		return cJSON_CreateNumber((double)n);
	text = json_scalar_text(value);
	if (!text)
		return cJSON_Duplicate(value, 1);
	if (rk && rk->type == REMOTE_VALUE_TIME && !duration_parse_ns(text, &n)) {
		snprintf(number, sizeof(number), "%lldns", n);
		out = cJSON_CreateString(number);
	} else if (rk && rk->type == REMOTE_VALUE_ENUM) {
		char *lower = lowercase_copy(text);

		out = lower ? cJSON_CreateString(lower) : NULL;
		free(lower);
	} else {
		out = cJSON_CreateString(text);
	}
	free(text);
	return out;
}

/* Whether a flat remote body (declared, or live) is in proxy mode. */
static bool proxy_mode(const cJSON *flat)
{
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(flat, "mode");

	return remote_mode_of(cJSON_IsString(mode) ? mode->valuestring : NULL) == REMOTE_MODE_PROXY;
}

int remote_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc)
{
	cJSON *norm = cJSON_CreateObject();
	const cJSON *item;
	enum remote_mode mode;
	size_t i;

	*out = NULL;
	if (!norm)
		return -ENOMEM;
	cJSON_ArrayForEach(item, body) {
		cJSON *value;

		if (!item->string || cJSON_IsNull(item))
			continue;
		value = normalize_value(remote_setting_find(item->string), item);
		if (!value || !cJSON_AddItemToObject(norm, item->string, value)) {
			cJSON_Delete(value);
			goto nomem;
		}
	}
	mode = proxy_mode(norm) ? REMOTE_MODE_PROXY : REMOTE_MODE_SNIFF;
	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		const struct remote_setting *rk = &remote_settings[i];
		const char *fallback = remote_setting_default(rk, lc ? lc->version_major : 0,
							      lc ? lc->version_minor : 0);
		cJSON *value, *text;

		/* a key left out means its default, for the keys of the remote's mode */
		if (!(rk->modes & mode) || !fallback || cJSON_GetObjectItemCaseSensitive(norm, rk->key))
			continue;
		text = cJSON_CreateString(fallback);
		value = text ? normalize_value(rk, text) : NULL;
		cJSON_Delete(text);
		if (!value || !cJSON_AddItemToObject(norm, rk->key, value)) {
			cJSON_Delete(value);
			goto nomem;
		}
	}
	*out = norm;
	return 0;
nomem:
	cJSON_Delete(norm);
	return -ENOMEM;
}

/* A value as the settings API documents it: booleans as JSON booleans, integers
 * as numbers, lists as arrays; anything else as written. */
static cJSON *typed_value(const char *key, const cJSON *value)
{
	const struct remote_setting *rk = remote_setting_find(key);
	long long n;
	bool flag;
	int err;

	if (rk && rk->type == REMOTE_VALUE_BOOL && !json_as_bool(value, &flag))
		return cJSON_CreateBool(flag);
	if (rk && rk->type == REMOTE_VALUE_INT && !json_as_long(value, &n))
		return cJSON_CreateNumber((double)n);
	if (rk && rk->type == REMOTE_VALUE_HOSTPORT_LIST && cJSON_IsString(value)) {
		cJSON *list = json_string_set(value, false, true, &err);

		if (list)
			return list;
	}
	return cJSON_Duplicate(value, 1);
}

/* ---- live ---- */

static int flatten_into(cJSON *flat, const cJSON *object, struct buf *prefix)
{
	const cJSON *item;
	size_t mark = prefix->len;
	int err = 0;

	cJSON_ArrayForEach(item, object) {
		if (!item->string)
			continue;
		prefix->len = mark;
		if (prefix->data)
			prefix->data[mark] = '\0';
		err = buf_printf(prefix, "%s%s", mark ? "." : "", item->string);
		if (err)
			break;
		if (cJSON_IsObject(item)) {
			err = flatten_into(flat, item, prefix);
		} else {
			cJSON *copy = cJSON_Duplicate(item, 1);

			if (!copy || !cJSON_AddItemToObject(flat, prefix->data, copy)) {
				cJSON_Delete(copy);
				err = -ENOMEM;
			}
		}
		if (err)
			break;
	}
	prefix->len = mark;
	if (prefix->data)
		prefix->data[mark] = '\0';
	return err;
}

/* Settings in flat form, whatever form they came in. */
static int flat_settings(cJSON **out, const cJSON *scope)
{
	struct buf prefix;
	int err;

	*out = cJSON_CreateObject();
	if (!*out)
		return -ENOMEM;
	buf_init(&prefix, BUF_SMALL_MAX);
	err = flatten_into(*out, scope, &prefix);
	buf_dispose(&prefix);
	if (err) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return err;
}

static cJSON *object_child(cJSON *parent, const char *key)
{
	cJSON *child = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (child)
		return child;
	child = cJSON_CreateObject();
	if (child && !cJSON_AddItemToObject(parent, key, child)) {
		cJSON_Delete(child);
		return NULL;
	}
	return child;
}

static int add_copy(cJSON *object, const char *key, const cJSON *value)
{
	cJSON *copy = value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull();

	if (!copy || !cJSON_AddItemToObject(object, key, copy)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	return 0;
}

/* Files the remote keys of one settings scope under {alias: {scope: {key: v}, "settings": merged}}. */
static int collect_scope(cJSON *remotes, const cJSON *flat, const char *scope)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, flat) {
		const char *alias, *dot;
		char *alias_name;
		cJSON *remote, *scoped, *merged;
		int err;

		if (!item->string || strncmp(item->string, REMOTE_PREFIX, strlen(REMOTE_PREFIX)) != 0)
			continue;
		alias = item->string + strlen(REMOTE_PREFIX);
		dot = strchr(alias, '.');
		if (!dot || dot == alias || !dot[1])
			continue;
		alias_name = strndup(alias, (size_t)(dot - alias));
		if (!alias_name)
			return -ENOMEM;
		remote = object_child(remotes, alias_name);
		free(alias_name);
		scoped = remote ? object_child(remote, scope) : NULL;
		merged = remote ? object_child(remote, "settings") : NULL;
		if (!scoped || !merged)
			return -ENOMEM;
		/* transient is collected last and wins, as in Elasticsearch */
		cJSON_DeleteItemFromObjectCaseSensitive(merged, dot + 1);
		err = add_copy(scoped, dot + 1, item);
		if (!err)
			err = add_copy(merged, dot + 1, item);
		if (err)
			return err;
	}
	return 0;
}

/* Reads every owner's ledger; an unreadable one is a problem (returns 1), since
 * planning from it would disown, prune or take over its aliases. */
static int read_ledgers(struct cluster_builder *b)
{
	const cJSON *own;
	char *bad = NULL;
	int err = ledger_read_all(&b->ledgers, &bad, b->persistent);

	if (err == -EBADMSG) {
		err = builder_add_problem(b, RESOURCE_REMOTE, bad,
					  "the ownership ledger [%s] is neither a string nor a list of strings, so "
					  "esreconcile cannot tell which remotes its owner holds; set it to the "
					  "comma-separated aliases that owner manages, or to null", bad);
		free(bad);
		return err ? err : 1;
	}
	if (err)
		return err;
	own = cJSON_GetObjectItemCaseSensitive(b->ledgers, b->owner);
	b->ledger_live = own ? cJSON_Duplicate(own, 1) : cJSON_CreateArray();
	b->ledger_adopted = cJSON_CreateObject();
	return b->ledger_live && b->ledger_adopted ? 0 : -ENOMEM;
}

static int remote_read_live(cJSON **out, struct cluster_builder *b)
{
	const cJSON *settings = b->lc->settings, *info;
	cJSON *remotes = cJSON_CreateObject(), *transient = NULL;
	int err = -ENOMEM;

	*out = NULL;
	b->ledger_declared = cJSON_CreateArray();
	b->ledger_deleted = cJSON_CreateArray();
	if (!remotes || !b->ledger_declared || !b->ledger_deleted)
		goto done;
	err = flat_settings(&b->persistent, cJSON_GetObjectItemCaseSensitive(settings, "persistent"));
	if (!err)
		err = flat_settings(&transient, cJSON_GetObjectItemCaseSensitive(settings, "transient"));
	if (!err)
		err = collect_scope(remotes, b->persistent, "persistent");
	if (!err)
		err = collect_scope(remotes, transient, "transient");
	if (!err)
		err = read_ledgers(b);
	if (err)
		goto done;
	/* aliases Elasticsearch knows but no dynamic setting defines come from elasticsearch.yml */
	cJSON_ArrayForEach(info, b->lc->remote_info) {
		cJSON *remote;

		if (!info->string || cJSON_GetObjectItemCaseSensitive(remotes, info->string))
			continue;
		remote = object_child(remotes, info->string);
		if (!remote || !cJSON_AddTrueToObject(remote, "static")) {
			err = -ENOMEM;
			goto done;
		}
	}
	*out = remotes;
	remotes = NULL;
done:
	cJSON_Delete(remotes);
	cJSON_Delete(transient);
	return err;
}

static bool is_static(const cJSON *live)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(live, "static"));
}

static bool remote_prunable(const char *name, const cJSON *live)
{
	(void)name;
	return !is_static(live);
}

/* The owner whose ledger lists the alias; the run's own ledger first. */
static const char *remote_owner_of(const struct cluster_builder *b, const char *name, const cJSON *live)
{
	const cJSON *ledger;

	(void)live;
	if (string_set_has(b->ledger_live, name))
		return b->owner;
	cJSON_ArrayForEach(ledger, b->ledgers)
		if (string_set_has(ledger, name))
			return ledger->string;
	return NULL;
}

/* ---- the settings request ---- */

/* This change's share of the settings body: {"persistent":{..},"transient":{..}}. */
struct settings_part {
	cJSON *body;
	cJSON *persistent;
	cJSON *transient;
};

static int part_init(struct settings_part *p)
{
	p->body = cJSON_CreateObject();
	p->persistent = p->body ? cJSON_AddObjectToObject(p->body, "persistent") : NULL;
	p->transient = p->body ? cJSON_AddObjectToObject(p->body, "transient") : NULL;
	return p->persistent && p->transient ? 0 : -ENOMEM;
}

static int part_set(struct settings_part *p, struct plan_request *r, const char *alias,
		    const char *key, const cJSON *value, bool sensitive)
{
	struct buf name;
	cJSON *typed = NULL, *shown;
	int err;

	buf_init(&name, BUF_SMALL_MAX);
	err = buf_printf(&name, REMOTE_PREFIX "%s.%s", alias, key);
	if (err)
		goto done;
	if (value) {
		typed = typed_value(key, value);
		if (!typed) {
			err = -ENOMEM;
			goto done;
		}
	}
	if (sensitive && typed) {
		struct buf slot;

		buf_init(&slot, BUF_SMALL_MAX);
		err = buf_printf(&slot, "persistent.%s", name.data);
		if (!err)
			err = request_add_value_slot(r, slot.data, typed);
		buf_dispose(&slot);
		if (err)
			goto done;
		shown = cJSON_CreateString(SECRET_PLACEHOLDER);
	} else {
		shown = typed ? cJSON_Duplicate(typed, 1) : cJSON_CreateNull();
	}
	cJSON_DeleteItemFromObjectCaseSensitive(p->persistent, name.data);
	if (!shown || !cJSON_AddItemToObject(p->persistent, name.data, shown)) {
		cJSON_Delete(shown);
		err = -ENOMEM;
	}
done:
	cJSON_Delete(typed);
	buf_dispose(&name);
	return err;
}

static int part_delete_alias(cJSON *scope, const char *alias)
{
	struct buf name;
	int err;

	buf_init(&name, BUF_SMALL_MAX);
	err = buf_printf(&name, REMOTE_PREFIX "%s.*", alias);
	if (!err && !cJSON_AddNullToObject(scope, name.data))
		err = -ENOMEM;
	buf_dispose(&name);
	return err;
}

static int settings_request(struct cluster_builder *b)
{
	int err;

	if (b->settings.method)
		return 0;
	err = request_init(&b->settings, STEP_SETTINGS, "PUT");
	if (!err)
		err = request_set_path(&b->settings, "/_cluster/settings");
	if (!err) {
		b->settings.pending_body = cJSON_CreateObject();
		if (!b->settings.pending_body || !cJSON_AddObjectToObject(b->settings.pending_body, "persistent") ||
		    !cJSON_AddObjectToObject(b->settings.pending_body, "transient"))
			err = -ENOMEM;
	}
	return err;
}

/* The keys of one alias in a scope of the settings body are that change's share. */
static int add_alias_part(struct plan_request *r, size_t change, const char *scope, const char *alias)
{
	struct buf prefix;
	int err;

	buf_init(&prefix, BUF_SMALL_MAX);
	err = buf_printf(&prefix, REMOTE_PREFIX "%s.", alias);
	if (!err)
		err = request_add_part(r, change, PART_KEY_PREFIX, scope, prefix.data);
	buf_dispose(&prefix);
	return err;
}

/* A settings PUT that adds or changes a remote returns after the cluster has
 * tried to connect it, up to 10 s each (RemoteClusterService.updateRemoteCluster). */
#define REMOTE_CONNECT_WAIT_MS 10000L

/* Merges a change's part into the cluster's settings request, with where it is (its parts). */
static int part_commit(struct cluster_builder *b, struct settings_part *p, size_t change)
{
	static const char *const scopes[] = { "persistent", "transient" };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < 2; i++) {
		cJSON *from = cJSON_GetObjectItemCaseSensitive(p->body, scopes[i]);
		cJSON *to = cJSON_GetObjectItemCaseSensitive(b->settings.pending_body, scopes[i]);
		const cJSON *item;

		if (!from->child) {
			cJSON_DeleteItemFromObjectCaseSensitive(p->body, scopes[i]);
			continue;
		}
		cJSON_ArrayForEach(item, from) {
			cJSON_DeleteItemFromObjectCaseSensitive(to, item->string);
			err = add_copy(to, item->string, item);
			if (err)
				break;
		}
	}
	if (!err)
		err = request_add_change(&b->settings, change);
	if (!err && builder_change(b, change)->action != ACTION_DELETE)
		b->settings.extra_wait_ms += REMOTE_CONNECT_WAIT_MS;
	for (i = 0; !err && i < 2; i++)
		if (cJSON_GetObjectItemCaseSensitive(p->body, scopes[i]))
			err = add_alias_part(&b->settings, change, scopes[i], builder_change(b, change)->name);
	return err;
}

/* ---- planning one alias ---- */

static int remote_delete(struct cluster_builder *b, const char *alias, const cJSON *live, size_t index)
{
	struct settings_part part = { 0 };
	int err = part_init(&part);

	if (!err && cJSON_GetObjectItemCaseSensitive(live, "persistent"))
		err = part_delete_alias(part.persistent, alias);
	if (!err && cJSON_GetObjectItemCaseSensitive(live, "transient"))
		err = part_delete_alias(part.transient, alias);
	if (!err)
		err = settings_request(b);
	if (!err)
		err = part_commit(b, &part, index);
	if (!err)
		err = string_set_add(b->ledger_deleted, alias);
	cJSON_Delete(part.body);
	return err;
}

/* The declared body, with seeds discovered from the referenced cluster when
 * the declaration names a cluster and no seeds. *problem_out explains why the
 * seeds cannot be known (the caller frees it). */
static int declared_body(cJSON **out, char **problem_out, struct cluster_builder *b,
			 const struct desired_object *d)
{
	const struct live_cluster *target;
	cJSON *body, *seeds;
	int err;

	*out = NULL;
	*problem_out = NULL;
	body = d->body ? cJSON_Duplicate(d->body, 1) : cJSON_CreateObject();
	if (!body)
		return -ENOMEM;
	if (d->security == REMOTE_SECURITY_API_KEY) {
		err = plan_api_key_remote_body(body, problem_out, b, d);
		if (err || *problem_out)
			cJSON_Delete(body);
		else
			*out = body;
		return err;
	}
	if (!d->remote_cluster || cJSON_GetObjectItemCaseSensitive(body, "seeds") ||
	    cJSON_GetObjectItemCaseSensitive(body, "proxy_address")) {
		*out = body;
		return 0;
	}
	target = builder_find_live(b, d->remote_cluster);
	if (!target || !target->reachable || !cJSON_IsArray(target->transport_addresses) ||
	    !cJSON_GetArraySize(target->transport_addresses)) {
		struct buf text;

		cJSON_Delete(body);
		buf_init(&text, BUF_SMALL_MAX);
		err = buf_printf(&text, "the seeds of remote [%s] are the transport addresses of cluster [%s], "
				 "which %s; declare seeds or make [%s] reachable", d->name, d->remote_cluster,
				 !target ? "was not read (add it to --cluster)" :
				 !target->reachable ? "is unreachable" : "published none", d->remote_cluster);
		*problem_out = err ? NULL : buf_detach(&text);
		buf_dispose(&text);
		return *problem_out ? 0 : -ENOMEM;
	}
	seeds = cJSON_Duplicate(target->transport_addresses, 1);
	if (!seeds || !cJSON_AddItemToObject(body, "seeds", seeds)) {
		cJSON_Delete(seeds);
		cJSON_Delete(body);
		return -ENOMEM;
	}
	*out = body;
	return 0;
}

static int remote_desired_body(cJSON **out, char **problem_out, struct cluster_builder *b,
			       const struct desired_object *d, const cJSON *live)
{
	int err = declared_body(out, problem_out, b, d);

	(void)live;
	if (!err && !*problem_out)
		err = plan_hold_remote_addresses(*out, b, d);
	/* declared and plannable: from now on the ledger owns it */
	if (!err && !*problem_out)
		err = string_set_add(b->ledger_declared, d->name);
	return err;
}

static int remote_create(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
			 size_t index)
{
	struct settings_part part = { 0 };
	const cJSON *item;
	int err = part_init(&part);

	if (!err)
		err = settings_request(b);
	cJSON_ArrayForEach(item, body) {
		if (err)
			break;
		err = part_set(&part, &b->settings, d->name, item->string, item,
			       path_is_sensitive(d->sensitive_paths, item->string));
	}
	if (!err)
		err = part_commit(b, &part, index);
	cJSON_Delete(part.body);
	return err;
}


/* Builds the settings part of an update whose field changes are in c. */
static int update_part(struct cluster_builder *b, struct settings_part *part,
		       const struct desired_object *d, const cJSON *body, const cJSON *live,
		       const struct plan_change *c)
{
	bool to_proxy = proxy_mode(body);
	bool mode_switch = proxy_mode(cJSON_GetObjectItemCaseSensitive(live, "settings")) != to_proxy;
	const cJSON *transient = cJSON_GetObjectItemCaseSensitive(live, "transient");
	const cJSON *persistent = cJSON_GetObjectItemCaseSensitive(live, "persistent");
	const cJSON *item;
	size_t i;
	int err = 0;

	if (transient) {
		/* moved to persistent: the whole declaration there, the transient alias deleted */
		cJSON_ArrayForEach(item, body) {
			err = part_set(part, &b->settings, d->name, item->string, item,
				       path_is_sensitive(d->sensitive_paths, item->string));
			if (err)
				return err;
		}
		cJSON_ArrayForEach(item, persistent) {
			if (cJSON_GetObjectItemCaseSensitive(body, item->string))
				continue;
			err = part_set(part, &b->settings, d->name, item->string, NULL, false);
			if (err)
				return err;
		}
		return part_delete_alias(part->transient, d->name);
	}
	for (i = 0; i < c->field_count; i++) {
		const char *key = c->fields[i].path;

		if (!strcmp(key, "managed") || !strcmp(key, "owner"))
			continue;
		err = part_set(part, &b->settings, d->name, key, cJSON_GetObjectItemCaseSensitive(body, key),
			       path_is_sensitive(d->sensitive_paths, key));
		if (err)
			return err;
	}
	if (mode_switch) {
		/* the keys that only the old mode has are nulled */
		enum remote_mode old_mode = to_proxy ? REMOTE_MODE_SNIFF : REMOTE_MODE_PROXY;

		for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
			if (remote_settings[i].modes != old_mode)
				continue;
			err = part_set(part, &b->settings, d->name, remote_settings[i].key, NULL, false);
			if (err)
				return err;
		}
	}
	return 0;
}

/* An alias in transient settings moves to persistent; one missing from the
 * ledger is adopted: from now on it is pruned like any alias esreconcile created.
 * One in another owner's ledger is only planned with --adopt-from that owner
 * (plan.c), and moves from that ledger to ours. */
static int remote_extra_fields(struct cluster_builder *b, const struct desired_object *d,
			       const cJSON *live, struct plan_change *c)
{
	cJSON *before = NULL, *after = NULL;
	const char *holder;
	int err = 0;

	if (cJSON_GetObjectItemCaseSensitive(live, "transient")) {
		before = cJSON_CreateString("transient");
		after = cJSON_CreateString("persistent");
		err = before && after ? change_add_field(c, "scope", before, after, false) : -ENOMEM;
		if (!err)
			err = builder_add_warning(b, "remote [%s] is set in transient settings; the plan moves it "
						  "to persistent settings", d->name);
		cJSON_Delete(before);
		cJSON_Delete(after);
	}
	holder = remote_owner_of(b, d->name, live);
	if (!err && holder && strcmp(holder, b->owner) != 0) {
		before = cJSON_CreateString(holder);
		after = cJSON_CreateString(b->owner);
		err = before && after ? change_add_field(c, "owner", before, after, false) : -ENOMEM;
		if (!err && !cJSON_AddStringToObject(b->ledger_adopted, d->name, holder))
			err = -ENOMEM;
		cJSON_Delete(before);
		cJSON_Delete(after);
	} else if (!err && !holder) {
		before = cJSON_CreateFalse();
		after = cJSON_CreateTrue();
		err = before && after ? change_add_field(c, "managed", before, after, false) : -ENOMEM;
		cJSON_Delete(before);
		cJSON_Delete(after);
	}
	return err;
}

static int remote_write(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
			const cJSON *live, size_t change)
{
	struct settings_part part = { 0 };
	int err;

	if (!live)
		return remote_create(b, d, body, change);
	err = part_init(&part);
	if (!err)
		err = settings_request(b);
	if (!err)
		err = update_part(b, &part, d, body, live, builder_change(b, change));
	if (!err)
		err = part_commit(b, &part, change);
	cJSON_Delete(part.body);
	return err;
}

static const cJSON *remote_comparable(const cJSON *live)
{
	return cJSON_GetObjectItemCaseSensitive(live, "settings");
}

static int remote_guard(struct cluster_builder *b, const struct desired_object *d, const char *name,
			const cJSON *live)
{
	int err;

	if (!d || !live || !is_static(live))
		return 0;
	err = builder_add_problem(b, RESOURCE_REMOTE, name,
				  "remote [%s] is defined in elasticsearch.yml; esreconcile cannot change it", name);
	return err ? err : 1;
}

/* ---- export ---- */

/* A live value as the desired state writes it: the setting's type, enums in
 * lower case (as the loader takes them), compress's true/false as booleans,
 * seeds as a sorted list. */
static cJSON *declared_value(const struct remote_setting *s, const cJSON *raw)
{
	cJSON *value;
	char *text;
	int err;

	if (s->type == REMOTE_VALUE_HOSTPORT_LIST)
		return json_string_set(raw, false, true, &err);
	if (s->type == REMOTE_VALUE_BOOL || s->type == REMOTE_VALUE_INT)
		return typed_value(s->key, raw);
	if (!(text = json_scalar_text(raw)))
		return cJSON_Duplicate(raw, 1);
	if (s->type == REMOTE_VALUE_ENUM) {
		char *lower = lowercase_copy(text);

		free(text);
		if (!lower)
			return NULL;
		text = lower;
		if (!strcmp(text, "true") || !strcmp(text, "false")) {
			value = cJSON_CreateBool(text[0] == 't');
			free(text);
			return value;
		}
	}
	value = cJSON_CreateString(text);
	free(text);
	return value;
}

/* Whether a live value means the setting's default on the cluster's version. */
static bool is_default(const struct remote_setting *rs, const cJSON *raw, const struct live_cluster *lc)
{
	const char *text = remote_setting_default(rs, lc->version_major, lc->version_minor);
	cJSON *fallback = text ? cJSON_CreateString(text) : NULL;
	cJSON *a = fallback ? normalize_value(rs, fallback) : NULL, *b = a ? normalize_value(rs, raw) : NULL;
	bool same = a && b && json_equal(a, b);

	cJSON_Delete(fallback);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return same;
}

static int remote_declare(cJSON **out, const char *name, const cJSON *live, const struct live_cluster *lc,
			  cJSON *notes)
{
	const cJSON *settings = remote_comparable(live), *raw, *item;
	const enum remote_mode mode = proxy_mode(settings) ? REMOTE_MODE_PROXY : REMOTE_MODE_SNIFF;
	cJSON *body = cJSON_CreateObject(), *value, *parent;
	size_t i;
	int err = body ? 0 : -ENOMEM;

	*out = NULL;
	for (i = 0; i < REMOTE_SETTING_COUNT && !err; i++) {
		const struct remote_setting *rs = &remote_settings[i];

		raw = cJSON_GetObjectItemCaseSensitive(settings, rs->key);
		if (!raw || cJSON_IsNull(raw) || is_default(rs, raw, lc))
			continue;
		if (!(rs->modes & mode)) {
			err = plan_note(notes, "remote [%s]: [%s] does not apply in %s mode; left out", name, rs->key,
					mode == REMOTE_MODE_PROXY ? "proxy" : "sniff");
			continue;
		}
		err = -ENOMEM;
		parent = rs->yaml_group ? object_child(body, rs->yaml_group) : body;
		value = parent ? declared_value(rs, raw) : NULL;
		if (value && cJSON_AddItemToObject(parent, rs->yaml_key, value))
			err = 0;
		else
			cJSON_Delete(value);
	}
	cJSON_ArrayForEach(item, settings) {
		if (!err && item->string && !remote_setting_find(item->string) && !cJSON_IsNull(item))
			err = plan_note(notes, "remote [%s]: [cluster.remote.%s.%s] is not a setting esreconcile "
					"manages; left out", name, name, item->string);
	}
	if (err) {
		cJSON_Delete(body);
		return err;
	}
	*out = body;
	return 0;
}

/* Fields of GET /_remote/info that change with connectivity, not with configuration. */
static const char *const connection_fields[] = {
	"connected", "num_nodes_connected", "num_proxy_sockets_connected", NULL,
};

/* The settings and remote_info, without what follows connectivity rather than configuration. */
static int remote_fingerprint(cJSON *doc, const struct live_cluster *lc)
{
	cJSON *copy = lc->remote_info ? cJSON_Duplicate(lc->remote_info, 1) : cJSON_CreateNull(), *remote;
	size_t i;
	int err;

	if (!copy || !cJSON_AddItemToObject(doc, "remote_info", copy)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(remote, copy)
		for (i = 0; connection_fields[i]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(remote, connection_fields[i]);
	err = fingerprint_add_reference(doc, "persistent",
					cJSON_GetObjectItemCaseSensitive(lc->settings, "persistent"));
	return err ? err : fingerprint_add_reference(doc, "transient",
						     cJSON_GetObjectItemCaseSensitive(lc->settings, "transient"));
}

/* ---- the ledger, then the request ---- */

/* The change of this request that concerns alias: every ledger edit follows
 * from a create, update or delete of that alias in the same request. */
static int change_of_alias(struct cluster_builder *b, const char *alias, size_t *out)
{
	size_t i;

	for (i = 0; i < b->settings.change_count; i++) {
		if (!strcmp(builder_change(b, b->settings.changes[i])->name, alias)) {
			*out = b->settings.changes[i];
			return 0;
		}
	}
	return -EINVAL;
}

static int add_ledger_edits(struct cluster_builder *b, const cJSON *aliases, bool add)
{
	const cJSON *item;
	size_t change;
	int err = 0;

	cJSON_ArrayForEach(item, aliases) {
		err = change_of_alias(b, item->valuestring, &change);
		if (!err)
			err = request_add_ledger_edit(&b->settings, item->valuestring, change, add);
		if (err)
			break;
	}
	return err;
}

static int remote_finish(struct cluster_builder *b)
{
	cJSON *ledger = NULL, *added = NULL, *removed = NULL, *transient, *persistent;
	const cJSON *item;
	char *bad = NULL;
	size_t change;
	int err = plan_check_remote_status(b);

	if (err || !request_is_pending(&b->settings))
		goto done;
	ledger = cJSON_CreateArray();
	added = cJSON_CreateArray();
	removed = cJSON_CreateArray();
	if (!ledger || !added || !removed) {
		err = -ENOMEM;
		goto done;
	}
	cJSON_ArrayForEach(item, b->ledger_live)
		if (!err && !string_set_has(b->ledger_deleted, item->valuestring))
			err = string_set_add(ledger, item->valuestring);
	cJSON_ArrayForEach(item, b->ledger_declared)
		if (!err)
			err = string_set_add(ledger, item->valuestring);
	cJSON_ArrayForEach(item, ledger)
		if (!err && !string_set_has(b->ledger_live, item->valuestring))
			err = string_set_add(added, item->valuestring);
	cJSON_ArrayForEach(item, b->ledger_live)
		if (!err && !string_set_has(ledger, item->valuestring))
			err = string_set_add(removed, item->valuestring);
	if (!err)
		err = add_ledger_edits(b, added, true);
	if (!err)
		err = add_ledger_edits(b, removed, false);
	cJSON_ArrayForEach(item, b->ledger_adopted) {
		if (!err)
			err = change_of_alias(b, item->string, &change);
		if (!err)
			err = request_add_ledger_release(&b->settings, item->valuestring, item->string, change);
	}
	if (err)
		goto done;
	b->settings.carries_ledger = true;
	persistent = cJSON_GetObjectItemCaseSensitive(b->settings.pending_body, "persistent");
	/* the body shows the ledgers as the live read has them, edited; apply
	 * merges the same edits into a fresh read right before sending */
	err = ledger_write(persistent, &bad, b->persistent, b->owner, b->settings.ledger_edits,
			   b->settings.ledger_edit_count, NULL);
	free(bad); /* every ledger was read without error by read_ledgers */
	if (err)
		goto done;
	transient = cJSON_GetObjectItemCaseSensitive(b->settings.pending_body, "transient");
	if (!transient->child)
		cJSON_DeleteItemFromObjectCaseSensitive(b->settings.pending_body, "transient");
	err = builder_push_request(b, &b->settings);
done:
	cJSON_Delete(ledger);
	cJSON_Delete(added);
	cJSON_Delete(removed);
	return err;
}

/* _remote/info and _resolve/cluster both say `connected`. A remote that
 * connects but refuses our account (its `error` in _resolve/cluster) is
 * connected: the link is up, and the plan's warning tells the rest. */
static bool remote_connected(const cJSON *answer, const char *alias)
{
	const cJSON *remote = cJSON_GetObjectItemCaseSensitive(answer, alias);

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(remote, "connected"));
}

static const cJSON *remote_status_of(const struct live_cluster *lc)
{
	return lc->resolve_cluster ? lc->resolve_cluster : lc->remote_info;
}

/* _resolve/cluster (8.13+) makes the cluster try each remote again, so a
 * remote whose far side came up later is seen; _remote/info only reports. */
static int remote_status_path(char **out, char *const *aliases, size_t count, int major, int minor)
{
	struct buf path;
	char *escaped;
	size_t i;
	int err;

	*out = NULL;
	if (major < 8 || (major == 8 && minor < 13) || !count) {
		*out = plan_strdup("/_remote/info");
		return *out ? 0 : -ENOMEM;
	}
	buf_init(&path, BUF_SMALL_MAX);
	err = buf_puts(&path, "/_resolve/cluster/");
	for (i = 0; !err && i < count; i++) {
		escaped = es_escape_path_segment(aliases[i]);
		err = escaped ? buf_printf(&path, "%s%s:*", i ? "," : "", escaped) : -ENOMEM;
		free(escaped);
	}
	if (!err && !(*out = buf_detach(&path)))
		err = -ENOMEM;
	buf_dispose(&path);
	return err;
}

/* A written remote settles when it connects, which depends on the far side. */
static const struct kind_settle remote_settle = {
	.path = remote_status_path,
	.settled = remote_connected,
	.live_answer = remote_status_of,
	.settled_key = "remotes_connected",
	.unsettled_key = "remotes_not_connected",
	.unsettled_text = "is not connected",
	.settling_text = "to connect",
};

/* The settings PUT (remotes and the ledger), the ledger re-read before it and
 * the wait for remotes to connect after it. */
static const char *const remote_privileges[] = {
	"cluster:admin/settings/update", "cluster:monitor/settings", "cluster:monitor/remote/info", NULL,
};

const struct kind_ops remote_kind_ops = {
	.kind = RESOURCE_REMOTE,
	.privileges = remote_privileges,
	.read_live = remote_read_live,
	.normalize = remote_normalize,
	.comparable = remote_comparable,
	.prunable = remote_prunable,
	.owner_of = remote_owner_of,
	.guard = remote_guard,
	.desired_body = remote_desired_body,
	.extra_fields = remote_extra_fields,
	.write = remote_write,
	.remove = remote_delete,
	.finish = remote_finish,
	.settle = &remote_settle,
	.fingerprint = remote_fingerprint,
	.declare = remote_declare,
};
