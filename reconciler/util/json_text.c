#include "util/json_text.h"

int json_text_append_string(struct buf *out, const char *s)
{
	int err = buf_puts(out, "\"");
	const unsigned char *p;

	for (p = (const unsigned char *)s; !err && *p; p++) {
		switch (*p) {
		case '"': err = buf_puts(out, "\\\""); break;
		case '\\': err = buf_puts(out, "\\\\"); break;
		case '\n': err = buf_puts(out, "\\n"); break;
		case '\r': err = buf_puts(out, "\\r"); break;
		case '\t': err = buf_puts(out, "\\t"); break;
		default:
			if (*p < 0x20)
				err = buf_printf(out, "\\u%04x", *p);
			else
				err = buf_append(out, p, 1);
		}
	}
	return err ? err : buf_puts(out, "\"");
}
