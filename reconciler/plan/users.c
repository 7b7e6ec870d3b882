/* users: native users. Passwords cannot be read back: a declared password is
 * checked through live.password_probes (probe mode) and set on creation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired/es_names.h"
#include "es/path.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"

/* The fields a user PUT sets; Elasticsearch resets the ones a PUT omits. */
static const char *const user_fields[] = { "roles", "full_name", "email", "metadata", "enabled", NULL };

/* Built-in users (by name or by the server's flag): only their password may be changed. */
static bool is_reserved(const char *name, const cJSON *live)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(live, "metadata");

	return es_user_is_reserved(name) || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(metadata, "_reserved"));
}

static int user_fingerprint(cJSON *doc, const struct live_cluster *lc)
{
	return fingerprint_add_reference(doc, "password_probes", lc->password_probes);
}

static bool user_prunable(const char *name, const cJSON *live)
{
	/* a user named like an endpoint cannot be addressed: a DELETE would reach the endpoint */
	return !is_reserved(name, live) && !es_user_name_is_api_word(name);
}

static const char *user_owner_of(const struct cluster_builder *b, const char *name, const cJSON *live)
{
	(void)b;
	(void)name;
	return plan_metadata_owner(live);
}

int user_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc)
{
	cJSON *user = cJSON_CreateObject(), *value = NULL;
	const cJSON *item;
	bool enabled = true;
	int err = 0;
	size_t i;

	(void)lc;
	*out = NULL;
	if (!user)
		return -ENOMEM;
	for (i = 0; !err && user_fields[i]; i++) {
		item = cJSON_GetObjectItemCaseSensitive(body, user_fields[i]);
		value = NULL;
		if (!strcmp(user_fields[i], "roles")) {
			value = json_string_set(item, false, false, &err);
			if (!value && !err)
				value = cJSON_CreateArray();
		} else if (!strcmp(user_fields[i], "enabled")) {
			if (item && json_as_bool(item, &enabled))
				value = cJSON_Duplicate(item, 1); /* not a boolean: compare as written */
			else
				value = cJSON_CreateBool(enabled);
		} else if (item && !cJSON_IsNull(item) && !(cJSON_IsString(item) && !*item->valuestring) &&
			   !(cJSON_IsObject(item) && !item->child)) {
			/* null, "" and {} are what Elasticsearch reports for an unset field */
			value = cJSON_Duplicate(item, 1);
		} else {
			continue;
		}
		if (!err && (!value || !cJSON_AddItemToObject(user, user_fields[i], value))) {
			cJSON_Delete(value);
			err = -ENOMEM;
		}
	}
	if (err) {
		cJSON_Delete(user);
		return err;
	}
	*out = user;
	return 0;
}

/* The body of a user PUT: every field, from the declaration stamped with managed_by. */
static int put_body(cJSON **out, const cJSON *stamped)
{
	cJSON *body = cJSON_CreateObject(), *value;
	const cJSON *item;
	size_t i;

	*out = NULL;
	if (!body)
		return -ENOMEM;
	for (i = 0; user_fields[i]; i++) {
		item = cJSON_GetObjectItemCaseSensitive(stamped, user_fields[i]);
		if (item)
			value = cJSON_Duplicate(item, 1);
		else if (!strcmp(user_fields[i], "roles"))
			value = cJSON_CreateArray();
		else if (!strcmp(user_fields[i], "enabled"))
			value = cJSON_CreateTrue();
		else
			continue; /* full_name and email: omitted means unset, as declared */
		if (!value || !cJSON_AddItemToObject(body, user_fields[i], value)) {
			cJSON_Delete(value);
			cJSON_Delete(body);
			return -ENOMEM;
		}
	}
	*out = body;
	return 0;
}

/* Roles the user needs that this plan creates must exist before the user is written. */
static int add_role_dependencies(struct cluster_builder *b, size_t change, const cJSON *body)
{
	const cJSON *role;
	int err = 0;

	cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(body, "roles")) {
		long created;

		if (!cJSON_IsString(role))
			continue;
		created = builder_created(b, RESOURCE_ROLE, role->valuestring);
		if (created >= 0)
			err = change_add_dependency(builder_change(b, change), (size_t)created);
		if (err)
			break;
	}
	return err;
}

/* Sends body (owned) with the password, if any, in a secret slot. */
static int user_request(struct cluster_builder *b, size_t change, const char *method,
			const char *name, const char *suffix, cJSON *body,
			const struct desired_object *d, const secret_t *password, const char *password_key)
{
	struct plan_request r = { 0 };
	char *escaped = es_escape_path_segment(name);
	cJSON *redacted = NULL;
	int err = escaped ? 0 : -ENOMEM;

	if (!err)
		err = request_init(&r, !strcmp(method, "DELETE") ? STEP_USERS_DELETE : STEP_USERS_WRITE, method);
	if (!err)
		err = request_set_path(&r, "/_security/user/%s%s", escaped, suffix);
	if (!err && body)
		err = redact_into_request(&redacted, &r, body, d ? d->sensitive_paths : NULL, "");
	if (!err && password) {
		if (!cJSON_AddStringToObject(redacted, password_key, SECRET_PLACEHOLDER))
			err = -ENOMEM;
		else
			err = request_add_secret_slot(&r, password_key, password);
	}
	if (!err) {
		err = builder_push_single(b, &r, redacted, change);
		redacted = NULL;
	}
	cJSON_Delete(body);
	cJSON_Delete(redacted);
	request_dispose(&r);
	free(escaped);
	return err;
}

static int field_password(struct plan_change *c, const char *key, bool existed)
{
	cJSON *shown = cJSON_CreateString(SECRET_PLACEHOLDER);
	int err = shown ? change_add_field(c, key, existed ? shown : NULL, shown, true) : -ENOMEM;

	if (!err && !strcmp(key, "password"))
		c->sets_password = true;
	cJSON_Delete(shown);
	return err;
}

static int user_delete(struct cluster_builder *b, const char *name, const cJSON *live, size_t index)
{
	(void)live;
	return user_request(b, index, "DELETE", name, "", NULL, NULL, NULL, NULL);
}

/* Indexes the probe answers and the live roles of the cluster once: looking
 * each user's up in the lists would make planning quadratic in the users. */
static int index_cluster(struct cluster_builder *b)
{
	int err;

	if (b->users_indexed)
		return 0;
	err = strmap_put_names(&b->probes, b->lc->password_probes);
	if (!err)
		err = strmap_put_names(&b->live_roles, b->lc->objects[RESOURCE_ROLE]);
	b->users_indexed = !err;
	return err;
}

/* *out: the declared password was probed and did not match. */
static int probe_failed(bool *out, struct cluster_builder *b, const struct desired_object *d,
			const cJSON *live)
{
	bool enabled = true;
	size_t matches;
	int err;

	*out = false;
	if (!d->password || b->desired->policy.password_check != PASSWORD_CHECK_PROBE)
		return 0;
	/* a disabled user cannot authenticate whatever its password: the probe proves nothing */
	if (!json_as_bool(cJSON_GetObjectItemCaseSensitive(live, "enabled"), &enabled) && !enabled)
		return 0;
	if ((err = index_cluster(b)))
		return err;
	*out = strmap_get(&b->probes, d->name, &matches) && !matches;
	return 0;
}

/* A built-in user: only its password is managed. */
static int user_reserved(struct cluster_builder *b, const struct desired_object *d, const cJSON *live)
{
	size_t index;
	bool failed = false;
	int err = 0;
	cJSON *body;

	if (d->body && d->body->child)
		err = builder_add_warning(b, "user [%s] is built in: only its password is managed, its other "
					  "fields are left as they are", d->name);
	if (!err)
		err = probe_failed(&failed, b, d, live);
	if (err || !failed) {
		if (!err)
			b->cp->unchanged++;
		return err;
	}
	err = builder_add_change(b, RESOURCE_USER, d->name, ACTION_UPDATE, &index);
	if (!err)
		err = field_password(builder_change(b, index), "password", true);
	if (err)
		return err;
	body = cJSON_CreateObject();
	if (!body)
		return -ENOMEM;
	return user_request(b, index, "POST", d->name, "/_password", body, NULL, d->password, "password");
}

static int user_guard(struct cluster_builder *b, const struct desired_object *d, const char *name,
		      const cJSON *live)
{
	int err;

	if (!d || !is_reserved(name, live))
		return 0;
	if (d->absent)
		err = builder_add_problem(b, RESOURCE_USER, name, "user [%s] is built in and cannot be deleted",
					  name);
	else
		err = user_reserved(b, d, live);
	return err ? err : 1;
}

/* *out: a role of the user that no declaration, no live role and no built-in
 * role provides, or NULL: the user could never get its privileges (borrowed from d). */
static int dangling_role(const char **out, struct cluster_builder *b, const struct desired_object *d)
{
	const struct desired_object *declared;
	const cJSON *role;
	int err = index_cluster(b);

	*out = NULL;
	if (err)
		return err;
	cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(d->body, "roles")) {
		if (!cJSON_IsString(role) || es_role_is_reserved(role->valuestring))
			continue;
		declared = desired_find_object(b->desired, RESOURCE_ROLE, d->cluster, role->valuestring);
		if (declared ? !declared->absent : strmap_get(&b->live_roles, role->valuestring, NULL))
			continue;
		*out = role->valuestring;
		return 0;
	}
	return 0;
}

/* A new user's body is the whole PUT body; an update compares the declaration. */
static int user_desired_problem(char **out, struct cluster_builder *b, const struct desired_object *d,
				const cJSON *live)
{
	const char *role;
	struct buf text;
	int err = dangling_role(&role, b, d);

	*out = NULL;
	if (err || (!role && (live || d->password || d->password_hash)))
		return err;
	buf_init(&text, BUF_SMALL_MAX);
	if (role)
		err = buf_printf(&text, "user [%s] has role [%s], which is declared nowhere, does not exist on "
				 "cluster [%s] and is not built in, so the user never gets its privileges: "
				 "declare roles.%s.%s, or take it out of the user's roles", d->name, role,
				 d->cluster, d->cluster, role);
	else
		err = buf_printf(&text, "user [%s] does not exist and has no password: set users.%s.%s.password",
				 d->name, d->cluster, d->name);
	*out = err ? NULL : buf_detach(&text);
	buf_dispose(&text);
	return *out ? 0 : -ENOMEM;
}

static int user_desired_body(cJSON **out, char **problem_out, struct cluster_builder *b,
			     const struct desired_object *d, const cJSON *live)
{
	cJSON *stamped = NULL;
	int err;

	*out = NULL;
	*problem_out = NULL;
	err = plan_stamp_managed(&stamped, d->body, b->owner);
	if (err || live) {
		*out = stamped;
		return err;
	}
	err = put_body(out, stamped);
	cJSON_Delete(stamped);
	return err;
}

static int user_extra_fields(struct cluster_builder *b, const struct desired_object *d,
			     const cJSON *live, struct plan_change *c)
{
	bool failed;
	int err = probe_failed(&failed, b, d, live);

	return !err && failed ? field_password(c, "password", true) : err;
}

static bool only_password_changes(const struct plan_change *c)
{
	size_t i;

	for (i = 0; i < c->field_count; i++)
		if (strcmp(c->fields[i].path, "password") != 0)
			return false;
	return true;
}

static int user_write(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
		      const cJSON *live, size_t change)
{
	const char *key = d->password ? "password" : "password_hash";
	bool password = !live;
	cJSON *put = NULL, *empty;
	int err = live ? probe_failed(&password, b, d, live) : 0;

	if (err)
		return err;
	if (!live) {
		err = field_password(builder_change(b, change), key, false);
		put = err ? NULL : cJSON_Duplicate(body, 1);
		if (!err && !put)
			err = -ENOMEM;
	} else if (only_password_changes(builder_change(b, change))) {
		empty = cJSON_CreateObject();
		return empty ? user_request(b, change, "POST", d->name, "/_password", empty, NULL,
					    d->password, "password")
			     : -ENOMEM;
	} else {
		err = put_body(&put, body);
	}
	if (!err)
		err = add_role_dependencies(b, change, put);
	if (err) {
		cJSON_Delete(put);
		return err;
	}
	if (!password)
		return user_request(b, change, "PUT", d->name, "", put, d, NULL, "password");
	return user_request(b, change, "PUT", d->name, "", put, d,
			    d->password ? d->password : d->password_hash, live ? "password" : key);
}

bool plan_change_sets_password(const struct plan_change *c)
{
	return c->kind == RESOURCE_USER && (c->action == ACTION_CREATE || c->action == ACTION_UPDATE) &&
	       c->sets_password;
}

/* The normalised user (roles sorted; null, "" and {} left out) without what
 * is the default (enabled: true) or esreconcile's own (metadata.managed_by).
 * Passwords cannot be read: the export adds a placeholder. */
static int user_declare(cJSON **out, const char *name, const cJSON *live, const struct live_cluster *lc,
			cJSON *notes)
{
	cJSON *metadata = NULL;
	int err;

	(void)name;
	(void)notes;
	if ((err = user_normalize(out, live, lc)))
		return err;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*out, "enabled")))
		cJSON_DeleteItemFromObjectCaseSensitive(*out, "enabled");
	err = plan_unstamped_metadata(&metadata, live);
	cJSON_DeleteItemFromObjectCaseSensitive(*out, "metadata");
	if (!err && metadata && !cJSON_AddItemToObject(*out, "metadata", metadata)) {
		cJSON_Delete(metadata);
		err = -ENOMEM;
	}
	if (err) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return err;
}
/* User writes, password changes and deletions. */
static const char *const user_privileges[] = { "manage_security", NULL };

const struct kind_ops user_kind_ops = {
	.kind = RESOURCE_USER,
	.privileges = user_privileges,
	.normalize = user_normalize,
	.shares_desired_norm = true,
	.prunable = user_prunable,
	.owner_of = user_owner_of,
	.guard = user_guard,
	.desired_problem = user_desired_problem,
	.desired_body = user_desired_body,
	.extra_fields = user_extra_fields,
	.write = user_write,
	.remove = user_delete,
	.finish = NULL,
	.fingerprint = user_fingerprint,
	.declare = user_declare,
};
