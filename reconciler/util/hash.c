#include "util/hash.h"

#include <string.h>

/* FNV-1a's multiply, eight bytes at a time, with a shift that carries the high
 * bits down so that the low bits (the table index) depend on every byte. */
#define PRIME UINT64_C(0x100000001b3)

uint64_t hash_word(uint64_t h, uint64_t word)
{
	h = (h ^ word) * PRIME;
	return h ^ (h >> 32);
}

uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t word;

	for (; len >= sizeof(word); p += sizeof(word), len -= sizeof(word)) {
		memcpy(&word, p, sizeof(word));
		h = hash_word(h, word);
	}
	if (len) {
		/* the length tells "a" from "a\0" */
		size_t tail = len;

		for (word = 0; len; len--)
			word = word << 8 | p[len - 1];
		h = hash_word(h, word ^ (uint64_t)tail << 56);
	}
	return h;
}
