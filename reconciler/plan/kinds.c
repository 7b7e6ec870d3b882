/* kinds: the plan stage's kind table, one entry per line of ESR_KINDS, in the
 * order their changes are listed. A kind listed there without a
 * <name>_kind_ops of its own fails to link. */
#include "plan/plan_internal.h"

#define ESR_KIND_OPS_ENTRY(e, name, section, list_path) [RESOURCE_##e] = &name##_kind_ops,
const struct kind_ops *const plan_kinds[RESOURCE_KIND_COUNT] = { ESR_KINDS(ESR_KIND_OPS_ENTRY) };

const struct kind_settle *plan_kind_settle(enum resource_kind kind)
{
	return (unsigned)kind < RESOURCE_KIND_COUNT ? plan_kinds[kind]->settle : NULL;
}
