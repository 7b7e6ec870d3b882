/* User planning: creation, drift, passwords, built-in users, and the request
 * order and dependencies across kinds. */
#include "plan_fixture.h"

static void creation_without_password_is_a_problem(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'ccu','body':{'roles':['r']}}]}",
		      "{'local':{'roles':{'r':{}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_string_equal(cp->changes[0].problem,
			    "user [ccu] does not exist and has no password: set users.local.ccu.password");
	assert_int_equal(cp->request_count, 0);
	fixture_done(&f);
}

static void creation_carries_every_field_and_a_password_slot(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	cJSON *sent = NULL;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'role','name':'remote-replication','body':{'cluster':['manage_ccr']}},"
			  "{'kind':'user','name':'cross-cluster-user','password':'CANARY-pw-1',"
			  "'body':{'roles':['remote-replication'],'full_name':'Cross-cluster replication'}}]}",
		      "{'local':{}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 2);
	assert_request(cp, 1, "PUT", "/_security/user/cross-cluster-user",
		       "{'roles':['remote-replication'],'full_name':'Cross-cluster replication',"
		       "'metadata':{'managed_by':'esreconcile'},'enabled':true,'password':'(sensitive)'}");
	assert_int_equal(cp->changes[1].depends_on_count, 1);
	assert_int_equal(cp->changes[1].depends_on[0], 0);
	assert_int_equal(plan_request_body_with_secrets(&sent, &cp->requests[1]), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(sent, "password")->valuestring, "CANARY-pw-1");
	cJSON_Delete(sent);
	fixture_done(&f);
}

#define USER_LIVE(extra) \
	"{'local':{'roles':{'a':{},'b':{}},'users':{'u':{'username':'u','roles':['b','a'],'full_name':null,'email':null," \
	"'metadata':{'managed_by':'esreconcile'},'enabled':true" extra "}},'probes':{'u':true}}}"

/* A role declared nowhere, absent live and not built in: the user never gets its privileges. */
static void dangling_role_is_a_problem(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'u','password':'pw1234','body':{'roles':['kibana_admin','a','gone']}},"
			  "{'kind':'role','name':'gone','body':'absent'}]}",
		      "{'local':{'roles':{'a':{},'gone':{}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 2); /* the role's deletion, the user's problem */
	assert_int_equal(cp->changes[1].action, ACTION_PROBLEM);
	assert_non_null(strstr(cp->changes[1].problem, "user [u] has role [gone], which is declared nowhere"));
	fixture_done(&f);
}

static void matching_user_is_no_change(void **state)
{
	struct fixture f = { 0 };

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'u','password':'pw1234','body':{'roles':['a','b'],'enabled':'true'}}]}",
		      USER_LIVE(""));
	assert_true(plan_is_empty(f.plan));
	fixture_done(&f);
}

static void role_and_enabled_drift_rewrites_every_field(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'u','password':'pw1234',"
			  "'body':{'roles':['a','b','c'],'email':'u@example.com'}}]}",
		      "{'local':{'roles':{'a':{},'b':{},'c':{}},'users':{'u':{'roles':['a','b'],'full_name':null,'email':'u@example.com',"
		      "'metadata':{'managed_by':'esreconcile'},'enabled':false}},'probes':{'u':true}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].field_count, 2);
	assert_string_equal(cp->changes[0].fields[0].path, "enabled");
	assert_string_equal(cp->changes[0].fields[1].path, "roles");
	assert_request(cp, 0, "PUT", "/_security/user/u",
		       "{'roles':['a','b','c'],'email':'u@example.com','metadata':{'managed_by':'esreconcile'},'enabled':true}");
	fixture_done(&f);
}

static void password_mismatch_posts_password(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'u','password':'pw1234','body':{'roles':['a','b']}}]}",
		      "{'local':{'roles':{'a':{},'b':{},'c':{}},'users':{'u':{'roles':['a','b'],'metadata':{'managed_by':'esreconcile'},'enabled':true}},"
		      "'probes':{'u':false}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_UPDATE);
	assert_string_equal(cp->changes[0].fields[0].path, "password");
	assert_true(cp->changes[0].fields[0].sensitive);
	assert_request(cp, 0, "POST", "/_security/user/u/_password", "{'password':'(sensitive)'}");
	fixture_done(&f);

	memset(&f, 0, sizeof(f));
	fixture_build(&f, "{'policy':{'password_check':'on_create'},"
			  "'objects':[{'kind':'user','name':'u','password':'pw1234','body':{'roles':['a','b']}}]}",
		      "{'local':{'roles':{'a':{},'b':{},'c':{}},'users':{'u':{'roles':['a','b'],'metadata':{'managed_by':'esreconcile'},'enabled':true}},"
		      "'probes':{'u':false}}}");
	assert_true(plan_is_empty(f.plan));
	fixture_done(&f);
}

static void disabled_user_probe_proves_nothing(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'user','name':'u','password':'pw1234','body':{'roles':['a']}}]}",
		      "{'local':{'roles':{'a':{}},'users':{'u':{'roles':['a'],'metadata':{'managed_by':'esreconcile'},'enabled':false}},"
		      "'probes':{'u':false}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].field_count, 1);
	assert_string_equal(cp->changes[0].fields[0].path, "enabled");
	assert_request(cp, 0, "PUT", "/_security/user/u",
		       "{'roles':['a'],'metadata':{'managed_by':'esreconcile'},'enabled':true}");
	fixture_done(&f);
}

#define BUILTIN_LIVE \
	"{'local':{'users':{'kibana_system':{'username':'kibana_system','roles':['kibana_system']," \
	"'metadata':{'_reserved':true},'enabled':true},'elastic':{'roles':['superuser'],'metadata':{'_reserved':true}}}," \
	"'probes':{'kibana_system':false}}}"

static void builtin_user_gets_only_a_password_change(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'users':'all'}},"
			  "'objects':[{'kind':'user','name':'kibana_system','password':'pw1234'}]}",
		      BUILTIN_LIVE);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->request_count, 1);
	assert_request(cp, 0, "POST", "/_security/user/kibana_system/_password", "{'password':'(sensitive)'}");
	fixture_done(&f);

	memset(&f, 0, sizeof(f));
	fixture_build(&f, "{'objects':[{'kind':'user','name':'elastic','body':'absent'}]}", BUILTIN_LIVE);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_int_equal(cp->request_count, 0);
	fixture_done(&f);
}

static void prune_policies_for_users(void **state)
{
	static const char *const live =
		"{'local':{'users':{'mine':{'roles':[],'metadata':{'managed_by':'esreconcile'}},"
		"'theirs':{'roles':[],'metadata':{}},'elastic':{'roles':['superuser'],'metadata':{'_reserved':true}}}}}";
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'users':'none'}},'objects':[]}", live);
	assert_true(plan_is_empty(f.plan));
	fixture_done(&f);
	memset(&f, 0, sizeof(f));
	fixture_build(&f, "{'objects':[]}", live);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 1);
	assert_request(cp, 0, "DELETE", "/_security/user/mine", NULL);
	fixture_done(&f);
	memset(&f, 0, sizeof(f));
	fixture_build(&f, "{'policy':{'prune':{'users':'all'}},'objects':[]}", live);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 2);
	assert_request(cp, 0, "DELETE", "/_security/user/mine", NULL);
	assert_request(cp, 1, "DELETE", "/_security/user/theirs", NULL);
	fixture_done(&f);
}

static void requests_follow_design_order(void **state)
{
	static const enum request_step order[] = { STEP_ROLES_WRITE, STEP_USERS_WRITE, STEP_SETTINGS,
						    STEP_USERS_DELETE, STEP_ROLES_DELETE };
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	size_t i;

	(void)state;
	fixture_build(&f, "{'objects':["
			  "{'kind':'user','name':'old-user','body':'absent'},"
			  "{'kind':'role','name':'old-role','body':'absent'},"
			  "{'kind':'remote','name':'a','body':{'seeds':['h:1']}},"
			  "{'kind':'user','name':'new-user','password':'pw1234','body':{'roles':['new-role']}},"
			  "{'kind':'role','name':'new-role','body':{'cluster':['monitor']}}]}",
		      "{'local':{'users':{'old-user':{'roles':[]}},'roles':{'old-role':{'cluster':[]}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(cp->requests[i].step, order[i]);
	assert_request(cp, 0, "POST", "/_security/role", "{'roles':{'new-role':{'cluster':['monitor'],"
							      "'metadata':{'managed_by':'esreconcile'}}}}");
	assert_string_equal(cp->requests[1].path, "/_security/user/new-user");
	assert_string_equal(cp->requests[3].path, "/_security/user/old-user");
	assert_request(cp, 4, "DELETE", "/_security/role", "{'names':['old-role']}");
	fixture_done(&f);
}

static void user_normalize_treats_unset_fields_alike(void **state)
{
	cJSON *a = fixture_json("{'username':'u','roles':['b','a'],'full_name':null,'email':'','metadata':{},'enabled':true}");
	cJSON *b = fixture_json("{'roles':['a','b']}");
	cJSON *na = NULL, *nb = NULL;

	(void)state;
	assert_int_equal(user_normalize(&na, a, NULL), 0);
	assert_int_equal(user_normalize(&nb, b, NULL), 0);
	assert_true(json_equal(na, nb));
	cJSON_Delete(na);
	cJSON_Delete(nb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creation_without_password_is_a_problem),
		cmocka_unit_test(creation_carries_every_field_and_a_password_slot),
		cmocka_unit_test(dangling_role_is_a_problem),
		cmocka_unit_test(matching_user_is_no_change),
		cmocka_unit_test(role_and_enabled_drift_rewrites_every_field),
		cmocka_unit_test(password_mismatch_posts_password),
		cmocka_unit_test(disabled_user_probe_proves_nothing),
		cmocka_unit_test(builtin_user_gets_only_a_password_change),
		cmocka_unit_test(prune_policies_for_users),
		cmocka_unit_test(requests_follow_design_order),
		cmocka_unit_test(user_normalize_treats_unset_fields_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
