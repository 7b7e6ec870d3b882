/* delete_guard: policy.max_deletes, which keeps apply from running a plan that
 * deletes more objects than that unless --allow-deletes; plan only warns. A
 * plan deletes only objects of its own owner (policy.owner), so the limit
 * holds per owner.
 * Nothing here allocates or keeps what it is given. */
#ifndef ESR_CMD_DELETE_GUARD_H
#define ESR_CMD_DELETE_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

/* Deletions in the plan, summed over clusters. */
size_t delete_guard_count(const struct plan *plan);

/* True when the plan may go ahead: it deletes at most max_deletes objects, or
 * allow_deletes is set. *out_count receives the number of deletions. */
bool delete_guard_allows(size_t *out_count, const struct plan *plan, long max_deletes,
			 bool allow_deletes);

#endif
