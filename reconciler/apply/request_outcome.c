#include "apply/request_outcome.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

bool plan_request_carries(const struct plan_request *request, size_t change_index)
{
	size_t i;

	for (i = 0; i < request->change_count; i++)
		if (request->changes[i] == change_index)
			return true;
	return false;
}

int request_gate(bool *included, struct cluster_outcome *outcome, const struct cluster_plan *cluster,
		 const struct plan_request *request)
{
	const struct plan_change *change, *dependency;
	const struct change_outcome *dependency_outcome;
	char reason[512];
	size_t i, d, index;
	int count = 0, err;

	for (i = 0; i < request->change_count; i++) {
		index = request->changes[i];
		included[i] = false;
		if (index >= cluster->change_count || outcome->changes[index].status != CHANGE_PENDING)
			continue;
		change = &cluster->changes[index];
		included[i] = true;
		for (d = 0; d < change->depends_on_count && included[i]; d++) {
			if (change->depends_on[d] >= cluster->change_count)
				continue;
			dependency_outcome = &outcome->changes[change->depends_on[d]];
			if (dependency_outcome->status == CHANGE_APPLIED)
				continue;
			/* Within one request (a bulk write) the dependency travels together. */
			if (dependency_outcome->status == CHANGE_PENDING &&
			    plan_request_carries(request, change->depends_on[d]))
				continue;
			dependency = &cluster->changes[change->depends_on[d]];
			snprintf(reason, sizeof(reason), "depends on %s [%s], which %s",
				 resource_kind_name(dependency->kind), dependency->name,
				 dependency_outcome->status == CHANGE_FAILED ? "failed" :
				 dependency_outcome->status == CHANGE_SKIPPED ? "was skipped" :
				 "was not applied first");
			if ((err = change_outcome_set(&outcome->changes[index], CHANGE_SKIPPED, NULL, reason, 0)))
				return err;
			included[i] = false;
		}
		if (included[i])
			count++;
	}
	return count;
}

static bool is_bulk_role_write(const struct plan_request *request)
{
	return request->step == STEP_ROLES_WRITE &&
	       cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(request->body, "roles"));
}

static bool is_bulk_role_delete(const struct plan_request *request)
{
	return request->step == STEP_ROLES_DELETE &&
	       cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(request->body, "names"));
}

static void drop_array_string(cJSON *array, const char *value)
{
	cJSON *item;
	int i = 0;

	cJSON_ArrayForEach(item, array) {
		if (cJSON_IsString(item) && !strcmp(item->valuestring, value)) {
			cJSON_DeleteItemFromArray(array, i);
			return;
		}
		i++;
	}
}

static int drop_remote_keys(cJSON *scope, const char *alias)
{
	char prefix[256];
	cJSON *item, *next;
	int n;

	n = snprintf(prefix, sizeof(prefix), "cluster.remote.%s.", alias);
	if (n < 0 || (size_t)n >= sizeof(prefix))
		return -EINVAL;
	for (item = scope ? scope->child : NULL; item; item = next) {
		next = item->next;
		if (item->string && !strncmp(item->string, prefix, (size_t)n))
			cJSON_Delete(cJSON_DetachItemViaPointer(scope, item));
	}
	return 0;
}

int request_body_drop_excluded(cJSON *body, const struct cluster_plan *cluster,
			       const struct plan_request *request, const bool *included)
{
	const struct plan_change *change;
	size_t i;
	int err;

	for (i = 0; i < request->change_count; i++) {
		if (included[i] || request->changes[i] >= cluster->change_count)
			continue;
		change = &cluster->changes[request->changes[i]];
		if (is_bulk_role_write(request)) {
			cJSON_DeleteItemFromObjectCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(body, "roles"), change->name);
		} else if (is_bulk_role_delete(request)) {
			drop_array_string(cJSON_GetObjectItemCaseSensitive(body, "names"), change->name);
		} else if (request->step == STEP_SETTINGS && change->kind == RESOURCE_REMOTE) {
			if ((err = drop_remote_keys(cJSON_GetObjectItemCaseSensitive(body, "persistent"),
						    change->name)))
				return err;
			if ((err = drop_remote_keys(cJSON_GetObjectItemCaseSensitive(body, "transient"),
						    change->name)))
				return err;
		}
	}
	return 0;
}

/* Per-role errors of a bulk answer: {"errors":{"count":N,"details":{name:{type,reason}}}}. */
static const cJSON *bulk_item_error(const cJSON *answer, const char *name)
{
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(answer, "errors");

	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(errors, "details"), name);
}

static const char *string_field(const cJSON *object, const char *key)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);

	return cJSON_IsString(value) ? value->valuestring : NULL;
}

/* A role absent from the errors applied: created, updated, noop, deleted or
 * not_found (gone already) all leave the role as wanted. */
static int record_bulk_item(struct change_outcome *change, const cJSON *answer, const char *name)
{
	const cJSON *item_error = bulk_item_error(answer, name);

	if (item_error)
		return change_outcome_set(change, CHANGE_FAILED,
					  string_field(item_error, "type"),
					  string_field(item_error, "reason") ? string_field(item_error, "reason")
									     : "rejected in the bulk request",
					  0);
	return change_outcome_set(change, CHANGE_APPLIED, NULL, NULL, 0);
}

static int record_failure(struct change_outcome *change, const struct cluster_plan *cluster,
			  const struct plan_request *request, const struct es_response *response)
{
	char *described = NULL;
	int err;

	if (response->error_reason)
		return change_outcome_set(change, CHANGE_FAILED, response->error_type,
					  response->error_reason, response->status);
	described = es_describe_failure(cluster->cluster_id, request->method, request->path, response);
	if (!described)
		return -ENOMEM;
	err = change_outcome_set(change, CHANGE_FAILED, response->error_type, described, response->status);
	free(described);
	return err;
}

int request_record_response(struct cluster_outcome *outcome, const struct cluster_plan *cluster,
			    const struct plan_request *request, const bool *included,
			    const struct es_response *response)
{
	struct change_outcome *change;
	bool is_delete = !strcmp(request->method, "DELETE");
	bool bulk = is_bulk_role_write(request) || is_bulk_role_delete(request);
	size_t i;
	int err = 0;

	for (i = 0; i < request->change_count && !err; i++) {
		if (!included[i] || request->changes[i] >= cluster->change_count)
			continue;
		change = &outcome->changes[request->changes[i]];
		if (es_response_ok(response) && bulk)
			err = record_bulk_item(change, response->json, cluster->changes[request->changes[i]].name);
		else if (es_response_ok(response) || (is_delete && response->status == 404))
			err = change_outcome_set(change, CHANGE_APPLIED, NULL, NULL, 0);
		else
			err = record_failure(change, cluster, request, response);
	}
	return err;
}

int request_record_no_response(struct cluster_outcome *outcome, const struct plan_request *request,
			       const bool *included, const char *message)
{
	size_t i;
	int err = 0;

	for (i = 0; i < request->change_count && !err; i++) {
		if (included[i] && request->changes[i] < outcome->change_count)
			err = change_outcome_set(&outcome->changes[request->changes[i]], CHANGE_FAILED,
						 NULL, message, 0);
	}
	return err;
}

int cluster_skip_pending(struct cluster_outcome *outcome, const char *reason)
{
	size_t i;
	int err = 0;

	for (i = 0; i < outcome->change_count && !err; i++)
		err = change_outcome_set(&outcome->changes[i], CHANGE_SKIPPED, NULL, reason, 0);
	return err;
}
