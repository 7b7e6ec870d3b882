/* Fuzz target for the ownership ledger (plan/ledger.h): ledger_read,
 * ledger_value, ledger_merge and ledger_holds over a fuzzed "persistent"
 * object of GET /_cluster/settings?flat_settings=true.
 *
 * Input: the persistent object (any JSON; its LEDGER_SETTING member is the
 * ledger), a NUL byte, then edits one a line: "+alias" adds, "-alias" removes
 * (other lines are ignored). The JSON is parsed as the client parses answers.
 *
 * Invariants checked (abort), from ledger.h: an unreadable ledger stays
 * unreadable to ledger_merge and ledger_holds (never an empty ledger); and a
 * merged value, read back, holds every added alias that is not also removed
 * and no removed one, when every edit is an alias the ledger's format can hold
 * (non-empty, no comma, no space at either end, UTF-8: the loader only accepts
 * remote aliases matching [A-Za-z0-9_-]+); ledger_value() of a read ledger
 * reads back as the same set. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "plan/ledger.h"
#include "util/utf8.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)64 << 10)
#define EDITS_MAX 64

/* Whether the ledger can hold alias as itself: not a comma list, no edge
 * spaces, and UTF-8 (the ledger refuses other bytes as unreadable: sets that
 * compare canonical JSON text could not keep two such aliases apart). */
static bool storable(const char *alias)
{
	size_t len = strlen(alias);

	return len && !strchr(alias, ',') && alias[0] != ' ' && alias[len - 1] != ' ' &&
	       utf8_valid(alias, len, NULL);
}

static bool listed(char *const *list, size_t count, const char *alias)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(list[i], alias))
			return true;
	return false;
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ledger: %s\n", what);
		abort();
	}
}

/* ledger_merge() and ledger_holds() agree with ledger_read(). */
static void check_merge(const cJSON *persistent, char *const *add, size_t add_count, char *const *remove,
			size_t remove_count)
{
	cJSON *set = NULL, *merged = NULL, *written = NULL;
	char *keep[EDITS_MAX], *gone[EDITS_MAX];
	size_t keep_count = 0, gone_count = 0, i;
	int read_err = ledger_read(&set, persistent), merge_err;

	merge_err = ledger_merge(&merged, persistent, add, add_count, remove, remove_count);
	if (read_err == -EBADMSG) {
		check(merge_err == -EBADMSG, "ledger_merge wrote over an unreadable ledger");
		check(!ledger_holds(persistent, NULL, 0, NULL, 0), "ledger_holds read an unreadable ledger");
	}
	if (!read_err) {
		cJSON *value = NULL;

		check(ledger_holds(persistent, NULL, 0, NULL, 0), "ledger_holds cannot read a readable ledger");
		if (!ledger_value(&value, set)) {
			/* the value written back reads as the same set */
			cJSON *again = NULL, *wrapper = cJSON_CreateObject();

			if (wrapper && cJSON_AddItemReferenceToObject(wrapper, LEDGER_SETTING, value) &&
			    !ledger_read(&again, wrapper))
				check(cJSON_Compare(again, set, 1), "ledger_value does not read back as the ledger");
			cJSON_Delete(again);
			cJSON_Delete(wrapper);
		}
		cJSON_Delete(value);
	}
	if (!merge_err && (written = cJSON_CreateObject()) &&
	    cJSON_AddItemToObject(written, LEDGER_SETTING, merged)) {
		bool all_storable = true;

		merged = NULL;
		for (i = 0; i < add_count; i++) {
			all_storable = all_storable && storable(add[i]);
			if (!listed(remove, remove_count, add[i]))
				keep[keep_count++] = add[i];
		}
		for (i = 0; i < remove_count; i++) {
			all_storable = all_storable && storable(remove[i]);
			gone[gone_count++] = remove[i];
		}
		/* an alias with a comma would add the aliases it lists */
		if (all_storable)
			check(ledger_holds(written, keep, keep_count, gone, gone_count),
			      "the merged ledger does not hold its edits");
	}
	cJSON_Delete(written);
	cJSON_Delete(merged);
	cJSON_Delete(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[2];
	size_t lens[2], add_count = 0, remove_count = 0;
	char *add[EDITS_MAX], *remove[EDITS_MAX], *edits, *line, *next;
	struct es_response answer;
	const cJSON *persistent;

	if (size > INPUT_MAX)
		return 0;
	if (fuzz_split(data, size, parts, lens, 2) < 2)
		lens[1] = 0;
	if (fuzz_response_fill(&answer, 200, parts[0], lens[0]) ||
	    !(edits = fuzz_strndup(lens[1] ? parts[1] : data, lens[1]))) {
		es_response_dispose(&answer);
		return 0;
	}
	/* each line up to its newline; a NUL in the edits ends them */
	for (line = edits; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '+' && add_count < EDITS_MAX)
			add[add_count++] = line + 1;
		else if (line[0] == '-' && remove_count < EDITS_MAX)
			remove[remove_count++] = line + 1;
	}
	persistent = answer.json;
	check_merge(persistent, add, add_count, remove, remove_count);
	/* the same over the "persistent" member of a whole settings answer */
	persistent = cJSON_GetObjectItemCaseSensitive(answer.json, "persistent");
	if (persistent)
		check_merge(persistent, add, add_count, remove, remove_count);
	free(edits);
	es_response_dispose(&answer);
	return 0;
}
