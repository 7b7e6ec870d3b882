/* esreconcile plan: read the clusters and print what apply would change.
 *
 * load -f → read live → plan → print (text or JSON) → optionally save the JSON
 * plan for a later `apply PLAN.json`. Nothing is written to any cluster. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/delete_guard.h"
#include "cmd/exit_codes.h"
#include "cmd/output_file.h"
#include "cmd/read_and_plan.h"
#include "es/live.h"
#include "es/live_prefetch.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

static const char usage[] =
	"usage: esreconcile plan -f FILE|DIR [-f ...] [options]\n"
	"\n"
	"Reads the live state of the declared clusters and prints the changes that would\n"
	"bring them to the desired state, with the exact requests apply would send.\n"
	"Nothing is written to any cluster.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE|DIR   desired-state file or directory (repeatable)\n"
	"  -o, --output FORMAT   text (default) or json (format_version 1) on standard output\n"
	"  --out FILE            also save the JSON plan (with its fingerprint, without any\n"
	"                        secret) for 'esreconcile apply FILE'\n"
	"  --cluster ID          only this cluster (repeatable)\n"
	"  --adopt-from OWNER    take over the declared objects that owner OWNER holds\n"
	"  --strict              warnings (such as remote-role-missing) make the exit 1\n"
	"  --parallel N          requests in flight at once (8)\n"
	"  --probe-parallel N    password probes in flight at once (32; policy.password_check:\n"
	"                        probe authenticates as each declared user)\n"
	"  --log-format FORMAT   text or json logs on standard error\n"
	"  --no-color            no colours (also: NO_COLOR set)\n"
	"  -v                    more logging (-vv: debug)\n"
	"  -h, --help            this help\n"
	"\n"
	"exit: 0 in sync, 2 changes pending, 1 error (unreadable files, an unreachable\n"
	"cluster, a problem marked ! that apply cannot fix, or a warning with --strict),\n"
	"64 usage error\n";

/* The saved plan is private (0600): it names the clusters' objects. */
static int save_plan(const char *path, const struct plan *plan)
{
	struct output_file file;
	int err = output_file_open(&file, path, 0600);

	if (!err)
		err = plan_write_json(file.stream, plan);
	if (!err)
		return output_file_commit(&file);
	output_file_abort(&file);
	return err;
}

static int print_text(const struct plan *plan, bool color)
{
	struct buf text;
	int err;

	buf_init(&text, (size_t)256 << 20);
	err = plan_render_text(&text, plan, color);
	if (!err)
		fputs(text.data, stdout);
	buf_dispose(&text);
	return err;
}

static int output_plan(const struct plan *plan, const struct cli_options *opts)
{
	int err;

	if (opts->output && !strcmp(opts->output, "json"))
		err = plan_write_json(stdout, plan);
	else
		err = print_text(plan, cli_use_color(opts, STDOUT_FILENO));
	if (err) {
		log_error("cannot print the plan: %s", strerror(-err));
		return err;
	}
	if (!opts->out_file)
		return 0;
	err = save_plan(opts->out_file, plan);
	if (err)
		log_error("cannot write the plan to %s: %s", opts->out_file, strerror(-err));
	else
		log_info("plan saved to %s", opts->out_file);
	return err;
}

int cmd_plan(int argc, char **argv)
{
	struct cli_options opts;
	struct desired_state *desired = NULL;
	struct live_prefetch *prefetch = NULL;
	struct live_state *live = NULL;
	struct plan *plan = NULL;
	long started_ms;
	bool done = false;
	size_t deletes = 0;
	int rc, err;

	rc = cli_parse(&opts, argc, argv, "plan", usage, &done);
	if (done) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = cli_require_files_only(&opts, "plan");
	if (rc)
		goto out;
	cli_configure_logging(&opts);
	rc = load_and_prefetch(&desired, &prefetch, &opts, "plan");
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_INVALID;
	if (cli_check_cluster_filter(&opts, desired))
		goto out;
	started_ms = clock_now_ms();
	err = read_and_plan(&live, &plan, desired, &opts, prefetch, NULL, true);
	live_prefetch_free(prefetch);
	prefetch = NULL;
	if (err)
		goto out;
	log_info("read %zu cluster%s and planned %zu to create, %zu to update, %zu to delete, "
		 "%zu unchanged in %ld ms", live->cluster_count, live->cluster_count == 1 ? "" : "s",
		 plan->summary.create, plan->summary.update, plan->summary.remove, plan->summary.unchanged,
		 clock_now_ms() - started_ms);
	if (output_plan(plan, &opts))
		goto out;
	if (!delete_guard_allows(&deletes, plan, desired->policy.max_deletes, false))
		log_warn("the plan deletes %zu objects of owner [%s], more than policy.max_deletes (%ld): "
			 "apply refuses it unless --allow-deletes", deletes, desired_owner(desired),
			 desired->policy.max_deletes);
	rc = exit_code_for_plan(plan, opts.strict);
out:
	live_prefetch_free(prefetch);
	plan_free(plan);
	live_state_free(live);
	desired_state_free(desired);
	cli_options_dispose(&opts);
	return rc;
}
