/* builder: what the per-kind planners share to build a cluster's plan:
 * changes and their fields, requests with their parts and secret slots,
 * redaction, and the managed_by stamp. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"
#include "util/json_text.h"

static int grow(void **array, size_t *cap, size_t count, size_t size)
{
	size_t new_cap;
	void *grown;

	if (count < *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 8;
	grown = realloc(*array, new_cap * size);
	if (!grown)
		return -ENOMEM;
	memset((char *)grown + *cap * size, 0, (new_cap - *cap) * size);
	*array = grown;
	*cap = new_cap;
	return 0;
}

static int append_index(size_t **array, size_t *count, size_t value)
{
	size_t *grown = realloc(*array, (*count + 1) * sizeof(**array));

	if (!grown)
		return -ENOMEM;
	grown[(*count)++] = value;
	*array = grown;
	return 0;
}

/* ---- changes ---- */

int builder_add_change(struct cluster_builder *b, enum resource_kind kind, const char *name,
		       enum change_action action, size_t *index_out)
{
	struct cluster_plan *cp = b->cp;
	struct plan_change *c;

	if (grow((void **)&cp->changes, &b->change_cap, cp->change_count, sizeof(*cp->changes)))
		return -ENOMEM;
	c = &cp->changes[cp->change_count];
	memset(c, 0, sizeof(*c));
	c->name = plan_strdup(name);
	if (!c->name)
		return -ENOMEM;
	c->kind = kind;
	c->action = action;
	*index_out = cp->change_count++;
	return 0;
}

int builder_add_change_from(struct cluster_builder *b, struct plan_change *scratch,
			    enum resource_kind kind, const char *name, enum change_action action,
			    size_t *index_out)
{
	struct plan_change *c;
	int err = builder_add_change(b, kind, name, action, index_out);

	if (err)
		return err;
	c = &b->cp->changes[*index_out];
	c->fields = scratch->fields;
	c->field_count = scratch->field_count;
	c->sets_password = scratch->sets_password;
	scratch->fields = NULL;
	scratch->field_count = 0;
	return 0;
}

struct plan_change *builder_change(struct cluster_builder *b, size_t index)
{
	return &b->cp->changes[index];
}

int builder_add_problem(struct cluster_builder *b, enum resource_kind kind, const char *name,
			const char *fmt, ...)
{
	va_list ap;
	size_t index;
	int err = builder_add_change(b, kind, name, ACTION_PROBLEM, &index);

	if (err)
		return err;
	va_start(ap, fmt);
	b->cp->changes[index].problem = buf_vformat(fmt, ap);
	va_end(ap);
	return b->cp->changes[index].problem ? 0 : -ENOMEM;
}

int builder_add_warning(struct cluster_builder *b, const char *fmt, ...)
{
	struct cluster_plan *cp = b->cp;
	va_list ap;
	char *text;

	if (grow((void **)&cp->warnings, &b->warning_cap, cp->warning_count, sizeof(*cp->warnings)))
		return -ENOMEM;
	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	if (!text)
		return -ENOMEM;
	cp->warnings[cp->warning_count++] = text;
	return 0;
}

bool path_is_sensitive(const cJSON *sensitive_paths, const char *path)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, sensitive_paths)
		if (cJSON_IsString(item) && json_path_overlaps(item->valuestring, path))
			return true;
	return false;
}

/* value as compact JSON text (the placeholder when sensitive) into *out, NULL
 * for none. */
static int field_text(char **out, const cJSON *value, bool sensitive)
{
	*out = NULL;
	if (!value)
		return 0;
	*out = sensitive ? plan_strdup("\"" SECRET_PLACEHOLDER "\"") : cJSON_PrintUnformatted(value);
	return *out ? 0 : -ENOMEM;
}

int change_add_field(struct plan_change *c, const char *path, const cJSON *before,
		     const cJSON *after, bool sensitive)
{
	struct field_change *grown, *f;

	if (c->fields_in_request)
		return -EINVAL; /* a planner added a field after pushing the request */
	grown = realloc(c->fields, (c->field_count + 1) * sizeof(*c->fields));
	if (!grown)
		return -ENOMEM;
	c->fields = grown;
	f = &c->fields[c->field_count];
	memset(f, 0, sizeof(*f));
	f->path = plan_strdup(path);
	f->sensitive = sensitive;
	if (!f->path || field_text(&f->before, before, sensitive) || field_text(&f->after, after, sensitive)) {
		free(f->path);
		free(f->before);
		free(f->after);
		return -ENOMEM;
	}
	c->field_count++;
	return 0;
}

/* A copy of value, the field at path, with each value at a sensitive path
 * inside it replaced by SECRET_PLACEHOLDER (metadata.api_key inside metadata). */
static cJSON *copy_redacted(const cJSON *value, const char *path, const cJSON *sensitive_paths)
{
	cJSON *copy = value ? cJSON_Duplicate(value, 1) : NULL, *parent, *target;
	const cJSON *item;
	size_t len = strlen(path);

	cJSON_ArrayForEach(item, sensitive_paths) {
		if (!copy || !cJSON_IsString(item) || strncmp(item->valuestring, path, len) != 0 ||
		    item->valuestring[len] != '.')
			continue;
		parent = NULL;
		target = json_lookup_path(copy, item->valuestring + len + 1, &parent);
		if (target && parent && json_replace(parent, target, cJSON_CreateString(SECRET_PLACEHOLDER))) {
			cJSON_Delete(copy);
			return NULL;
		}
	}
	return copy;
}

int change_add_field_redacted(struct plan_change *c, const char *path, const cJSON *before,
			      const cJSON *after, const cJSON *sensitive_paths)
{
	cJSON *shown_before, *shown_after;
	const cJSON *item;
	int err;

	cJSON_ArrayForEach(item, sensitive_paths)
		if (cJSON_IsString(item) && json_path_overlaps(item->valuestring, path) &&
		    strlen(item->valuestring) <= strlen(path))
			return change_add_field(c, path, before, after, true); /* the field is a secret */
	shown_before = copy_redacted(before, path, sensitive_paths);
	shown_after = copy_redacted(after, path, sensitive_paths);
	err = (before && !shown_before) || (after && !shown_after)
		      ? -ENOMEM
		      : change_add_field(c, path, shown_before, shown_after, false);
	cJSON_Delete(shown_before);
	cJSON_Delete(shown_after);
	return err;
}

int change_add_body_fields(struct plan_change *c, const cJSON *body, const cJSON *sensitive_paths)
{
	const cJSON *item;
	int err = 0;

	cJSON_ArrayForEach(item, body) {
		if (err)
			break;
		err = change_add_field_redacted(c, item->string, NULL, item, sensitive_paths);
	}
	return err;
}

/* Adds key k as a changed field unless both normalised sides agree. */
static int diff_key(struct plan_change *c, size_t *changed, const char *k, const cJSON *live_norm,
		    const cJSON *desired_norm, const cJSON *live_raw, const cJSON *desired_raw,
		    const cJSON *sensitive_paths)
{
	const cJSON *before, *after;
	int err;

	if (json_equal(cJSON_GetObjectItemCaseSensitive(live_norm, k),
		       cJSON_GetObjectItemCaseSensitive(desired_norm, k)))
		return 0;
	before = cJSON_GetObjectItemCaseSensitive(live_raw, k);
	after = cJSON_GetObjectItemCaseSensitive(desired_raw, k);
	/* a difference made only of defaults of keys neither side sets */
	if (!before && !after)
		return 0;
	err = change_add_field_redacted(c, k, before, after, sensitive_paths);
	if (!err)
		(*changed)++;
	return err;
}

static int compare_keys(const void *a, const void *b)
{
	return json_text_compare_strings(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of a pair of bodies fit on the stack but for an unusual body. */
#define DIFF_STACK_KEYS 32

int kind_diff(struct plan_change *c, size_t *changed_out, const struct kind_ops *ops,
	      const struct live_cluster *lc, const cJSON *live_raw, const cJSON *desired_raw,
	      const cJSON *sensitive_paths)
{
	const char *stack[DIFF_STACK_KEYS], **keys = stack;
	cJSON *live_norm = NULL, *desired_norm = NULL;
	const cJSON *item;
	size_t count = 0, i;
	int err;

	*changed_out = 0;
	err = ops->normalize(&live_norm, live_raw, lc);
	if (!err)
		err = ops->normalize(&desired_norm, desired_raw, lc);
	/* most objects of a plan are unchanged: one comparison says so */
	if (err || json_equal(live_norm, desired_norm))
		goto done;
	i = (size_t)cJSON_GetArraySize(live_norm) + (size_t)cJSON_GetArraySize(desired_norm);
	if (i > DIFF_STACK_KEYS && !(keys = malloc(i * sizeof(*keys)))) { /* NOLINT(bugprone-sizeof-expression): pointers */
		err = -ENOMEM;
		goto done;
	}
	cJSON_ArrayForEach(item, live_norm)
		if (item->string)
			keys[count++] = item->string;
	cJSON_ArrayForEach(item, desired_norm)
		if (item->string)
			keys[count++] = item->string;
	/* the fields in key order, each key once */
	qsort((void *)keys, count, sizeof(*keys), compare_keys); /* NOLINT(bugprone-sizeof-expression) */
	for (i = 0; !err && i < count; i++)
		if (!i || compare_keys(&keys[i - 1], &keys[i]))
			err = diff_key(c, changed_out, keys[i], live_norm, desired_norm, live_raw, desired_raw,
				       sensitive_paths);
	if (keys != stack)
		free((void *)keys);
done:
	cJSON_Delete(live_norm);
	cJSON_Delete(desired_norm);
	return err;
}

int kind_live_fields(struct plan_change *c, const struct kind_ops *ops, const struct live_cluster *lc,
		     const cJSON *live_raw)
{
	size_t changed;

	/* a deletion is the diff against nothing declared, minus what defaults explain */
	cJSON *nothing = cJSON_CreateObject();
	int err = nothing ? kind_diff(c, &changed, ops, lc, live_raw, nothing, NULL) : -ENOMEM;

	cJSON_Delete(nothing);
	return err;
}

int change_add_dependency(struct plan_change *c, size_t index)
{
	size_t i;

	for (i = 0; i < c->depends_on_count; i++)
		if (c->depends_on[i] == index)
			return 0;
	return append_index(&c->depends_on, &c->depends_on_count, index);
}

void change_drop_fields(struct plan_change *c)
{
	size_t i;

	for (i = 0; i < c->field_count; i++) {
		free(c->fields[i].path);
		free(c->fields[i].before);
		free(c->fields[i].after);
	}
	free(c->fields);
	c->fields = NULL;
	c->field_count = 0;
}

void change_dispose(struct plan_change *c)
{
	change_drop_fields(c);
	free(c->name);
	free(c->problem);
	free(c->depends_on);
}

/* ---- requests ---- */

int request_init(struct plan_request *r, enum request_step step, const char *method)
{
	memset(r, 0, sizeof(*r));
	r->step = step;
	r->idempotent = true;
	r->method = plan_strdup(method);
	return r->method ? 0 : -ENOMEM;
}

int request_set_path(struct plan_request *r, const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = buf_vformat(fmt, ap);
	va_end(ap);
	if (!path)
		return -ENOMEM;
	free(r->path);
	r->path = path;
	return 0;
}

int request_add_change(struct plan_request *r, size_t index)
{
	return append_index(&r->changes, &r->change_count, index);
}

int request_add_part(struct plan_request *r, size_t change, enum part_shape shape,
		     const char *container, const char *key)
{
	struct request_part *grown, *part;

	grown = realloc(r->parts, (r->part_count + 1) * sizeof(*r->parts));
	if (!grown)
		return -ENOMEM;
	r->parts = grown;
	part = &r->parts[r->part_count];
	part->change = change;
	part->shape = shape;
	part->container = plan_strdup(container);
	part->key = plan_strdup(key);
	if (!part->container || !part->key) {
		free(part->container);
		free(part->key);
		return -ENOMEM;
	}
	r->part_count++;
	return 0;
}

static int add_ledger_edit(struct plan_request *r, const char *owner, const char *alias, size_t change,
			   bool add)
{
	struct ledger_edit *grown, *edit;
	char *alias_copy = plan_strdup(alias), *owner_copy = owner ? plan_strdup(owner) : NULL;

	if (!alias_copy || (owner && !owner_copy))
		goto nomem;
	grown = realloc(r->ledger_edits, (r->ledger_edit_count + 1) * sizeof(*r->ledger_edits));
	if (!grown)
		goto nomem;
	r->ledger_edits = grown;
	edit = &r->ledger_edits[r->ledger_edit_count++];
	edit->alias = alias_copy;
	edit->owner = owner_copy;
	edit->change = change;
	edit->add = add;
	return 0;
nomem:
	free(alias_copy);
	free(owner_copy);
	return -ENOMEM;
}

int request_add_ledger_edit(struct plan_request *r, const char *alias, size_t change, bool add)
{
	return add_ledger_edit(r, NULL, alias, change, add);
}

int request_add_ledger_release(struct plan_request *r, const char *owner, const char *alias, size_t change)
{
	return add_ledger_edit(r, owner, alias, change, false);
}

static int add_slot(struct plan_request *r, const char *path, const secret_t *secret,
		    const cJSON *value)
{
	struct secret_slot *grown, *s;

	grown = realloc(r->slots, (r->slot_count + 1) * sizeof(*r->slots));
	if (!grown)
		return -ENOMEM;
	r->slots = grown;
	s = &r->slots[r->slot_count];
	s->path = plan_strdup(path);
	s->secret = secret;
	s->value = value ? cJSON_Duplicate(value, 1) : NULL;
	if (!s->path || (value && !s->value)) {
		free(s->path);
		cJSON_Delete(s->value);
		return -ENOMEM;
	}
	r->slot_count++;
	return 0;
}

int request_add_secret_slot(struct plan_request *r, const char *path, const secret_t *secret)
{
	return add_slot(r, path, secret, NULL);
}

int request_add_value_slot(struct plan_request *r, const char *path, const cJSON *value)
{
	return add_slot(r, path, NULL, value);
}

void request_dispose(struct plan_request *r)
{
	size_t i;

	if (!r)
		return;
	free(r->method);
	free(r->path);
	free(r->body);
	cJSON_Delete(r->pending_body);
	for (i = 0; i < r->slot_count; i++) {
		free(r->slots[i].path);
		cJSON_Delete(r->slots[i].value);
	}
	free(r->slots);
	free(r->changes);
	for (i = 0; i < r->part_count; i++) {
		free(r->parts[i].container);
		free(r->parts[i].key);
	}
	free(r->parts);
	for (i = 0; i < r->ledger_edit_count; i++) {
		free(r->ledger_edits[i].alias);
		free(r->ledger_edits[i].owner);
	}
	free(r->ledger_edits);
	memset(r, 0, sizeof(*r));
}

bool request_is_pending(const struct plan_request *r)
{
	return r->change_count > 0;
}

int builder_push_single(struct cluster_builder *b, struct plan_request *r, cJSON *body, size_t change)
{
	int err;

	cJSON_Delete(r->pending_body);
	r->pending_body = body;
	err = request_add_change(r, change);
	return err ? err : builder_push_request(b, r);
}

int builder_push_request(struct cluster_builder *b, struct plan_request *r)
{
	struct cluster_plan *cp = b->cp;
	int err;

	if (r->pending_body) {
		if ((err = plan_fold_fields(cp, r, r->pending_body)))
			return err;
		free(r->body);
		if (!(r->body = cJSON_PrintUnformatted(r->pending_body)))
			return -ENOMEM;
		cJSON_Delete(r->pending_body);
		r->pending_body = NULL;
	}
	if (grow((void **)&cp->requests, &b->request_cap, cp->request_count, sizeof(*cp->requests)))
		return -ENOMEM;
	cp->requests[cp->request_count++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

int redact_into_request(cJSON **out, struct plan_request *r, const cJSON *body,
			const cJSON *sensitive_paths, const char *slot_prefix)
{
	cJSON *copy = cJSON_Duplicate(body, 1);
	const cJSON *path;
	struct buf slot_path;
	int err = 0;

	*out = NULL;
	if (!copy)
		return -ENOMEM;
	buf_init(&slot_path, BUF_SMALL_MAX);
	cJSON_ArrayForEach(path, sensitive_paths) {
		cJSON *parent = NULL, *target;

		if (!cJSON_IsString(path))
			continue;
		target = json_lookup_path(copy, path->valuestring, &parent);
		if (!target || !parent)
			continue;
		buf_reset(&slot_path);
		err = buf_printf(&slot_path, "%s%s", slot_prefix, path->valuestring);
		if (!err)
			err = request_add_value_slot(r, slot_path.data, target);
		if (err)
			break;
		err = json_replace(parent, target, cJSON_CreateString(SECRET_PLACEHOLDER));
		if (err)
			break;
	}
	buf_dispose(&slot_path);
	if (err) {
		cJSON_Delete(copy);
		return err;
	}
	*out = copy;
	return 0;
}

int plan_stamp_managed(cJSON **out, const cJSON *body, const char *owner)
{
	cJSON *copy = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject(), *metadata;

	*out = NULL;
	if (!copy)
		return -ENOMEM;
	metadata = cJSON_GetObjectItemCaseSensitive(copy, "metadata");
	if (!cJSON_IsObject(metadata)) {
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "metadata");
		metadata = cJSON_AddObjectToObject(copy, "metadata");
	}
	if (!metadata)
		goto nomem;
	cJSON_DeleteItemFromObjectCaseSensitive(metadata, MANAGED_BY_KEY);
	cJSON_DeleteItemFromObjectCaseSensitive(metadata, OWNER_KEY);
	if (!cJSON_AddStringToObject(metadata, MANAGED_BY_KEY, MANAGED_BY_VALUE))
		goto nomem;
	/* the default owner writes no owner key: objects written before owners
	 * existed then compare equal, and stay the default owner's */
	if (strcmp(owner, DESIRED_DEFAULT_OWNER) != 0 && !cJSON_AddStringToObject(metadata, OWNER_KEY, owner))
		goto nomem;
	*out = copy;
	return 0;
nomem:
	cJSON_Delete(copy);
	return -ENOMEM;
}

int plan_unstamped_metadata(cJSON **out, const cJSON *object)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	cJSON *copy;

	*out = NULL;
	if (!cJSON_IsObject(metadata))
		return 0;
	if (!(copy = cJSON_Duplicate(metadata, 1)))
		return -ENOMEM;
	cJSON_DeleteItemFromObjectCaseSensitive(copy, MANAGED_BY_KEY);
	cJSON_DeleteItemFromObjectCaseSensitive(copy, OWNER_KEY);
	if (!copy->child)
		cJSON_Delete(copy);
	else
		*out = copy;
	return 0;
}

int plan_note(cJSON *notes, const char *fmt, ...)
{
	cJSON *item;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	item = text ? cJSON_CreateString(text) : NULL;
	free(text);
	if (!item || !cJSON_AddItemToArray(notes, item)) {
		cJSON_Delete(item);
		return -ENOMEM;
	}
	return 0;
}

const char *plan_metadata_owner(const cJSON *object)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(metadata, MANAGED_BY_KEY);
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(metadata, OWNER_KEY);

	if (!cJSON_IsString(by) || strcmp(by->valuestring, MANAGED_BY_VALUE) != 0)
		return NULL;
	return cJSON_IsString(owner) && *owner->valuestring ? owner->valuestring : DESIRED_DEFAULT_OWNER;
}

const struct cluster_facts *builder_find_facts(const struct cluster_builder *b, const char *id)
{
	size_t i;

	for (i = 0; i < b->fact_count; i++)
		if (!strcmp(b->facts[i]->live->cluster_id, id))
			return b->facts[i];
	return NULL;
}

const struct live_cluster *builder_find_live(const struct cluster_builder *b, const char *id)
{
	const struct cluster_facts *facts;

	if (!strcmp(b->lc->cluster_id, id))
		return b->lc;
	facts = builder_find_facts(b, id);
	return facts ? facts->live : NULL;
}
