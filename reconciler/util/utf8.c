#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

/* Length of the sequence starting at p (at most `left` bytes), or 0 when invalid. */
static size_t sequence_length(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t need, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

bool utf8_valid(const char *data, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t off = 0, n;

	while (off < len) {
		if (p[off] < 0x80) { /* ASCII runs are most of every file: 8 bytes a step */
			uint64_t word;

			while (len - off >= sizeof(word)) {
				memcpy(&word, p + off, sizeof(word));
				if (word & UINT64_C(0x8080808080808080))
					break;
				off += sizeof(word);
			}
			while (off < len && p[off] < 0x80)
				off++;
			continue;
		}
		n = sequence_length(p + off, len - off);
		if (!n) {
			if (bad_offset)
				*bad_offset = off;
			return false;
		}
		off += n;
	}
	return true;
}
