#include "plan/ledger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "util/buf.h"
#include "util/utf8.h"

static int add_alias(cJSON *set, const char *alias, size_t len)
{
	char *copy;
	int err;

	if (!len)
		return 0;
	/* not UTF-8: no alias Elasticsearch stores, and sets of such strings cannot keep them apart */
	if (!utf8_valid(alias, len, NULL))
		return -EBADMSG;
	copy = strndup(alias, len);
	if (!copy)
		return -ENOMEM;
	err = string_set_add(set, copy);
	free(copy);
	return err;
}

/* "a, b,,c": items trimmed of spaces, empty ones skipped. */
static int add_comma_list(cJSON *set, const char *text)
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
		if ((err = add_alias(set, start, (size_t)(end - start))))
			return err;
		start = end;
		while (*start && *start != ',')
			start++;
	}
	return 0;
}

static int read_value(cJSON *set, const cJSON *value)
{
	const cJSON *item;
	int err;

	if (!value || cJSON_IsNull(value))
		return 0;
	if (cJSON_IsString(value))
		return add_comma_list(set, value->valuestring);
	if (!cJSON_IsArray(value))
		return -EBADMSG;
	cJSON_ArrayForEach(item, value) {
		if (!cJSON_IsString(item))
			return -EBADMSG;
		if ((err = add_comma_list(set, item->valuestring)))
			return err;
	}
	return 0;
}

int ledger_read(cJSON **out, const cJSON *persistent)
{
	cJSON *set = cJSON_CreateArray();
	int err = set ? read_value(set, cJSON_GetObjectItemCaseSensitive(persistent, LEDGER_SETTING))
		      : -ENOMEM;

	*out = NULL;
	if (err) {
		cJSON_Delete(set);
		return err;
	}
	*out = set;
	return 0;
}

int ledger_value(cJSON **out, const cJSON *aliases)
{
	const cJSON *item;
	struct buf text;
	int err = 0;

	*out = NULL;
	if (!cJSON_GetArraySize(aliases)) {
		*out = cJSON_CreateNull();
		return *out ? 0 : -ENOMEM;
	}
	buf_init(&text, BUF_SMALL_MAX);
	cJSON_ArrayForEach(item, aliases)
		if (!err)
			err = buf_printf(&text, "%s%s", item == aliases->child ? "" : ",", item->valuestring);
	if (!err && !(*out = cJSON_CreateString(text.data)))
		err = -ENOMEM;
	buf_dispose(&text);
	return err;
}

static void remove_alias(cJSON *set, const char *alias)
{
	const cJSON *item;
	int i = 0;

	cJSON_ArrayForEach(item, set) {
		if (!strcmp(item->valuestring, alias)) {
			cJSON_DeleteItemFromArray(set, i);
			return;
		}
		i++;
	}
}

int ledger_merge(cJSON **out, const cJSON *persistent, char *const *add, size_t add_count,
		 char *const *remove, size_t remove_count)
{
	cJSON *set = NULL;
	size_t i;
	int err = ledger_read(&set, persistent);

	*out = NULL;
	for (i = 0; !err && i < add_count; i++)
		err = add_alias(set, add[i], strlen(add[i]));
	for (i = 0; !err && i < remove_count; i++)
		remove_alias(set, remove[i]);
	if (!err)
		err = ledger_value(out, set);
	cJSON_Delete(set);
	return err;
}

bool ledger_holds(const cJSON *persistent, char *const *add, size_t add_count,
		  char *const *remove, size_t remove_count)
{
	cJSON *set = NULL;
	bool holds = false;
	size_t i;

	if (ledger_read(&set, persistent))
		return false;
	for (i = 0; i < add_count; i++)
		if (!string_set_has(set, add[i]))
			goto done;
	for (i = 0; i < remove_count; i++)
		if (string_set_has(set, remove[i]))
			goto done;
	holds = true;
done:
	cJSON_Delete(set);
	return holds;
}
