/* Unit tests: which password probe answers apply's verification may reuse
 * (verify_known_probes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/outcome.h"
#include "apply/verify.h"
#include "apply_fixture.h"
#include "es/live.h"
#include "plan/plan_internal.h"

/* A change of user name that sets the password (a sensitive "password" field) or not. */
static size_t user_change(struct cluster_plan *c, const char *name, enum change_action action, bool password)
{
	size_t index = fixture_change(c, RESOURCE_USER, name, action, NULL);

	if (password) {
		/* as users.c plans it: the field, and the mark it leaves when fields fold */
		assert_int_equal(change_add_field(&c->changes[index], "password", NULL, NULL, true), 0);
		c->changes[index].sets_password = true;
	} else
		assert_int_equal(change_add_field(&c->changes[index], "full_name", NULL, NULL, false), 0);
	return index;
}

static struct live_state *live_with_probes(const char *cluster_id, const char *probes)
{
	struct live_state *live = calloc(1, sizeof(*live));

	live->clusters = calloc(1, sizeof(*live->clusters));
	live->cluster_count = 1;
	live->clusters[0].cluster_id = strdup(cluster_id);
	live->clusters[0].reachable = true;
	live->clusters[0].password_probes = cJSON_Parse(probes);
	return live;
}

static void keeps_untouched_answers_and_trusts_only_applied_password_writes(void **state)
{
	struct plan *plan = fixture_plan(1);
	struct cluster_plan *c = &plan->clusters[0];
	struct live_state *live = live_with_probes(
		"c0", "{\"same\":true,\"wrong\":false,\"renamed\":true,\"failed\":false,\"skipped\":false,"
		      "\"bad-kept\":false,\"gone\":true}");
	struct apply_outcome *outcome = NULL;
	cJSON *known = NULL, *expected = cJSON_Parse(
		"{\"c0\":{\"same\":true,\"bad-kept\":false,\"wrong\":true,\"new\":true}}");
	size_t wrong, renamed, failed, skipped, created, lost, gone, problem;

	(void)state;
	wrong = user_change(c, "wrong", ACTION_UPDATE, true);
	renamed = user_change(c, "renamed", ACTION_UPDATE, false);
	failed = user_change(c, "failed", ACTION_UPDATE, true);
	skipped = user_change(c, "skipped", ACTION_UPDATE, true);
	created = user_change(c, "new", ACTION_CREATE, true);
	lost = user_change(c, "unanswered", ACTION_CREATE, true);
	gone = fixture_change(c, RESOURCE_USER, "gone", ACTION_DELETE, NULL);
	/* a problem writes nothing: bad-kept keeps its answer */
	problem = fixture_change(c, RESOURCE_USER, "bad-kept", ACTION_PROBLEM, NULL);
	fixture_change(c, RESOURCE_ROLE, "same", ACTION_UPDATE, NULL);
	assert_int_equal(apply_outcome_new(&outcome, plan), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[wrong], CHANGE_APPLIED, NULL, NULL, 0), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[renamed], CHANGE_APPLIED, NULL, NULL, 0), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[failed], CHANGE_FAILED, NULL, "no", 500), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[skipped], CHANGE_SKIPPED, NULL, "dep", 0), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[created], CHANGE_APPLIED, NULL, NULL, 0), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[lost], CHANGE_FAILED, NULL, "timeout", 0), 0);
	outcome->clusters[0].changes[lost].unanswered = true;
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[gone], CHANGE_APPLIED, NULL, NULL, 0), 0);
	assert_int_equal(change_outcome_set(&outcome->clusters[0].changes[problem], CHANGE_SKIPPED, NULL, "!", 0), 0);

	assert_int_equal(verify_known_probes(&known, live, plan, outcome), 0);
	assert_true(cJSON_Compare(known, expected, 1));

	cJSON_Delete(known);
	cJSON_Delete(expected);
	apply_outcome_free(outcome);
	plan_free(plan);
	live_state_free(live);
}

static void unreachable_clusters_give_no_answer(void **state)
{
	struct plan *plan = fixture_plan(1);
	struct live_state *live = live_with_probes("c0", "{\"a\":true}");
	struct apply_outcome *outcome = NULL;
	cJSON *known = NULL;

	(void)state;
	live->clusters[0].reachable = false;
	assert_int_equal(apply_outcome_new(&outcome, plan), 0);
	assert_int_equal(verify_known_probes(&known, live, plan, outcome), 0);
	assert_non_null(known);
	assert_null(known->child);
	cJSON_Delete(known);
	apply_outcome_free(outcome);
	plan_free(plan);
	live_state_free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_untouched_answers_and_trusts_only_applied_password_writes),
		cmocka_unit_test(unreachable_clusters_give_no_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
