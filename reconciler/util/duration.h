/* duration: Elasticsearch time values ("30s", "1m", "500ms", "2h", "1d", "-1").
 *
 * Parsing follows TimeValue.parseTimeValue exactly: the text is lowercased and
 * trimmed, then a unit suffix is looked for (nanos, micros, ms, s, m, h, d; "m"
 * only in lower case in the original text, since "M" would mean months), the rest
 * trimmed again must be a whole number >= -1 ("+5s" and "-1s" pass, "-2s" does not).
 * Without a unit only "-1" (also "-01") and "0" (also "000") are accepted.
 * Fractional values ("1.5s") are rejected, as Elasticsearch does. */
#ifndef ESR_UTIL_DURATION_H
#define ESR_UTIL_DURATION_H

#include "util/buf.h"

/* Parses text into nanoseconds, exact, for comparing "60s" with "1m"; any -1 value
 * ("-1", "-1s") gives -1. Returns 0, or -EINVAL (not a time value), -ERANGE (too
 * large to count in nanoseconds). */
int duration_parse_ns(const char *text, long long *out_ns);
/* The same in milliseconds (rounded down; -1 stays -1). */
int duration_parse_ms(const char *text, long *out_ms);
/* Like duration_parse_ns, and on failure appends Elasticsearch's message to why,
 * e.g. "failed to parse setting [timeout] with value [5x] as a time value: unit is
 * missing or unrecognized". Returns 0, -EINVAL, -ERANGE or -ENOMEM. */
int duration_check(long long *out_ns, const char *text, const char *setting, struct buf *why);

#endif
