/* Fuzz target for the answers apply reads: bulk role results
 * ({"created":[..],"errors":{"details":{..}}}), Elasticsearch error bodies
 * ({"error":{"type","reason"}} and {"error":"..."}), any other body with any
 * status; and the GET /_remote/info answer apply polls after writing remotes.
 *
 * A fixed plan is built once with plan_build() from a fixed desired and live
 * state (cluster [local], 8.15): a bulk role write (answered per item), two
 * user PUTs (the first depends on a new role), the settings PUT (remotes and
 * the ledger), a user DELETE and a bulk role delete (per item). Each input then
 * answers the plan's requests in order, as apply_execute() records them:
 * request_gate(), the body with secrets minus excluded changes,
 * request_record_response() (or request_record_no_response()), the settle
 * check (verify_split) over the body, and finally the apply report (JSON and
 * text) and the exit code.
 *
 * Input: sections separated by NUL bytes, one per request in plan order (the
 * last one answers the remaining requests). A section is one selector byte and
 * the answer body: the low 4 bits of the selector pick the HTTP status in
 * statuses[] (0, or an empty section: no answer), the high 4 bits the attempt
 * count minus one. The body goes through
 * fuzz_response_fill(), a copy of es/http.c's static response_fill(). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "apply/report.h"
#include "apply/request_outcome.h"
#include "apply/verify.h"
#include "cmd/exit_codes.h"
#include "desired/loader.h"
#include "es/http.h"
#include "es/live.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/diag.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)256 << 10)
#define SECTIONS_MAX 16

static const char desired_yaml[] =
	"version: 1\n"
	"clusters:\n"
	"  local: { url: \"https://127.0.0.1:9200\" }\n"
	"remotes:\n"
	"  local:\n"
	"    cluster_one: { seeds: [\"10.0.0.1:9300\"], skip_unavailable: true }\n"
	"    cluster_two: { mode: proxy, proxy_address: \"10.0.0.2:9400\" }\n"
	"    gone: absent\n"
	"roles:\n"
	"  local:\n"
	"    new-role: { cluster: [monitor] }\n"
	"    reader:\n"
	"      cluster: [monitor]\n"
	"      indices: [{ names: [logs-*], privileges: [read] }]\n"
	"    old-role: absent\n"
	"    gone-role: absent\n"
	"users:\n"
	"  local:\n"
	"    new-user: { password: CANARY-pw-1, roles: [new-role] }\n"
	"    second-user: { password: CANARY-pw-2, roles: [reader], full_name: Second }\n"
	"    old-user: absent\n"
	"policy:\n"
	"  prune: { remotes: managed, roles: managed, users: managed }\n";

static const char live_settings[] =
	"{\"persistent\":{\"cluster.remote.gone.seeds\":[\"10.0.0.9:9300\"],"
	"\"cluster.metadata.esreconcile.remotes\":\"gone\"},\"transient\":{}}";
static const char live_roles[] =
	"{\"reader\":{\"cluster\":[\"all\"],\"indices\":[],\"applications\":[],\"run_as\":[],"
	"\"metadata\":{\"managed_by\":\"esreconcile\"},\"transient_metadata\":{\"enabled\":true}},"
	"\"old-role\":{\"cluster\":[],\"indices\":[],\"metadata\":{},\"transient_metadata\":{\"enabled\":true}},"
	"\"gone-role\":{\"cluster\":[],\"indices\":[],\"metadata\":{},\"transient_metadata\":{\"enabled\":true}}}";
static const char live_users[] =
	"{\"elastic\":{\"username\":\"elastic\",\"roles\":[\"superuser\"],\"metadata\":{\"_reserved\":true},"
	"\"enabled\":true},\"old-user\":{\"username\":\"old-user\",\"roles\":[],\"full_name\":null,"
	"\"email\":null,\"metadata\":{},\"enabled\":true}}";

/* The status of a selector's low 4 bits; 0 stands for no answer at all (so
 * does an empty section: a selector 0 would read as a separator). */
static const long statuses[16] = { 0, 200, 201, 400, 401, 403, 404, 405, 409, 429, 500, 502, 503, 204, 302, 999 };

static struct desired_state *desired;
static struct plan *plan;
static FILE *sink;

static void cleanup(void)
{
	plan_free(plan);
	desired_state_free(desired);
	if (sink)
		fclose(sink);
	plan = NULL;
	desired = NULL;
	sink = NULL;
}

/* The live state the fixed plan is built from; the caller frees it. */
static struct live_state *fixed_live(void)
{
	struct live_state *live = calloc(1, sizeof(*live));
	struct live_cluster *lc = live ? calloc(1, sizeof(*lc)) : NULL;

	if (!lc) {
		free(live);
		return NULL;
	}
	live->clusters = lc;
	live->cluster_count = 1;
	lc->cluster_id = strdup("local");
	lc->reachable = true;
	lc->version = strdup("8.15.0");
	lc->version_major = 8;
	lc->version_minor = 15;
	lc->root = cJSON_Parse("{\"version\":{\"number\":\"8.15.0\"}}");
	lc->settings = cJSON_Parse(live_settings);
	lc->remote_info = cJSON_Parse("{\"gone\":{\"connected\":false,\"mode\":\"sniff\",\"seeds\":[\"10.0.0.9:9300\"]}}");
	lc->objects[RESOURCE_ROLE] = cJSON_Parse(live_roles);
	lc->objects[RESOURCE_USER] = cJSON_Parse(live_users);
	lc->password_probes = cJSON_CreateObject();
	return live;
}

static void setup(void)
{
	struct diag_list diags;
	struct live_state *live;

	if (plan)
		return;
	diag_list_init(&diags);
	live = fixed_live();
	if (!live || desired_load_buffer(&desired, "fuzz.yaml", desired_yaml, strlen(desired_yaml), &diags) ||
	    plan_build(&plan, desired, live) || !plan->cluster_count || plan->clusters[0].request_count < 5) {
		diag_print_text(&diags, stderr, false);
		fprintf(stderr, "fuzz_apply_answer: cannot build the fixed plan\n");
		abort();
	}
	live_state_free(live);
	diag_list_dispose(&diags);
	sink = fopen("/dev/null", "w");
	atexit(cleanup);
}

/* Answers one request of the cluster as run_request() in apply/execute.c
 * records the answer (nothing is sent). */
static void answer_request(struct cluster_outcome *co, const struct cluster_plan *cp,
			   const struct plan_request *request, const uint8_t *section, size_t len)
{
	struct es_response response;
	cJSON *body = NULL;
	bool *included;
	long status = statuses[len ? section[0] & 15 : 0];
	char *described;
	size_t i;

	if (!request->change_count || !(included = calloc(request->change_count, sizeof(*included))))
		return;
	if (request_gate(included, co, cp, request) <= 0) {
		free(included);
		return;
	}
	if (!plan_request_body_with_secrets(&body, request) && body)
		request_body_drop_excluded(body, request, included);
	cJSON_Delete(body);
	if (fuzz_response_fill(&response, status, len ? section + 1 : section, len ? len - 1 : 0)) {
		es_response_dispose(&response);
		free(included);
		return;
	}
	response.attempts = 1 + (len ? section[0] >> 4 : 0);
	co->requests_sent++;
	if (!status) {
		request_record_no_response(co, request, included, "cluster [local]: connection refused");
	} else {
		request_record_response(co, cp, request, included, &response);
		described = es_describe_failure(cp->cluster_id, request->method, request->path, &response);
		free(described);
		if (es_response_ok(&response)) {
			for (i = 0; i < request->change_count; i++)
				if (included[i] && request->changes[i] < cp->change_count &&
				    cp->changes[request->changes[i]].kind < RESOURCE_KIND_COUNT)
					co->written[cp->changes[request->changes[i]].kind] = true;
		}
	}
	/* the same body as the answer to GET /_remote/info (verify_wait) */
	if (co->written[RESOURCE_REMOTE])
		verify_split(co, desired, RESOURCE_REMOTE, response.json);
	es_response_dispose(&response);
	free(included);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[SECTIONS_MAX];
	size_t lens[SECTIONS_MAX], count, c, r, k = 0;
	struct apply_outcome *outcome = NULL;
	FILE *streams[1];
	struct buf text;

	if (size > INPUT_MAX)
		return 0;
	setup();
	count = fuzz_split(data, size, parts, lens, SECTIONS_MAX);
	if (apply_outcome_new(&outcome, plan))
		return 0;
	for (c = 0; c < plan->cluster_count; c++) {
		const struct cluster_plan *cp = &plan->clusters[c];

		for (r = 0; r < cp->request_count; r++, k++)
			answer_request(&outcome->clusters[c], cp, &cp->requests[r], parts[k < count ? k : count - 1],
				       lens[k < count ? k : count - 1]);
		cluster_skip_pending(&outcome->clusters[c], "not attempted");
	}
	outcome->converged = size && (data[0] & 0x80);
	(void)apply_outcome_tally(outcome);
	(void)exit_code_for_apply(outcome);
	streams[0] = sink;
	if (sink)
		apply_report_write(streams, 1, plan, outcome);
	buf_init(&text, (size_t)64 << 20);
	apply_report_text(&text, plan, outcome, size && (data[0] & 0x40));
	buf_dispose(&text);
	apply_outcome_free(outcome);
	return 0;
}
