#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_sequence_length(const char *text, size_t left)
{
	const unsigned char *p = (const unsigned char *)text;
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
		n = utf8_sequence_length(data + off, len - off);
		if (!n) {
			if (bad_offset)
				*bad_offset = off;
			return false;
		}
		off += n;
	}
	return true;
}

char *utf8_scrub(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text), off = 0, n, bad = 0;
	char *out, *w;

	if (utf8_valid(text, len, &off))
		return strdup(text);
	for (off = 0; off < len; off += n ? n : 1)
		if (!(n = utf8_sequence_length(text + off, len - off)))
			bad++;
	/* each bad byte (1) becomes U+FFFD (3) */
	out = malloc(len + 2 * bad + 1);
	if (!out)
		return NULL;
	for (off = 0, w = out; off < len; off += n ? n : 1) {
		n = utf8_sequence_length(text + off, len - off);
		if (n) {
			memcpy(w, p + off, n);
			w += n;
		} else {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
		}
	}
	*w = '\0';
	return out;
}
