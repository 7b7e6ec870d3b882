#include "util/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json_text.h"

void diag_list_init(struct diag_list *list)
{
	memset(list, 0, sizeof(*list));
}

static void diag_dispose(struct diag *d)
{
	free(d->file);
	free(d->code);
	free(d->message);
	free(d->hint);
	free(d->source_line);
}

void diag_list_dispose(struct diag_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		diag_dispose(&list->items[i]);
	free(list->items);
	diag_list_init(list);
}

static int dup_optional(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int diag_add(struct diag_list *list, enum diag_severity severity, const char *file, int line,
	     int column, const char *code, const char *hint, const char *source_line,
	     const char *fmt, ...)
{
	struct diag d = { 0 };
	struct diag *grown;
	va_list ap;
	int err;

	if (severity == DIAG_ERROR)
		list->errors++;
	if (list->count >= DIAG_MAX_REPORTED) {
		list->dropped++;
		return 0;
	}
	va_start(ap, fmt);
	d.message = buf_vformat(fmt, ap);
	va_end(ap);
	d.severity = severity;
	d.line = line;
	d.column = column;
	err = -ENOMEM;
	if (!d.message || dup_optional(&d.file, file) || dup_optional(&d.code, code) ||
	    dup_optional(&d.hint, hint) || dup_optional(&d.source_line, source_line))
		goto done;
	grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
	if (!grown)
		goto done;
	list->items = grown;
	list->items[list->count++] = d;
	memset(&d, 0, sizeof(d));
	err = 0;
done:
	diag_dispose(&d);
	return err;
}

bool diag_has_errors(const struct diag_list *list)
{
	return list->errors > 0;
}

/* The caret goes under the column counted in characters (UTF-8 code points),
 * and tabs are copied so it lines up however the terminal expands them. */
static int append_caret_line(struct buf *out, const char *source, int column)
{
	const unsigned char *p = (const unsigned char *)source;
	int col = 1, err = 0;

	while (!err && *p && col < column) {
		if (*p == '\t')
			err = buf_puts(out, "\t");
		else if ((*p & 0xC0) != 0x80)
			err = buf_puts(out, " ");
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
		col++;
	}
	return err ? err : buf_puts(out, "^\n");
}

static int format_text(struct buf *out, const struct diag *d, bool color)
{
	const char *sev = d->severity == DIAG_ERROR ? "error" : "warning";
	const char *sev_color = d->severity == DIAG_ERROR ? "\033[1;31m" : "\033[1;35m";
	int err = 0;

	if (d->file && d->line > 0)
		err = buf_printf(out, "%s:%d:%d: ", d->file, d->line, d->column > 0 ? d->column : 1);
	else if (d->file)
		err = buf_printf(out, "%s: ", d->file);
	if (!err)
		err = buf_printf(out, "%s%s:%s %s\n", color ? sev_color : "", sev,
				 color ? "\033[0m" : "", d->message);
	if (!err && d->source_line && d->line > 0) {
		err = buf_printf(out, "%s\n", d->source_line);
		if (!err && d->column > 0) {
			if (color)
				err = buf_puts(out, "\033[1;32m");
			if (!err)
				err = append_caret_line(out, d->source_line, d->column);
			if (!err && color) {
				/* the colour reset goes before the newline the caret line ends with */
				out->len--;
				err = buf_puts(out, "\033[0m\n");
			}
		}
	}
	if (!err && d->hint)
		err = buf_printf(out, "  hint: %s\n", d->hint);
	return err;
}

int diag_print_text(const struct diag_list *list, FILE *out, bool color)
{
	struct buf text;
	size_t i;
	int err = 0;

	buf_init(&text, (size_t)64 << 20);
	for (i = 0; !err && i < list->count; i++)
		err = format_text(&text, &list->items[i], color);
	if (!err && list->dropped)
		err = buf_printf(&text, "... and %zu more problems not shown\n", list->dropped);
	if (!err && text.len && fwrite(text.data, 1, text.len, out) != text.len)
		err = -EIO;
	buf_dispose(&text);
	return err;
}

static int format_json(struct buf *out, const struct diag *d)
{
	int err = buf_puts(out, "{\"file\":");

	if (!err)
		err = d->file ? json_text_append_string(out, d->file) : buf_puts(out, "null");
	if (!err)
		err = buf_printf(out, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\",\"code\":",
				 d->line, d->column, d->severity == DIAG_ERROR ? "error" : "warning");
	if (!err)
		err = json_text_append_string(out, d->code);
	if (!err)
		err = buf_puts(out, ",\"message\":");
	if (!err)
		err = json_text_append_string(out, d->message);
	if (!err && d->hint) {
		err = buf_puts(out, ",\"hint\":");
		if (!err)
			err = json_text_append_string(out, d->hint);
	}
	return err ? err : buf_puts(out, "}");
}

int diag_print_json(const struct diag_list *list, FILE *out)
{
	struct buf text;
	size_t i;
	int err;

	buf_init(&text, (size_t)64 << 20);
	err = buf_puts(&text, "[");
	for (i = 0; !err && i < list->count; i++) {
		if (i)
			err = buf_puts(&text, ",\n ");
		if (!err)
			err = format_json(&text, &list->items[i]);
	}
	if (!err)
		err = buf_puts(&text, "]\n");
	if (!err && fwrite(text.data, 1, text.len, out) != text.len)
		err = -EIO;
	buf_dispose(&text);
	return err;
}
