/* kinds: the sections of declared objects (remotes, roles, users), walked
 * cluster by cluster and handed entry by entry to the kind's loader. */
#include "desired/loader_internal.h"

#include <string.h>

struct desired_object *new_object(struct loader *l, enum resource_kind kind,
				  const struct ynode *cluster, const struct ynode *name)
{
	struct desired_object *o = append_zeroed(l, &l->state->objects, &l->state->object_count,
						 sizeof(*o));

	if (!o)
		return NULL;
	o->kind = kind;
	o->cluster = dup_or_oom(l, cluster->text);
	o->name = dup_or_oom(l, name->text);
	o->pos = pos_of(l, name);
	o->sensitive_paths = cJSON_CreateArray();
	if (!o->sensitive_paths)
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
	o->body = cJSON_CreateObject();
	if (!o->body) {
		oom(l);
		return NULL;
	}
	return o;
}

void put_json(struct loader *l, struct desired_object *o, const char *key,
	      const struct ynode *value)
{
	struct json_path where = { NULL, key, 0 };
	cJSON *json;

	if (!o->body)
		return;
	json = to_json(l, value, &where, o->sensitive_paths);
	if (!json || !cJSON_AddItemToObject(o->body, key, json)) {
		cJSON_Delete(json);
		oom(l);
	}
}

typedef void (*object_loader)(struct loader *, const struct ynode *cluster,
			      const struct ynode *name, const struct ynode *body,
			      const struct path *p);

static object_loader loader_of(const char *section)
{
	return !strcmp(section, "remotes") ? load_remote : !strcmp(section, "roles") ? load_role
										 : load_user;
}

static void load_entry(struct loader *l, const char *section, const struct ynode *cluster,
		       const struct ynode *name, const struct ynode *body)
{
	struct path p;

	path_init(&p, section);
	path_child(&p, &p, cluster->text);
	path_child(&p, &p, name->text);
	loader_of(section)(l, cluster, name, body, &p);
}

/* remotes, roles and users share their shape: cluster id → name → body | absent.
 * Mapping bodies were already read while parsing (stream_entry). */
void load_objects(struct loader *l, const struct ynode *section, const char *section_name)
{
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
				load_entry(l, section_name, cluster, objects->pairs[j].key,
					   objects->pairs[j].value);
	}
}

int stream_entry(void *ctx, const struct ydoc *doc, const struct ynode *section,
		 const struct ynode *cluster, const struct ynode *name,
		 const struct ynode *value)
{
	struct loader *l = ctx;

	l->doc = doc;
	load_entry(l, section->text, cluster, name, value);
	return l->err;
}
