/* Unit tests: merging the remote ownership ledger with what is on the cluster now. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <errno.h>

#include "plan/ledger.h"

static cJSON *settings_with(const char *ledger_json)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"persistent\":{\"cluster.metadata.esreconcile.remotes\":%s},\"transient\":{}}",
		 ledger_json);
	return cJSON_Parse(text);
}

static void expect_merge(const cJSON *settings, char *const *add, size_t add_count, char *const *remove,
			 size_t remove_count, const char *expected)
{
	const cJSON *persistent = cJSON_GetObjectItemCaseSensitive(settings, "persistent");
	cJSON *merged = NULL;

	assert_int_equal(ledger_merge(&merged, persistent, add, add_count, remove, remove_count), 0);
	if (*expected)
		assert_string_equal(cJSON_GetStringValue(merged), expected);
	else
		assert_true(cJSON_IsNull(merged));
	cJSON_Delete(merged);
}

static void test_merge_keeps_aliases_another_apply_added(void **state)
{
	/* Our plan saw "a"; meanwhile another apply added "z". */
	cJSON *settings = settings_with("\"a,z\"");
	char *add[] = { "m" };
	char *remove[] = { "a" };

	(void)state;
	expect_merge(settings, add, 1, remove, 1, "m,z");
	cJSON_Delete(settings);
}

static void test_merge_sorts_and_dedups(void **state)
{
	cJSON *settings = settings_with("\" c , a,,b \"");
	char *add[] = { "b", "aa", "b" };

	(void)state;
	expect_merge(settings, add, 3, NULL, 0, "a,aa,b,c");
	cJSON_Delete(settings);
}

static void test_merge_reads_array_form(void **state)
{
	cJSON *settings = settings_with("[\"x\",\"w\"]");
	char *add[] = { "y" };

	(void)state;
	expect_merge(settings, add, 1, NULL, 0, "w,x,y");
	cJSON_Delete(settings);
}

static void test_merge_without_ledger(void **state)
{
	cJSON *settings = cJSON_Parse("{\"persistent\":{},\"transient\":{}}");
	char *add[] = { "one" };
	char *remove[] = { "one" };

	(void)state;
	expect_merge(settings, add, 1, NULL, 0, "one");
	expect_merge(NULL, add, 1, NULL, 0, "one");
	/* Removing the last alias leaves an empty ledger. */
	expect_merge(settings, NULL, 0, remove, 1, "");
	cJSON_Delete(settings);
}

static void test_holds(void **state)
{
	cJSON *settings = settings_with("\"a,b\"");
	const cJSON *persistent = cJSON_GetObjectItemCaseSensitive(settings, "persistent");
	char *present[] = { "a", "b" };
	char *missing[] = { "c" };

	(void)state;
	assert_true(ledger_holds(persistent, present, 2, missing, 1));
	assert_false(ledger_holds(persistent, missing, 1, NULL, 0));
	assert_false(ledger_holds(persistent, NULL, 0, present, 1));
	assert_true(ledger_holds(NULL, NULL, 0, missing, 1));
	cJSON_Delete(settings);
}

/* A value of another type is unreadable, never an empty ledger: writing one
 * back would disown every alias in it. */
static void test_wrong_type_is_unreadable(void **state)
{
	static const char *const values[] = { "5", "true", "{\"a\":\"b\"}", "[\"a\",1]", "[[\"a\"]]" };
	char *add[] = { "a" };
	cJSON *settings, *out;
	const cJSON *persistent;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		settings = settings_with(values[i]);
		persistent = cJSON_GetObjectItemCaseSensitive(settings, "persistent");
		out = NULL;
		assert_int_equal(ledger_read(&out, persistent), -EBADMSG);
		assert_null(out);
		assert_int_equal(ledger_merge(&out, persistent, add, 1, NULL, 0), -EBADMSG);
		assert_null(out);
		assert_false(ledger_holds(persistent, NULL, 0, NULL, 0));
		cJSON_Delete(settings);
	}
	settings = settings_with("null");
	assert_int_equal(ledger_read(&out, cJSON_GetObjectItemCaseSensitive(settings, "persistent")), 0);
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
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_wrong_type_is_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
