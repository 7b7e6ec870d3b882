#include "es/path.h"

#include <stdbool.h>
#include <string.h>

#include "util/buf.h"

char *es_escape_path_segment(const char *segment)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	const unsigned char *p;
	int err = 0;

	/* "." and ".." are dot segments, which a client or proxy may remove
	 * (RFC 3986 5.2.4): POST /_security/user/./_password would change the
	 * password of whoever sends it. Encoded, they are names like any other. */
	bool dot_segment = !strcmp(segment, ".") || !strcmp(segment, "..");

	buf_init(&b, BUF_SMALL_MAX);
	for (p = (const unsigned char *)segment; *p && !err; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || (*p == '.' && !dot_segment) ||
			     *p == '~';
		if (plain) {
			err = buf_append(&b, p, 1);
		} else {
			char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			err = buf_append(&b, enc, 3);
		}
	}
	if (err) {
		buf_dispose(&b);
		return NULL;
	}
	return buf_detach(&b);
}
