#include "util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *grown;

	if (extra > b->max || b->len > b->max - extra)
		return -ENOSPC;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	grown = realloc(b->data, cap);
	if (!grown)
		return -ENOMEM;
	b->data = grown;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int err = buf_reserve(b, len);

	if (err)
		return err;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_append_stream(struct buf *b, FILE *f)
{
	char chunk[1 << 14];
	size_t n;
	int err = 0;

	while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = buf_append(b, chunk, n);
	if (!err && ferror(f))
		err = -EIO;
	explicit_bzero(chunk, sizeof(chunk)); /* a file may hold a secret */
	return err;
}

int buf_append_file(struct buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	int err;

	if (!f)
		return -errno;
	err = buf_append_stream(b, f);
	fclose(f);
	return err;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n, err;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return -EINVAL;
	err = buf_reserve(b, (size_t)n);
	if (err)
		return err;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

char *buf_vformat(const char *fmt, va_list ap)
{
	struct buf text;
	char *s = NULL;

	buf_init(&text, BUF_SMALL_MAX);
	if (!buf_vprintf(&text, fmt, ap))
		s = buf_detach(&text);
	buf_dispose(&text);
	return s;
}

char *buf_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = buf_vformat(fmt, ap);
	va_end(ap);
	return s;
}

char *buf_detach(struct buf *b)
{
	char *out = b->data;

	if (!out)
		out = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return out;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_dispose(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
