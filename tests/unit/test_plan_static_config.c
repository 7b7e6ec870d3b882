/* Unit tests for static_config: the elasticsearch.yml text `render` prints,
 * from desired states loaded from YAML text (no server; the authorities'
 * files, which the loader checks, in a temporary directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "desired/loader.h"
#include "plan/static_config.h"
#include "util/buf.h"
#include "util/diag.h"

/* The authorities' files, one with a line break in its name */
static const char *const authority_files[] = { "certs/l.pem", "certs/o.pem",
					       "certs/a\nxpack.security.enabled: false" };
static char tmpdir[64];

#define CLUSTERS \
	"version: 1\n" \
	"clusters:\n" \
	"  local: { url: \"https://l:9200\" }\n" \
	"  one: { url: \"https://o:9200\" }\n"

#define TRUST \
	"trust:\n" \
	"  authorities: { local-ca: certs/l.pem, one-ca: certs/o.pem }\n" \
	"  clusters:\n" \
	"    local: { transport_ca: local-ca, trusts: [local-ca, one-ca] }\n" \
	"    one: { transport_ca: one-ca, trusts: [one-ca] }\n"

static int make_files(void **unused)
{
	char path[256];
	size_t i;
	FILE *f;

	(void)unused;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/esr-static-config-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/certs", tmpdir);
	if (mkdir(path, 0700))
		return -1;
	for (i = 0; i < sizeof(authority_files) / sizeof(authority_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, authority_files[i]);
		if (!(f = fopen(path, "w")) || fclose(f))
			return -1;
	}
	return 0;
}

static int remove_files(void **unused)
{
	char path[256];
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(authority_files) / sizeof(authority_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, authority_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/certs", tmpdir);
	rmdir(path);
	return rmdir(tmpdir);
}

static struct desired_state *load(const char *text)
{
	struct desired_state *state = NULL;
	struct diag_list diags;
	char name[128];

	snprintf(name, sizeof(name), "%s/desired.yaml", tmpdir);
	diag_list_init(&diags);
	if (desired_load_buffer(&state, name, text, strlen(text), &diags) < 0)
		diag_print_text(&diags, stderr, false);
	diag_list_dispose(&diags);
	assert_non_null(state);
	return state;
}

static void renders_trust_and_remotes_in_a_fixed_order(void **unused)
{
	struct desired_state *d = load(CLUSTERS TRUST
		"remotes:\n"
		"  local:\n"
		"    zeta: { cluster: one, skip_unavailable: true }\n"
		"    alpha:\n"
		"      transport: { ping_schedule: 30s, compress: true }\n"
		"      mode: proxy\n"
		"      server_name: o.example\n"
		"      proxy_address: \"o:9300\"\n"
		"    gone: absent\n"
		"  one:\n"
		"    back: { seeds: [\"l:9300\"] }\n");
	cJSON *discovered = cJSON_Parse("{\"zeta\": [\"10.0.0.1:9300\", \"10.0.0.2:9300\"]}");
	char *text = NULL, *expected;

	(void)unused;
	assert_int_equal(static_config_render(&text, d, "local", discovered), 0);
	expected = buf_format(
		"# elasticsearch.yml settings of cluster [local], rendered by esreconcile from the\n"
		"# desired state. Static: add them to elasticsearch.yml on every node of the cluster;\n"
		"# a node reads them when it starts.\n"
		"\n"
		"# Transport trust (trust.clusters.local.trusts). Relative paths are read from the\n"
		"# node's config directory: copy each authority's PEM file there, as named here.\n"
		"#   certs/local-ca.pem  <-  %s/certs/l.pem\n"
		"#   certs/one-ca.pem  <-  %s/certs/o.pem\n"
		"xpack.security.transport.ssl.certificate_authorities: [\"certs/local-ca.pem\", \"certs/one-ca.pem\"]\n"
		"\n"
		"# Remotes (remotes.local) as static settings, for operators who prefer them to\n"
		"# esreconcile apply. Persistent and transient cluster settings override them key by\n"
		"# key, and plan reports a declared remote that elasticsearch.yml defines: keep the\n"
		"# remotes rendered here out of the files plan and apply read.\n"
		"\n"
		"# remotes.local.alpha\n"
		"cluster.remote.alpha.mode: \"proxy\"\n"
		"cluster.remote.alpha.proxy_address: \"o:9300\"\n"
		"cluster.remote.alpha.server_name: \"o.example\"\n"
		"cluster.remote.alpha.transport.compress: true\n"
		"cluster.remote.alpha.transport.ping_schedule: \"30s\"\n"
		"\n"
		"# remotes.local.gone is declared absent: leave out every cluster.remote.gone.* line\n"
		"\n"
		"# remotes.local.zeta (cluster: one; seeds: the publish addresses of its transport, read now)\n"
		"cluster.remote.zeta.seeds: [\"10.0.0.1:9300\",\"10.0.0.2:9300\"]\n"
		"cluster.remote.zeta.skip_unavailable: true\n", tmpdir, tmpdir);
	assert_non_null(expected);
	assert_string_equal(text, expected);
	free(expected);
	free(text);
	cJSON_Delete(discovered);
	desired_state_free(d);
}

static void discovery_lists_the_remotes_without_addresses(void **unused)
{
	struct desired_state *d = load(CLUSTERS
		"remotes:\n"
		"  local:\n"
		"    b: { cluster: one }\n"
		"    a: { cluster: one, mode: sniff }\n"
		"    seeded: { cluster: one, seeds: [\"o:9300\"] }\n"
		"    proxied: { cluster: one, mode: proxy, proxy_address: \"o:9300\" }\n"
		"    gone: absent\n"
		"  one:\n"
		"    other: { cluster: local }\n");
	const struct desired_object **remotes = NULL;
	size_t count = 0;
	char *text = NULL;

	(void)unused;
	assert_int_equal(static_config_discovery(&remotes, &count, d, "local"), 0);
	assert_int_equal(count, 2);
	assert_string_equal(remotes[0]->name, "a");
	assert_string_equal(remotes[1]->name, "b");
	free(remotes);
	/* an alias the caller found no address for renders nothing */
	assert_int_equal(static_config_render(&text, d, "local", NULL), -ENOENT);
	assert_null(text);
	assert_int_equal(static_config_discovery(&remotes, &count, d, "nowhere"), 0);
	assert_int_equal(count, 0);
	assert_null(remotes);
	desired_state_free(d);
}

static void a_cluster_without_trust_or_remotes(void **unused)
{
	struct desired_state *d = load(CLUSTERS);
	char *text = NULL;

	(void)unused;
	assert_int_equal(static_config_render(&text, d, "nowhere", NULL), -ENOENT);
	assert_int_equal(static_config_render(&text, d, "one", NULL), 0);
	assert_non_null(strstr(text, "# Transport trust: none declared (trust.clusters.one), so none rendered.\n"));
	assert_null(strstr(text, "xpack."));
	assert_null(strstr(text, "cluster.remote."));
	free(text);
	desired_state_free(d);
}

static void a_line_break_in_a_path_stays_in_the_comment(void **unused)
{
	struct desired_state *d = load(CLUSTERS
		"trust:\n"
		"  authorities: { odd: \"certs/a\\nxpack.security.enabled: false\" }\n"
		"  clusters:\n"
		"    local: { transport_ca: odd, trusts: [odd] }\n");
	char *text = NULL, *comment;

	(void)unused;
	assert_int_equal(static_config_render(&text, d, "local", NULL), 0);
	assert_null(strstr(text, "\nxpack.security.enabled"));
	comment = buf_format("#   certs/odd.pem  <-  %s/certs/a\\u000axpack.security.enabled: false\n", tmpdir);
	assert_non_null(comment);
	assert_non_null(strstr(text, comment));
	free(comment);
	free(text);
	desired_state_free(d);
}

static void api_key_remotes_need_the_remote_cluster_server(void **unused)
{
	struct desired_state *d = load(CLUSTERS
		"  two: { url: \"https://t:9200\" }\n"
		"remotes:\n"
		"  local:\n"
		"    keyed:\n"
		"      cluster: one\n"
		"      security: api_key\n"
		"      api_key: { access: { search: [{ names: [logs-*] }] } }\n"
		"  two:\n"
		"    pinned:\n"
		"      cluster: one\n"
		"      seeds: [\"o:9444\"]\n"
		"      security: api_key\n"
		"      api_key: { access: { replication: [{ names: [leader-*] }] } }\n"
		"    by_certificate: { cluster: one }\n");
	const struct desired_object **remotes = NULL;
	cJSON *discovered = cJSON_Parse("{\"keyed\": [\"10.0.0.1:9443\"]}");
	char *text = NULL;
	size_t count;

	(void)unused;
	/* on the cluster they point at: the server, on the port the declared seeds name */
	assert_int_equal(static_config_render(&text, d, "one", NULL), 0);
	assert_non_null(strstr(text, "\n# Remote cluster server: the api_key remotes remotes.local.keyed, "
				     "remotes.two.pinned connect to it."));
	assert_non_null(strstr(text, "\nremote_cluster_server.enabled: true\nremote_cluster.port: 9444\n"));
	free(text);
	/* on the cluster that holds one: its seeds from the remote cluster server, the keystore step */
	assert_int_equal(static_config_discovery(&remotes, &count, d, "local"), 0);
	assert_int_equal(count, 1);
	assert_string_equal(static_config_seed_section(remotes[0]), "remote_cluster_server");
	free(remotes);
	assert_int_equal(static_config_render(&text, d, "local", discovered), 0);
	assert_null(strstr(text, "remote_cluster_server.enabled"));
	assert_non_null(strstr(text,
		"\n# remotes.local.keyed (cluster: one, security: api_key; seeds: the publish addresses of its "
		"remote cluster server, read now)\n"
		"cluster.remote.keyed.seeds: [\"10.0.0.1:9443\"]\n"
		"# cluster.remote.keyed.credentials is keystore-only: on every node run\n"
		"#   bin/elasticsearch-keystore add cluster.remote.keyed.credentials\n"
		"# with the key `esreconcile apply --credentials-out DIR` writes to local.keyed.credentials,\n"
		"# then POST /_nodes/reload_secure_settings.\n"));
	assert_null(strstr(text, "api_key:"));
	assert_null(strstr(text, "logs-*"));
	free(text);
	/* a certificate remote's seeds stay the transport's */
	assert_int_equal(static_config_discovery(&remotes, &count, d, "two"), 0);
	assert_int_equal(count, 1);
	assert_string_equal(remotes[0]->name, "by_certificate");
	assert_string_equal(static_config_seed_section(remotes[0]), "transport");
	free(remotes);
	cJSON_Delete(discovered);
	desired_state_free(d);
}

static void api_key_remotes_that_disagree_on_the_port(void **unused)
{
	struct desired_state *d = load(CLUSTERS
		"  two: { url: \"https://t:9200\" }\n"
		"remotes:\n"
		"  local:\n"
		"    a: { cluster: one, security: api_key, seeds: [\"o:9443\"], api_key: { access: { search: [{ names: [a] }] } } }\n"
		"  two:\n"
		"    b: { cluster: one, security: api_key, mode: proxy, proxy_address: \"o:9500\",\n"
		"         api_key: { access: { search: [{ names: [b] }] } } }\n");
	char *text = NULL;

	(void)unused;
	assert_int_equal(static_config_render(&text, d, "one", NULL), 0);
	assert_non_null(strstr(text, "\nremote_cluster_server.enabled: true\n# the declared addresses of these remotes "
				     "name different ports"));
	assert_null(strstr(text, "remote_cluster.port:"));
	free(text);
	desired_state_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_trust_and_remotes_in_a_fixed_order),
		cmocka_unit_test(discovery_lists_the_remotes_without_addresses),
		cmocka_unit_test(a_cluster_without_trust_or_remotes),
		cmocka_unit_test(a_line_break_in_a_path_stays_in_the_comment),
		cmocka_unit_test(api_key_remotes_need_the_remote_cluster_server),
		cmocka_unit_test(api_key_remotes_that_disagree_on_the_port),
	};

	return cmocka_run_group_tests(tests, make_files, remove_files);
}
