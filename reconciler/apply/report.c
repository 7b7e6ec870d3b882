#include "apply/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/printable.h"
#include "util/utf8.h"

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

/* What the report adds to a cluster's plan JSON, as plan_cluster_json_write()
 * writes it to the report's streams. */
struct cluster_report {
	FILE *const *streams;
	size_t stream_count;
	const struct cluster_outcome *outcome;
};

static int write_all(FILE *const *streams, size_t stream_count, const char *text);

static int report_write(void *ctx, const char *text)
{
	const struct cluster_report *r = ctx;

	return write_all(r->streams, r->stream_count, text);
}

static int report_change(void *ctx, cJSON *change_json, size_t index)
{
	const struct cluster_report *r = ctx;

	if (index >= r->outcome->change_count)
		return -EINVAL;
	return annotate_change(change_json, &r->outcome->changes[index]);
}

static int report_tail(void *ctx, cJSON *cluster_json)
{
	const struct cluster_outcome *outcome = ((const struct cluster_report *)ctx)->outcome;
	size_t kind;
	int err;

	if (!cJSON_AddNumberToObject(cluster_json, "requests_sent", (double)outcome->requests_sent))
		return -ENOMEM;
	for (kind = 0; kind < RESOURCE_KIND_COUNT; kind++) {
		const struct kind_settle *rule = plan_kind_settle((enum resource_kind)kind);
		const struct settlement *settlement = &outcome->settle[kind];

		if (!rule)
			continue;
		if ((err = add_string_array(cluster_json, rule->settled_key, settlement->settled,
					    settlement->settled_count)) ||
		    (err = add_string_array(cluster_json, rule->unsettled_key, settlement->unsettled,
					    settlement->unsettled_count)))
			return err;
	}
	return 0;
}

/* The report without its clusters: format_version, fingerprint, an empty
 * "clusters", summary (with the apply counts), converged. */
static int report_skeleton(cJSON **out, const struct plan *plan, const struct apply_outcome *outcome)
{
	struct apply_tally tally = apply_outcome_tally(outcome);
	struct plan no_clusters = *plan;
	cJSON *report = NULL, *summary;
	int err;

	*out = NULL;
	no_clusters.clusters = NULL;
	no_clusters.cluster_count = 0;
	if ((err = plan_to_json(&report, &no_clusters)))
		return err;
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

/* Writes JSON text, scrubbed to valid UTF-8: error reasons come from servers. */
static int write_all(FILE *const *streams, size_t stream_count, const char *text)
{
	char *scrubbed = utf8_scrub(text);
	size_t i;
	int err = scrubbed ? 0 : -ENOMEM;

	for (i = 0; !err && i < stream_count; i++)
		if (fputs(scrubbed, streams[i]) == EOF)
			err = -EIO;
	free(scrubbed);
	return err;
}

/* Writes `"key":value` where value is item printed on one line. */
static int write_member(FILE *const *streams, size_t stream_count, const char *key, const cJSON *item)
{
	cJSON *name = cJSON_CreateString(key);
	char *name_text = name ? cJSON_PrintUnformatted(name) : NULL;
	char *value_text = cJSON_PrintUnformatted(item);
	int err = -ENOMEM;

	if (name_text && value_text && !(err = write_all(streams, stream_count, name_text)) &&
	    !(err = write_all(streams, stream_count, ":")))
		err = write_all(streams, stream_count, value_text);
	free(value_text);
	free(name_text);
	cJSON_Delete(name);
	return err;
}

static int write_clusters(FILE *const *streams, size_t stream_count, const struct plan *plan,
			  const struct apply_outcome *outcome)
{
	struct cluster_report report = { streams, stream_count, NULL };
	struct plan_json_sink sink = { report_write, report_change, report_tail, &report };
	size_t i;
	int err;

	if ((err = write_all(streams, stream_count, "\"clusters\":{")))
		return err;
	for (i = 0; i < plan->cluster_count; i++) {
		if (i >= outcome->cluster_count || plan->clusters[i].change_count != outcome->clusters[i].change_count)
			return -EINVAL;
		report.outcome = &outcome->clusters[i];
		if ((err = write_all(streams, stream_count, i ? ",\n" : "\n")) ||
		    (err = plan_json_write_key(&sink, plan->clusters[i].cluster_id)) ||
		    (err = plan_cluster_json_write(&plan->clusters[i], &sink)))
			return err;
	}
	return write_all(streams, stream_count, plan->cluster_count ? "\n}" : "}");
}

int apply_report_write(FILE *const *streams, size_t stream_count, const struct plan *plan,
		       const struct apply_outcome *outcome)
{
	cJSON *skeleton = NULL;
	const cJSON *item;
	bool first = true;
	int err;

	if ((err = report_skeleton(&skeleton, plan, outcome)))
		return err;
	err = write_all(streams, stream_count, "{");
	for (item = skeleton->child; item && !err; item = item->next) {
		if (!first && (err = write_all(streams, stream_count, ",")))
			break;
		first = false;
		if (!strcmp(item->string, "clusters"))
			err = write_clusters(streams, stream_count, plan, outcome);
		else
			err = write_member(streams, stream_count, item->string, item);
	}
	if (!err)
		err = write_all(streams, stream_count, "}\n");
	cJSON_Delete(skeleton);
	return err;
}

static int append_cluster_text(struct buf *out, const struct cluster_plan *cluster,
			       const struct cluster_outcome *outcome, bool color)
{
	const char *red = color ? "\033[31m" : "", *yellow = color ? "\033[33m" : "";
	const char *reset = color ? "\033[0m" : "";
	const struct change_outcome *change;
	bool header = false;
	size_t i, kind;
	int err = 0;

	for (i = 0; i < cluster->change_count && !err; i++) {
		change = &outcome->changes[i];
		if (change->status == CHANGE_APPLIED)
			continue;
		if (!header && (err = buf_printf(out, "cluster %s:\n", cluster->cluster_id)))
			break;
		header = true;
		/* names, types and reasons come from servers: printed escaped */
		err = buf_printf(out, "  %s%s %s ", change->status == CHANGE_FAILED ? red : yellow,
				 change->status == CHANGE_FAILED ? "x" : "-",
				 resource_kind_name(cluster->changes[i].kind));
		if (!err)
			err = printable_append(out, cluster->changes[i].name);
		if (!err && change->status == CHANGE_FAILED) {
			err = buf_puts(out, ": failed: ");
			if (!err && change->error_type && !(err = printable_append(out, change->error_type)))
				err = buf_puts(out, ": ");
			if (!err)
				err = printable_append(out, change->reason ? change->reason : "");
		} else if (!err) {
			err = buf_puts(out, ": skipped: ");
			if (!err)
				err = printable_append(out, change->reason ? change->reason : "not attempted");
		}
		if (!err)
			err = buf_printf(out, "%s\n", reset);
	}
	for (kind = 0; kind < RESOURCE_KIND_COUNT && !err; kind++) {
		const struct kind_settle *rule = plan_kind_settle((enum resource_kind)kind);

		for (i = 0; rule && i < outcome->settle[kind].unsettled_count && !err; i++) {
			if (!header && (err = buf_printf(out, "cluster %s:\n", cluster->cluster_id)))
				break;
			header = true;
			err = buf_printf(out, "  %s! %s ", yellow, resource_kind_name((enum resource_kind)kind));
			if (!err)
				err = printable_append(out, outcome->settle[kind].unsettled[i]);
			if (!err)
				err = buf_printf(out, " %s%s\n", rule->unsettled_text, reset);
		}
	}
	return err;
}

int apply_report_text(struct buf *out, const struct plan *plan, const struct apply_outcome *outcome,
		      bool color)
{
	struct apply_tally tally = apply_outcome_tally(outcome);
	size_t i;
	int err;

	for (i = 0; i < plan->cluster_count; i++)
		if ((err = append_cluster_text(out, &plan->clusters[i], &outcome->clusters[i], color)))
			return err;
	if (outcome->replan_error)
		return buf_printf(out, "Apply complete: %zu applied, %zu failed, %zu skipped. "
				  "Convergence unknown: the clusters could not be read again: %s\n",
				  tally.applied, tally.failed, tally.skipped, outcome->replan_error);
	return buf_printf(out, "Apply complete: %zu applied, %zu failed, %zu skipped. %s\n", tally.applied,
			  tally.failed, tally.skipped,
			  outcome->converged ? "Converged." : "Not converged: a new plan still has changes.");
}
