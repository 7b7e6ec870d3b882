/* Plan output (text and JSON), the fingerprint, and redaction in both. */
#include "plan_fixture.h"

#define MIXED_DESIRED \
	"{'objects':[{'kind':'remote','name':'cluster_one','body':{'seeds':['127.0.0.1:9300']}}," \
	"{'kind':'role','name':'r','body':{'cluster':['manage_ccr','monitor']}}," \
	"{'kind':'user','name':'old','body':'absent'}," \
	"{'kind':'user','name':'u','password':'CANARY-secret-42','body':{'roles':['r']}}]}"
#define MIXED_LIVE \
	"{'local':{'roles':{'r':{'cluster':['monitor'],'metadata':{'managed_by':'esreconcile'}}}," \
	"'users':{'old':{'roles':[]},'u':{'roles':['r'],'metadata':{'managed_by':'esreconcile'},'enabled':true}}," \
	"'probes':{'u':false},'warnings':['TLS verification is disabled for cluster [local]']}}"

static char *render(const struct fixture *f, bool color)
{
	struct buf out;
	char *text;

	buf_init(&out, BUF_SMALL_MAX);
	assert_int_equal(plan_render_text(&out, f->plan, color), 0);
	text = buf_detach(&out);
	buf_dispose(&out);
	return text;
}

static void text_is_grouped_marked_and_redacted(void **state)
{
	struct fixture f = { 0 };
	char *text;

	(void)state;
	fixture_build(&f, MIXED_DESIRED, MIXED_LIVE);
	text = render(&f, false);
	assert_non_null(strstr(text, "Cluster local (8.15.0)\n"));
	assert_non_null(strstr(text, "  + remote cluster_one\n      seeds: [\"127.0.0.1:9300\"]\n"));
	assert_non_null(strstr(text, "  ~ role r\n      cluster: [\"monitor\"] \xe2\x86\x92 [\"manage_ccr\",\"monitor\"]\n"));
	assert_non_null(strstr(text, "  - user old\n"));
	assert_non_null(strstr(text, "  ~ user u\n      password: (sensitive) \xe2\x86\x92 (sensitive)\n"));
	assert_non_null(strstr(text, "  warning: TLS verification is disabled"));
	assert_non_null(strstr(text, "Plan: 1 to create, 2 to update, 1 to delete.\n"));
	assert_null(strstr(text, "CANARY"));
	assert_null(strstr(text, "\033["));
	free(text);
	text = render(&f, true);
	assert_non_null(strstr(text, "\033[32m+\033[0m remote cluster_one"));
	free(text);
	fixture_done(&f);
}

static void empty_plan_says_no_changes(void **state)
{
	struct fixture f = { 0 };
	char *text;

	(void)state;
	fixture_build(&f, "{'objects':[]}", "{'local':{}}");
	text = render(&f, false);
	assert_non_null(strstr(text, "No changes. Live state matches the desired state.\n"));
	assert_null(strstr(text, "Plan:"));
	free(text);
	fixture_done(&f);
}

static void problems_are_marked(void **state)
{
	struct fixture f = { 0 };
	char *text;

	(void)state;
	fixture_build(&f, "{'objects':[]}", "{'local':{},'down':{'error':'cluster [down] GET /: connection refused'}}");
	text = render(&f, false);
	assert_non_null(strstr(text, "Cluster down\n  ! cluster down: cluster [down] GET /: connection refused\n"));
	assert_non_null(strstr(text, "1 problem (marked !) must be fixed first.\n"));
	free(text);
	fixture_done(&f);
}

static void json_has_the_design_shape(void **state)
{
	struct fixture f = { 0 };
	cJSON *json = NULL, *local, *change;
	char *printed;
	size_t i;

	(void)state;
	fixture_build(&f, MIXED_DESIRED, MIXED_LIVE);
	assert_int_equal(plan_to_json(&json, f.plan), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "format_version")->valuestring, "1");
	assert_int_equal(strlen(cJSON_GetObjectItemCaseSensitive(json, "fingerprint")->valuestring), 64);
	local = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "clusters"), "local");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(local, "version")->valuestring, "8.15.0");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(local, "reachable")));
	change = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(local, "changes"), 0);
	assert_json(change, "{'kind':'remote','name':'cluster_one','action':'create',"
			    "'fields':[{'path':'seeds','before':null,'after':['127.0.0.1:9300']}],"
			    "'request':{'method':'PUT','path':'/_cluster/settings','body':{'persistent':{"
			    "'cluster.remote.cluster_one.seeds':['127.0.0.1:9300']}}}}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(local, "requests")), 4);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(local, "warnings")), 1);
	assert_json(cJSON_GetObjectItemCaseSensitive(json, "summary"),
		    "{'create':1,'update':2,'delete':1,'unchanged':0,'problems':0}");
	printed = cJSON_PrintUnformatted(json);
	assert_null(strstr(printed, "CANARY"));
	free(printed);
	/* and the requests themselves hold only placeholders */
	for (i = 0; i < fixture_cluster(&f, "local")->request_count; i++) {
		const struct plan_request *r = &fixture_cluster(&f, "local")->requests[i];

		assert_true(!r->body || !strstr(r->body, "CANARY"));
	}
	cJSON_Delete(json);
	fixture_done(&f);
}

static void streamed_json_equals_the_tree(void **state)
{
	struct fixture f = { 0 };
	cJSON *tree = NULL, *streamed;
	char *text = NULL, *printed;
	size_t len = 0;
	FILE *out;

	(void)state;
	fixture_build(&f, MIXED_DESIRED, MIXED_LIVE "");
	assert_int_equal(plan_to_json(&tree, f.plan), 0);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(plan_write_json(out, f.plan), 0);
	assert_int_equal(fclose(out), 0);
	streamed = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
	assert_non_null(streamed);
	assert_true(json_equal(tree, streamed));
	/* byte for byte what the whole tree prints, one change at a time */
	printed = cJSON_PrintUnformatted(tree);
	assert_int_equal(len, strlen(printed) + 1);
	assert_memory_equal(text, printed, len - 1);
	free(printed);
	assert_null(strstr(text, "CANARY"));
	cJSON_Delete(streamed);
	cJSON_Delete(tree);
	free(text);
	fixture_done(&f);
}

/* A create's fields are held once, in its request's body (issue 12), yet
 * every rendering shows them as before: text, JSON, and the password as a
 * sensitive field. */
static void create_fields_held_in_the_body_still_show(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	cJSON *json = NULL, *changes;
	char *text;
	size_t i;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'role','name':'r','body':{'cluster':['monitor'],"
			  "'metadata':{'team':'a'}}},"
			  "{'kind':'user','name':'u','password':'CANARY-secret-42','body':{'roles':['r'],"
			  "'full_name':'U'}}]}",
		      "{'local':{}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 2);
	for (i = 0; i < cp->change_count; i++) {
		assert_true(cp->changes[i].fields_in_request);
		assert_null(cp->changes[i].fields);
	}
	assert_true(plan_change_sets_password(&cp->changes[1]));
	text = render(&f, false);
	assert_non_null(strstr(text, "  + role r\n      cluster: [\"monitor\"]\n"
				     "      metadata: {\"team\":\"a\",\"managed_by\":\"esreconcile\"}\n"));
	assert_non_null(strstr(text, "  + user u\n      roles: [\"r\"]\n      full_name: \"U\"\n"));
	assert_non_null(strstr(text, "      password: (sensitive)\n"));
	assert_null(strstr(text, "CANARY"));
	free(text);
	assert_int_equal(plan_to_json(&json, f.plan), 0);
	changes = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "clusters"), "local"),
		"changes");
	assert_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(changes, 0), "fields"),
		    "[{'path':'cluster','before':null,'after':['monitor']},"
		    "{'path':'metadata','before':null,'after':{'team':'a','managed_by':'esreconcile'}}]");
	assert_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(changes, 1), "fields"),
		    "[{'path':'roles','before':null,'after':['r']},{'path':'full_name','before':null,'after':'U'},"
		    "{'path':'metadata','before':null,'after':{'managed_by':'esreconcile'}},"
		    "{'path':'enabled','before':null,'after':true},"
		    "{'path':'password','before':null,'after':'(sensitive)','sensitive':true}]");
	cJSON_Delete(json);
	fixture_done(&f);
}

static void fingerprint_ignores_order_and_connection_status(void **state)
{
	struct live_state *a = fixture_live(
		"{'x':{'roles':{'r':{'cluster':['a']},'s':{}},'remote_info':{'one':{'connected':true,'num_nodes_connected':1,'seeds':['h:1']}}},"
		"'y':{}}");
	struct live_state *b = fixture_live(
		"{'y':{},'x':{'remote_info':{'one':{'seeds':['h:1'],'connected':false,'num_nodes_connected':0}},'roles':{'s':{},'r':{'cluster':['a']}}}}");
	struct live_state *c = fixture_live(
		"{'y':{},'x':{'remote_info':{'one':{'seeds':['h:1']}},'roles':{'s':{},'r':{'cluster':['b']}}}}");
	char fa[65], fb[65], fc[65];

	(void)state;
	assert_int_equal(plan_fingerprint(fa, a), 0);
	assert_int_equal(plan_fingerprint(fb, b), 0);
	assert_int_equal(plan_fingerprint(fc, c), 0);
	assert_string_equal(fa, fb);
	assert_string_not_equal(fa, fc);
	live_state_free(a);
	live_state_free(b);
	live_state_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_grouped_marked_and_redacted),
		cmocka_unit_test(empty_plan_says_no_changes),
		cmocka_unit_test(problems_are_marked),
		cmocka_unit_test(json_has_the_design_shape),
		cmocka_unit_test(streamed_json_equals_the_tree),
		cmocka_unit_test(create_fields_held_in_the_body_still_show),
		cmocka_unit_test(fingerprint_ignores_order_and_connection_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
