/* Unit tests for the pure parts of the Elasticsearch access layer: retry
 * decisions and backoff, Retry-After, failure messages, the URL and
 * credentials policy, path escaping and version parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "es/http.h"
#include "es/live.h"
#include "es/live_read.h"
#include "es/path.h"
#include "es/retry.h"

static const struct retry_policy policy = {
	.max_attempts = 5, .deadline_ms = 10000, .backoff_base_ms = 200, .backoff_max_ms = 1000,
};

static void test_retryable_statuses(void **state)
{
	(void)state;
	assert_true(retry_status_is_retryable(429));
	assert_true(retry_status_is_retryable(502));
	assert_true(retry_status_is_retryable(503));
	assert_true(retry_status_is_retryable(504));
	assert_false(retry_status_is_retryable(500));
	assert_false(retry_status_is_retryable(400));
	assert_false(retry_status_is_retryable(401));
	assert_false(retry_status_is_retryable(200));
}

static void test_backoff_grows_within_bounds_and_caps(void **state)
{
	unsigned seed = 42;
	long step = 200;
	int retry;

	(void)state;
	for (retry = 1; retry <= 8; retry++) {
		long d = retry_backoff_ms(&policy, retry, &seed);

		assert_true(d >= step - step / 2);
		assert_true(d <= step);
		if (step < policy.backoff_max_ms)
			step *= 2;
		if (step > policy.backoff_max_ms)
			step = policy.backoff_max_ms;
	}
}

static void test_backoff_is_deterministic_for_a_seed(void **state)
{
	unsigned a = 7, b = 7;
	int retry;

	(void)state;
	for (retry = 1; retry <= 5; retry++)
		assert_int_equal(retry_backoff_ms(&policy, retry, &a),
				 retry_backoff_ms(&policy, retry, &b));
}

static void test_backoff_jitter_varies(void **state)
{
	unsigned seed = 1;
	long first = retry_backoff_ms(&policy, 3, &seed);
	bool varied = false;
	int i;

	(void)state;
	for (i = 0; i < 50 && !varied; i++)
		varied = retry_backoff_ms(&policy, 3, &seed) != first;
	assert_true(varied);
}

static void test_backoff_huge_retry_number_stays_capped(void **state)
{
	unsigned seed = 3;

	(void)state;
	assert_true(retry_backoff_ms(&policy, 1000, &seed) <= policy.backoff_max_ms);
}

static void test_retry_after_parsing(void **state)
{
	long ms = -1;

	(void)state;
	assert_int_equal(retry_after_parse_ms(&ms, "3"), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(retry_after_parse_ms(&ms, " 0 \r\n"), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(retry_after_parse_ms(&ms, "99999999999999999999"), 0);
	assert_int_equal(ms, 86400000L);
	assert_int_equal(retry_after_parse_ms(&ms, "Wed, 21 Oct 2015 07:28:00 GMT"), -EINVAL);
	assert_int_equal(retry_after_parse_ms(&ms, "-1"), -EINVAL);
	assert_int_equal(retry_after_parse_ms(&ms, "1.5"), -EINVAL);
	assert_int_equal(retry_after_parse_ms(&ms, ""), -EINVAL);
	assert_int_equal(retry_after_parse_ms(&ms, NULL), -EINVAL);
}

static void test_retry_allowed_by_attempts_and_deadline(void **state)
{
	(void)state;
	assert_true(retry_allowed(&policy, 1, 0, 200));
	assert_true(retry_allowed(&policy, 4, 9000, 1000));
	assert_false(retry_allowed(&policy, 5, 0, 0));
	assert_false(retry_allowed(&policy, 1, 9500, 501));
	/* A Retry-After beyond the deadline ends the retries at once. */
	assert_false(retry_allowed(&policy, 1, 0, 30000));
}

static void test_describe_es_error(void **state)
{
	struct es_response r = {
		.status = 400,
		.error_type = "illegal_argument_exception",
		.error_reason = "persistent setting [cluster.remote.a.foo], not recognized",
	};
	char *msg = es_describe_failure("local", "PUT", "/_cluster/settings", &r);

	(void)state;
	assert_string_equal(msg, "cluster [local] PUT /_cluster/settings: HTTP 400 "
				 "illegal_argument_exception: persistent setting "
				 "[cluster.remote.a.foo], not recognized");
	free(msg);
}

static void test_describe_string_error_and_multiline_reason(void **state)
{
	struct es_response r = {
		.status = 405,
		.error_reason = "Incorrect HTTP method for uri [/_cluster/settings]\nand method [POST]",
	};
	char *msg = es_describe_failure("one", "POST", "/_cluster/settings", &r);

	(void)state;
	assert_string_equal(msg, "cluster [one] POST /_cluster/settings: HTTP 405 Incorrect HTTP "
				 "method for uri [/_cluster/settings] and method [POST]");
	free(msg);
}

static void test_describe_body_without_error(void **state)
{
	char body[400];
	struct es_response r = { .status = 502, .body = body };
	char *msg;

	(void)state;
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	r.body_len = sizeof(body) - 1;
	msg = es_describe_failure("local", "GET", "/", &r);
	assert_non_null(strstr(msg, "cluster [local] GET /: HTTP 502: xxx"));
	assert_true(strlen(msg) < 300);
	assert_non_null(strstr(msg, "..."));
	free(msg);

	r.body = "";
	r.body_len = 0;
	r.status = 404;
	msg = es_describe_failure("local", "GET", "/_security/role/x", &r);
	assert_string_equal(msg, "cluster [local] GET /_security/role/x: HTTP 404 (empty body)");
	free(msg);

	r.status = 503;
	r.attempts = 5;
	msg = es_describe_failure("local", "GET", "/", &r);
	assert_string_equal(msg, "cluster [local] GET /: HTTP 503 (empty body) (after 5 attempts)");
	free(msg);
}

static struct cluster_config config(bool with_credentials, bool allow_insecure)
{
	struct cluster_config cfg = { .id = "local", .allow_insecure_http = allow_insecure };

	if (with_credentials)
		cfg.username = "elastic";
	return cfg;
}

static void test_url_policy(void **state)
{
	struct cluster_config cfg = config(true, false);
	char *msg = NULL;

	(void)state;
	assert_int_equal(es_check_url(&cfg, "https://es.example:9200", true, &msg), 0);
	assert_null(msg);
	assert_int_equal(es_check_url(&cfg, "http://es.example:9200", false, &msg), 0);

	assert_int_equal(es_check_url(&cfg, "http://es.example:9200", true, &msg), -EPERM);
	assert_non_null(strstr(msg, "cluster [local]"));
	assert_non_null(strstr(msg, "allow_insecure_http"));
	free(msg);
	msg = NULL;

	cfg = config(true, true);
	assert_int_equal(es_check_url(&cfg, "http://es.example:9200", true, &msg), 0);

	assert_int_equal(es_check_url(&cfg, "ftp://es.example", true, &msg), -EINVAL);
	free(msg);
	msg = NULL;
}

static void test_url_with_user_info_is_refused_without_echo(void **state)
{
	struct cluster_config cfg = config(false, false);
	char *msg = NULL;

	(void)state;
	assert_int_equal(es_check_url(&cfg, "https://joe:canary-pw-1@es.example:9200", false, &msg),
			 -EINVAL);
	assert_non_null(msg);
	assert_null(strstr(msg, "canary-pw-1"));
	assert_non_null(strstr(msg, "credentials"));
	free(msg);
	msg = NULL;
	assert_int_equal(es_check_url(&cfg, "not a url canary-pw-2", false, &msg), -EINVAL);
	assert_null(strstr(msg, "canary-pw-2"));
	free(msg);
}

static void test_client_refuses_credentials_over_http(void **state)
{
	char *urls[] = { "https://a.example:9200", "http://b.example:9200" };
	struct cluster_config cfg = config(true, false);
	struct es_client *client = NULL;
	char *msg = NULL;

	(void)state;
	cfg.urls = urls;
	cfg.url_count = 2;
	assert_int_equal(es_client_new(&client, &cfg, NULL, &msg), -EPERM);
	assert_null(client);
	assert_non_null(strstr(msg, "http://b.example:9200"));
	free(msg);

	cfg.allow_insecure_http = true;
	assert_int_equal(es_client_new(&client, &cfg, NULL, NULL), 0);
	assert_string_equal(es_client_cluster_id(client), "local");
	es_client_free(client);
	es_client_free(NULL);
}

static void test_escape_path_segment(void **state)
{
	char *s = es_escape_path_segment("a b/c?d#e%f.g_h-i~j");

	(void)state;
	assert_string_equal(s, "a%20b%2Fc%3Fd%23e%25f.g_h-i~j");
	free(s);
	s = es_escape_path_segment("r\xc3\xa9le");
	assert_string_equal(s, "r%C3%A9le");
	free(s);
	/* dot segments would be squashed away by a client or a proxy: never sent bare */
	s = es_escape_path_segment(".");
	assert_string_equal(s, "%2E");
	free(s);
	s = es_escape_path_segment("..");
	assert_string_equal(s, "%2E%2E");
	free(s);
	s = es_escape_path_segment("...");
	assert_string_equal(s, "...");
	free(s);
}

static void test_version_parsing(void **state)
{
	int major = 0, minor = 0;

	(void)state;
	assert_int_equal(live_parse_version(&major, &minor, "8.15.0"), 0);
	assert_int_equal(major, 8);
	assert_int_equal(minor, 15);
	assert_int_equal(live_parse_version(&major, &minor, "9.0.0-SNAPSHOT"), 0);
	assert_int_equal(major, 9);
	assert_int_equal(minor, 0);
	assert_int_equal(live_parse_version(&major, &minor, "7.17"), 0);
	assert_int_equal(minor, 17);
	assert_int_equal(live_parse_version(&major, &minor, "8"), -EINVAL);
	assert_int_equal(live_parse_version(&major, &minor, "v8.1.0"), -EINVAL);
	assert_int_equal(live_parse_version(&major, &minor, "8.x"), -EINVAL);
	assert_int_equal(live_parse_version(&major, &minor, ""), -EINVAL);
	assert_int_equal(live_parse_version(&major, &minor, NULL), -EINVAL);
}

static void test_version_at_least(void **state)
{
	struct live_cluster c = { .version = "8.15.0", .version_major = 8, .version_minor = 15 };

	(void)state;
	assert_true(live_version_at_least(&c, 8, 15));
	assert_true(live_version_at_least(&c, 8, 14));
	assert_true(live_version_at_least(&c, 7, 99));
	assert_false(live_version_at_least(&c, 8, 16));
	assert_false(live_version_at_least(&c, 9, 0));
	c.version = NULL;
	assert_false(live_version_at_least(&c, 1, 0));
	assert_false(live_version_at_least(NULL, 1, 0));
}

static void test_response_dispose_is_null_safe(void **state)
{
	struct es_response r = { 0 };

	(void)state;
	es_response_dispose(&r);
	es_response_dispose(NULL);
	assert_false(es_response_ok(&r));
	r.status = 204;
	assert_true(es_response_ok(&r));
}

static void test_live_read_without_network(void **state)
{
	char *urls[] = { "http://127.0.0.1:9" };
	struct cluster_config clusters[2] = {
		{ .id = "insecure", .urls = urls, .url_count = 1, .username = "elastic",
		  .verify = TLS_VERIFY_NONE },
		{ .id = "skipped", .urls = urls, .url_count = 1 },
	};
	struct desired_state desired = { .clusters = clusters, .cluster_count = 2 };
	const char *only[] = { "insecure", "undeclared" };
	struct live_read_options opts = { .parallel = 4, .only_clusters = only,
					  .only_cluster_count = 2 };
	struct live_state *live = NULL;
	const struct live_cluster *lc;

	(void)state;
	assert_int_equal(live_read(&live, &desired, &opts), 0);
	assert_int_equal(live->cluster_count, 1);
	assert_null(live_find_cluster(live, "skipped"));
	lc = live_find_cluster(live, "insecure");
	assert_non_null(lc);
	assert_false(lc->reachable);
	assert_non_null(strstr(lc->error, "refusing to send credentials over plain http"));
	assert_int_equal(lc->warning_count, 1);
	assert_string_equal(lc->warnings[0], "TLS verification is disabled for cluster [insecure]");
	assert_null(lc->root);
	live_state_free(live);

	desired.cluster_count = 0;
	assert_int_equal(live_read(&live, &desired, NULL), 0);
	assert_int_equal(live->cluster_count, 0);
	live_state_free(live);
	live_state_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retryable_statuses),
		cmocka_unit_test(test_backoff_grows_within_bounds_and_caps),
		cmocka_unit_test(test_backoff_is_deterministic_for_a_seed),
		cmocka_unit_test(test_backoff_jitter_varies),
		cmocka_unit_test(test_backoff_huge_retry_number_stays_capped),
		cmocka_unit_test(test_retry_after_parsing),
		cmocka_unit_test(test_retry_allowed_by_attempts_and_deadline),
		cmocka_unit_test(test_describe_es_error),
		cmocka_unit_test(test_describe_string_error_and_multiline_reason),
		cmocka_unit_test(test_describe_body_without_error),
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_url_with_user_info_is_refused_without_echo),
		cmocka_unit_test(test_client_refuses_credentials_over_http),
		cmocka_unit_test(test_escape_path_segment),
		cmocka_unit_test(test_version_parsing),
		cmocka_unit_test(test_version_at_least),
		cmocka_unit_test(test_response_dispose_is_null_safe),
		cmocka_unit_test(test_live_read_without_network),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	es_global_cleanup();
	return failed;
}
