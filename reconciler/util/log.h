/* log: messages for humans and log collectors, always on stderr.
 *
 * stdout carries only the plan or report; everything here goes to stderr, as
 * text ("esreconcile: warning: ...") or one JSON object per line. Callers must
 * never pass a secret: there is no redaction here, secrets are a separate type
 * (util/secret.h) that cannot be formatted. */
#ifndef ESR_UTIL_LOG_H
#define ESR_UTIL_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON = 1 };

/* Messages above `level` are dropped. Defaults: LOG_WARN, text. */
void log_configure(enum log_level level, enum log_format format);
enum log_level log_current_level(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
