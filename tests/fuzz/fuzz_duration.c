/* Fuzz target for Elasticsearch time values (util/duration.h): any bytes up to
 * the first NUL, as one value ("30s", "-1", " 5M ").
 *
 * Invariants checked (abort), from duration.h: duration_parse_ns,
 * duration_parse_ms and duration_check agree on whether the text parses; a
 * parsed value is -1 or >= 0; milliseconds are the nanoseconds rounded down;
 * a refusal from duration_check comes with a message. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/duration.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)4 << 10)

static void check(int ok, const char *what, const char *text)
{
	if (!ok) {
		fprintf(stderr, "fuzz_duration: %s for [%s]\n", what, text);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long ns = 0, checked_ns = 0;
	long ms = 0;
	struct buf why;
	char *text;
	int err_ns, err_ms, err_check;

	if (size > INPUT_MAX || !(text = fuzz_strndup(data, size)))
		return 0;
	err_ns = duration_parse_ns(text, &ns);
	err_ms = duration_parse_ms(text, &ms);
	buf_init(&why, BUF_SMALL_MAX);
	err_check = duration_check(&checked_ns, text, "cluster.remote.x.transport.ping_schedule", &why);
	if (err_ns != -ENOMEM && err_ms != -ENOMEM && err_check != -ENOMEM) {
		check(err_ns == err_ms && err_ns == err_check, "the parsers disagree", text);
		check(err_ns == 0 || err_ns == -EINVAL || err_ns == -ERANGE, "unexpected error code", text);
		if (!err_ns) {
			check(ns == -1 || ns >= 0, "a negative duration other than -1", text);
			check(ns == checked_ns, "duration_check gives another value", text);
			check(ms == (ns < 0 ? -1 : (long)(ns / 1000000)), "milliseconds differ", text);
		} else {
			check(why.len > 0, "a refusal without a message", text);
		}
	}
	buf_dispose(&why);
	free(text);
	return 0;
}
