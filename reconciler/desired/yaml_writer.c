#include "desired/yaml_writer.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A flow list longer than this goes on lines of its own. */
#define FLOW_WIDTH 100

/* Words a YAML 1.1 reader (or the loader's YAML 1.1 check) takes for a boolean or null. */
static const char *const special_words[] = {
	"true", "false", "null", "yes", "no", "on", "off", "y", "n", NULL,
};

/* Plain only for names: a letter or '_' first, then letters, digits and
 * _ . - / *. Nothing else can then read as a number, boolean, null, alias,
 * comment or mapping. */
static bool plain_safe(const char *s)
{
	const char *p;
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_.-/*", *p)))
			return false;
	for (i = 0; special_words[i]; i++)
		if (!strcasecmp(s, special_words[i]))
			return false;
	return true;
}

static int write_quoted(struct buf *out, const char *s)
{
	const unsigned char *p;
	int err = buf_puts(out, "\"");

	for (p = (const unsigned char *)s; *p && !err; p++) {
		if (*p == '"' || *p == '\\')
			err = buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			err = buf_puts(out, "\\n");
		else if (*p == '\t')
			err = buf_puts(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			err = buf_printf(out, "\\x%02x", *p);
		else if (*p == '$' && p[1] == '{')
			err = buf_puts(out, "$$"); /* "${" reads back as itself, not as a variable */
		else
			err = buf_append(out, p, 1);
	}
	return err ? err : buf_puts(out, "\"");
}

int yaml_write_string(struct buf *out, const char *s)
{
	return plain_safe(s) ? buf_puts(out, s) : write_quoted(out, s);
}

static int write_number(struct buf *out, double value)
{
	if (isfinite(value) && value == trunc(value) && fabs(value) < 9007199254740992.0)
		return buf_printf(out, "%.0f", value);
	return buf_printf(out, "%.17g", value);
}

/* A scalar, an empty list or mapping, or a raw value, on the current line. */
static int write_inline(struct buf *out, const cJSON *node)
{
	if (cJSON_IsRaw(node))
		return buf_puts(out, node->valuestring);
	if (cJSON_IsString(node))
		return yaml_write_string(out, node->valuestring);
	if (cJSON_IsNumber(node))
		return write_number(out, node->valuedouble);
	if (cJSON_IsBool(node))
		return buf_puts(out, cJSON_IsTrue(node) ? "true" : "false");
	if (cJSON_IsArray(node))
		return buf_puts(out, "[]");
	if (cJSON_IsObject(node))
		return buf_puts(out, "{}");
	return buf_puts(out, "null");
}

static bool is_scalar(const cJSON *node)
{
	return !cJSON_IsArray(node) && !cJSON_IsObject(node);
}

static bool all_scalars(const cJSON *list)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, list) {
		if (!is_scalar(item))
			return false;
	}
	return true;
}

/* [a, b, c] into out, or -E2BIG when it would pass FLOW_WIDTH from column. */
static int write_flow(struct buf *out, const cJSON *list, size_t column)
{
	size_t start = out->len;
	const cJSON *item;
	int err = buf_puts(out, "[");

	cJSON_ArrayForEach(item, list) {
		if (!err && item != list->child)
			err = buf_puts(out, ", ");
		if (!err)
			err = write_inline(out, item);
	}
	if (!err)
		err = buf_puts(out, "]");
	if (!err && column + out->len - start > FLOW_WIDTH)
		err = -E2BIG;
	if (err) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return err;
}

static int indent(struct buf *out, int depth)
{
	return buf_printf(out, "%*s", depth * 2, "");
}

static int write_comment(struct buf *out, const char *text, int depth)
{
	const char *line = text, *end;
	int err = 0;

	while (!err && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		err = indent(out, depth);
		if (!err)
			err = buf_printf(out, "#%s%.*s\n", end > line ? " " : "", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
	return err;
}

static int write_mapping(struct buf *out, const cJSON *map, int depth, bool first_inline);

/* The value after "key:" (or "- "): inline, or on the next lines at depth. */
static int write_value(struct buf *out, const cJSON *value, int depth, size_t column)
{
	const cJSON *item;
	int err;

	if (is_scalar(value) || !value->child)
		return (err = buf_puts(out, " ")) ? err : ((err = write_inline(out, value)) ? err : buf_puts(out, "\n"));
	if (cJSON_IsObject(value))
		return (err = buf_puts(out, "\n")) ? err : write_mapping(out, value, depth, false);
	if (all_scalars(value)) {
		err = buf_puts(out, " ");
		if (!err && !(err = write_flow(out, value, column + 1)))
			return buf_puts(out, "\n");
		if (err != -E2BIG)
			return err;
		/* too long for one line: a block list below */
		out->len--;
		out->data[out->len] = '\0';
	}
	err = buf_puts(out, "\n");
	cJSON_ArrayForEach(item, value) {
		if (!err)
			err = indent(out, depth);
		if (!err)
			err = buf_puts(out, "-");
		if (err)
			break;
		if (cJSON_IsObject(item) && item->child)
			err = (err = buf_puts(out, " ")) ? err : write_mapping(out, item, depth + 1, true);
		else
			err = write_value(out, item, depth + 1, (size_t)depth * 2 + 1);
	}
	return err;
}

/* Each member as "key: value" at depth; with first_inline, the first line
 * continues a "- " already written. At the top, sections are apart. */
static int write_mapping(struct buf *out, const cJSON *map, int depth, bool first_inline)
{
	const cJSON *item;
	size_t column;
	int err = 0;

	cJSON_ArrayForEach(item, map) {
		if (!item->string)
			continue;
		if (!depth && item != map->child && !(cJSON_IsRaw(item->prev) && !item->prev->string[0]))
			err = buf_puts(out, "\n");
		if (!err && cJSON_IsRaw(item) && !item->string[0]) {
			err = write_comment(out, item->valuestring, depth);
			if (!err && first_inline && item == map->child)
				err = indent(out, depth); /* the first key's place after "- " */
			continue;
		}
		if (!err && !(first_inline && item == map->child))
			err = indent(out, depth);
		column = out->len;
		if (!err)
			err = yaml_write_string(out, item->string);
		if (!err)
			err = buf_puts(out, ":");
		if (!err)
			err = write_value(out, item, depth + 1, (size_t)depth * 2 + out->len - column + 1);
		if (err)
			break;
	}
	return err;
}

int yaml_write_document(struct buf *out, const cJSON *document)
{
	if (!cJSON_IsObject(document))
		return -EINVAL;
	return write_mapping(out, document, 0, false);
}
