/* interp: ${...} interpolation inside desired-state scalars.
 *
 *   ${VAR}           the environment variable VAR (an error when unset)
 *   ${VAR:-default}  VAR, or `default` when VAR is unset or empty
 *   ${file:PATH}     the content of PATH (relative to base_dir), less ONE
 *                    trailing newline ("\n" or "\r\n"); at most 1 MiB, UTF-8, no NUL
 *   $${              a literal "${"
 * VAR is [A-Za-z_][A-Za-z0-9_]*; a default runs to the first "}" (no nesting).
 * Any other "$" is literal. Messages name the variable or the path, never a value. */
#ifndef ESR_DESIRED_INTERP_H
#define ESR_DESIRED_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

/* Cap on the size of a ${file:} source. */
#define INTERP_FILE_MAX ((size_t)1 << 20)

/* Where references that cannot be resolved here go when they are placeholders
 * rather than errors (`validate` without the production secrets): an unset
 * variable as its name, a ${file:} that does not exist as "file:PATH". A
 * string list (util/strlist.h) that the caller owns. */
struct interp_placeholders {
	char **names;
	size_t count;
};

/* Expands text[0..len). On success returns 0 with *out (malloc'd, NUL-terminated,
 * the caller frees it), *out_len, and *out_expanded telling whether any ${...}
 * was substituted (an escaped $${ alone does not count). With placeholders
 * (may be NULL), an unset variable or missing ${file:} is recorded there and
 * *out_placeholder set: the value is unknown, *out is then the text as written.
 * On failure returns a negative code, appends the reason to why and sets
 * *out_code to a stable diagnostic code ("unset-variable", "unreadable-file",
 * "interpolation-syntax"). */
int interp_expand(char **out, size_t *out_len, bool *out_expanded, bool *out_placeholder,
		  const char **out_code, const char *text, size_t len, const char *base_dir,
		  struct interp_placeholders *placeholders, struct buf *why);

/* Whether text[0..len) holds anything interp_expand would change. */
bool interp_needed(const char *text, size_t len);

/* base_dir joined with path unless path is absolute; malloc'd, NULL on ENOMEM.
 * An empty base_dir leaves path as it is. */
char *interp_resolve_path(const char *base_dir, const char *path);

/* The directory of the file at path, against which the file's ${file:} paths
 * resolve ("" for a bare name); malloc'd, NULL on ENOMEM. */
char *interp_base_dir(const char *path);


#endif
