/* roles: native roles, compared as Elasticsearch means them and written with
 * the bulk role API on 8.15+ (one PUT per role before). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired/es_names.h"
#include "es/path.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"

/* Reserved by the server's word (metadata._reserved) or by name: a server
 * that forgets the flag must not get its built-in roles deleted. */
static bool is_reserved(const char *name, const cJSON *role)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(role, "metadata");

	return es_role_is_reserved(name) || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(metadata, "_reserved"));
}

static bool role_prunable(const char *name, const cJSON *live)
{
	return !is_reserved(name, live);
}

static const char *role_owner_of(const struct cluster_builder *b, const char *name, const cJSON *live)
{
	(void)b;
	(void)name;
	return plan_metadata_owner(live);
}

/* ---- normalisation ---- */

/* Replaces object[key] by value (owned), or removes it when value is NULL. */
static int put(cJSON *object, const char *key, cJSON *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(object, key);
	if (!value)
		return 0;
	if (!cJSON_AddItemToObject(object, key, value)) {
		cJSON_Delete(value);
		return -ENOMEM;
	}
	return 0;
}

/* key as a sorted set of strings; dropped when empty (GET adds empty arrays). */
static int norm_set(cJSON *object, const char *key, bool lowercase)
{
	cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key), *set;
	int err;

	if (!value)
		return 0;
	set = json_string_set(value, lowercase, false, &err);
	if (err)
		return err;
	if (set && cJSON_IsArray(set) && !cJSON_GetArraySize(set)) {
		cJSON_Delete(set);
		set = NULL;
	}
	return put(object, key, set);
}

static int drop_if_empty(cJSON *object, const char *key)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);

	if (!value)
		return 0;
	if (cJSON_IsNull(value) || ((cJSON_IsObject(value) || cJSON_IsArray(value)) && !value->child) ||
	    (cJSON_IsString(value) && !*value->valuestring))
		cJSON_DeleteItemFromObjectCaseSensitive(object, key);
	return 0;
}

/* GET renders a query as a JSON-encoded string; a declaration may give an object. */
static int norm_query(cJSON *entry)
{
	cJSON *query = cJSON_GetObjectItemCaseSensitive(entry, "query"), *parsed;

	if (!cJSON_IsString(query))
		return 0;
	parsed = cJSON_ParseWithLengthOpts(query->valuestring, strlen(query->valuestring) + 1, NULL, 1);
	if (!parsed)
		return 0; /* not JSON: compare the text */
	return put(entry, "query", parsed);
}

static int norm_index_entry(cJSON *entry)
{
	cJSON *restricted, *fs;
	bool flag;
	int err;

	if (!cJSON_IsObject(entry))
		return 0;
	err = norm_set(entry, "names", false);
	if (!err)
		err = norm_set(entry, "privileges", true);
	if (!err)
		err = norm_set(entry, "clusters", false);
	if (!err)
		err = norm_query(entry);
	if (err)
		return err;
	restricted = cJSON_GetObjectItemCaseSensitive(entry, "allow_restricted_indices");
	if (restricted && !json_as_bool(restricted, &flag))
		err = put(entry, "allow_restricted_indices", flag ? cJSON_CreateTrue() : NULL);
	fs = cJSON_GetObjectItemCaseSensitive(entry, "field_security");
	if (!err && cJSON_IsObject(fs)) {
		err = norm_set(fs, "grant", false);
		if (!err)
			err = norm_set(fs, "except", false);
		if (!err)
			err = drop_if_empty(entry, "field_security");
	}
	return err;
}

static int norm_entries(cJSON *role, const char *key, int (*norm_entry)(cJSON *));

int plan_normalize_index_entries(cJSON *object, const char *key)
{
	return norm_entries(object, key, norm_index_entry);
}

static int norm_entries(cJSON *role, const char *key, int (*norm_entry)(cJSON *))
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(role, key), *entry;
	int err;

	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(entry, list) {
			err = norm_entry(entry);
			if (err)
				return err;
		}
		/* entries grant the union of their privileges: their order means nothing */
		err = json_sort_unique(list);
		if (err)
			return err;
	}
	return drop_if_empty(role, key);
}

static int norm_application_entry(cJSON *entry)
{
	int err;

	if (!cJSON_IsObject(entry))
		return 0;
	err = norm_set(entry, "privileges", false);
	return err ? err : norm_set(entry, "resources", false);
}

static int norm_remote_cluster_entry(cJSON *entry)
{
	int err;

	if (!cJSON_IsObject(entry))
		return 0;
	err = norm_set(entry, "privileges", true);
	return err ? err : norm_set(entry, "clusters", false);
}

int role_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc)
{
	cJSON *role = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();
	int err;

	(void)lc;
	*out = NULL;
	if (!role)
		return -ENOMEM;
	/* accepted and dropped by Elasticsearch, reported back by GET */
	cJSON_DeleteItemFromObjectCaseSensitive(role, "transient_metadata");
	err = norm_set(role, "cluster", true);
	if (!err)
		err = norm_set(role, "run_as", false);
	if (!err)
		err = norm_entries(role, "indices", norm_index_entry);
	if (!err)
		err = norm_entries(role, "remote_indices", norm_index_entry);
	if (!err)
		err = norm_entries(role, "applications", norm_application_entry);
	if (!err)
		err = norm_entries(role, "remote_cluster", norm_remote_cluster_entry);
	if (!err)
		err = drop_if_empty(role, "metadata");
	if (!err)
		err = drop_if_empty(role, "global");
	if (!err)
		err = drop_if_empty(role, "description");
	if (err) {
		cJSON_Delete(role);
		return err;
	}
	*out = role;
	return 0;
}

/* ---- planning ---- */

/* True when live has an object key (at any depth) that desired lacks. */
static bool loses_keys(const cJSON *live, const cJSON *desired)
{
	const cJSON *item;

	if (!cJSON_IsObject(live))
		return false;
	cJSON_ArrayForEach(item, live) {
		const cJSON *other = cJSON_IsObject(desired)
					     ? cJSON_GetObjectItemCaseSensitive(desired, item->string)
					     : NULL;

		if (!other || (cJSON_IsObject(item) && loses_keys(item, other)))
			return true;
	}
	return false;
}

/* A bulk write merges objects key by key, so a role whose metadata or global
 * loses keys needs the single PUT, which replaces the whole document. The
 * rest of the role needs no PUT: arrays are replaced, and the upsert document
 * always carries remote_indices, remote_cluster and description, empty when the
 * body omits them (NativeRolesStore.createRoleXContentBuilder), so a bulk write
 * clears what was added to them by hand. */
static bool needs_single_put(const cJSON *live, const cJSON *desired)
{
	return loses_keys(cJSON_GetObjectItemCaseSensitive(live, "metadata"),
			  cJSON_GetObjectItemCaseSensitive(desired, "metadata")) ||
	       loses_keys(cJSON_GetObjectItemCaseSensitive(live, "global"),
			  cJSON_GetObjectItemCaseSensitive(desired, "global"));
}

size_t roles_bulk_max = (size_t)100 << 20;

static int bulk_request(struct plan_request *r, const char *method)
{
	int err;

	if (r->method)
		return 0;
	err = request_init(r, method[0] == 'P' ? STEP_ROLES_WRITE : STEP_ROLES_DELETE, method);
	if (!err)
		err = request_set_path(r, "/_security/role");
	r->answer = ANSWER_PER_ITEM;
	return err;
}

/* `{"name":body}` as the whole bulk body prints it, into *out (the caller frees it). */
static int member_text(char **out, const char *name, const cJSON *body)
{
	cJSON *member = cJSON_CreateObject();

	*out = member && cJSON_AddItemReferenceToObject(member, name, (cJSON *)body)
		       ? cJSON_PrintUnformatted(member)
		       : NULL;
	cJSON_Delete(member);
	return *out ? 0 : -ENOMEM;
}

/* Appends a member_text() to the bulk write's body, which starts as
 * `{"roles":{` and push_roles_bulk() closes. */
static int append_bulk_member(struct cluster_builder *b, const char *text)
{
	struct buf *members = &b->roles_bulk_members;
	int err;

	if (members->max == 0)
		buf_init(members, roles_bulk_max);
	err = members->len ? buf_puts(members, ",") : buf_puts(members, "{\"roles\":{");
	/* {"name":{...}}: the braces go */
	return err ? err : buf_append(members, text + 1, strlen(text) - 2);
}

/* Closes the pending bulk write, if any, and adds it to the plan. */
static int push_roles_bulk(struct cluster_builder *b)
{
	int err;

	if (!request_is_pending(&b->roles_bulk))
		return 0;
	err = buf_puts(&b->roles_bulk_members, "}}");
	free(b->roles_bulk.body);
	b->roles_bulk.body = err ? NULL : buf_detach(&b->roles_bulk_members);
	if (!err)
		err = b->roles_bulk.body ? builder_push_request(b, &b->roles_bulk) : -ENOMEM;
	return err;
}

/* Adds the role to the bulk write, after closing that write first when the
 * role would take its body past roles_bulk_max (the role counted as it is
 * sent, secrets included; the members before it as planned). */
static int bulk_write(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
		      size_t change)
{
	const struct buf *members = &b->roles_bulk_members;
	cJSON *redacted = NULL;
	char *text = NULL;
	struct buf prefix;
	int err = member_text(&text, d->name, body);

	buf_init(&prefix, BUF_SMALL_MAX);
	/* with it: a comma, its text without the braces, and the closing "}}" */
	if (!err && members->len && members->len + strlen(text) + 1 > roles_bulk_max)
		err = push_roles_bulk(b);
	if (!err)
		err = bulk_request(&b->roles_bulk, "POST");
	if (!err)
		err = buf_printf(&prefix, "roles.%s.", d->name);
	if (!err)
		err = redact_into_request(&redacted, &b->roles_bulk, body, d->sensitive_paths, prefix.data);
	if (!err)
		err = request_add_change(&b->roles_bulk, change);
	if (!err)
		err = request_add_part(&b->roles_bulk, change, PART_MEMBER, "roles", d->name);
	if (!err)
		err = plan_fold_change(builder_change(b, change), &b->roles_bulk,
				       &b->roles_bulk.parts[b->roles_bulk.part_count - 1], redacted);
	if (!err && cJSON_GetArraySize(d->sensitive_paths)) {
		/* the plan's body holds the placeholders */
		free(text);
		err = member_text(&text, d->name, redacted);
	}
	if (!err)
		err = append_bulk_member(b, text);
	free(text);
	cJSON_Delete(redacted);
	buf_dispose(&prefix);
	return err;
}

static int single_request(struct cluster_builder *b, const char *name, cJSON *body,
			  struct plan_request *r, size_t change)
{
	char *escaped = es_escape_path_segment(name);
	int err;

	if (!escaped)
		return -ENOMEM;
	err = request_set_path(r, "/_security/role/%s", escaped);
	free(escaped);
	if (err) {
		cJSON_Delete(body);
		return err;
	}
	return builder_push_single(b, r, body, change);
}

static int role_write(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
		      const cJSON *live, size_t change)
{
	struct plan_request single = { 0 };
	cJSON *redacted = NULL;
	int err;

	if (live_version_at_least(b->lc, 8, 15) && !(live && needs_single_put(live, body)))
		return bulk_write(b, d, body, change);
	err = request_init(&single, STEP_ROLES_WRITE, "PUT");
	if (!err)
		err = redact_into_request(&redacted, &single, body, d->sensitive_paths, "");
	if (!err) {
		err = single_request(b, d->name, redacted, &single, change);
		redacted = NULL;
	}
	cJSON_Delete(redacted);
	request_dispose(&single);
	return err;
}

static int role_delete(struct cluster_builder *b, const char *name, const cJSON *live, size_t index)
{
	struct plan_request single = { 0 };
	int err;

	(void)live;
	if (live_version_at_least(b->lc, 8, 15)) {
		cJSON *names;

		err = bulk_request(&b->roles_bulk_delete, "DELETE");
		if (!err && !b->roles_bulk_delete.pending_body &&
		    (!(b->roles_bulk_delete.pending_body = cJSON_CreateObject()) ||
		     !cJSON_AddArrayToObject(b->roles_bulk_delete.pending_body, "names")))
			err = -ENOMEM;
		if (err)
			return err;
		names = cJSON_GetObjectItemCaseSensitive(b->roles_bulk_delete.pending_body, "names");
		if (!cJSON_AddItemToArray(names, cJSON_CreateString(name)))
			return -ENOMEM;
		err = request_add_change(&b->roles_bulk_delete, index);
		if (!err)
			err = request_add_part(&b->roles_bulk_delete, index, PART_ARRAY_STRING, "names", name);
		return err;
	}
	err = request_init(&single, STEP_ROLES_DELETE, "DELETE");
	if (!err)
		err = single_request(b, name, NULL, &single, index);
	request_dispose(&single);
	return err;
}

const char *plan_license_type(const struct live_cluster *lc)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(lc->license, "license"), "type");

	return cJSON_IsString(type) ? type->valuestring : NULL;
}

bool plan_license_allows(const struct live_cluster *lc, const char *const *types)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(lc->license, "license"), "status");
	const char *type = plan_license_type(lc);

	if (!type) /* not known: the write will say */
		return true;
	if (cJSON_IsString(status) && strcmp(status->valuestring, "active") != 0)
		return false;
	for (; *types; types++)
		if (!strcmp(type, *types))
			return true;
	return false;
}

static bool entries_use_dls(const cJSON *entries)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, entries)
		if (cJSON_GetObjectItemCaseSensitive(entry, "query") ||
		    cJSON_GetObjectItemCaseSensitive(entry, "field_security"))
			return true;
	return false;
}

/* What the cluster's licence says of a declared role: a role using document-
 * or field-level security is refused on a basic licence (a problem now, not a
 * 403 halfway through apply); replication privileges work only with a
 * licence that has cross-cluster replication, on both sides (a warning). */
static int check_license(struct cluster_builder *b, const struct desired_object *d)
{
	/* XPackLicenseState: Feature DLS/FLS, License.OperationMode */
	static const char *const dls_types[] = { "platinum", "enterprise", "trial", NULL };
	const char *type = plan_license_type(b->lc);
	const cJSON *cluster;

	if ((entries_use_dls(cJSON_GetObjectItemCaseSensitive(d->body, "indices")) ||
	     entries_use_dls(cJSON_GetObjectItemCaseSensitive(d->body, "remote_indices"))) &&
	    !plan_license_allows(b->lc, dls_types)) {
		int err = builder_add_problem(b, RESOURCE_ROLE, d->name,
					      "role [%s] uses document- or field-level security (query or "
					      "field_security), which the [%s] licence of cluster [%s] does not "
					      "allow: start a trial (POST /_license/start_trial?acknowledge=true) or "
					      "install a platinum or enterprise licence", d->name,
					      type ? type : "current", b->lc->cluster_id);

		return err ? err : 1;
	}
	cluster = cJSON_GetObjectItemCaseSensitive(d->body, "cluster");
	if (type && !strcmp(type, "basic") &&
	    (privileges_grant(cluster, "manage_ccr") || privileges_grant(cluster, "read_ccr")))
		return builder_add_warning(b, "role [%s] grants cross-cluster replication privileges, but cluster "
					   "[%s] has a basic licence: replication needs a platinum, enterprise or "
					   "trial licence on both sides", d->name, b->lc->cluster_id);
	return 0;
}

static int role_guard(struct cluster_builder *b, const struct desired_object *d, const char *name,
		      const cJSON *live)
{
	int err;

	if (d && !d->absent && (err = check_license(b, d)))
		return err;
	if (!d || !live || !is_reserved(name, live))
		return 0;
	err = builder_add_problem(b, RESOURCE_ROLE, name,
				  "role [%s] is reserved: esreconcile never changes or deletes it", name);
	return err ? err : 1;
}

/* ---- what the cluster's version knows ---- */

/* Whether the cluster's version knows name; else *major.*minor is the first that does. */
static bool version_knows(const struct cluster_builder *b, enum es_name_kind kind, const char *name,
			  int *major, int *minor)
{
	return !es_name_since(kind, name, major, minor) || live_version_at_least(b->lc, *major, *minor);
}

/* Adds "the <kind> [name] (M.m+)" to found (a sorted set) when the cluster's
 * version does not know name (a name is no secret: shown as written). */
static int check_since(cJSON *found, const struct cluster_builder *b, enum es_name_kind kind,
		       const char *name)
{
	struct buf text;
	int major, minor, err;

	if (version_knows(b, kind, name, &major, &minor))
		return 0;
	buf_init(&text, BUF_SMALL_MAX);
	err = buf_printf(&text, "the %s [%s] (%d.%d+)", es_name_kind_text(kind), name, major, minor);
	if (!err)
		err = string_set_add(found, text.data);
	buf_dispose(&text);
	return err;
}

/* Checks each privilege of list. */
static int check_privileges_since(cJSON *found, const struct cluster_builder *b,
				  enum es_name_kind kind, const cJSON *list)
{
	const cJSON *item;
	int err = 0;

	cJSON_ArrayForEach(item, list) {
		if (!err && cJSON_IsString(item))
			err = check_since(found, b, kind, item->valuestring);
	}
	return err;
}

/* Checks the privileges of each entry of the role's list key. */
static int check_entries_since(cJSON *found, const struct cluster_builder *b, const cJSON *role,
			       enum es_name_kind kind, const char *key)
{
	const cJSON *entry;
	int err = 0;

	cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(role, key)) {
		if (!err)
			err = check_privileges_since(found, b, kind,
						     cJSON_GetObjectItemCaseSensitive(entry, "privileges"));
	}
	return err;
}

/* The role fields and privileges of the declaration that the cluster's
 * version does not know (desired/es_names.c has the versions), as a problem
 * text in *out (the caller frees it), or NULL when there is none:
 * Elasticsearch would refuse the write, and the plan is where to say why. */
static int version_problem(char **out, const struct cluster_builder *b, const struct desired_object *d)
{
	cJSON *found = cJSON_CreateArray();
	const cJSON *field, *item;
	struct buf text;
	int major, minor, count, err = found ? 0 : -ENOMEM;

	*out = NULL;
	buf_init(&text, BUF_SMALL_MAX);
	cJSON_ArrayForEach(field, d->body) {
		if (!err)
			err = check_since(found, b, ES_ROLE_FIELD, field->string);
	}
	if (!err)
		err = check_privileges_since(found, b, ES_CLUSTER_PRIVILEGE,
					     cJSON_GetObjectItemCaseSensitive(d->body, "cluster"));
	if (!err)
		err = check_entries_since(found, b, d->body, ES_INDEX_PRIVILEGE, "indices");
	if (!err)
		err = check_entries_since(found, b, d->body, ES_INDEX_PRIVILEGE, "remote_indices");
	/* the privileges of a field the version does not know would only repeat it */
	if (!err && version_knows(b, ES_ROLE_FIELD, "remote_cluster", &major, &minor))
		err = check_entries_since(found, b, d->body, ES_REMOTE_CLUSTER_PRIVILEGE, "remote_cluster");
	count = cJSON_GetArraySize(found);
	if (err || !count)
		goto done;
	err = buf_printf(&text, "role [%s] uses what Elasticsearch %s does not know: ", d->name,
			 b->lc->version);
	cJSON_ArrayForEach(item, found) {
		if (!err)
			err = buf_printf(&text, "%s%s", item == found->child ? "" : ", ", item->valuestring);
	}
	if (!err)
		err = buf_printf(&text, "; leave %s out of the role on this cluster, or upgrade the cluster",
				 count > 1 ? "them" : "it");
	if (!err && !(*out = buf_detach(&text)))
		err = -ENOMEM;
done:
	cJSON_Delete(found);
	buf_dispose(&text);
	return err;
}

static int role_desired_problem(char **out, struct cluster_builder *b, const struct desired_object *d,
				const cJSON *live)
{
	(void)live;
	return version_problem(out, b, d);
}

static int role_desired_body(cJSON **out, char **problem_out, struct cluster_builder *b,
			     const struct desired_object *d, const cJSON *live)
{
	(void)live;
	*problem_out = NULL;
	return plan_stamp_managed(out, d->body, b->owner);
}

static int role_finish(struct cluster_builder *b)
{
	int err = push_roles_bulk(b);

	if (!err && request_is_pending(&b->roles_bulk_delete))
		err = builder_push_request(b, &b->roles_bulk_delete);
	return err;
}

/* ---- export ---- */

/* The descriptor's keys a declaration holds, in the order it writes them. */
static const char *const declared_keys[] = {
	"cluster", "indices", "applications", "run_as", "remote_indices", "remote_cluster", "global",
	"description", "metadata", NULL,
};

static bool listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/* What GET adds to a descriptor and a declaration leaves out: empty lists,
 * an empty global or description. */
static bool is_empty(const cJSON *value)
{
	return ((cJSON_IsArray(value) || cJSON_IsObject(value)) && !value->child) ||
	       (cJSON_IsString(value) && !value->valuestring[0]) || cJSON_IsNull(value);
}

/* A copy of an indices or remote_indices list without allow_restricted_indices: false. */
static cJSON *declared_entries(const cJSON *entries)
{
	cJSON *copy = cJSON_Duplicate(entries, 1), *entry;

	cJSON_ArrayForEach(entry, copy) {
		if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(entry, "allow_restricted_indices")))
			cJSON_DeleteItemFromObjectCaseSensitive(entry, "allow_restricted_indices");
	}
	return copy;
}

static int role_declare(cJSON **out, const char *name, const cJSON *live, const struct live_cluster *lc,
			cJSON *notes)
{
	cJSON *body = cJSON_CreateObject(), *value;
	const cJSON *item, *raw;
	size_t i;
	int err = body ? 0 : -ENOMEM;

	(void)lc;
	*out = NULL;
	for (i = 0; !err && declared_keys[i]; i++) {
		raw = cJSON_GetObjectItemCaseSensitive(live, declared_keys[i]);
		value = NULL;
		if (!strcmp(declared_keys[i], "metadata"))
			err = plan_unstamped_metadata(&value, live);
		else if (!raw || is_empty(raw))
			continue;
		else if (!strcmp(declared_keys[i], "indices") || !strcmp(declared_keys[i], "remote_indices"))
			err = (value = declared_entries(raw)) ? 0 : -ENOMEM;
		else
			err = (value = cJSON_Duplicate(raw, 1)) ? 0 : -ENOMEM;
		if (!err && value && !cJSON_AddItemToObject(body, declared_keys[i], value))
			err = -ENOMEM;
		if (err)
			cJSON_Delete(value);
	}
	cJSON_ArrayForEach(item, live) {
		/* transient_metadata is the server's own bookkeeping */
		if (err || !item->string || !strcmp(item->string, "transient_metadata") ||
		    listed(declared_keys, item->string))
			continue;
		err = plan_note(notes, "role [%s]: [%s] is not a role field esreconcile knows; left out", name,
				item->string);
	}
	if (err) {
		cJSON_Delete(body);
		return err;
	}
	*out = body;
	return 0;
}
/* Role writes and deletions, single or bulk. */
static const char *const role_privileges[] = { "manage_security", NULL };

const struct kind_ops role_kind_ops = {
	.kind = RESOURCE_ROLE,
	.privileges = role_privileges,
	.normalize = role_normalize,
	.shares_desired_norm = true,
	.prunable = role_prunable,
	.owner_of = role_owner_of,
	.guard = role_guard,
	.desired_problem = role_desired_problem,
	.desired_body = role_desired_body,
	.write = role_write,
	.remove = role_delete,
	.finish = role_finish,
	.declare = role_declare,
};
