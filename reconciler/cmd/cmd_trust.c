/* esreconcile trust check | trust bundle: verify transport trust, or write the
 * CA bundle a cluster's transport layer should trust. Trust is never written
 * to a cluster: it lives in elasticsearch.yml. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cmd/cli.h"
#include "cmd/output_file.h"
#include "desired/model.h"
#include "es/live.h"
#include "es/live_read.h"
#include "es/tls_probe.h"
#include "trust/trust_check.h"
#include "util/log.h"
#include "util/strlist.h"

static const char trust_usage[] =
	"usage: esreconcile trust check -f FILE|DIR [-f ...] [--cluster ID]... [--parallel N] [-o text|json]\n"
	"       esreconcile trust bundle -f FILE|DIR --cluster ID [--out FILE | -o FILE]\n"
	"\n"
	"check   reads every authority's PEM file, checks that remotes between declared\n"
	"        clusters are trusted both ways, compares each cluster's\n"
	"        GET /_ssl/certificates with the trust it declares, and proves each link:\n"
	"        a TLS handshake with every transport address of each declared remote\n"
	"        (seeds, proxy_address, or the publish addresses of its cluster:), whose\n"
	"        certificate chain must verify against the authorities the remote's\n"
	"        cluster trusts, in date and, where server_name is set, for that name\n"
	"        (5 s per address at most). Each link is listed with subject, issuer and\n"
	"        expiry; certificates that expire within 30 days are warnings. -o json\n"
	"        prints one JSON document. Exit 0 no problem, 1 problems.\n"
	"bundle  writes the PEM bundle (the authorities in trust.clusters.ID.trusts)\n"
	"        for xpack.security.transport.ssl.certificate_authorities to --out FILE,\n"
	"        or to standard output. Exit 0 / 1.\n";

static void format_time(char out[32], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "?");
}

/* Shakes hands with every transport address of each declared remote of the
 * selected clusters, and records what was found. Returns 0 or -ENOMEM. */
static int check_links(struct trust_report *report, const struct desired_state *desired,
		       const struct live_state *live, const struct cli_options *opts)
{
	struct tls_probe_result probe;
	char **addresses = NULL;
	size_t i, j, count = 0;
	int err = 0;

	for (i = 0; !err && i < desired->object_count; i++) {
		const struct desired_object *remote = &desired->objects[i];

		if (remote->kind != RESOURCE_REMOTE || remote->absent ||
		    (opts->cluster_count && !strlist_contains((char *const *)opts->clusters, opts->cluster_count,
							      remote->cluster)))
			continue;
		err = trust_link_addresses(&addresses, &count, remote, live);
		for (j = 0; !err && j < count; j++) {
			err = tls_probe(&probe, addresses[j], trust_link_server_name(remote),
					TRUST_HANDSHAKE_TIMEOUT_MS);
			if (err == -EINVAL) /* the loader checked it: cannot happen */
				err = trust_check_link(report, desired, remote, addresses[j], NULL, 0,
						       "the address does not parse", time(NULL));
			else if (!err)
				err = trust_check_link(report, desired, remote, addresses[j], probe.chain_pem,
						       probe.chain_count, probe.error, time(NULL));
			tls_probe_result_dispose(&probe);
		}
		strlist_free(addresses, count);
		addresses = NULL;
		count = 0;
	}
	return err;
}

static void print_links(const struct trust_report *report)
{
	char expiry[32];
	size_t i;

	for (i = 0; i < report->link_count; i++) {
		const struct trust_link *l = &report->links[i];

		format_time(expiry, l->leaf.not_after);
		printf("%s %s -> %s at %s", l->verified ? "ok" : "!", l->cluster, l->remote, l->address);
		if (l->presented)
			printf(": subject %s, issuer %s, expires %s", l->leaf.subject_dn, l->leaf.issuer_dn, expiry);
		if (l->error)
			printf("%s%s", l->presented ? "; " : ": ", l->error);
		putchar('\n');
	}
}

static int print_report(const struct trust_report *report)
{
	size_t i;

	print_links(report);
	for (i = 0; i < report->count; i++) {
		const struct trust_finding *f = &report->findings[i];

		printf("%s %s%s%s\n", f->severity == TRUST_PROBLEM ? "!" : "~",
		       f->cluster ? f->cluster : "", f->cluster ? ": " : "", f->message);
	}
	if (!report->problems)
		printf("Trust OK: %zu warning(s).\n", report->count);
	else
		printf("Trust: %zu problem(s), %zu warning(s).\n", report->problems,
		       report->count - report->problems);
	return report->problems ? EXIT_INVALID : EXIT_OK;
}

/* The JSON document of trust check -o json; the caller owns it. NULL when memory ran out. */
static cJSON *report_json(const struct trust_report *report, const struct live_state *live)
{
	cJSON *doc = cJSON_CreateObject(), *links, *findings, *item;
	char expiry[32];
	size_t i, problems = report->problems;
	bool ok = true;

	links = doc ? cJSON_AddArrayToObject(doc, "links") : NULL;
	findings = doc ? cJSON_AddArrayToObject(doc, "findings") : NULL;
	for (i = 0; ok && links && i < report->link_count; i++) {
		const struct trust_link *l = &report->links[i];

		format_time(expiry, l->leaf.not_after);
		ok = (item = cJSON_CreateObject()) && cJSON_AddItemToArray(links, item) &&
		     cJSON_AddStringToObject(item, "cluster", l->cluster) &&
		     cJSON_AddStringToObject(item, "remote", l->remote) &&
		     cJSON_AddStringToObject(item, "address", l->address) &&
		     cJSON_AddBoolToObject(item, "verified", l->verified) &&
		     (!l->presented || (cJSON_AddStringToObject(item, "subject", l->leaf.subject_dn) &&
					cJSON_AddStringToObject(item, "issuer", l->leaf.issuer_dn) &&
					cJSON_AddStringToObject(item, "expires", expiry))) &&
		     (!l->error || cJSON_AddStringToObject(item, "error", l->error));
	}
	for (i = 0; ok && findings && i < report->count; i++) {
		const struct trust_finding *f = &report->findings[i];

		ok = (item = cJSON_CreateObject()) && cJSON_AddItemToArray(findings, item) &&
		     (f->cluster ? cJSON_AddStringToObject(item, "cluster", f->cluster)
				 : cJSON_AddNullToObject(item, "cluster")) &&
		     (!f->authority || cJSON_AddStringToObject(item, "authority", f->authority)) &&
		     cJSON_AddStringToObject(item, "severity", f->severity == TRUST_PROBLEM ? "problem" : "warning") &&
		     cJSON_AddStringToObject(item, "message", f->message);
	}
	for (i = 0; ok && findings && live && i < live->cluster_count; i++) {
		const struct live_cluster *lc = &live->clusters[i];

		if (lc->reachable)
			continue;
		problems++;
		ok = (item = cJSON_CreateObject()) && cJSON_AddItemToArray(findings, item) &&
		     cJSON_AddStringToObject(item, "cluster", lc->cluster_id) &&
		     cJSON_AddStringToObject(item, "severity", "problem") &&
		     cJSON_AddStringToObject(item, "message", lc->error ? lc->error : "unreachable");
	}
	if (!ok || !links || !findings || !cJSON_AddBoolToObject(doc, "ok", problems == 0) ||
	    !cJSON_AddNumberToObject(doc, "problems", (double)problems) ||
	    !cJSON_AddNumberToObject(doc, "warnings", (double)(report->count - report->problems))) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static int print_json(const struct trust_report *report, const struct live_state *live)
{
	cJSON *doc = report_json(report, live);
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	int ok = text && puts(text) >= 0;

	free(text);
	cJSON_Delete(doc);
	return ok ? 0 : -ENOMEM;
}

static int trust_check_command(const struct cli_options *opts)
{
	struct trust_authority_certs certs = { 0 };
	struct live_read_options read_opts = { 0 };
	struct desired_state *desired = NULL;
	struct trust_report *report = NULL;
	struct live_state *live = NULL;
	bool json;
	size_t i;
	int code;

	code = cli_load_desired(&desired, opts, "trust");
	if (code != EXIT_OK)
		goto done;
	code = EXIT_INVALID;
	read_opts.parallel = opts->parallel;
	read_opts.only_clusters = opts->clusters;
	read_opts.only_cluster_count = opts->cluster_count;
	read_opts.probes.none = true; /* trust needs no password answer */
	if (trust_authorities_read(&certs, desired) < 0 || live_read(&live, desired, &read_opts) < 0) {
		log_error("trust check: out of memory");
		goto done;
	}
	json = opts->output && !strcmp(opts->output, "json");
	for (i = 0; !json && i < live->cluster_count; i++) {
		if (!live->clusters[i].reachable)
			printf("! %s: %s\n", live->clusters[i].cluster_id, live->clusters[i].error);
	}
	if (trust_check(&report, desired, &certs, live, time(NULL)) < 0 ||
	    check_links(report, desired, live, opts) < 0) {
		log_error("trust check: out of memory");
		goto done;
	}
	if (json) {
		code = report->problems ? EXIT_INVALID : EXIT_OK;
		if (print_json(report, live) < 0)
			goto done;
	} else {
		code = print_report(report);
	}
	for (i = 0; i < live->cluster_count; i++)
		if (!live->clusters[i].reachable)
			code = EXIT_INVALID;
done:
	trust_report_free(report);
	live_state_free(live);
	trust_authority_certs_dispose(&certs);
	desired_state_free(desired);
	return code;
}

static int trust_bundle_command(const struct cli_options *opts)
{
	const char *out_path = opts->out_file;
	struct desired_state *desired = NULL;
	char *bundle = NULL;
	int code;

	if (opts->cluster_count != 1) {
		fprintf(stderr, "esreconcile trust bundle: needs exactly one --cluster ID\n"
				"try 'esreconcile trust --help'\n");
		return EXIT_USAGE;
	}
	/* -o elsewhere takes text|json: a bundle written to a file named so is a mistake */
	if (out_path && (!strcmp(out_path, "json") || !strcmp(out_path, "text"))) {
		fprintf(stderr, "esreconcile trust bundle: the bundle is PEM, not %s; write it to a file with "
				"--out FILE\ntry 'esreconcile trust --help'\n", out_path);
		return EXIT_USAGE;
	}
	code = cli_load_desired(&desired, opts, "trust");
	if (code != EXIT_OK)
		goto done;
	code = EXIT_INVALID;
	if (trust_bundle(&bundle, desired, opts->clusters[0]) < 0) {
		log_error("trust bundle: cluster [%s] has no trust entry, or one of its authorities' files cannot be read",
			  opts->clusters[0]);
		goto done;
	}
	if (!out_path) {
		if (fputs(bundle, stdout) < 0 || fflush(stdout))
			goto done;
	} else if (output_file_write(out_path, bundle, strlen(bundle), 0644) < 0) {
		log_error("trust bundle: cannot write %s", out_path);
		goto done;
	}
	code = EXIT_OK;
done:
	free(bundle);
	desired_state_free(desired);
	return code;
}

int cmd_trust(int argc, char **argv)
{
	struct cli_options opts;
	bool done = false, bundle;
	int code;

	if (argc < 2 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "bundle") != 0)) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			fputs(trust_usage, stdout);
			return EXIT_OK;
		}
		fputs(trust_usage, stderr);
		return EXIT_USAGE;
	}
	bundle = !strcmp(argv[1], "bundle");
	/* In `trust bundle`, -o names the output file as --out does (design §3). */
	code = cli_parse_flags(&opts, argc - 1, argv + 1, "trust", trust_usage,
			       bundle ? CLI_OUTPUT_IS_FILE : 0, &done);
	if (done)
		code = EXIT_OK;
	else if (code == 0 && opts.positional_count) {
		fprintf(stderr, "esreconcile trust: unexpected operand '%s'\ntry 'esreconcile trust --help'\n",
			opts.positional[0]);
		code = EXIT_USAGE;
	} else if (code == 0) {
		cli_configure_logging(&opts);
		code = bundle ? trust_bundle_command(&opts) : trust_check_command(&opts);
	}
	cli_options_dispose(&opts);
	return code;
}
