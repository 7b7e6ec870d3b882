/* Unit tests for the watch metrics: keeping values across a new cluster list,
 * label escaping, and the exposition in the Prometheus text format 0.0.4. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/metrics.h"

static void label_values_are_escaped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(metrics_escape_label(&b, "a\\b\"c\nd"), 0);
	assert_string_equal(b.data, "a\\\\b\\\"c\\nd");
	buf_dispose(&b);
}

static void clusters_keep_their_values_when_the_list_changes(void **state)
{
	const char *first[] = { "local", "cluster_one" };
	const char *second[] = { "cluster_two", "local" };
	struct metrics m;
	struct metrics_cluster *c;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(metrics_set_clusters(&m, first, 2), 0);
	assert_string_equal(m.clusters[0].id, "cluster_one"); /* sorted */
	c = metrics_find_cluster(&m, "local");
	assert_non_null(c);
	c->errors_total = 7;
	c->applied_total[RESOURCE_ROLE] = 3;
	assert_int_equal(metrics_set_clusters(&m, second, 2), 0);
	assert_int_equal(m.cluster_count, 2);
	assert_null(metrics_find_cluster(&m, "cluster_one"));
	c = metrics_find_cluster(&m, "local");
	assert_non_null(c);
	assert_int_equal(c->errors_total, 7);
	assert_int_equal(c->applied_total[RESOURCE_ROLE], 3);
	c = metrics_find_cluster(&m, "cluster_two");
	assert_non_null(c);
	assert_int_equal(c->errors_total, 0);
	assert_int_equal(metrics_set_clusters(&m, NULL, 0), 0);
	assert_null(metrics_find_cluster(&m, "local"));
	metrics_dispose(&m);
	metrics_dispose(NULL);
}

/* Every sample line names a family announced by HELP and TYPE just before it. */
static void check_exposition_shape(const char *text)
{
	char family[128] = "";
	const char *line = text, *end;

	while (*line) {
		end = strchr(line, '\n');
		assert_non_null(end);
		if (!strncmp(line, "# HELP ", 7)) {
			size_t n = strcspn(line + 7, " ");

			assert_true(n < sizeof(family));
			memcpy(family, line + 7, n);
			family[n] = '\0';
			assert_true(!strncmp(end + 1, "# TYPE ", 7));
		} else if (line[0] != '#') {
			assert_true(family[0]);
			assert_true(!strncmp(line, family, strlen(family)));
			assert_true(line[strlen(family)] == '{' || line[strlen(family)] == ' ');
		}
		line = end + 1;
	}
}

static void exposition_has_every_metric(void **state)
{
	const char *ids[] = { "local" };
	const char *remotes[] = { "zeta", "al\"pha" };
	const bool connected[] = { false, true };
	struct metrics m;
	struct metrics_cluster *c;
	struct buf b;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(metrics_set_clusters(&m, ids, 1), 0);
	c = metrics_find_cluster(&m, "local");
	c->up = true;
	c->drift[RESOURCE_USER] = 2;
	c->applied_total[RESOURCE_REMOTE] = 5;
	c->errors_total = 1;
	assert_int_equal(metrics_set_remotes(c, remotes, connected, 2), 0);
	m.cycles_total = 12;
	m.last_cycle_timestamp = 1700000000.5;
	m.last_cycle_duration = 0.25;
	m.desired_state_valid = true;
	buf_init(&b, METRICS_TEXT_MAX);
	assert_int_equal(metrics_render(&b, &m, "0.1.0"), 0);
	check_exposition_shape(b.data);
	assert_non_null(strstr(b.data, "# TYPE esreconcile_cycles_total counter\nesreconcile_cycles_total 12\n"));
	assert_non_null(strstr(b.data, "esreconcile_last_cycle_timestamp_seconds 1700000000.500\n"));
	assert_non_null(strstr(b.data, "esreconcile_last_cycle_duration_seconds 0.250\n"));
	assert_non_null(strstr(b.data, "esreconcile_drift_changes{cluster=\"local\",kind=\"user\"} 2\n"));
	assert_non_null(strstr(b.data, "esreconcile_drift_changes{cluster=\"local\",kind=\"role\"} 0\n"));
	assert_non_null(strstr(b.data, "esreconcile_changes_applied_total{cluster=\"local\",kind=\"remote\"} 5\n"));
	assert_non_null(strstr(b.data, "esreconcile_errors_total{cluster=\"local\"} 1\n"));
	assert_non_null(strstr(b.data, "esreconcile_cluster_up{cluster=\"local\"} 1\n"));
	/* remotes sorted by name, label values escaped */
	assert_non_null(strstr(b.data, "esreconcile_remote_connected{cluster=\"local\",remote=\"al\\\"pha\"} 1\n"
					"esreconcile_remote_connected{cluster=\"local\",remote=\"zeta\"} 0\n"));
	assert_non_null(strstr(b.data, "esreconcile_desired_state_valid 1\n"));
	assert_non_null(strstr(b.data, "esreconcile_suspended 0\n"));
	assert_non_null(strstr(b.data, "esreconcile_build_info{version=\"0.1.0\"} 1\n"));
	buf_dispose(&b);
	metrics_dispose(&m);
}

static void exposition_respects_the_cap(void **state)
{
	struct metrics m;
	struct buf b;

	(void)state;
	memset(&m, 0, sizeof(m));
	buf_init(&b, 64);
	assert_int_equal(metrics_render(&b, &m, "0.1.0"), -ENOSPC);
	buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(clusters_keep_their_values_when_the_list_changes),
		cmocka_unit_test(exposition_has_every_metric),
		cmocka_unit_test(exposition_respects_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
