/* strlist: the string lists that structs keep as two fields, an array of
 * strings and its count (char **names; size_t name_count).
 *
 * The functions take those two fields, so a struct adopts them without
 * changing its layout. The list owns its strings: strlist_append() stores a
 * copy, and strlist_free() frees every string and the array. A list holds at
 * most STRLIST_MAX strings. */
#ifndef ESR_UTIL_STRLIST_H
#define ESR_UTIL_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

#define STRLIST_MAX ((size_t)1 << 20)

/* Appends a copy of s. Returns 0, -ENOMEM, or -ENOSPC when the list is full;
 * on failure the list holds what it held. */
int strlist_append(char ***items, size_t *count, const char *s);

/* True when one of the strings equals s. */
bool strlist_contains(char *const *items, size_t count, const char *s);

/* Sorts the strings in strcmp() order and frees the duplicates. Returns the
 * new count. */
size_t strlist_sort_unique(char **items, size_t count);

/* Frees every string and the array. NULL-safe. */
void strlist_free(char **items, size_t count);

#endif
