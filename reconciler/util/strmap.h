/* strmap: a hash map from strings to size_t values (an index into an array,
 * a flag), for the lookups by name that would otherwise scan a list.
 *
 * The caller owns the struct; strmap_dispose() frees its table. A zeroed
 * struct is an empty map holding at most STRMAP_MAX entries; strmap_init()
 * sets a lower cap. The map borrows its keys: each key must stay valid and
 * unchanged while the map is used (the names of the trees or declarations it
 * indexes, which outlive it). Entries are never removed: a map indexes a list
 * that is complete, or only grows. Lookups never write, so threads may share
 * a map once it is filled. */
#ifndef ESR_UTIL_STRMAP_H
#define ESR_UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define STRMAP_MAX ((size_t)1 << 24)

struct strmap_slot {
	const char *key; /* NULL: free */
	uint64_t hash;
	size_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t capacity; /* a power of two, or 0 before the first entry */
	size_t count;
	size_t max;      /* 0: STRMAP_MAX */
};

/* An empty map that holds at most max entries (0 or more than STRMAP_MAX: STRMAP_MAX). */
void strmap_init(struct strmap *m, size_t max);

/* Maps key (borrowed) to value, replacing the value a key equal to it had.
 * Returns 0, -ENOMEM, or -ENOSPC when the map is full; on failure the map
 * holds what it held. */
int strmap_put(struct strmap *m, const char *key, size_t value);

/* True when the map holds key; its value goes to *value_out unless that is
 * NULL. False for a NULL map or key. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value_out);

/* Adds the names in names (borrowed, as keys are): each member of an object,
 * valued 1 when the member is true and 0 otherwise (so that a map of yes/no
 * answers keeps them), or each string of an array, valued 1. A name given
 * twice keeps its first value, as a lookup in the object finds. NULL adds
 * nothing. Returns 0, -ENOMEM or -ENOSPC. */
int strmap_put_names(struct strmap *m, const cJSON *names);

/* Frees the table and leaves an empty map with the same cap. NULL-safe. */
void strmap_dispose(struct strmap *m);

#endif
