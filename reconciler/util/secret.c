#include "util/secret.h"

#include <stdlib.h>
#include <string.h>

struct secret {
	size_t len;
	char *value;
};

secret_t *secret_new(const char *value, size_t len)
{
	secret_t *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->value = malloc(len + 1);
	if (!s->value) {
		free(s);
		return NULL;
	}
	memcpy(s->value, value, len);
	s->value[len] = '\0';
	s->len = len;
	return s;
}

secret_t *secret_dup(const secret_t *s)
{
	return s ? secret_new(s->value, s->len) : NULL;
}

void secret_free(secret_t *s)
{
	volatile char *p;
	size_t i;

	if (!s)
		return;
	/* volatile so the wipe is not optimised away before free() */
	p = s->value;
	for (i = 0; i < s->len; i++)
		p[i] = 0;
	free(s->value);
	free(s);
}

const char *secret_reveal(const secret_t *s)
{
	return s ? s->value : NULL;
}

size_t secret_len(const secret_t *s)
{
	return s ? s->len : 0;
}

bool secret_equal(const secret_t *a, const secret_t *b)
{
	unsigned char diff = 0;
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++)
		diff |= (unsigned char)(a->value[i] ^ b->value[i]);
	return diff == 0;
}
