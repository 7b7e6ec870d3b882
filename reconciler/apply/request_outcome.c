#include "apply/request_outcome.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strmap.h"

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

static void drop_key_prefix(cJSON *container, const char *prefix)
{
	size_t len = strlen(prefix);
	cJSON *item, *next;

	for (item = container ? container->child : NULL; item; item = next) {
		next = item->next;
		if (item->string && !strncmp(item->string, prefix, len))
			cJSON_Delete(cJSON_DetachItemViaPointer(container, item));
	}
}

bool request_change_included(const struct plan_request *request, const bool *included, size_t change)
{
	size_t i;

	for (i = 0; i < request->change_count; i++)
		if (request->changes[i] == change)
			return included[i];
	return false;
}

void request_body_drop_excluded(cJSON *body, const struct plan_request *request, const bool *included)
{
	const struct request_part *part;
	cJSON *container;
	size_t i;

	for (i = 0; i < request->part_count; i++) {
		part = &request->parts[i];
		if (request_change_included(request, included, part->change))
			continue;
		container = cJSON_GetObjectItemCaseSensitive(body, part->container);
		switch (part->shape) {
		case PART_MEMBER:
			cJSON_DeleteItemFromObjectCaseSensitive(container, part->key);
			break;
		case PART_ARRAY_STRING:
			drop_array_string(container, part->key);
			break;
		case PART_KEY_PREFIX:
			drop_key_prefix(container, part->key);
			break;
		}
	}
}

/* The lists of a security bulk answer that mean the item is as wanted:
 * created, updated or unchanged by a write; deleted, or gone already. */
static const char *const applied_lists[] = { "created", "updated", "noop", "deleted", "not_found" };

/* A security bulk answer by item name, indexed once: looking each item up in
 * the lists would make reading the answer of n items quadratic. Keys and
 * errors point into the answer. */
struct bulk_answer {
	struct strmap applied; /* listed in one of applied_lists (value unused) */
	struct strmap failed;  /* per-item errors: {"errors":{"details":{name:{type,reason}}}}, by index in errors */
	const cJSON **errors;
};

static int bulk_answer_index(struct bulk_answer *out, const cJSON *answer)
{
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "errors"),
								"details");
	const cJSON *item;
	size_t i, count = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; !err && i < sizeof(applied_lists) / sizeof(applied_lists[0]); i++)
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(answer, applied_lists[i]))
			if (cJSON_IsString(item) && (err = strmap_put(&out->applied, item->valuestring, 0)))
				break;
	if (err || !cJSON_IsObject(details) || !details->child)
		return err;
	out->errors = calloc((size_t)cJSON_GetArraySize(details), sizeof(*out->errors)); /* NOLINT(bugprone-sizeof-expression): pointers */
	if (!out->errors)
		return -ENOMEM;
	/* the first of a name given twice, as a lookup in the object would find */
	cJSON_ArrayForEach(item, details)
		if (item->string && !strmap_get(&out->failed, item->string, NULL)) {
			if ((err = strmap_put(&out->failed, item->string, count)))
				break;
			out->errors[count++] = item;
		}
	return err;
}

static void bulk_answer_dispose(struct bulk_answer *a)
{
	strmap_dispose(&a->applied);
	strmap_dispose(&a->failed);
	free(a->errors);
	a->errors = NULL;
}

static const char *string_field(const cJSON *object, const char *key)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);

	return cJSON_IsString(value) ? value->valuestring : NULL;
}

/* An item applied only when the answer says so: an answer that does not
 * mention it (an empty object, a proxy's page) proves nothing. */
static int record_bulk_item(struct change_outcome *change, const struct bulk_answer *answer,
			    const struct plan_change *planned)
{
	const cJSON *item_error = NULL;
	char reason[256];
	size_t index;

	if (strmap_get(&answer->failed, planned->name, &index))
		item_error = answer->errors[index];
	if (item_error)
		return change_outcome_set(change, CHANGE_FAILED,
					  string_field(item_error, "type"),
					  string_field(item_error, "reason") ? string_field(item_error, "reason")
									     : "rejected in the bulk request",
					  0);
	if (strmap_get(&answer->applied, planned->name, NULL))
		return change_outcome_set(change, CHANGE_APPLIED, NULL, NULL, 0);
	snprintf(reason, sizeof(reason), "the answer did not mention the %s", resource_kind_name(planned->kind));
	return change_outcome_set(change, CHANGE_FAILED, NULL, reason, 0);
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
	struct bulk_answer bulk;
	bool is_delete = !strcmp(request->method, "DELETE");
	bool per_item = request->answer == ANSWER_PER_ITEM && es_response_ok(response);
	size_t i;
	int err = per_item ? bulk_answer_index(&bulk, response->json) : 0;

	for (i = 0; i < request->change_count && !err; i++) {
		if (!included[i] || request->changes[i] >= cluster->change_count)
			continue;
		change = &outcome->changes[request->changes[i]];
		if (per_item)
			err = record_bulk_item(change, &bulk, &cluster->changes[request->changes[i]]);
		else if (es_response_ok(response) && !cJSON_IsObject(response->json))
			/* every answer of Elasticsearch to a write is a JSON object */
			err = change_outcome_set(change, CHANGE_FAILED, NULL,
						 "the answer is not Elasticsearch's (not a JSON object)", response->status);
		else if (es_response_ok(response) || (is_delete && response->status == 404))
			err = change_outcome_set(change, CHANGE_APPLIED, NULL, NULL, 0);
		else
			err = record_failure(change, cluster, request, response);
	}
	if (per_item)
		bulk_answer_dispose(&bulk);
	return err;
}

int request_record_no_response(struct cluster_outcome *outcome, const struct plan_request *request,
			       const bool *included, const char *message)
{
	size_t i;
	int err = 0;

	struct change_outcome *change;

	for (i = 0; i < request->change_count && !err; i++) {
		if (!included[i] || request->changes[i] >= outcome->change_count)
			continue;
		change = &outcome->changes[request->changes[i]];
		err = change_outcome_set(change, CHANGE_FAILED, NULL, message, 0);
		if (!err && change->status == CHANGE_FAILED)
			change->unanswered = true;
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
