/* live_dump: a test-only driver for the Elasticsearch access layer. Loads
 * desired-state files, runs live_read() and prints the live state as JSON on
 * stdout, so integration tests can exercise es/http.c and es/live.c before
 * (and independently of) the plan command.
 *
 * usage: live_dump [--parallel N] [--cluster ID]... [--deadline-ms N]
 *                  [--max-attempts N] [--backoff-ms N] [--response-max BYTES] -f FILE...
 * Exit: 0 printed, 1 the files do not load or live_read() failed, 64 usage. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "desired/loader.h"
#include "es/http.h"
#include "es/live.h"
#include "es/live_read.h"
#include "util/diag.h"

#define MAX_ARGS 64

static int add_tree(cJSON *obj, const char *key, const cJSON *tree)
{
	cJSON *copy;

	if (!tree)
		return cJSON_AddNullToObject(obj, key) ? 0 : -ENOMEM;
	copy = cJSON_Duplicate(tree, 1);
	if (!copy || !cJSON_AddItemToObject(obj, key, copy)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	return 0;
}

static cJSON *cluster_json(const struct live_cluster *lc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
	size_t i;
	int err = 0;

	if (!o || !warnings)
		goto fail;
	for (i = 0; i < lc->warning_count; i++) {
		cJSON *w = cJSON_CreateString(lc->warnings[i]);

		if (!w || !cJSON_AddItemToArray(warnings, w)) {
			cJSON_Delete(w);
			goto fail;
		}
	}
	if (!cJSON_AddBoolToObject(o, "reachable", lc->reachable) ||
	    !(lc->error ? cJSON_AddStringToObject(o, "error", lc->error)
			: cJSON_AddNullToObject(o, "error")) ||
	    !(lc->version ? cJSON_AddStringToObject(o, "version", lc->version)
			  : cJSON_AddNullToObject(o, "version")) ||
	    !cJSON_AddNumberToObject(o, "version_major", lc->version_major) ||
	    !cJSON_AddNumberToObject(o, "version_minor", lc->version_minor))
		goto fail;
	err = add_tree(o, "root", lc->root);
	err = err ? err : add_tree(o, "settings", lc->settings);
	err = err ? err : add_tree(o, "remote_info", lc->remote_info);
	err = err ? err : add_tree(o, "roles", lc->objects[RESOURCE_ROLE]);
	err = err ? err : add_tree(o, "users", lc->objects[RESOURCE_USER]);
	err = err ? err : add_tree(o, "certificates", lc->certificates);
	err = err ? err : add_tree(o, "transport_addresses", lc->transport_addresses);
	err = err ? err : add_tree(o, "password_probes", lc->password_probes);
	if (err)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* A non-negative decimal number, or -1 when text is not one. */
static long number(const char *text)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	return errno || end == text || *end || n < 0 ? -1 : n;
}

static int usage(void)
{
	fputs("usage: live_dump [--parallel N] [--cluster ID]... [--deadline-ms N] [--max-attempts N]\n"
	      "                 [--backoff-ms N] [--response-max BYTES] -f FILE...\n", stderr);
	return 64;
}

int main(int argc, char **argv)
{
	const char *files[MAX_ARGS], *clusters[MAX_ARGS];
	size_t file_count = 0, cluster_count = 0, i;
	struct es_client_options client = { 0 };
	struct live_read_options opts = { .client = &client };
	struct desired_state *desired = NULL;
	struct live_state *live = NULL;
	struct diag_list diags;
	cJSON *out = NULL, *by_id;
	char *text = NULL;
	int rc = 1, a, err;
	long n;

	diag_list_init(&diags);
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (!val || file_count == MAX_ARGS || cluster_count == MAX_ARGS) {
			rc = usage();
			goto done;
		}
		a++;
		if (!strcmp(arg, "-f")) {
			files[file_count++] = val;
			continue;
		}
		if (!strcmp(arg, "--cluster")) {
			clusters[cluster_count++] = val;
			continue;
		}
		n = number(val);
		if (n >= 0 && !strcmp(arg, "--parallel"))
			opts.parallel = n;
		else if (n >= 0 && !strcmp(arg, "--deadline-ms"))
			client.retry_deadline_ms = n;
		else if (n >= 0 && n <= INT_MAX && !strcmp(arg, "--max-attempts"))
			client.max_attempts = (int)n;
		else if (n >= 0 && !strcmp(arg, "--backoff-ms"))
			client.backoff_base_ms = n;
		else if (n >= 0 && !strcmp(arg, "--response-max"))
			client.response_max_bytes = (size_t)n;
		else {
			rc = usage();
			goto done;
		}
	}
	if (!file_count) {
		rc = usage();
		goto done;
	}
	opts.only_clusters = clusters;
	opts.only_cluster_count = cluster_count;
	err = desired_load(&desired, files, file_count, &diags);
	if (err || diag_has_errors(&diags)) {
		diag_print_text(&diags, stderr, false);
		goto done;
	}
	err = live_read(&live, desired, &opts);
	if (err) {
		fprintf(stderr, "live_dump: live_read: %s\n", strerror(-err));
		goto done;
	}
	out = cJSON_CreateObject();
	by_id = cJSON_AddObjectToObject(out, "clusters");
	if (!by_id)
		goto done;
	for (i = 0; i < live->cluster_count; i++) {
		cJSON *c = cluster_json(&live->clusters[i]);

		if (!c || !cJSON_AddItemToObject(by_id, live->clusters[i].cluster_id, c)) {
			cJSON_Delete(c);
			goto done;
		}
	}
	text = cJSON_Print(out);
	if (!text)
		goto done;
	puts(text);
	rc = 0;
done:
	free(text);
	cJSON_Delete(out);
	live_state_free(live);
	desired_state_free(desired);
	diag_list_dispose(&diags);
	es_global_cleanup();
	return rc;
}
