/* report: what an apply did, as JSON (design §4's plan shape with a status per
 * change) and as a short text summary.
 *
 * The report is built from plan_to_json(), which is redacted, plus outcome
 * fields that come from Elasticsearch answers: no secret reaches it. The caller
 * owns what is returned. */
#ifndef ESR_APPLY_REPORT_H
#define ESR_APPLY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "plan/plan.h"
#include "util/buf.h"

/* Writes the report to every stream: the plan JSON (plan_to_json) where every
 * change also carries "status" (applied | failed | skipped), a failed one
 * "error": {"type","reason","status"} (status is the HTTP status, null for a
 * per-role error inside a 200 bulk answer or when no answer came) and a
 * skipped one "reason"; each cluster carries "requests_sent",
 * "remotes_connected" and "remotes_not_connected"; the top level "converged"
 * (and "convergence_error" when the clusters could not be read again), and
 * "summary" the counts "applied", "failed", "skipped".
 * It is built and printed one cluster at a time, so that memory holds one
 * cluster's report at most: one line for the envelope, one per cluster.
 * Returns 0, -EIO when a stream fails, -ENOMEM, or -EINVAL when the plan JSON
 * does not mirror the plan. */
int apply_report_write(FILE *const *streams, size_t stream_count, const struct plan *plan,
		       const struct apply_outcome *outcome);

/* Text: each failed or skipped change and each remote that did not connect,
 * per cluster, then "Apply complete: 5 applied, 0 failed, 0 skipped. Converged."
 * Returns 0 or a negative errno. */
int apply_report_text(struct buf *out, const struct plan *plan, const struct apply_outcome *outcome,
		      bool color);

#endif
