/* object_index: the lookups of a desired_state's objects, so that planning one
 * cluster touches only that cluster's objects: by (kind, cluster, name) through
 * a hash table, and per (cluster, kind) as a list in file order.
 *
 * The hash table holds positions in the objects array, not pointers: the loader
 * adds each object as it is read, while the array still moves as it grows. The
 * lists, built once every object is in place (object_index_finish), point into
 * the array, which must not move afterwards. An index is owned by its
 * desired_state (desired_state_free() frees it); what the lookups return is
 * owned by the state. Pure. */
#ifndef ESR_DESIRED_OBJECT_INDEX_H
#define ESR_DESIRED_OBJECT_INDEX_H

#include <stddef.h>

#include "desired/model.h"

/* A new, empty index (NULL when memory ran out); freed with object_index_free(). */
struct object_index *object_index_new(void);
void object_index_free(struct object_index *index);

/* Adds objects[at]. When an object of the same kind, cluster and name is in
 * already, objects[at] takes its place and *previous is set to its position;
 * otherwise *previous is SIZE_MAX. Returns 0, -ENOMEM or -EOVERFLOW. */
int object_index_add(struct object_index *index, const struct desired_object *objects, size_t at,
		     size_t *previous);

/* Builds the lists per (cluster, kind) of objects[0..count), which were all
 * added. Returns 0 or -ENOMEM. */
int object_index_finish(struct object_index *index, const struct desired_object *objects, size_t count);

/* The object of that kind, cluster and name in objects (the array the index was
 * built over), or NULL. */
const struct desired_object *object_index_find(const struct object_index *index,
					       const struct desired_object *objects,
					       enum resource_kind kind, const char *cluster,
					       const char *name);

/* The objects of `kind` on `cluster` in file order: sets *out to an array of
 * that many pointers (owned by the index; NULL when there are none) and
 * returns its length. Needs object_index_finish(). */
size_t object_index_list(const struct object_index *index, const char *cluster,
			 enum resource_kind kind, const struct desired_object *const **out);

#endif
