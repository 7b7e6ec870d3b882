/* read_and_plan: the stages plan and apply share after loading — check the
 * --cluster selection, read the live state, plan, and add what the declared
 * transport trust looks like on the clusters.
 *
 * *live_out and *plan_out belong to the caller (live_state_free, plan_free),
 * also when an error is returned after they were made. */
#ifndef ESR_CMD_READ_AND_PLAN_H
#define ESR_CMD_READ_AND_PLAN_H

#include "cmd/cli.h"
#include "desired/model.h"
#include "es/live.h"
#include "es/live_read.h"
#include "plan/plan.h"

struct live_prefetch;

/* Loads the -f files as cli_load_desired() does, and meanwhile makes the first
 * reads of each selected cluster as soon as its file is read
 * (es/live_prefetch.h): *prefetch_out is for read_and_plan(), NULL when none
 * could be made; the caller frees it with live_prefetch_free() after the
 * read_and_plan() it was given to. Returns cli_load_desired()'s code; on an
 * error nothing is left to free. */
int load_and_prefetch(struct desired_state **out, struct live_prefetch **prefetch_out,
		      const struct cli_options *opts, const char *command);

/* Every --cluster id must be declared. Returns 0, or -EINVAL after logging. */
int cli_check_cluster_filter(const struct cli_options *opts, const struct desired_state *desired);

/* Reads the selected clusters and plans against them, taking what prefetch
 * (NULL: none) read while loading. Trust problems (only when
 * the desired state declares trust) become `!` entries. probes (NULL: every
 * user) says which users the read probes (live_read.h). With log_live, the
 * clusters' warnings (e.g. TLS verification off) and read errors are logged:
 * once per run, not again when apply re-reads to verify. Returns 0 or a
 * negative errno, after logging what failed. */
int read_and_plan(struct live_state **live_out, struct plan **plan_out,
		  const struct desired_state *desired, const struct cli_options *opts,
		  struct live_prefetch *prefetch, const struct live_probe_scope *probes, bool log_live);

#endif
