/* esreconcile render: the elasticsearch.yml lines a cluster needs that no API
 * can set. Reads nothing from the cluster itself (it may not run yet); only
 * the clusters whose publish addresses stand in for undeclared seeds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd/cli.h"
#include "cmd/output_file.h"
#include "desired/model.h"
#include "es/live_read.h"
#include "plan/static_config.h"
#include "util/buf.h"
#include "util/log.h"

static const char render_usage[] =
	"usage: esreconcile render -f FILE|DIR [-f ...] --cluster ID [--out FILE | -o FILE]\n"
	"\n"
	"Prints the static configuration cluster ID needs that no API can set, as\n"
	"elasticsearch.yml lines, the same for the same desired state:\n"
	"  - xpack.security.transport.ssl.certificate_authorities: the authorities of\n"
	"    trust.clusters.ID.trusts, each as certs/<authority>.pem in the node's\n"
	"    config directory (a comment names the file to copy there);\n"
	"  - remote_cluster_server.enabled: true when an api_key remote of any cluster\n"
	"    points at ID (and remote_cluster.port when their declared seeds name it);\n"
	"  - cluster.remote.<alias>.*: the remotes declared on ID, as static remotes.\n"
	"    A remote with cluster: and no seeds gets the publish addresses of that\n"
	"    cluster's transport (GET /_nodes/transport) or, with security: api_key, of\n"
	"    its remote cluster server (GET /_nodes/remote_cluster_server), so that\n"
	"    cluster must be reachable. An api_key remote's credentials are keystore-only:\n"
	"    a comment names the keystore command.\n"
	"No secret is printed. Nothing is written to any cluster.\n"
	"\n"
	"  -f, --file FILE|DIR   a desired-state file or directory; repeatable\n"
	"      --cluster ID      the cluster to render (exactly one)\n"
	"      --out FILE        write the lines to FILE (whole or not at all) instead of stdout\n"
	"  -o FILE               the same as --out\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 rendered, 1 invalid desired state, undeclared cluster or unreadable\n"
	"seeds, 64 usage error.\n";

/* Reads the seeds of every remote that takes them from its cluster: each
 * target once. *out maps alias -> addresses (the caller frees it). Returns
 * EXIT_OK, or EXIT_INVALID after saying why. */
static int discover_seeds(cJSON **out, const struct desired_state *desired, const char *cluster_id)
{
	const struct desired_object **remotes = NULL;
	cJSON *discovered = cJSON_CreateObject(), *by_cluster = cJSON_CreateObject(), *addresses;
	struct live_read_options opts = { 0 };
	size_t i, count = 0;
	char *msg = NULL, *key = NULL;
	int err, code = EXIT_INVALID;

	*out = NULL;
	if (!discovered || !by_cluster || static_config_discovery(&remotes, &count, desired, cluster_id) < 0) {
		log_error("render: out of memory");
		goto done;
	}
	for (i = 0; i < count; i++) {
		const char *target = remotes[i]->remote_cluster;
		const char *section = static_config_seed_section(remotes[i]);
		bool api_key = remotes[i]->security == REMOTE_SECURITY_API_KEY;

		/* each (cluster, section) is read once */
		free(key);
		if (!(key = buf_format("%s/%s", target, section))) {
			log_error("render: out of memory");
			goto done;
		}
		addresses = cJSON_GetObjectItemCaseSensitive(by_cluster, key);
		if (!addresses) {
			err = live_read_publish_addresses(&addresses, desired_find_cluster(desired, target), section,
							  &opts, &msg);
			if (err) {
				log_error("render: remote [%s] of cluster [%s] takes its seeds from cluster [%s], "
					  "which could not be read: %s; declare its seeds to render without reading it",
					  remotes[i]->name, cluster_id, target, msg ? msg : strerror(-err));
				goto done;
			}
			if (!cJSON_AddItemToObject(by_cluster, key, addresses)) {
				cJSON_Delete(addresses);
				log_error("render: out of memory");
				goto done;
			}
		}
		if (!cJSON_GetArraySize(addresses)) {
			log_error("render: remote [%s] of cluster [%s] takes its seeds from cluster [%s], whose "
				  "GET /_nodes/%s names no publish address; %s",
				  remotes[i]->name, cluster_id, target, section,
				  api_key ? "enable its remote cluster server (render --cluster of it prints "
					    "remote_cluster_server.enabled: true) or declare the seeds"
					  : "declare its seeds");
			goto done;
		}
		addresses = cJSON_Duplicate(addresses, 1);
		if (!addresses || !cJSON_AddItemToObject(discovered, remotes[i]->name, addresses)) {
			cJSON_Delete(addresses);
			log_error("render: out of memory");
			goto done;
		}
	}
	*out = discovered;
	discovered = NULL;
	code = EXIT_OK;
done:
	free(key);
	free(msg);
	free(remotes);
	cJSON_Delete(discovered);
	cJSON_Delete(by_cluster);
	return code;
}

static int render_command(const struct cli_options *opts)
{
	const char *cluster_id = opts->clusters[0];
	struct desired_state *desired = NULL;
	cJSON *discovered = NULL;
	char *text = NULL;
	int code, err;

	code = cli_load_desired(&desired, opts, "render");
	if (code != EXIT_OK)
		goto done;
	code = EXIT_INVALID;
	if (!desired_find_cluster(desired, cluster_id)) {
		log_error("render: cluster [%s] is not declared under clusters in the desired state", cluster_id);
		goto done;
	}
	if (discover_seeds(&discovered, desired, cluster_id) != EXIT_OK)
		goto done;
	err = static_config_render(&text, desired, cluster_id, discovered);
	if (err) {
		/* -ENOSPC: past the text's size cap */
		log_error("render: cannot render cluster [%s]: %s", cluster_id, strerror(-err));
		goto done;
	}
	if (!opts->out_file) {
		if (fputs(text, stdout) < 0 || fflush(stdout))
			goto done;
	} else if (output_file_write(opts->out_file, text, strlen(text), 0644) < 0) {
		log_error("render: cannot write %s", opts->out_file);
		goto done;
	}
	code = EXIT_OK;
done:
	free(text);
	cJSON_Delete(discovered);
	desired_state_free(desired);
	return code;
}

int cmd_render(int argc, char **argv)
{
	struct cli_options opts;
	bool done = false;
	int code;

	/* -o names the output file, as in trust bundle and export */
	code = cli_parse_flags(&opts, argc, argv, "render", render_usage, CLI_OUTPUT_IS_FILE, &done);
	if (done)
		code = EXIT_OK;
	else if (code == 0 && opts.positional_count) {
		fprintf(stderr, "esreconcile render: unexpected operand '%s'\ntry 'esreconcile render --help'\n",
			opts.positional[0]);
		code = EXIT_USAGE;
	} else if (code == 0 && opts.cluster_count != 1) {
		fprintf(stderr, "esreconcile render: needs exactly one --cluster ID\n"
				"try 'esreconcile render --help'\n");
		code = EXIT_USAGE;
	} else if (code == 0) {
		cli_configure_logging(&opts);
		code = render_command(&opts);
	}
	cli_options_dispose(&opts);
	return code;
}
