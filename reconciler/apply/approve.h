/* approve: the operator's "yes" on a terminal, which a plan needs before apply
 * writes anything (the deletion guard is cmd/delete_guard.h).
 *
 * Nothing here writes to a cluster; the prompt reads and writes only the
 * streams it is given. */
#ifndef ESR_APPLY_APPROVE_H
#define ESR_APPLY_APPROVE_H

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

#define APPROVE_PROMPT "Apply these changes? Only 'yes' will be accepted: "

/* Writes the plan as text (plan_render_text) to out. Returns 0 or a negative errno. */
int apply_show_plan(const struct plan *plan, FILE *out, bool color);

/* Shows the plan as text on out, asks APPROVE_PROMPT and reads one line from
 * in. Returns 1 when the answer is exactly "yes", 0 otherwise (end of input
 * included), or a negative errno when the plan cannot be rendered. */
int apply_ask_approval(const struct plan *plan, FILE *in, FILE *out, bool color);

#endif
