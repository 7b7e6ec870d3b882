#include "apply/approve.h"

#include <string.h>

#include "util/buf.h"

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
