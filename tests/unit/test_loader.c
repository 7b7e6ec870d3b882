/* Unit tests for the desired-state loader: scalar typing, strict YAML, ${...}
 * interpolation, the model it builds, merging files, duplicates, references and
 * keeping secrets out of every diagnostic. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "desired/es_names.h"
#include "desired/interp.h"
#include "desired/loader.h"
#include "desired/password_hash.h"
#include "desired/remote_settings.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/strlist.h"

static char tmpdir[64];

static const char base[] = "version: 1\n"
			   "clusters:\n"
			   "  local:\n"
			   "    url: https://127.0.0.1:9200\n";

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/esr-loader-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *tmp_path(const char *name)
{
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(buf_printf(&b, "%s/%s", tmpdir, name), 0);
	return buf_detach(&b);
}

static void write_file(const char *name, const char *content)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
	fclose(f);
	free(path);
}

/* Loads base + extra as <tmpdir>/t.yaml from memory. */
static int load_text(struct desired_state **out, struct diag_list *diags, const char *extra)
{
	struct buf text;
	char *name = tmp_path("t.yaml");
	int err;

	buf_init(&text, (size_t)8 << 20);
	assert_int_equal(buf_printf(&text, "%s%s", base, extra), 0);
	diag_list_init(diags);
	err = desired_load_buffer(out, name, text.data, text.len, diags);
	buf_dispose(&text);
	free(name);
	return err;
}

/* Asserts that base + extra fails and that the first diagnostic is line:col
 * (counted within `extra`, whose first line is line 5) with that code and message. */
static void assert_rejects(const char *extra, int line, int column, const char *code,
			   const char *message)
{
	struct desired_state *state = (struct desired_state *)1;
	struct diag_list diags;

	assert_int_equal(load_text(&state, &diags, extra), -EINVAL);
	assert_null(state);
	assert_true(diags.count >= 1);
	if (message && strcmp(diags.items[0].message, message) != 0)
		fail_msg("message: %s", diags.items[0].message);
	assert_string_equal(diags.items[0].code, code);
	assert_int_equal(diags.items[0].line, line);
	assert_int_equal(diags.items[0].column, column);
	diag_list_dispose(&diags);
}

static struct desired_state *assert_loads(const char *extra)
{
	struct desired_state *state = NULL;
	struct diag_list diags;
	int err = load_text(&state, &diags, extra);

	if (err) {
		print_error("%s:%d:%d: %s\n", diags.count ? diags.items[0].file : "-",
			    diags.count ? diags.items[0].line : 0, diags.count ? diags.items[0].column : 0,
			    diags.count ? diags.items[0].message : "(none)");
		fail();
	}
	assert_non_null(state);
	diag_list_dispose(&diags);
	return state;
}

static const cJSON *body_of(const struct desired_state *s, enum resource_kind kind,
			    const char *name)
{
	const struct desired_object *o = desired_find_object(s, kind, "local", name);

	assert_non_null(o);
	return o->body;
}

/* ---- scalar typing (YAML 1.2 core schema) ---- */

static void plain_scalars_follow_the_core_schema(void **state)
{
	struct desired_state *s;
	const cJSON *meta;

	(void)state;
	s = assert_loads("roles:\n  local:\n    r:\n      metadata:\n"
			 "        n1: ~\n        n2: null\n        n3:\n        b1: true\n"
			 "        b2: False\n        i1: 42\n        i2: -7\n        i3: 0x1F\n"
			 "        i4: 0o17\n        f1: 1.5\n        f2: 2e3\n        s1: yes\n"
			 "        s2: \"true\"\n        s3: '42'\n        s4: 1.2.3\n"
			 "        s5: !!str 7\n        s6: 0x\n");
	meta = cJSON_GetObjectItemCaseSensitive(body_of(s, RESOURCE_ROLE, "r"), "metadata");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(meta, "n1")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(meta, "n2")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(meta, "n3")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "b1")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(meta, "b2")));
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "i1")->valuedouble == 42);
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "i2")->valuedouble == -7);
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "i3")->valuedouble == 31);
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "i4")->valuedouble == 15);
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "f1")->valuedouble == 1.5);
	assert_true(cJSON_GetObjectItemCaseSensitive(meta, "f2")->valuedouble == 2000);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s1")->valuestring, "yes");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s2")->valuestring, "true");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s3")->valuestring, "42");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s4")->valuestring, "1.2.3");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s5")->valuestring, "7");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "s6")->valuestring, "0x");
	desired_state_free(s);
}

static void booleans_are_plain_true_or_false_only(void **state)
{
	static const char *const words[] = { "yes", "no", "on", "off", "y", "n", "Yes", "ON", "True",
					     "FALSE" };
	char extra[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		snprintf(extra, sizeof(extra), "    allow_insecure_http: %s\n", words[i]);
		assert_rejects(extra, 5, 26, "yaml11-boolean", NULL);
	}
	assert_rejects("    allow_insecure_http: \"true\"\n", 5, 26, "wrong-type",
		       "[clusters.local.allow_insecure_http] must be true or false, found a string");
	assert_rejects("    allow_insecure_http: 1\n", 5, 26, "wrong-type",
		       "[clusters.local.allow_insecure_http] must be true or false, found an integer");
}

static void strings_integers_and_lists_are_typed(void **state)
{
	(void)state;
	assert_rejects("users:\n  local:\n    bob:\n      roles: [x]\n      full_name: 12\n", 9, 18,
		       "wrong-type", "[users.local.bob.full_name] must be a string, found an integer");
	assert_rejects("users:\n  local:\n    bob:\n      roles: [x]\n      full_name: ~\n", 9, 18,
		       "wrong-type", "[users.local.bob.full_name] must be a string, found null");
	assert_rejects("policy:\n  max_deletes: 2.5\n", 6, 16, "wrong-type",
		       "[policy.max_deletes] must be an integer, found a number");
	assert_rejects("policy:\n  max_deletes: 99999999999999999999\n", 6, 16, "invalid-value",
		       "[policy.max_deletes] is out of range");
	assert_rejects("roles:\n  local:\n    r:\n      run_as: bob\n", 8, 15, "wrong-type",
		       "[roles.local.r.run_as] must be a list of strings, found a string");
	assert_rejects("roles:\n  local:\n    r:\n      metadata: { x: .inf }\n", 8, 22,
		       "invalid-value", "[metadata.x] is not a finite number, which JSON cannot carry");
}

/* ---- strict YAML ---- */

static void yaml_structure_problems_are_positioned(void **state)
{
	(void)state;
	assert_rejects("    timeout: 30s\n    timeout: 60s\n", 6, 5, "duplicate-key",
		       "duplicate key [timeout] (first defined at line 5, column 5)");
	assert_rejects("---\nversion: 1\n", 5, 1, "multiple-documents",
		       "more than one YAML document in the file");
	assert_rejects("roles:\n  local:\n    a: &x {}\n    b: *x\n", 7, 8, "anchor",
		       "anchors and aliases are not supported (found anchor &x)");
	assert_rejects("roles:\n  local:\n    b: *x\n", 7, 8, "anchor",
		       "anchors and aliases are not supported (found alias *x)");
	assert_rejects("    timeout: !!int 30\n", 5, 14, "unsupported-tag",
		       "unsupported YAML tag [tag:yaml.org,2002:int]");
	assert_rejects("    timeout: \"a\x01\"\n", 5, 16, "yaml-syntax", NULL);
	assert_rejects("    timeout: \"30\xc0\"\n", 5, 17, "invalid-utf8", "invalid UTF-8 (byte 0xC0)");
	assert_rejects("  bad indent: [\n", 6, 1, "yaml-syntax", NULL);
}

static void nesting_is_capped(void **state)
{
	struct buf deep;
	int i;

	(void)state;
	buf_init(&deep, 1 << 20);
	assert_int_equal(buf_puts(&deep, "roles:\n  local:\n    r:\n      metadata: "), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&deep, "["), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&deep, "]"), 0);
	assert_int_equal(buf_puts(&deep, "\n"), 0);
	assert_rejects(deep.data, 8, 77, "too-deep", "nesting deeper than 64 levels");
	buf_dispose(&deep);
}

static void empty_and_oversized_documents_are_errors(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *big;

	(void)state;
	diag_list_init(&diags);
	assert_int_equal(desired_load_buffer(&s, "e.yaml", "# only a comment\n\n", 18, &diags),
			 -EINVAL);
	assert_string_equal(diags.items[0].code, "empty-file");
	assert_int_equal(diags.items[0].line, 1);
	diag_list_dispose(&diags);

	diag_list_init(&diags);
	assert_int_equal(desired_load_buffer(&s, "e.yaml", "--- ~\n", 6, &diags), -EINVAL);
	assert_string_equal(diags.items[0].code, "empty-file");
	diag_list_dispose(&diags);

	big = malloc(((size_t)4 << 20) + 1);
	assert_non_null(big);
	memset(big, '#', ((size_t)4 << 20) + 1);
	diag_list_init(&diags);
	assert_int_equal(desired_load_buffer(&s, "big.yaml", big, ((size_t)4 << 20) + 1, &diags),
			 -EINVAL);
	assert_string_equal(diags.items[0].code, "file-too-large");
	assert_int_equal(diags.items[0].line, 1);
	assert_int_equal(diags.items[0].column, 1);
	assert_null(s);
	diag_list_dispose(&diags);
	free(big);
}

static void unknown_keys_get_a_hint(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;

	(void)state;
	assert_int_equal(load_text(&s, &diags, "    tiemout: 30s\n    colour: red\n"), -EINVAL);
	assert_int_equal(diags.count, 2);
	assert_string_equal(diags.items[0].message, "unknown key [tiemout] in [clusters.local]");
	assert_string_equal(diags.items[0].hint, "did you mean [timeout]?");
	assert_string_equal(diags.items[1].hint,
			    "allowed keys: url, urls, auth, tls, timeout, allow_insecure_http, expect");
	diag_list_dispose(&diags);
}

/* ---- interpolation ---- */

static int expand(const char *text, char **out, bool *expanded, const char **code,
		  struct buf *why)
{
	size_t len;
	bool placeholder;

	buf_init(why, 4096);
	return interp_expand(out, &len, expanded, &placeholder, code, text, strlen(text), tmpdir, NULL, why);
}

/* validate without secrets: what cannot be resolved is a placeholder, named once. */
static void unresolved_values_are_placeholders_offline(void **state)
{
	struct interp_placeholders unresolved = { NULL, 0 };
	struct desired_state *s = NULL;
	struct diag_list diags;
	const char *paths[1], *code = NULL;
	struct buf why;
	char *out = NULL, *path;
	bool expanded = false, placeholder = false;
	size_t len;

	(void)state;
	unsetenv("ESR_TEST_UNSET");
	unsetenv("ESR_TEST_UNSET_CA");
	setenv("ESR_TEST_A", "alpha", 1);
	buf_init(&why, 4096);
	assert_int_equal(interp_expand(&out, &len, &expanded, &placeholder, &code, "${ESR_TEST_A}:${ESR_TEST_UNSET}",
				       31, tmpdir, &unresolved, &why), 0);
	assert_true(placeholder);
	assert_string_equal(out, "${ESR_TEST_A}:${ESR_TEST_UNSET}"); /* no partial value */
	assert_int_equal(unresolved.count, 1);
	assert_string_equal(unresolved.names[0], "ESR_TEST_UNSET");
	free(out);
	buf_dispose(&why);
	strlist_free(unresolved.names, unresolved.count);

	/* the authority whose file is a placeholder is still declared: no "not declared" follows */
	write_file("offline.yaml",
			  "version: 1\nclusters:\n  local:\n    url: ${ESR_TEST_UNSET}\n"
			  "    auth: { username: elastic, password: \"${ESR_TEST_UNSET}\" }\n"
			  "trust:\n  authorities:\n    ca: ${ESR_TEST_UNSET_CA}/ca.pem\n"
			  "  clusters:\n    local: { transport_ca: ca, trusts: [ca] }\n"
			  "remotes:\n  local:\n    r: { seeds: [\"${ESR_TEST_UNSET}:9300\"] }\n"
			  "users:\n  local:\n    u: { password: \"${file:missing-secret}\", roles: [x] }\n"
			  "    h: { password_hash: \"${ESR_TEST_UNSET}\", roles: [x] }\n");
	path = tmp_path("offline.yaml");
	paths[0] = path;
	diag_list_init(&diags);
	assert_int_equal(desired_load_offline(&s, paths, 1, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(s->unresolved_count, 3);
	assert_string_equal(s->unresolved[0], "ESR_TEST_UNSET");
	assert_string_equal(s->unresolved[1], "ESR_TEST_UNSET_CA");
	assert_string_equal(s->unresolved[2], "file:missing-secret");
	desired_state_free(s);
	/* plan and apply: the same files are invalid */
	assert_int_equal(desired_load(&s, paths, 1, &diags), -EINVAL);
	assert_null(s);
	diag_list_dispose(&diags);
	free(path);
}

static void interpolation_expands_every_form(void **state)
{
	const char *code = NULL;
	struct buf why;
	char *out = NULL;
	bool expanded = false;

	(void)state;
	setenv("ESR_TEST_A", "alpha", 1);
	setenv("ESR_TEST_EMPTY", "", 1);
	unsetenv("ESR_TEST_UNSET");
	write_file("secret.txt", "s3cret\n\n");
	write_file("crlf.txt", "value\r\n");

	assert_int_equal(expand("x-${ESR_TEST_A}-y", &out, &expanded, &code, &why), 0);
	assert_string_equal(out, "x-alpha-y");
	assert_true(expanded);
	free(out);
	buf_dispose(&why);

	assert_int_equal(expand("${ESR_TEST_UNSET:-dflt}/${ESR_TEST_EMPTY:-e}", &out, &expanded,
				&code, &why), 0);
	assert_string_equal(out, "dflt/e");
	free(out);
	buf_dispose(&why);

	/* only ONE trailing newline goes */
	assert_int_equal(expand("${file:secret.txt}", &out, &expanded, &code, &why), 0);
	assert_string_equal(out, "s3cret\n");
	free(out);
	buf_dispose(&why);

	assert_int_equal(expand("${file:crlf.txt}", &out, &expanded, &code, &why), 0);
	assert_string_equal(out, "value");
	free(out);
	buf_dispose(&why);

	assert_int_equal(expand("$${ESR_TEST_A} costs $5 and $$", &out, &expanded, &code, &why), 0);
	assert_string_equal(out, "${ESR_TEST_A} costs $5 and $$");
	assert_false(expanded);
	free(out);
	buf_dispose(&why);
}

static void interpolation_failures_name_the_variable_or_file(void **state)
{
	static const struct {
		const char *text;
		const char *code;
		const char *message;
	} cases[] = {
		{ "${ESR_TEST_UNSET}", "unset-variable", "environment variable [ESR_TEST_UNSET] is not set" },
		{ "${file:missing.txt}", "unreadable-file",
		  "cannot read ${file:missing.txt}: No such file or directory" },
		{ "${file:.}", "unreadable-file", "cannot read ${file:.}: Is a directory" },
		{ "${file:}", "interpolation-syntax", "${file:} needs a path" },
		{ "${ESR_TEST_A", "interpolation-syntax", "unterminated ${ (write $${ for a literal ${)" },
		{ "${}", "interpolation-syntax",
		  "invalid variable name [] in ${...}: use ${NAME}, ${NAME:-default} or ${file:PATH}" },
		{ "${A-B}", "interpolation-syntax",
		  "invalid variable name [A-B] in ${...}: use ${NAME}, ${NAME:-default} or ${file:PATH}" },
	};
	const char *code;
	struct buf why;
	char *out = NULL;
	bool expanded;
	size_t i;

	(void)state;
	unsetenv("ESR_TEST_UNSET");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code = NULL;
		assert_int_equal(expand(cases[i].text, &out, &expanded, &code, &why), -EINVAL);
		assert_string_equal(code, cases[i].code);
		assert_string_equal(why.data, cases[i].message);
		buf_dispose(&why);
	}
}

/* Only secrets are sensitive (passwords, hashes, API keys, credentials),
 * whatever their source: other interpolated values are shown. */
static void interpolated_values_are_typed_and_only_secrets_marked(void **state)
{
	struct desired_state *s;
	const struct desired_object *o;
	const cJSON *body;

	(void)state;
	setenv("ESR_TEST_SKIP", "true", 1);
	setenv("ESR_TEST_PASSWORD", "pw-from-env", 1);
	setenv("ESR_TEST_TEAM", "blue", 1);
	s = assert_loads("remotes:\n  local:\n    r:\n      seeds: [\"h:1\"]\n"
			 "      skip_unavailable: ${ESR_TEST_SKIP}\n"
			 "users:\n  local:\n    u:\n      password: ${ESR_TEST_PASSWORD}\n"
			 "      roles: [x]\n      metadata: { team: \"${ESR_TEST_TEAM}\", fixed: 1,\n"
			 "        credentials: literal-secret }\n");
	o = desired_find_object(s, RESOURCE_REMOTE, "local", "r");
	assert_non_null(o);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o->body, "skip_unavailable")));
	assert_int_equal(cJSON_GetArraySize(o->sensitive_paths), 0);
	o = desired_find_object(s, RESOURCE_USER, "local", "u");
	assert_non_null(o);
	assert_string_equal(secret_reveal(o->password), "pw-from-env");
	body = o->body;
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "password"));
	assert_int_equal(cJSON_GetArraySize(o->sensitive_paths), 1);
	assert_string_equal(cJSON_GetArrayItem(o->sensitive_paths, 0)->valuestring, "metadata.credentials");
	desired_state_free(s);
}

/* A value from ${...} where a string is expected stays a string, whatever it
 * looks like; where a boolean is expected it is still typed. */
static void interpolated_strings_are_strings_even_when_numeric(void **state)
{
	struct desired_state *s;
	const struct desired_object *o;

	(void)state;
	setenv("ESR_TEST_DIGITS", "12345678", 1);
	s = assert_loads("users:\n  local:\n    u:\n      password: ${ESR_TEST_DIGITS}\n"
			 "      roles: [x]\n      full_name: ${ESR_TEST_DIGITS}\n");
	o = desired_find_object(s, RESOURCE_USER, "local", "u");
	assert_non_null(o);
	assert_string_equal(secret_reveal(o->password), "12345678");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o->body, "full_name")->valuestring,
			    "12345678");
	desired_state_free(s);
	setenv("ESR_TEST_DIGITS", "maybe", 1);
	assert_rejects("users:\n  local:\n    u:\n      password: secret-pw\n      roles: [x]\n"
		       "      enabled: ${ESR_TEST_DIGITS}\n",
		       10, 16, "wrong-type", NULL);
}

/* ---- the model ---- */

static void clusters_are_loaded_with_defaults_and_resolved_paths(void **state)
{
	struct desired_state *s;
	const struct cluster_config *c;
	char *expected;

	(void)state;
	write_file("ca.pem", "-----BEGIN CERTIFICATE-----\n");
	setenv("ESR_TEST_KEY", "key-from-env", 1);
	s = assert_loads("    auth: { username: elastic, password: changeme }\n"
			 "    tls: { ca_file: ca.pem, verify: certificate }\n"
			 "  other:\n    urls: [http://a:9200, https://b:9200]\n"
			 "    auth: { api_key: \"${ESR_TEST_KEY}\" }\n    timeout: 2m\n"
			 "    allow_insecure_http: true\n");
	assert_int_equal(s->cluster_count, 2);
	c = desired_find_cluster(s, "local");
	assert_non_null(c);
	assert_int_equal(c->url_count, 1);
	assert_string_equal(c->urls[0], "https://127.0.0.1:9200");
	assert_string_equal(c->username, "elastic");
	assert_string_equal(secret_reveal(c->password), "changeme");
	assert_null(c->api_key);
	expected = tmp_path("ca.pem");
	assert_string_equal(c->ca_file, expected);
	free(expected);
	assert_int_equal(c->verify, TLS_VERIFY_CERTIFICATE);
	assert_int_equal(c->timeout_ms, 30000);
	assert_int_equal(c->pos.line, 3);
	assert_int_equal(c->pos.column, 3);
	c = desired_find_cluster(s, "other");
	assert_non_null(c);
	assert_int_equal(c->url_count, 2);
	assert_string_equal(c->urls[1], "https://b:9200");
	assert_string_equal(secret_reveal(c->api_key), "key-from-env");
	assert_int_equal(c->timeout_ms, 120000);
	assert_true(c->allow_insecure_http);
	assert_int_equal(c->verify, TLS_VERIFY_FULL);
	assert_null(desired_find_cluster(s, "nope"));
	assert_int_equal(s->policy.max_deletes, 20);
	assert_int_equal(s->policy.prune[RESOURCE_ROLE], PRUNE_MANAGED);
	assert_int_equal(s->policy.password_check, PASSWORD_CHECK_PROBE);
	assert_false(s->policy.suspend);
	desired_state_free(s);
}

static void policy_suspend_is_a_boolean(void **state)
{
	struct desired_state *s;

	(void)state;
	s = assert_loads("policy: { suspend: true }\n");
	assert_true(s->policy.suspend);
	desired_state_free(s);
	assert_rejects("policy:\n  suspend: \"true\"\n", 6, 12, "wrong-type",
		       "[policy.suspend] must be true or false, found a string");
}

static void remotes_have_a_flat_body(void **state)
{
	struct desired_state *s;
	const struct desired_object *o;
	char *json;

	(void)state;
	s = assert_loads("  one:\n    url: https://127.0.0.1:9201\n"
			 "remotes:\n  local:\n    one:\n      cluster: one\n      mode: sniff\n"
			 "      seeds: [\"127.0.0.1:9300\"]\n      skip_unavailable: true\n"
			 "      transport: { compress: true, ping_schedule: 30s, "
			 "compression_scheme: lz4 }\n"
			 "    three:\n      mode: proxy\n      proxy_address: \"h:9302\"\n"
			 "      proxy_socket_connections: 4\n      server_name: h\n"
			 "    two: absent\n    four:\n      cluster: one\n");
	o = desired_find_object(s, RESOURCE_REMOTE, "local", "one");
	assert_non_null(o);
	assert_string_equal(o->remote_cluster, "one");
	json = cJSON_PrintUnformatted(o->body);
	assert_string_equal(json, "{\"mode\":\"sniff\",\"seeds\":[\"127.0.0.1:9300\"],"
				  "\"skip_unavailable\":true,\"transport.compress\":true,"
				  "\"transport.ping_schedule\":\"30s\","
				  "\"transport.compression_scheme\":\"lz4\"}");
	free(json);
	o = desired_find_object(s, RESOURCE_REMOTE, "local", "three");
	json = cJSON_PrintUnformatted(o->body);
	assert_string_equal(json, "{\"mode\":\"proxy\",\"proxy_address\":\"h:9302\","
				  "\"server_name\":\"h\",\"proxy_socket_connections\":4}");
	free(json);
	o = desired_find_object(s, RESOURCE_REMOTE, "local", "two");
	assert_true(o->absent);
	assert_null(o->body);
	o = desired_find_object(s, RESOURCE_REMOTE, "local", "four");
	json = cJSON_PrintUnformatted(o->body);
	assert_string_equal(json, "{}");
	free(json);
	assert_string_equal(resource_kind_name(o->kind), "remote");
	desired_state_free(s);
}

static void roles_and_users_keep_their_bodies(void **state)
{
	struct desired_state *s;
	const struct desired_object *o;
	char *json;

	(void)state;
	s = assert_loads("roles:\n  local:\n    r:\n      cluster: [monitor]\n      indices:\n"
			 "        - names: logs-*\n          privileges: [read]\n"
			 "          query: { term: { a: 1 } }\n    gone: absent\n"
			 "users:\n  local:\n    u:\n      password_hash: \"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\"\n"
			 "      roles: []\n      enabled: false\n    elastic:\n      password: changeme\n");
	o = desired_find_object(s, RESOURCE_ROLE, "local", "r");
	json = cJSON_PrintUnformatted(o->body);
	assert_string_equal(json, "{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":\"logs-*\","
				  "\"privileges\":[\"read\"],\"query\":{\"term\":{\"a\":1}}}]}");
	free(json);
	assert_int_equal(o->pos.line, 7);
	assert_int_equal(o->pos.column, 5);
	assert_string_equal(o->pos.file + strlen(o->pos.file) - 6, "t.yaml");
	assert_true(desired_find_object(s, RESOURCE_ROLE, "local", "gone")->absent);
	o = desired_find_object(s, RESOURCE_USER, "local", "u");
	json = cJSON_PrintUnformatted(o->body);
	assert_string_equal(json, "{\"roles\":[],\"enabled\":false}");
	free(json);
	assert_null(o->password);
	assert_string_equal(secret_reveal(o->password_hash), "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy");
	o = desired_find_object(s, RESOURCE_USER, "local", "elastic");
	assert_string_equal(secret_reveal(o->password), "changeme");
	assert_int_equal(s->object_count, 4);
	assert_null(desired_find_object(s, RESOURCE_USER, "local", "r"));
	desired_state_free(s);
}

/* ---- several files ---- */

static void files_and_directories_merge(void **state)
{
	const char *paths[2];
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *dir = tmp_path("conf.d"), *b = tmp_path("b.yaml");

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("conf.d/20-roles.yml", "version: 1\nroles:\n  local:\n    r: { cluster: [all] }\n");
	write_file("conf.d/10-clusters.yaml", base);
	write_file("conf.d/notes.txt", "not yaml: [");
	write_file("b.yaml", "version: 1\nusers:\n  local:\n    u: { roles: [r] }\n");
	paths[0] = dir;
	paths[1] = b;
	diag_list_init(&diags);
	assert_int_equal(desired_load(&s, paths, 2, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(s->file_count, 3);
	assert_non_null(strstr(s->files[0], "conf.d/10-clusters.yaml"));
	assert_non_null(strstr(s->files[1], "conf.d/20-roles.yml"));
	assert_non_null(desired_find_object(s, RESOURCE_USER, "local", "u"));
	assert_ptr_equal(desired_find_object(s, RESOURCE_ROLE, "local", "r")->pos.file, s->files[1]);
	desired_state_free(s);
	diag_list_dispose(&diags);
	free(dir);
	free(b);
}

/* What the observer was told: copies, since cfg lives only during the call. */
struct observed {
	struct cluster_config clusters[4];
	size_t count;
};

static void observe_cluster(void *ctx, const struct cluster_config *cfg)
{
	struct observed *seen = ctx;

	assert_true(seen->count < 4);
	assert_int_equal(cluster_config_copy(&seen->clusters[seen->count++], cfg), 0);
}

static void observed_dispose(struct observed *seen)
{
	size_t i;

	for (i = 0; i < seen->count; i++)
		cluster_config_dispose(&seen->clusters[i]);
	seen->count = 0;
}

static void clusters_are_told_as_their_files_are_read_until_a_problem(void **state)
{
	struct observed seen = { .count = 0 };
	struct desired_load_observer observer = { observe_cluster, &seen };
	const char *paths[1];
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *dir = tmp_path("observed.d");

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("observed.d/10-a.yaml", "version: 1\nclusters:\n  a:\n    url: https://a.example:9200\n"
					   "    auth: { username: elastic, password: s3cret-a }\n"
					   "    tls: { verify: none }\n    timeout: 5s\n");
	write_file("observed.d/20-b.yaml", "version: 1\nclusters:\n  b:\n    urls: [https://b1:9200, https://b2:9200]\n");
	paths[0] = dir;
	diag_list_init(&diags);
	assert_int_equal(desired_load_observed(&s, paths, 1, &observer, &diags), 0);
	/* in declaration order, each a copy that outlives the state */
	assert_int_equal(seen.count, 2);
	desired_state_free(s);
	assert_string_equal(seen.clusters[0].id, "a");
	assert_string_equal(seen.clusters[0].urls[0], "https://a.example:9200");
	assert_string_equal(seen.clusters[0].username, "elastic");
	assert_string_equal(secret_reveal(seen.clusters[0].password), "s3cret-a");
	assert_int_equal(seen.clusters[0].verify, TLS_VERIFY_NONE);
	assert_int_equal(seen.clusters[0].timeout_ms, 5000);
	assert_null(seen.clusters[0].pos.file);
	assert_string_equal(seen.clusters[1].id, "b");
	assert_int_equal(seen.clusters[1].url_count, 2);
	assert_string_equal(seen.clusters[1].urls[1], "https://b2:9200");
	observed_dispose(&seen);
	diag_list_dispose(&diags);

	/* after a problem in one file, the clusters of the next are not told */
	write_file("observed.d/15-bad.yaml", "version: 1\nroles:\n  a:\n    r: { colour: red }\n");
	s = (struct desired_state *)1;
	diag_list_init(&diags);
	assert_int_equal(desired_load_observed(&s, paths, 1, &observer, &diags), -EINVAL);
	assert_null(s);
	assert_int_equal(seen.count, 1);
	assert_string_equal(seen.clusters[0].id, "a");
	observed_dispose(&seen);
	diag_list_dispose(&diags);
	free(dir);
}

/* No cluster is told, so that no request is made, while any file's ${...} would
 * not resolve (design §1: an error before any request), or while one is a pipe
 * that cannot be read twice. A reference that resolves tells them as before. */
static void clusters_are_not_told_while_a_reference_would_not_resolve(void **state)
{
	static const char *const unresolved[] = {
		"    u: { password: \"${ESR_TEST_UNSET_VARIABLE}\" }\n",
		"    u: { password: \"${file:no-such-file}\" }\n",
		"    u: { password: \"${ESR_TEST_NO_CLOSING_BRACE\" }\n",
		"    u: { password: \"\\u0024{ESR_TEST_UNSET_VARIABLE}\" }\n",
		"    u: { password: \"$\\\n      {ESR_TEST_UNSET_VARIABLE}\" }\n",
		"    # ${ESR_TEST_UNSET_VARIABLE} in a comment counts too\n    u: { password: x }\n",
	};
	struct observed seen = { .count = 0 };
	struct desired_load_observer observer = { observe_cluster, &seen };
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *dir = tmp_path("unresolved.d"), *users = tmp_path("unresolved.d/20-users.yaml");
	const char *paths[2] = { dir, NULL };
	struct buf text;
	size_t i;
	int fds[2];

	(void)state;
	unsetenv("ESR_TEST_UNSET_VARIABLE");
	setenv("ESR_TEST_SET_VARIABLE", "s3cret", 1);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("unresolved.d/10-a.yaml", "version: 1\nclusters:\n  a:\n    url: https://a.example:9200\n");
	write_file("unresolved.d/secret.txt", "from a file\n");
	buf_init(&text, BUF_SMALL_MAX);
	for (i = 0; i < sizeof(unresolved) / sizeof(unresolved[0]); i++) {
		buf_reset(&text);
		assert_int_equal(buf_printf(&text, "version: 1\nusers:\n  a:\n%s", unresolved[i]), 0);
		write_file("unresolved.d/20-users.yaml", text.data);
		diag_list_init(&diags);
		s = NULL;
		(void)desired_load_observed(&s, paths, 1, &observer, &diags);
		desired_state_free(s);
		assert_int_equal(seen.count, 0);
		diag_list_dispose(&diags);
	}
	write_file("unresolved.d/20-users.yaml",
		   "version: 1\nusers:\n  a:\n    u: { password: \"${ESR_TEST_SET_VARIABLE}\", roles: [] }\n"
		   "    v: { password: \"${ESR_TEST_SET_VARIABLE}\", roles: [] }\n"
		   "    w: { password: \"${file:secret.txt}\", roles: [],\n"
		   "         full_name: \"${ESR_TEST_UNSET_VARIABLE:-}\" }\n");
	diag_list_init(&diags);
	assert_int_equal(desired_load_observed(&s, paths, 1, &observer, &diags), 0);
	desired_state_free(s);
	assert_int_equal(seen.count, 1);
	observed_dispose(&seen);
	diag_list_dispose(&diags);

	/* a pipe (-f <(command)) can be read once: the loader reads it, nobody is told */
	assert_int_equal(pipe(fds), 0);
	assert_true(write(fds[1], "version: 1\nclusters:\n  p:\n    url: https://p:9200\n", 49) == 49);
	close(fds[1]);
	buf_reset(&text);
	assert_int_equal(buf_printf(&text, "/dev/fd/%d", fds[0]), 0);
	paths[0] = text.data;
	diag_list_init(&diags);
	assert_int_equal(desired_load_observed(&s, paths, 1, &observer, &diags), 0);
	assert_non_null(desired_find_cluster(s, "p"));
	desired_state_free(s);
	assert_int_equal(seen.count, 0);
	close(fds[0]);
	diag_list_dispose(&diags);
	buf_dispose(&text);
	free(users);
	free(dir);
}

static void a_resource_defined_twice_names_both_places(void **state)
{
	const char *paths[3];
	struct desired_state *s = (struct desired_state *)1;
	struct diag_list diags;
	char *a = tmp_path("a1.yaml"), *b = tmp_path("b1.yaml"), *c = tmp_path("c1.yaml");
	struct buf want;

	(void)state;
	write_file("a1.yaml", "version: 1\nclusters:\n  local:\n    url: https://h:1\n"
			      "roles:\n  local:\n    x: {}\n");
	write_file("b1.yaml", "version: 1\nroles:\n  local:\n    y: {}\n\n\n    x: {}\n");
	write_file("c1.yaml", "version: 1\nclusters:\n  local:\n    url: https://h:2\n"
			      "policy: { max_deletes: 1 }\n");
	paths[0] = a;
	paths[1] = b;
	paths[2] = c;
	diag_list_init(&diags);
	assert_int_equal(desired_load(&s, paths, 3, &diags), -EINVAL);
	assert_null(s);
	assert_int_equal(diags.count, 2);
	buf_init(&want, 4096);
	buf_printf(&want, "role [x] on cluster [local] is defined twice: %s:7:5 and %s:7:5", a, b);
	assert_string_equal(diags.items[0].message, want.data);
	assert_string_equal(diags.items[0].file, b);
	assert_string_equal(diags.items[0].code, "duplicate-definition");
	assert_string_equal(diags.items[0].source_line, "    x: {}");
	buf_reset(&want);
	buf_printf(&want, "cluster [local] is defined twice: %s:3:3 and %s:3:3", a, c);
	assert_string_equal(diags.items[1].message, want.data);
	buf_dispose(&want);
	diag_list_dispose(&diags);
	free(a);
	free(b);
	free(c);
}

static void trust_defined_twice_names_both_places(void **state)
{
	const char *paths[2];
	struct desired_state *s = (struct desired_state *)1;
	struct diag_list diags;
	char *a = tmp_path("ta.yaml"), *b = tmp_path("tb.yaml");
	static const char trust[] = "trust:\n  authorities:\n    ca: ca.pem\n"
				    "  clusters:\n    local: { transport_ca: ca, trusts: [ca] }\n";
	struct buf text, want;

	(void)state;
	write_file("ca.pem", "not parsed by the loader\n");
	buf_init(&text, 4096);
	buf_printf(&text, "version: 1\nclusters:\n  local:\n    url: https://h:1\n%s", trust);
	write_file("ta.yaml", text.data);
	buf_reset(&text);
	buf_printf(&text, "version: 1\n%s", trust);
	write_file("tb.yaml", text.data);
	paths[0] = a;
	paths[1] = b;
	diag_list_init(&diags);
	assert_int_equal(desired_load(&s, paths, 2, &diags), -EINVAL);
	assert_null(s);
	assert_int_equal(diags.count, 2);
	buf_init(&want, 4096);
	buf_printf(&want, "trust authority [ca] is defined twice: %s:7:5 and %s:4:5", a, b);
	assert_string_equal(diags.items[0].message, want.data);
	buf_reset(&want);
	buf_printf(&want, "trust for cluster [local] is defined twice: %s:9:5 and %s:6:5", a, b);
	assert_string_equal(diags.items[1].message, want.data);
	buf_dispose(&want);
	buf_dispose(&text);
	diag_list_dispose(&diags);
	free(a);
	free(b);
}

/* ---- the loaded state: one copy of each body, objects by cluster ---- */

/* Loads `count` files written into tmpdir (names[i] holding texts[i]). */
static int load_files(struct desired_state **out, struct diag_list *diags, const char *const *names,
		      const char *const *texts, size_t count)
{
	char *paths[4];
	size_t i;
	int err;

	assert_true(count <= 4);
	for (i = 0; i < count; i++) {
		write_file(names[i], texts[i]);
		paths[i] = tmp_path(names[i]);
	}
	diag_list_init(diags);
	err = desired_load(out, (const char *const *)paths, count, diags);
	for (i = 0; i < count; i++)
		free(paths[i]);
	return err;
}

static const struct desired_object *object_on(const struct desired_state *s, enum resource_kind kind,
					      const char *cluster, const char *name)
{
	const struct desired_object *o = desired_find_object(s, kind, cluster, name);

	assert_non_null(o);
	return o;
}

static void identical_bodies_are_stored_once(void **state)
{
	static const char *const names[] = { "fleet-a.yaml", "fleet-b.yaml" };
	static const char *const texts[] = {
		"version: 1\nclusters:\n  a: { url: https://h:1 }\n"
		"roles:\n  a:\n    r: { cluster: [monitor], metadata: { team: x } }\n"
		"    reordered: { metadata: { team: x }, cluster: [monitor] }\n"
		"    other: { cluster: [monitor], metadata: { team: y } }\n"
		"    typed: { metadata: { n: 1 } }\n"
		"    zero: { metadata: { n: 0.0 } }\n"
		"users:\n  a:\n    u: { password: pw-a-secret, roles: [r], full_name: \"${ESR_TEST_FULL}\",\n"
		"         metadata: { credentials: shared-secret } }\n",
		"version: 1\nclusters:\n  b: { url: https://h:2 }\n"
		"roles:\n  b:\n    r: { cluster: [monitor], metadata: { team: x } }\n"
		"    typed: { metadata: { n: \"1\" } }\n"
		"    zero: { metadata: { n: -0.0 } }\n"
		"users:\n  b:\n    u: { password: pw-b-secret, roles: [r], full_name: Full Name,\n"
		"         metadata: { credentials: shared-secret } }\n",
	};
	struct desired_state *s = NULL;
	struct diag_list diags;
	const struct desired_object *ra, *rb, *ua, *ub;

	(void)state;
	setenv("ESR_TEST_FULL", "Full Name", 1);
	assert_int_equal(load_files(&s, &diags, names, texts, 2), 0);
	ra = object_on(s, RESOURCE_ROLE, "a", "r");
	rb = object_on(s, RESOURCE_ROLE, "b", "r");
	/* the same role on two clusters: one tree, one name */
	assert_ptr_equal(ra->body, rb->body);
	assert_ptr_equal(ra->name, rb->name);
	assert_ptr_equal(ra->cluster, object_on(s, RESOURCE_ROLE, "a", "other")->cluster);
	assert_string_equal(rb->cluster, "b");
	/* a different value, a different order of keys, a different type: apart,
	 * since sharing must never change what a printer shows */
	assert_ptr_not_equal(ra->body, object_on(s, RESOURCE_ROLE, "a", "other")->body);
	assert_ptr_not_equal(ra->body, object_on(s, RESOURCE_ROLE, "a", "reordered")->body);
	assert_ptr_not_equal(object_on(s, RESOURCE_ROLE, "a", "typed")->body,
			     object_on(s, RESOURCE_ROLE, "b", "typed")->body);
	assert_ptr_not_equal(object_on(s, RESOURCE_ROLE, "a", "zero")->body,
			     object_on(s, RESOURCE_ROLE, "b", "zero")->body);
	/* equal bodies, a value from ${...} in one: shared; so is the list of their
	 * secret paths (a secret's place follows from the keys), and the empty one */
	ua = object_on(s, RESOURCE_USER, "a", "u");
	ub = object_on(s, RESOURCE_USER, "b", "u");
	assert_ptr_equal(ua->body, ub->body);
	assert_ptr_equal(ua->sensitive_paths, ub->sensitive_paths);
	assert_int_equal(cJSON_GetArraySize(ua->sensitive_paths), 1);
	assert_string_equal(cJSON_GetArrayItem(ua->sensitive_paths, 0)->valuestring, "metadata.credentials");
	assert_int_equal(cJSON_GetArraySize(ra->sensitive_paths), 0);
	assert_ptr_equal(ra->sensitive_paths, object_on(s, RESOURCE_ROLE, "b", "typed")->sensitive_paths);
	/* passwords are each object's own */
	assert_string_equal(secret_reveal(ua->password), "pw-a-secret");
	assert_string_equal(secret_reveal(ub->password), "pw-b-secret");
	unsetenv("ESR_TEST_FULL");
	desired_state_free(s);
	diag_list_dispose(&diags);
}

static void a_clusters_objects_come_by_kind_in_file_order(void **state)
{
	static const char *const names[] = { "order-a.yaml", "order-b.yaml" };
	static const char *const texts[] = {
		"version: 1\nclusters:\n  a: { url: https://h:1 }\n  b: { url: https://h:2 }\n"
		"roles:\n  a:\n    z: {}\n    y: absent\n  b:\n    only-b: {}\n"
		"users:\n  a:\n    u: { roles: [z], password: long-enough-password }\n",
		"version: 1\nroles:\n  a:\n    x: {}\n",
	};
	const struct desired_object *const *list;
	struct desired_state *s = NULL;
	struct diag_list diags;

	(void)state;
	assert_int_equal(load_files(&s, &diags, names, texts, 2), 0);
	assert_int_equal(desired_cluster_objects(s, "a", RESOURCE_ROLE, &list), 3);
	assert_string_equal(list[0]->name, "z");
	assert_string_equal(list[1]->name, "y");
	assert_true(list[1]->absent);
	assert_string_equal(list[2]->name, "x");
	assert_int_equal(desired_cluster_objects(s, "a", RESOURCE_USER, &list), 1);
	assert_string_equal(list[0]->name, "u");
	assert_int_equal(desired_cluster_objects(s, "a", RESOURCE_REMOTE, &list), 0);
	assert_null(list);
	assert_int_equal(desired_cluster_objects(s, "b", RESOURCE_ROLE, &list), 1);
	assert_string_equal(list[0]->name, "only-b");
	assert_int_equal(desired_cluster_objects(s, "nowhere", RESOURCE_ROLE, &list), 0);
	assert_null(desired_find_object(s, RESOURCE_USER, "a", "z"));
	assert_null(desired_find_object(s, RESOURCE_ROLE, "b", "z"));
	assert_ptr_equal(desired_find_object(s, RESOURCE_ROLE, "a", "x")->pos.file, s->files[1]);
	desired_state_free(s);
	diag_list_dispose(&diags);
}

/* The files' text is freed as soon as each is read: the checks that need every
 * file still place their findings and echo the line. */
static void late_findings_keep_their_place_and_line(void **state)
{
	static const char *const names[] = { "late-a.yaml", "late-b.yaml", "late-c.yaml" };
	static const char *const texts[] = {
		"version: 1\nclusters:\n  a: { url: https://h:1 }\n"
		"remotes:\n  a:\n    far: { cluster: nowhere, mode: sniff, seeds: [\"h:9300\"] }\n"
		"roles:\n  a:\n    r: {}\n",
		"version: 1\n\nroles:\n  a:\n    r: { cluster: [monitor] }\n",
		"version: 1\nroles:\n  a:\n      r: { cluster: [all] }\n",
	};
	struct desired_state *s = (struct desired_state *)1;
	struct diag_list diags;
	char *a = tmp_path(names[0]), *b = tmp_path(names[1]), *c = tmp_path(names[2]);
	struct buf want;

	(void)state;
	assert_int_equal(load_files(&s, &diags, names, texts, 3), -EINVAL);
	assert_null(s);
	assert_int_equal(diags.count, 3);
	/* in file order: the reference in the first file, then each repeat at its place */
	assert_string_equal(diags.items[0].file, a);
	assert_int_equal(diags.items[0].line, 6);
	assert_int_equal(diags.items[0].column, 21);
	assert_string_equal(diags.items[0].code, "undefined-reference");
	assert_string_equal(diags.items[0].source_line,
			    "    far: { cluster: nowhere, mode: sniff, seeds: [\"h:9300\"] }");
	buf_init(&want, 4096);
	buf_printf(&want, "role [r] on cluster [a] is defined twice: %s:9:5 and %s:5:5", a, b);
	assert_string_equal(diags.items[1].message, want.data);
	assert_string_equal(diags.items[1].source_line, "    r: { cluster: [monitor] }");
	buf_reset(&want);
	buf_printf(&want, "role [r] on cluster [a] is defined twice: %s:5:5 and %s:4:7", b, c);
	assert_string_equal(diags.items[2].message, want.data);
	assert_string_equal(diags.items[2].file, c);
	assert_string_equal(diags.items[2].source_line, "      r: { cluster: [all] }");
	buf_dispose(&want);
	diag_list_dispose(&diags);
	free(a);
	free(b);
	free(c);
}

static void every_file_is_reported_even_after_a_broken_one(void **state)
{
	const char *paths[3];
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *a = tmp_path("broken.yaml"), *b = tmp_path("bad-key.yaml"), *c = tmp_path("none.yaml");

	(void)state;
	write_file("broken.yaml", "version: 1\nclusters: [\n");
	write_file("bad-key.yaml", "version: 1\nclusterz: {}\n");
	paths[0] = a;
	paths[1] = b;
	paths[2] = c;
	diag_list_init(&diags);
	assert_int_equal(desired_load(&s, paths, 3, &diags), -EINVAL);
	assert_int_equal(diags.count, 3);
	assert_string_equal(diags.items[0].code, "yaml-syntax");
	assert_string_equal(diags.items[1].code, "unknown-key");
	assert_string_equal(diags.items[2].code, "unreadable-file");
	diag_list_dispose(&diags);
	free(a);
	free(b);
	free(c);
}

static void references_must_be_declared(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;

	(void)state;
	assert_int_equal(load_text(&s, &diags, "remotes:\n  local:\n    a: { cluster: locall }\n"
					       "roles:\n  lokal:\n    r: {}\n"),
			 -EINVAL);
	assert_int_equal(diags.count, 2);
	assert_string_equal(diags.items[0].message, "remote [a] on cluster [local] names cluster "
						    "[locall], which is not declared under clusters");
	assert_string_equal(diags.items[0].hint, "did you mean [local]?");
	assert_int_equal(diags.items[0].line, 7);
	assert_int_equal(diags.items[0].column, 19);
	assert_string_equal(diags.items[1].message,
			    "[roles] names cluster [lokal], which is not declared under clusters");
	diag_list_dispose(&diags);
}

/* The whole-file check skips ASCII a word at a time: a bad byte is still found
 * at its exact place whatever its alignment, and after runs of text that hold
 * valid multi-byte characters. */
static void invalid_utf8_is_placed_exactly(void **state)
{
	static const char *const lead[] = { "", "caf\xc3\xa9 \xe2\x82\xac " };
	struct desired_state *s = NULL;
	struct diag_list diags;
	char text[128];
	size_t i, k, chars;
	int n;

	(void)state;
	for (i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
		chars = i ? 7 : 0; /* characters in lead[i] */
		for (k = 0; k < 20; k++) {
			n = snprintf(text, sizeof(text), "version: 1\n# %s%.*s\xff tail\n", lead[i],
				     (int)k, "xxxxxxxxxxxxxxxxxxxx");
			assert_true(n > 0 && (size_t)n < sizeof(text));
			diag_list_init(&diags);
			assert_int_equal(desired_load_buffer(&s, "u.yaml", text, (size_t)n, &diags),
					 -EINVAL);
			assert_null(s);
			assert_string_equal(diags.items[0].code, "invalid-utf8");
			assert_string_equal(diags.items[0].message, "invalid UTF-8 (byte 0xFF)");
			assert_int_equal(diags.items[0].line, 2);
			assert_int_equal(diags.items[0].column, (int)(3 + chars + k));
			diag_list_dispose(&diags);
		}
	}
}

/* ---- Elasticsearch's names ---- */

static void elasticsearch_names_are_found(void **state)
{
	const char *const *names;
	size_t count, i;

	(void)state;
	/* every table entry is found: the binary search needs the tables sorted */
	names = es_cluster_privileges(&count);
	for (i = 0; i < count; i++)
		assert_true(es_cluster_privilege_known(names[i]));
	names = es_index_privileges(&count);
	for (i = 0; i < count; i++)
		assert_true(es_index_privilege_known(names[i]));
	assert_true(es_cluster_privilege_known("MANAGE_CCR")); /* Elasticsearch lower-cases */
	assert_true(es_cluster_privilege_known("cluster:admin/xpack/ccr/*"));
	assert_true(es_cluster_privilege_known("indices:admin/template/put"));
	assert_false(es_cluster_privilege_known("indices:data/read/search"));
	assert_false(es_cluster_privilege_known("monitr"));
	assert_true(es_index_privilege_known("indices:data/read/search"));
	assert_false(es_index_privilege_known("manage_ccr"));
	assert_true(es_role_is_reserved("superuser"));
	assert_true(es_role_is_reserved("kibana_system"));
	assert_false(es_role_is_reserved("Superuser"));
	assert_true(es_user_is_reserved("elastic"));
	assert_true(es_user_is_reserved("remote_monitoring_user"));
	assert_false(es_user_is_reserved("bob"));
	assert_true(es_remote_cluster_privilege_known("monitor_stats"));
	assert_false(es_remote_cluster_privilege_known("monitor"));
	assert_true(es_valid_security_name("a role, with punctuation!"));
	assert_false(es_valid_security_name(" lead"));
	assert_false(es_valid_security_name("trail "));
	assert_false(es_valid_security_name(""));
	assert_false(es_valid_security_name("caf\xc3\xa9"));
}

static void names_newer_than_8_14_carry_their_version(void **state)
{
	int major = 0, minor = 0;

	(void)state;
	assert_true(es_name_since(ES_ROLE_FIELD, "remote_cluster", &major, &minor));
	assert_int_equal(major * 100 + minor, 815);
	assert_true(es_name_since(ES_ROLE_FIELD, "description", &major, &minor));
	assert_int_equal(major * 100 + minor, 815);
	assert_true(es_name_since(ES_CLUSTER_PRIVILEGE, "Monitor_Stats", &major, &minor));
	assert_int_equal(major * 100 + minor, 817);
	assert_true(es_name_since(ES_REMOTE_CLUSTER_PRIVILEGE, "monitor_stats", &major, &minor));
	assert_int_equal(major * 100 + minor, 817);
	assert_true(es_name_since(ES_INDEX_PRIVILEGE, "read_failure_store", &major, &minor));
	assert_int_equal(major * 100 + minor, 819);
	/* known since before 8.14, or of another kind */
	assert_false(es_name_since(ES_ROLE_FIELD, "remote_indices", &major, &minor));
	assert_false(es_name_since(ES_ROLE_FIELD, "Description", &major, &minor));
	assert_false(es_name_since(ES_CLUSTER_PRIVILEGE, "monitor_enrich", &major, &minor));
	assert_false(es_name_since(ES_INDEX_PRIVILEGE, "monitor_stats", &major, &minor));
	/* every gated privilege is one the offline check knows */
	assert_true(es_cluster_privilege_known("monitor_stats"));
	assert_true(es_remote_cluster_privilege_known("monitor_stats"));
	assert_true(es_index_privilege_known("manage_failure_store"));
	assert_string_equal(es_name_kind_text(ES_REMOTE_CLUSTER_PRIVILEGE), "remote_cluster privilege");
}

/* ---- password hashes ---- */

static void password_hashes_are_checked_for_shape(void **state)
{
	/* made with python3-bcrypt and hashlib: each verifies "hash-password-1" */
	static const char *const good[] = {
		"$2b$04$fAWaru7lT/rzjiM.RNCSPO1PwvcbMl.QGL9O.kIIr2UvstNpTP73S",
		"$2a$12$3Oj77WWH3agvKOI1W/3o6OTm20xH1P4I8XS5zWYzdylY03HpIGoCu",
		"$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"{PBKDF2}1000$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=",
		"{PBKDF2_STRETCH}1000$MDEyMzQ1Njc4OWFi$a85O5oj11fUJ5ftlyaHiEut3Uu8LGAcs2HY3ACnhb4SichNoXtVg46fjnAS+fH3c",
		/* a salt without its padding decodes the same (java.util.Base64) */
		"{PBKDF2}10000$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=",
	};
	static const struct {
		const char *hash;
		const char *starts; /* the start of the problem */
	} bad[] = {
		{ "password", "password_hash is not a bcrypt" },
		{ "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "password_hash is not a bcrypt" },
		{ "$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "a bcrypt password_hash is" },
		{ "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW", "a bcrypt password_hash is" },
		{ "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lh+y", "a bcrypt password_hash is" },
		{ "$2a$1$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWyy", "a bcrypt password_hash is" },
		{ "$2a$15$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "the cost of a bcrypt" },
		{ "$2a$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "the cost of a bcrypt" },
		{ "{PBKDF2}", "a PBKDF2 password_hash is" },
		{ "{PBKDF2}1000$MDEyMzQ1Njc4OWFi", "a PBKDF2 password_hash is" },
		{ "{PBKDF2}2000$MDEyMzQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "the iterations" },
		{ "{PBKDF2}$MDEyMzQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "the iterations" },
		{ "{PBKDF2}01000$MDEyMzQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "the iterations" },
		{ "{PBKDF2}1000$MDEy!zQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "a PBKDF2 password_hash is" },
		{ "{PBKDF2}1000$MDEyMzQ1Nj$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "the salt" },
		{ "{PBKDF2}1000$MDEyMzQ1Ng==$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "the salt" },
		{ "{PBKDF2}1000$MDEyMzQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec", "the hash of a PBKDF2" },
		{ "{PBKDF2}1000$MDEyMzQ1Njc4OWFi$B9ECcFSsMbJxKLlWZnPZjFYt", "the hash of a PBKDF2" },
		{ "{PBKDF2}1000$MDEyMzQ1Njc4OWFi$", "the hash of a PBKDF2" },
		{ "{PBKDF2}1000$MDEyMzQ1Njc4OWFi$B9EC$cFSsMbJxKLlWZnPZjFYt8XfQzAT4BiUcrCFHoec=", "a PBKDF2 password_hash is" },
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if ((why = password_hash_problem(good[i])))
			fail_msg("good hash %zu: %s", i, why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = password_hash_problem(bad[i].hash);
		if (!why || strncmp(why, bad[i].starts, strlen(bad[i].starts)))
			fail_msg("bad hash %zu: %s", i, why ? why : "accepted");
	}
}

/* ---- the table of remote settings ---- */

static void remote_settings_know_types_modes_and_defaults(void **state)
{
	const struct remote_setting *s;
	size_t i, sniff_only = 0, proxy_only = 0;

	(void)state;
	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		s = &remote_settings[i];
		assert_ptr_equal(remote_setting_find(s->key), s);
		sniff_only += s->modes == REMOTE_MODE_SNIFF;
		proxy_only += s->modes == REMOTE_MODE_PROXY;
	}
	assert_int_equal(sniff_only, 2);
	assert_int_equal(proxy_only, 3);
	assert_null(remote_setting_find("transport.compres"));
	assert_null(remote_setting_find(NULL));
	s = remote_setting_find("transport.compress");
	assert_string_equal(s->yaml_group, "transport");
	assert_string_equal(s->yaml_key, "compress");
	assert_int_equal(s->type, REMOTE_VALUE_ENUM);
	assert_string_equal(remote_setting_default(s, 8, 0), "indexing_data");
	/* skip_unavailable became true by default in 8.15 */
	s = remote_setting_find("skip_unavailable");
	assert_string_equal(remote_setting_default(s, 0, 0), "false");
	assert_string_equal(remote_setting_default(s, 8, 14), "false");
	assert_string_equal(remote_setting_default(s, 8, 15), "true");
	assert_string_equal(remote_setting_default(s, 9, 0), "true");
	s = remote_setting_find("seeds");
	assert_true(s->enables);
	assert_int_equal(s->type, REMOTE_VALUE_HOSTPORT_LIST);
	assert_null(remote_setting_default(s, 8, 15));
	assert_null(remote_setting_default(NULL, 8, 15));
	assert_string_equal(remote_setting_default(remote_setting_find("proxy_socket_connections"),
						   8, 15), "18");
	assert_int_equal(remote_mode_of("PROXY"), REMOTE_MODE_PROXY);
	assert_int_equal(remote_mode_of("sniff"), REMOTE_MODE_SNIFF);
	assert_int_equal(remote_mode_of(NULL), REMOTE_MODE_SNIFF);
}

/* ---- streaming ---- */

static void many_entries_are_streamed_and_still_checked(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;
	struct buf text;
	int i;

	(void)state;
	buf_init(&text, (size_t)4 << 20);
	assert_int_equal(buf_puts(&text, "roles:\n  local:\n"), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&text, "    r%d:\n      cluster: [%s]\n", i,
					    i == 1234 ? "monitr" : "monitor"), 0);
	assert_int_equal(buf_puts(&text, "users:\n  local:\n    u: { password: s3cret-pw, roles: [r1] }\n"
					 "    u: { roles: [] }\n"), 0);
	assert_int_equal(load_text(&s, &diags, text.data), -EINVAL);
	assert_int_equal(diags.count, 2);
	/* line: 4 of base, 2 of header, 2 per role */
	assert_int_equal(diags.items[0].line, 5 + 2 + 2 * 1234 + 1);
	assert_int_equal(diags.items[0].column, 17);
	assert_string_equal(diags.items[0].source_line, "      cluster: [monitr]");
	assert_string_equal(diags.items[1].code, "duplicate-key");
	diag_list_dispose(&diags);

	/* the same without the mistakes loads every role */
	buf_reset(&text);
	assert_int_equal(buf_puts(&text, "roles:\n  local:\n"), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&text, "    r%d: { cluster: [monitor] }\n", i), 0);
	assert_int_equal(load_text(&s, &diags, text.data), 0);
	assert_int_equal(s->object_count, 3000);
	assert_non_null(desired_find_object(s, RESOURCE_ROLE, "local", "r2999"));
	desired_state_free(s);
	diag_list_dispose(&diags);
	buf_dispose(&text);
}

/* A file of YEVENTS_AHEAD_MIN bytes or more is parsed on a helper thread: its
 * syntax errors are placed as exactly, and a file that stops early (a second
 * document) stops the helper. */
static void big_files_parsed_ahead_report_the_same(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;
	struct buf roles, text;
	int i;

	(void)state;
	buf_init(&roles, (size_t)4 << 20);
	buf_init(&text, (size_t)4 << 20);
	assert_int_equal(buf_puts(&roles, "roles:\n  local:\n"), 0);
	for (i = 0; i < 4000; i++) /* 6 events each: the ring goes round */
		assert_int_equal(buf_printf(&roles, "    r%d:\n      cluster: [monitor]\n", i), 0);
	assert_true(roles.len > (size_t)64 << 10);

	assert_int_equal(buf_printf(&text, "%s    bad: [monitor\n", roles.data), 0);
	assert_int_equal(load_text(&s, &diags, text.data), -EINVAL);
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].code, "yaml-syntax");
	/* 4 lines of base, 2 of header, 2 per role: libyaml notices at the end of
	 * the file, after the line of the open sequence (as in a small file) */
	assert_int_equal(diags.items[0].line, 5 + 2 + 2 * 4000 + 1);
	assert_int_equal(diags.items[0].column, 1);
	assert_non_null(strstr(diags.items[0].message, "at line 8007, column 10"));
	diag_list_dispose(&diags);

	buf_reset(&text);
	assert_int_equal(buf_printf(&text, "%s---\nversion: 1\n%s", roles.data, roles.data), 0);
	assert_int_equal(load_text(&s, &diags, text.data), -EINVAL);
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].code, "multiple-documents");
	assert_int_equal(diags.items[0].line, 5 + 2 + 2 * 4000);
	diag_list_dispose(&diags);

	assert_int_equal(load_text(&s, &diags, roles.data), 0);
	assert_int_equal(s->object_count, 4000);
	assert_non_null(desired_find_object(s, RESOURCE_ROLE, "local", "r3999"));
	desired_state_free(s);
	diag_list_dispose(&diags);
	buf_dispose(&roles);
	buf_dispose(&text);
}

/* ---- secrets ---- */

static void secrets_never_reach_a_diagnostic(void **state)
{
	static const char *const canaries[] = { "CANARY-literal-1", "CANARY-env-2", "CANARY-file-3",
						"CANARY-block-4" };
	struct desired_state *s = NULL;
	struct diag_list diags;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	setenv("ESR_TEST_CANARY", "CANARY-env-2", 1);
	write_file("canary.txt", "CANARY-file-3\n");
	assert_int_equal(load_text(&s, &diags,
				   "    auth: { username: u, password: CANARY-literal-1, x: 1 }\n"
				   "  two:\n    url: https://h:1\n"
				   "    auth: { api_key: \"${ESR_TEST_CANARY}\", y: 2 }\n"
				   "users:\n  local:\n"
				   "    a: { password: \"${file:canary.txt}\", roles: yes }\n"
				   "    b:\n      password: |\n        CANARY-block-4\n"
				   "      password_hash: [CANARY-literal-1]\n      roles: [x]\n"
				   "    c: { password_hash: 'CANARY-literal-1' , roles: 7 }\n"),
			 -EINVAL);
	assert_true(diags.count >= 5);
	f = open_memstream(&text, &len);
	diag_print_text(&diags, f, false);
	diag_print_json(&diags, f);
	fclose(f);
	for (i = 0; i < sizeof(canaries) / sizeof(canaries[0]); i++)
		if (strstr(text, canaries[i]))
			fail_msg("%s leaked:\n%s", canaries[i], text);
	assert_non_null(strstr(text, "password: (sensitive)"));
	free(text);
	diag_list_dispose(&diags);
}

static void only_the_lines_of_secrets_are_hidden(void **state)
{
	struct desired_state *s = NULL;
	struct diag_list diags;

	(void)state;
	assert_int_equal(load_text(&s, &diags,
				   "users:\n  local:\n    a:\n      password: |\n        line-one\n"
				   "        line-two\n      roles: yes\n"
				   "    b:\n      password:\n        - x\n      enabled: maybe\n      roles: []\n"),
			 -EINVAL);
	assert_int_equal(diags.count, 3);
	assert_string_equal(diags.items[0].message, "[users.local.a.roles] must be a list of strings, "
						    "found a string");
	assert_string_equal(diags.items[0].source_line, "      roles: yes");
	assert_string_equal(diags.items[1].source_line, "        (sensitive)");
	assert_string_equal(diags.items[2].source_line, "      enabled: maybe");
	diag_list_dispose(&diags);
}

/* A remote of security api_key keeps only its settings in its body and adds
 * the object of its key on the cluster it names; the values under api_key
 * are shown (the mapping describes a key), an api_key elsewhere stays secret. */
static void api_key_remotes_add_their_key(void **state)
{
	struct desired_state *s = NULL;
	const struct desired_object *remote, *key, *const *keys;
	struct diag_list diags;

	(void)state;
	assert_int_equal(load_text(&s, &diags,
				   "  one:\n    url: https://127.0.0.1:9201\n"
				   "remotes:\n  local:\n    a:\n      cluster: one\n      security: api_key\n"
				   "      api_key:\n        access:\n          search: [{ names: [logs-*] }]\n"
				   "        expiration: 30d\n"
				   "    b:\n      cluster: one\n      security: api_key\n"
				   "      api_key: { access: { search: [{ names: [logs-*] }] }, expiration: 30d }\n"
				   "policy:\n  api_key_rotate_before: 40d\n"),
			 0);
	remote = desired_find_object(s, RESOURCE_REMOTE, "local", "a");
	key = desired_find_object(s, RESOURCE_API_KEY, "one", "local/a");
	assert_non_null(remote);
	assert_non_null(key);
	/* the keys are indexed on the cluster that holds them, in file order, and
	 * equal key bodies are interned once, apart from their remotes' bodies */
	assert_int_equal(desired_cluster_objects(s, "one", RESOURCE_API_KEY, &keys), 2);
	assert_ptr_equal(keys[0], key);
	assert_string_equal(keys[1]->name, "local/b");
	assert_ptr_equal(keys[1]->body, key->body);
	assert_ptr_not_equal(remote->body, key->body);
	assert_int_equal(desired_cluster_objects(s, "local", RESOURCE_API_KEY, &keys), 0);
	assert_int_equal(desired_cluster_objects(s, "local", RESOURCE_REMOTE, &keys), 2);
	assert_int_equal(remote->security, REMOTE_SECURITY_API_KEY);
	assert_true(remote->security_declared);
	assert_null(cJSON_GetObjectItemCaseSensitive(remote->body, "security"));
	assert_null(cJSON_GetObjectItemCaseSensitive(remote->body, "api_key"));
	assert_string_equal(key->key_cluster, "local");
	assert_string_equal(key->key_alias, "a");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(key->body, "expiration")->valuestring, "30d");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(key->body, "access"));
	assert_int_equal(cJSON_GetArraySize(key->sensitive_paths), 0);
	assert_true(s->policy.api_key_rotate_before_ms == 40LL * 24 * 3600 * 1000);
	desired_state_free(s);
	diag_list_dispose(&diags);
	/* the loader's defaults: certificate, 7d */
	assert_int_equal(load_text(&s, &diags, "remotes:\n  local:\n    b: { seeds: [\"127.0.0.1:9300\"] }\n"), 0);
	remote = desired_find_object(s, RESOURCE_REMOTE, "local", "b");
	assert_int_equal(remote->security, REMOTE_SECURITY_CERTIFICATE);
	assert_false(remote->security_declared);
	assert_true(s->policy.api_key_rotate_before_ms == 7LL * 24 * 3600 * 1000);
	desired_state_free(s);
	diag_list_dispose(&diags);
	/* a section of its own does not exist */
	assert_rejects("api_keys: {}\n", 5, 1, "unknown-key", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_suspend_is_a_boolean),
		cmocka_unit_test(plain_scalars_follow_the_core_schema),
		cmocka_unit_test(booleans_are_plain_true_or_false_only),
		cmocka_unit_test(strings_integers_and_lists_are_typed),
		cmocka_unit_test(yaml_structure_problems_are_positioned),
		cmocka_unit_test(nesting_is_capped),
		cmocka_unit_test(empty_and_oversized_documents_are_errors),
		cmocka_unit_test(unknown_keys_get_a_hint),
		cmocka_unit_test(interpolation_expands_every_form),
		cmocka_unit_test(interpolation_failures_name_the_variable_or_file),
		cmocka_unit_test(interpolated_values_are_typed_and_only_secrets_marked),
		cmocka_unit_test(unresolved_values_are_placeholders_offline),
		cmocka_unit_test(interpolated_strings_are_strings_even_when_numeric),
		cmocka_unit_test(clusters_are_loaded_with_defaults_and_resolved_paths),
		cmocka_unit_test(remotes_have_a_flat_body),
		cmocka_unit_test(roles_and_users_keep_their_bodies),
		cmocka_unit_test(files_and_directories_merge),
		cmocka_unit_test(a_resource_defined_twice_names_both_places),
		cmocka_unit_test(trust_defined_twice_names_both_places),
		cmocka_unit_test(identical_bodies_are_stored_once),
		cmocka_unit_test(a_clusters_objects_come_by_kind_in_file_order),
		cmocka_unit_test(late_findings_keep_their_place_and_line),
		cmocka_unit_test(every_file_is_reported_even_after_a_broken_one),
		cmocka_unit_test(references_must_be_declared),
		cmocka_unit_test(invalid_utf8_is_placed_exactly),
		cmocka_unit_test(elasticsearch_names_are_found),
		cmocka_unit_test(names_newer_than_8_14_carry_their_version),
		cmocka_unit_test(password_hashes_are_checked_for_shape),
		cmocka_unit_test(remote_settings_know_types_modes_and_defaults),
		cmocka_unit_test(many_entries_are_streamed_and_still_checked),
		cmocka_unit_test(big_files_parsed_ahead_report_the_same),
		cmocka_unit_test(secrets_never_reach_a_diagnostic),
		cmocka_unit_test(only_the_lines_of_secrets_are_hidden),
		cmocka_unit_test(api_key_remotes_add_their_key),
		cmocka_unit_test(clusters_are_told_as_their_files_are_read_until_a_problem),
		cmocka_unit_test(clusters_are_not_told_while_a_reference_would_not_resolve),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
