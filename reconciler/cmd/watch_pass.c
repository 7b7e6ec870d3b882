#include "cmd/watch_pass.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apply/execute.h"
#include "apply/outcome.h"
#include "apply/verify.h"
#include "cmd/delete_guard.h"
#include "cmd/read_and_plan.h"
#include "util/buf.h"
#include "util/log.h"

/* The clusters a pass reads: its own, and each declared cluster one of its
 * remotes points at (`cluster:`), whose transport addresses may give the seeds. */
static int clusters_to_read(const char ***out, size_t *count_out, const struct watch_pass_options *opts)
{
	const char **linked = NULL, **ids;
	size_t count = 0, n = 1, i;
	int err = plan_linked_clusters(&linked, &count, opts->desired, opts->cluster_id);

	*out = NULL;
	*count_out = 0;
	if (err)
		return err;
	ids = calloc(count + 1, sizeof(*ids));
	if (!ids) {
		free((void *)linked);
		return -ENOMEM;
	}
	ids[0] = opts->cluster_id;
	for (i = 0; i < count; i++)
		if (strcmp(linked[i], opts->cluster_id) != 0)
			ids[n++] = linked[i];
	free((void *)linked);
	*out = ids;
	*count_out = n;
	return 0;
}

static void log_change(enum log_level level, const char *event, const char *cluster_id,
		       const struct plan_change *change, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* One line about one change: "cluster [local]: drift: create role [name]<detail>". */
static void log_change(enum log_level level, const char *event, const char *cluster_id,
		       const struct plan_change *change, const char *fmt, ...)
{
	const struct log_field fields[] = {
		{ "event", event },
		{ "cluster", cluster_id },
		{ "kind", resource_kind_name(change->kind) },
		{ "name", change->name },
		{ "action", plan_action_name(change->action) },
	};
	char *detail;
	va_list ap;

	va_start(ap, fmt);
	detail = buf_vformat(fmt, ap);
	va_end(ap);
	/* a problem is no action: "problem: remote [x]: why" */
	log_fields(level, fields, sizeof(fields) / sizeof(fields[0]), "cluster [%s]: %s: %s%s%s [%s]%s",
		   cluster_id, event, change->action == ACTION_PROBLEM ? "" : plan_action_name(change->action),
		   change->action == ACTION_PROBLEM ? "" : " ", resource_kind_name(change->kind),
		   change->name, detail ? detail : "");
	free(detail);
}

static void log_cluster(enum log_level level, const char *event, const char *cluster_id,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void log_cluster(enum log_level level, const char *event, const char *cluster_id,
			const char *fmt, ...)
{
	const struct log_field fields[] = { { "event", event }, { "cluster", cluster_id } };
	char *message;
	va_list ap;

	va_start(ap, fmt);
	message = buf_vformat(fmt, ap);
	va_end(ap);
	log_fields(level, fields, 2, "cluster [%s]: %s", cluster_id, message ? message : event);
	free(message);
}

/* Logs what the plan found; counts it as drift (or as an error, for problems). */
static void report_drift(struct watch_pass_result *out, const struct cluster_plan *cp)
{
	const struct plan_change *c;
	size_t i;

	for (i = 0; i < cp->change_count; i++) {
		c = &cp->changes[i];
		if (c->action == ACTION_PROBLEM) {
			out->error = true;
			log_change(LOG_ERROR, "problem", cp->cluster_id, c, ": %s",
				   c->problem ? c->problem : "cannot be planned");
			continue;
		}
		out->drift[c->kind]++;
		log_change(LOG_NOTICE, "drift", cp->cluster_id, c, "%s", "");
	}
}

/* Logs and counts what applying did to each change. */
static void report_outcome(struct watch_pass_result *out, const struct cluster_plan *cp,
			   const struct cluster_outcome *co)
{
	const struct change_outcome *o;
	const struct plan_change *c;
	size_t i;

	for (i = 0; i < cp->change_count; i++) {
		c = &cp->changes[i];
		o = &co->changes[i];
		if (c->action == ACTION_PROBLEM)
			continue; /* reported as found */
		switch (o->status) {
		case CHANGE_APPLIED:
			out->drift[c->kind]--;
			out->applied[c->kind]++;
			log_change(LOG_NOTICE, "applied", cp->cluster_id, c, "%s", "");
			break;
		case CHANGE_FAILED:
			out->failed = out->error = true;
			log_change(LOG_ERROR, "failed", cp->cluster_id, c, ": %s%s%s",
				   o->error_type ? o->error_type : "", o->error_type ? ": " : "",
				   o->reason ? o->reason : "no answer");
			break;
		case CHANGE_SKIPPED:
		case CHANGE_PENDING:
			log_change(LOG_WARN, "skipped", cp->cluster_id, c, ": %s",
				   o->reason ? o->reason : "not attempted");
			break;
		}
	}
}

static int apply_cluster_plan(struct watch_pass_result *out, struct apply_outcome **outcome_out,
			      const struct plan *plan, const struct cluster_plan *cp,
			      const struct watch_pass_options *opts)
{
	/* A view of the plan holding this cluster only: the others are read for
	 * their transport addresses, their own passes apply them. */
	struct plan view = *plan;
	struct apply_options options = {
		.parallel = opts->parallel,
		.wait_ms = opts->wait_ms,
		.client = NULL,
		.stop = opts->stop,
	};
	size_t deletes = 0, pending = 0, k;
	int err;

	view.clusters = (struct cluster_plan *)cp;
	view.cluster_count = 1;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++)
		pending += out->drift[k];
	if (opts->hold_reason) {
		log_cluster(LOG_NOTICE, "held", cp->cluster_id, "%zu change%s not applied: %s", pending,
			    pending == 1 ? "" : "s", opts->hold_reason);
		return 0;
	}
	if (!delete_guard_allows(&deletes, &view, opts->desired->policy.max_deletes, opts->allow_deletes)) {
		out->error = true;
		log_cluster(LOG_ERROR, "refused", cp->cluster_id,
			    "the plan deletes %zu objects, more than policy.max_deletes (%ld); nothing was "
			    "changed; raise it or start watch with --allow-deletes",
			    deletes, opts->desired->policy.max_deletes);
		return 0;
	}
	if ((err = apply_outcome_new(outcome_out, &view)) ||
	    (err = apply_execute(*outcome_out, &view, opts->desired, &options)))
		return err;
	report_outcome(out, cp, &(*outcome_out)->clusters[0]);
	return 0;
}

static int take_names(char **names, const bool connected, char **list, size_t count, bool *flags)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (!(names[i] = strdup(list[i])))
			return -ENOMEM;
		flags[i] = connected;
	}
	return 0;
}

/* The declared remotes and whether they connected: as apply last saw them
 * when it waited for them, else from the pass's read. */
static int record_remotes(struct watch_pass_result *out, const struct watch_pass_options *opts,
			  const struct live_cluster *lc, const struct apply_outcome *outcome)
{
	const struct kind_settle *rule = plan_kind_settle(RESOURCE_REMOTE);
	struct cluster_outcome scratch;
	const struct settlement *s;
	size_t total;
	int err = 0;

	memset(&scratch, 0, sizeof(scratch));
	if (!rule || !lc || !lc->reachable)
		return 0;
	if (outcome && outcome->clusters[0].written[RESOURCE_REMOTE] && opts->wait_ms > 0) {
		s = &outcome->clusters[0].settle[RESOURCE_REMOTE];
	} else {
		scratch.cluster_id = (char *)opts->cluster_id;
		if ((err = verify_split(&scratch, opts->desired, RESOURCE_REMOTE, rule->live_answer(lc))))
			goto done;
		s = &scratch.settle[RESOURCE_REMOTE];
	}
	total = s->settled_count + s->unsettled_count;
	out->remotes = calloc(total + 1, sizeof(*out->remotes));
	out->connected = calloc(total + 1, sizeof(*out->connected));
	if (!out->remotes || !out->connected) {
		err = -ENOMEM;
		goto done;
	}
	out->remote_count = total;
	err = take_names(out->remotes, true, s->settled, s->settled_count, out->connected);
	if (!err)
		err = take_names(out->remotes + s->settled_count, false, s->unsettled, s->unsettled_count,
				 out->connected + s->settled_count);
done:
	settlement_clear(&scratch.settle[RESOURCE_REMOTE]);
	return err;
}

static const struct cluster_plan *find_cluster_plan(const struct plan *plan, const char *id)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (!strcmp(plan->clusters[i].cluster_id, id))
			return &plan->clusters[i];
	return NULL;
}

int watch_pass_run(struct watch_pass_result *out, const struct watch_pass_options *opts)
{
	/* the other clusters are read for their transport addresses: their users are not ours to check */
	const struct live_probe_scope probes = { .only_cluster = opts->cluster_id };
	struct cli_options read_opts;
	struct live_state *live = NULL;
	struct plan *plan = NULL;
	struct apply_outcome *outcome = NULL;
	const struct cluster_plan *cp;
	const char **ids = NULL;
	size_t id_count = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = clusters_to_read(&ids, &id_count, opts)))
		goto done;
	memset(&read_opts, 0, sizeof(read_opts));
	read_opts.parallel = opts->parallel;
	read_opts.probe_parallel = opts->probe_parallel;
	read_opts.clusters = ids;
	read_opts.cluster_count = id_count;
	err = read_and_plan(&live, &plan, opts->desired, &read_opts, NULL, &probes, false);
	if (err == -ENOMEM)
		goto done;
	cp = err ? NULL : find_cluster_plan(plan, opts->cluster_id);
	err = 0;
	if (!cp || !cp->reachable) {
		out->failed = out->error = true;
		log_cluster(LOG_ERROR, "unreachable", opts->cluster_id, "%s",
			    cp && cp->error ? cp->error : "the cluster could not be read");
		goto done;
	}
	out->reachable = true;
	report_drift(out, cp);
	if (cp->request_count)
		err = apply_cluster_plan(out, &outcome, plan, cp, opts);
	if (!err)
		err = record_remotes(out, opts, live_find_cluster(live, opts->cluster_id), outcome);
done:
	apply_outcome_free(outcome);
	plan_free(plan);
	live_state_free(live);
	free((void *)ids);
	return err;
}

void watch_pass_result_dispose(struct watch_pass_result *result)
{
	size_t i;

	if (!result)
		return;
	for (i = 0; i < result->remote_count; i++)
		free(result->remotes[i]);
	free(result->remotes);
	free(result->connected);
	result->remotes = NULL;
	result->connected = NULL;
	result->remote_count = 0;
}
