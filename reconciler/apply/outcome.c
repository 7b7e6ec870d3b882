#include "apply/outcome.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/strlist.h"

void settlement_clear(struct settlement *settlement)
{
	strlist_free(settlement->settled, settlement->settled_count);
	strlist_free(settlement->unsettled, settlement->unsettled_count);
	memset(settlement, 0, sizeof(*settlement));
}

static void cluster_outcome_dispose(struct cluster_outcome *cluster)
{
	size_t i;

	for (i = 0; i < cluster->change_count; i++) {
		free(cluster->changes[i].error_type);
		free(cluster->changes[i].reason);
	}
	free(cluster->changes);
	free(cluster->cluster_id);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		settlement_clear(&cluster->settle[i]);
}

void apply_outcome_free(struct apply_outcome *outcome)
{
	size_t i;

	if (!outcome)
		return;
	for (i = 0; i < outcome->cluster_count; i++)
		cluster_outcome_dispose(&outcome->clusters[i]);
	free(outcome->clusters);
	free(outcome->replan_error);
	free(outcome);
}

int apply_outcome_new(struct apply_outcome **out, const struct plan *plan)
{
	struct apply_outcome *outcome = NULL;
	struct cluster_outcome *cluster;
	size_t i;
	int err = -ENOMEM;

	*out = NULL;
	outcome = calloc(1, sizeof(*outcome));
	if (!outcome)
		goto done;
	if (plan->cluster_count) {
		outcome->clusters = calloc(plan->cluster_count, sizeof(*outcome->clusters));
		if (!outcome->clusters)
			goto done;
	}
	for (i = 0; i < plan->cluster_count; i++) {
		cluster = &outcome->clusters[outcome->cluster_count++];
		cluster->cluster_id = strdup(plan->clusters[i].cluster_id);
		if (!cluster->cluster_id)
			goto done;
		if (plan->clusters[i].change_count) {
			cluster->changes = calloc(plan->clusters[i].change_count, sizeof(*cluster->changes));
			if (!cluster->changes)
				goto done;
			cluster->change_count = plan->clusters[i].change_count;
		}
	}
	*out = outcome;
	outcome = NULL;
	err = 0;
done:
	apply_outcome_free(outcome);
	return err;
}

int change_outcome_set(struct change_outcome *change, enum change_status status,
		       const char *error_type, const char *reason, long http_status)
{
	char *type_copy = NULL, *reason_copy = NULL;

	if (change->status != CHANGE_PENDING)
		return 0;
	if ((error_type && !(type_copy = strdup(error_type))) || (reason && !(reason_copy = strdup(reason)))) {
		free(type_copy);
		return -ENOMEM;
	}
	change->status = status;
	change->error_type = type_copy;
	change->reason = reason_copy;
	change->http_status = http_status;
	return 0;
}

static const struct cluster_plan *find_cluster(const struct plan *plan, const char *id)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (!strcmp(plan->clusters[i].cluster_id, id))
			return &plan->clusters[i];
	return NULL;
}

static bool still_planned(const struct cluster_plan *cp, const struct plan_change *change)
{
	size_t i;

	for (i = 0; i < cp->change_count; i++)
		if (cp->changes[i].kind == change->kind && !strcmp(cp->changes[i].name, change->name))
			return true;
	return false;
}

int apply_outcome_settle_unanswered(struct apply_outcome *outcome, const struct plan *plan,
				    const struct plan *fresh)
{
	static const char landed[] = "no answer came, but the cluster read afterwards shows the change made";
	const struct cluster_plan *now;
	struct change_outcome *change;
	size_t i, j;
	char *reason;

	for (i = 0; i < outcome->cluster_count && i < plan->cluster_count; i++) {
		now = find_cluster(fresh, plan->clusters[i].cluster_id);
		if (!now || !now->reachable)
			continue;
		for (j = 0; j < outcome->clusters[i].change_count; j++) {
			change = &outcome->clusters[i].changes[j];
			if (change->status != CHANGE_FAILED || !change->unanswered ||
			    still_planned(now, &plan->clusters[i].changes[j]))
				continue;
			if (!(reason = strdup(landed)))
				return -ENOMEM;
			free(change->error_type);
			free(change->reason);
			change->status = CHANGE_APPLIED;
			change->error_type = NULL;
			change->reason = reason;
			change->http_status = 0;
			change->unanswered = false;
		}
	}
	return 0;
}

const char *change_status_name(enum change_status status)
{
	switch (status) {
	case CHANGE_APPLIED: return "applied";
	case CHANGE_FAILED: return "failed";
	case CHANGE_SKIPPED: return "skipped";
	case CHANGE_PENDING: break;
	}
	return "pending";
}

struct apply_tally apply_outcome_tally(const struct apply_outcome *outcome)
{
	struct apply_tally tally = { 0, 0, 0 };
	const struct change_outcome *change;
	size_t i, j;

	for (i = 0; i < outcome->cluster_count; i++) {
		for (j = 0; j < outcome->clusters[i].change_count; j++) {
			change = &outcome->clusters[i].changes[j];
			if (change->status == CHANGE_APPLIED)
				tally.applied++;
			else if (change->status == CHANGE_FAILED)
				tally.failed++;
			else
				tally.skipped++; /* a change left pending was never attempted */
		}
	}
	return tally;
}
