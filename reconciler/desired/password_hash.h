/* password_hash: the password hashes Elasticsearch accepts in a user's
 * password_hash and can verify at login (Hasher.resolveFromHash, 8.7+: any of
 * them, whatever hashing algorithm the cluster is configured with), checked
 * offline by their shape. Pure, no allocation: nothing to free. */
#ifndef ESR_DESIRED_PASSWORD_HASH_H
#define ESR_DESIRED_PASSWORD_HASH_H

/* NULL when hash is a bcrypt hash ($2a$, $2b$ or $2y$, cost 04 to 14, $, 53
 * characters of bcrypt's base64), or a {PBKDF2} or {PBKDF2_STRETCH} hash
 * (<iterations>$<salt>$<hash>: a cost Elasticsearch knows, a base64 salt of at
 * least 8 bytes, a base64 key of a multiple of 16 bytes); otherwise what is
 * wrong, as a static sentence that quotes nothing of the hash (a secret). */
const char *password_hash_problem(const char *hash);

#endif
