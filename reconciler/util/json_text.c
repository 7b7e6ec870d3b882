#include "util/json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

/* A byte that stands for itself in a JSON string: printable ASCII but the
 * quote and the backslash. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

/* The text that stands for the character at s[0..len) (len > 0) in a JSON
 * string: *text (s itself, a constant, or scratch) of the returned length,
 * with *consumed the bytes of s it stands for. */
static size_t escape_one(const char **text, char scratch[8], const unsigned char *s, size_t len,
			 size_t *consumed)
{
	size_t n = utf8_sequence_length((const char *)s, len);

	*consumed = n > 1 ? n : 1;
	*text = (const char *)s;
	if (n > 1)
		return n;
	switch (s[0]) {
	case '"': *text = "\\\""; return 2;
	case '\\': *text = "\\\\"; return 2;
	case '\n': *text = "\\n"; return 2;
	case '\r': *text = "\\r"; return 2;
	case '\t': *text = "\\t"; return 2;
	}
	if (!n) { /* not UTF-8: the output stays valid JSON text */
		*text = "\\ufffd";
		return 6;
	}
	if (s[0] < 0x20 || s[0] == 0x7F) {
		snprintf(scratch, 8, "\\u%04x", s[0]);
		*text = scratch;
		return 6;
	}
	return 1;
}

int json_text_append_string(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, off, start, consumed, n;
	const char *escaped;
	char scratch[8];
	int err;

	for (off = 0; p[off] && plain(p[off]); off++)
		;
	if (!p[off]) { /* nothing to escape, as most strings: one copy */
		if ((err = buf_reserve(out, off + 2)))
			return err;
		out->data[out->len] = '"';
		memcpy(out->data + out->len + 1, s, off);
		out->data[out->len + 1 + off] = '"';
		out->len += off + 2;
		out->data[out->len] = '\0';
		return 0;
	}
	len = off + strlen(s + off);
	err = buf_putc(out, '"');
	if (!err && off)
		err = buf_append(out, s, off);
	while (!err && off < len) {
		/* runs of plain bytes go in at once: most text is nothing else */
		for (start = off; off < len && plain(p[off]); off++)
			;
		if (off > start)
			err = buf_append(out, p + start, off - start);
		if (err || off == len)
			break;
		n = escape_one(&escaped, scratch, p + off, len - off, &consumed);
		err = buf_append(out, escaped, n);
		off += consumed;
	}
	return err ? err : buf_putc(out, '"');
}

/* Reads the JSON text of a string (without its opening quote) byte by byte. */
struct escaped_cursor {
	const unsigned char *s;
	size_t len, off;
	const char *pending;
	char scratch[8];
	size_t pending_len, pending_pos;
	bool closed;
};

/* The next byte, or -1 after the closing quote. */
static int cursor_next(struct escaped_cursor *c)
{
	size_t consumed;

	if (c->pending_pos == c->pending_len) {
		if (c->off == c->len) {
			if (c->closed)
				return -1;
			c->closed = true;
			return '"';
		}
		if (plain(c->s[c->off]))
			return c->s[c->off++];
		c->pending_len = escape_one(&c->pending, c->scratch, c->s + c->off, c->len - c->off, &consumed);
		c->pending_pos = 0;
		c->off += consumed;
	}
	return (unsigned char)c->pending[c->pending_pos++];
}

int json_text_compare_strings(const char *a, const char *b)
{
	struct escaped_cursor x = { 0 }, y = { 0 };
	int cx, cy;

	/* a common plain prefix reads the same in both texts */
	while (*a && *a == *b && plain((unsigned char)*a)) {
		a++;
		b++;
	}
	x.s = (const unsigned char *)a;
	x.len = strlen(a);
	y.s = (const unsigned char *)b;
	y.len = strlen(b);
	do {
		cx = cursor_next(&x);
		cy = cursor_next(&y);
	} while (cx == cy && cx >= 0);
	return cx < cy ? -1 : cx > cy;
}
