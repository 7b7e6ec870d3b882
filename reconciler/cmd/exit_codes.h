/* exit_codes: the process exit codes of design §3, and how the results of plan
 * and apply map to them. Commands decide exit codes; the stages only report
 * what happened. Nothing here allocates or keeps what it is given. */
#ifndef ESR_CMD_EXIT_CODES_H
#define ESR_CMD_EXIT_CODES_H

#include <stdbool.h>

#define EXIT_OK 0
#define EXIT_INVALID 1 /* also: error, nothing applied */
#define EXIT_CHANGES 2
#define EXIT_PARTIAL 3
#define EXIT_USAGE 64

struct apply_outcome;
struct plan;

/* plan: 1 when a change is a problem (or, when strict, when a cluster has a
 * warning), else 0 in sync or 2 changes pending. */
int exit_code_for_plan(const struct plan *plan, bool strict);

/* apply: 0 converged with nothing failed or skipped; 3 when something was
 * applied but something else failed, was skipped or did not converge; 1 when
 * nothing was applied and anything went wrong. */
int exit_code_for_apply(const struct apply_outcome *outcome);

#endif
