/* buf: a growable byte buffer with a mandatory size cap.
 *
 * The caller owns the struct; buf_dispose() frees its contents. data is always
 * NUL-terminated once anything has been appended, so it can be used as a string.
 * Appending past max fails with -ENOSPC and leaves the buffer unchanged. */
#ifndef ESR_UTIL_BUF_H
#define ESR_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Default cap for buffers that hold messages and small documents. */
#define BUF_SMALL_MAX ((size_t)1 << 20)

void buf_init(struct buf *b, size_t max);
/* Makes room for extra more bytes (and the NUL) without appending: then
 * data[len .. len + extra] may be written, len moved and data[len] set to NUL
 * by the caller. Returns 0, -ENOMEM or -ENOSPC (past max). */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
/* One byte, as buf_append(b, &c, 1), without a call while there is room. */
static inline int buf_putc(struct buf *b, char c)
{
	if (b->len + 2 <= b->cap && b->len < b->max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}
int buf_puts(struct buf *b, const char *s);
/* Appends what is left to read of f (the caller's, left open). Returns 0,
 * -ENOSPC (past max), -ENOMEM, or -EIO when reading failed (errno says why);
 * on failure the buffer may hold part of it. */
int buf_append_stream(struct buf *b, FILE *f);
/* buf_append_stream() of the file at path; or the negative errno of fopen(). */
int buf_append_file(struct buf *b, const char *path);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* A new string formatted like vprintf, capped at BUF_SMALL_MAX; the caller
 * frees it. NULL when memory runs out or the text exceeds the cap. */
char *buf_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *buf_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Hands the contents to the caller (who frees them) and resets the buffer. Never NULL
 * unless allocation fails: an empty buffer yields "". */
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
void buf_dispose(struct buf *b);

#endif
