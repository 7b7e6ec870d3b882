/* plan_fixture: builds desired_state and live_state structs from JSON text for
 * the pure plan tests (no loader, no server). Single quotes in the JSON text
 * stand for double quotes, so fixtures read well inside C strings.
 *
 * Desired: {"policy":{"prune":{"remotes":"managed","roles":"all","users":"none"},
 *            "password_check":"probe"},
 *           "objects":[{"kind":"remote|role|user","cluster":"local","name":"x",
 *                       "body":{..} | "absent", "sensitive":["path"],
 *                       "password":"..", "password_hash":"..", "remote_cluster":"one"}]}
 * Live: {"local":{"version":"8.15.0","settings":{"persistent":{},"transient":{}},
 *                 "remote_info":{},"roles":{},"users":{},"probes":{},
 *                 "transport":["h:9300"],"error":"..." (unreachable),"warnings":[..]}} */
#ifndef ESR_TESTS_PLAN_FIXTURE_H
#define ESR_TESTS_PLAN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "es/live.h"
#include "plan/normalize.h"
#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "util/buf.h"

/* A formatted string (the caller frees it); fails the test when it cannot be made. */
static inline char *fixture_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *fixture_format(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	assert_non_null(text);
	return text;
}

static inline char *fixture_strdup(const char *s)
{
	char *copy = s ? strdup(s) : NULL;

	assert_true(!s || copy);
	return copy;
}

static inline cJSON *fixture_json(const char *text)
{
	char *copy = fixture_strdup(text), *p;
	cJSON *json;

	for (p = copy; *p; p++)
		if (*p == '\'')
			*p = '"';
	json = cJSON_ParseWithLengthOpts(copy, strlen(copy) + 1, NULL, 1);
	if (!json)
		fail_msg("fixture JSON does not parse: %s", copy);
	free(copy);
	return json;
}

static inline enum prune_policy fixture_prune(const cJSON *prune, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(prune, key);

	if (!cJSON_IsString(v) || !strcmp(v->valuestring, "managed"))
		return PRUNE_MANAGED;
	return !strcmp(v->valuestring, "all") ? PRUNE_ALL : PRUNE_NONE;
}

static inline enum resource_kind fixture_kind(const char *name)
{
	if (!strcmp(name, "remote"))
		return RESOURCE_REMOTE;
	return !strcmp(name, "role") ? RESOURCE_ROLE : RESOURCE_USER;
}

static inline const char *fixture_string(const cJSON *object, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(object, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline secret_t *fixture_secret(const cJSON *object, const char *key)
{
	const char *value = fixture_string(object, key);

	return value ? secret_new(value, strlen(value)) : NULL;
}

static inline struct desired_state *fixture_desired(const char *text)
{
	struct desired_state *d = calloc(1, sizeof(*d));
	cJSON *root = fixture_json(text), *policy, *objects, *item;
	size_t i = 0;

	assert_non_null(d);
	policy = cJSON_GetObjectItemCaseSensitive(root, "policy");
	d->policy.prune[RESOURCE_REMOTE] = fixture_prune(cJSON_GetObjectItemCaseSensitive(policy, "prune"), "remotes");
	d->policy.prune[RESOURCE_ROLE] = fixture_prune(cJSON_GetObjectItemCaseSensitive(policy, "prune"), "roles");
	d->policy.prune[RESOURCE_USER] = fixture_prune(cJSON_GetObjectItemCaseSensitive(policy, "prune"), "users");
	d->policy.max_deletes = 20;
	d->policy.password_check = fixture_string(policy, "password_check") &&
					   !strcmp(fixture_string(policy, "password_check"), "on_create")
				   ? PASSWORD_CHECK_ON_CREATE
				   : PASSWORD_CHECK_PROBE;
	objects = cJSON_GetObjectItemCaseSensitive(root, "objects");
	d->object_count = (size_t)cJSON_GetArraySize(objects);
	d->objects = calloc(d->object_count + 1, sizeof(*d->objects));
	assert_non_null(d->objects);
	cJSON_ArrayForEach(item, objects) {
		struct desired_object *o = &d->objects[i++];
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
		const cJSON *sensitive = cJSON_GetObjectItemCaseSensitive(item, "sensitive");
		cJSON *own_body, *own_sensitive;

		o->kind = fixture_kind(fixture_string(item, "kind"));
		assert_int_equal(desired_state_intern_name(d, fixture_string(item, "cluster") ? fixture_string(item, "cluster")
											       : "local", &o->cluster), 0);
		assert_int_equal(desired_state_intern_name(d, fixture_string(item, "name"), &o->name), 0);
		o->absent = cJSON_IsString(body) && !strcmp(body->valuestring, "absent");
		own_body = o->absent ? NULL : (body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject());
		own_sensitive = sensitive ? cJSON_Duplicate(sensitive, 1) : cJSON_CreateArray();
		assert_true(o->absent || own_body);
		assert_non_null(own_sensitive);
		/* the loader interns every tree into the state; so does the fixture */
		assert_int_equal(own_body ? desired_state_intern(d, &own_body) : 0, 0);
		assert_int_equal(desired_state_intern(d, &own_sensitive), 0);
		o->body = own_body;
		o->sensitive_paths = own_sensitive;
		o->remote_cluster = fixture_strdup(fixture_string(item, "remote_cluster"));
		o->password = fixture_secret(item, "password");
		o->password_hash = fixture_secret(item, "password_hash");
	}
	cJSON_Delete(root);
	assert_int_equal(desired_state_index(d), 0);
	return d;
}

static inline void fixture_desired_free(struct desired_state *d)
{
	/* the fixture allocates like the loader does, so the model's own free fits */
	desired_state_free(d);
}

static inline cJSON *fixture_take(cJSON *object, const char *key, const char *fallback)
{
	cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(object, key);

	return v ? v : (fallback ? fixture_json(fallback) : NULL);
}

static inline struct live_state *fixture_live(const char *text)
{
	struct live_state *live = calloc(1, sizeof(*live));
	cJSON *root = fixture_json(text), *item;
	size_t i = 0;

	assert_non_null(live);
	live->cluster_count = (size_t)cJSON_GetArraySize(root);
	live->clusters = calloc(live->cluster_count + 1, sizeof(*live->clusters));
	assert_non_null(live->clusters);
	cJSON_ArrayForEach(item, root) {
		struct live_cluster *lc = &live->clusters[i++];
		const char *version = fixture_string(item, "version");
		const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(item, "warnings"), *w;

		lc->cluster_id = fixture_strdup(item->string);
		lc->error = fixture_strdup(fixture_string(item, "error"));
		lc->reachable = !lc->error;
		if (!lc->reachable)
			continue;
		lc->version = fixture_strdup(version ? version : "8.15.0");
		assert_int_equal(sscanf(lc->version, "%d.%d", &lc->version_major, &lc->version_minor), 2);
		lc->settings = fixture_take(item, "settings", "{'persistent':{},'transient':{}}");
		lc->remote_info = fixture_take(item, "remote_info", "{}");
		lc->objects[RESOURCE_ROLE] = fixture_take(item, "roles", "{}");
		lc->objects[RESOURCE_USER] = fixture_take(item, "users", "{}");
		lc->password_probes = fixture_take(item, "probes", "{}");
		lc->transport_addresses = fixture_take(item, "transport", NULL);
		cJSON_ArrayForEach(w, warnings) {
			lc->warnings = realloc(lc->warnings, (lc->warning_count + 1) * sizeof(*lc->warnings));
			assert_non_null(lc->warnings);
			lc->warnings[lc->warning_count++] = fixture_strdup(w->valuestring);
		}
	}
	cJSON_Delete(root);
	return live;
}

/* One planning run over the fixtures; fixture_done() frees everything. */
struct fixture {
	struct desired_state *desired;
	struct live_state *live;
	struct plan *plan;
};

static inline void fixture_build(struct fixture *f, const char *desired, const char *live)
{
	f->desired = fixture_desired(desired);
	f->live = fixture_live(live);
	assert_int_equal(plan_build(&f->plan, f->desired, f->live), 0);
}

static inline void fixture_done(struct fixture *f)
{
	plan_free(f->plan);
	live_state_free(f->live);
	fixture_desired_free(f->desired);
}

static inline const struct cluster_plan *fixture_cluster(const struct fixture *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->plan->cluster_count; i++)
		if (!strcmp(f->plan->clusters[i].cluster_id, id))
			return &f->plan->clusters[i];
	fail_msg("no cluster %s in the plan", id);
	return NULL;
}

/* Fails with both texts unless actual equals the expected JSON (quotes as '). */
static inline void assert_json(const cJSON *actual, const char *expected_text)
{
	cJSON *expected = fixture_json(expected_text);

	if (!json_equal(actual, expected)) {
		char *a = actual ? cJSON_PrintUnformatted(actual) : strdup("(null)");
		char *e = cJSON_PrintUnformatted(expected);

		print_error("expected: %s\n  actual: %s\n", e, a);
		free(a);
		free(e);
		cJSON_Delete(expected);
		fail();
	}
	cJSON_Delete(expected);
}

/* Fails unless the "request" the plan JSON shows for change i of cluster id
 * (its share of the request that carries it) equals the expected JSON. */
static inline void assert_change_request(const struct fixture *f, const char *id, int i,
					 const char *expected_text)
{
	cJSON *json = NULL, *changes;

	assert_int_equal(plan_to_json(&json, f->plan), 0);
	changes = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "clusters"), id), "changes");
	assert_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(changes, i), "request"), expected_text);
	cJSON_Delete(json);
}

/* Prints the plan as JSON on failure, to make a failing expectation readable. */
static inline void fixture_dump(const struct fixture *f)
{
	cJSON *json = NULL;
	char *text;

	assert_int_equal(plan_to_json(&json, f->plan), 0);
	text = cJSON_Print(json);
	print_message("%s\n", text);
	free(text);
	cJSON_Delete(json);
}

static inline void assert_request(const struct cluster_plan *cp, size_t i, const char *method,
			   const char *path, const char *body)
{
	if (i >= cp->request_count)
		fail_msg("cluster %s has %zu requests, wanted #%zu", cp->cluster_id, cp->request_count, i);
	assert_string_equal(cp->requests[i].method, method);
	assert_string_equal(cp->requests[i].path, path);
	if (body) {
		cJSON *parsed = cp->requests[i].body ? cJSON_Parse(cp->requests[i].body) : NULL;

		assert_non_null(parsed);
		assert_json(parsed, body);
		cJSON_Delete(parsed);
	} else
		assert_null(cp->requests[i].body);
}

#endif
