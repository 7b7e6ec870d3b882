#include "desired/object_index.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* Open addressing with linear probing, kept at most half full. A slot holds a
 * position + 1 (0: empty) and its key's hash, so that growing the table and
 * passing other keys compare no strings. */
struct slot {
	uint32_t position; /* + 1; 0: empty */
	uint32_t hash;     /* the key's hash, its low bits */
};

struct slots {
	struct slot *slot;
	size_t mask; /* capacity - 1; the capacity is a power of two */
	size_t used;
};

/* The objects of one cluster: lists[kind] is the range
 * items[start[kind] .. start[kind] + count[kind]). */
struct cluster_lists {
	const char *cluster; /* an object's cluster string */
	size_t start[RESOURCE_KIND_COUNT];
	size_t count[RESOURCE_KIND_COUNT];
};

struct object_index {
	struct slots objects;  /* positions in the objects array */
	struct slots clusters; /* positions in lists */
	struct cluster_lists *lists;
	size_t list_count;
	const struct desired_object **items;
};

static uint64_t hash_key(enum resource_kind kind, const char *cluster, const char *name)
{
	char k = (char)kind;
	uint64_t h = hash_bytes(HASH_SEED, &k, 1);

	h = hash_bytes(h, cluster, strlen(cluster) + 1); /* the NUL separates cluster from name */
	return hash_bytes(h, name, strlen(name));
}

static uint64_t hash_cluster(const char *cluster)
{
	return hash_bytes(HASH_SEED, cluster, strlen(cluster));
}

/* Doubles the table (or makes the first one) when adding one more would fill
 * it past half. */
static int slots_reserve(struct slots *t)
{
	size_t capacity = t->slot ? (t->mask + 1) * 2 : 16, i, j;
	struct slot *grown;

	if (t->slot && (t->used + 1) * 2 <= t->mask + 1)
		return 0;
	grown = calloc(capacity, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (i = 0; t->slot && i <= t->mask; i++) {
		if (!t->slot[i].position)
			continue;
		for (j = t->slot[i].hash & (capacity - 1); grown[j].position; j = (j + 1) & (capacity - 1))
			;
		grown[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = grown;
	t->mask = capacity - 1;
	return 0;
}

/* Loaded objects share one copy of each cluster id: most comparisons end at the pointers. */
static bool same_text(const char *a, const char *b)
{
	return a == b || !strcmp(a, b);
}

static bool same_key(const struct desired_object *o, enum resource_kind kind, const char *cluster,
		     const char *name)
{
	return o->kind == kind && same_text(o->cluster, cluster) && !strcmp(o->name, name);
}

/* The slot of the object with that key (whose hash is hash), or the empty slot where it would go. */
static size_t object_slot(const struct slots *t, const struct desired_object *objects, uint32_t hash,
			  enum resource_kind kind, const char *cluster, const char *name)
{
	size_t i = hash & t->mask;

	while (t->slot[i].position && (t->slot[i].hash != hash ||
				       !same_key(&objects[t->slot[i].position - 1], kind, cluster, name)))
		i = (i + 1) & t->mask;
	return i;
}

static size_t cluster_slot(const struct slots *t, const struct cluster_lists *lists, uint32_t hash,
			   const char *cluster)
{
	size_t i = hash & t->mask;

	while (t->slot[i].position && (t->slot[i].hash != hash ||
				       !same_text(lists[t->slot[i].position - 1].cluster, cluster)))
		i = (i + 1) & t->mask;
	return i;
}

struct object_index *object_index_new(void)
{
	return calloc(1, sizeof(struct object_index));
}

void object_index_free(struct object_index *index)
{
	if (!index)
		return;
	free(index->objects.slot);
	free(index->clusters.slot);
	free(index->lists);
	free(index->items);
	free(index);
}

int object_index_add(struct object_index *index, const struct desired_object *objects, size_t at,
		     size_t *previous)
{
	const struct desired_object *o = &objects[at];
	uint32_t hash;
	size_t i;
	int err;

	*previous = SIZE_MAX;
	if (at >= UINT32_MAX)
		return -EOVERFLOW;
	err = slots_reserve(&index->objects);
	if (err)
		return err;
	hash = (uint32_t)hash_key(o->kind, o->cluster, o->name);
	i = object_slot(&index->objects, objects, hash, o->kind, o->cluster, o->name);
	if (index->objects.slot[i].position)
		*previous = index->objects.slot[i].position - 1;
	else
		index->objects.used++;
	index->objects.slot[i] = (struct slot){ .position = (uint32_t)(at + 1), .hash = hash };
	return 0;
}

/* The position in index->lists of the cluster's lists, or SIZE_MAX. */
static size_t list_position(const struct object_index *index, const char *cluster)
{
	size_t i = cluster_slot(&index->clusters, index->lists, (uint32_t)hash_cluster(cluster), cluster);

	return index->clusters.slot[i].position ? index->clusters.slot[i].position - 1 : SIZE_MAX;
}

/* The position in index->lists of the cluster's lists, added when new. */
static int cluster_at(struct object_index *index, const char *cluster, size_t *at)
{
	struct cluster_lists *grown;
	uint32_t hash = (uint32_t)hash_cluster(cluster);
	size_t i;
	int err = slots_reserve(&index->clusters);

	if (err)
		return err;
	i = cluster_slot(&index->clusters, index->lists, hash, cluster);
	if (!index->clusters.slot[i].position) {
		grown = realloc(index->lists, (index->list_count + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		index->lists = grown;
		memset(&grown[index->list_count], 0, sizeof(*grown));
		grown[index->list_count].cluster = cluster;
		index->clusters.slot[i] = (struct slot){ .position = (uint32_t)++index->list_count, .hash = hash };
		index->clusters.used++;
	}
	*at = index->clusters.slot[i].position - 1;
	return 0;
}

/* Two passes over the objects: count per (cluster, kind), then place each
 * pointer in its range, so that every list keeps the file order. A file's
 * objects come cluster by cluster: a cluster is looked up when it changes. */
int object_index_finish(struct object_index *index, const struct desired_object *objects, size_t count)
{
	size_t i, j, at = 0, next = 0, *fill = NULL;
	const char *cluster = NULL;
	int err = 0;

	index->items = calloc(count ? count : 1, sizeof(*index->items)); /* NOLINT(bugprone-sizeof-expression): pointers */
	if (!index->items)
		return -ENOMEM;
	for (i = 0; !err && i < count; i++) {
		if (objects[i].cluster != cluster)
			err = cluster_at(index, cluster = objects[i].cluster, &at);
		if (!err)
			index->lists[at].count[objects[i].kind]++;
	}
	if (!err && !(fill = calloc(index->list_count * RESOURCE_KIND_COUNT + 1, sizeof(*fill))))
		err = -ENOMEM;
	for (i = 0; !err && i < index->list_count; i++)
		for (j = 0; j < RESOURCE_KIND_COUNT; j++) {
			index->lists[i].start[j] = next;
			fill[i * RESOURCE_KIND_COUNT + j] = next;
			next += index->lists[i].count[j];
		}
	for (i = 0, cluster = NULL; !err && i < count; i++) {
		if (objects[i].cluster != cluster)
			at = list_position(index, cluster = objects[i].cluster);
		index->items[fill[at * RESOURCE_KIND_COUNT + objects[i].kind]++] = &objects[i];
	}
	free(fill);
	return err;
}

const struct desired_object *object_index_find(const struct object_index *index,
					       const struct desired_object *objects,
					       enum resource_kind kind, const char *cluster,
					       const char *name)
{
	size_t i;

	if (!index || !index->objects.slot || !cluster || !name)
		return NULL;
	i = object_slot(&index->objects, objects, (uint32_t)hash_key(kind, cluster, name), kind, cluster, name);
	return index->objects.slot[i].position ? &objects[index->objects.slot[i].position - 1] : NULL;
}

size_t object_index_list(const struct object_index *index, const char *cluster,
			 enum resource_kind kind, const struct desired_object *const **out)
{
	const struct cluster_lists *list;
	size_t i;

	*out = NULL;
	if (!index || !index->clusters.slot || !cluster || (unsigned)kind >= RESOURCE_KIND_COUNT)
		return 0;
	i = list_position(index, cluster);
	if (i == SIZE_MAX)
		return 0;
	list = &index->lists[i];
	if (!list->count[kind])
		return 0;
	*out = &index->items[list->start[kind]];
	return list->count[kind];
}
