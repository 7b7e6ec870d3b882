/* esreconcile export: the live remotes, roles and users of one declared
 * cluster, written as a desired state to adopt them.
 *
 * load -f (for the connection) → read the cluster → plan_declarations() (what
 * a desired state would declare to keep each object as it is) → a document
 * with the connection, the objects and, when users are exported, the password
 * policy they need → YAML (desired/yaml_writer). No secret is read or written:
 * the connection's credentials and the users' passwords are ${...} placeholders. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/exit_codes.h"
#include "cmd/output_file.h"
#include "cmd/read_and_plan.h"
#include "desired/yaml_writer.h"
#include "es/http.h"
#include "es/live.h"
#include "es/live_read.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/log.h"

static const char usage[] =
	"usage: esreconcile export -f FILE|DIR [-f ...] --cluster ID [-o FILE]\n"
	"\n"
	"Writes the live remotes, roles and users of the declared cluster ID as a\n"
	"desired-state file, to adopt what exists: reserved roles and users and the\n"
	"remotes of elasticsearch.yml are left out, values Elasticsearch takes by default\n"
	"are omitted, names are sorted. The connection comes from -f, its secrets as\n"
	"${ES_<ID>_PASSWORD} (or _API_KEY) placeholders; users' passwords, which cannot\n"
	"be read back, as ${ES_<ID>_<USER>_PASSWORD} placeholders with\n"
	"policy.password_check: on_create, so that adopting a user keeps its password.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE|DIR   desired state that declares the cluster (repeatable)\n"
	"  --cluster ID          the cluster to export (exactly one)\n"
	"  -o, --output FILE     write the file there (atomically, mode 0600) instead of\n"
	"                        standard output\n"
	"  --log-format FORMAT   text or json logs on standard error\n"
	"  -v                    more logging\n"
	"  -h, --help            this help\n"
	"\n"
	"Then: esreconcile validate -f FILE; esreconcile apply -f FILE (only adoptions:\n"
	"managed_by and the remote ledger); esreconcile plan -f FILE is empty.\n"
	"\n"
	"exit: 0 written, 1 error (invalid files, unreachable cluster), 64 usage error\n";

static const char header[] =
	"Exported by esreconcile " ESR_VERSION " from the live cluster [%s] (Elasticsearch %s):\n"
	"its remotes, roles and users as desired state, without the reserved roles and\n"
	"users and the remotes of elasticsearch.yml, and without the values Elasticsearch\n"
	"takes by default. Review it, set the variables it names, then\n"
	"  esreconcile plan -f THIS_FILE\n"
	"shows only adoptions (metadata.managed_by, the remote ledger); after an apply\n"
	"the plan is empty.";

static const char auth_comment[] =
	"Secrets are never exported: set the variable below (or write ${file:PATH}).";

static const char expect_comment[] =
	"The cluster this file was exported from: plan and apply refuse another one.";

static const char password_comment[] =
	"The live password cannot be read back: set %s before using this file.\n"
	"With policy.password_check: on_create it is only sent if the user has to be\n"
	"created again, so adopting the user keeps its current password.";

static const char policy_comment[] =
	"on_create: the users' passwords above are placeholders for values nobody\n"
	"knows; probing them would report every password as changed.";

static cJSON *raw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A raw member (see desired/yaml_writer.h) holding the formatted text. */
static cJSON *raw_printf(const char *fmt, ...)
{
	va_list ap;
	char *text;
	cJSON *raw;

	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	raw = text ? cJSON_CreateRaw(text) : NULL;
	free(text);
	return raw;
}

/* Appends raw (taken over) under key: "" for a comment, else a value written as it is. */
static int add_raw(cJSON *object, const char *key, cJSON *raw)
{
	if (!raw || !cJSON_AddItemToObject(object, key, raw)) {
		cJSON_Delete(raw);
		return -ENOMEM;
	}
	return 0;
}

/* An environment variable name made of parts: upper case, every character
 * that may not be in a name as '_'. The caller frees it. */
static char *variable_name(const char *first, const char *second, const char *last)
{
	struct buf b;
	char *p, *name;

	buf_init(&b, BUF_SMALL_MAX);
	if (buf_printf(&b, "ES_%s_%s%s%s", first, second ? second : "", second ? "_" : "", last)) {
		buf_dispose(&b);
		return NULL;
	}
	name = buf_detach(&b);
	for (p = name; p && *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	}
	return name;
}

static int add_path(cJSON *object, const char *key, const char *path)
{
	char resolved[PATH_MAX];

	/* relative paths would mean something else next to the exported file */
	return cJSON_AddStringToObject(object, key, realpath(path, resolved) ? resolved : path) ? 0 : -ENOMEM;
}

static int add_tls(cJSON *cluster, const struct cluster_config *cfg)
{
	static const char *const verify[] = { "full", "certificate", "none" };
	cJSON *tls;
	int err = 0;

	if (!cfg->ca_file && !cfg->client_cert_file && cfg->verify == TLS_VERIFY_FULL)
		return 0;
	if (!(tls = cJSON_AddObjectToObject(cluster, "tls")))
		return -ENOMEM;
	if (cfg->ca_file)
		err = add_path(tls, "ca_file", cfg->ca_file);
	if (!err && cfg->client_cert_file)
		err = add_path(tls, "client_cert_file", cfg->client_cert_file);
	if (!err && cfg->client_key_file)
		err = add_path(tls, "client_key_file", cfg->client_key_file);
	if (!err && cfg->verify != TLS_VERIFY_FULL && !cJSON_AddStringToObject(tls, "verify", verify[cfg->verify]))
		err = -ENOMEM;
	return err;
}

/* clusters.<id>: the connection as loaded from -f, secrets as placeholders. */
static int add_connection(cJSON *doc, const struct cluster_config *cfg, const struct live_cluster *lc)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(lc->root, "cluster_name");
	const cJSON *uuid = cJSON_GetObjectItemCaseSensitive(lc->root, "cluster_uuid");
	cJSON *clusters = cJSON_AddObjectToObject(doc, "clusters"), *cluster, *auth, *urls;
	char *variable = NULL, timeout[32];
	size_t i;
	int err = -ENOMEM;

	if (!clusters || !(cluster = cJSON_AddObjectToObject(clusters, cfg->id)))
		return -ENOMEM;
	if (cfg->url_count == 1) {
		if (!cJSON_AddStringToObject(cluster, "url", cfg->urls[0]))
			return -ENOMEM;
	} else {
		if (!(urls = cJSON_AddArrayToObject(cluster, "urls")))
			return -ENOMEM;
		for (i = 0; i < cfg->url_count; i++)
			if (!cJSON_AddItemToArray(urls, cJSON_CreateString(cfg->urls[i])))
				return -ENOMEM;
	}
	if ((err = add_raw(cluster, "", raw_printf("%s", auth_comment))) ||
	    !(auth = cJSON_AddObjectToObject(cluster, "auth")))
		return err ? err : -ENOMEM;
	err = -ENOMEM;
	if (cfg->username) {
		if (cJSON_AddStringToObject(auth, "username", cfg->username) &&
		    (variable = variable_name(cfg->id, NULL, "PASSWORD")))
			err = add_raw(auth, "password", raw_printf("\"${%s}\"", variable));
	} else if ((variable = variable_name(cfg->id, NULL, "API_KEY"))) {
		err = add_raw(auth, "api_key", raw_printf("\"${%s}\"", variable));
	}
	free(variable);
	if (!err)
		err = add_tls(cluster, cfg);
	if (!err && cfg->timeout_ms != 30000) {
		snprintf(timeout, sizeof(timeout), cfg->timeout_ms % 1000 ? "%ldms" : "%lds",
			 cfg->timeout_ms % 1000 ? cfg->timeout_ms : cfg->timeout_ms / 1000);
		err = cJSON_AddStringToObject(cluster, "timeout", timeout) ? 0 : -ENOMEM;
	}
	if (!err && cfg->allow_insecure_http)
		err = cJSON_AddTrueToObject(cluster, "allow_insecure_http") ? 0 : -ENOMEM;
	if (!err && cJSON_IsString(name) && cJSON_IsString(uuid)) {
		cJSON *expect;

		err = add_raw(cluster, "", raw_printf("%s", expect_comment));
		expect = err ? NULL : cJSON_AddObjectToObject(cluster, "expect");
		if (!err && (!expect || !cJSON_AddStringToObject(expect, "cluster_name", name->valuestring) ||
			     !cJSON_AddStringToObject(expect, "cluster_uuid", uuid->valuestring)))
			err = -ENOMEM;
	}
	return err;
}

static bool string_taken(const cJSON *strings, const char *s)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, strings) {
		if (!strcmp(item->valuestring, s))
			return true;
	}
	return false;
}

/* Puts a keyed raw member first in object (cJSON can only append by key). */
static int insert_first(cJSON *object, const char *key, cJSON *raw)
{
	if (!raw || !(raw->string = strdup(key)) || !cJSON_InsertItemInArray(object, 0, raw)) {
		cJSON_Delete(raw);
		return -ENOMEM;
	}
	return 0;
}

/* Gives every user a password placeholder, named after the cluster and the
 * user (a suffix when two names map to one variable), and its comment, first. */
static int add_passwords(cJSON *users, const char *cluster_id)
{
	cJSON *user, *seen = cJSON_CreateArray();
	char *variable = NULL, suffix[24];
	unsigned n;
	int err = seen ? 0 : -ENOMEM;

	cJSON_ArrayForEach(user, users) {
		for (n = 1; !err; n++) {
			snprintf(suffix, sizeof(suffix), n == 1 ? "PASSWORD" : "PASSWORD_%u", n);
			free(variable);
			if (!(variable = variable_name(cluster_id, user->string, suffix)))
				err = -ENOMEM;
			else if (!string_taken(seen, variable))
				break;
		}
		if (err || !cJSON_AddItemToArray(seen, cJSON_CreateString(variable)))
			err = -ENOMEM;
		if (!err)
			err = insert_first(user, "password", raw_printf("\"${%s}\"", variable));
		if (!err)
			err = insert_first(user, "", raw_printf(password_comment, variable));
		if (err)
			break;
	}
	free(variable);
	cJSON_Delete(seen);
	return err;
}

/* Moves section (a kind's declarations) into doc under <section>.<cluster>, when not empty. */
static int add_section(cJSON *doc, cJSON *declarations, const char *section, const char *cluster_id)
{
	cJSON *objects = cJSON_DetachItemFromObjectCaseSensitive(declarations, section), *by_cluster;

	if (!objects || !objects->child) {
		cJSON_Delete(objects);
		return 0;
	}
	if (!(by_cluster = cJSON_AddObjectToObject(doc, section)) ||
	    !cJSON_AddItemToObject(by_cluster, cluster_id, objects)) {
		cJSON_Delete(objects);
		return -ENOMEM;
	}
	return 0;
}

/* The whole exported document. */
static int build_document(cJSON **out, const struct cluster_config *cfg, const struct live_cluster *lc,
			  cJSON *declarations)
{
	cJSON *doc = cJSON_CreateObject(), *users, *policy;
	size_t kind;
	int err = doc ? 0 : -ENOMEM;

	*out = NULL;
	if (!err)
		err = add_raw(doc, "", raw_printf(header, cfg->id, lc->version ? lc->version : "unknown"));
	if (!err && !cJSON_AddNumberToObject(doc, "version", 1))
		err = -ENOMEM;
	if (!err)
		err = add_connection(doc, cfg, lc);
	users = cJSON_GetObjectItemCaseSensitive(declarations, resource_kind_section(RESOURCE_USER));
	if (!err && users && users->child)
		err = add_passwords(users, cfg->id);
	for (kind = 0; !err && kind < RESOURCE_KIND_COUNT; kind++)
		err = add_section(doc, declarations, resource_kind_section((enum resource_kind)kind), cfg->id);
	if (!err && cJSON_GetObjectItemCaseSensitive(doc, resource_kind_section(RESOURCE_USER))) {
		policy = cJSON_AddObjectToObject(doc, "policy");
		err = policy ? add_raw(policy, "", raw_printf("%s", policy_comment)) : -ENOMEM;
		if (!err && !cJSON_AddStringToObject(policy, "password_check", "on_create"))
			err = -ENOMEM;
	}
	if (err) {
		cJSON_Delete(doc);
		return err;
	}
	*out = doc;
	return 0;
}

static int write_output(const struct cli_options *opts, const struct buf *yaml)
{
	int err;

	if (!opts->out_file) {
		fputs(yaml->data, stdout);
		return 0;
	}
	/* private, as a saved plan: it names every role and user of the cluster */
	err = output_file_write(opts->out_file, yaml->data, yaml->len, 0600);
	if (err)
		log_error("-o %s: cannot write it: %s", opts->out_file, strerror(-err));
	return err;
}

static void log_notes(const cJSON *notes)
{
	const cJSON *note;

	cJSON_ArrayForEach(note, notes) {
		log_warn("%s", note->valuestring);
	}
}

static int export_cluster(const struct cli_options *opts)
{
	/* an export holds no password: no probe */
	struct live_read_options read_opts = { .parallel = opts->parallel, .only_clusters = opts->clusters,
					       .only_cluster_count = 1, .client = NULL, .probes = { .none = true } };
	struct desired_state *desired = NULL;
	struct live_state *live = NULL;
	const struct live_cluster *lc;
	cJSON *declarations = NULL, *notes = NULL, *doc = NULL;
	struct buf yaml;
	int code, err;

	buf_init(&yaml, (size_t)256 << 20);
	if ((code = cli_load_desired(&desired, opts, "export")))
		goto done;
	code = EXIT_INVALID;
	if (cli_check_cluster_filter(opts, desired))
		goto done;
	if ((err = es_global_init()) || (err = live_read(&live, desired, &read_opts))) {
		log_error("export: %s", strerror(-err));
		goto done;
	}
	lc = live_find_cluster(live, opts->clusters[0]);
	if (!lc || !lc->reachable) {
		log_error("%s", lc && lc->error ? lc->error : "the cluster could not be read");
		goto done;
	}
	if ((err = plan_declarations(&declarations, &notes, lc)) ||
	    (err = build_document(&doc, desired_find_cluster(desired, lc->cluster_id), lc, declarations)) ||
	    (err = yaml_write_document(&yaml, doc))) {
		log_error("export: %s", strerror(-err));
		goto done;
	}
	log_notes(notes);
	if (!write_output(opts, &yaml))
		code = EXIT_OK;
done:
	buf_dispose(&yaml);
	cJSON_Delete(doc);
	cJSON_Delete(notes);
	cJSON_Delete(declarations);
	live_state_free(live);
	desired_state_free(desired);
	return code;
}

int cmd_export(int argc, char **argv)
{
	struct cli_options opts;
	bool done = false;
	int code;

	code = cli_parse_flags(&opts, argc, argv, "export", usage, CLI_OUTPUT_IS_FILE, &done);
	if (done) {
		code = EXIT_OK;
	} else if (!code) {
		cli_configure_logging(&opts);
		if (opts.cluster_count != 1) {
			fputs("esreconcile export: needs exactly one --cluster ID\n"
			      "try 'esreconcile export --help'\n", stderr);
			code = EXIT_USAGE;
		} else if (!(code = cli_require_files_only(&opts, "export"))) {
			code = export_cluster(&opts);
		}
	}
	cli_options_dispose(&opts);
	return code;
}
