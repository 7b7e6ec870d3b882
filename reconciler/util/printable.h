/* printable: text that came from a server (names, error reasons) made safe to
 * print on a terminal, where an escape sequence could rewrite what the
 * operator sees. */
#ifndef ESR_UTIL_PRINTABLE_H
#define ESR_UTIL_PRINTABLE_H

#include "util/buf.h"

/* Appends s with every control character (C0, DEL, and the C1 range
 * U+0080..U+009F) written as \uXXXX and every byte that starts no valid
 * UTF-8 sequence as \xNN; the rest as it is. Returns 0 or a negative errno. */
int printable_append(struct buf *out, const char *s);

/* The same into a new string the caller frees; NULL when memory is short. */
char *printable_dup(const char *s);

#endif
