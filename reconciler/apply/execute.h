/* execute: sends a plan's requests, cluster by cluster, and records what each
 * change became.
 *
 * Clusters run in parallel (up to options->parallel threads, one es_client per
 * cluster) and independently: a failure on one never stops another. Within a
 * cluster the plan's order of steps holds (roles, users, the settings PUT, user
 * deletions, role deletions); the requests of one step that do not depend on
 * each other go out over several connections (see apply_options.parallel). A change
 * whose dependency did not apply is skipped, independent ones go on. Secrets enter a body only right before it
 * is sent, and no body is ever logged. Call es_global_init() first. */
#ifndef ESR_APPLY_EXECUTE_H
#define ESR_APPLY_EXECUTE_H

#include <stdatomic.h>
#include <stdio.h>

#include "apply/outcome.h"
#include "desired/model.h"
#include "es/http.h"
#include "plan/plan.h"
#include "util/secret.h"

/* The most connections one cluster gets for a step of independent requests. */
#define APPLY_STEP_CONCURRENCY_MAX 16

struct apply_options {
	/* Requests in flight at once, >= 1: min(parallel, clusters) clusters run at
	 * once, each with parallel / that many connections (at most
	 * APPLY_STEP_CONCURRENCY_MAX) for a step of independent requests. */
	long parallel;
	long wait_ms;  /* how long to wait for written remotes to connect; 0: no wait */
	/* Where progress goes (done/total requests per cluster, what apply waits
	 * for): a terminal's stderr, or NULL for none (pipes, JSON). */
	FILE *progress;
	const struct es_client_options *client; /* NULL for the defaults */
	/* NULL, or a flag set when the process is stopping (watch on SIGTERM):
	 * once set, no further request starts and no wait goes on; the requests
	 * in flight finish, and the changes not attempted are skipped. */
	const atomic_bool *stop;
	/* Receives the secret a successful hand_off request made (a new cross-cluster
	 * API key's `encoded`) for the change name of cluster cluster_id, borrowed
	 * for the call; returns 0, or a negative errno with a one-line *errmsg (the
	 * callee allocates it) that fails the change. NULL: such a request is not
	 * sent and its change is skipped (watch). */
	int (*hand_off)(void *ctx, const char *cluster_id, const char *name, const secret_t *secret,
			char **errmsg);
	void *hand_off_ctx;
};

/* Executes plan (built from desired, which supplies connections and secrets)
 * into outcome (from apply_outcome_new(plan)). Every change ends applied,
 * failed or skipped. Returns 0 or a negative errno (-ENOMEM). */
int apply_execute(struct apply_outcome *outcome, const struct plan *plan,
		  const struct desired_state *desired, const struct apply_options *options);

#endif
