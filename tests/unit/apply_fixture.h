/* apply_fixture: hand-built plans for the apply unit tests, so they run
 * without a server and without the planner's rules. Everything is allocated
 * the way plan_free() expects. */
#ifndef ESR_TESTS_APPLY_FIXTURE_H
#define ESR_TESTS_APPLY_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "es/http.h"
#include "plan/plan.h"

static inline struct plan *fixture_plan(size_t cluster_count)
{
	struct plan *plan = calloc(1, sizeof(*plan));
	size_t i;
	char id[32];

	plan->clusters = calloc(cluster_count, sizeof(*plan->clusters));
	plan->cluster_count = cluster_count;
	for (i = 0; i < cluster_count; i++) {
		snprintf(id, sizeof(id), "c%zu", i);
		plan->clusters[i].cluster_id = strdup(id);
		plan->clusters[i].reachable = true;
		plan->clusters[i].version = strdup("8.15.0");
	}
	return plan;
}

/* Appends a change; returns its index. deps is a -1 terminated list. */
static inline size_t fixture_change(struct cluster_plan *cluster, enum resource_kind kind,
				    const char *name, enum change_action action, const int *deps)
{
	struct plan_change *change;
	size_t n = 0;

	cluster->changes = realloc(cluster->changes, (cluster->change_count + 1) * sizeof(*cluster->changes));
	change = &cluster->changes[cluster->change_count];
	memset(change, 0, sizeof(*change));
	change->kind = kind;
	change->name = strdup(name);
	change->action = action;
	while (deps && deps[n] >= 0)
		n++;
	if (n) {
		change->depends_on = calloc(n, sizeof(*change->depends_on));
		for (change->depends_on_count = 0; change->depends_on_count < n; change->depends_on_count++)
			change->depends_on[change->depends_on_count] = (size_t)deps[change->depends_on_count];
	}
	if (action == ACTION_PROBLEM)
		change->problem = strdup("trust is broken");
	return cluster->change_count++;
}

/* Appends a request carrying the changes of the -1 terminated list. */
static inline struct plan_request *fixture_request(struct cluster_plan *cluster, enum request_step step,
						   const char *method, const char *path,
						   const char *body_json, const int *changes)
{
	struct plan_request *request;
	size_t n = 0;

	cluster->requests = realloc(cluster->requests, (cluster->request_count + 1) * sizeof(*cluster->requests));
	request = &cluster->requests[cluster->request_count++];
	memset(request, 0, sizeof(*request));
	request->step = step;
	request->method = strdup(method);
	request->path = strdup(path);
	if (body_json) {
		cJSON *parsed = cJSON_Parse(body_json);

		request->body = cJSON_PrintUnformatted(parsed);
		cJSON_Delete(parsed);
	}
	request->idempotent = true;
	while (changes[n] >= 0)
		n++;
	request->changes = calloc(n, sizeof(*request->changes));
	for (request->change_count = 0; request->change_count < n; request->change_count++)
		request->changes[request->change_count] = (size_t)changes[request->change_count];
	return request;
}

static inline char **fixture_strings(const char *a, const char *b)
{
	char **strings = calloc(2, sizeof(*strings));

	strings[0] = a ? strdup(a) : NULL;
	strings[1] = b ? strdup(b) : NULL;
	return strings;
}

/* An answer as es_request() would leave it. */
static inline struct es_response fixture_response(long status, const char *body)
{
	struct es_response response;
	const cJSON *error;

	memset(&response, 0, sizeof(response));
	response.status = status;
	response.body = strdup(body);
	response.body_len = strlen(body);
	response.json = cJSON_Parse(body);
	error = cJSON_GetObjectItemCaseSensitive(response.json, "error");
	if (cJSON_IsObject(error)) {
		response.error_type = strdup(cJSON_GetObjectItemCaseSensitive(error, "type")->valuestring);
		response.error_reason = strdup(cJSON_GetObjectItemCaseSensitive(error, "reason")->valuestring);
	}
	return response;
}

#endif
