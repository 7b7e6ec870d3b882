/* diag: positioned diagnostics (file:line:col: severity: message), collected
 * so that every problem in the input is reported at once.
 *
 * A diag_list owns copies of every string added to it. Lines and columns are
 * 1-based. The list stores at most DIAG_MAX_REPORTED entries and counts the rest.
 * Source lines echoed under a message are redacted by the caller beforehand
 * when they may hold a secret (diag_add_* never sees secret values). */
#ifndef ESR_UTIL_DIAG_H
#define ESR_UTIL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX_REPORTED 100

enum diag_severity { DIAG_ERROR = 0, DIAG_WARNING = 1 };

struct diag {
	char *file;        /* may be NULL for diagnostics without a place */
	int line;          /* 1-based, 0 when unknown */
	int column;        /* 1-based, 0 when unknown */
	enum diag_severity severity;
	char *code;        /* stable machine-readable code, e.g. "unknown-key" */
	char *message;
	char *hint;        /* NULL when there is none */
	char *source_line; /* the offending line, already redacted; NULL to omit */
};

struct diag_list {
	struct diag *items;
	size_t count;     /* stored entries */
	size_t dropped;   /* entries past DIAG_MAX_REPORTED */
	size_t errors;    /* every error added, stored or not */
};

void diag_list_init(struct diag_list *list);
void diag_list_dispose(struct diag_list *list);

/* Adds a diagnostic; strings are copied, any may be NULL except code and message.
 * Returns 0, or -ENOMEM. */
int diag_add(struct diag_list *list, enum diag_severity severity, const char *file, int line,
	     int column, const char *code, const char *hint, const char *source_line,
	     const char *fmt, ...) __attribute__((format(printf, 9, 10)));

bool diag_has_errors(const struct diag_list *list);

/* Text form: "file:line:col: error: message", the source line, a caret under
 * the column, then "  hint: ..." when there is one. */
int diag_print_text(const struct diag_list *list, FILE *out, bool color);
/* JSON form: an array of {file, line, column, severity, code, message[, hint]}. */
int diag_print_json(const struct diag_list *list, FILE *out);

#endif
