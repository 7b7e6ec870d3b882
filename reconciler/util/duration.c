#include "util/duration.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum parse_outcome {
	PARSED,
	UNIT_MISSING,
	NEGATIVE,
	FRACTIONAL,
	NOT_A_NUMBER,
	TOO_LARGE,
	NO_MEMORY,
};

static const struct {
	const char *suffix;
	long long nanos;
} units[] = {
	/* the order of TimeValue.parseTimeValue: "nanos" and "micros" before "s", "ms" before "m" */
	{ "nanos", 1LL }, { "micros", 1000LL }, { "ms", 1000000LL }, { "s", 1000000000LL },
	{ "m", 60000000000LL }, { "h", 3600000000000LL }, { "d", 86400000000000LL },
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* Java's String.trim(): strips every char <= ' ' at both ends, in place. */
static char *java_trim(char *s)
{
	size_t len;

	while (*s && (unsigned char)*s <= ' ')
		s++;
	len = strlen(s);
	while (len && (unsigned char)s[len - 1] <= ' ')
		s[--len] = '\0';
	return s;
}

/* Long.parseLong: optional sign, decimal digits, nothing else; false on overflow. */
static bool java_parse_long(const char *s, long long *out)
{
	unsigned long long value = 0, limit;
	bool negative = false;

	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	if (!*s)
		return false;
	limit = negative ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (value > (limit - (unsigned long long)(*s - '0')) / 10)
			return false;
		value = value * 10 + (unsigned long long)(*s - '0');
	}
	if (negative)
		*out = value == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)value;
	else
		*out = (long long)value;
	return true;
}

/* Whether Double.parseDouble would accept s (decimal forms; s is lower case). */
static bool java_parses_double(const char *s)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*s == 'e') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'f' || *s == 'd')
		s++;
	return *s == '\0';
}

static bool all_match(const char *s, char c)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s != c)
			return false;
	return true;
}

/* The regular expression "-0*1". */
static bool matches_minus_one(const char *s)
{
	if (*s++ != '-')
		return false;
	while (*s == '0')
		s++;
	return s[0] == '1' && s[1] == '\0';
}

static enum parse_outcome parse(const char *text, long long *out_ns)
{
	enum parse_outcome outcome = UNIT_MISSING;
	char *copy = strdup(text), *normalized, *number, *p;
	size_t len, i;
	long long value;

	if (!copy)
		return NO_MEMORY;
	for (p = copy; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	normalized = java_trim(copy);
	len = strlen(normalized);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(units[i].suffix, "m") ? !ends_with(text, strlen(text), "m")
						  : !ends_with(normalized, len, units[i].suffix))
			continue;
		normalized[len - strlen(units[i].suffix)] = '\0';
		number = java_trim(normalized);
		if (!java_parse_long(number, &value))
			outcome = java_parses_double(number) ? FRACTIONAL : NOT_A_NUMBER;
		else if (value < -1)
			outcome = NEGATIVE;
		else if (value == -1)
			*out_ns = -1, outcome = PARSED;
		else if (value > LLONG_MAX / units[i].nanos)
			outcome = TOO_LARGE;
		else
			*out_ns = value * units[i].nanos, outcome = PARSED;
		goto done;
	}
	if (matches_minus_one(normalized)) {
		*out_ns = -1;
		outcome = PARSED;
	} else if (all_match(normalized, '0')) {
		*out_ns = 0;
		outcome = PARSED;
	}
done:
	free(copy);
	return outcome;
}

int duration_check(long long *out_ns, const char *text, const char *setting, struct buf *why)
{
	int err = 0;

	switch (parse(text, out_ns)) {
	case PARSED:
		return 0;
	case NO_MEMORY:
		return -ENOMEM;
	case UNIT_MISSING:
		err = buf_printf(why, "failed to parse setting [%s] with value [%s] as a time value: "
				 "unit is missing or unrecognized", setting, text);
		break;
	case NEGATIVE:
		err = buf_printf(why, "failed to parse setting [%s] with value [%s] as a time value: "
				 "negative durations are not supported", setting, text);
		break;
	case FRACTIONAL:
		err = buf_printf(why, "failed to parse [%s], fractional time values are not supported",
				 text);
		break;
	case NOT_A_NUMBER:
		err = buf_printf(why, "failed to parse [%s]", text);
		break;
	case TOO_LARGE:
		err = buf_printf(why, "time value [%s] is too large", text);
		return err ? err : -ERANGE;
	}
	return err ? err : -EINVAL;
}

int duration_parse_ns(const char *text, long long *out_ns)
{
	if (!text)
		return -EINVAL;
	switch (parse(text, out_ns)) {
	case PARSED: return 0;
	case NO_MEMORY: return -ENOMEM;
	case TOO_LARGE: return -ERANGE;
	default: return -EINVAL;
	}
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
