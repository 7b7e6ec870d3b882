#include "apply/approve.h"

#include <string.h>

#include "util/buf.h"

size_t plan_count_deletes(const struct plan *plan)
{
	size_t i, j, count = 0;

	for (i = 0; i < plan->cluster_count; i++)
		for (j = 0; j < plan->clusters[i].change_count; j++)
			if (plan->clusters[i].changes[j].action == ACTION_DELETE)
				count++;
	return count;
}

bool apply_deletes_allowed(size_t *out_count, const struct plan *plan, long max_deletes,
			   bool allow_deletes)
{
	*out_count = plan_count_deletes(plan);
	return allow_deletes || (max_deletes >= 0 && *out_count <= (size_t)max_deletes);
}

int apply_show_plan(const struct plan *plan, FILE *out, bool color)
{
	struct buf text;
	int err;

	buf_init(&text, (size_t)256 << 20);
	err = plan_render_text(&text, plan, color);
	if (!err)
		fputs(text.data ? text.data : "", out);
	buf_dispose(&text);
	return err;
}

int apply_ask_approval(const struct plan *plan, FILE *in, FILE *out, bool color)
{
	char answer[64];
	size_t len;
	int err;

	if ((err = apply_show_plan(plan, out, color)))
		return err;
	fputs("\n" APPROVE_PROMPT, out);
	fflush(out);
	if (!fgets(answer, sizeof(answer), in))
		return 0;
	len = strlen(answer);
	if (len && answer[len - 1] == '\n')
		answer[--len] = '\0';
	if (len && answer[len - 1] == '\r')
		answer[--len] = '\0';
	return strcmp(answer, "yes") == 0;
}
