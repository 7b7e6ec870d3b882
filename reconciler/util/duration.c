#include "util/duration.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *suffix;
	long long nanos;
} units[] = {
	/* longest suffixes first so "ms" is not read as "m" */
	{ "nanos", 1LL }, { "micros", 1000LL }, { "ms", 1000000LL }, { "s", 1000000000LL },
	{ "m", 60000000000LL }, { "h", 3600000000000LL }, { "d", 86400000000000LL },
};

int duration_parse_ns(const char *text, long long *out_ns)
{
	size_t len, digits = 0, i;
	long long value = 0;

	if (!text)
		return -EINVAL;
	if (!strcmp(text, "-1")) {
		*out_ns = -1;
		return 0;
	}
	if (!strcmp(text, "0")) {
		*out_ns = 0;
		return 0;
	}
	len = strlen(text);
	while (digits < len && text[digits] >= '0' && text[digits] <= '9') {
		if (value > (LLONG_MAX - 9) / 10)
			return -EINVAL;
		value = value * 10 + (text[digits] - '0');
		digits++;
	}
	if (!digits)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(text + digits, units[i].suffix))
			continue;
		if (value > LLONG_MAX / units[i].nanos)
			return -EINVAL;
		*out_ns = value * units[i].nanos;
		return 0;
	}
	return -EINVAL;
}

int duration_parse_ms(const char *text, long *out_ms)
{
	long long ns;
	int err = duration_parse_ns(text, &ns);

	if (err)
		return err;
	*out_ms = ns < 0 ? -1 : (long)(ns / 1000000LL);
	return 0;
}
