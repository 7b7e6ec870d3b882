/* Unit tests: how answers become per-change statuses, skip propagation,
 * request bodies without the changes left out, and the exit code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/outcome.h"
#include "apply/request_outcome.h"
#include "apply_fixture.h"
#include "cmd/exit_codes.h"
#include "plan/plan_internal.h"

/* Roles r1, r2 in one bulk write; users u1 (needs r1) and u2 (needs r2);
 * remote a and b in the settings PUT; then a bulk role delete of old1, old2. */
struct scenario {
	struct plan *plan;
	struct cluster_plan *cluster;
	struct apply_outcome *outcome;
};

static int scenario_setup(void **state)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct cluster_plan *c;
	struct plan_request *settings, *bulk;

	s->plan = fixture_plan(1);
	c = s->cluster = &s->plan->clusters[0];
	fixture_change(c, RESOURCE_ROLE, "r1", ACTION_CREATE, NULL);                /* 0 */
	fixture_change(c, RESOURCE_ROLE, "r2", ACTION_UPDATE, NULL);                /* 1 */
	fixture_change(c, RESOURCE_USER, "u1", ACTION_CREATE, (int[]){ 0, -1 });    /* 2 */
	fixture_change(c, RESOURCE_USER, "u2", ACTION_CREATE, (int[]){ 1, -1 });    /* 3 */
	fixture_change(c, RESOURCE_REMOTE, "a", ACTION_CREATE, NULL);               /* 4 */
	fixture_change(c, RESOURCE_REMOTE, "b", ACTION_DELETE, (int[]){ 3, -1 });   /* 5 */
	fixture_change(c, RESOURCE_ROLE, "old1", ACTION_DELETE, NULL);              /* 6 */
	fixture_change(c, RESOURCE_ROLE, "old2", ACTION_DELETE, NULL);              /* 7 */
	bulk = fixture_request(c, STEP_ROLES_WRITE, "POST", "/_security/role",
			       "{\"roles\":{\"r1\":{\"cluster\":[]},\"r2\":{\"cluster\":[\"monitor\"]}}}",
			       (int[]){ 0, 1, -1 });
	bulk->answer = ANSWER_PER_ITEM;
	assert_int_equal(request_add_part(bulk, 0, PART_MEMBER, "roles", "r1"), 0);
	assert_int_equal(request_add_part(bulk, 1, PART_MEMBER, "roles", "r2"), 0);
	fixture_request(c, STEP_USERS_WRITE, "PUT", "/_security/user/u1", "{\"roles\":[\"r1\"]}",
			(int[]){ 2, -1 });
	fixture_request(c, STEP_USERS_WRITE, "PUT", "/_security/user/u2", "{\"roles\":[\"r2\"]}",
			(int[]){ 3, -1 });
	settings = fixture_request(c, STEP_SETTINGS, "PUT", "/_cluster/settings",
				   "{\"persistent\":{\"cluster.remote.a.mode\":\"sniff\","
				   "\"cluster.remote.a.seeds\":[\"h:9300\"],\"cluster.remote.b.*\":null,"
				   "\"cluster.remote.ab.mode\":\"proxy\"}}",
				   (int[]){ 4, 5, -1 });
	settings->carries_ledger = true;
	assert_int_equal(request_add_ledger_edit(settings, "a", 4, true), 0);
	assert_int_equal(request_add_ledger_edit(settings, "b", 5, false), 0);
	assert_int_equal(request_add_part(settings, 4, PART_KEY_PREFIX, "persistent", "cluster.remote.a."), 0);
	assert_int_equal(request_add_part(settings, 5, PART_KEY_PREFIX, "persistent", "cluster.remote.b."), 0);
	bulk = fixture_request(c, STEP_ROLES_DELETE, "DELETE", "/_security/role",
			       "{\"names\":[\"old1\",\"old2\"]}", (int[]){ 6, 7, -1 });
	bulk->answer = ANSWER_PER_ITEM;
	assert_int_equal(request_add_part(bulk, 6, PART_ARRAY_STRING, "names", "old1"), 0);
	assert_int_equal(request_add_part(bulk, 7, PART_ARRAY_STRING, "names", "old2"), 0);
	assert_int_equal(apply_outcome_new(&s->outcome, s->plan), 0);
	*state = s;
	return 0;
}

static int scenario_teardown(void **state)
{
	struct scenario *s = *state;

	apply_outcome_free(s->outcome);
	plan_free(s->plan);
	free(s);
	return 0;
}

static struct change_outcome *status_of(struct scenario *s, size_t index)
{
	return &s->outcome->clusters[0].changes[index];
}

static void record(struct scenario *s, size_t request_index, long status, const char *body)
{
	const struct plan_request *request = &s->cluster->requests[request_index];
	struct es_response response = fixture_response(status, body);
	bool included[8];

	assert_true(request_gate(included, &s->outcome->clusters[0], s->cluster, request) >= 0);
	assert_int_equal(request_record_response(&s->outcome->clusters[0], s->cluster, request, included,
						 &response), 0);
	es_response_dispose(&response);
}

static void test_bulk_role_write_maps_each_role(void **state)
{
	struct scenario *s = *state;

	record(s, 0, 200,
	       "{\"created\":[\"r1\"],\"errors\":{\"count\":1,\"details\":{\"r2\":"
	       "{\"type\":\"illegal_argument_exception\",\"reason\":\"unknown cluster privilege [x]\"}}}}");
	assert_int_equal(status_of(s, 0)->status, CHANGE_APPLIED);
	assert_int_equal(status_of(s, 1)->status, CHANGE_FAILED);
	assert_string_equal(status_of(s, 1)->error_type, "illegal_argument_exception");
	assert_string_equal(status_of(s, 1)->reason, "unknown cluster privilege [x]");
	assert_int_equal(status_of(s, 1)->http_status, 0);
}

static void test_bulk_role_write_noop_and_updated_apply(void **state)
{
	struct scenario *s = *state;

	record(s, 0, 200, "{\"noop\":[\"r1\"],\"updated\":[\"r2\"]}");
	assert_int_equal(status_of(s, 0)->status, CHANGE_APPLIED);
	assert_int_equal(status_of(s, 1)->status, CHANGE_APPLIED);
}

/* Applied only when the answer lists the role: a 200 with an empty object or a
 * proxy's page proves nothing. */
static void test_bulk_answer_not_mentioning_a_role_fails_it(void **state)
{
	static const char *const answers[] = { "{}", "{\"created\":[\"r2\"]}", "<html>ok</html>" };
	struct scenario *s;
	size_t i;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		assert_int_equal(scenario_setup((void **)&s), 0);
		record(s, 0, 200, answers[i]);
		assert_int_equal(status_of(s, 0)->status, CHANGE_FAILED);
		assert_string_equal(status_of(s, 0)->reason, "the answer did not mention the role");
		assert_int_equal(status_of(s, 1)->status, i == 1 ? CHANGE_APPLIED : CHANGE_FAILED);
		scenario_teardown((void **)&s);
	}
	(void)state;
}

static void test_bulk_request_failure_fails_all(void **state)
{
	struct scenario *s = *state;

	record(s, 0, 400,
	       "{\"error\":{\"type\":\"parse_exception\",\"reason\":\"malformed\"},\"status\":400}");
	assert_int_equal(status_of(s, 0)->status, CHANGE_FAILED);
	assert_int_equal(status_of(s, 1)->status, CHANGE_FAILED);
	assert_string_equal(status_of(s, 1)->error_type, "parse_exception");
	assert_int_equal(status_of(s, 1)->http_status, 400);
}

static void test_failure_without_es_error_describes_the_answer(void **state)
{
	struct scenario *s = *state;

	record(s, 0, 200, "{\"created\":[\"r1\",\"r2\"]}");
	record(s, 1, 502, "bad gateway");
	assert_int_equal(status_of(s, 2)->status, CHANGE_FAILED);
	assert_null(status_of(s, 2)->error_type);
	assert_non_null(strstr(status_of(s, 2)->reason, "502"));
	assert_int_equal(status_of(s, 2)->http_status, 502);
}

static void test_bulk_role_delete_maps_each_role(void **state)
{
	struct scenario *s = *state;

	record(s, 4, 200,
	       "{\"deleted\":[\"old1\"],\"errors\":{\"count\":1,\"details\":{\"old2\":"
	       "{\"type\":\"illegal_argument_exception\",\"reason\":\"role [old2] is reserved\"}}}}");
	assert_int_equal(status_of(s, 6)->status, CHANGE_APPLIED);
	assert_int_equal(status_of(s, 7)->status, CHANGE_FAILED);
	assert_string_equal(status_of(s, 7)->reason, "role [old2] is reserved");
}

static void test_bulk_delete_not_found_is_applied(void **state)
{
	struct scenario *s = *state;

	record(s, 4, 200, "{\"deleted\":[\"old1\"],\"not_found\":[\"old2\"]}");
	assert_int_equal(status_of(s, 6)->status, CHANGE_APPLIED);
	assert_int_equal(status_of(s, 7)->status, CHANGE_APPLIED);
}

static void test_single_delete_404_is_applied(void **state)
{
	struct plan *plan = fixture_plan(1);
	struct apply_outcome *outcome = NULL;
	struct es_response response = fixture_response(404, "{\"found\":false}");
	bool included[1];

	(void)state;
	fixture_change(&plan->clusters[0], RESOURCE_USER, "gone", ACTION_DELETE, NULL);
	fixture_request(&plan->clusters[0], STEP_USERS_DELETE, "DELETE", "/_security/user/gone", NULL,
			(int[]){ 0, -1 });
	assert_int_equal(apply_outcome_new(&outcome, plan), 0);
	assert_int_equal(request_gate(included, &outcome->clusters[0], &plan->clusters[0],
				      &plan->clusters[0].requests[0]), 1);
	assert_int_equal(request_record_response(&outcome->clusters[0], &plan->clusters[0],
						 &plan->clusters[0].requests[0], included, &response), 0);
	assert_int_equal(outcome->clusters[0].changes[0].status, CHANGE_APPLIED);
	es_response_dispose(&response);
	apply_outcome_free(outcome);
	plan_free(plan);
}

static void test_skip_propagates_through_depends_on(void **state)
{
	struct scenario *s = *state;
	struct cluster_outcome *outcome = &s->outcome->clusters[0];
	bool included[2];

	record(s, 0, 200,
	       "{\"created\":[\"r1\"],\"errors\":{\"count\":1,\"details\":{\"r2\":"
	       "{\"type\":\"x\",\"reason\":\"y\"}}}}");
	/* u1 needs r1 (applied): goes. */
	assert_int_equal(request_gate(included, outcome, s->cluster, &s->cluster->requests[1]), 1);
	assert_true(included[0]);
	/* u2 needs r2 (failed): skipped, naming it. */
	assert_int_equal(request_gate(included, outcome, s->cluster, &s->cluster->requests[2]), 0);
	assert_false(included[0]);
	assert_int_equal(status_of(s, 3)->status, CHANGE_SKIPPED);
	assert_string_equal(status_of(s, 3)->reason, "depends on role [r2], which failed");
	/* remote b needs u2 (skipped): skipped too; remote a is independent. */
	assert_int_equal(request_gate(included, outcome, s->cluster, &s->cluster->requests[3]), 1);
	assert_true(included[0]);
	assert_false(included[1]);
	assert_string_equal(status_of(s, 5)->reason, "depends on user [u2], which was skipped");
}

static void test_drop_excluded_settings_keys(void **state)
{
	struct scenario *s = *state;
	const struct plan_request *settings = &s->cluster->requests[3];
	bool included[2] = { true, false };
	cJSON *body = cJSON_Parse(settings->body);
	cJSON *persistent;

	request_body_drop_excluded(body, settings, included);
	persistent = cJSON_GetObjectItemCaseSensitive(body, "persistent");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(persistent, "cluster.remote.a.mode"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(persistent, "cluster.remote.a.seeds"));
	/* The prefix is the whole alias: "ab" is not "a"'s, "b" is gone. */
	assert_non_null(cJSON_GetObjectItemCaseSensitive(persistent, "cluster.remote.ab.mode"));
	assert_null(cJSON_GetObjectItemCaseSensitive(persistent, "cluster.remote.b.*"));
	cJSON_Delete(body);
}

static void test_drop_excluded_bulk_entries(void **state)
{
	struct scenario *s = *state;
	bool included[2] = { false, true };
	cJSON *write = cJSON_Parse(s->cluster->requests[0].body);
	cJSON *delete = cJSON_Parse(s->cluster->requests[4].body);
	char *text;

	request_body_drop_excluded(write, &s->cluster->requests[0], included);
	text = cJSON_PrintUnformatted(write);
	assert_string_equal(text, "{\"roles\":{\"r2\":{\"cluster\":[\"monitor\"]}}}");
	free(text);
	request_body_drop_excluded(delete, &s->cluster->requests[4], included);
	text = cJSON_PrintUnformatted(delete);
	assert_string_equal(text, "{\"names\":[\"old2\"]}");
	free(text);
	cJSON_Delete(write);
	cJSON_Delete(delete);
}

static void test_no_response_fails_and_rest_is_skipped(void **state)
{
	struct scenario *s = *state;
	struct cluster_outcome *outcome = &s->outcome->clusters[0];
	bool included[2];

	assert_int_equal(request_gate(included, outcome, s->cluster, &s->cluster->requests[0]), 2);
	assert_int_equal(request_record_no_response(outcome, &s->cluster->requests[0], included,
						    "cluster [c0] POST /_security/role: connection refused"), 0);
	assert_int_equal(cluster_skip_pending(outcome, "not attempted: the cluster stopped answering"), 0);
	assert_int_equal(status_of(s, 0)->status, CHANGE_FAILED);
	assert_null(status_of(s, 0)->error_type);
	assert_int_equal(status_of(s, 4)->status, CHANGE_SKIPPED);
	assert_string_equal(status_of(s, 4)->reason, "not attempted: the cluster stopped answering");
}

static void set_all(struct apply_outcome *outcome, enum change_status status)
{
	size_t i;

	for (i = 0; i < outcome->clusters[0].change_count; i++)
		change_outcome_set(&outcome->clusters[0].changes[i], status, NULL, NULL, 0);
}

static void test_exit_codes(void **state)
{
	struct scenario *s = *state;
	struct apply_outcome *empty = NULL;
	struct plan *nothing = fixture_plan(1);

	/* Nothing to do and converged. */
	assert_int_equal(apply_outcome_new(&empty, nothing), 0);
	empty->converged = true;
	assert_int_equal(exit_code_for_apply(empty), EXIT_OK);
	/* Nothing to do, not converged (an unreachable cluster). */
	empty->converged = false;
	assert_int_equal(exit_code_for_apply(empty), EXIT_INVALID);
	apply_outcome_free(empty);
	plan_free(nothing);

	set_all(s->outcome, CHANGE_APPLIED);
	s->outcome->converged = true;
	assert_int_equal(exit_code_for_apply(s->outcome), EXIT_OK);
	/* All applied but a fresh plan still differs. */
	s->outcome->converged = false;
	assert_int_equal(exit_code_for_apply(s->outcome), EXIT_PARTIAL);
	/* One failed, the rest applied. */
	s->outcome->converged = true;
	s->outcome->clusters[0].changes[3].status = CHANGE_FAILED;
	assert_int_equal(exit_code_for_apply(s->outcome), EXIT_PARTIAL);
	/* One skipped. */
	s->outcome->clusters[0].changes[3].status = CHANGE_SKIPPED;
	assert_int_equal(exit_code_for_apply(s->outcome), EXIT_PARTIAL);
}

static void test_exit_code_nothing_applied(void **state)
{
	struct scenario *s = *state;
	struct apply_tally tally;

	s->outcome->clusters[0].changes[0].status = CHANGE_FAILED;
	cluster_skip_pending(&s->outcome->clusters[0], "not attempted");
	tally = apply_outcome_tally(s->outcome);
	assert_int_equal(tally.applied, 0);
	assert_int_equal(tally.failed, 1);
	assert_int_equal(tally.skipped, 7);
	assert_int_equal(exit_code_for_apply(s->outcome), EXIT_INVALID);
}

static void test_final_status_is_kept(void **state)
{
	struct scenario *s = *state;

	assert_int_equal(change_outcome_set(status_of(s, 0), CHANGE_FAILED, "t", "r", 400), 0);
	assert_int_equal(change_outcome_set(status_of(s, 0), CHANGE_SKIPPED, NULL, "later", 0), 0);
	assert_int_equal(status_of(s, 0)->status, CHANGE_FAILED);
	assert_string_equal(status_of(s, 0)->reason, "r");
	assert_string_equal(change_status_name(CHANGE_SKIPPED), "skipped");
}

#define SCENARIO_TEST(f) cmocka_unit_test_setup_teardown(f, scenario_setup, scenario_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCENARIO_TEST(test_bulk_role_write_maps_each_role),
		SCENARIO_TEST(test_bulk_role_write_noop_and_updated_apply),
		cmocka_unit_test(test_bulk_answer_not_mentioning_a_role_fails_it),
		SCENARIO_TEST(test_bulk_request_failure_fails_all),
		SCENARIO_TEST(test_failure_without_es_error_describes_the_answer),
		SCENARIO_TEST(test_bulk_role_delete_maps_each_role),
		SCENARIO_TEST(test_bulk_delete_not_found_is_applied),
		cmocka_unit_test(test_single_delete_404_is_applied),
		SCENARIO_TEST(test_skip_propagates_through_depends_on),
		SCENARIO_TEST(test_drop_excluded_settings_keys),
		SCENARIO_TEST(test_drop_excluded_bulk_entries),
		SCENARIO_TEST(test_no_response_fails_and_rest_is_skipped),
		SCENARIO_TEST(test_exit_codes),
		SCENARIO_TEST(test_exit_code_nothing_applied),
		SCENARIO_TEST(test_final_status_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
