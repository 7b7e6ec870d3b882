/* Unit tests: the JSON report's shape and the text summary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/outcome.h"
#include "apply/report.h"
#include "apply_fixture.h"

struct fixture {
	struct plan *plan;
	struct apply_outcome *outcome;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cluster_outcome *c0;

	f->plan = fixture_plan(2);
	fixture_change(&f->plan->clusters[0], RESOURCE_ROLE, "ok", ACTION_CREATE, NULL);
	fixture_change(&f->plan->clusters[0], RESOURCE_ROLE, "bad", ACTION_CREATE, NULL);
	fixture_change(&f->plan->clusters[0], RESOURCE_USER, "needs-bad", ACTION_CREATE, (int[]){ 1, -1 });
	fixture_change(&f->plan->clusters[0], RESOURCE_REMOTE, "r", ACTION_UPDATE, NULL);
	fixture_change(&f->plan->clusters[1], RESOURCE_USER, "gone", ACTION_DELETE, NULL);
	f->plan->summary.create = 3;
	f->plan->summary.update = 1;
	f->plan->summary.remove = 1;
	assert_int_equal(apply_outcome_new(&f->outcome, f->plan), 0);
	c0 = &f->outcome->clusters[0];
	change_outcome_set(&c0->changes[0], CHANGE_APPLIED, NULL, NULL, 0);
	change_outcome_set(&c0->changes[1], CHANGE_FAILED, "illegal_argument_exception",
			   "unknown cluster privilege [x]", 0);
	change_outcome_set(&c0->changes[2], CHANGE_SKIPPED, NULL, "depends on role [bad], which failed", 0);
	change_outcome_set(&c0->changes[3], CHANGE_FAILED, "emulated_fault_exception", "fault", 500);
	change_outcome_set(&f->outcome->clusters[1].changes[0], CHANGE_APPLIED, NULL, NULL, 0);
	c0->requests_sent = 4;
	c0->settle[RESOURCE_REMOTE].settled = fixture_strings("r", NULL);
	c0->settle[RESOURCE_REMOTE].settled_count = 1;
	c0->settle[RESOURCE_REMOTE].unsettled = fixture_strings("far", NULL);
	c0->settle[RESOURCE_REMOTE].unsettled_count = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	apply_outcome_free(f->outcome);
	plan_free(f->plan);
	free(f);
	return 0;
}

static const cJSON *get(const cJSON *object, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);

	assert_non_null(item);
	return item;
}

/* The report as apply_report_write() writes it, parsed. */
static cJSON *report_of(const struct plan *plan, const struct apply_outcome *outcome)
{
	char *text = NULL;
	size_t len = 0;
	FILE *stream = open_memstream(&text, &len);
	cJSON *report;

	assert_int_equal(apply_report_write(&stream, 1, plan, outcome), 0);
	fclose(stream);
	report = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
	assert_non_null(report);
	free(text);
	return report;
}

static void test_report_json_shape(void **state)
{
	struct fixture *f = *state;
	const cJSON *clusters, *c0, *changes, *change, *error;
	cJSON *report = report_of(f->plan, f->outcome);

	assert_string_equal(get(report, "format_version")->valuestring, "1");
	assert_true(cJSON_IsFalse(get(report, "converged")));
	assert_int_equal(get(get(report, "summary"), "applied")->valueint, 2);
	assert_int_equal(get(get(report, "summary"), "failed")->valueint, 2);
	assert_int_equal(get(get(report, "summary"), "skipped")->valueint, 1);
	clusters = get(report, "clusters");
	c0 = get(clusters, "c0");
	assert_int_equal(get(c0, "requests_sent")->valueint, 4);
	assert_string_equal(cJSON_GetArrayItem(get(c0, "remotes_connected"), 0)->valuestring, "r");
	assert_string_equal(cJSON_GetArrayItem(get(c0, "remotes_not_connected"), 0)->valuestring, "far");
	changes = get(c0, "changes");
	assert_int_equal(cJSON_GetArraySize(changes), 4);

	change = cJSON_GetArrayItem(changes, 0);
	assert_string_equal(get(change, "name")->valuestring, "ok");
	assert_string_equal(get(change, "status")->valuestring, "applied");
	assert_null(cJSON_GetObjectItemCaseSensitive(change, "error"));
	assert_null(cJSON_GetObjectItemCaseSensitive(change, "reason"));

	change = cJSON_GetArrayItem(changes, 1);
	assert_string_equal(get(change, "status")->valuestring, "failed");
	error = get(change, "error");
	assert_string_equal(get(error, "type")->valuestring, "illegal_argument_exception");
	assert_string_equal(get(error, "reason")->valuestring, "unknown cluster privilege [x]");
	assert_true(cJSON_IsNull(get(error, "status"))); /* a per-role error inside a 200 */

	change = cJSON_GetArrayItem(changes, 2);
	assert_string_equal(get(change, "status")->valuestring, "skipped");
	assert_string_equal(get(change, "reason")->valuestring, "depends on role [bad], which failed");

	change = cJSON_GetArrayItem(changes, 3);
	assert_int_equal(get(get(change, "error"), "status")->valueint, 500);

	change = cJSON_GetArrayItem(get(get(clusters, "c1"), "changes"), 0);
	assert_string_equal(get(change, "status")->valuestring, "applied");
	assert_int_equal(cJSON_GetArraySize(get(get(clusters, "c1"), "remotes_not_connected")), 0);
	cJSON_Delete(report);
}

/* Every stream gets the same text: one line for the envelope, one per cluster. */
static void test_report_write_to_two_streams(void **state)
{
	struct fixture *f = *state;
	char *first = NULL, *second = NULL;
	size_t first_len = 0, second_len = 0;
	FILE *streams[2];

	streams[0] = open_memstream(&first, &first_len);
	streams[1] = open_memstream(&second, &second_len);
	assert_int_equal(apply_report_write(streams, 2, f->plan, f->outcome), 0);
	fclose(streams[0]);
	fclose(streams[1]);
	assert_string_equal(first, second);
	assert_non_null(strstr(first, "\n\"c0\":{"));
	assert_non_null(strstr(first, ",\n\"c1\":{"));
	free(first);
	free(second);
}

static void test_report_write_without_clusters(void **state)
{
	struct plan *plan = fixture_plan(0);
	struct apply_outcome *outcome = NULL;
	cJSON *parsed;

	(void)state;
	assert_int_equal(apply_outcome_new(&outcome, plan), 0);
	outcome->converged = true;
	parsed = report_of(plan, outcome);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(parsed, "clusters")), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(parsed, "converged")));
	cJSON_Delete(parsed);
	apply_outcome_free(outcome);
	plan_free(plan);
}

static void test_report_text(void **state)
{
	struct fixture *f = *state;
	struct buf text;

	buf_init(&text, BUF_SMALL_MAX);
	assert_int_equal(apply_report_text(&text, f->plan, f->outcome, false), 0);
	assert_non_null(strstr(text.data, "cluster c0:\n"));
	assert_non_null(strstr(text.data, "role bad: failed: illegal_argument_exception: unknown cluster privilege [x]"));
	assert_non_null(strstr(text.data, "user needs-bad: skipped: depends on role [bad], which failed"));
	assert_non_null(strstr(text.data, "remote far is not connected"));
	assert_null(strstr(text.data, "cluster c1:"));
	assert_non_null(strstr(text.data, "Apply complete: 2 applied, 2 failed, 1 skipped. Not converged"));
	buf_dispose(&text);
}

static void test_report_text_converged(void **state)
{
	struct plan *plan = fixture_plan(1);
	struct apply_outcome *outcome = NULL;
	struct buf text;

	(void)state;
	fixture_change(&plan->clusters[0], RESOURCE_ROLE, "a", ACTION_CREATE, NULL);
	assert_int_equal(apply_outcome_new(&outcome, plan), 0);
	change_outcome_set(&outcome->clusters[0].changes[0], CHANGE_APPLIED, NULL, NULL, 0);
	outcome->converged = true;
	buf_init(&text, BUF_SMALL_MAX);
	assert_int_equal(apply_report_text(&text, plan, outcome, false), 0);
	assert_string_equal(text.data, "Apply complete: 1 applied, 0 failed, 0 skipped. Converged.\n");
	buf_dispose(&text);
	apply_outcome_free(outcome);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_json_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_write_to_two_streams, setup, teardown),
		cmocka_unit_test(test_report_write_without_clusters),
		cmocka_unit_test_setup_teardown(test_report_text, setup, teardown),
		cmocka_unit_test(test_report_text_converged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
