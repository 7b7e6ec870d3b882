/* esreconcile trust check | trust bundle: verify transport trust, or write the
 * CA bundle a cluster's transport layer should trust. Trust is never written
 * to a cluster: it lives in elasticsearch.yml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cli.h"
#include "cmd/output_file.h"
#include "desired/model.h"
#include "es/live.h"
#include "es/live_read.h"
#include "trust/trust_check.h"
#include "util/log.h"

static const char trust_usage[] =
	"usage: esreconcile trust check -f FILE|DIR [-f ...] [--cluster ID]... [--parallel N]\n"
	"       esreconcile trust bundle -f FILE|DIR --cluster ID -o FILE\n"
	"\n"
	"check   reads every authority's PEM file, checks that remotes between declared\n"
	"        clusters are trusted both ways, and compares each cluster's\n"
	"        GET /_ssl/certificates with the trust it declares. Certificates that\n"
	"        expire within 30 days are warnings. Exit 0 no problem, 1 problems.\n"
	"bundle  writes the PEM bundle (the authorities in trust.clusters.ID.trusts)\n"
	"        for xpack.security.transport.ssl.certificate_authorities. Exit 0 / 1.\n";

static int print_report(const struct trust_report *report)
{
	size_t i;

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

static int trust_check_command(const struct cli_options *opts)
{
	struct trust_authority_certs certs = { 0 };
	struct live_read_options read_opts = { 0 };
	struct desired_state *desired = NULL;
	struct trust_report *report = NULL;
	struct live_state *live = NULL;
	size_t i;
	int code;

	code = cli_load_desired(&desired, opts, "trust");
	if (code != EXIT_OK)
		goto done;
	code = EXIT_INVALID;
	read_opts.parallel = opts->parallel;
	read_opts.only_clusters = opts->clusters;
	read_opts.only_cluster_count = opts->cluster_count;
	if (trust_authorities_read(&certs, desired) < 0 || live_read(&live, desired, &read_opts) < 0) {
		log_error("trust check: out of memory");
		goto done;
	}
	for (i = 0; i < live->cluster_count; i++) {
		if (!live->clusters[i].reachable)
			printf("! %s: %s\n", live->clusters[i].cluster_id, live->clusters[i].error);
	}
	if (trust_check(&report, desired, &certs, live, time(NULL)) < 0) {
		log_error("trust check: out of memory");
		goto done;
	}
	code = print_report(report);
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

static int trust_bundle_command(const struct cli_options *opts, const char *out_path)
{
	struct desired_state *desired = NULL;
	char *bundle = NULL;
	int code;

	if (opts->cluster_count != 1 || !out_path) {
		fprintf(stderr, "esreconcile trust bundle: needs exactly one --cluster ID and -o FILE\n"
				"try 'esreconcile trust --help'\n");
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
	if (output_file_write(out_path, bundle, strlen(bundle), 0644) < 0) {
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
	/* In `trust bundle`, -o names the output file (design §3). */
	code = cli_parse_flags(&opts, argc - 1, argv + 1, "trust", trust_usage,
			       bundle ? CLI_OUTPUT_IS_FILE : 0, &done);
	if (done)
		code = EXIT_OK;
	else if (code == 0) {
		cli_configure_logging(&opts);
		code = bundle ? trust_bundle_command(&opts, opts.out_file) : trust_check_command(&opts);
	}
	cli_options_dispose(&opts);
	return code;
}
