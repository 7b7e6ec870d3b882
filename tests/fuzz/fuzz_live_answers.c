/* Fuzz target for the live answers of one cluster → plan path: what
 * Elasticsearch answers to GET /, /_cluster/settings?flat_settings=true,
 * /_remote/info, /_security/role, /_security/user, /_ssl/certificates and
 * /_nodes/transport, read into a live_state as live_read() would, then planned
 * (plan_build) against a fixed desired state, checked for trust (trust_check),
 * rendered (JSON and text), fingerprinted and checked for settled remotes.
 *
 * Input: one flags byte, then up to seven answer bodies separated by NUL bytes,
 * in the order of enum answer below. A missing section is the empty answer
 * ({} ; {"persistent":{},"transient":{}} for settings; a root with version
 * 8.15.0; no /_nodes/transport). Flags: bits 0-1 choose the desired state's
 * policy, bit 2 is what every password probe answers, bit 3 colours the text,
 * bit 4 makes the other cluster unreachable, bit 5 makes authority one-ca
 * unreadable.
 *
 * The fuzzed answers are cluster [local]'s; cluster [one] answers a fixed small
 * state. Only answers_to_live_cluster() knows the fields of struct live_cluster.
 *
 * Invariant checked (abort): no password or interpolated (sensitive) value of
 * the desired state shows in the plan's JSON or text unless the answers
 * themselves hold it. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "apply/saved_plan.h"
#include "apply/verify.h"
#include "desired/loader.h"
#include "es/live.h"
#include "plan/plan.h"
#include "trust/trust_check.h"
#include "util/buf.h"
#include "util/diag.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)256 << 10)
#define SECRET_1 "CANARY-3f9a-pw-one"
#define SECRET_2 "CANARY-77c1-pw-two"
/* interpolated values that are not secrets: shown, so that a reviewer can review them */
#define SHOWN_1 "canary-5eed.example"
#define SHOWN_2 "canary-runas-5e1f"
#define NOW ((time_t)1735689600) /* 2025-01-01T00:00:00Z */
#define VARIANTS 4

enum answer {
	ANSWER_ROOT,
	ANSWER_SETTINGS,
	ANSWER_REMOTE_INFO,
	ANSWER_ROLES,
	ANSWER_USERS,
	ANSWER_CERTIFICATES,
	ANSWER_NODES_TRANSPORT,
	ANSWER_COUNT
};

static const struct {
	const char *path;
	int json_type;
	const char *when_missing; /* NULL: not fetched */
} answers[ANSWER_COUNT] = {
	[ANSWER_ROOT] = { "/", cJSON_Object, "{\"version\":{\"number\":\"8.15.0\"}}" },
	[ANSWER_SETTINGS] = { "/_cluster/settings?flat_settings=true", cJSON_Object,
			      "{\"persistent\":{},\"transient\":{}}" },
	[ANSWER_REMOTE_INFO] = { "/_remote/info", cJSON_Object, "{}" },
	[ANSWER_ROLES] = { "/_security/role", cJSON_Object, "{}" },
	[ANSWER_USERS] = { "/_security/user", cJSON_Object, "{}" },
	[ANSWER_CERTIFICATES] = { "/_ssl/certificates", cJSON_Array, "[]" },
	[ANSWER_NODES_TRANSPORT] = { "/_nodes/transport", cJSON_Object, NULL },
};

/* The desired state: %s are the prune policy, max_deletes, password_check and
 * the authority file (twice). */
static const char desired_format[] =
	"version: 1\n"
	"clusters:\n"
	"  local: { url: \"https://127.0.0.1:9200\" }\n"
	"  one: { url: \"https://127.0.0.1:9201\" }\n"
	"trust:\n"
	"  authorities: { local-ca: \"%s\", one-ca: \"%s\" }\n"
	"  clusters:\n"
	"    local: { transport_ca: local-ca, trusts: [local-ca, one-ca] }\n"
	"    one: { transport_ca: one-ca, trusts: [one-ca, local-ca] }\n"
	"remotes:\n"
	"  local:\n"
	"    one:\n"
	"      cluster: one\n"
	"      mode: sniff\n"
	"      skip_unavailable: true\n"
	"      transport: { compress: true, ping_schedule: 30s }\n"
	"    proxied:\n"
	"      mode: proxy\n"
	"      proxy_address: \"10.0.0.9:9400\"\n"
	"      server_name: es-proxied.example\n"
	"    flipped: { seeds: [\"10.0.0.1:9300\", \"[::1]:9301\"], skip_unavailable: false }\n"
	"    gone: absent\n"
	"    masked: { seeds: [\"${ESR_FUZZ_UNSET_SEED:-" SHOWN_1 ":9300}\"] }\n"
	"  one:\n"
	"    back: { cluster: local }\n"
	"roles:\n"
	"  local:\n"
	"    remote-replication:\n"
	"      cluster: [manage_ccr]\n"
	"      indices:\n"
	"        - names: [follower-*]\n"
	"          privileges: [monitor, read, write, manage_follow_index]\n"
	"    reader:\n"
	"      cluster: [monitor]\n"
	"      indices:\n"
	"        - names: [logs-*]\n"
	"          privileges: [read]\n"
	"          query: '{\"term\":{\"team\":\"a\"}}'\n"
	"          field_security: { grant: [\"*\"], except: [secret] }\n"
	"      remote_indices:\n"
	"        - clusters: [one]\n"
	"          names: [logs-*]\n"
	"          privileges: [read]\n"
	"      metadata: { owner: ops }\n"
	"    masked-role:\n"
	"      cluster: [monitor]\n"
	"      run_as: [\"${ESR_FUZZ_UNSET_RUNAS:-" SHOWN_2 "}\"]\n"
	"    old-role: absent\n"
	"users:\n"
	"  local:\n"
	"    ccr-user:\n"
	"      password: " SECRET_1 "\n"
	"      roles: [remote-replication]\n"
	"      full_name: Cross-cluster replication\n"
	"      email: ccr@example.com\n"
	"      enabled: true\n"
	"      metadata: { team: ops }\n"
	"    hashed:\n"
	"      password_hash: \"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\"\n"
	"      roles: [reader]\n"
	"    kibana_system:\n"
	"      password: " SECRET_2 "\n"
	"    plugin-user: { password: " SECRET_1 ", roles: [reader], full_name: Plugin }\n"
	"    no-password: { roles: [reader] }\n"
	"    old-user: absent\n"
	"policy:\n"
	"  prune: { remotes: %s, roles: %s, users: %s }\n"
	"  max_deletes: %s\n"
	"  password_check: %s\n";

static const struct {
	const char *prune, *max_deletes, *password_check;
} variants[VARIANTS] = {
	{ "all", "20", "probe" },
	{ "managed", "1", "on_create" },
	{ "none", "20", "probe" },
	{ "all", "0", "on_create" },
};

/* What cluster [one] answers (fixed). */
static const char *const one_answers[ANSWER_COUNT] = {
	[ANSWER_ROOT] = "{\"version\":{\"number\":\"8.14.3\"}}",
	[ANSWER_SETTINGS] = "{\"persistent\":{\"cluster.remote.back.seeds\":[\"10.0.0.5:9300\"]},\"transient\":{}}",
	[ANSWER_REMOTE_INFO] = "{\"back\":{\"connected\":true,\"mode\":\"sniff\",\"seeds\":[\"10.0.0.5:9300\"]}}",
	[ANSWER_ROLES] = "{}",
	[ANSWER_USERS] = "{}",
	[ANSWER_CERTIFICATES] =
		"[{\"path\":\"ca.crt\",\"format\":\"PEM\",\"alias\":null,\"subject_dn\":\"CN=one-ca, O=esreconcile-test\","
		"\"serial_number\":\"1002\",\"has_private_key\":false,\"expiry\":\"2030-01-01T00:00:00.000Z\","
		"\"issuer\":\"CN=one-ca, O=esreconcile-test\"}]",
	[ANSWER_NODES_TRANSPORT] = "{\"nodes\":{\"n1\":{\"transport\":{\"publish_address\":\"one-node/10.0.1.1:9300\"}}}}",
};

static struct desired_state *desired[VARIANTS];
static FILE *sink;

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	return text;
}
static char local_subject[] = "CN=local-ca,O=esreconcile-test", local_serial[] = "1001";
static char one_subject[] = "CN=one-ca,O=esreconcile-test", one_serial[] = "1002";
static char fingerprint_hex[] = "00";
static struct certificate_info authority_certs[2] = {
	{ local_subject, local_subject, local_serial, fingerprint_hex, (time_t)1893456000, true },
	{ one_subject, one_subject, one_serial, fingerprint_hex, (time_t)1738368000, true },
};

static void cleanup(void)
{
	size_t i;

	for (i = 0; i < VARIANTS; i++) {
		desired_state_free(desired[i]);
		desired[i] = NULL;
	}
	if (sink)
		fclose(sink);
	sink = NULL;
}

/* Loads the desired states once. The authority file only has to exist while
 * the loader looks at it: certificates are given as certificate_info below. */
static int setup(void)
{
	static int done;
	char path[] = "/tmp/esr-fuzz-ca-XXXXXX";
	struct diag_list diags;
	char *text;
	size_t i;
	int fd, rc = 0;

	if (done)
		return done > 0 ? 0 : -1;
	done = -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	for (i = 0; i < VARIANTS && !rc; i++) {
		diag_list_init(&diags);
		text = format(desired_format, path, path, variants[i].prune, variants[i].prune,
				  variants[i].prune, variants[i].max_deletes, variants[i].password_check);
		if (!text || desired_load_buffer(&desired[i], "/tmp/fuzz.yaml", text, strlen(text), &diags) ||
		    diag_has_errors(&diags)) {
			diag_print_text(&diags, stderr, false);
			rc = -1;
		}
		free(text);
		diag_list_dispose(&diags);
	}
	unlink(path);
	sink = fopen("/dev/null", "w");
	atexit(cleanup);
	if (rc || !sink) {
		fprintf(stderr, "fuzz_live_answers: cannot set up the desired state\n");
		abort();
	}
	done = 1;
	return 0;
}

/* ---- answers -> live model: mirrors es/live.c, the only code here that
 * knows the fields of struct live_cluster ---- */

/* Fills lc (zeroed) as live_read() would from the answers json[] (taken over,
 * entries set to NULL; a NULL answer was not fetched), failed names the first
 * answer that was not of the expected JSON type (the cluster is then
 * unreachable). probe says what each password probe answered. */
static int answers_to_live_cluster(struct live_cluster *lc, const struct desired_state *d, const char *id,
				   cJSON **json, int failed, bool probe)
{
	const cJSON *number = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(json[ANSWER_ROOT], "version"), "number");
	size_t i;

	lc->cluster_id = strdup(id);
	if (failed >= 0 || !cJSON_IsString(number) ||
	    live_parse_version(&lc->version_major, &lc->version_minor, number->valuestring)) {
		lc->error = format("cluster [%s] GET %s: unexpected response", id,
				       answers[failed >= 0 ? failed : ANSWER_ROOT].path);
		return lc->cluster_id && lc->error ? 0 : -ENOMEM;
	}
	lc->version = strdup(number->valuestring);
	lc->root = json[ANSWER_ROOT];
	lc->settings = json[ANSWER_SETTINGS];
	lc->remote_info = json[ANSWER_REMOTE_INFO];
	lc->objects[RESOURCE_ROLE] = json[ANSWER_ROLES];
	lc->objects[RESOURCE_USER] = json[ANSWER_USERS];
	lc->certificates = json[ANSWER_CERTIFICATES];
	if (json[ANSWER_NODES_TRANSPORT] && live_publish_addresses(&lc->transport_addresses, json[ANSWER_NODES_TRANSPORT], "transport"))
		return -ENOMEM;
	cJSON_Delete(json[ANSWER_NODES_TRANSPORT]);
	for (i = 0; i < ANSWER_COUNT; i++)
		json[i] = NULL;
	lc->password_probes = cJSON_CreateObject();
	if (!lc->cluster_id || !lc->version || !lc->password_probes)
		return -ENOMEM;
	/* probe_passwords(): each desired user with a password that exists live */
	if (d->policy.password_check == PASSWORD_CHECK_PROBE) {
		for (i = 0; i < d->object_count; i++) {
			const struct desired_object *o = &d->objects[i];

			if (o->kind == RESOURCE_USER && !o->absent && o->password && !strcmp(o->cluster, id) &&
			    cJSON_GetObjectItemCaseSensitive(lc->objects[RESOURCE_USER], o->name) &&
			    !cJSON_AddItemToObject(lc->password_probes, o->name, cJSON_CreateBool(probe)))
				return -ENOMEM;
		}
	}
	lc->reachable = true;
	return 0;
}

/* Parses the answer bodies as get_json() does: JSON of the expected type, or
 * *failed is set to the first one that is not. */
static void parse_answers(cJSON **json, int *failed, const uint8_t *const *parts, const size_t *lens,
			  size_t count)
{
	struct es_response r;
	size_t i;

	*failed = -1;
	for (i = 0; i < ANSWER_COUNT; i++) {
		json[i] = NULL;
		if (i >= count && !answers[i].when_missing)
			continue;
		if (i < count)
			fuzz_response_fill(&r, 200, parts[i], lens[i]);
		else
			fuzz_response_fill(&r, 200, (const uint8_t *)answers[i].when_missing,
					   strlen(answers[i].when_missing));
		if (r.json && (r.json->type & 0xFF) == answers[i].json_type) {
			json[i] = r.json;
			r.json = NULL;
		} else if (*failed < 0) {
			*failed = (int)i;
		}
		es_response_dispose(&r);
	}
}

static void free_answers(cJSON **json)
{
	size_t i;

	for (i = 0; i < ANSWER_COUNT; i++)
		cJSON_Delete(json[i]);
}

static bool tree_holds(const cJSON *item, const char *needle)
{
	for (; item; item = item->next) {
		if ((item->string && strstr(item->string, needle)) ||
		    (cJSON_IsString(item) && item->valuestring && strstr(item->valuestring, needle)) ||
		    tree_holds(item->child, needle))
			return true;
	}
	return false;
}

static bool live_holds(const struct live_state *live, const char *needle)
{
	const struct live_cluster *lc;
	size_t i;

	for (i = 0; i < live->cluster_count; i++) {
		lc = &live->clusters[i];
		if (tree_holds(lc->root, needle) || tree_holds(lc->settings, needle) ||
		    tree_holds(lc->remote_info, needle) || tree_holds(lc->objects[RESOURCE_ROLE], needle) ||
		    tree_holds(lc->objects[RESOURCE_USER], needle) || tree_holds(lc->certificates, needle) ||
		    tree_holds(lc->transport_addresses, needle) || (lc->error && strstr(lc->error, needle)))
			return true;
	}
	return false;
}

static void check_no_secret(const struct live_state *live, const char *text)
{
	static const char *const secrets[] = { SECRET_1, SECRET_2 };
	size_t i;

	for (i = 0; text && i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (strstr(text, secrets[i]) && !live_holds(live, secrets[i])) {
			fprintf(stderr, "fuzz_live_answers: [%s] reached the plan output:\n%s\n", secrets[i], text);
			abort();
		}
	}
}

/* Renders and inspects the plan as `plan` and `apply` would. */
static void exercise_plan(struct plan *plan, const struct desired_state *d, const struct live_state *live,
			  bool color)
{
	struct apply_outcome *outcome = NULL;
	cJSON *json = NULL, *body;
	struct buf text;
	char fingerprint[65], *printed = NULL;
	size_t i, j;

	if (!plan_to_json(&json, plan)) {
		printed = cJSON_PrintUnformatted(json);
		check_no_secret(live, printed);
		if (!plan_fingerprint(fingerprint, live))
			(void)saved_plan_check(json, fingerprint, json);
	}
	buf_init(&text, (size_t)64 << 20);
	if (!plan_render_text(&text, plan, color))
		check_no_secret(live, text.data);
	buf_dispose(&text);
	plan_write_json(sink, plan);
	(void)plan_is_empty(plan);
	for (i = 0; i < plan->cluster_count; i++) {
		for (j = 0; j < plan->clusters[i].request_count; j++) {
			body = NULL;
			plan_request_body_with_secrets(&body, &plan->clusters[i].requests[j]);
			cJSON_Delete(body);
		}
	}
	/* apply's check of settled remotes over GET /_remote/info */
	if (!apply_outcome_new(&outcome, plan)) {
		for (i = 0; i < outcome->cluster_count && i < live->cluster_count; i++) {
			const struct kind_settle *rule = plan_kind_settle(RESOURCE_REMOTE);

			verify_split(&outcome->clusters[i], d, RESOURCE_REMOTE,
				     rule ? rule->live_answer(&live->clusters[i]) : NULL);
		}
	}
	apply_outcome_free(outcome);
	free(printed);
	cJSON_Delete(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *parts[ANSWER_COUNT], *one_parts[ANSWER_COUNT];
	size_t lens[ANSWER_COUNT], one_lens[ANSWER_COUNT], count, i;
	cJSON *json[ANSWER_COUNT];
	struct live_state *live;
	struct trust_authority_certs certs;
	struct trust_report *report = NULL;
	struct plan *plan = NULL;
	const struct desired_state *d;
	bool readable[2] = { true, true };
	uint8_t flags;
	int failed;

	if (size < 1 || size > INPUT_MAX || setup())
		return 0;
	flags = data[0];
	d = desired[flags & 3];
	live = calloc(1, sizeof(*live));
	if (!live || !(live->clusters = calloc(2, sizeof(*live->clusters)))) {
		free(live);
		return 0;
	}
	live->cluster_count = 2;

	count = fuzz_split(data + 1, size - 1, parts, lens, ANSWER_COUNT);
	parse_answers(json, &failed, parts, lens, count);
	answers_to_live_cluster(&live->clusters[0], d, "local", json, failed, flags & 4);
	free_answers(json);

	if (flags & 16) {
		live->clusters[1].cluster_id = strdup("one");
		live->clusters[1].error = strdup("cluster [one] GET /: connection refused");
	} else {
		for (i = 0; i < ANSWER_COUNT; i++) {
			one_parts[i] = (const uint8_t *)one_answers[i];
			one_lens[i] = strlen(one_answers[i]);
		}
		parse_answers(json, &failed, one_parts, one_lens, ANSWER_COUNT);
		answers_to_live_cluster(&live->clusters[1], d, "one", json, failed, true);
		free_answers(json);
	}

	readable[1] = !(flags & 32);
	certs = (struct trust_authority_certs){ authority_certs, readable, 2 };
	if (!plan_build(&plan, d, live)) {
		if (!trust_check(&report, d, &certs, live, NOW))
			plan_add_trust_findings(plan, d, report);
		exercise_plan(plan, d, live, flags & 8);
	}
	trust_report_free(report);
	plan_free(plan);
	live_state_free(live);
	return 0;
}
