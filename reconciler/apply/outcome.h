/* outcome: what applying a plan did to each change (cmd/exit_codes.h maps it to an exit code).
 *
 * An apply_outcome mirrors a plan: one cluster_outcome per cluster_plan (same
 * order) and one change_outcome per plan_change (same index). It owns every
 * string in it; apply_outcome_free() releases it all. Messages stored here come
 * from Elasticsearch error bodies and the HTTP layer, which never carry secrets. */
#ifndef ESR_APPLY_OUTCOME_H
#define ESR_APPLY_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

enum change_status { CHANGE_PENDING = 0, CHANGE_APPLIED, CHANGE_FAILED, CHANGE_SKIPPED };

struct change_outcome {
	enum change_status status;
	char *error_type; /* failed: Elasticsearch error type, or NULL (no response) */
	char *reason;     /* failed: the error reason; skipped: why it was not attempted */
	long http_status; /* failed: HTTP status, 0 when no response or a per-item bulk error */
	/* failed without an answer (a timeout after sending, a reset): the write
	 * may have landed, which a later read settles (apply_outcome_settle_unanswered) */
	bool unanswered;
};

/* Declared objects of one kind, split by whether they settled; owned. */
struct settlement {
	char **settled;
	size_t settled_count;
	char **unsettled;
	size_t unsettled_count;
};

struct cluster_outcome {
	char *cluster_id;
	struct change_outcome *changes; /* parallel to cluster_plan.changes */
	size_t change_count;
	size_t requests_sent;
	/* Per kind with a settle rule (plan_kind_settle): whether a request
	 * carrying one of its changes succeeded, and which declared objects showed
	 * settled (a remote connected) when apply last looked. */
	bool written[RESOURCE_KIND_COUNT];
	struct settlement settle[RESOURCE_KIND_COUNT];
};

struct apply_outcome {
	struct cluster_outcome *clusters;
	size_t cluster_count;
	bool converged;   /* a fresh plan after applying was empty */
	char *replan_error; /* why convergence could not be checked, or NULL */
};

struct apply_tally {
	size_t applied, failed, skipped;
};

/* Frees the lists of a settlement and leaves it empty. */
void settlement_clear(struct settlement *settlement);

/* An outcome for plan with every change pending. Returns 0 or -ENOMEM. */
int apply_outcome_new(struct apply_outcome **out, const struct plan *plan);
void apply_outcome_free(struct apply_outcome *outcome);

/* Records a final status; reason/error_type are copied (either may be NULL).
 * A change that already has a final status keeps it. Returns 0 or -ENOMEM. */
int change_outcome_set(struct change_outcome *change, enum change_status status,
		       const char *error_type, const char *reason, long http_status);

const char *change_status_name(enum change_status status); /* "applied", ... */

/* Settles the changes that failed without an answer by what a plan made
 * afterwards (fresh) shows: a change that fresh no longer needs took effect
 * and becomes applied. outcome mirrors plan. Returns 0 or -ENOMEM. */
int apply_outcome_settle_unanswered(struct apply_outcome *outcome, const struct plan *plan,
				    const struct plan *fresh);

struct apply_tally apply_outcome_tally(const struct apply_outcome *outcome);

#endif
