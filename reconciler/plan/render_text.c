/* render_text: the plan for people, Terraform-like (design §4). */
#include <errno.h>
#include <stdlib.h>

#include "plan/plan_internal.h"
#include "util/printable.h"

#define COLOR_RESET "\033[0m"
#define COLOR_BOLD "\033[1m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_RED "\033[31m"

struct style {
	bool color;
};

static const char *paint(const struct style *s, const char *code)
{
	return s->color ? code : "";
}

/* value: JSON text, or NULL for none */
static int put_value(struct buf *out, const char *value, bool sensitive)
{
	if (sensitive && value)
		return buf_puts(out, SECRET_PLACEHOLDER);
	return value ? printable_append(out, value) : buf_puts(out, "(none)");
}

static int put_fields(struct buf *out, const struct plan_change *c, const struct plan_fields *fields)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < fields->count; i++) {
		const struct field_change *f = &fields->items[i];

		err = buf_puts(out, "      ");
		if (!err)
			err = printable_append(out, f->path);
		if (!err)
			err = buf_puts(out, ": ");
		if (err)
			break;
		if (c->action == ACTION_CREATE) {
			err = put_value(out, f->after, f->sensitive);
		} else if (c->action == ACTION_DELETE) {
			err = put_value(out, f->before, f->sensitive);
		} else {
			err = put_value(out, f->before, f->sensitive);
			if (!err)
				err = buf_puts(out, " \xe2\x86\x92 "); /* → */
			if (!err)
				err = put_value(out, f->after, f->sensitive);
		}
		if (!err)
			err = buf_puts(out, "\n");
	}
	return err;
}

static int put_change(struct buf *out, const struct style *s, const struct cluster_plan *cp,
		      const struct plan_cluster_view *v, size_t index)
{
	const struct plan_change *c = &cp->changes[index];
	struct plan_fields fields;
	static const char *const marks[] = { "+", "~", "-", "!" };
	const char *colors[] = { COLOR_GREEN, COLOR_YELLOW, COLOR_RED, COLOR_RED };
	int err;

	/* names and problems may come from a server: printed escaped */
	err = buf_printf(out, "  %s%s%s %s ", paint(s, colors[c->action]), marks[c->action],
			 paint(s, COLOR_RESET), resource_kind_name(c->kind));
	if (!err)
		err = printable_append(out, c->name);
	if (!err && c->problem)
		err = buf_puts(out, ": ");
	if (!err && c->problem)
		err = printable_append(out, c->problem);
	if (!err)
		err = buf_puts(out, "\n");
	if (err || (err = plan_change_fields(&fields, cp, v, index)))
		return err;
	err = put_fields(out, c, &fields);
	plan_fields_dispose(&fields);
	return err;
}

/* before, then text from a server escaped, then after. */
static int put_line(struct buf *out, const char *before, const char *text, const char *after)
{
	int err = buf_puts(out, before);

	if (!err)
		err = printable_append(out, text);
	return err ? err : buf_puts(out, after);
}

static int put_cluster(struct buf *out, const struct style *s, const struct cluster_plan *cp)
{
	struct plan_cluster_view v = { 0 };
	bool folded = false;
	size_t i;
	int err;

	/* clusters in sync say nothing; the summary line covers them */
	if (cp->reachable && !cp->change_count && !cp->warning_count)
		return 0;
	err = buf_printf(out, "%sCluster %s%s", paint(s, COLOR_BOLD), cp->cluster_id, paint(s, COLOR_RESET));
	if (!err && cp->version)
		err = put_line(out, " (", cp->version, ")");
	if (!err)
		err = buf_puts(out, "\n");
	if (!err && !cp->reachable)
		err = buf_printf(out, "  %s!%s cluster %s: ", paint(s, COLOR_RED), paint(s, COLOR_RESET),
				 cp->cluster_id);
	if (!err && !cp->reachable)
		err = put_line(out, "", cp->error ? cp->error : "unreachable", "\n");
	/* the bodies are parsed only for the fields they hold (a create's) */
	for (i = 0; !folded && i < cp->change_count; i++)
		folded = cp->changes[i].fields_in_request;
	if (!err && folded && (err = plan_cluster_view_init(&v, cp)))
		return err;
	for (i = 0; !err && i < cp->change_count; i++)
		err = put_change(out, s, cp, &v, i);
	plan_cluster_view_dispose(&v);
	for (i = 0; !err && i < cp->warning_count; i++)
		err = put_line(out, "  warning: ", cp->warnings[i], "\n");
	return err ? err : buf_puts(out, "\n");
}

int plan_render_text(struct buf *out, const struct plan *plan, bool color)
{
	const struct plan_summary *sum = &plan->summary;
	struct style s = { color };
	size_t i;
	int err = 0;

	for (i = 0; !err && i < plan->cluster_count; i++)
		err = put_cluster(out, &s, &plan->clusters[i]);
	if (err)
		return err;
	if (!sum->create && !sum->update && !sum->remove && !sum->problems)
		return buf_puts(out, "No changes. Live state matches the desired state.\n");
	err = buf_printf(out, "%sPlan:%s %zu to create, %zu to update, %zu to delete.\n", paint(&s, COLOR_BOLD),
			 paint(&s, COLOR_RESET), sum->create, sum->update, sum->remove);
	if (!err && sum->problems)
		err = buf_printf(out, "%zu problem%s (marked !) must be fixed first.\n", sum->problems,
				 sum->problems == 1 ? "" : "s");
	return err;
}
