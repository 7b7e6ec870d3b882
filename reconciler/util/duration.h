/* duration: Elasticsearch time values ("30s", "1m", "500ms", "2h", "1d", "-1").
 *
 * Parsing follows TimeValue.parseTimeValue: a non-negative integer followed by
 * one of nanos, micros, ms, s, m, h, d; "-1" and "0" without a unit are
 * accepted. (Fractional values are rejected by Elasticsearch, and here.) */
#ifndef ESR_UTIL_DURATION_H
#define ESR_UTIL_DURATION_H

/* Parses text into *out_ms (rounded down; -1 stays -1). Returns 0, or -EINVAL. */
int duration_parse_ms(const char *text, long *out_ms);
/* Parses text into nanoseconds, exact; for comparing "60s" with "1m". */
int duration_parse_ns(const char *text, long long *out_ns);

#endif
