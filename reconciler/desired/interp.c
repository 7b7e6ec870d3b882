#include "desired/interp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/regular_file.h"
#include "util/strlist.h"
#include "util/utf8.h"

bool interp_needed(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	/* asked of every scalar, nearly all without a '$': let memchr skip them */
	while ((p = memchr(p, '$', (size_t)(end - p))) != NULL && ++p < end)
		if (*p == '{' || *p == '$')
			return true;
	return false;
}

char *interp_resolve_path(const char *base_dir, const char *path)
{
	struct buf joined;

	if (path[0] == '/' || !base_dir || !base_dir[0] || !strcmp(base_dir, "."))
		return strdup(path);
	buf_init(&joined, (size_t)1 << 16);
	if (buf_printf(&joined, "%s/%s", base_dir, path)) {
		buf_dispose(&joined);
		return NULL;
	}
	return buf_detach(&joined);
}

char *interp_base_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup("");
}

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int fail(const char **out_code, const char *code, struct buf *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(const char **out_code, const char *code, struct buf *why, const char *fmt, ...)
{
	va_list ap;
	int err;

	*out_code = code;
	va_start(ap, fmt);
	err = buf_vprintf(why, fmt, ap);
	va_end(ap);
	return err ? err : -EINVAL;
}

/* A reference that cannot be resolved here, recorded as a placeholder. */
static int defer(struct interp_placeholders *placeholders, const char *name, bool *out_placeholder)
{
	*out_placeholder = true;
	return strlist_append(&placeholders->names, &placeholders->count, name);
}

static int append_file(struct buf *out, const char **out_code, const char *base_dir,
		       const char *path, struct interp_placeholders *placeholders, bool *out_placeholder,
		       struct buf *why)
{
	struct buf content;
	char *resolved = interp_resolve_path(base_dir, path);
	FILE *f = NULL;
	int err = -ENOMEM;

	buf_init(&content, INTERP_FILE_MAX);
	if (!resolved)
		goto done;
	f = regular_file_open(resolved, false);
	if (!f && errno == ENOENT && placeholders) {
		struct buf name;

		buf_init(&name, BUF_SMALL_MAX);
		err = buf_printf(&name, "file:%s", path);
		if (!err)
			err = defer(placeholders, name.data, out_placeholder);
		buf_dispose(&name);
		goto done;
	}
	if (!f) {
		err = fail(out_code, "unreadable-file", why, "cannot read ${file:%s}: %s", path,
			   errno == EINVAL ? "not a regular file" : strerror(errno));
		goto done;
	}
	err = buf_append_stream(&content, f);
	if (err == -ENOSPC) {
		err = fail(out_code, "unreadable-file", why, "${file:%s} is larger than 1 MiB", path);
		goto done;
	}
	if (err == -EIO) {
		err = fail(out_code, "unreadable-file", why, "cannot read ${file:%s}: %s", path,
			   strerror(errno));
		goto done;
	}
	if (err)
		goto done;
	if (content.len && content.data[content.len - 1] == '\n') {
		content.len--;
		if (content.len && content.data[content.len - 1] == '\r')
			content.len--;
	}
	if ((content.len && memchr(content.data, '\0', content.len)) ||
	    !utf8_valid(content.data, content.len, NULL)) {
		err = fail(out_code, "unreadable-file", why, "${file:%s} is not UTF-8 text", path);
		goto done;
	}
	err = buf_append(out, content.data ? content.data : "", content.len);
done:
	if (f)
		fclose(f);
	if (content.data)
		memset(content.data, 0, content.cap); /* it may be a secret */
	buf_dispose(&content);
	free(resolved);
	return err;
}

/* Expands the reference ref[0..len) (what is between "${" and "}"). */
static int expand_reference(struct buf *out, const char **out_code, const char *ref, size_t len,
			    const char *base_dir, struct interp_placeholders *placeholders,
			    bool *out_placeholder, struct buf *why)
{
	char *copy = strndup(ref, len), *sep;
	const char *value;
	size_t i;
	int err;

	if (!copy)
		return -ENOMEM;
	if (!strncmp(copy, "file:", 5)) {
		if (!copy[5])
			err = fail(out_code, "interpolation-syntax", why, "${file:} needs a path");
		else
			err = append_file(out, out_code, base_dir, copy + 5, placeholders, out_placeholder, why);
		goto done;
	}
	sep = strstr(copy, ":-");
	if (sep)
		*sep = '\0';
	for (i = 0; copy[i]; i++)
		if (!is_name_char(copy[i]))
			break;
	if (!is_name_start(copy[0]) || copy[i]) {
		err = fail(out_code, "interpolation-syntax", why, "invalid variable name [%s] in ${...}: "
			   "use ${NAME}, ${NAME:-default} or ${file:PATH}", copy);
		goto done;
	}
	value = getenv(copy);
	if (sep && (!value || !value[0]))
		value = sep + 2;
	if (!value && placeholders) {
		err = defer(placeholders, copy, out_placeholder);
		goto done;
	}
	if (!value) {
		err = fail(out_code, "unset-variable", why, "environment variable [%s] is not set", copy);
		goto done;
	}
	err = buf_puts(out, value);
done:
	free(copy);
	return err;
}

int interp_expand(char **out, size_t *out_len, bool *out_expanded, bool *out_placeholder,
		  const char **out_code, const char *text, size_t len, const char *base_dir,
		  struct interp_placeholders *placeholders, struct buf *why)
{
	struct buf result;
	const char *close;
	bool expanded = false, placeholder = false;
	size_t i = 0;
	int err = 0;

	buf_init(&result, INTERP_FILE_MAX * 4);
	while (!err && i < len) {
		if (text[i] == '$' && i + 2 < len && text[i + 1] == '$' && text[i + 2] == '{') {
			err = buf_puts(&result, "${");
			i += 3;
		} else if (text[i] == '$' && i + 1 < len && text[i + 1] == '{') {
			close = memchr(text + i + 2, '}', len - i - 2);
			if (!close) {
				err = fail(out_code, "interpolation-syntax", why, "unterminated ${ (write $${ "
					   "for a literal ${)");
				break;
			}
			err = expand_reference(&result, out_code, text + i + 2,
					       (size_t)(close - (text + i + 2)), base_dir, placeholders,
					       &placeholder, why);
			expanded = true;
			i = (size_t)(close - text) + 1;
		} else {
			err = buf_append(&result, text + i, 1);
			i++;
		}
	}
	if (err == -ENOSPC)
		err = fail(out_code, "interpolation-syntax", why, "value too long after interpolation");
	if (err) {
		if (result.data)
			memset(result.data, 0, result.cap);
		buf_dispose(&result);
		return err;
	}
	if (placeholder) {
		/* the value is unknown: the text as written stands in for it */
		if (result.data)
			memset(result.data, 0, result.cap); /* what was expanded may be a secret */
		buf_reset(&result);
		err = buf_append(&result, text, len);
		if (err) {
			buf_dispose(&result);
			return err;
		}
	}
	*out_len = result.len;
	*out = buf_detach(&result);
	if (!*out)
		return -ENOMEM;
	*out_expanded = expanded;
	*out_placeholder = placeholder;
	return 0;
}
