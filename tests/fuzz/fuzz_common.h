/* fuzz_common: helpers shared by the fuzz targets (header-only, so that each
 * target stays one .c file for `make fuzz` and `make unit-tests`).
 *
 * - fuzz_split(): cuts an input into sections at NUL bytes (an answer body
 *   with a NUL in it is not JSON to the client anyway, see below);
 * - fuzz_strndup(): a NUL-terminated copy of a section;
 * - fuzz_response_fill(): an es_response as es_request() leaves it for a body.
 *   It mirrors response_fill(), which is static in reconciler/es/http.c: keep
 *   the two in step when that one changes. */
#ifndef ESR_TESTS_FUZZ_COMMON_H
#define ESR_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "es/http.h"

/* Splits data at NUL bytes into at most max sections (the last one keeps any
 * further NULs). Returns how many sections there are (>= 1). */
static inline size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **parts, size_t *lens,
				size_t max)
{
	size_t n = 0;
	const uint8_t *nul;

	while (n + 1 < max && (nul = memchr(data, '\0', size)) != NULL) {
		parts[n] = data;
		lens[n++] = (size_t)(nul - data);
		size -= (size_t)(nul - data) + 1;
		data = nul + 1;
	}
	parts[n] = data;
	lens[n++] = size;
	return n;
}

/* A NUL-terminated copy of len bytes (NULL when memory runs out). */
static inline char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy) {
		if (len)
			memcpy(copy, data, len);
		copy[len] = '\0';
	}
	return copy;
}

/* Fills out (zeroed first) with the answer status/body as es_request() does
 * (es_response_adopt(), labelled application/json). Returns 0 or -1 when
 * memory runs out (then out must still be disposed with es_response_dispose()). */
static inline int fuzz_response_fill(struct es_response *out, long status, const uint8_t *body, size_t len)
{
	char *copy = fuzz_strndup(body, len);

	memset(out, 0, sizeof(*out));
	out->attempts = 1;
	if (!copy)
		return -1;
	return es_response_adopt(out, status, "application/json", copy, len) ? -1 : 0;
}

#endif
