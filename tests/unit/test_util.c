/* Unit tests for the small utilities: capped buffers, string lists, secrets, JSON escaping,
 * CLI options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cli.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/json_text.h"
#include "util/printable.h"
#include "util/utf8.h"
#include "util/secret.h"
#include "util/strlist.h"

static void buf_appends_and_stays_terminated(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_printf(&b, "-%d-", 42), 0);
	assert_string_equal(b.data, "abc-42-");
	assert_int_equal(b.len, 7);
	buf_dispose(&b);
}

static void buf_refuses_to_grow_past_its_cap(void **state)
{
	struct buf b;
	char big[40];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 50);
	assert_int_equal(buf_append(&b, big, sizeof(big)), 0);
	assert_int_equal(buf_append(&b, big, sizeof(big)), -ENOSPC);
	/* a refused append leaves the contents as they were */
	assert_int_equal(b.len, 40);
	assert_int_equal(buf_printf(&b, "%s", "0123456789"), 0);
	assert_int_equal(buf_printf(&b, "%s", "z"), -ENOSPC);
	assert_int_equal(b.len, 50);
	buf_dispose(&b);
}

/* A file bigger than one read, its bytes exactly (a NUL included); a missing
 * file is its errno; a file past the cap is -ENOSPC. */
static void buf_append_file_reads_it_whole(void **state)
{
	const char *path = "buf_append_file.bin";
	struct buf b;
	FILE *f;
	size_t i;

	(void)state;
	f = fopen(path, "wb");
	assert_non_null(f);
	for (i = 0; i < 40000; i++)
		fputc((int)(i % 251), f);
	fclose(f);
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_puts(&b, "head"), 0);
	assert_int_equal(buf_append_file(&b, path), 0);
	assert_int_equal(b.len, 4 + 40000);
	for (i = 0; i < 40000; i++)
		assert_int_equal((unsigned char)b.data[4 + i], i % 251);
	assert_int_equal(b.data[b.len], '\0');
	buf_dispose(&b);

	buf_init(&b, 1000);
	assert_int_equal(buf_append_file(&b, path), -ENOSPC);
	buf_dispose(&b);
	buf_init(&b, 1000);
	assert_int_equal(buf_append_file(&b, "no/such/file"), -ENOENT);
	assert_int_equal(b.len, 0);
	buf_dispose(&b);
	remove(path);
}

static void buf_detach_hands_over_contents(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 16);
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
	buf_puts(&b, "kept");
	s = buf_detach(&b);
	assert_string_equal(s, "kept");
	assert_null(b.data);
	free(s);
	buf_dispose(&b);
	buf_dispose(NULL);
}

static void strlist_appends_copies_and_finds_them(void **state)
{
	char **items = NULL;
	size_t count = 0;
	char name[] = "alpha";

	(void)state;
	assert_int_equal(strlist_append(&items, &count, name), 0);
	assert_int_equal(strlist_append(&items, &count, "beta"), 0);
	name[0] = 'A'; /* the list holds its own copy */
	assert_int_equal(count, 2);
	assert_string_equal(items[0], "alpha");
	assert_true(strlist_contains(items, count, "beta"));
	assert_false(strlist_contains(items, count, "Alpha"));
	assert_false(strlist_contains(NULL, 0, "alpha"));
	strlist_free(items, count);
	strlist_free(NULL, 0);
}

static void strlist_sorts_and_drops_duplicates(void **state)
{
	static const char *const input[] = { "c", "a", "b", "a", "c", "c" };
	char **items = NULL;
	size_t count = 0, i;

	(void)state;
	for (i = 0; i < sizeof(input) / sizeof(input[0]); i++)
		assert_int_equal(strlist_append(&items, &count, input[i]), 0);
	count = strlist_sort_unique(items, count);
	assert_int_equal(count, 3);
	assert_string_equal(items[0], "a");
	assert_string_equal(items[1], "b");
	assert_string_equal(items[2], "c");
	assert_int_equal(strlist_sort_unique(items, 0), 0);
	strlist_free(items, count);
}

static void secrets_compare_by_value(void **state)
{
	secret_t *a = secret_new("hunter22", 8);
	secret_t *b = secret_new("hunter22", 8);
	secret_t *c = secret_new("hunter23", 8);
	secret_t *d = secret_dup(a);

	(void)state;
	assert_true(secret_equal(a, b));
	assert_false(secret_equal(a, c));
	assert_true(secret_equal(a, d));
	assert_false(secret_equal(a, NULL));
	assert_true(secret_equal(NULL, NULL));
	assert_string_equal(secret_reveal(d), "hunter22");
	assert_int_equal(secret_len(d), 8);
	assert_null(secret_reveal(NULL));
	secret_free(a);
	secret_free(b);
	secret_free(c);
	secret_free(d);
	secret_free(NULL);
}

static void json_strings_are_escaped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(json_text_append_string(&b, "a\"b\\c\n\x01"), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
	/* a plain string goes in whole, or not at all past the cap */
	assert_int_equal(json_text_append_string(&b, ""), 0);
	assert_int_equal(json_text_append_string(&b, "plain text"), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\"\"\"\"plain text\"");
	buf_dispose(&b);
	buf_init(&b, 8);
	assert_int_equal(json_text_append_string(&b, "abcd"), 0);
	assert_int_equal(json_text_append_string(&b, "ef"), -ENOSPC);
	assert_string_equal(b.data, "\"abcd\"");
	assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(buf_putc(&b, 'y'), 0);
	assert_int_equal(buf_putc(&b, 'z'), -ENOSPC);
	assert_string_equal(b.data, "\"abcd\"xy");
	buf_dispose(&b);
}

static int sign(int n)
{
	return n < 0 ? -1 : n > 0;
}

/* Strings compare as their JSON texts do (the order of the plan's sets),
 * where that differs from strcmp too: a space or '!' sorts before the
 * closing quote, escapes by their escaped text. */
static void json_texts_compare_without_printing(void **state)
{
	static const char *const strings[] = { "", "a", "a b", "a!", "ab", "a\"", "a\\", "a\n", "a\x01",
					       "a\x7f", "a\xff", "a\xc3\xa9", "b", "A", "a#", "a\t" };
	size_t n = sizeof(strings) / sizeof(strings[0]), i, j;
	struct buf x, y;

	(void)state;
	buf_init(&x, 256);
	buf_init(&y, 256);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			buf_reset(&x);
			buf_reset(&y);
			assert_int_equal(json_text_append_string(&x, strings[i]), 0);
			assert_int_equal(json_text_append_string(&y, strings[j]), 0);
			assert_int_equal(sign(json_text_compare_strings(strings[i], strings[j])),
					 sign(strcmp(x.data, y.data)));
		}
	}
	buf_dispose(&x);
	buf_dispose(&y);
}

/* Text from a server never puts an escape sequence on the terminal. */
static void server_text_is_printable(void **state)
{
	char *text;

	(void)state;
	text = printable_dup("role\x1b[31mred\x7f\xc2\x9b[2J\xff\n\xc3\xa9");
	assert_string_equal(text, "role\\u001b[31mred\\u007f\\u009b[2J\\xff\\u000a\xc3\xa9");
	free(text);
}

/* JSON outputs stay valid UTF-8 whatever a server sent. */
static void invalid_utf8_is_scrubbed(void **state)
{
	struct buf b;
	char *text;

	(void)state;
	text = utf8_scrub("a\xff\xc3" "b\xe2\x82\xac");
	assert_string_equal(text, "a\xef\xbf\xbd\xef\xbf\xbd" "b\xe2\x82\xac");
	assert_true(utf8_valid(text, strlen(text), NULL));
	free(text);
	buf_init(&b, 1024);
	assert_int_equal(json_text_append_string(&b, "x\xfe\x7f\xc3\xa9"), 0);
	assert_string_equal(b.data, "\"x\\ufffd\\u007f\xc3\xa9\"");
	buf_dispose(&b);
}

static void cli_parses_shared_options(void **state)
{
	char *argv[] = { "plan", "-f", "a.yaml", "-f", "dir", "--cluster", "local", "-o", "json",
			 "--parallel", "4", "--wait", "2m", "--auto-approve", "saved.json", NULL };
	struct cli_options opts;
	bool done;

	(void)state;
	assert_int_equal(cli_parse(&opts, 15, argv, "plan", "usage\n", &done), 0);
	assert_false(done);
	assert_int_equal(opts.file_count, 2);
	assert_string_equal(opts.files[1], "dir");
	assert_int_equal(opts.cluster_count, 1);
	assert_string_equal(opts.output, "json");
	assert_int_equal(opts.parallel, 4);
	assert_int_equal(opts.wait_ms, 120000);
	assert_true(opts.auto_approve);
	assert_int_equal(opts.positional_count, 1);
	assert_string_equal(opts.positional[0], "saved.json");
	cli_options_dispose(&opts);
}

static void cli_rejects_bad_usage(void **state)
{
	char *unknown[] = { "plan", "--frobnicate", NULL };
	char *bad_output[] = { "plan", "-o", "yaml", NULL };
	char *bad_parallel[] = { "plan", "--parallel", "0", NULL };
	char *bad_wait[] = { "apply", "--wait", "soon", NULL };
	struct cli_options opts;
	bool done;

	(void)state;
	assert_int_equal(cli_parse(&opts, 2, unknown, "plan", "", &done), EXIT_USAGE);
	cli_options_dispose(&opts);
	assert_int_equal(cli_parse(&opts, 3, bad_output, "plan", "", &done), EXIT_USAGE);
	cli_options_dispose(&opts);
	assert_int_equal(cli_parse(&opts, 3, bad_parallel, "plan", "", &done), EXIT_USAGE);
	cli_options_dispose(&opts);
	assert_int_equal(cli_parse(&opts, 3, bad_wait, "apply", "", &done), EXIT_USAGE);
	cli_options_dispose(&opts);
}

/* The tables key on it: equal input, equal hash; a byte, its place or the
 * length changed, another hash (for these inputs, as any decent hash gives). */
static void hash_tells_bytes_places_and_lengths_apart(void **state)
{
	static const char text[] = "bench-role-1234567";
	uint64_t whole = hash_bytes(HASH_SEED, text, sizeof(text) - 1);

	(void)state;
	assert_true(whole == hash_bytes(HASH_SEED, text, sizeof(text) - 1));
	assert_true(whole != hash_bytes(HASH_SEED, "bench-role-1234568", sizeof(text) - 1));
	assert_true(whole != hash_bytes(HASH_SEED, "bench-role-2134567", sizeof(text) - 1));
	assert_true(hash_bytes(HASH_SEED, "a", 1) != hash_bytes(HASH_SEED, "a", 2));
	assert_true(hash_bytes(HASH_SEED, "ab", 2) != hash_bytes(HASH_SEED, "ba", 2));
	assert_true(hash_word(HASH_SEED, 1) != hash_word(HASH_SEED, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_appends_and_stays_terminated),
		cmocka_unit_test(buf_refuses_to_grow_past_its_cap),
		cmocka_unit_test(buf_append_file_reads_it_whole),
		cmocka_unit_test(buf_detach_hands_over_contents),
		cmocka_unit_test(strlist_appends_copies_and_finds_them),
		cmocka_unit_test(strlist_sorts_and_drops_duplicates),
		cmocka_unit_test(secrets_compare_by_value),
		cmocka_unit_test(json_strings_are_escaped),
		cmocka_unit_test(json_texts_compare_without_printing),
		cmocka_unit_test(server_text_is_printable),
		cmocka_unit_test(invalid_utf8_is_scrubbed),
		cmocka_unit_test(cli_parses_shared_options),
		cmocka_unit_test(cli_rejects_bad_usage),
		cmocka_unit_test(hash_tells_bytes_places_and_lengths_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
