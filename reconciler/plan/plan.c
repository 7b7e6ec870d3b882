/* plan: the driver that walks clusters and resource kinds, and the helpers the
 * per-kind planners share (changes, requests, redaction). */
#include "plan/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"


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

static cJSON *copy_or_placeholder(const cJSON *value, bool sensitive)
{
	if (!value)
		return NULL;
	return sensitive ? cJSON_CreateString(SECRET_PLACEHOLDER) : cJSON_Duplicate(value, 1);
}

int change_add_field(struct plan_change *c, const char *path, const cJSON *before,
		     const cJSON *after, bool sensitive)
{
	struct field_change *grown, *f;

	grown = realloc(c->fields, (c->field_count + 1) * sizeof(*c->fields));
	if (!grown)
		return -ENOMEM;
	c->fields = grown;
	f = &c->fields[c->field_count];
	memset(f, 0, sizeof(*f));
	f->path = plan_strdup(path);
	f->before = copy_or_placeholder(before, sensitive);
	f->after = copy_or_placeholder(after, sensitive);
	f->sensitive = sensitive;
	if (!f->path || (before && !f->before) || (after && !f->after)) {
		free(f->path);
		cJSON_Delete(f->before);
		cJSON_Delete(f->after);
		return -ENOMEM;
	}
	c->field_count++;
	return 0;
}

static int collect_keys(cJSON *keys, const cJSON *object)
{
	const cJSON *item;
	int err;

	cJSON_ArrayForEach(item, object) {
		if (!item->string || string_set_has(keys, item->string))
			continue;
		err = string_set_add(keys, item->string);
		if (err)
			return err;
	}
	return 0;
}

int kind_diff(struct plan_change *c, size_t *changed_out, const struct kind_ops *ops,
	      const struct live_cluster *lc, const cJSON *live_raw, const cJSON *desired_raw,
	      const cJSON *sensitive_paths)
{
	cJSON *keys = cJSON_CreateArray(), *live_norm = NULL, *desired_norm = NULL;
	const cJSON *key;
	int err = keys ? 0 : -ENOMEM;

	*changed_out = 0;
	if (!err)
		err = ops->normalize(&live_norm, live_raw, lc);
	if (!err)
		err = ops->normalize(&desired_norm, desired_raw, lc);
	if (!err)
		err = collect_keys(keys, live_norm);
	if (!err)
		err = collect_keys(keys, desired_norm);
	cJSON_ArrayForEach(key, keys) {
		const char *k = key->valuestring;
		const cJSON *before, *after;

		if (err)
			break;
		if (json_equal(cJSON_GetObjectItemCaseSensitive(live_norm, k),
			       cJSON_GetObjectItemCaseSensitive(desired_norm, k)))
			continue;
		before = cJSON_GetObjectItemCaseSensitive(live_raw, k);
		after = cJSON_GetObjectItemCaseSensitive(desired_raw, k);
		/* a difference made only of defaults of keys neither side sets */
		if (!before && !after)
			continue;
		err = change_add_field(c, k, before, after, path_is_sensitive(sensitive_paths, k));
		if (!err)
			(*changed_out)++;
	}
	cJSON_Delete(keys);
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

int change_set_view(struct plan_change *c, const char *method, const char *path, const cJSON *body)
{
	cJSON *view = cJSON_CreateObject();

	if (!view)
		return -ENOMEM;
	if (!cJSON_AddStringToObject(view, "method", method) ||
	    !cJSON_AddStringToObject(view, "path", path))
		goto nomem;
	if (body) {
		cJSON *copy = cJSON_Duplicate(body, 1);

		if (!copy || !cJSON_AddItemToObject(view, "body", copy)) {
			cJSON_Delete(copy);
			goto nomem;
		}
	} else if (!cJSON_AddNullToObject(view, "body")) {
		goto nomem;
	}
	cJSON_Delete(c->request_view);
	c->request_view = view;
	return 0;
nomem:
	cJSON_Delete(view);
	return -ENOMEM;
}

void change_dispose(struct plan_change *c)
{
	size_t i;

	for (i = 0; i < c->field_count; i++) {
		free(c->fields[i].path);
		cJSON_Delete(c->fields[i].before);
		cJSON_Delete(c->fields[i].after);
	}
	free(c->fields);
	free(c->name);
	free(c->problem);
	cJSON_Delete(c->request_view);
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

int request_add_ledger_edit(struct plan_request *r, const char *alias, size_t change, bool add)
{
	struct ledger_edit *grown;
	char *copy = plan_strdup(alias);

	if (!copy)
		return -ENOMEM;
	grown = realloc(r->ledger_edits, (r->ledger_edit_count + 1) * sizeof(*r->ledger_edits));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	r->ledger_edits = grown;
	r->ledger_edits[r->ledger_edit_count].alias = copy;
	r->ledger_edits[r->ledger_edit_count].change = change;
	r->ledger_edits[r->ledger_edit_count++].add = add;
	return 0;
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
	cJSON_Delete(r->body);
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
	for (i = 0; i < r->ledger_edit_count; i++)
		free(r->ledger_edits[i].alias);
	free(r->ledger_edits);
	memset(r, 0, sizeof(*r));
}

bool request_is_pending(const struct plan_request *r)
{
	return r->change_count > 0;
}

int builder_push_request(struct cluster_builder *b, struct plan_request *r)
{
	struct cluster_plan *cp = b->cp;

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

int plan_stamp_managed(cJSON **out, const cJSON *body)
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
	if (!metadata) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(metadata, MANAGED_BY_KEY);
	if (!cJSON_AddStringToObject(metadata, MANAGED_BY_KEY, MANAGED_BY_VALUE)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	*out = copy;
	return 0;
}

bool plan_is_managed(const cJSON *object)
{
	const cJSON *metadata = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *by = cJSON_GetObjectItemCaseSensitive(metadata, MANAGED_BY_KEY);

	return cJSON_IsString(by) && !strcmp(by->valuestring, MANAGED_BY_VALUE);
}

const struct live_cluster *builder_find_live(const struct cluster_builder *b, const char *id)
{
	return live_find_cluster(b->live, id);
}

/* ---- the driver ---- */

static void builder_dispose(struct cluster_builder *b)
{
	size_t i;

	request_dispose(&b->settings);
	request_dispose(&b->roles_bulk);
	request_dispose(&b->roles_bulk_delete);
	cJSON_Delete(b->ledger_live);
	cJSON_Delete(b->ledger_declared);
	cJSON_Delete(b->ledger_deleted);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		cJSON_Delete(b->created[i]);
}

long builder_created(const struct cluster_builder *b, enum resource_kind kind, const char *name)
{
	const cJSON *index = cJSON_GetObjectItemCaseSensitive(b->created[kind], name);

	return cJSON_IsNumber(index) ? (long)index->valuedouble : -1;
}

static int record_created(struct cluster_builder *b, enum resource_kind kind, const char *name,
			  size_t index)
{
	cJSON *number;

	if (!b->created[kind] && !(b->created[kind] = cJSON_CreateObject()))
		return -ENOMEM;
	number = cJSON_CreateNumber((double)index);
	if (!number || !cJSON_AddItemToObject(b->created[kind], name, number)) {
		cJSON_Delete(number);
		return -ENOMEM;
	}
	return 0;
}

static const cJSON *comparable(const struct kind_ops *ops, const cJSON *live)
{
	return ops->comparable ? ops->comparable(live) : live;
}

static int plan_delete(struct cluster_builder *b, const struct kind_ops *ops, const char *name,
		       const cJSON *live)
{
	size_t index;
	int err = builder_add_change(b, ops->kind, name, ACTION_DELETE, &index);

	if (!err)
		err = kind_live_fields(builder_change(b, index), ops, b->lc, comparable(ops, live));
	if (!err)
		err = ops->remove(b, name, live, index);
	return err;
}

static int plan_create(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const cJSON *body)
{
	const cJSON *item;
	size_t index;
	int err = builder_add_change(b, ops->kind, d->name, ACTION_CREATE, &index);

	cJSON_ArrayForEach(item, body) {
		if (err)
			break;
		err = change_add_field(builder_change(b, index), item->string, NULL, item,
				       path_is_sensitive(d->sensitive_paths, item->string));
	}
	if (!err)
		err = record_created(b, ops->kind, d->name, index);
	if (!err)
		err = ops->write(b, d, body, NULL, index);
	return err;
}

static int plan_update(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const cJSON *body, const cJSON *live)
{
	struct plan_change scratch = { 0 };
	size_t changed = 0, index;
	int err = kind_diff(&scratch, &changed, ops, b->lc, comparable(ops, live), body, d->sensitive_paths);

	if (!err && ops->extra_fields)
		err = ops->extra_fields(b, d, live, &scratch);
	if (err)
		goto done;
	if (!scratch.field_count) {
		b->cp->unchanged++;
		goto done;
	}
	err = builder_add_change_from(b, &scratch, ops->kind, d->name, ACTION_UPDATE, &index);
	if (!err)
		err = ops->write(b, d, body, live, index);
done:
	change_dispose(&scratch);
	return err;
}

/* The one decision every kind shares: d is the declaration (NULL when the
 * object is pruned), live the live object (NULL when there is none). */
static int plan_object(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const char *name, const cJSON *live)
{
	cJSON *body = NULL;
	char *problem = NULL;
	int err = ops->guard ? ops->guard(b, d, name, live) : 0;

	if (err)
		return err < 0 ? err : 0;
	if (!d || d->absent) {
		if (live)
			return plan_delete(b, ops, name, live);
		b->cp->unchanged++;
		return 0;
	}
	err = ops->desired_body(&body, &problem, b, d, live);
	if (!err && problem)
		err = builder_add_problem(b, ops->kind, name, "%s", problem);
	else if (!err)
		err = live ? plan_update(b, ops, d, body, live) : plan_create(b, ops, d, body);
	free(problem);
	cJSON_Delete(body);
	return err;
}

/* A kind's live objects sorted by name, so that matching them with the
 * declarations stays O(n log n) for thousands of roles and users. */
struct live_entry {
	const char *name;
	const cJSON *item;
	bool declared;
};

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct live_entry *)a)->name, ((const struct live_entry *)b)->name);
}

static int index_live(struct live_entry **out, size_t *count_out, const cJSON *live_objects)
{
	size_t count = (size_t)cJSON_GetArraySize(live_objects), i = 0;
	const cJSON *item;

	*out = NULL;
	*count_out = 0;
	if (!count)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(item, live_objects) {
		if (!item->string)
			continue;
		(*out)[i].name = item->string;
		(*out)[i++].item = item;
	}
	*count_out = i;
	qsort(*out, i, sizeof(**out), compare_entries);
	return 0;
}

static int plan_kind(struct cluster_builder *b, const struct kind_ops *ops)
{
	enum prune_policy policy = b->desired->policy.prune[ops->kind];
	struct live_entry *entries = NULL, key = { 0 }, *found;
	cJSON *live_objects = NULL;
	size_t count = 0, i;
	int err = ops->read_live(&live_objects, b);

	if (err > 0) /* the kind cannot be planned on this cluster: read_live said why */
		return 0;
	if (!err)
		err = index_live(&entries, &count, live_objects);
	for (i = 0; !err && i < b->desired->object_count; i++) {
		const struct desired_object *d = &b->desired->objects[i];

		if (d->kind != ops->kind || strcmp(d->cluster, b->lc->cluster_id) != 0)
			continue;
		key.name = d->name;
		found = count ? bsearch(&key, entries, count, sizeof(*entries), compare_entries) : NULL;
		if (found)
			found->declared = true;
		err = plan_object(b, ops, d, d->name, found ? found->item : NULL);
	}
	/* undeclared live objects, in name order, go when the policy prunes them */
	for (i = 0; !err && policy != PRUNE_NONE && i < count; i++) {
		if (entries[i].declared || !ops->prunable(b, entries[i].name, entries[i].item, policy))
			continue;
		err = plan_object(b, ops, NULL, entries[i].name, entries[i].item);
	}
	free(entries);
	cJSON_Delete(live_objects);
	return err;
}

/* Execution order of design §6; a stable insertion sort keeps each step's order. */
static void order_requests(struct cluster_plan *cp)
{
	size_t i, j;

	for (i = 1; i < cp->request_count; i++) {
		struct plan_request moving = cp->requests[i];

		for (j = i; j > 0 && cp->requests[j - 1].step > moving.step; j--)
			cp->requests[j] = cp->requests[j - 1];
		cp->requests[j] = moving;
	}
}

static int plan_cluster(struct cluster_plan *cp, const struct desired_state *desired,
			const struct live_state *live, const struct live_cluster *lc)
{
	struct cluster_builder b;
	size_t i;
	int err = 0;

	memset(&b, 0, sizeof(b));
	b.desired = desired;
	b.live = live;
	b.lc = lc;
	b.cp = cp;
	cp->cluster_id = plan_strdup(lc->cluster_id);
	cp->version = lc->version ? plan_strdup(lc->version) : NULL;
	cp->reachable = lc->reachable;
	if (!cp->cluster_id || (lc->version && !cp->version))
		return -ENOMEM;
	for (i = 0; i < lc->warning_count; i++) {
		err = builder_add_warning(&b, "%s", lc->warnings[i]);
		if (err)
			goto done;
	}
	if (!lc->reachable) {
		cp->error = plan_strdup(lc->error ? lc->error : "unreachable");
		err = cp->error ? 0 : -ENOMEM;
		goto done;
	}
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++)
		err = plan_kind(&b, plan_kinds[i]);
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++)
		if (plan_kinds[i]->finish)
			err = plan_kinds[i]->finish(&b);
	if (!err)
		order_requests(cp);
done:
	builder_dispose(&b);
	return err;
}

static int compare_clusters(const void *a, const void *b)
{
	return strcmp(((const struct cluster_plan *)a)->cluster_id,
		      ((const struct cluster_plan *)b)->cluster_id);
}

static void summarize(struct plan *plan)
{
	size_t i, j;

	memset(&plan->summary, 0, sizeof(plan->summary));
	for (i = 0; i < plan->cluster_count; i++) {
		const struct cluster_plan *cp = &plan->clusters[i];

		if (!cp->reachable)
			plan->summary.problems++;
		plan->summary.unchanged += cp->unchanged;
		for (j = 0; j < cp->change_count; j++) {
			switch (cp->changes[j].action) {
			case ACTION_CREATE: plan->summary.create++; break;
			case ACTION_UPDATE: plan->summary.update++; break;
			case ACTION_DELETE: plan->summary.remove++; break;
			case ACTION_PROBLEM: plan->summary.problems++; break;
			}
		}
	}
}

int plan_build(struct plan **out, const struct desired_state *desired, const struct live_state *live)
{
	struct plan *plan = calloc(1, sizeof(*plan));
	size_t i;
	int err = 0;

	*out = NULL;
	if (!plan)
		return -ENOMEM;
	if (live->cluster_count) {
		plan->clusters = calloc(live->cluster_count, sizeof(*plan->clusters));
		if (!plan->clusters) {
			err = -ENOMEM;
			goto done;
		}
	}
	for (i = 0; !err && i < live->cluster_count; i++) {
		plan->cluster_count++;
		err = plan_cluster(&plan->clusters[i], desired, live, &live->clusters[i]);
	}
	if (err)
		goto done;
	if (plan->cluster_count)
		qsort(plan->clusters, plan->cluster_count, sizeof(*plan->clusters), compare_clusters);
	summarize(plan);
	err = plan_fingerprint(plan->fingerprint, live);
done:
	if (err) {
		plan_free(plan);
		return err;
	}
	*out = plan;
	return 0;
}

void plan_free(struct plan *plan)
{
	size_t i, j;

	if (!plan)
		return;
	for (i = 0; i < plan->cluster_count; i++) {
		struct cluster_plan *cp = &plan->clusters[i];

		free(cp->cluster_id);
		free(cp->version);
		free(cp->error);
		for (j = 0; j < cp->change_count; j++)
			change_dispose(&cp->changes[j]);
		free(cp->changes);
		for (j = 0; j < cp->request_count; j++)
			request_dispose(&cp->requests[j]);
		free(cp->requests);
		for (j = 0; j < cp->warning_count; j++)
			free(cp->warnings[j]);
		free(cp->warnings);
	}
	free(plan->clusters);
	free(plan);
}

bool plan_is_empty(const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (!plan->clusters[i].reachable || plan->clusters[i].change_count)
			return false;
	return true;
}

int plan_request_body_with_secrets(cJSON **out, const struct plan_request *request)
{
	cJSON *body;
	size_t i;

	*out = NULL;
	if (!request->body)
		return 0;
	body = cJSON_Duplicate(request->body, 1);
	if (!body)
		return -ENOMEM;
	for (i = 0; i < request->slot_count; i++) {
		const struct secret_slot *slot = &request->slots[i];
		cJSON *parent = NULL, *target, *value;

		target = json_lookup_path(body, slot->path, &parent);
		if (!target || !parent) {
			cJSON_Delete(body);
			return -EINVAL;
		}
		if (slot->secret)
			value = cJSON_CreateString(secret_reveal(slot->secret));
		else
			value = cJSON_Duplicate(slot->value, 1);
		if (json_replace(parent, target, value)) {
			cJSON_Delete(body);
			return -ENOMEM;
		}
	}
	*out = body;
	return 0;
}
