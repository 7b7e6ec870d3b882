#include "util/printable.h"

#include <string.h>

#include "util/utf8.h"

int printable_append(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), off = 0, n;
	unsigned int cp;
	int err = 0;

	while (!err && off < len) {
		n = utf8_sequence_length(s + off, len - off);
		if (!n) {
			err = buf_printf(out, "\\x%02x", p[off]);
			off++;
			continue;
		}
		cp = n == 1 ? p[off] : n == 2 ? ((p[off] & 0x1Fu) << 6) | (p[off + 1] & 0x3Fu) : 0x100;
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			err = buf_printf(out, "\\u%04x", cp);
		else
			err = buf_append(out, p + off, n);
		off += n;
	}
	return err;
}

char *printable_dup(const char *s)
{
	struct buf out;
	char *copy = NULL;

	buf_init(&out, BUF_SMALL_MAX);
	if (!buf_puts(&out, "") && !printable_append(&out, s))
		copy = buf_detach(&out);
	buf_dispose(&out);
	return copy;
}
