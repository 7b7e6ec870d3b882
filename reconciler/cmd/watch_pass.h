/* watch_pass: one pass of `esreconcile watch` over one cluster: read it (and
 * the declared clusters its remotes point at, whose transport addresses give
 * the seeds), plan, report the drift, and apply unless told not to.
 *
 * Each event is one log line (notice for drift found and changes applied,
 * error for failures and problems), with the fields event, cluster, kind, name
 * and action in JSON logs. Passes over different clusters may run at once, in
 * different threads: a pass only reads the desired state it is given.
 *
 * A watch_pass_result is the caller's; watch_pass_result_dispose() frees what
 * the pass put in it. */
#ifndef ESR_CMD_WATCH_PASS_H
#define ESR_CMD_WATCH_PASS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "desired/model.h"

struct watch_pass_options {
	const struct desired_state *desired; /* borrowed; outlives the pass */
	const char *cluster_id;              /* a cluster declared in desired */
	long parallel;                       /* requests in flight at once */
	long probe_parallel;                 /* password probes in flight at once */
	long wait_ms;                        /* how long apply waits for written remotes to connect */
	bool allow_deletes;                  /* apply beyond policy.max_deletes */
	/* NULL to apply; else why the drift is only reported ("--detect-only",
	 * "policy.suspend is true"). */
	const char *hold_reason;
	const atomic_bool *stop;             /* set on SIGTERM: stop between requests */
};

struct watch_pass_result {
	bool reachable;   /* the cluster was read */
	/* The cluster could not be read or a change failed: worth trying again
	 * soon (watch backs off). */
	bool failed;
	/* failed, or something needs a person: a problem in the plan, a deletion
	 * refused by policy.max_deletes. */
	bool error;
	size_t drift[RESOURCE_KIND_COUNT];   /* changes found and still not made */
	size_t applied[RESOURCE_KIND_COUNT]; /* changes made by this pass */
	/* The declared remotes of the cluster and whether each showed connected,
	 * as of the latest answer of GET /_remote/info. */
	char **remotes;
	bool *connected;
	size_t remote_count;
};

/* Runs the pass. Returns 0 (what went wrong with the cluster is in *out and in
 * the log) or -ENOMEM. */
int watch_pass_run(struct watch_pass_result *out, const struct watch_pass_options *opts);

void watch_pass_result_dispose(struct watch_pass_result *result);

#endif
