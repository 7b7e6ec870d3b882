/* normalize: JSON helpers for comparing values as Elasticsearch means them.
 *
 * Pure functions over cJSON trees. Functions returning cJSON * return a new
 * tree the caller owns (NULL on allocation failure or, where stated, when the
 * input has no such value); nothing here keeps a reference to its arguments. */
#ifndef ESR_PLAN_NORMALIZE_H
#define ESR_PLAN_NORMALIZE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "util/buf.h"

/* Deep equality; object key order does not matter, array order does. Two NULLs are equal. */
bool json_equal(const cJSON *a, const cJSON *b);

/* Compact JSON with object keys sorted (byte order) at every level: the form
 * hashed by the fingerprint and used to order arrays of objects. */
int json_canonical_print(struct buf *out, const cJSON *value);

/* The same text handed to flush(ctx, data, len) in pieces, with scratch (the
 * caller's, emptied on return) holding at most a piece of some 64 KiB plus
 * one scalar: a large document is hashed without ever being printed whole.
 * Returns 0, flush's first nonzero result, or -ENOMEM / -ENOSPC. */
int json_canonical_stream(struct buf *scratch, const cJSON *value,
			  int (*flush)(void *ctx, const char *data, size_t len), void *ctx);

/* Sorts an array's items by their canonical form and drops duplicates.
 * Returns 0 or -ENOMEM. */
int json_sort_unique(cJSON *array);

/* A string, or an array of scalars, as a sorted array of unique strings;
 * lowercased when asked (privilege names are case-insensitive). A string is one
 * element ("names": "a" means ["a"]); split_commas splits it on commas as
 * Elasticsearch's list settings do. Returns NULL for NULL or JSON null input,
 * or on allocation failure (*err set to -ENOMEM then). */
cJSON *json_string_set(const cJSON *value, bool lowercase, bool split_commas, int *err);

/* A scalar as Elasticsearch stores it in settings: true -> "true", 5 -> "5".
 * NULL for non-scalars. The caller frees. */
char *json_scalar_text(const cJSON *value);

/* Booleans and integers written either as JSON values or as strings. -EINVAL when
 * the value is neither. */
int json_as_bool(const cJSON *value, bool *out);
int json_as_long(const cJSON *value, long long *out);

/* Looks up a dotted path of object keys (array items by decimal index). Keys may
 * themselves hold dots ("persistent.cluster.remote.a.seeds" finds the key
 * "cluster.remote.a.seeds" under "persistent"): at each level the longest
 * existing key wins. *parent_out (may be NULL) receives the container. */
cJSON *json_lookup_path(const cJSON *root, const char *path, cJSON **parent_out);

/* Replaces target (a child of parent) by value, keeping its key; value is taken
 * over, or freed on failure. Returns 0 or -ENOMEM. */
int json_replace(cJSON *parent, cJSON *target, cJSON *value);

/* True when one dotted path equals the other or lies inside it ("indices" and
 * "indices.0.query"). */
bool json_path_overlaps(const char *a, const char *b);

/* Sorted sets of strings as cJSON arrays: membership, and insertion that keeps
 * the array sorted and unique (returns 0 or -ENOMEM). */
bool string_set_has(const cJSON *set, const char *s);
int string_set_add(cJSON *set, const char *s);

/* Duplicates a string; NULL on allocation failure. */
char *plan_strdup(const char *s);

#endif
