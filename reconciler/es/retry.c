#include "es/retry.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

bool retry_status_is_retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

long retry_backoff_ms(const struct retry_policy *policy, int retry, unsigned *seed)
{
	long step = policy->backoff_base_ms > 0 ? policy->backoff_base_ms : 1;
	long cap = policy->backoff_max_ms > 0 ? policy->backoff_max_ms : step;
	long half;
	int i;

	for (i = 1; i < retry && step < cap; i++)
		step = step > LONG_MAX / 2 ? cap : step * 2;
	if (step > cap)
		step = cap;
	half = step / 2;
	return step - half + (half > 0 ? (long)(rand_r(seed) % (half + 1)) : 0);
}

int retry_after_parse_ms(long *out_ms, const char *value)
{
	long seconds = 0;
	const char *p = value;

	if (!p)
		return -EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		/* A wait beyond a day is as good as "never" for a retry deadline. */
		if (seconds < 86400L)
			seconds = seconds * 10 + (*p - '0');
	}
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (seconds > 86400L)
		seconds = 86400L;
	*out_ms = seconds * 1000L;
	return 0;
}

bool retry_allowed(const struct retry_policy *policy, int attempts_done, long elapsed_ms,
		   long delay_ms)
{
	if (attempts_done >= policy->max_attempts)
		return false;
	return elapsed_ms + delay_ms <= policy->deadline_ms;
}
