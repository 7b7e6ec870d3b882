/* `esreconcile validate`: loads the desired state and reports every problem,
 * offline. */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "desired/loader.h"
#include "util/diag.h"

static const char usage[] =
	"usage: esreconcile validate -f FILE|DIR [-f FILE|DIR ...] [-o text|json] [--require-env]\n"
	"\n"
	"Checks desired-state files offline: YAML syntax, keys, types, Elasticsearch's own\n"
	"rules (names, privileges, host:port, time values, remote modes), references between\n"
	"sections, ${...} interpolation, and that no resource is defined twice. No request\n"
	"is sent. A ${VAR} that is not set (or a ${file:} that does not exist) is a\n"
	"placeholder: everything that does not depend on its value is checked, and one\n"
	"line names what was not resolved. plan and apply need every value.\n"
	"\n"
	"  -f, --file FILE|DIR   a desired-state file, or a directory whose *.yaml and *.yml\n"
	"                        files are read in name order; repeatable, all are merged\n"
	"  -o, --output FORMAT   text (default): each problem on stderr as\n"
	"                        file:line:col: error: message, the line, a caret, a hint;\n"
	"                        json: one JSON array on stdout of\n"
	"                        {file, line, column, severity, code, message[, hint]}\n"
	"                        ([] when there is nothing to report)\n"
	"      --require-env     every ${VAR} must be set and every ${file:} readable, as\n"
	"                        plan and apply require\n"
	"      --no-color        no colours in text output (also: NO_COLOR set)\n"
	"  -h, --help            this help\n"
	"\n"
	"On success nothing goes to stdout (text mode) and stderr gets one line such as\n"
	"  valid: 2 clusters, 3 remotes, 4 roles, 1 user (2 files)\n"
	"\n"
	"Exit status: 0 valid, 1 invalid or unreadable, 64 usage error.\n";

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The one line naming what was not resolved (placeholders): not an error here. */
static void print_unresolved(const struct desired_state *state)
{
	size_t i;

	if (!state->unresolved_count)
		return;
	fputs("not checked without their values:", stderr);
	for (i = 0; i < state->unresolved_count; i++)
		fprintf(stderr, "%s %s", i ? "," : "", state->unresolved[i]);
	fputs(" (unset here; plan and apply need them, validate --require-env checks them)\n", stderr);
}

static void print_summary(const struct desired_state *state)
{
	size_t counts[RESOURCE_KIND_COUNT] = { 0 }, i;

	for (i = 0; i < state->object_count; i++)
		counts[state->objects[i].kind]++;
	fprintf(stderr, "valid: %zu %s, %zu %s, %zu %s, %zu %s (%zu %s)\n", state->cluster_count,
		plural(state->cluster_count, "cluster", "clusters"), counts[RESOURCE_REMOTE],
		plural(counts[RESOURCE_REMOTE], "remote", "remotes"), counts[RESOURCE_ROLE],
		plural(counts[RESOURCE_ROLE], "role", "roles"), counts[RESOURCE_USER],
		plural(counts[RESOURCE_USER], "user", "users"), state->file_count,
		plural(state->file_count, "file", "files"));
}

int cmd_validate(int argc, char **argv)
{
	struct cli_options opts;
	struct desired_state *state = NULL;
	struct diag_list diags;
	bool done = false, json;
	int rc, err;

	diag_list_init(&diags);
	rc = cli_parse(&opts, argc, argv, "validate", usage, &done);
	if (done) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = cli_require_files_only(&opts, "validate");
	if (rc)
		goto out;
	cli_configure_logging(&opts);
	json = opts.output && opts.output[0] == 'j';
	err = opts.require_env ? desired_load(&state, opts.files, opts.file_count, &diags)
			       : desired_load_offline(&state, opts.files, opts.file_count, &diags);
	if (json)
		diag_print_json(&diags, stdout);
	else
		diag_print_text(&diags, stderr, cli_use_color(&opts, STDERR_FILENO));
	if (err) {
		if (!diags.count)
			fprintf(stderr, "esreconcile validate: out of memory\n");
		rc = EXIT_INVALID;
		goto out;
	}
	if (!json)
		print_summary(state);
	print_unresolved(state);
	rc = EXIT_OK;
out:
	desired_state_free(state);
	diag_list_dispose(&diags);
	cli_options_dispose(&opts);
	return rc;
}
