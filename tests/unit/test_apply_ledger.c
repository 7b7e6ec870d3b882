/* Unit tests: merging the remote ownership ledger with what is on the cluster now. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "apply/ledger.h"

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
	char *merged = NULL;

	assert_int_equal(ledger_merge(&merged, settings, add, add_count, remove, remove_count), 0);
	assert_string_equal(merged, expected);
	free(merged);
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
	char *present[] = { "a", "b" };
	char *missing[] = { "c" };

	(void)state;
	assert_true(ledger_holds(settings, present, 2, missing, 1));
	assert_false(ledger_holds(settings, missing, 1, NULL, 0));
	assert_false(ledger_holds(settings, NULL, 0, present, 1));
	assert_true(ledger_holds(NULL, NULL, 0, missing, 1));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
