/* Unit tests for the parsing utilities the loader relies on: Elasticsearch time
 * values, host:port addresses, "did you mean" suggestions, UTF-8 validation and
 * the diagnostic printers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/duration.h"
#include "util/hostport.h"
#include "util/suggest.h"
#include "util/utf8.h"

static void duration_accepts_what_elasticsearch_accepts(void **state)
{
	static const struct {
		const char *text;
		long long ns;
	} cases[] = {
		{ "30s", 30000000000LL },    { "1m", 60000000000LL },   { "500ms", 500000000LL },
		{ "2h", 7200000000000LL },   { "1d", 86400000000000LL }, { "7nanos", 7 },
		{ "3micros", 3000 },         { "-1", -1 },               { "-01", -1 },
		{ "0", 0 },                  { "000", 0 },               { "-1s", -1 },
		{ "+5s", 5000000000LL },     { " 5s ", 5000000000LL },   { "5 s", 5000000000LL },
		{ "5S", 5000000000LL },      { "5MS", 5000000LL },       { "0s", 0 },
		{ "-0s", 0 },
	};
	size_t i;
	long long ns;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ns = 12345;
		assert_int_equal(duration_parse_ns(cases[i].text, &ns), 0);
		assert_true(ns == cases[i].ns);
	}
}

static void duration_rejects_with_elasticsearch_messages(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "5x", "failed to parse setting [t] with value [5x] as a time value: unit is missing "
			"or unrecognized" },
		{ "5", "failed to parse setting [t] with value [5] as a time value: unit is missing or "
		       "unrecognized" },
		/* "M" means months: minutes are only ever a lower-case "m" */
		{ "5M", "failed to parse setting [t] with value [5M] as a time value: unit is missing "
			"or unrecognized" },
		/* "m" is looked for in the untrimmed text */
		{ "5m ", "failed to parse setting [t] with value [5m ] as a time value: unit is missing "
			 "or unrecognized" },
		{ "-2s", "failed to parse setting [t] with value [-2s] as a time value: negative "
			 "durations are not supported" },
		{ "1.5s", "failed to parse [1.5s], fractional time values are not supported" },
		{ "1e3s", "failed to parse [1e3s], fractional time values are not supported" },
		/* Long.parseLong overflows, Double.parseDouble does not: Elasticsearch's wording */
		{ "99999999999999999999s", "failed to parse [99999999999999999999s], fractional time "
					   "values are not supported" },
		{ "abcs", "failed to parse [abcs]" },
		{ "s", "failed to parse [s]" },
		{ "", "failed to parse setting [t] with value [] as a time value: unit is missing or "
		      "unrecognized" },
	};
	struct buf why;
	size_t i;
	long long ns;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&why, 1024);
		assert_int_equal(duration_check(&ns, cases[i].text, "t", &why), -EINVAL);
		assert_string_equal(why.data, cases[i].message);
		buf_dispose(&why);
	}
}

static void duration_reports_what_nanoseconds_cannot_hold(void **state)
{
	long long ns;
	long ms;

	(void)state;
	assert_int_equal(duration_parse_ns("9223372036854775807d", &ns), -ERANGE);
	assert_int_equal(duration_parse_ms("1500micros", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(duration_parse_ms("-1", &ms), 0);
	assert_int_equal(ms, -1);
	assert_int_equal(duration_parse_ms(NULL, &ms), -EINVAL);
}

static void hostport_accepts_hosts_and_bracketed_ipv6(void **state)
{
	static const struct {
		const char *text;
		int port;
	} cases[] = {
		{ "127.0.0.1:9300", 9300 }, { "es.example:1", 1 },     { "[::1]:9300", 9300 },
		{ "[fe80::1]:65535", 65535 }, { "h:+9300", 9300 },
	};
	struct buf why;
	size_t i;
	int port;

	(void)state;
	buf_init(&why, 1024);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		port = 0;
		assert_int_equal(hostport_parse(&port, cases[i].text, &why), 0);
		assert_int_equal(port, cases[i].port);
	}
	assert_null(why.data);
	buf_dispose(&why);
}

static void hostport_rejects_with_elasticsearch_messages(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "foo", "remote hosts need to be configured as [host:port], found [foo] instead" },
		{ "foo:bar", "failed to parse port of [foo:bar]" },
		{ "foo:", "failed to parse port of [foo:]" },
		{ "foo:0", "port number must be > 0 but was: [0]" },
		{ "foo:-1", "port number must be > 0 but was: [-1]" },
		{ "foo:65536", "port number must be <= 65535 but was: [65536]" },
		{ "foo:99999999999", "failed to parse port of [foo:99999999999]" },
		{ ":9300", "the host part of [:9300] is empty" },
		{ "::1:9300", "IPv6 addresses must be written in brackets, as in [::1]:9300, found "
			      "[::1:9300]" },
		{ "[zz]:9300", "invalid IPv6 address in [[zz]:9300]" },
		{ "a b:9300", "invalid host in [a b:9300]" },
	};
	struct buf why;
	size_t i;
	int port;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&why, 1024);
		assert_int_equal(hostport_parse(&port, cases[i].text, &why), -EINVAL);
		assert_string_equal(why.data, cases[i].message);
		buf_dispose(&why);
	}
}

static void suggest_finds_close_words_only(void **state)
{
	static const char *const keys[] = { "url", "urls", "auth", "tls", "timeout",
					    "allow_insecure_http" };

	(void)state;
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("abcd", "abdc"), 1); /* a transposition is one edit */
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_string_equal(suggest_closest("timout", keys, 6), "timeout");
	assert_string_equal(suggest_closest("tiemout", keys, 6), "timeout");
	assert_string_equal(suggest_closest("allow_insecure_https", keys, 6), "allow_insecure_http");
	assert_string_equal(suggest_closest("tsl", keys, 6), "tls");
	assert_null(suggest_closest("x", keys, 6));        /* too short to guess */
	assert_null(suggest_closest("password", keys, 6)); /* nothing close */
	assert_null(suggest_closest("url", keys, 6));      /* an exact match needs no hint */
}

static void utf8_validation_finds_the_first_bad_byte(void **state)
{
	size_t bad = 0;

	(void)state;
	assert_true(utf8_valid("plain ascii", 11, NULL));
	assert_true(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, NULL));
	assert_false(utf8_valid("ab\xff", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("\xc0\xaf", 2, &bad));         /* overlong "/" */
	assert_false(utf8_valid("\xed\xa0\x80", 3, &bad));     /* a UTF-16 surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4, &bad)); /* above U+10FFFF */
	assert_false(utf8_valid("x\xe2\x82", 3, &bad));        /* cut short */
	assert_int_equal(bad, 1);
}

static char *print_text(const struct diag_list *list)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(diag_print_text(list, f, false), 0);
	fclose(f);
	return text;
}

static void diag_text_has_position_line_caret_and_hint(void **state)
{
	struct diag_list list;
	char *text;

	(void)state;
	diag_list_init(&list);
	assert_int_equal(diag_add(&list, DIAG_ERROR, "a.yaml", 3, 5, "unknown-key",
				  "did you mean [timeout]?", "\ttimout: 30s", "unknown key [%s]",
				  "timout"), 0);
	/* the caret counts characters, not bytes */
	assert_int_equal(diag_add(&list, DIAG_WARNING, "a.yaml", 4, 3, "w", NULL, "\xc3\xa9\xc3\xa9x",
				  "accents"), 0);
	assert_int_equal(diag_add(&list, DIAG_ERROR, "b.yaml", 0, 0, "unreadable-file", NULL, NULL,
				  "cannot read"), 0);
	text = print_text(&list);
	assert_string_equal(text, "a.yaml:3:5: error: unknown key [timout]\n"
				  "\ttimout: 30s\n"
				  "\t   ^\n"
				  "  hint: did you mean [timeout]?\n"
				  "a.yaml:4:3: warning: accents\n"
				  "\xc3\xa9\xc3\xa9x\n"
				  "  ^\n"
				  "b.yaml: error: cannot read\n");
	assert_int_equal(list.errors, 2);
	assert_true(diag_has_errors(&list));
	free(text);
	diag_list_dispose(&list);
}

static void diag_list_caps_what_it_stores(void **state)
{
	struct diag_list list;
	char *text;
	int i;

	(void)state;
	diag_list_init(&list);
	for (i = 0; i < DIAG_MAX_REPORTED + 5; i++)
		assert_int_equal(diag_add(&list, DIAG_ERROR, "f", i + 1, 1, "c", NULL, NULL, "n%d", i),
				 0);
	assert_int_equal(list.count, DIAG_MAX_REPORTED);
	assert_int_equal(list.dropped, 5);
	assert_int_equal(list.errors, DIAG_MAX_REPORTED + 5);
	text = print_text(&list);
	assert_non_null(strstr(text, "... and 5 more problems not shown\n"));
	free(text);
	diag_list_dispose(&list);
}

static void diag_json_is_an_array_of_objects(void **state)
{
	struct diag_list list;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	diag_list_init(&list);
	f = open_memstream(&text, &len);
	assert_int_equal(diag_print_json(&list, f), 0);
	fclose(f);
	assert_string_equal(text, "[]\n");
	free(text);
	assert_int_equal(diag_add(&list, DIAG_ERROR, "a \"q\".yaml", 2, 7, "wrong-type", "quote it",
				  "x", "[%s] must be a string", "v"), 0);
	assert_int_equal(diag_add(&list, DIAG_WARNING, NULL, 0, 0, "w", NULL, NULL, "w"), 0);
	f = open_memstream(&text, &len);
	assert_int_equal(diag_print_json(&list, f), 0);
	fclose(f);
	assert_string_equal(text, "[{\"file\":\"a \\\"q\\\".yaml\",\"line\":2,\"column\":7,"
				  "\"severity\":\"error\",\"code\":\"wrong-type\","
				  "\"message\":\"[v] must be a string\",\"hint\":\"quote it\"},\n"
				  " {\"file\":null,\"line\":0,\"column\":0,\"severity\":\"warning\","
				  "\"code\":\"w\",\"message\":\"w\"}]\n");
	free(text);
	diag_list_dispose(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(duration_accepts_what_elasticsearch_accepts),
		cmocka_unit_test(duration_rejects_with_elasticsearch_messages),
		cmocka_unit_test(duration_reports_what_nanoseconds_cannot_hold),
		cmocka_unit_test(hostport_accepts_hosts_and_bracketed_ipv6),
		cmocka_unit_test(hostport_rejects_with_elasticsearch_messages),
		cmocka_unit_test(suggest_finds_close_words_only),
		cmocka_unit_test(utf8_validation_finds_the_first_bad_byte),
		cmocka_unit_test(diag_text_has_position_line_caret_and_hint),
		cmocka_unit_test(diag_list_caps_what_it_stores),
		cmocka_unit_test(diag_json_is_an_array_of_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
