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

#define LEDGER_PREFIX "cluster.metadata.esreconcile."
#define LEDGER_SUFFIX ".remotes"

char *ledger_setting(const char *owner)
{
	struct buf name;

	if (!strcmp(owner, DESIRED_DEFAULT_OWNER))
		return strdup(LEDGER_DEFAULT_SETTING);
	buf_init(&name, BUF_SMALL_MAX);
	if (buf_printf(&name, LEDGER_PREFIX "%s" LEDGER_SUFFIX, owner)) {
		buf_dispose(&name);
		return NULL;
	}
	return buf_detach(&name);
}

/* The owner whose ledger the setting key is, as a new string; NULL when the key
 * is no ledger (or memory ran out: *err set). */
static char *owner_of_setting(const char *key, int *err)
{
	size_t len = strlen(key), prefix = strlen(LEDGER_PREFIX), suffix = strlen(LEDGER_SUFFIX);
	char *owner;

	*err = 0;
	if (!strcmp(key, LEDGER_DEFAULT_SETTING)) {
		owner = strdup(DESIRED_DEFAULT_OWNER);
		goto done;
	}
	if (len <= prefix + suffix || strncmp(key, LEDGER_PREFIX, prefix) != 0 ||
	    strcmp(key + len - suffix, LEDGER_SUFFIX) != 0)
		return NULL;
	owner = strndup(key + prefix, len - suffix - prefix);
	if (!owner)
		goto done;
	/* the default owner's ledger is the setting of versions before owners */
	if (!desired_valid_id(owner) || !strcmp(owner, DESIRED_DEFAULT_OWNER)) {
		free(owner);
		return NULL;
	}
done:
	if (!owner)
		*err = -ENOMEM;
	return owner;
}

int ledger_read(cJSON **out, const cJSON *persistent, const char *owner)
{
	char *setting = ledger_setting(owner);
	cJSON *set = cJSON_CreateArray();
	int err = set && setting ? read_value(set, cJSON_GetObjectItemCaseSensitive(persistent, setting))
				 : -ENOMEM;

	*out = NULL;
	free(setting);
	if (err) {
		cJSON_Delete(set);
		return err;
	}
	*out = set;
	return 0;
}

int ledger_read_all(cJSON **out, char **bad_setting_out, const cJSON *persistent)
{
	cJSON *all = cJSON_CreateObject(), *set;
	const cJSON *item;
	char *owner;
	int err = all ? 0 : -ENOMEM;

	*out = NULL;
	*bad_setting_out = NULL;
	cJSON_ArrayForEach(item, persistent) {
		if (err)
			break;
		if (!item->string || !(owner = owner_of_setting(item->string, &err)))
			continue;
		set = cJSON_CreateArray();
		err = set ? read_value(set, item) : -ENOMEM;
		if (err == -EBADMSG && !(*bad_setting_out = strdup(item->string)))
			err = -ENOMEM;
		if (!err && !cJSON_AddItemToObject(all, owner, set))
			err = -ENOMEM;
		if (err)
			cJSON_Delete(set);
		free(owner);
	}
	if (err) {
		cJSON_Delete(all);
		return err;
	}
	*out = all;
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

static const char *edit_owner(const struct ledger_edit *edit, const char *own_owner)
{
	return edit->owner ? edit->owner : own_owner;
}

/* The ledger of owner in live_persistent with the taken edits of that owner merged in. */
static int merged_set(cJSON **out, const cJSON *live_persistent, const char *owner, const char *own_owner,
		      const struct ledger_edit *edits, size_t count, const bool *take)
{
	size_t i;
	int err = ledger_read(out, live_persistent, owner);

	for (i = 0; !err && i < count; i++) {
		if ((take && !take[i]) || strcmp(edit_owner(&edits[i], own_owner), owner) != 0)
			continue;
		if (edits[i].add)
			err = add_alias(*out, edits[i].alias, strlen(edits[i].alias));
		else
			remove_alias(*out, edits[i].alias);
	}
	if (err) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return err;
}

/* Whether an earlier taken edit than index i concerns the same ledger. */
static bool owner_seen(const struct ledger_edit *edits, size_t i, const char *own_owner, const bool *take)
{
	size_t j;

	for (j = 0; j < i; j++)
		if ((!take || take[j]) &&
		    !strcmp(edit_owner(&edits[j], own_owner), edit_owner(&edits[i], own_owner)))
			return true;
	return false;
}

int ledger_write(cJSON *body_persistent, char **bad_setting_out, const cJSON *live_persistent,
		 const char *own_owner, const struct ledger_edit *edits, size_t count, const bool *take)
{
	cJSON *set = NULL, *value = NULL;
	char *setting = NULL;
	const char *owner;
	size_t i;
	int err = 0;

	*bad_setting_out = NULL;
	/* the body's ledger values are those of the taken edits only: a ledger
	 * the plan computed for edits that do not go is dropped first */
	for (i = 0; i < count; i++) {
		if (!(setting = ledger_setting(edit_owner(&edits[i], own_owner))))
			return -ENOMEM;
		cJSON_DeleteItemFromObjectCaseSensitive(body_persistent, setting);
		free(setting);
	}
	setting = NULL;
	for (i = 0; !err && i < count; i++) {
		if ((take && !take[i]) || owner_seen(edits, i, own_owner, take))
			continue;
		owner = edit_owner(&edits[i], own_owner);
		if (!(setting = ledger_setting(owner))) {
			err = -ENOMEM;
			break;
		}
		err = merged_set(&set, live_persistent, owner, own_owner, edits, count, take);
		if (err == -EBADMSG && !(*bad_setting_out = strdup(setting)))
			err = -ENOMEM;
		if (!err)
			err = ledger_value(&value, set);
		if (!err && !(cJSON_IsNull(value) && !cJSON_GetObjectItemCaseSensitive(live_persistent, setting))) {
			if (!cJSON_AddItemToObject(body_persistent, setting, value))
				err = -ENOMEM;
			else
				value = NULL;
		}
		cJSON_Delete(value);
		cJSON_Delete(set);
		free(setting);
		value = set = NULL;
		setting = NULL;
	}
	return err;
}

bool ledger_holds(const cJSON *persistent, const char *own_owner, const struct ledger_edit *edits,
		  size_t count, const bool *take)
{
	cJSON *set = NULL;
	bool holds = true;
	size_t i;

	for (i = 0; holds && i < count; i++) {
		if (take && !take[i])
			continue;
		if (ledger_read(&set, persistent, edit_owner(&edits[i], own_owner)))
			return false;
		holds = string_set_has(set, edits[i].alias) == edits[i].add;
		cJSON_Delete(set);
	}
	return holds;
}
