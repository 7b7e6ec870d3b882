#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "util/buf.h"
#include "util/json_text.h"
#include "util/printable.h"

static enum log_level current_level = LOG_NOTICE;
static enum log_format current_format = LOG_FORMAT_TEXT;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "error", "warning", "notice", "info", "debug" };

void log_configure(enum log_level level, enum log_format format)
{
	current_level = level;
	current_format = format;
}

enum log_level log_current_level(void)
{
	return current_level;
}

static void log_line(enum log_level level, const struct log_field *fields, size_t field_count,
		     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void log_line(enum log_level level, const struct log_field *fields, size_t field_count,
		     const char *fmt, va_list ap)
{
	struct buf message, line;
	char stamp[32];
	time_t now;
	struct tm tm;
	size_t i;

	buf_init(&message, BUF_SMALL_MAX);
	buf_init(&line, BUF_SMALL_MAX);
	if (buf_vprintf(&message, fmt, ap) < 0)
		buf_puts(&message, "(log message too long)");

	if (current_format == LOG_FORMAT_JSON) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_printf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"message\":", stamp,
			   level_names[level]);
		json_text_append_string(&line, message.data ? message.data : "");
		for (i = 0; i < field_count; i++) {
			if (!fields[i].value)
				continue;
			buf_puts(&line, ",");
			json_text_append_string(&line, fields[i].key);
			buf_puts(&line, ":");
			json_text_append_string(&line, fields[i].value);
		}
		buf_puts(&line, "}\n");
	} else {
		/* messages carry server text: no escape sequence reaches the terminal */
		buf_printf(&line, "esreconcile: %s: ", level_names[level]);
		printable_append(&line, message.data ? message.data : "");
		buf_puts(&line, "\n");
	}
	pthread_mutex_lock(&log_lock);
	fputs(line.data ? line.data : "", stderr);
	pthread_mutex_unlock(&log_lock);
	buf_dispose(&message);
	buf_dispose(&line);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	log_line(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_fields(enum log_level level, const struct log_field *fields, size_t field_count,
		const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	log_line(level, fields, field_count, fmt, ap);
	va_end(ap);
}
