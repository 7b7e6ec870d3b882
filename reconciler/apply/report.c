#include "apply/report.h"

#include <errno.h>
#include <string.h>

static int add_string_array(cJSON *object, const char *key, char *const *strings, size_t count)
{
	cJSON *array = cJSON_AddArrayToObject(object, key);
	cJSON *item;
	size_t i;

	if (!array)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		item = cJSON_CreateString(strings[i]);
		if (!item || !cJSON_AddItemToArray(array, item)) {
			cJSON_Delete(item);
			return -ENOMEM;
		}
	}
	return 0;
}

static int add_nullable_string(cJSON *object, const char *key, const char *value)
{
	return (value ? cJSON_AddStringToObject(object, key, value) : cJSON_AddNullToObject(object, key))
		       ? 0 : -ENOMEM;
}

static int annotate_change(cJSON *change_json, const struct change_outcome *change)
{
	cJSON *error;

	cJSON_DeleteItemFromObjectCaseSensitive(change_json, "status");
	if (!cJSON_AddStringToObject(change_json, "status", change_status_name(change->status)))
		return -ENOMEM;
	if (change->status == CHANGE_FAILED) {
		error = cJSON_AddObjectToObject(change_json, "error");
		if (!error || add_nullable_string(error, "type", change->error_type) ||
		    add_nullable_string(error, "reason", change->reason))
			return -ENOMEM;
		if (!(change->http_status ? cJSON_AddNumberToObject(error, "status", (double)change->http_status)
					  : cJSON_AddNullToObject(error, "status")))
			return -ENOMEM;
	} else if (change->status != CHANGE_APPLIED) {
		if (add_nullable_string(change_json, "reason", change->reason ? change->reason : "not attempted"))
			return -ENOMEM;
	}
	return 0;
}

static int annotate_cluster(cJSON *cluster_json, const struct cluster_plan *cluster,
			    const struct cluster_outcome *outcome)
{
	cJSON *changes = cJSON_GetObjectItemCaseSensitive(cluster_json, "changes");
	cJSON *change_json;
	size_t i = 0;
	int err;

	if (cJSON_GetArraySize(changes) != (int)cluster->change_count)
		return -EINVAL;
	cJSON_ArrayForEach(change_json, changes) {
		if ((err = annotate_change(change_json, &outcome->changes[i++])))
			return err;
	}
	if (!cJSON_AddNumberToObject(cluster_json, "requests_sent", (double)outcome->requests_sent))
		return -ENOMEM;
	if ((err = add_string_array(cluster_json, "remotes_connected", outcome->remotes_connected,
				    outcome->remotes_connected_count)))
		return err;
	return add_string_array(cluster_json, "remotes_not_connected", outcome->remotes_not_connected,
				outcome->remotes_not_connected_count);
}

int apply_report_json(cJSON **out, const struct plan *plan, const struct apply_outcome *outcome)
{
	struct apply_tally tally = apply_outcome_tally(outcome);
	cJSON *report = NULL, *clusters, *summary;
	size_t i;
	int err;

	*out = NULL;
	if ((err = plan_to_json(&report, plan)))
		goto done;
	clusters = cJSON_GetObjectItemCaseSensitive(report, "clusters");
	for (i = 0; i < plan->cluster_count; i++) {
		err = annotate_cluster(cJSON_GetObjectItemCaseSensitive(clusters, plan->clusters[i].cluster_id),
				       &plan->clusters[i], &outcome->clusters[i]);
		if (err)
			goto done;
	}
	err = -ENOMEM;
	summary = cJSON_GetObjectItemCaseSensitive(report, "summary");
	if (!summary && !(summary = cJSON_AddObjectToObject(report, "summary")))
		goto done;
	if (!cJSON_AddNumberToObject(summary, "applied", (double)tally.applied) ||
	    !cJSON_AddNumberToObject(summary, "failed", (double)tally.failed) ||
	    !cJSON_AddNumberToObject(summary, "skipped", (double)tally.skipped) ||
	    !cJSON_AddBoolToObject(report, "converged", outcome->converged))
		goto done;
	if (outcome->replan_error && !cJSON_AddStringToObject(report, "convergence_error", outcome->replan_error))
		goto done;
	*out = report;
	report = NULL;
	err = 0;
done:
	cJSON_Delete(report);
	return err;
}

static int append_cluster_text(struct buf *out, const struct cluster_plan *cluster,
			       const struct cluster_outcome *outcome, bool color)
{
	const char *red = color ? "\033[31m" : "", *yellow = color ? "\033[33m" : "";
	const char *reset = color ? "\033[0m" : "";
	const struct change_outcome *change;
	bool header = false;
	size_t i;
	int err = 0;

	for (i = 0; i < cluster->change_count && !err; i++) {
		change = &outcome->changes[i];
		if (change->status == CHANGE_APPLIED)
			continue;
		if (!header && (err = buf_printf(out, "cluster %s:\n", cluster->cluster_id)))
			break;
		header = true;
		if (change->status == CHANGE_FAILED)
			err = buf_printf(out, "  %sx %s %s: failed: %s%s%s%s\n", red,
					 resource_kind_name(cluster->changes[i].kind), cluster->changes[i].name,
					 change->error_type ? change->error_type : "",
					 change->error_type ? ": " : "", change->reason ? change->reason : "",
					 reset);
		else
			err = buf_printf(out, "  %s- %s %s: skipped: %s%s\n", yellow,
					 resource_kind_name(cluster->changes[i].kind), cluster->changes[i].name,
					 change->reason ? change->reason : "not attempted", reset);
	}
	for (i = 0; i < outcome->remotes_not_connected_count && !err; i++) {
		if (!header && (err = buf_printf(out, "cluster %s:\n", cluster->cluster_id)))
			break;
		header = true;
		err = buf_printf(out, "  %s! remote %s is not connected%s\n", yellow,
				 outcome->remotes_not_connected[i], reset);
	}
	return err;
}

int apply_report_text(struct buf *out, const struct plan *plan, const struct apply_outcome *outcome,
		      bool color)
{
	struct apply_tally tally = apply_outcome_tally(outcome);
	size_t i;
	int err = 0;

	for (i = 0; i < plan->cluster_count && !err; i++)
		err = append_cluster_text(out, &plan->clusters[i], &outcome->clusters[i], color);
	if (err)
		return err;
	err = buf_printf(out, "Apply complete: %zu applied, %zu failed, %zu skipped. %s\n", tally.applied,
			 tally.failed, tally.skipped,
			 outcome->converged ? "Converged." : "Not converged: a new plan still has changes.");
	if (!err && outcome->replan_error)
		err = buf_printf(out, "Could not check convergence: %s\n", outcome->replan_error);
	return err;
}
