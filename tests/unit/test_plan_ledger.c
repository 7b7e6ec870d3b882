/* Unit tests: the ownership ledgers, one per owner, merged with what is on the cluster now. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "plan/ledger.h"

#define DEFAULT_KEY "cluster.metadata.esreconcile.remotes"
#define TEAM_KEY "cluster.metadata.esreconcile.team-b.remotes"

static cJSON *settings_with(const char *ledger_json)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"persistent\":{\"" DEFAULT_KEY "\":%s},\"transient\":{}}", ledger_json);
	return cJSON_Parse(text);
}

static const cJSON *persistent_of(const cJSON *settings)
{
	return cJSON_GetObjectItemCaseSensitive(settings, "persistent");
}

/* Edits of the run owner's ledger: "+a" adds a, "-a" removes it; "b/-x" releases x from owner b. */
static size_t make_edits(struct ledger_edit *edits, const char *const *spec, size_t count)
{
	const char *slash;
	size_t i;

	for (i = 0; i < count; i++) {
		slash = strchr(spec[i], '/');
		edits[i].owner = slash ? strndup(spec[i], (size_t)(slash - spec[i])) : NULL;
		edits[i].add = (slash ? slash[1] : spec[i][0]) == '+';
		edits[i].alias = strdup((slash ? slash + 2 : spec[i] + 1));
		edits[i].change = i;
	}
	return count;
}

static void free_edits(struct ledger_edit *edits, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(edits[i].alias);
		free(edits[i].owner);
	}
}

/* The body's value of key after ledger_write of spec over settings; NULL when the key is left out. */
static char *written(const cJSON *settings, const char *owner, const char *const *spec, size_t count,
		     const char *key)
{
	struct ledger_edit edits[8];
	cJSON *body = cJSON_CreateObject(), *value;
	char *bad = NULL, *text = NULL;

	make_edits(edits, spec, count);
	assert_int_equal(ledger_write(body, &bad, persistent_of(settings), owner, edits, count, NULL), 0);
	assert_null(bad);
	value = cJSON_GetObjectItemCaseSensitive(body, key);
	if (value)
		text = cJSON_IsNull(value) ? strdup("null") : strdup(cJSON_GetStringValue(value));
	free_edits(edits, count);
	cJSON_Delete(body);
	return text;
}

static void expect_written(const cJSON *settings, const char *owner, const char *const *spec, size_t count,
			   const char *key, const char *expected)
{
	char *text = written(settings, owner, spec, count, key);

	if (expected)
		assert_string_equal(text, expected);
	else
		assert_null(text);
	free(text);
}

static void test_merge_keeps_aliases_another_apply_added(void **state)
{
	/* Our plan saw "a"; meanwhile another apply added "z". */
	cJSON *settings = settings_with("\"a,z\"");
	static const char *const spec[] = { "+m", "-a" };

	(void)state;
	expect_written(settings, "default", spec, 2, DEFAULT_KEY, "m,z");
	cJSON_Delete(settings);
}

static void test_merge_sorts_and_dedups(void **state)
{
	cJSON *settings = settings_with("\" c , a,,b \"");
	static const char *const spec[] = { "+b", "+aa", "+b" };

	(void)state;
	expect_written(settings, "default", spec, 3, DEFAULT_KEY, "a,aa,b,c");
	cJSON_Delete(settings);
}

static void test_merge_reads_array_form(void **state)
{
	cJSON *settings = settings_with("[\"x\",\"w\"]");
	static const char *const spec[] = { "+y" };

	(void)state;
	expect_written(settings, "default", spec, 1, DEFAULT_KEY, "w,x,y");
	cJSON_Delete(settings);
}

static void test_merge_without_ledger(void **state)
{
	cJSON *settings = cJSON_Parse("{\"persistent\":{},\"transient\":{}}");
	cJSON *with = settings_with("\"one\"");
	static const char *const add[] = { "+one" };
	static const char *const remove[] = { "-one" };

	(void)state;
	expect_written(settings, "default", add, 1, DEFAULT_KEY, "one");
	expect_written(NULL, "default", add, 1, DEFAULT_KEY, "one");
	/* Removing the last alias removes the setting; one that is not there is not written. */
	expect_written(with, "default", remove, 1, DEFAULT_KEY, "null");
	expect_written(settings, "default", remove, 1, DEFAULT_KEY, NULL);
	cJSON_Delete(settings);
	cJSON_Delete(with);
}

/* Owner `default` keeps the ledger of versions before owners; another owner has its own setting. */
static void test_owner_settings(void **state)
{
	char *name;

	(void)state;
	name = ledger_setting("default");
	assert_string_equal(name, DEFAULT_KEY);
	free(name);
	name = ledger_setting("team-b");
	assert_string_equal(name, TEAM_KEY);
	free(name);
}

static void test_owners_do_not_share_a_ledger(void **state)
{
	cJSON *settings = cJSON_Parse("{\"persistent\":{\"" DEFAULT_KEY "\":\"a\",\"" TEAM_KEY "\":\"b\"}}");
	static const char *const add[] = { "+c" };
	static const char *const adopt[] = { "+b", "team-b/-b" };
	cJSON *all = NULL, *team = NULL;
	char *bad = NULL;

	(void)state;
	expect_written(settings, "team-b", add, 1, TEAM_KEY, "b,c");
	expect_written(settings, "team-b", add, 1, DEFAULT_KEY, NULL);
	/* --adopt-from team-b: the alias moves from team-b's ledger to ours */
	expect_written(settings, "default", adopt, 2, DEFAULT_KEY, "a,b");
	expect_written(settings, "default", adopt, 2, TEAM_KEY, "null");
	assert_int_equal(ledger_read_all(&all, &bad, persistent_of(settings)), 0);
	assert_int_equal(cJSON_GetArraySize(all), 2);
	team = cJSON_GetObjectItemCaseSensitive(all, "team-b");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(team, 0)), "b");
	cJSON_Delete(all);
	cJSON_Delete(settings);
	/* not ledgers: a key of owner "default" in the new form, an owner with a dot */
	settings = cJSON_Parse("{\"persistent\":{\"cluster.metadata.esreconcile.default.remotes\":\"x\","
			       "\"cluster.metadata.esreconcile.a.b.remotes\":\"y\"}}");
	assert_int_equal(ledger_read_all(&all, &bad, persistent_of(settings)), 0);
	assert_int_equal(cJSON_GetArraySize(all), 0);
	cJSON_Delete(all);
	cJSON_Delete(settings);
}

/* An edit whose change is left out leaves its ledger as the live one (the planned value is dropped). */
static void test_untaken_edits_drop_the_planned_value(void **state)
{
	cJSON *settings = settings_with("\"a\"");
	cJSON *body = cJSON_Parse("{\"" DEFAULT_KEY "\":\"a,planned\"}");
	static const char *const spec[] = { "+planned" };
	struct ledger_edit edits[1];
	bool take[1] = { false };
	char *bad = NULL;

	(void)state;
	make_edits(edits, spec, 1);
	assert_int_equal(ledger_write(body, &bad, persistent_of(settings), "default", edits, 1, take), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(body, DEFAULT_KEY));
	free_edits(edits, 1);
	cJSON_Delete(body);
	cJSON_Delete(settings);
}

static void test_holds(void **state)
{
	cJSON *settings = cJSON_Parse("{\"persistent\":{\"" DEFAULT_KEY "\":\"a,b\",\"" TEAM_KEY "\":\"t\"}}");
	static const char *const present[] = { "+a", "+b", "-c" };
	static const char *const missing[] = { "+c" };
	static const char *const kept[] = { "-a" };
	static const char *const released[] = { "team-b/-t" };
	struct ledger_edit edits[3];

	(void)state;
	make_edits(edits, present, 3);
	assert_true(ledger_holds(persistent_of(settings), "default", edits, 3, NULL));
	assert_false(ledger_holds(persistent_of(settings), "team-b", edits, 3, NULL));
	free_edits(edits, 3);
	make_edits(edits, missing, 1);
	assert_false(ledger_holds(persistent_of(settings), "default", edits, 1, NULL));
	free_edits(edits, 1);
	make_edits(edits, kept, 1);
	assert_false(ledger_holds(persistent_of(settings), "default", edits, 1, NULL));
	free_edits(edits, 1);
	make_edits(edits, released, 1);
	assert_false(ledger_holds(persistent_of(settings), "default", edits, 1, NULL));
	free_edits(edits, 1);
	cJSON_Delete(settings);
}

/* A value of another type is unreadable, never an empty ledger: writing one
 * back would disown every alias in it. */
static void test_wrong_type_is_unreadable(void **state)
{
	static const char *const values[] = { "5", "true", "{\"a\":\"b\"}", "[\"a\",1]", "[[\"a\"]]" };
	static const char *const spec[] = { "+a" };
	struct ledger_edit edits[1];
	cJSON *settings, *out, *body;
	char *bad = NULL;
	size_t i;

	(void)state;
	make_edits(edits, spec, 1);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		settings = settings_with(values[i]);
		out = NULL;
		assert_int_equal(ledger_read(&out, persistent_of(settings), "default"), -EBADMSG);
		assert_null(out);
		assert_int_equal(ledger_read_all(&out, &bad, persistent_of(settings)), -EBADMSG);
		assert_string_equal(bad, DEFAULT_KEY);
		free(bad);
		body = cJSON_CreateObject();
		assert_int_equal(ledger_write(body, &bad, persistent_of(settings), "default", edits, 1, NULL),
				 -EBADMSG);
		assert_string_equal(bad, DEFAULT_KEY);
		free(bad);
		cJSON_Delete(body);
		assert_false(ledger_holds(persistent_of(settings), "default", edits, 1, NULL));
		cJSON_Delete(settings);
	}
	free_edits(edits, 1);
	settings = settings_with("null");
	assert_int_equal(ledger_read(&out, persistent_of(settings), "default"), 0);
	assert_int_equal(cJSON_GetArraySize(out), 0);
	cJSON_Delete(out);
	cJSON_Delete(settings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_keeps_aliases_another_apply_added),
		cmocka_unit_test(test_merge_sorts_and_dedups),
		cmocka_unit_test(test_merge_reads_array_form),
		cmocka_unit_test(test_merge_without_ledger),
		cmocka_unit_test(test_owner_settings),
		cmocka_unit_test(test_owners_do_not_share_a_ledger),
		cmocka_unit_test(test_untaken_edits_drop_the_planned_value),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_wrong_type_is_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
