/* users: native users. Passwords cannot be read back: a declared password is
 * checked through live.password_probes (probe mode) and set on creation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es/path.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"

/* Built-in users: only their password may be changed. */
static const char *const builtin_users[] = {
	"elastic", "kibana", "kibana_system", "logstash_system", "beats_system", "apm_system",
	"remote_monitoring_user", NULL,
};

/* The fields a user PUT sets; Elasticsearch resets the ones a PUT omits. */
static const char *const user_fields[] = { "roles", "full_name", "email", "metadata", "enabled", NULL };

static bool is_reserved(const char *name, const cJSON *live)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(live, "metadata");
	size_t i;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(metadata, "_reserved")))
		return true;
	for (i = 0; builtin_users[i]; i++)
		if (!strcmp(builtin_users[i], name))
			return true;
	return false;
}

static int user_read_live(cJSON **out, struct cluster_builder *b)
{
	/* a reference to the live tree, not a copy: it can hold thousands of objects */
	*out = cJSON_IsObject(b->lc->users) ? cJSON_CreateObjectReference(b->lc->users->child) : cJSON_CreateObject();
	return *out ? 0 : -ENOMEM;
}

static bool user_prunable(const struct cluster_builder *b, const char *name, const cJSON *live,
			  enum prune_policy policy)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(live, "metadata");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(metadata, MANAGED_BY_KEY);

	(void)b;
	if (is_reserved(name, live))
		return false;
	return policy == PRUNE_ALL || (cJSON_IsString(by) && !strcmp(by->valuestring, MANAGED_BY_VALUE));
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
		const cJSON *created;

		if (!cJSON_IsString(role))
			continue;
		created = cJSON_GetObjectItemCaseSensitive(b->roles_created, role->valuestring);
		if (cJSON_IsNumber(created))
			err = change_add_dependency(builder_change(b, change), (size_t)created->valuedouble);
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
	if (err)
		goto done;
	r.body = redacted;
	redacted = NULL;
	err = request_add_change(&r, change);
	if (!err)
		err = change_set_view(builder_change(b, change), method, r.path, r.body);
	if (!err)
		err = builder_push_request(b, &r);
done:
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

	cJSON_Delete(shown);
	return err;
}

static int user_delete(struct cluster_builder *b, const char *name, const cJSON *live)
{
	size_t index;
	int err;

	err = builder_add_change(b, RESOURCE_USER, name, ACTION_DELETE, &index);
	if (!err)
		err = kind_live_fields(builder_change(b, index), &user_kind_ops, b->lc, live);
	if (!err)
		err = user_request(b, index, "DELETE", name, "", NULL, NULL, NULL, NULL);
	return err;
}

static bool probe_failed(const struct cluster_builder *b, const struct desired_object *d,
			 const cJSON *live)
{
	const cJSON *probe;
	bool enabled = true;

	if (!d->password || b->desired->policy.password_check != PASSWORD_CHECK_PROBE)
		return false;
	/* a disabled user cannot authenticate whatever its password: the probe proves nothing */
	if (!json_as_bool(cJSON_GetObjectItemCaseSensitive(live, "enabled"), &enabled) && !enabled)
		return false;
	probe = cJSON_GetObjectItemCaseSensitive(b->lc->password_probes, d->name);
	return cJSON_IsFalse(probe);
}

static int user_create(struct cluster_builder *b, const struct desired_object *d, const cJSON *stamped)
{
	const char *key = d->password ? "password" : "password_hash";
	cJSON *body = NULL;
	const cJSON *item;
	size_t index;
	int err;

	if (!d->password && !d->password_hash)
		return builder_add_problem(b, RESOURCE_USER, d->name,
					   "user [%s] does not exist and has no password: set users.%s.%s.password",
					   d->name, d->cluster, d->name);
	err = put_body(&body, stamped);
	if (!err)
		err = builder_add_change(b, RESOURCE_USER, d->name, ACTION_CREATE, &index);
	cJSON_ArrayForEach(item, body) {
		if (err)
			break;
		err = change_add_field(builder_change(b, index), item->string, NULL, item,
				       path_is_sensitive(d->sensitive_paths, item->string));
	}
	if (!err)
		err = field_password(builder_change(b, index), key, false);
	if (!err)
		err = add_role_dependencies(b, index, body);
	if (err) {
		cJSON_Delete(body);
		return err;
	}
	return user_request(b, index, "PUT", d->name, "", body, d,
			    d->password ? d->password : d->password_hash, key);
}

static int user_reserved(struct cluster_builder *b, const struct desired_object *d, const cJSON *live)
{
	size_t index;
	int err = 0;
	cJSON *body;

	if (d->body && d->body->child)
		err = builder_add_warning(b, "user [%s] is built in: only its password is managed, its other "
					  "fields are left as they are", d->name);
	if (err || !probe_failed(b, d, live)) {
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

static int user_update(struct cluster_builder *b, const struct desired_object *d,
		       const cJSON *stamped, const cJSON *live)
{
	struct plan_change scratch = { 0 };
	bool password = probe_failed(b, d, live);
	size_t index, changed = 0;
	cJSON *body = NULL;
	int err;

	err = kind_diff(&scratch, &changed, &user_kind_ops, b->lc, live, stamped, d->sensitive_paths);
	if (!err && password)
		err = field_password(&scratch, "password", true);
	if (err)
		goto done;
	if (!scratch.field_count) {
		b->cp->unchanged++;
		goto done;
	}
	err = builder_add_change_from(b, &scratch, RESOURCE_USER, d->name, ACTION_UPDATE, &index);
	if (err)
		goto done;
	if (!changed) {
		/* only the password differs */
		body = cJSON_CreateObject();
		err = body ? user_request(b, index, "POST", d->name, "/_password", body, NULL, d->password,
					  "password")
			   : -ENOMEM;
		goto done;
	}
	err = put_body(&body, stamped);
	if (!err)
		err = add_role_dependencies(b, index, body);
	if (!err)
		err = user_request(b, index, "PUT", d->name, "", body, d, password ? d->password : NULL,
				   "password");
	else
		cJSON_Delete(body);
done:
	change_dispose(&scratch);
	return err;
}

static int user_plan_object(struct cluster_builder *b, const struct desired_object *d,
			    const char *name, const cJSON *live)
{
	cJSON *stamped = NULL;
	int err;

	if (!d)
		return user_delete(b, name, live);
	if (is_reserved(name, live)) {
		if (d->absent)
			return builder_add_problem(b, RESOURCE_USER, name,
						   "user [%s] is built in and cannot be deleted", name);
		return user_reserved(b, d, live);
	}
	if (d->absent) {
		if (!live) {
			b->cp->unchanged++;
			return 0;
		}
		return user_delete(b, name, live);
	}
	err = plan_stamp_managed(&stamped, d->body);
	if (!err)
		err = live ? user_update(b, d, stamped, live) : user_create(b, d, stamped);
	cJSON_Delete(stamped);
	return err;
}

const struct kind_ops user_kind_ops = {
	.kind = RESOURCE_USER,
	.read_live = user_read_live,
	.normalize = user_normalize,
	.prunable = user_prunable,
	.plan_object = user_plan_object,
	.finish = NULL,
};
