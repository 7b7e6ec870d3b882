/* secret: a value that must never reach any output.
 *
 * A secret_t is opaque: printers can only ask whether one is set and compare
 * two. Only code that builds a request body or an auth header may call
 * secret_reveal(); grep for it to audit every place a secret leaves memory.
 * The value is wiped before it is freed. */
#ifndef ESR_UTIL_SECRET_H
#define ESR_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct secret secret_t;

/* Returns a new secret holding a copy of value[0..len), or NULL on allocation failure.
 * The caller owns it and frees it with secret_free(). */
secret_t *secret_new(const char *value, size_t len);
secret_t *secret_dup(const secret_t *s);
void secret_free(secret_t *s);

/* The plain value, NUL-terminated, owned by s. For request builders only. */
const char *secret_reveal(const secret_t *s);
size_t secret_len(const secret_t *s);
/* Constant-time comparison; two NULLs are equal. */
bool secret_equal(const secret_t *a, const secret_t *b);

/* What printers show in place of any sensitive value. */
#define SECRET_PLACEHOLDER "(sensitive)"

#endif
