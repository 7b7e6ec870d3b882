#include "apply/ledger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct alias_set {
	char **items;
	size_t count;
	size_t cap;
};

static void alias_set_dispose(struct alias_set *set)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		free(set->items[i]);
	free(set->items);
}

static bool alias_set_has(const struct alias_set *set, const char *alias, size_t len)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (strlen(set->items[i]) == len && !memcmp(set->items[i], alias, len))
			return true;
	return false;
}

static int alias_set_add(struct alias_set *set, const char *alias, size_t len)
{
	char **grown;
	char *copy;

	if (!len || alias_set_has(set, alias, len))
		return 0;
	if (set->count == set->cap) {
		grown = realloc(set->items, (set->cap ? set->cap * 2 : 8) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		set->items = grown;
		set->cap = set->cap ? set->cap * 2 : 8;
	}
	copy = strndup(alias, len);
	if (!copy)
		return -ENOMEM;
	set->items[set->count++] = copy;
	return 0;
}

static void alias_set_remove(struct alias_set *set, const char *alias)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (!strcmp(set->items[i], alias)) {
			free(set->items[i]);
			set->items[i] = set->items[--set->count];
			return;
		}
	}
}

/* Elasticsearch stores a list setting as an array of strings and a comma
 * string as one string; the ledger may have been written either way. */
static int add_comma_list(struct alias_set *set, const char *text)
{
	const char *start = text, *end;
	int err;

	while (*start) {
		while (*start == ' ' || *start == ',')
			start++;
		end = start;
		while (*end && *end != ',')
			end++;
		while (end > start && end[-1] == ' ')
			end--;
		if ((err = alias_set_add(set, start, (size_t)(end - start))))
			return err;
		start = end;
		while (*start && *start != ',')
			start++;
	}
	return 0;
}

static int read_ledger(struct alias_set *set, const cJSON *settings)
{
	const cJSON *persistent, *value, *item;
	int err;

	persistent = cJSON_GetObjectItemCaseSensitive(settings, "persistent");
	value = cJSON_GetObjectItemCaseSensitive(persistent, LEDGER_SETTING);
	if (cJSON_IsString(value))
		return add_comma_list(set, value->valuestring);
	if (cJSON_IsArray(value)) {
		cJSON_ArrayForEach(item, value) {
			if (cJSON_IsString(item) && (err = add_comma_list(set, item->valuestring)))
				return err;
		}
	}
	return 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ledger_merge(char **out, const cJSON *settings, char *const *add, size_t add_count,
		 char *const *remove, size_t remove_count)
{
	struct alias_set set = { NULL, 0, 0 };
	struct buf text;
	size_t i;
	int err;

	*out = NULL;
	buf_init(&text, BUF_SMALL_MAX);
	if ((err = read_ledger(&set, settings)))
		goto done;
	for (i = 0; i < add_count; i++)
		if ((err = alias_set_add(&set, add[i], strlen(add[i]))))
			goto done;
	for (i = 0; i < remove_count; i++)
		alias_set_remove(&set, remove[i]);
	if (set.count)
		qsort(set.items, set.count, sizeof(*set.items), compare_strings);
	for (i = 0; i < set.count; i++)
		if ((err = buf_printf(&text, "%s%s", i ? "," : "", set.items[i])))
			goto done;
	*out = buf_detach(&text);
	if (!*out)
		err = -ENOMEM;
done:
	buf_dispose(&text);
	alias_set_dispose(&set);
	return err;
}

bool ledger_holds(const cJSON *settings, char *const *add, size_t add_count,
		  char *const *remove, size_t remove_count)
{
	struct alias_set set = { NULL, 0, 0 };
	bool holds = false;
	size_t i;

	if (read_ledger(&set, settings))
		goto done;
	for (i = 0; i < add_count; i++)
		if (!alias_set_has(&set, add[i], strlen(add[i])))
			goto done;
	for (i = 0; i < remove_count; i++)
		if (alias_set_has(&set, remove[i], strlen(remove[i])))
			goto done;
	holds = true;
done:
	alias_set_dispose(&set);
	return holds;
}
