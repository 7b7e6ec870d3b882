/* Fuzz target for "host:port" addresses (util/hostport.h): any bytes up to the
 * first NUL, as one seed or proxy_address.
 *
 * Invariants checked (abort), from hostport.h: an accepted address has a port
 * in 1..65535 and a non-empty host before its last ':'; a refused one comes
 * with a message. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hostport.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)4 << 10)

static void check(int ok, const char *what, const char *text)
{
	if (!ok) {
		fprintf(stderr, "fuzz_hostport: %s for [%s]\n", what, text);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf why;
	char *text;
	int port = -1, err;

	if (size > INPUT_MAX || !(text = fuzz_strndup(data, size)))
		return 0;
	buf_init(&why, BUF_SMALL_MAX);
	err = hostport_parse(&port, text, &why);
	if (!err) {
		const char *colon = strrchr(text, ':');

		check(port >= 1 && port <= 65535, "port out of range", text);
		check(colon && colon > text, "an address without a host", text);
		check(why.len == 0, "a message for an accepted address", text);
	} else if (err != -ENOMEM) {
		check(err == -EINVAL, "unexpected error code", text);
		check(why.len > 0, "a refusal without a message", text);
	}
	buf_dispose(&why);
	free(text);
	return 0;
}
