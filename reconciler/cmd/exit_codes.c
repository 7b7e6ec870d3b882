#include "cmd/exit_codes.h"

#include "apply/outcome.h"
#include "plan/plan.h"

int exit_code_for_plan(const struct plan *plan, bool strict)
{
	size_t i;

	if (plan->summary.problems)
		return EXIT_INVALID;
	for (i = 0; strict && i < plan->cluster_count; i++)
		if (plan->clusters[i].warning_count)
			return EXIT_INVALID;
	return plan_is_empty(plan) ? EXIT_OK : EXIT_CHANGES;
}

int exit_code_for_apply(const struct apply_outcome *outcome)
{
	struct apply_tally tally = apply_outcome_tally(outcome);

	if (outcome->converged && !tally.failed && !tally.skipped)
		return EXIT_OK;
	return tally.applied ? EXIT_PARTIAL : EXIT_INVALID;
}
