/* esreconcile apply: make the changes a plan lists, then verify the result.
 *
 * load -f → read live → plan (→ check a saved plan is still current) → the
 * deletion guard → approval → execute per cluster → re-read and re-plan to
 * learn whether the clusters converged → report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/approve.h"
#include "apply/execute.h"
#include "apply/outcome.h"
#include "apply/report.h"
#include "apply/saved_plan.h"
#include "apply/verify.h"
#include "cmd/cli.h"
#include "cmd/credentials.h"
#include "cmd/delete_guard.h"
#include "cmd/exit_codes.h"
#include "cmd/output_file.h"
#include "cmd/read_and_plan.h"
#include "es/http.h"
#include "es/live.h"
#include "es/live_prefetch.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/heap.h"
#include "util/log.h"

/* The most clusters the check after applying reads at once (check_convergence). */
#define VERIFY_PARALLEL 4

static const char usage[] =
	"usage: esreconcile apply -f FILE|DIR [-f ...] [options] [PLAN.json]\n"
	"\n"
	"Makes the changes of the plan, then re-reads the clusters to check that they\n"
	"converged. With PLAN.json (from 'esreconcile plan --out'), applies only if the\n"
	"live state and the desired state are still those the plan was made from; -f\n"
	"still supplies the connections and secrets.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE|DIR   desired-state file or directory (repeatable)\n"
	"  --auto-approve        apply without asking (required without a terminal)\n"
	"  --allow-deletes       apply even if more than policy.max_deletes objects go\n"
	"  --wait DURATION       wait this long for written remotes to connect (30s; 0: no wait)\n"
	"  --report FILE         write the JSON report to FILE\n"
	"  -o, --output FORMAT   text (default) or json: the report on standard output\n"
	"  --cluster ID          only this cluster (repeatable)\n"
	"  --adopt-from OWNER    take over the declared objects that owner OWNER holds\n"
	"  --credentials-out DIR write each new cross-cluster API key to\n"
	"                        DIR/<cluster>.<alias>.credentials (0600), with the keystore\n"
	"                        commands; required when the plan creates a key\n"
	"  --reload-secure-settings  first POST /_nodes/reload_secure_settings on the\n"
	"                        clusters with API-key remotes (keystores staged by hand)\n"
	"  --rotate-keys         replace every declared cross-cluster API key by a new one\n"
	"  --retire-keys         invalidate the keys a rotation replaced (the keystore step\n"
	"                        of the new ones being done)\n"
	"  --parallel N          requests in flight at once (8): clusters in parallel, and\n"
	"                        the independent requests of one step within a cluster\n"
	"  --probe-parallel N    password probes in flight at once (32; policy.password_check:\n"
	"                        probe authenticates as each declared user)\n"
	"  --log-format FORMAT   text or json logs on standard error\n"
	"  --no-color            no colours\n"
	"  -v                    more logging (-vv: debug)\n"
	"\n"
	"After the remote settings are written, apply waits (--wait) for the declared\n"
	"remotes to connect; one that does not is reported (remotes_not_connected, and a\n"
	"warning) without failing the run, since connecting depends on the far side.\n"
	"Converged means that a plan made after applying is empty.\n"
	"\n"
	"exit: 0 converged, 1 nothing applied (error, refused, stale plan), 3 partly applied\n"
	"(something applied, and something failed, was skipped or did not converge)\n";

struct apply_run {
	struct cli_options opts;
	bool json;
	bool color;
	struct desired_state *desired;
	struct live_prefetch *prefetch; /* the first reads, made while loading */
	struct live_state *live;
	struct plan *plan;
	struct apply_outcome *outcome;
	cJSON *saved_plan;
};

/* A saved plan goes ahead only when both the live state and the changes
 * planned from -f are still those it was made from. */
static int check_saved_plan(const struct apply_run *run)
{
	enum saved_plan_state state;
	cJSON *fresh = NULL;
	int err;

	if ((err = plan_to_json(&fresh, run->plan)))
		return err;
	state = saved_plan_check(run->saved_plan, run->plan->fingerprint, fresh);
	cJSON_Delete(fresh);
	if (state != SAVED_PLAN_FRESH) {
		log_error("%s", saved_plan_stale_message(state));
		return -ESTALE;
	}
	return 0;
}

/* A new key's secret is shown once: without a place to put it the key would
 * be useless, so apply refuses before writing anything. */
static int check_credentials_out(const struct apply_run *run)
{
	char *errmsg = NULL;
	int err;

	if (!credentials_needed(run->plan))
		return 0;
	if (!run->opts.credentials_out) {
		log_error("the plan creates cross-cluster API keys, whose secret Elasticsearch shows only once: "
			  "pass --credentials-out DIR to receive them; nothing was changed");
		return -EINVAL;
	}
	err = credentials_check_dir(run->opts.credentials_out, &errmsg);
	if (err)
		log_error("%s; nothing was changed", errmsg ? errmsg : strerror(-err));
	free(errmsg);
	return err;
}

static bool plan_has_requests(const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (plan->clusters[i].request_count)
			return true;
	return false;
}

/* The deletion guard, then the operator's consent. Returns 0 to go ahead. */
static int check_gates(const struct apply_run *run)
{
	size_t deletes;
	int answer;

	if (!delete_guard_allows(&deletes, run->plan, run->desired->policy.max_deletes,
				 run->opts.allow_deletes)) {
		log_error("the plan deletes %zu objects of owner [%s], more than policy.max_deletes (%ld); "
			  "nothing was changed; pass --allow-deletes to apply it anyway",
			  deletes, desired_owner(run->desired), run->desired->policy.max_deletes);
		return -EPERM;
	}
	if (run->opts.auto_approve)
		return run->json ? 0 : apply_show_plan(run->plan, stdout, run->color);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		log_error("refusing to apply without confirmation: no terminal to ask on; "
			  "pass --auto-approve to apply non-interactively");
		return -EPERM;
	}
	/* With -o json, stdout carries only the report: ask on stderr. */
	answer = apply_ask_approval(run->plan, stdin, run->json ? stderr : stdout, run->color);
	if (answer < 0)
		return answer;
	if (!answer) {
		log_error("apply cancelled: the answer was not 'yes'; nothing was changed");
		return -ECANCELED;
	}
	return 0;
}

static bool any_request_sent(const struct apply_outcome *outcome)
{
	size_t i;

	for (i = 0; i < outcome->cluster_count; i++)
		if (outcome->clusters[i].requests_sent)
			return true;
	return false;
}

/* Converged means a plan made now is empty. Also records, per cluster, which
 * declared objects settled (remotes connected) according to the latest read. */
static int check_convergence(struct apply_run *run)
{
	struct plan *plan = NULL;
	const struct live_cluster *cluster;
	const struct kind_settle *rule;
	struct live_probe_scope probes = { 0 };
	struct cli_options verify_opts = run->opts;
	cJSON *known_probes = NULL;
	size_t i, kind;
	int err = 0;

	/* Each cluster read at once holds its answers until it is planned (a few
	 * MB at 1,000 roles and users): the check reads at most VERIFY_PARALLEL
	 * clusters at once, however wide --parallel made the writes. */
	if (verify_opts.parallel <= 0 || verify_opts.parallel > VERIFY_PARALLEL)
		verify_opts.parallel = VERIFY_PARALLEL;
	if (any_request_sent(run->outcome)) {
		/* Only the users apply wrote need a new password probe: the others'
		 * answers stand (docs/apply.md). */
		if ((err = verify_known_probes(&known_probes, run->live, run->plan, run->outcome)))
			goto done;
		/* The state read before applying is stale now: drop it before reading again. */
		live_state_free(run->live);
		run->live = NULL;
		probes.known = known_probes;
		err = read_and_plan(&run->live, &plan, run->desired, &verify_opts, NULL, &probes, false);
		if (err == -ENOMEM)
			goto done;
		if (err) {
			run->outcome->replan_error = strdup(strerror(-err));
			err = run->outcome->replan_error ? 0 : -ENOMEM;
			goto done;
		}
		run->outcome->converged = plan_is_empty(plan);
		/* a write that got no answer may have landed: the fresh read settles it */
		err = apply_outcome_settle_unanswered(run->outcome, run->plan, plan);
		if (err)
			goto done;
		if (!run->outcome->converged)
			log_warn("after applying, a new plan still has %zu to create, %zu to update, %zu to "
				 "delete and %zu problems; run 'esreconcile plan' to see them",
				 plan->summary.create, plan->summary.update, plan->summary.remove,
				 plan->summary.problems);
	} else {
		run->outcome->converged = plan_is_empty(run->plan);
	}
	for (i = 0; i < run->outcome->cluster_count && !err; i++) {
		cluster = live_find_cluster(run->live, run->outcome->clusters[i].cluster_id);
		if (!cluster || !cluster->reachable)
			continue;
		for (kind = 0; kind < RESOURCE_KIND_COUNT && !err; kind++) {
			rule = plan_kind_settle((enum resource_kind)kind);
			if (rule)
				err = verify_split(&run->outcome->clusters[i], run->desired,
						   (enum resource_kind)kind, rule->live_answer(cluster));
		}
	}
	/* The report needs none of it: free it before the report takes its memory. */
	live_state_free(run->live);
	run->live = NULL;
done:
	cJSON_Delete(known_probes);
	plan_free(plan);
	return err;
}

static void warn_unsettled(const struct apply_run *run)
{
	const struct cluster_outcome *cluster;
	const struct kind_settle *rule;
	size_t i, j, kind;

	for (i = 0; i < run->outcome->cluster_count; i++) {
		cluster = &run->outcome->clusters[i];
		for (kind = 0; kind < RESOURCE_KIND_COUNT; kind++) {
			rule = plan_kind_settle((enum resource_kind)kind);
			for (j = 0; rule && j < cluster->settle[kind].unsettled_count; j++)
				log_warn("cluster [%s]: %s [%s] %s%s", cluster->cluster_id,
					 resource_kind_name((enum resource_kind)kind),
					 cluster->settle[kind].unsettled[j], rule->unsettled_text,
					 cluster->written[kind] && run->opts.wait_ms > 0 ? " after waiting" : "");
		}
	}
}

/* The report file is written like a saved plan: a private temporary file
 * renamed over the target, so a symlink there is replaced, never followed,
 * and a reader never sees half a report. */
static int write_outputs(const struct apply_run *run)
{
	struct output_file report = { 0 };
	FILE *streams[2];
	size_t stream_count = 0;
	struct buf summary;
	int err = 0;

	buf_init(&summary, (size_t)64 << 20);
	if (run->opts.report_file) {
		if ((err = output_file_open(&report, run->opts.report_file, 0600))) {
			log_error("--report %s: %s", run->opts.report_file, strerror(-err));
			goto done;
		}
		streams[stream_count++] = report.stream;
	}
	if (run->json)
		streams[stream_count++] = stdout;
	if (stream_count)
		err = apply_report_write(streams, stream_count, run->plan, run->outcome);
	if (run->opts.report_file) {
		if (!err)
			err = output_file_commit(&report);
		output_file_abort(&report);
		if (err)
			log_error("--report %s: could not write the report", run->opts.report_file);
	}
	if (!err && !run->json) {
		err = apply_report_text(&summary, run->plan, run->outcome, run->color);
		if (!err)
			fputs(summary.data ? summary.data : "", stdout);
	}
done:
	buf_dispose(&summary);
	return err;
}

static int run_apply(struct apply_run *run)
{
	struct apply_options options = {
		.parallel = run->opts.parallel,
		.wait_ms = run->opts.wait_ms,
		.progress = !run->json && isatty(STDERR_FILENO) ? stderr : NULL,
		.client = NULL,
		.hand_off = credentials_hand_off,
		.hand_off_ctx = (void *)run->opts.credentials_out,
	};
	char *errmsg = NULL;
	int err, code;

	/* a saved plan that cannot be read stops the run before the early reads */
	if (run->opts.positional_count == 1) {
		err = saved_plan_load(&run->saved_plan, run->opts.positional[0], &errmsg);
		if (err) {
			log_error("%s", errmsg ? errmsg : "cannot read the saved plan");
			free(errmsg);
			return EXIT_INVALID;
		}
	}
	/* staged credentials change what the clusters answer: nothing is read
	 * before they are reloaded */
	code = run->opts.reload_secure_settings ? cli_load_desired(&run->desired, &run->opts, "apply")
						: load_and_prefetch(&run->desired, &run->prefetch, &run->opts, "apply");
	if (code)
		return code;
	if (cli_check_cluster_filter(&run->opts, run->desired))
		return EXIT_INVALID;
	if ((err = es_global_init())) {
		log_error("cannot initialise libcurl: %s", strerror(-err));
		return EXIT_INVALID;
	}
	/* staged credentials take effect first, so that the plan sees them */
	if (run->opts.reload_secure_settings &&
	    credentials_reload(run->desired, run->opts.clusters, run->opts.cluster_count))
		return EXIT_INVALID;
	err = read_and_plan(&run->live, &run->plan, run->desired, &run->opts, run->prefetch, NULL, true);
	live_prefetch_free(run->prefetch);
	run->prefetch = NULL;
	if (err)
		return EXIT_INVALID; /* read_and_plan said why */
	if (run->saved_plan && check_saved_plan(run))
		return EXIT_INVALID;
	if (check_credentials_out(run))
		return EXIT_INVALID;
	if (!plan_has_requests(run->plan)) {
		if (!run->json && plan_is_empty(run->plan))
			puts("No changes. The clusters match the desired state.");
		else if (!run->json && apply_show_plan(run->plan, stdout, run->color))
			return EXIT_INVALID;
	} else if (check_gates(run)) {
		return EXIT_INVALID;
	}
	heap_release_freed();
	err = apply_outcome_new(&run->outcome, run->plan);
	if (!err)
		err = apply_execute(run->outcome, run->plan, run->desired, &options);
	if (!err) {
		heap_release_freed(); /* each phase on the memory the last one freed */
		err = check_convergence(run);
	}
	if (err) {
		log_error("apply: %s", strerror(-err));
		return run->outcome && any_request_sent(run->outcome) ? EXIT_PARTIAL : EXIT_INVALID;
	}
	warn_unsettled(run);
	heap_release_freed();
	if (write_outputs(run))
		return any_request_sent(run->outcome) ? EXIT_PARTIAL : EXIT_INVALID;
	return exit_code_for_apply(run->outcome);
}

int cmd_apply(int argc, char **argv)
{
	struct apply_run run;
	bool done;
	int code;

	memset(&run, 0, sizeof(run));
	code = cli_parse(&run.opts, argc, argv, "apply", usage, &done);
	if (code) {
		/* a usage error may come after some -f or --cluster were taken */
		cli_options_dispose(&run.opts);
		return done ? EXIT_OK : code;
	}
	cli_configure_logging(&run.opts);
	if (run.opts.positional_count > 1) {
		fputs("esreconcile apply: at most one saved plan file may be given\n"
		      "try 'esreconcile apply --help'\n", stderr);
		cli_options_dispose(&run.opts);
		return EXIT_USAGE;
	}
	run.json = run.opts.output && !strcmp(run.opts.output, "json");
	run.color = cli_use_color(&run.opts, STDOUT_FILENO);
	code = run_apply(&run);
	live_prefetch_free(run.prefetch);
	apply_outcome_free(run.outcome);
	plan_free(run.plan);
	live_state_free(run.live);
	desired_state_free(run.desired);
	cJSON_Delete(run.saved_plan);
	cli_options_dispose(&run.opts);
	es_global_cleanup();
	return code;
}
