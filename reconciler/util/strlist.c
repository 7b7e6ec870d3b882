#include "util/strlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int strlist_append(char ***items, size_t *count, const char *s)
{
	char **grown, *copy;

	if (*count >= STRLIST_MAX)
		return -ENOSPC;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	grown = realloc(*items, (*count + 1) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[(*count)++] = copy;
	*items = grown;
	return 0;
}

bool strlist_contains(char *const *items, size_t count, const char *s)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(items[i], s))
			return true;
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t strlist_sort_unique(char **items, size_t count)
{
	size_t i, kept = 0;

	if (!count)
		return 0;
	qsort(items, count, sizeof(*items), compare_strings);
	for (i = 1; i < count; i++) {
		if (!strcmp(items[kept], items[i]))
			free(items[i]);
		else
			items[++kept] = items[i];
	}
	return kept + 1;
}

void strlist_free(char **items, size_t count)
{
	size_t i;

	if (!items)
		return;
	for (i = 0; i < count; i++)
		free(items[i]);
	free(items);
}
