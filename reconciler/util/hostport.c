#include "util/hostport.h"

#include <errno.h>
#include <string.h>

/* Integer.parseInt's grammar: an optional sign, then decimal digits, no blanks. */
static int parse_java_int(const char *s, long *out)
{
	long value = 0;
	int sign = 1;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		value = value * 10 + (*s - '0');
		if (value > 2147483648L)
			return -EINVAL;
	}
	value *= sign;
	if (value > 2147483647L)
		return -EINVAL;
	*out = value;
	return 0;
}

static int check_host(const char *host, size_t len, const char *text, struct buf *why)
{
	size_t i;

	if (!len)
		return buf_printf(why, "the host part of [%s] is empty", text) ? -ENOMEM : -EINVAL;
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']' || !memchr(host, ':', len))
			return buf_printf(why, "invalid IPv6 address in [%s]", text) ? -ENOMEM : -EINVAL;
		for (i = 1; i + 1 < len; i++)
			if (!strchr("0123456789abcdefABCDEF:.", host[i]))
				return buf_printf(why, "invalid IPv6 address in [%s]", text) ? -ENOMEM
											    : -EINVAL;
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (host[i] == ':')
			return buf_printf(why, "IPv6 addresses must be written in brackets, as in "
					  "[::1]:9300, found [%s]", text) ? -ENOMEM : -EINVAL;
		if ((unsigned char)host[i] <= ' ' || strchr("[]/?#@", host[i]))
			return buf_printf(why, "invalid host in [%s]", text) ? -ENOMEM : -EINVAL;
	}
	return 0;
}

int hostport_parse(int *out_port, const char *text, struct buf *why)
{
	const char *sep = strrchr(text, ':');
	long port;
	int err;

	if (!sep)
		return buf_printf(why, "remote hosts need to be configured as [host:port], found [%s] "
				  "instead", text) ? -ENOMEM : -EINVAL;
	if (parse_java_int(sep + 1, &port))
		return buf_printf(why, "failed to parse port of [%s]", text) ? -ENOMEM : -EINVAL;
	if (port <= 0)
		return buf_printf(why, "port number must be > 0 but was: [%ld]", port) ? -ENOMEM
											 : -EINVAL;
	if (port > 65535)
		return buf_printf(why, "port number must be <= 65535 but was: [%ld]", port) ? -ENOMEM
											     : -EINVAL;
	err = check_host(text, (size_t)(sep - text), text, why);
	if (err)
		return err;
	*out_port = (int)port;
	return 0;
}
