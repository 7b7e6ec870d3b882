/* Remote planning: normalisation, drift, the settings PUT and the ledger. */
#include "plan_fixture.h"

/* The number of the request's ledger edits that add (or remove). */
static size_t ledger_edits(const struct plan_request *r, bool add)
{
	size_t i, n = 0;

	for (i = 0; i < r->ledger_edit_count; i++)
		n += r->ledger_edits[i].add == add;
	return n;
}

#define EMPTY_LIVE "{'local':{}}"

static void creates_three_remotes_in_one_put(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f,
		      "{'objects':["
		      "{'kind':'remote','name':'cluster_one','body':{'mode':'sniff','seeds':['127.0.0.1:9300'],"
		      "'skip_unavailable':true,'transport.compress':true,'transport.ping_schedule':'30s'}},"
		      "{'kind':'remote','name':'cluster_two','body':{'seeds':['127.0.0.1:9301'],'node_connections':'5'}},"
		      "{'kind':'remote','name':'cluster_three','body':{'mode':'proxy','proxy_address':'127.0.0.1:9302',"
		      "'server_name':'es-three.example','skip_unavailable':'false'}}]}",
		      EMPTY_LIVE);
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 3);
	assert_int_equal(f.plan->summary.create, 3);
	assert_int_equal(cp->request_count, 1);
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.cluster_one.mode':'sniff',"
		       "'cluster.remote.cluster_one.seeds':['127.0.0.1:9300'],"
		       "'cluster.remote.cluster_one.skip_unavailable':true,"
		       "'cluster.remote.cluster_one.transport.compress':true,"
		       "'cluster.remote.cluster_one.transport.ping_schedule':'30s',"
		       "'cluster.remote.cluster_two.seeds':['127.0.0.1:9301'],"
		       "'cluster.remote.cluster_two.node_connections':5,"
		       "'cluster.remote.cluster_three.mode':'proxy',"
		       "'cluster.remote.cluster_three.proxy_address':'127.0.0.1:9302',"
		       "'cluster.remote.cluster_three.server_name':'es-three.example',"
		       "'cluster.remote.cluster_three.skip_unavailable':false,"
		       "'cluster.metadata.esreconcile.remotes':'cluster_one,cluster_three,cluster_two'}}");
	assert_int_equal(ledger_edits(&cp->requests[0], true), 3);
	assert_int_equal(ledger_edits(&cp->requests[0], false), 0);
	assert_int_equal(cp->requests[0].change_count, 3);
	assert_change_request(&f, "local", 1,
		    "{'method':'PUT','path':'/_cluster/settings','body':{'persistent':{"
		    "'cluster.remote.cluster_two.seeds':['127.0.0.1:9301'],"
		    "'cluster.remote.cluster_two.node_connections':5}}}");
	fixture_done(&f);
}

/* Each pair: the declaration, and the live persistent settings of alias `a`
 * written in another representation Elasticsearch accepts. None is a change. */
static const struct {
	const char *desired;
	const char *live;
} same_remote[] = {
	{ "{'seeds':['h:1'],'skip_unavailable':true}", "{'seeds':['h:1'],'skip_unavailable':'true'}" },
	{ "{'seeds':['h:1'],'transport.ping_schedule':'1m'}", "{'seeds':['h:1'],'transport.ping_schedule':'60s'}" },
	{ "{'mode':'proxy','proxy_address':'h:1'}", "{'mode':'PROXY','proxy_address':'h:1'}" },
	{ "{'seeds':['h:1'],'node_connections':5}", "{'seeds':['h:1'],'node_connections':'5'}" },
	{ "{'seeds':['h:1','h:2']}", "{'seeds':['h:2','h:1']}" },
	{ "{'seeds':['h:1','h:2']}", "{'seeds':'h:1,h:2'}" },
	{ "{'seeds':['h:1'],'node_connections':3}", "{'seeds':['h:1']}" },
	{ "{'seeds':['h:1']}", "{'seeds':['h:1'],'node_connections':'3','mode':'sniff'}" },
	{ "{'seeds':['h:1']}", "{'seeds':['h:1'],'skip_unavailable':'true'}" },
	{ "{'seeds':['h:1'],'transport.compress':true}", "{'seeds':['h:1'],'transport.compress':'TRUE'}" },
	{ "{'seeds':['h:1'],'transport.compress':'indexing_data'}", "{'seeds':['h:1']}" },
	{ "{'mode':'proxy','proxy_address':'h:1','proxy_socket_connections':18}",
	  "{'mode':'proxy','proxy_address':'h:1','server_name':''}" },
	{ "{'seeds':['h:1'],'transport.ping_schedule':'-1'}", "{'seeds':['h:1']}" },
	{ "{'seeds':['h:1'],'transport.compression_scheme':'LZ4'}", "{'seeds':['h:1']}" },
};

static char *live_with_alias(const char *settings, const char *version, const char *scope)
{
	cJSON *flat = fixture_json(settings), *item;
	struct buf out;
	char *text;

	buf_init(&out, BUF_SMALL_MAX);
	assert_int_equal(buf_printf(&out, "{'local':{'version':'%s','settings':{'%s':{", version, scope), 0);
	cJSON_ArrayForEach(item, flat) {
		char *value = cJSON_PrintUnformatted(item), *p;

		for (p = value; *p; p++)
			if (*p == '"')
				*p = '\'';
		assert_int_equal(buf_printf(&out, "'cluster.remote.a.%s':%s,", item->string, value), 0);
		free(value);
	}
	assert_int_equal(buf_puts(&out, "'cluster.metadata.esreconcile.remotes':'a'}}}}"), 0);
	text = buf_detach(&out);
	buf_dispose(&out);
	cJSON_Delete(flat);
	return text;
}

static char *desired_alias(const char *body)
{
	return fixture_format("{'objects':[{'kind':'remote','name':'a','body':%s}]}", body);
}

static void equal_representations_are_no_change(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same_remote) / sizeof(same_remote[0]); i++) {
		struct fixture f = { 0 };
		char *desired = desired_alias(same_remote[i].desired);
		char *live = live_with_alias(same_remote[i].live, "8.15.0", "persistent");

		fixture_build(&f, desired, live);
		if (!plan_is_empty(f.plan)) {
			fixture_dump(&f);
			fail_msg("case %zu: %s vs %s is not a no-op", i, same_remote[i].desired, same_remote[i].live);
		}
		assert_int_equal(f.plan->summary.unchanged, 1);
		fixture_done(&f);
		free(desired);
		free(live);
	}
}

/* Drift: the declaration, the live settings, the fields that change and the body. */
static const struct {
	const char *desired;
	const char *live;
	const char *fields;
	const char *persistent;
} drift[] = {
	/* a key changed out of band */
	{ "{'seeds':['h:1'],'skip_unavailable':true}", "{'seeds':['h:1'],'skip_unavailable':'false'}",
	  "[{'path':'skip_unavailable','before':'false','after':true}]",
	  "{'cluster.remote.a.skip_unavailable':true}" },
	/* a key added out of band, not the default: removed */
	{ "{'seeds':['h:1']}", "{'seeds':['h:1'],'node_connections':'5'}",
	  "[{'path':'node_connections','before':'5','after':null}]",
	  "{'cluster.remote.a.node_connections':null}" },
	/* compression and ping schedule updated */
	{ "{'seeds':['h:1'],'transport.compress':true,'transport.ping_schedule':'30s'}",
	  "{'seeds':['h:1'],'transport.compress':'false','transport.ping_schedule':'60s'}",
	  "[{'path':'transport.compress','before':'false','after':true},"
	  "{'path':'transport.ping_schedule','before':'60s','after':'30s'}]",
	  "{'cluster.remote.a.transport.compress':true,'cluster.remote.a.transport.ping_schedule':'30s'}" },
	/* sniff to proxy: the sniff keys nulled in the same request */
	{ "{'mode':'proxy','proxy_address':'h:9'}", "{'mode':'sniff','seeds':['h:1'],'node_connections':'3'}",
	  "[{'path':'mode','before':'sniff','after':'proxy'},{'path':'node_connections','before':'3','after':null},"
	  "{'path':'proxy_address','before':null,'after':'h:9'},{'path':'seeds','before':['h:1'],'after':null}]",
	  "{'cluster.remote.a.mode':'proxy','cluster.remote.a.proxy_address':'h:9',"
	  "'cluster.remote.a.seeds':null,'cluster.remote.a.node_connections':null}" },
	/* proxy to sniff */
	{ "{'seeds':['h:1']}", "{'mode':'proxy','proxy_address':'h:9','server_name':'x'}",
	  "[{'path':'mode','before':'proxy','after':null},{'path':'proxy_address','before':'h:9','after':null},"
	  "{'path':'seeds','before':null,'after':['h:1']},{'path':'server_name','before':'x','after':null}]",
	  "{'cluster.remote.a.mode':null,'cluster.remote.a.proxy_address':null,'cluster.remote.a.seeds':['h:1'],"
	  "'cluster.remote.a.server_name':null,'cluster.remote.a.proxy_socket_connections':null}" },
};

static void drift_shows_and_is_corrected(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(drift) / sizeof(drift[0]); i++) {
		struct fixture f = { 0 };
		char *desired = desired_alias(drift[i].desired);
		char *live = live_with_alias(drift[i].live, "8.15.0", "persistent");
		const struct cluster_plan *cp;
		cJSON *fields = cJSON_CreateArray();
		struct buf body;
		size_t j;

		fixture_build(&f, desired, live);
		cp = fixture_cluster(&f, "local");
		if (cp->change_count != 1)
			fixture_dump(&f);
		assert_int_equal(cp->change_count, 1);
		assert_int_equal(cp->changes[0].action, ACTION_UPDATE);
		for (j = 0; j < cp->changes[0].field_count; j++) {
			const struct field_change *fc = &cp->changes[0].fields[j];
			cJSON *obj = cJSON_CreateObject();

			cJSON_AddStringToObject(obj, "path", fc->path);
			cJSON_AddItemToObject(obj, "before", fc->before ? cJSON_Parse(fc->before) : cJSON_CreateNull());
			cJSON_AddItemToObject(obj, "after", fc->after ? cJSON_Parse(fc->after) : cJSON_CreateNull());
			cJSON_AddItemToArray(fields, obj);
		}
		assert_json(fields, drift[i].fields);
		buf_init(&body, BUF_SMALL_MAX);
		assert_int_equal(buf_printf(&body, "{'persistent':%s}", drift[i].persistent), 0);
		assert_request(cp, 0, "PUT", "/_cluster/settings", body.data);
		buf_dispose(&body);
		cJSON_Delete(fields);
		fixture_done(&f);
		free(desired);
		free(live);
	}
}

static void absent_deletes_with_wildcard_and_updates_ledger(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'cluster_two','body':'absent'},"
			  "{'kind':'remote','name':'cluster_one','body':{'seeds':['127.0.0.1:9300']}},"
			  "{'kind':'remote','name':'gone','body':'absent'}]}",
		      "{'local':{'settings':{'persistent':{'cluster.remote.cluster_two.seeds':['127.0.0.1:9301'],"
		      "'cluster.remote.cluster_one.seeds':['127.0.0.1:9300'],"
		      "'cluster.metadata.esreconcile.remotes':'cluster_one,cluster_two'},'transient':{}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_DELETE);
	assert_int_equal(f.plan->summary.unchanged, 2); /* cluster_one, and gone: absent already */
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.cluster_two.*':null,"
		       "'cluster.metadata.esreconcile.remotes':'cluster_one'}}");
	assert_change_request(&f, "local", 0,
		    "{'method':'PUT','path':'/_cluster/settings','body':{'persistent':{'cluster.remote.cluster_two.*':null}}}");
	assert_int_equal(ledger_edits(&cp->requests[0], false), 1);
	assert_int_equal(cp->requests[0].ledger_edit_count, 1);
	assert_string_equal(cp->requests[0].ledger_edits[0].alias, "cluster_two");
	assert_false(cp->requests[0].ledger_edits[0].add);
	assert_string_equal(cp->changes[0].fields[0].path, "seeds");
	assert_string_equal(cp->changes[0].fields[0].before, "[\"127.0.0.1:9301\"]");
	assert_null(cp->changes[0].fields[0].after);
	fixture_done(&f);
}

/* A ledger of another type is unreadable: the remotes of that cluster are a
 * problem, and nothing is planned that would write the ledger; roles still are. */
static void unreadable_ledger_is_a_problem(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'cluster_one','body':{'seeds':['127.0.0.1:9300']}},"
			  "{'kind':'role','name':'r','body':{'cluster':['monitor']}}]}",
		      "{'local':{'settings':{'persistent':{'cluster.remote.gone.seeds':['127.0.0.1:9301'],"
		      "'cluster.metadata.esreconcile.remotes':[['gone']]},'transient':{}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 2);
	assert_int_equal(cp->changes[0].kind, RESOURCE_REMOTE);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_non_null(strstr(cp->changes[0].problem, "cluster.metadata.esreconcile.remotes"));
	assert_int_equal(cp->changes[1].kind, RESOURCE_ROLE);
	assert_int_equal(cp->request_count, 1);
	assert_string_equal(cp->requests[0].path, "/_security/role");
	fixture_done(&f);
}

static void transient_remote_moves_to_persistent(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'a','body':{'seeds':['h:1'],'skip_unavailable':true}}]}",
		      "{'local':{'settings':{'persistent':{'cluster.metadata.esreconcile.remotes':'a'},"
		      "'transient':{'cluster.remote.a.seeds':['h:1'],'cluster.remote.a.skip_unavailable':'true'}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_UPDATE);
	assert_string_equal(cp->changes[0].fields[0].path, "scope");
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.a.seeds':['h:1'],'cluster.remote.a.skip_unavailable':true},"
		       "'transient':{'cluster.remote.a.*':null}}");
	assert_int_equal(cp->warning_count, 1);
	fixture_done(&f);
}

static void static_remote_is_a_problem_and_never_pruned(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'policy':{'prune':{'remotes':'all'}},'objects':["
			  "{'kind':'remote','name':'yml_one','body':{'seeds':['h:1']}}]}",
		      "{'local':{'remote_info':{'yml_one':{'connected':true,'mode':'sniff','seeds':['h:1']},"
		      "'yml_two':{'connected':true,'mode':'sniff','seeds':['h:2']}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_string_equal(cp->changes[0].name, "yml_one");
	assert_non_null(strstr(cp->changes[0].problem, "defined in elasticsearch.yml; esreconcile cannot change it"));
	assert_int_equal(cp->request_count, 0);
	assert_int_equal(f.plan->summary.problems, 1);
	fixture_done(&f);
}

static const char *const prune_live =
	"{'local':{'settings':{'persistent':{'cluster.remote.mine.seeds':['h:1'],"
	"'cluster.remote.theirs.seeds':['h:2'],'cluster.metadata.esreconcile.remotes':'mine'},"
	"'transient':{'cluster.remote.temp.seeds':['h:3']}},"
	"'remote_info':{'mine':{},'theirs':{},'temp':{},'yml':{}}}}";

static void prune_policies(void **state)
{
	static const struct {
		const char *policy;
		const char *body;
	} cases[] = {
		{ "none", NULL },
		{ "managed", "{'persistent':{'cluster.remote.mine.*':null,'cluster.metadata.esreconcile.remotes':null}}" },
		{ "all", "{'persistent':{'cluster.remote.mine.*':null,'cluster.remote.theirs.*':null,"
			 "'cluster.metadata.esreconcile.remotes':null},'transient':{'cluster.remote.temp.*':null}}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct fixture f = { 0 };
		char desired[128];
		const struct cluster_plan *cp;

		snprintf(desired, sizeof(desired), "{'policy':{'prune':{'remotes':'%s'}},'objects':[]}", cases[i].policy);
		fixture_build(&f, desired, prune_live);
		cp = fixture_cluster(&f, "local");
		if (!cases[i].body) {
			assert_true(plan_is_empty(f.plan));
		} else {
			assert_int_equal(cp->request_count, 1);
			assert_request(cp, 0, "PUT", "/_cluster/settings", cases[i].body);
		}
		fixture_done(&f);
	}
}

static void skip_unavailable_default_depends_on_version(void **state)
{
	struct fixture f = { 0 };
	char *desired = desired_alias("{'seeds':['h:1'],'skip_unavailable':false}");
	char *live814 = live_with_alias("{'seeds':['h:1']}", "8.14.3", "persistent");
	char *live815 = live_with_alias("{'seeds':['h:1']}", "8.15.0", "persistent");

	(void)state;
	fixture_build(&f, desired, live814);
	assert_true(plan_is_empty(f.plan));
	fixture_done(&f);
	memset(&f, 0, sizeof(f));
	fixture_build(&f, desired, live815);
	assert_false(plan_is_empty(f.plan));
	assert_request(fixture_cluster(&f, "local"), 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.a.skip_unavailable':false}}");
	fixture_done(&f);
	free(desired);
	free(live814);
	free(live815);
}

static void seeds_come_from_the_referenced_cluster(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'one','remote_cluster':'cluster_one','body':{'skip_unavailable':true}}]}",
		      "{'local':{},'cluster_one':{'transport':['10.0.0.1:9300','10.0.0.2:9300']}}");
	cp = fixture_cluster(&f, "local");
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.one.skip_unavailable':true,"
		       "'cluster.remote.one.seeds':['10.0.0.1:9300','10.0.0.2:9300'],"
		       "'cluster.metadata.esreconcile.remotes':'one'}}");
	fixture_done(&f);

	memset(&f, 0, sizeof(f));
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'one','remote_cluster':'cluster_one','body':{}}]}",
		      "{'local':{},'cluster_one':{'error':'cluster [cluster_one] GET /: connection refused'}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_int_equal(cp->changes[0].action, ACTION_PROBLEM);
	assert_non_null(strstr(cp->changes[0].problem, "unreachable"));
	assert_int_equal(f.plan->summary.problems, 2); /* and cluster_one itself */
	fixture_done(&f);
}

static void declared_alias_missing_from_ledger_is_adopted(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'a','body':{'seeds':['h:1']}}]}",
		      "{'local':{'settings':{'persistent':{'cluster.remote.a.seeds':['h:1']},'transient':{}}}}");
	cp = fixture_cluster(&f, "local");
	assert_int_equal(cp->change_count, 1);
	assert_string_equal(cp->changes[0].fields[0].path, "managed");
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.metadata.esreconcile.remotes':'a'}}");
	fixture_done(&f);
}

static void sensitive_remote_value_is_a_slot(void **state)
{
	struct fixture f = { 0 };
	const struct cluster_plan *cp;
	cJSON *sent = NULL;

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'a','body':{'seeds':['secret.host:1']},'sensitive':['seeds']}]}",
		      EMPTY_LIVE);
	cp = fixture_cluster(&f, "local");
	assert_request(cp, 0, "PUT", "/_cluster/settings",
		       "{'persistent':{'cluster.remote.a.seeds':'(sensitive)','cluster.metadata.esreconcile.remotes':'a'}}");
	assert_string_equal(cp->changes[0].fields[0].after, "\"" SECRET_PLACEHOLDER "\"");
	assert_int_equal(plan_request_body_with_secrets(&sent, &cp->requests[0]), 0);
	assert_json(sent, "{'persistent':{'cluster.remote.a.seeds':['secret.host:1'],"
			  "'cluster.metadata.esreconcile.remotes':'a'}}");
	cJSON_Delete(sent);
	fixture_done(&f);
}

static void unreachable_cluster_is_a_problem_others_planned(void **state)
{
	struct fixture f = { 0 };

	(void)state;
	fixture_build(&f, "{'objects':[{'kind':'remote','name':'a','body':{'seeds':['h:1']}},"
			  "{'kind':'remote','cluster':'down','name':'b','body':{'seeds':['h:1']}}]}",
		      "{'local':{},'down':{'error':'cluster [down] GET /: connection refused'}}");
	assert_int_equal(f.plan->cluster_count, 2);
	assert_false(fixture_cluster(&f, "down")->reachable);
	assert_int_equal(fixture_cluster(&f, "local")->change_count, 1);
	assert_int_equal(f.plan->summary.problems, 1);
	assert_int_equal(f.plan->summary.create, 1);
	fixture_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creates_three_remotes_in_one_put),
		cmocka_unit_test(equal_representations_are_no_change),
		cmocka_unit_test(drift_shows_and_is_corrected),
		cmocka_unit_test(absent_deletes_with_wildcard_and_updates_ledger),
		cmocka_unit_test(unreadable_ledger_is_a_problem),
		cmocka_unit_test(transient_remote_moves_to_persistent),
		cmocka_unit_test(static_remote_is_a_problem_and_never_pruned),
		cmocka_unit_test(prune_policies),
		cmocka_unit_test(skip_unavailable_default_depends_on_version),
		cmocka_unit_test(seeds_come_from_the_referenced_cluster),
		cmocka_unit_test(declared_alias_missing_from_ledger_is_adopted),
		cmocka_unit_test(sensitive_remote_value_is_a_slot),
		cmocka_unit_test(unreachable_cluster_is_a_problem_others_planned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
