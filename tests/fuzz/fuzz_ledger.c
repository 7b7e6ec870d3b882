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
/* The run's owner: the one whose ledger is the setting of before owners. */
#define OWNER "default"

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

/* The run's edits as the plan makes them: the own owner's ledger (owner NULL). */
static size_t make_edits(struct ledger_edit *edits, char *const *add, size_t add_count, char *const *remove,
			 size_t remove_count)
{
	size_t n = 0, i;

	for (i = 0; i < add_count; i++)
		edits[n++] = (struct ledger_edit){ .alias = add[i], .owner = NULL, .change = n, .add = true };
	for (i = 0; i < remove_count; i++)
		edits[n++] = (struct ledger_edit){ .alias = remove[i], .owner = NULL, .change = n, .add = false };
	return n;
}

/* ledger_write() and ledger_holds() agree with ledger_read(). */
static void check_merge(const cJSON *persistent, char *const *add, size_t add_count, char *const *remove,
			size_t remove_count)
{
	struct ledger_edit edits[2 * EDITS_MAX];
	size_t count = make_edits(edits, add, add_count, remove, remove_count), i;
	cJSON *set = NULL, *written = cJSON_CreateObject();
	char *bad = NULL;
	int read_err = ledger_read(&set, persistent, OWNER), write_err;

	if (!written)
		goto done;
	write_err = ledger_write(written, &bad, persistent, OWNER, edits, count, NULL);
	if (read_err == -EBADMSG && count) {
		check(write_err == -EBADMSG, "ledger_write wrote over an unreadable ledger");
		check(!count || !ledger_holds(persistent, OWNER, edits, count, NULL),
		      "ledger_holds read an unreadable ledger");
	}
	if (!read_err) {
		cJSON *value = NULL;

		if (!ledger_value(&value, set)) {
			/* the value written back reads as the same set */
			cJSON *again = NULL, *wrapper = cJSON_CreateObject();

			if (wrapper && cJSON_AddItemReferenceToObject(wrapper, LEDGER_DEFAULT_SETTING, value) &&
			    !ledger_read(&again, wrapper, OWNER))
				check(cJSON_Compare(again, set, 1), "ledger_value does not read back as the ledger");
			cJSON_Delete(again);
			cJSON_Delete(wrapper);
		}
		cJSON_Delete(value);
	}
	if (!write_err) {
		bool all_storable = true;

		/* an alias with a comma would add the aliases it lists; an alias both added
		 * and removed is removed */
		for (i = 0; i < count; i++)
			all_storable = all_storable && storable(edits[i].alias) &&
				       !(edits[i].add && listed(remove, remove_count, edits[i].alias));
		if (all_storable && cJSON_GetObjectItemCaseSensitive(written, LEDGER_DEFAULT_SETTING))
			check(ledger_holds(written, OWNER, edits, count, NULL),
			      "the merged ledger does not hold its edits");
	}
done:
	free(bad);
	cJSON_Delete(written);
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
