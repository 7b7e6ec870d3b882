/* json_text: JSON string escaping for code that writes JSON by hand (logs,
 * diagnostics) without building a cJSON tree. */
#ifndef ESR_UTIL_JSON_TEXT_H
#define ESR_UTIL_JSON_TEXT_H

#include "util/buf.h"

/* Appends s as a quoted, escaped JSON string; bytes that are not UTF-8 become
 * \ufffd, so the output is valid JSON whatever s holds. Returns 0 or a negative errno. */
int json_text_append_string(struct buf *out, const char *s);

/* Orders two strings as strcmp orders their JSON texts (what
 * json_text_append_string appends), without writing either: <0, 0 or >0. */
int json_text_compare_strings(const char *a, const char *b);

#endif
