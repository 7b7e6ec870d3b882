/* kinds: the table of the loader's kinds, built from ESR_KINDS, and the walk of
 * their sections (remotes, roles, users), cluster by cluster, handing each entry
 * to its kind's loader. */
#include "desired/loader_internal.h"

#include <stdint.h>

#include "desired/object_index.h"

struct desired_object *new_object(struct loader *l, enum resource_kind kind,
				  const struct ynode *cluster, const struct ynode *name)
{
	struct desired_object *o = append_zeroed(l, &l->state->objects, &l->state->object_count,
						 sizeof(*o));

	if (!o)
		return NULL;
	o->kind = kind;
	if (desired_state_intern_name(l->state, cluster->text, &o->cluster) ||
	    desired_state_intern_name(l->state, name->text, &o->name))
		oom(l);
	o->pos = pos_of(l, name);
	l->sensitive = cJSON_CreateArray();
	if (!l->sensitive)
		oom(l);
	return o;
}

struct desired_object *new_object_with_body(struct loader *l, enum resource_kind kind,
					    const struct ynode *cluster,
					    const struct ynode *name,
					    const struct ynode *body)
{
	struct desired_object *o = new_object(l, kind, cluster, name);

	if (!o)
		return NULL;
	o->absent = is_absent(body);
	if (o->absent)
		return NULL;
	l->body = cJSON_CreateObject();
	if (!l->body) {
		oom(l);
		return NULL;
	}
	return o;
}

void put_json(struct loader *l, const char *key, const struct ynode *value)
{
	struct json_path where = { NULL, key, 0 };
	cJSON *json;

	if (!l->body)
		return;
	json = to_json(l, value, &where, l->sensitive);
	if (!json || !cJSON_AddItemToObject(l->body, key, json)) {
		cJSON_Delete(json);
		oom(l);
	}
}

#define DESIRED_KIND_ENTRY(e, name, section, list_path) [RESOURCE_##e] = &desired_##name##_kind,
const struct desired_kind *const desired_kinds[RESOURCE_KIND_COUNT] = {
	ESR_KINDS(DESIRED_KIND_ENTRY)
};

void kind_sections(const char *out[RESOURCE_KIND_COUNT])
{
	size_t kind;

	for (kind = 0; kind < RESOURCE_KIND_COUNT; kind++)
		out[kind] = resource_kind_section((enum resource_kind)kind);
}

/* Takes a tree the loader built into the state's body table; NULL stays NULL. */
static const cJSON *intern(struct loader *l, cJSON **json)
{
	const cJSON *shared = NULL;

	if (*json && !l->err) {
		if (desired_state_intern(l->state, json))
			oom(l);
		else
			shared = *json;
	}
	if (!shared)
		cJSON_Delete(*json);
	*json = NULL;
	return shared;
}

void finish_object(struct loader *l, size_t at, cJSON **body, cJSON **sensitive)
{
	struct desired_object *o = &l->state->objects[at];
	const struct desired_object *first;
	size_t previous;
	struct buf what;
	int err;

	o->body = intern(l, body);
	o->sensitive_paths = intern(l, sensitive);
	if (l->err)
		return;
	err = object_index_add(l->state->index, l->state->objects, at, &previous);
	if (err) {
		l->err = err;
		return;
	}
	first = previous == SIZE_MAX ? NULL : &l->state->objects[previous];
	/* twice in one file is a duplicate key, reported while parsing */
	if (!first || first->pos.file == o->pos.file)
		return;
	buf_init(&what, BUF_SMALL_MAX);
	if (buf_printf(&what, "%s [%s] on cluster [%s]", resource_kind_name(o->kind), o->name, o->cluster))
		oom(l);
	else
		report_twice(l, &first->pos, &o->pos, what.data);
	buf_dispose(&what);
}

static void load_entry(struct loader *l, enum resource_kind kind, const struct ynode *cluster,
		       const struct ynode *name, const struct ynode *body)
{
	size_t count_before = l->state->object_count;
	struct path p;

	if (!desired_kinds[kind]->load)
		return; /* no section of its own: the top-level check reported it */
	path_init(&p, resource_kind_section(kind));
	path_child(&p, &p, cluster->text);
	path_child(&p, &p, name->text);
	desired_kinds[kind]->load(l, cluster, name, body, &p);
	/* the declared object comes first; what its loader added after it (the key
	 * of an api_key remote) finished itself */
	if (l->state->object_count > count_before) {
		finish_object(l, count_before, &l->body, &l->sensitive);
	} else {
		cJSON_Delete(l->body);
		cJSON_Delete(l->sensitive);
		l->body = l->sensitive = NULL;
	}
}

/* Mapping bodies were already read while parsing (stream_entry). */
void load_objects(struct loader *l, const struct ynode *section, enum resource_kind kind)
{
	const char *section_name = resource_kind_section(kind);
	const struct ynode *cluster, *objects;
	struct path p, cp;
	size_t i, j;

	path_init(&p, section_name);
	if (!want_kind(l, section, &p, YNODE_MAP))
		return;
	for (i = 0; i < section->count && !l->err; i++) {
		cluster = section->pairs[i].key;
		objects = section->pairs[i].value;
		path_child(&cp, &p, cluster->text);
		if (!want_cluster_id(l, cluster, "cluster id"))
			continue;
		add_ref(l, REF_CLUSTER, cluster, "[%s]", section_name);
		if (!want_kind(l, objects, &cp, YNODE_MAP))
			continue;
		for (j = 0; j < objects->count && !l->err; j++)
			if (!objects->pairs[j].value->consumed)
				load_entry(l, kind, cluster, objects->pairs[j].key,
					   objects->pairs[j].value);
	}
}

/* The loader streams the sections kind_sections() lists: the index of one is its kind. */
int stream_entry(void *ctx, const struct ydoc *doc, size_t section, const struct ynode *cluster,
		 const struct ynode *name, const struct ynode *value)
{
	struct loader *l = ctx;

	l->doc = doc;
	load_entry(l, (enum resource_kind)section, cluster, name, value);
	return l->err;
}
