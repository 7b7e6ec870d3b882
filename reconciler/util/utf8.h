/* utf8: validation of UTF-8 text (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF). Pure functions over caller-owned bytes. */
#ifndef ESR_UTIL_UTF8_H
#define ESR_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when data[0..len) is valid UTF-8. Otherwise returns false and, when
 * bad_offset is not NULL, stores the byte offset of the first invalid sequence. */
bool utf8_valid(const char *data, size_t len, size_t *bad_offset);

/* The length of the valid UTF-8 sequence at p (at most left bytes): 1 to 4,
 * or 0 when p does not start one. */
size_t utf8_sequence_length(const char *p, size_t left);

/* A copy of text (NUL-terminated) with each byte that starts no valid sequence
 * replaced by U+FFFD, so that it can go into a JSON output. The caller frees
 * it; NULL when memory is short. */
char *utf8_scrub(const char *text);

#endif
