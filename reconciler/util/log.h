/* log: messages for humans and log collectors, always on stderr.
 *
 * stdout carries only the plan or report; everything here goes to stderr, as
 * text ("esreconcile: warning: ...") or one JSON object per line. Callers must
 * never pass a secret: there is no redaction here, secrets are a separate type
 * (util/secret.h) that cannot be formatted. Nothing passed in is kept. */
#ifndef ESR_UTIL_LOG_H
#define ESR_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* notice: an event worth telling without -v (watch's drift found, change
 * applied); info and debug need -v and -vv. */
enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_NOTICE = 2, LOG_INFO = 3, LOG_DEBUG = 4 };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON = 1 };

/* A name and a string value a JSON log line carries besides its message, for
 * machines ("event": "drift", "cluster": "local"). Text lines show only the
 * message, which must say the same in words. A NULL value is left out. */
struct log_field {
	const char *key;
	const char *value;
};

/* Messages above `level` are dropped. Defaults: LOG_NOTICE, text. */
void log_configure(enum log_level level, enum log_format format);
enum log_level log_current_level(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same, with fields added to the JSON form. */
void log_fields(enum log_level level, const struct log_field *fields, size_t field_count,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
