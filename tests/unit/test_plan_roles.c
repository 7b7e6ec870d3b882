/* Role planning: normalisation, drift, bulk vs single requests, ownership. */
#include "plan_fixture.h"
#include "plan/match_memo.h"

/* Each pair: a declaration, and the same role as GET /_security/role renders it
 * after being written in another representation. None is a change. */
static const struct {
	const char *desired;
	const char *live;
} same_role[] = {
	{ "{'cluster':['monitor','manage_ccr']}",
	  "{'cluster':['manage_ccr','monitor'],'indices':[],'applications':[],'run_as':[],"
	  "'metadata':{'managed_by':'esreconcile'},'transient_metadata':{'enabled':true}}" },
	{ "{'indices':[{'names':'logs-*','privileges':['read','monitor']}]}",
	  "{'cluster':[],'indices':[{'names':['logs-*'],'privileges':['monitor','read'],'allow_restricted_indices':false}],"
	  "'applications':[],'run_as':[],'metadata':{'managed_by':'esreconcile'},'transient_metadata':{'enabled':true}}" },
	{ "{'indices':[{'names':['a','b'],'privileges':['READ'],'query':{'term':{'x':1}}}]}",
	  "{'indices':[{'names':['b','a'],'privileges':['read'],'query':'{\\'term\\':{\\'x\\':1}}',"
	  "'allow_restricted_indices':false}],'metadata':{'managed_by':'esreconcile'}}" },
	{ "{'indices':[{'names':['a'],'privileges':['read']},{'names':['b'],'privileges':['write']}]}",
	  "{'indices':[{'names':['b'],'privileges':['write']},{'names':['a'],'privileges':['read']}],"
	  "'metadata':{'managed_by':'esreconcile'}}" },
	{ "{'cluster':['monitor'],'description':''}", "{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}}" },
	{ "{'run_as':['b','a'],'metadata':{'team':'x'}}",
	  "{'run_as':['a','b'],'metadata':{'team':'x','managed_by':'esreconcile'}}" },
	{ "{'indices':[{'names':['a'],'privileges':['read'],'field_security':{'grant':['b','a']}}]}",
	  "{'indices':[{'names':['a'],'privileges':['read'],'field_security':{'grant':['a','b']},"
	  "'allow_restricted_indices':'false'}],'metadata':{'managed_by':'esreconcile'}}" },
	{ "{'applications':[{'application':'kibana-.kibana','privileges':['all'],'resources':['*']}]}",
	  "{'applications':[{'application':'kibana-.kibana','privileges':['all'],'resources':['*']}],"
	  "'metadata':{'managed_by':'esreconcile'},'global':{}}" },
	{ "{'remote_indices':[{'clusters':['one','two'],'names':'x','privileges':['read']}]}",
	  "{'remote_indices':[{'clusters':['two','one'],'names':['x'],'privileges':['read'],"
	  "'allow_restricted_indices':false}],'metadata':{'managed_by':'esreconcile'}}" },
};

static void equal_representations_are_no_change(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same_role) / sizeof(same_role[0]); i++) {
		struct fixture f = { 0 };
		char *desired = fixture_format("{'objects':[{'kind':'role','name':'r','body':%s}]}", same_role[i].desired);
		char *live = fixture_format("{'local':{'roles':{'r':%s}}}", same_role[i].live);

		fixture_build(&f, desired, live);
		if (!plan_is_empty(f.plan)) {
			fixture_dump(&f);
			fail_msg("case %zu is not a no-op", i);
		}
		fixture_done(&f);
		free(desired);
		free(live);
	}
}

#define EDITED_LIVE \
	"{'local':{'version':'%s','roles':{'r':{'cluster':['monitor'],'indices':[{'names':['a']," \
	"'privileges':['read','write'],'allow_restricted_indices':false}],'applications':[],'run_as':[]," \
	"'metadata':{'managed_by':'esreconcile'},'transient_metadata':{'enabled':true}}," \
	"'old':{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}}}}}"
static const char *const edited_desired =
	"{'objects':[{'kind':'role','name':'r','body':{'cluster':['monitor'],'indices':[{'names':['a'],"
	"'privileges':['read']}]}},{'kind':'role','name':'new','body':{'cluster':['read_ccr']}},"
	"{'kind':'role','name':'old','body':'absent'}]}";

/* One role declared alike on several clusters: a live role that matched on
 * one cluster is known to on another as it is, a role that differs only in
 * what normalising removes still matches, and the drift of one cluster never
 * shows on another. */
#define SHARED_ROLE "{'cluster':['monitor'],'indices':[{'names':['b','a'],'privileges':['read']}]}"
#define SHARED_LIVE                                                                                   \
	"{'cluster':['monitor'],'indices':[{'names':['a','b'],'privileges':['read'],"               \
	"'allow_restricted_indices':false}],'run_as':[],'metadata':{'managed_by':'esreconcile'},"   \
	"'transient_metadata':{'enabled':true}}"
static void a_match_on_one_cluster_serves_the_others(void **state)
{
	struct fixture f = { 0 };
	struct match_memo *memo = NULL;
	const struct cluster_plan *two;
	cJSON *live;
	size_t i;
	bool same;

	(void)state;
	fixture_build(&f,
		      "{'objects':[{'kind':'role','cluster':'one','name':'r','body':" SHARED_ROLE "},"
		      "{'kind':'role','cluster':'two','name':'r','body':" SHARED_ROLE "},"
		      "{'kind':'role','cluster':'three','name':'r','body':" SHARED_ROLE "},"
		      "{'kind':'role','cluster':'four','name':'r','body':" SHARED_ROLE "},"
		      "{'kind':'role','cluster':'two','name':'gone','body':'absent'},"
		      "{'kind':'remote','cluster':'two','name':'x','body':{'mode':'proxy','proxy_address':'h:9300'}}]}",
		      "{'one':{'roles':{'r':" SHARED_LIVE "}},'three':{'roles':{'r':" SHARED_LIVE "}},"
		      "'two':{'roles':{'r':{'cluster':['monitor','manage'],'indices':[{'names':['a','b'],"
		      "'privileges':['read']}],'metadata':{'managed_by':'esreconcile'}}}},"
		      "'four':{'roles':{'r':{'cluster':['monitor'],'indices':[{'names':['b','a'],"
		      "'privileges':['READ']}],'metadata':{'managed_by':'esreconcile'}}}}}");
	assert_int_equal(fixture_cluster(&f, "one")->change_count, 0);
	assert_int_equal(fixture_cluster(&f, "three")->change_count, 0);
	assert_int_equal(fixture_cluster(&f, "four")->change_count, 0);
	two = fixture_cluster(&f, "two");
	assert_int_equal(two->change_count, 2); /* the role's update and the remote's creation */
	for (i = 0; i < two->change_count && two->changes[i].kind != RESOURCE_ROLE; i++)
		;
	assert_true(i < two->change_count);
	assert_int_equal(two->changes[i].action, ACTION_UPDATE);
	assert_int_equal(two->changes[i].field_count, 1);
	assert_string_equal(two->changes[i].fields[0].path, "cluster");

	assert_ptr_equal(f.desired->objects[0].body, f.desired->objects[1].body);
	assert_int_equal(match_memo_new(&memo, f.desired), 0);
	/* unknown until learnt, then known on every cluster declaring the same
	 * body; a live role like it but for a key that counts is not known */
	live = fixture_json(SHARED_LIVE);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[1], live), 0);
	assert_false(same);
	assert_int_equal(match_memo_learn(memo, &f.desired->objects[0], live), 0);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[0], live), 0);
	assert_true(same);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[1], live), 0);
	assert_true(same);
	assert_non_null(cJSON_AddStringToObject(live, "description", "not declared"));
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[1], live), 0);
	assert_false(same);
	/* an absent role and a remote (whose normalising reads the cluster) are never held */
	assert_int_equal(match_memo_learn(memo, &f.desired->objects[4], live), 0);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[4], live), 0);
	assert_false(same);
	assert_int_equal(match_memo_learn(memo, &f.desired->objects[5], live), 0);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[5], live), 0);
	assert_false(same);
	cJSON_Delete(live);
	match_memo_free(memo);
	fixture_done(&f);
}

/* A live role too big to print on the stack is learnt and known the same way. */
static void a_big_match_is_kept_too(void **state)
{
	struct fixture f = { 0 };
	struct match_memo *memo = NULL;
	struct buf names;
	char *desired, *live_text, *printed;
	cJSON *live;
	bool same;
	int i;

	(void)state;
	buf_init(&names, BUF_SMALL_MAX);
	for (i = 0; i < 400; i++)
		assert_int_equal(buf_printf(&names, "%s'index-%04d'", i ? "," : "", i), 0);
	desired = fixture_format("{'objects':[{'kind':'role','cluster':'one','name':'r','body':{'indices':"
				 "[{'names':[%s],'privileges':['read']}]}},{'kind':'role','cluster':'two',"
				 "'name':'r','body':{'indices':[{'names':[%s],'privileges':['read']}]}}]}",
				 names.data, names.data);
	live_text = fixture_format("{'indices':[{'names':[%s],'privileges':['read']}],"
				   "'metadata':{'managed_by':'esreconcile'}}", names.data);
	fixture_build(&f, desired, "{}");
	live = fixture_json(live_text);
	printed = cJSON_PrintUnformatted(live);
	assert_non_null(printed);
	assert_true(strlen(printed) > 4096); /* more than match_memo prints on its stack */
	free(printed);
	assert_int_equal(match_memo_new(&memo, f.desired), 0);
	assert_int_equal(match_memo_learn(memo, &f.desired->objects[0], live), 0);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[1], live), 0);
	assert_true(same);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
					  cJSON_GetObjectItemCaseSensitive(live, "indices"), 0), "names"), 0);
	assert_int_equal(match_memo_known(&same, memo, &f.desired->objects[1], live), 0);
	assert_false(same);
	cJSON_Delete(live);
	match_memo_free(memo);
	fixture_done(&f);
	free(desired);
	free(live_text);
	buf_dispose(&names);
}

/* json_equal, which every diff relies on, says what cJSON_Compare says in
 * one pass over each side: key order, array order, types, numbers within
 * rounding, repeated keys. */
static void json_equal_agrees_with_cjson(void **state)
{
	static const char *const texts[] = {
		"{'a':1,'b':[1,2],'c':{'d':{'e':'x'}}}", "{'c':{'d':{'e':'x'}},'b':[1,2],'a':1}",
		"{'a':1,'b':[2,1],'c':{'d':{'e':'x'}}}", "{'a':1,'b':[1,2],'c':{'d':{'e':'y'}}}",
		"{'a':1,'b':[1,2]}", "{'a':1,'b':[1,2],'c':{'d':{'e':'x'}},'f':null}",
		"{'a':1.0000000000000002,'b':[1,2],'c':{'d':{'e':'x'}}}", "{'a':'1','b':[1,2],'c':{'d':{'e':'x'}}}",
		"{'k':1,'k':2}", "{'k':1}", "{'k':2,'k':1}", "{'k':1,'j':2}", "{'k':1,'k':1}",
		"[]", "[{}]", "[{},{}]", "{}", "[null,true,false]", "[null,true,true]", "'s'", "'t'", "0", "-0",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cJSON *a = fixture_json(texts[i]);

		for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
			cJSON *b = fixture_json(texts[j]);

			if (json_equal(a, b) != (bool)cJSON_Compare(a, b, 1))
				fail_msg("json_equal(%s, %s) is %d", texts[i], texts[j], json_equal(a, b));
			cJSON_Delete(b);
		}
		assert_false(json_equal(a, NULL));
		cJSON_Delete(a);
	}
	assert_true(json_equal(NULL, NULL));
}

static void edited_privilege_is_drift_bulk_on_815(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	char *live = fixture_format(EDITED_LIVE, "8.15.0");

	(void)state;
	fixture_build(&f, edited_desired, live);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 3);
	assert_int_equal(cp->changes[0].action, ACTION_UPDATE);
	assert_int_equal(cp->changes[0].field_count, 1);
	assert_string_equal(cp->changes[0].fields[0].path, "indices");
	assert_int_equal(cp->changes[1].action, ACTION_CREATE);
	assert_int_equal(cp->changes[2].action, ACTION_DELETE);
	assert_int_equal(cp->request_count, 2);
	assert_request(cp, 0, "POST", "/_security/role",
		       "{'roles':{'r':{'cluster':['monitor'],'indices':[{'names':['a'],'privileges':['read']}],"
		       "'metadata':{'managed_by':'esreconcile'}},"
		       "'new':{'cluster':['read_ccr'],'metadata':{'managed_by':'esreconcile'}}}}");
	assert_request(cp, 1, "DELETE", "/_security/role", "{'names':['old']}");
	assert_int_equal(cp->requests[0].step, STEP_ROLES_WRITE);
	assert_int_equal(cp->requests[1].step, STEP_ROLES_DELETE);
	assert_change_request(&f, "local", 1,
		    "{'method':'POST','path':'/_security/role','body':{'roles':{'new':{'cluster':['read_ccr'],"
		    "'metadata':{'managed_by':'esreconcile'}}}}}");
	fixture_done(&f);
	free(live);
}

/* A bulk write stays within what Elasticsearch takes in one request
 * (roles_bulk_max, lowered here): the role that would take it past goes into
 * a second bulk write, and each change points at the write that holds it. */
static void a_bulk_write_past_its_limit_is_split(void **state)
{
	static const char first[] = "{\"roles\":{\"r\":{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":[\"a\"],"
				    "\"privileges\":[\"read\"]}],\"metadata\":{\"managed_by\":\"esreconcile\"}}}}";
	const size_t saved = roles_bulk_max;
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	char *live = fixture_format(EDITED_LIVE, "8.15.0");
	size_t i;

	(void)state;
	roles_bulk_max = strlen(first); /* r fits exactly, r and new do not */
	fixture_build(&f, edited_desired, live);
	roles_bulk_max = saved;
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 3);
	assert_string_equal(cp->requests[0].body, first);
	assert_request(cp, 1, "POST", "/_security/role",
		       "{'roles':{'new':{'cluster':['read_ccr'],'metadata':{'managed_by':'esreconcile'}}}}");
	assert_request(cp, 2, "DELETE", "/_security/role", "{'names':['old']}");
	for (i = 0; i < 2; i++) {
		assert_int_equal(cp->requests[i].step, STEP_ROLES_WRITE);
		assert_int_equal(cp->requests[i].change_count, 1);
		assert_int_equal(cp->requests[i].changes[0], i);
	}
	assert_change_request(&f, "local", 1,
		    "{'method':'POST','path':'/_security/role','body':{'roles':{'new':{'cluster':['read_ccr'],"
		    "'metadata':{'managed_by':'esreconcile'}}}}}");
	fixture_done(&f);

	/* with room for both, one write */
	roles_bulk_max = strlen(first) + 100;
	fixture_build(&f, edited_desired, live);
	roles_bulk_max = saved;
	assert_int_equal(fixture_cluster(&f, "local")->request_count, 2);
	fixture_done(&f);
	free(live);
}

static void single_requests_before_815(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	char *live = fixture_format(EDITED_LIVE, "8.14.3");

	(void)state;
	fixture_build(&f, edited_desired, live);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 3);
	assert_request(cp, 0, "PUT", "/_security/role/r",
		       "{'cluster':['monitor'],'indices':[{'names':['a'],'privileges':['read']}],"
		       "'metadata':{'managed_by':'esreconcile'}}");
	assert_request(cp, 1, "PUT", "/_security/role/new",
		       "{'cluster':['read_ccr'],'metadata':{'managed_by':'esreconcile'}}");
	assert_request(cp, 2, "DELETE", "/_security/role/old", NULL);
	fixture_done(&f);
	free(live);
}

static void losing_metadata_keys_needs_single_put(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'role','name':'r','body':{'cluster':['monitor']}},"
			  "{'kind':'role','name':'s','body':{'cluster':['monitor','manage']}}]}",
		      "{'local':{'roles':{'r':{'cluster':['monitor'],'metadata':{'team':'x','managed_by':'esreconcile'}},"
		      "'s':{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->request_count, 2);
	assert_request(cp, 0, "PUT", "/_security/role/r", "{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}}");
	assert_request(cp, 1, "POST", "/_security/role",
		       "{'roles':{'s':{'cluster':['monitor','manage'],'metadata':{'managed_by':'esreconcile'}}}}");
	fixture_done(&f);
}

static const char *const prune_live =
	"{'local':{'roles':{'mine':{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}},"
	"'theirs':{'cluster':['monitor'],'metadata':{}},"
	"'superuser':{'cluster':['all'],'metadata':{'_reserved':true}}}}}";

static void prune_policies_spare_reserved(void **state)
{
	static const struct {
		const char *policy;
		const char *names;
	} cases[] = {
		{ "none", NULL },
		{ "managed", "{'names':['mine']}" },
		{ "all", "{'names':['mine','theirs']}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fixture f = { 0 };
		char *desired = fixture_format("{'policy':{'prune':{'roles':'%s'}},'objects':[]}", cases[i].policy);

		fixture_build(&f, desired, prune_live);
		if (!cases[i].names)
			assert_true(plan_is_empty(f.plan));
		else
			assert_request(fixture_cluster(&f, "local"), 0, "DELETE", "/_security/role", cases[i].names);
		fixture_done(&f);
		free(desired);
	}
}

/* A server that forgets metadata._reserved still never gets a reserved role
 * deleted: the names are known. */
static void reserved_names_are_never_pruned(void **state)
{
	struct fixture f = { 0 };

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'roles':'all'}},'objects':[]}",
		      "{'local':{'roles':{'superuser':{'cluster':['all']},'kibana_system':{'cluster':['monitor'],"
		      "'metadata':{'managed_by':'esreconcile'}},'theirs':{'cluster':['monitor']}}}}");
	assert_request(fixture_cluster(&f, "local"), 0, "DELETE", "/_security/role", "{'names':['theirs']}");
	assert_int_equal(fixture_cluster(&f, "local")->change_count, 1);
	fixture_done(&f);
}

/* An answer that names a role twice: planning either copy could write the
 * declared role and then delete it, so the kind is a problem on that cluster. */
static void duplicate_names_in_an_answer_are_a_problem(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'roles':'all'}},'objects':[{'kind':'role','name':'r','body':"
			  "{'cluster':['monitor']}}]}",
		      "{'local':{'roles':{'r':{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}},"
		      "'r':{'cluster':['all']}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_string_equal(cp->changes[0].name, "r");
	assert_non_null(strstr(cp->changes[0].problem, "twice"));
	assert_int_equal(cp->request_count, 0);
	fixture_done(&f);
}

static void declared_reserved_role_is_a_problem(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'roles':'none'}},'objects':[{'kind':'role','name':'superuser','body':'absent'}]}", prune_live);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_int_equal(cp->request_count, 0);
	fixture_done(&f);
}

static void sensitive_role_value_is_redacted(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	cJSON *sent = NULL, *json = NULL;
	struct buf text;
	char *printed;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'role','name':'r.dotted','sensitive':['indices.0.query'],"
			  "'body':{'indices':[{'names':['a'],'privileges':['read'],'query':'CANARY-7f3a'}]}}]}",
		      "{'local':{}}");
	cp = fixture_cluster(&f, "local");
	assert_request(cp, 0, "POST", "/_security/role",
		       "{'roles':{'r.dotted':{'indices':[{'names':['a'],'privileges':['read'],'query':'(sensitive)'}],"
		       "'metadata':{'managed_by':'esreconcile'}}}}");
	assert_int_equal(cp->requests[0].slot_count, 1);
	assert_int_equal(plan_request_body_with_secrets(&sent, &cp->requests[0]), 0);
	assert_json(sent, "{'roles':{'r.dotted':{'indices':[{'names':['a'],'privileges':['read'],'query':'CANARY-7f3a'}],"
			  "'metadata':{'managed_by':'esreconcile'}}}}");
	cJSON_Delete(sent);
	/* only the secret inside the field is hidden, in text and JSON */
	buf_init(&text, BUF_SMALL_MAX);
	assert_int_equal(plan_render_text(&text, f.plan, false), 0);
	assert_null(strstr(text.data, "CANARY"));
	assert_non_null(strstr(text.data, "\"query\":\"(sensitive)\""));
	assert_non_null(strstr(text.data, "\"names\":[\"a\"]"));
	buf_dispose(&text);
	assert_int_equal(plan_to_json(&json, f.plan), 0);
	printed = cJSON_PrintUnformatted(json);
	assert_null(strstr(printed, "CANARY"));
	free(printed);
	cJSON_Delete(json);
	fixture_done(&f);
}

/* A role the cluster's version could not take is a problem naming the version
 * and what it lacks; the cluster's other roles are still planned. */
static void version_unknown_names_are_a_problem(void **state)
{
	static const struct {
		const char *version;
		const char *problem; /* NULL: the role is created */
	} cases[] = {
		{ "8.14.3", "role [r] uses what Elasticsearch 8.14.3 does not know: the cluster privilege "
			    "[monitor_stats] (8.17+), the role field [description] (8.15+), the role field "
			    "[remote_cluster] (8.15+); leave them out of the role on this cluster, or upgrade "
			    "the cluster" },
		{ "8.16.2", "role [r] uses what Elasticsearch 8.16.2 does not know: the cluster privilege "
			    "[monitor_stats] (8.17+), the remote_cluster privilege [monitor_stats] (8.17+); "
			    "leave them out of the role on this cluster, or upgrade the cluster" },
		{ "8.17.0", NULL },
		{ "9.0.0", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture f = { 0 };
		const struct cluster_plan *cp;
		char *live = fixture_format("{'local':{'version':'%s'}}", cases[i].version);

		fixture_build(&f, "{'objects':[{'kind':'role','name':'r','body':{'cluster':['monitor','monitor_stats'],"
				  "'description':'d','remote_cluster':[{'privileges':['monitor_stats'],'clusters':['a']}]}},"
				  "{'kind':'role','name':'s','body':{'cluster':['monitor']}}]}",
			      live);
		cp = fixture_cluster(&f, "local");
		assert_int_equal(cp->change_count, 2);
		if (cases[i].problem) {
			assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
			assert_string_equal(cp->changes[0].problem, cases[i].problem);
			assert_int_equal(cp->request_count, 1);
		} else {
			assert_int_equal(cp->changes[0].action, ACTION_CREATE);
		}
		assert_int_equal(cp->changes[1].action, ACTION_CREATE);
		fixture_done(&f);
		free(live);
	}
}

static void role_normalize_drops_get_defaults(void **state)
{
	cJSON *in = fixture_json("{'cluster':['B','a'],'indices':[],'applications':[],'run_as':[],'metadata':{},"
				 "'transient_metadata':{'enabled':true},'description':''}");
	cJSON *out = NULL;

	(void)state;
	assert_int_equal(role_normalize(&out, in, NULL), 0);
	assert_json(out, "{'cluster':['a','b']}");
	cJSON_Delete(out);
	cJSON_Delete(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_representations_are_no_change),
		cmocka_unit_test(a_match_on_one_cluster_serves_the_others),
		cmocka_unit_test(a_big_match_is_kept_too),
		cmocka_unit_test(json_equal_agrees_with_cjson),
		cmocka_unit_test(edited_privilege_is_drift_bulk_on_815),
		cmocka_unit_test(a_bulk_write_past_its_limit_is_split),
		cmocka_unit_test(single_requests_before_815),
		cmocka_unit_test(losing_metadata_keys_needs_single_put),
		cmocka_unit_test(prune_policies_spare_reserved),
		cmocka_unit_test(reserved_names_are_never_pruned),
		cmocka_unit_test(duplicate_names_in_an_answer_are_a_problem),
		cmocka_unit_test(declared_reserved_role_is_a_problem),
		cmocka_unit_test(sensitive_role_value_is_redacted),
		cmocka_unit_test(version_unknown_names_are_a_problem),
		cmocka_unit_test(role_normalize_drops_get_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
