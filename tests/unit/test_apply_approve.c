/* Unit tests: the deletion guard (cmd/) and the approval prompt (apply/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/approve.h"
#include "apply_fixture.h"
#include "cmd/delete_guard.h"

static struct plan *plan_with_deletes(size_t first, size_t second)
{
	struct plan *plan = fixture_plan(2);
	char name[32];
	size_t i;

	for (i = 0; i < first; i++) {
		snprintf(name, sizeof(name), "r%zu", i);
		fixture_change(&plan->clusters[0], RESOURCE_ROLE, name, ACTION_DELETE, NULL);
	}
	for (i = 0; i < second; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		fixture_change(&plan->clusters[1], RESOURCE_USER, name, ACTION_DELETE, NULL);
	}
	fixture_change(&plan->clusters[1], RESOURCE_REMOTE, "kept", ACTION_UPDATE, NULL);
	fixture_change(&plan->clusters[1], RESOURCE_REMOTE, "bad", ACTION_PROBLEM, NULL);
	return plan;
}

static void test_deletes_are_summed_over_clusters(void **state)
{
	struct plan *plan = plan_with_deletes(12, 9);
	size_t count = 0;

	(void)state;
	assert_int_equal(delete_guard_count(plan), 21);
	assert_false(delete_guard_allows(&count, plan, 20, false));
	assert_int_equal(count, 21);
	assert_true(delete_guard_allows(&count, plan, 21, false));
	assert_true(delete_guard_allows(&count, plan, 20, true));
	assert_false(delete_guard_allows(&count, plan, 0, false));
	plan_free(plan);
}

static void test_no_deletes_pass_a_zero_limit(void **state)
{
	struct plan *plan = plan_with_deletes(0, 0);
	size_t count = 1;

	(void)state;
	assert_true(delete_guard_allows(&count, plan, 0, false));
	assert_int_equal(count, 0);
	plan_free(plan);
}

static int ask(const char *input, char *shown, size_t shown_size)
{
	struct plan *plan = plan_with_deletes(1, 0);
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	FILE *out = fmemopen(shown, shown_size, "w");
	int answer;

	answer = apply_ask_approval(plan, in, out, false);
	fclose(in);
	fclose(out);
	plan_free(plan);
	return answer;
}

static void test_only_yes_approves(void **state)
{
	char shown[8192];

	(void)state;
	assert_int_equal(ask("yes\n", shown, sizeof(shown)), 1);
	assert_non_null(strstr(shown, APPROVE_PROMPT));
	assert_non_null(strstr(shown, "r0"));
	assert_int_equal(ask("yes", shown, sizeof(shown)), 1);
	assert_int_equal(ask("yes\r\n", shown, sizeof(shown)), 1);
	assert_int_equal(ask("y\n", shown, sizeof(shown)), 0);
	assert_int_equal(ask("YES\n", shown, sizeof(shown)), 0);
	assert_int_equal(ask(" yes\n", shown, sizeof(shown)), 0);
	assert_int_equal(ask("yes please\n", shown, sizeof(shown)), 0);
	assert_int_equal(ask("\n", shown, sizeof(shown)), 0);
}

static void test_end_of_input_declines(void **state)
{
	char shown[8192];
	struct plan *plan = plan_with_deletes(1, 0);
	FILE *in = fopen("/dev/null", "r");
	FILE *out = fmemopen(shown, sizeof(shown), "w");

	(void)state;
	assert_int_equal(apply_ask_approval(plan, in, out, false), 0);
	fclose(in);
	fclose(out);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deletes_are_summed_over_clusters),
		cmocka_unit_test(test_no_deletes_pass_a_zero_limit),
		cmocka_unit_test(test_only_yes_approves),
		cmocka_unit_test(test_end_of_input_declines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
