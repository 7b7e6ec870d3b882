#include "desired/password_hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* bcrypt's own base64 alphabet (BCrypt.base64_code) */
static const char bcrypt_alphabet[] =
	"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/* java.util.Base64's basic alphabet, which Hasher decodes salts and keys with */
static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The length of the run of characters of alphabet at the start of s[0..len). */
static size_t span(const char *s, size_t len, const char *alphabet)
{
	size_t i = 0;

	while (i < len && s[i] && strchr(alphabet, s[i]))
		i++;
	return i;
}

/* The bytes that s[0..len), base64 with optional padding as Java's basic
 * decoder reads it, decodes to; -1 when it is not base64. */
static long base64_bytes(const char *s, size_t len)
{
	size_t chars = span(s, len, base64_alphabet), pad = len - chars;

	if (pad > 2 || strspn(s + chars, "=") < pad || chars % 4 == 1 || (pad && (chars + pad) % 4))
		return -1;
	return (long)(chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0));
}

/* Hasher.resolveFromHash takes the cost from the characters between "$2x$"
 * and the last 54, and knows bcrypt4 to bcrypt14; BCrypt.valid_minor knows a,
 * b and y. */
static const char *bcrypt_problem(const char *hash)
{
	static const char shape[] = "a bcrypt password_hash is $2a$, $2b$ or $2y$, a two-digit cost, "
				    "$ and 53 characters of [./A-Za-z0-9]: 60 characters in all";
	int cost;

	if (strlen(hash) != 60 || !strchr("aby", hash[2]) || hash[3] != '$' ||
	    !strchr("0123456789", hash[4]) || !strchr("0123456789", hash[5]) || hash[6] != '$' ||
	    span(hash + 7, 53, bcrypt_alphabet) != 53)
		return shape;
	cost = (hash[4] - '0') * 10 + (hash[5] - '0');
	if (cost < 4 || cost > 14)
		return "the cost of a bcrypt password_hash is 04 to 14: Elasticsearch knows no other";
	return NULL;
}

/* {PBKDF2}<iterations>$<salt>$<key>: Hasher.parsePbkdf2Iterations, the costs
 * of Hasher.resolve, and verifyPbkdf2Hash, which decodes the salt (at least 8
 * bytes) and derives a key as long as the encoded key reads, in whole blocks
 * of 128 bits, then compares the encodings. */
static const char *pbkdf2_problem(const char *rest)
{
	static const char *const costs[] = { "1000", "10000", "50000", "100000", "500000", "1000000" };
	static const char shape[] = "a PBKDF2 password_hash is {PBKDF2}<iterations>$<salt>$<hash> "
				    "({PBKDF2_STRETCH} likewise), the salt and the hash in base64";
	const char *salt = strchr(rest, '$'), *key = salt ? strchr(salt + 1, '$') : NULL;
	size_t i, digits = salt ? (size_t)(salt - rest) : 0;
	long salt_bytes, key_bytes;

	if (!key)
		return shape;
	for (i = 0; i < COUNT(costs); i++)
		if (strlen(costs[i]) == digits && !strncmp(rest, costs[i], digits))
			break;
	if (i == COUNT(costs))
		return "the iterations of a PBKDF2 password_hash are 1000, 10000, 50000, 100000, 500000 "
		       "or 1000000: Elasticsearch knows no other";
	salt_bytes = base64_bytes(salt + 1, (size_t)(key - salt - 1));
	key_bytes = base64_bytes(key + 1, strlen(key + 1));
	if (salt_bytes < 0 || key_bytes < 0)
		return shape;
	if (salt_bytes < 8)
		return "the salt of a PBKDF2 password_hash must decode to at least 8 bytes";
	/* the key length is read from the encoding's length, which must be padded */
	if (strlen(key + 1) % 4 || key_bytes == 0 || key_bytes % 16)
		return "the hash of a PBKDF2 password_hash must be the padded base64 of a key of 16, 32, "
		       "48, ... bytes";
	return NULL;
}

const char *password_hash_problem(const char *hash)
{
	static const char stretch[] = "{PBKDF2_STRETCH}", pbkdf2[] = "{PBKDF2}";

	if (hash[0] == '$' && hash[1] == '2')
		return bcrypt_problem(hash);
	if (!strncmp(hash, stretch, sizeof(stretch) - 1))
		return pbkdf2_problem(hash + sizeof(stretch) - 1);
	if (!strncmp(hash, pbkdf2, sizeof(pbkdf2) - 1))
		return pbkdf2_problem(hash + sizeof(pbkdf2) - 1);
	return "password_hash is not a bcrypt ($2a$, $2b$, $2y$), {PBKDF2} or {PBKDF2_STRETCH} hash, "
	       "the kinds Elasticsearch accepts";
}
