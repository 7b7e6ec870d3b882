/* retry: when and how long to wait before sending an idempotent request again
 * (design §6: connection errors, 429 honouring Retry-After, 502/503/504;
 * capped exponential backoff with jitter; a total deadline).
 *
 * Pure functions: no clock, no sleeping, no globals; the caller passes the
 * jitter seed (rand_r state) so tests are deterministic. */
#ifndef ESR_ES_RETRY_H
#define ESR_ES_RETRY_H

#include <stdbool.h>

struct retry_policy {
	int max_attempts;     /* the first attempt included */
	long deadline_ms;     /* no retry may start later than this after the first attempt */
	long backoff_base_ms; /* delay before the first retry */
	long backoff_max_ms;  /* cap of any one backoff delay */
};

/* True for the statuses worth another try: 429, 502, 503, 504. */
bool retry_status_is_retryable(long status);

/* The delay before retry number `retry` (1 = the first retry): half of
 * min(max, base * 2^(retry-1)) plus a random part up to the other half, so
 * concurrent clients spread out but never wait less than half the step. */
long retry_backoff_ms(const struct retry_policy *policy, int retry, unsigned *seed);

/* Parses a Retry-After header value in delta-seconds ("3", " 3 ") into
 * milliseconds. The HTTP-date form and anything else give -EINVAL, and the
 * caller falls back to its backoff. */
int retry_after_parse_ms(long *out_ms, const char *value);

/* Decides whether attempt number `attempts_done` + 1 may go ahead, `elapsed_ms`
 * after the first attempt began, after waiting `delay_ms`: it must stay under
 * max_attempts and start before the deadline. */
bool retry_allowed(const struct retry_policy *policy, int attempts_done, long elapsed_ms,
		   long delay_ms);

#endif
