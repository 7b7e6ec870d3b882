#include "util/json_text.h"

#include <string.h>

#include "util/utf8.h"

int json_text_append_string(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), off = 0, n;
	int err = buf_puts(out, "\"");

	while (!err && off < len) {
		n = utf8_sequence_length(s + off, len - off);
		if (n > 1) {
			err = buf_append(out, p + off, n);
			off += n;
			continue;
		}
		switch (p[off]) {
		case '"': err = buf_puts(out, "\\\""); break;
		case '\\': err = buf_puts(out, "\\\\"); break;
		case '\n': err = buf_puts(out, "\\n"); break;
		case '\r': err = buf_puts(out, "\\r"); break;
		case '\t': err = buf_puts(out, "\\t"); break;
		default:
			if (!n) /* not UTF-8: the output stays valid JSON text */
				err = buf_puts(out, "\\ufffd");
			else if (p[off] < 0x20 || p[off] == 0x7F)
				err = buf_printf(out, "\\u%04x", p[off]);
			else
				err = buf_append(out, p + off, 1);
		}
		off++;
	}
	return err ? err : buf_puts(out, "\"");
}
