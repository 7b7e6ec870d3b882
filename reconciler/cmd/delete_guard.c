#include "cmd/delete_guard.h"

size_t delete_guard_count(const struct plan *plan)
{
	size_t i, j, count = 0;

	for (i = 0; i < plan->cluster_count; i++)
		for (j = 0; j < plan->clusters[i].change_count; j++)
			if (plan->clusters[i].changes[j].action == ACTION_DELETE)
				count++;
	return count;
}

bool delete_guard_allows(size_t *out_count, const struct plan *plan, long max_deletes,
			 bool allow_deletes)
{
	*out_count = delete_guard_count(plan);
	return allow_deletes || (max_deletes >= 0 && *out_count <= (size_t)max_deletes);
}
