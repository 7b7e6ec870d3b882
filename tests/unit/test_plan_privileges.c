/* The preflight's pure half: the privileges a cluster's planned requests need,
 * and the blocking problems a _has_privileges answer lacking some makes. */
#include "plan_fixture.h"

static const char *const mixed_desired =
	"{'objects':[{'kind':'remote','name':'one','body':{'seeds':['127.0.0.1:9300']}},"
	"{'kind':'role','name':'r','body':{'cluster':['monitor']}}]}";

static void required_privileges_follow_the_requests(void **state)
{
	struct fixture f = { 0 };
	cJSON *required = NULL;

	(void)state;
	fixture_build(&f, mixed_desired, "{'local':{}}");
	assert_int_equal(plan_required_privileges(&required, fixture_cluster(&f, "local")), 0);
	assert_json(required, "['cluster:admin/settings/update','cluster:monitor/remote/info',"
			      "'cluster:monitor/settings','manage_security']");
	cJSON_Delete(required);
	fixture_done(&f);
}

static void nothing_to_write_needs_nothing(void **state)
{
	struct fixture f = { 0 };
	cJSON *required = NULL;

	(void)state;
	fixture_build(&f, "{'objects':[]}", "{'local':{}}");
	assert_int_equal(plan_required_privileges(&required, fixture_cluster(&f, "local")), 0);
	assert_int_equal(cJSON_GetArraySize(required), 0);
	cJSON_Delete(required);
	fixture_done(&f);
}

static void a_missing_privilege_blocks_the_cluster(void **state)
{
	struct fixture f = { 0 };
	struct cluster_plan *cp;
	cJSON *required = NULL, *answer;
	size_t before;

	(void)state;
	fixture_build(&f, mixed_desired, "{'local':{}}");
	cp = (struct cluster_plan *)fixture_cluster(&f, "local");
	before = cp->change_count;
	assert_false(cluster_plan_blocked(cp));
	assert_int_equal(plan_required_privileges(&required, cp), 0);
	answer = fixture_json("{'username':'bob','has_all_requested':false,'cluster':{"
			      "'cluster:admin/settings/update':false,'cluster:monitor/remote/info':true,"
			      "'cluster:monitor/settings':true,'manage_security':true}}");
	assert_int_equal(plan_check_privileges(f.plan, cp, required, answer), 0);
	assert_int_equal(cp->change_count, before + 1);
	assert_int_equal(cp->changes[before].kind, RESOURCE_CLUSTER);
	assert_int_equal(cp->changes[before].action, ACTION_PROBLEM);
	assert_true(cp->changes[before].blocks_cluster);
	assert_string_equal(cp->changes[before].name, "cluster:admin/settings/update");
	assert_non_null(strstr(cp->changes[before].problem, "account [bob]"));
	assert_non_null(strstr(cp->changes[before].problem, "PUT /_cluster/settings"));
	assert_null(strstr(cp->changes[before].problem, "/_security/role"));
	assert_true(cluster_plan_blocked(cp));
	assert_int_equal(f.plan->summary.problems, 1);
	cJSON_Delete(answer);
	cJSON_Delete(required);
	fixture_done(&f);
}

static void every_privilege_held_adds_nothing(void **state)
{
	struct fixture f = { 0 };
	struct cluster_plan *cp;
	cJSON *required = NULL, *answer;
	size_t before;

	(void)state;
	fixture_build(&f, mixed_desired, "{'local':{}}");
	cp = (struct cluster_plan *)fixture_cluster(&f, "local");
	before = cp->change_count;
	assert_int_equal(plan_required_privileges(&required, cp), 0);
	answer = fixture_json("{'username':'elastic','has_all_requested':true,'cluster':{"
			      "'cluster:admin/settings/update':true,'cluster:monitor/remote/info':true,"
			      "'cluster:monitor/settings':true,'manage_security':true}}");
	assert_int_equal(plan_check_privileges(f.plan, cp, required, answer), 0);
	assert_int_equal(cp->change_count, before);
	assert_false(cluster_plan_blocked(cp));
	cJSON_Delete(answer);
	cJSON_Delete(required);
	fixture_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(required_privileges_follow_the_requests),
		cmocka_unit_test(nothing_to_write_needs_nothing),
		cmocka_unit_test(a_missing_privilege_blocks_the_cluster),
		cmocka_unit_test(every_privilege_held_adds_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
