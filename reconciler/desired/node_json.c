/* node_json: YAML subtrees as JSON, the form bodies take in the desired state. */
#include "desired/loader_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int format_json_path(struct buf *out, const struct json_path *p)
{
	int err = 0;

	if (!p)
		return 0;
	if (p->parent) {
		err = format_json_path(out, p->parent);
		if (!err)
			err = buf_puts(out, ".");
	}
	if (err)
		return err;
	return p->key ? buf_puts(out, p->key) : buf_printf(out, "%zu", p->index);
}

static cJSON *scalar_to_json(struct loader *l, const struct ynode *node,
			     const struct json_path *where)
{
	struct buf path;
	double number;

	switch (node->plain ? node->type : YSCALAR_STRING) {
	case YSCALAR_NULL: return cJSON_CreateNull();
	case YSCALAR_BOOL: return cJSON_CreateBool(!strcasecmp(node->text, "true"));
	case YSCALAR_INT:
		if (!strncmp(node->text, "0x", 2) || !strncmp(node->text, "0o", 2))
			return cJSON_CreateNumber((double)strtoll(node->text + 2, NULL,
								  node->text[1] == 'x' ? 16 : 8));
		return cJSON_CreateNumber(strtod(node->text, NULL));
	case YSCALAR_FLOAT:
		number = strtod(node->text, NULL);
		if (isfinite(number) && !strpbrk(node->text, "nN"))
			return cJSON_CreateNumber(number);
		buf_init(&path, BUF_SMALL_MAX);
		format_json_path(&path, where);
		report(l, node, "invalid-value", NULL, "[%s] is not a finite number, which JSON cannot "
		       "carry", path.data ? path.data : "");
		buf_dispose(&path);
		return cJSON_CreateNull();
	case YSCALAR_STRING: break;
	}
	return cJSON_CreateString(node->text);
}

/* The keys of role bodies, sorted. A JSON member with one of these names points
 * at the static string (cJSON_AddItemToObjectCS marks it const, so it is never
 * freed) instead of holding a copy: 10,000 roles save 100,000 allocations. */
static const char *const body_keys[] = {
	"allow_restricted_indices", "application", "applications", "cluster", "clusters",
	"description", "except", "field_security", "global", "grant", "indices", "metadata",
	"names", "privileges", "query", "remote_cluster", "remote_indices", "resources", "run_as",
};

static int compare_key(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static bool add_member(cJSON *object, const char *key, cJSON *item)
{
	const char *const *shared = bsearch(key, body_keys, COUNT(body_keys), sizeof(*body_keys),
					    compare_key);

	return shared ? cJSON_AddItemToObjectCS(object, *shared, item)
		      : cJSON_AddItemToObject(object, key, item);
}

cJSON *to_json(struct loader *l, const struct ynode *node, const struct json_path *where,
	       cJSON *sensitive)
{
	struct json_path child = { where, NULL, 0 };
	struct buf path;
	cJSON *out, *item;
	size_t i;

	if (node->kind == YNODE_SCALAR) {
		if (node->secret && sensitive) {
			buf_init(&path, BUF_SMALL_MAX);
			if (format_json_path(&path, where) ||
			    !cJSON_AddItemToArray(sensitive, cJSON_CreateString(path.data ? path.data : ""))) {
				buf_dispose(&path);
				return NULL;
			}
			buf_dispose(&path);
		}
		return scalar_to_json(l, node, where);
	}
	out = node->kind == YNODE_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!out)
		return NULL;
	for (i = 0; i < node->count; i++) {
		if (node->kind == YNODE_MAP) {
			child.key = node->pairs[i].key->text;
			item = to_json(l, node->pairs[i].value, &child, sensitive);
			if (!item || !add_member(out, child.key, item))
				goto fail;
		} else {
			child.key = NULL;
			child.index = i;
			item = to_json(l, node->items[i], &child, sensitive);
			if (!item || !cJSON_AddItemToArray(out, item))
				goto fail;
		}
	}
	return out;
fail:
	cJSON_Delete(item);
	cJSON_Delete(out);
	return NULL;
}
