/* esreconcile watch: correct drift periodically, as a long-running process.
 *
 * Every cycle (--interval, with --jitter) re-reads the desired files, keeping
 * the last valid state when they turn invalid, then runs one pass per cluster
 * (cmd/watch_pass.c) in its own thread: read, plan, report, apply unless
 * --detect-only or policy.suspend. A cluster whose pass failed is tried again
 * sooner, backing off exponentially up to the interval, on its own: a slow or
 * failing cluster never holds up the others. After each cycle the metrics are
 * written (--metrics-file) and served (--metrics-listen).
 *
 * Signals: the handlers only set flags; the main thread, the only one that
 * takes signals, acts on them between waits. SIGHUP starts a cycle now;
 * SIGTERM or SIGINT let the requests in flight finish and exit 0; a second
 * one exits at once. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/exit_codes.h"
#include "cmd/output_file.h"
#include "cmd/read_and_plan.h"
#include "cmd/watch_pass.h"
#include "desired/loader.h"
#include "es/http.h"
#include "es/retry.h"
#include "metrics/metrics.h"
#include "metrics/server.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/log.h"

static const char usage[] =
	"usage: esreconcile watch -f FILE|DIR [-f ...] [options]\n"
	"\n"
	"Corrects drift periodically: every interval it re-reads the desired files (a\n"
	"checkout someone else updates), plans each cluster and applies the changes,\n"
	"or only reports them with --detect-only or while policy.suspend is true.\n"
	"Runs until SIGTERM or SIGINT: the requests in flight finish, then exit 0 (a\n"
	"second signal exits at once). SIGHUP runs a cycle now.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE|DIR     desired-state file or directory (repeatable)\n"
	"  --interval DURATION     time between cycles (5m)\n"
	"  --jitter N%             vary each interval by up to N% either way (10%; 0 to 50)\n"
	"  --detect-only           report drift, never apply\n"
	"  --allow-deletes         apply plans that delete more than policy.max_deletes\n"
	"  --wait DURATION         after writing remotes, wait this long for them to connect (30s)\n"
	"  --metrics-file FILE     write Prometheus metrics to FILE after every cycle (atomically,\n"
	"                          for node_exporter's textfile collector)\n"
	"  --metrics-listen HOST:PORT\n"
	"                          serve the metrics at http://HOST:PORT/metrics\n"
	"  --cluster ID            only this cluster (repeatable)\n"
	"  --parallel N            requests in flight at once per cluster (8)\n"
	"  --probe-parallel N      password probes in flight at once per cluster (32)\n"
	"  --log-format FORMAT     text or json (one object per line) on standard error\n"
	"  -v                      also log each cycle (-vv: debug)\n"
	"  -h, --help              this help\n"
	"\n"
	"An invalid desired state is logged and ignored: the last valid one stays in\n"
	"force. A cluster that fails is tried again after 1s, 2s, 4s... up to the\n"
	"interval, without holding up the others.\n"
	"\n"
	"exit: 0 after SIGTERM or SIGINT, 1 when the desired state is invalid at start or\n"
	"the metrics cannot be written or served, 64 usage error\n";

/* The first retry of a failed cluster comes after about this long; each next
 * one after twice as long, up to the interval. */
#define RETRY_BASE_MS 1000

static volatile sig_atomic_t hup_received;
static volatile sig_atomic_t stop_signals;
static volatile sig_atomic_t stop_signal;

static void on_hup(int signo)
{
	(void)signo;
	hup_received = 1;
}

static void on_stop(int signo)
{
	stop_signal = signo;
	stop_signals = stop_signals + 1;
}

/* A desired state shared by the passes started while it was in force; freed
 * when the last of them ends and a newer one replaced it. Only the main
 * thread counts references. */
struct snapshot {
	struct desired_state *desired;
	unsigned refs;
};

/* A pass running in its own thread. */
struct job {
	char *cluster_id;
	unsigned long long cycle; /* the cycle that started it; 0 for a retry */
	struct snapshot *snapshot;
	struct watch_pass_options options;
	struct watch_pass_result result;
	int err;
	atomic_bool done;
	int notify_fd; /* one byte written here when done */
	pthread_t thread;
};

struct watched {
	char *id;
	bool declared;      /* in the desired state in force (and selected by --cluster) */
	unsigned failures;  /* consecutive failed passes */
	long retry_at_ms;   /* when a failed cluster is tried again */
	struct job *job;    /* the pass running, or NULL */
};

/* A cycle whose passes are not all done. */
struct cycle {
	unsigned long long number;
	long started_ms;
	size_t pending;
	size_t applied, drift, errors;
};

struct watch {
	struct cli_options opts;
	struct snapshot *current;
	struct watched *clusters;
	size_t cluster_count;
	struct cycle *cycles;
	size_t cycle_count;
	unsigned long long last_cycle;
	long next_cycle_ms;
	struct metrics metrics;
	struct metrics_server *server;
	char *last_diagnostics; /* what the last reading of the files reported, to say it once */
	int notify[2];
	atomic_bool stop;
	unsigned seed;
};

/* ---- desired state ---- */

static void snapshot_release(struct snapshot *s)
{
	if (s && !--s->refs) {
		desired_state_free(s->desired);
		free(s);
	}
}

/* Prints the diagnostics of a reading unless the previous reading printed the
 * same: a file that stays invalid is reported once, not every cycle. */
static void print_diagnostics(struct watch *w, const struct diag_list *diags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	if (diags->count && w->opts.log_format && !strcmp(w->opts.log_format, "json"))
		diag_print_json(diags, f);
	else
		diag_print_text(diags, f, false);
	if (fclose(f) || !text)
		return;
	if (!w->last_diagnostics || strcmp(text, w->last_diagnostics) != 0)
		fputs(text, stderr);
	free(w->last_diagnostics);
	w->last_diagnostics = text;
}

/* Re-reads the desired files. An invalid state is logged and ignored. */
static int reload(struct watch *w)
{
	const struct log_field fields[] = { { "event", "desired_invalid" } };
	struct desired_state *fresh = NULL;
	struct snapshot *s;
	struct diag_list diags;
	int err;

	diag_list_init(&diags);
	err = desired_load(&fresh, w->opts.files, w->opts.file_count, &diags);
	print_diagnostics(w, &diags);
	w->metrics.desired_state_valid = !err;
	if (err) {
		log_fields(LOG_ERROR, fields, 1, "the desired state is invalid (%zu error%s); keeping the last "
			   "valid one", diags.errors, diags.errors == 1 ? "" : "s");
		diag_list_dispose(&diags);
		return err == -ENOMEM ? err : 0;
	}
	diag_list_dispose(&diags);
	if (!(s = calloc(1, sizeof(*s)))) {
		desired_state_free(fresh);
		return -ENOMEM;
	}
	s->desired = fresh;
	s->refs = 1;
	snapshot_release(w->current);
	w->current = s;
	return 0;
}

/* ---- the clusters watched ---- */

static bool selected(const struct cli_options *opts, const char *id)
{
	size_t i;

	if (!opts->cluster_count)
		return true;
	for (i = 0; i < opts->cluster_count; i++)
		if (!strcmp(opts->clusters[i], id))
			return true;
	return false;
}

static struct watched *find_watched(struct watch *w, const char *id)
{
	size_t i;

	for (i = 0; i < w->cluster_count; i++)
		if (!strcmp(w->clusters[i].id, id))
			return &w->clusters[i];
	return NULL;
}

static void drop_watched(struct watch *w, struct watched *c)
{
	free(c->id);
	*c = w->clusters[--w->cluster_count];
}

/* Makes the watched clusters those the desired state in force declares (and
 * --cluster selects); a cluster that goes while its pass runs goes after it. */
static int sync_clusters(struct watch *w)
{
	const struct desired_state *desired = w->current->desired;
	const char **ids = calloc(desired->cluster_count + 1, sizeof(*ids));
	struct watched *grown, *c;
	size_t i, count = 0;
	int err = 0;

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < w->cluster_count; i++)
		w->clusters[i].declared = false;
	for (i = 0; i < desired->cluster_count && !err; i++) {
		const char *id = desired->clusters[i].id;

		if (!selected(&w->opts, id))
			continue;
		ids[count++] = id;
		if ((c = find_watched(w, id))) {
			c->declared = true;
			continue;
		}
		grown = realloc(w->clusters, (w->cluster_count + 1) * sizeof(*grown));
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		w->clusters = grown;
		c = &w->clusters[w->cluster_count];
		memset(c, 0, sizeof(*c));
		c->declared = true;
		if (!(c->id = strdup(id)))
			err = -ENOMEM;
		else
			w->cluster_count++;
	}
	for (i = 0; i < w->opts.cluster_count && !err; i++)
		if (!desired_find_cluster(desired, w->opts.clusters[i]))
			log_warn("--cluster %s: no such cluster in the desired state any more", w->opts.clusters[i]);
	for (i = w->cluster_count; i-- > 0 && !err;)
		if (!w->clusters[i].declared && !w->clusters[i].job)
			drop_watched(w, &w->clusters[i]);
	if (!err)
		err = metrics_set_clusters(&w->metrics, ids, count);
	free((void *)ids);
	return err;
}

/* ---- metrics ---- */

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes and serves the metrics as they are now. Returns 0 or a negative errno
 * (after logging). */
static int publish_metrics(struct watch *w)
{
	struct buf text;
	int err;

	if (!w->opts.metrics_file && !w->server)
		return 0;
	buf_init(&text, METRICS_TEXT_MAX);
	err = metrics_render(&text, &w->metrics, ESR_VERSION);
	if (!err && w->server)
		err = metrics_server_publish(w->server, text.data, text.len);
	if (!err && w->opts.metrics_file) {
		err = output_file_write(w->opts.metrics_file, text.data, text.len, 0644);
		if (err)
			log_error("--metrics-file %s: cannot write it: %s", w->opts.metrics_file, strerror(-err));
	} else if (err) {
		log_error("cannot render the metrics: %s", strerror(-err));
	}
	buf_dispose(&text);
	return err;
}

/* ---- passes ---- */

static void *run_job(void *arg)
{
	struct job *job = arg;
	const char byte = 1;

	job->err = watch_pass_run(&job->result, &job->options);
	atomic_store(&job->done, true);
	/* the main thread wakes up; a full pipe already wakes it */
	if (write(job->notify_fd, &byte, 1) < 0 && errno != EAGAIN)
		log_debug("cannot wake the main thread: %s", strerror(errno));
	return NULL;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	watch_pass_result_dispose(&job->result);
	free(job->cluster_id);
	free(job);
}

/* Starts a pass over c with the desired state in force. Returns 0 (a thread
 * that cannot be started counts as a failed pass) or -ENOMEM. */
static int start_pass(struct watch *w, struct watched *c, unsigned long long cycle)
{
	const struct desired_state *desired = w->current->desired;
	struct job *job = calloc(1, sizeof(*job));
	int rc;

	if (!job || !(job->cluster_id = strdup(c->id))) {
		free(job);
		return -ENOMEM;
	}
	job->cycle = cycle;
	job->snapshot = w->current;
	job->notify_fd = w->notify[1];
	job->options.desired = desired;
	job->options.cluster_id = job->cluster_id;
	job->options.parallel = w->opts.parallel;
	job->options.probe_parallel = w->opts.probe_parallel;
	job->options.wait_ms = w->opts.wait_ms;
	job->options.allow_deletes = w->opts.allow_deletes;
	job->options.hold_reason = w->opts.detect_only ? "--detect-only"
				   : desired->policy.suspend ? "suspended (policy.suspend is true)" : NULL;
	job->options.stop = &w->stop;
	atomic_init(&job->done, false);
	rc = pthread_create(&job->thread, NULL, run_job, job);
	if (rc) {
		log_error("cluster [%s]: cannot start its pass: %s", c->id, strerror(rc));
		job_free(job);
		c->failures++;
		c->retry_at_ms = clock_now_ms() + RETRY_BASE_MS;
		return 0;
	}
	w->current->refs++;
	c->job = job;
	return 0;
}

static struct cycle *find_cycle(struct watch *w, unsigned long long number)
{
	size_t i;

	for (i = 0; i < w->cycle_count; i++)
		if (w->cycles[i].number == number)
			return &w->cycles[i];
	return NULL;
}

static void end_cycle(struct watch *w, struct cycle *cycle)
{
	const long took = clock_now_ms() - cycle->started_ms;
	char number[32];
	const struct log_field fields[] = { { "event", "cycle_end" }, { "cycle", number } };

	snprintf(number, sizeof(number), "%llu", cycle->number);
	w->metrics.cycles_total++;
	w->metrics.last_cycle_timestamp = wall_seconds();
	w->metrics.last_cycle_duration = (double)took / 1000.0;
	/* the metrics first: whoever reads the end line finds them written */
	publish_metrics(w);
	log_fields(LOG_INFO, fields, 2, "cycle %llu: done in %ld ms: %zu change%s applied, %zu pending, "
		   "%zu error%s", cycle->number, took, cycle->applied, cycle->applied == 1 ? "" : "s",
		   cycle->drift, cycle->errors, cycle->errors == 1 ? "" : "s");
	*cycle = w->cycles[--w->cycle_count];
}

/* The delay before the next try of a cluster whose last `failures` passes
 * failed: exponential from RETRY_BASE_MS, capped at the interval. */
static long retry_delay(struct watch *w, unsigned failures)
{
	const struct retry_policy policy = {
		.backoff_base_ms = RETRY_BASE_MS < w->opts.interval_ms ? RETRY_BASE_MS : w->opts.interval_ms,
		.backoff_max_ms = w->opts.interval_ms,
	};

	return retry_backoff_ms(&policy, failures > 64 ? 64 : (int)failures, &w->seed);
}

/* A finished pass's findings into the cluster's metrics. */
static void record_pass(struct watch *w, const struct watched *c, const struct watch_pass_result *r,
			bool error)
{
	struct metrics_cluster *m = metrics_find_cluster(&w->metrics, c->id);
	size_t k;

	if (!m)
		return; /* no longer declared */
	m->up = r->reachable;
	m->errors_total += error;
	for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
		m->drift[k] = r->drift[k];
		m->applied_total[k] += r->applied[k];
	}
	if (r->reachable &&
	    metrics_set_remotes(m, (const char *const *)r->remotes, r->connected, r->remote_count))
		log_error("cluster [%s]: out of memory recording its remotes", c->id);
}

/* After a failed pass, when the cluster is tried again; after a good one, at the next cycle. */
static void schedule_retry(struct watch *w, struct watched *c, bool failed)
{
	char delay_text[24], failures_text[24];
	const struct log_field fields[] = {
		{ "event", "retry" }, { "cluster", c->id }, { "delay_ms", delay_text }, { "failures", failures_text },
	};
	long delay;

	if (!failed || atomic_load(&w->stop)) {
		c->failures = 0;
		return;
	}
	c->failures++;
	delay = retry_delay(w, c->failures);
	c->retry_at_ms = clock_now_ms() + delay;
	snprintf(delay_text, sizeof(delay_text), "%ld", delay);
	snprintf(failures_text, sizeof(failures_text), "%u", c->failures);
	log_fields(LOG_NOTICE, fields, 4, "cluster [%s]: trying again in %ld ms (failure %u in a row)", c->id,
		   delay, c->failures);
}

/* Takes in what a finished pass found: metrics, its cycle, the cluster's retry.
 * The metrics are written before the lines that report the pass, so that a
 * reader of the log finds them current. */
static void finish_pass(struct watch *w, struct watched *c)
{
	struct job *job = c->job;
	struct cycle *cycle = job->cycle ? find_cycle(w, job->cycle) : NULL;
	bool failed, error;
	size_t k;

	pthread_join(job->thread, NULL);
	c->job = NULL;
	failed = job->result.failed || job->err;
	error = job->result.error || job->err;
	if (job->err)
		log_error("cluster [%s]: the pass stopped: %s", c->id, strerror(-job->err));
	record_pass(w, c, &job->result, error);
	if (cycle) {
		for (k = 0; k < RESOURCE_KIND_COUNT; k++) {
			cycle->applied += job->result.applied[k];
			cycle->drift += job->result.drift[k];
		}
		cycle->errors += error;
	}
	snapshot_release(job->snapshot);
	job_free(job);
	if (!cycle)
		publish_metrics(w);
	else if (!--cycle->pending)
		end_cycle(w, cycle);
	schedule_retry(w, c, failed);
	if (!c->declared)
		drop_watched(w, c);
}

static void reap_passes(struct watch *w)
{
	char drain[64];
	size_t i;

	while (read(w->notify[0], drain, sizeof(drain)) > 0)
		;
	for (i = w->cluster_count; i-- > 0;)
		if (w->clusters[i].job && atomic_load(&w->clusters[i].job->done))
			finish_pass(w, &w->clusters[i]);
}

static long jittered_interval(struct watch *w)
{
	long long spread = (long long)w->opts.interval_ms * w->opts.jitter_percent / 100;

	if (spread <= 0)
		return w->opts.interval_ms;
	return (long)(w->opts.interval_ms - spread + (long long)(rand_r(&w->seed) % (unsigned)(2 * spread + 1)));
}

/* A cycle: re-read the desired files (unless just read), then a pass over
 * every cluster whose previous pass is over. */
static int start_cycle(struct watch *w, bool read_files)
{
	const long now = clock_now_ms();
	char number[32];
	const struct log_field fields[] = { { "event", "cycle_start" }, { "cycle", number } };
	struct cycle *grown, *cycle;
	size_t i;
	int err = 0;

	w->next_cycle_ms = now + jittered_interval(w);
	snprintf(number, sizeof(number), "%llu", ++w->last_cycle);
	log_fields(LOG_INFO, fields, 2, "cycle %llu: start", w->last_cycle);
	if (read_files && (err = reload(w)))
		return err;
	if ((err = sync_clusters(w)))
		return err;
	w->metrics.suspended = w->current->desired->policy.suspend;
	grown = realloc(w->cycles, (w->cycle_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	w->cycles = grown;
	cycle = &w->cycles[w->cycle_count++];
	memset(cycle, 0, sizeof(*cycle));
	cycle->number = w->last_cycle;
	cycle->started_ms = now;
	for (i = 0; i < w->cluster_count && !err; i++) {
		struct watched *c = &w->clusters[i];

		if (!c->declared)
			continue;
		if (c->job) {
			log_info("cluster [%s]: its previous pass is still running; not in cycle %llu", c->id,
				 cycle->number);
			continue;
		}
		err = start_pass(w, c, cycle->number);
		if (c->job)
			cycle->pending++;
	}
	if (!err && !cycle->pending)
		end_cycle(w, cycle);
	return err;
}

/* Passes of failed clusters whose time came, between cycles. */
static int start_retries(struct watch *w, long now)
{
	size_t i;
	int err = 0;

	for (i = 0; i < w->cluster_count && !err; i++) {
		struct watched *c = &w->clusters[i];

		if (c->declared && !c->job && c->failures && c->retry_at_ms <= now)
			err = start_pass(w, c, 0);
	}
	return err;
}

static long next_wakeup_ms(const struct watch *w)
{
	long at = w->next_cycle_ms;
	size_t i;

	for (i = 0; i < w->cluster_count; i++) {
		const struct watched *c = &w->clusters[i];

		if (c->declared && !c->job && c->failures && c->retry_at_ms < at)
			at = c->retry_at_ms;
	}
	return at;
}

static bool any_pass_running(const struct watch *w)
{
	size_t i;

	for (i = 0; i < w->cluster_count; i++)
		if (w->clusters[i].job)
			return true;
	return false;
}

/* Acts on the signals received since the last look. */
static void take_signals(struct watch *w)
{
	const struct log_field hup[] = { { "event", "signal" }, { "signal", "SIGHUP" } };
	const struct log_field stop[] = { { "event", "stopping" } };

	if (stop_signals > 1) {
		log_fields(LOG_NOTICE, stop, 1, "a second signal: exiting now");
		_exit(128 + stop_signal);
	}
	if (stop_signals && !atomic_load(&w->stop)) {
		atomic_store(&w->stop, true);
		log_fields(LOG_NOTICE, stop, 1, "%s: finishing the requests in flight, then exiting",
			   stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	}
	if (hup_received) {
		hup_received = 0;
		if (!atomic_load(&w->stop)) {
			log_fields(LOG_NOTICE, hup, 2, "SIGHUP: running a cycle now");
			w->next_cycle_ms = clock_now_ms();
		}
	}
}

/* Waits until a pass ends, a signal comes, or until `until` (no limit when
 * negative); signals are only taken here. */
static void wait_for_event(struct watch *w, long until, const sigset_t *wait_mask)
{
	struct timespec timeout, *limit = NULL;
	fd_set readable;
	long left;

	if (until >= 0) {
		left = until - clock_now_ms();
		if (left < 0)
			left = 0;
		timeout.tv_sec = left / 1000;
		timeout.tv_nsec = (left % 1000) * 1000000;
		limit = &timeout;
	}
	FD_ZERO(&readable);
	FD_SET(w->notify[0], &readable);
	/* EINTR when a signal came: take_signals() looks at it next */
	pselect(w->notify[0] + 1, &readable, NULL, NULL, limit, wait_mask);
}

static int run_loop(struct watch *w, const sigset_t *wait_mask)
{
	int err = start_cycle(w, false);
	long now;

	while (!err) {
		take_signals(w);
		reap_passes(w);
		if (atomic_load(&w->stop)) {
			if (!any_pass_running(w))
				break;
			wait_for_event(w, -1, wait_mask);
			continue;
		}
		now = clock_now_ms();
		if (now >= w->next_cycle_ms)
			err = start_cycle(w, true);
		else
			err = start_retries(w, now);
		if (!err)
			wait_for_event(w, next_wakeup_ms(w), wait_mask);
	}
	if (err) {
		/* out of memory: stop the passes before the state they use goes */
		atomic_store(&w->stop, true);
		while (any_pass_running(w)) {
			wait_for_event(w, clock_now_ms() + 100, wait_mask);
			reap_passes(w);
		}
		log_error("watch: %s", strerror(-err));
	}
	return err;
}

/* Blocks the signals watch takes in every thread (the threads started later
 * inherit the mask), so that only the main thread's pselect() receives them.
 * *wait_mask is the mask to wait with. */
static int install_signals(sigset_t *wait_mask)
{
	struct sigaction action;
	sigset_t blocked;

	memset(&action, 0, sizeof(action));
	sigemptyset(&action.sa_mask);
	action.sa_handler = on_hup;
	if (sigaction(SIGHUP, &action, NULL))
		return -errno;
	action.sa_handler = on_stop;
	if (sigaction(SIGTERM, &action, NULL) || sigaction(SIGINT, &action, NULL))
		return -errno;
	/* a scraper that hangs up must not end the process */
	action.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &action, NULL))
		return -errno;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGHUP);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	return -pthread_sigmask(SIG_BLOCK, &blocked, wait_mask);
}

/* The passes' wake-up pipe: never blocks a writer, and no child inherits it. */
static int make_notify_pipe(int fds[2])
{
	int i, flags;

	if (pipe(fds))
		return -errno;
	for (i = 0; i < 2; i++) {
		flags = fcntl(fds[i], F_GETFL);
		if (flags < 0 || fcntl(fds[i], F_SETFL, flags | O_NONBLOCK) ||
		    fcntl(fds[i], F_SETFD, FD_CLOEXEC))
			return -errno;
	}
	return 0;
}

static int start_metrics(struct watch *w)
{
	const struct log_field fields[] = { { "event", "metrics_listen" } };
	char *errmsg = NULL;
	int err;

	if (w->opts.metrics_listen) {
		err = metrics_server_start(&w->server, w->opts.metrics_listen, &errmsg);
		if (err) {
			log_error("%s", errmsg ? errmsg : strerror(-err));
			free(errmsg);
			return err;
		}
		log_fields(LOG_INFO, fields, 1, "serving the metrics on port %d at /metrics",
			   metrics_server_port(w->server));
	}
	return publish_metrics(w);
}

static int watch_main(struct watch *w)
{
	struct desired_state *desired = NULL;
	sigset_t wait_mask;
	int code, err;

	if ((code = cli_require_files_only(&w->opts, "watch")))
		return code;
	cli_configure_logging(&w->opts);
	if ((code = cli_load_desired(&desired, &w->opts, "watch")))
		return code;
	if (!(w->current = calloc(1, sizeof(*w->current)))) {
		desired_state_free(desired);
		return EXIT_INVALID;
	}
	w->current->desired = desired;
	w->current->refs = 1;
	w->metrics.desired_state_valid = true;
	w->metrics.suspended = desired->policy.suspend;
	if (cli_check_cluster_filter(&w->opts, desired))
		return EXIT_INVALID;
	if ((err = make_notify_pipe(w->notify)) || (err = es_global_init()) ||
	    (err = install_signals(&wait_mask))) {
		log_error("watch: cannot start: %s", strerror(-err));
		return EXIT_INVALID;
	}
	if (sync_clusters(w)) {
		log_error("watch: out of memory");
		return EXIT_INVALID;
	}
	if (start_metrics(w))
		return EXIT_INVALID;
	log_info("watching %zu cluster%s every %ld ms (jitter %ld%%)%s", w->cluster_count,
		 w->cluster_count == 1 ? "" : "s", w->opts.interval_ms, w->opts.jitter_percent,
		 w->opts.detect_only ? ", detecting only" : "");
	if (run_loop(w, &wait_mask))
		return EXIT_INVALID;
	publish_metrics(w);
	log_info("stopped");
	return EXIT_OK;
}

int cmd_watch(int argc, char **argv)
{
	struct watch w;
	bool done = false;
	size_t i;
	int code;

	memset(&w, 0, sizeof(w));
	w.notify[0] = w.notify[1] = -1;
	atomic_init(&w.stop, false);
	w.seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	code = cli_parse(&w.opts, argc, argv, "watch", usage, &done);
	if (done)
		code = EXIT_OK;
	else if (!code)
		code = watch_main(&w);
	metrics_server_free(w.server);
	for (i = 0; i < w.cluster_count; i++)
		free(w.clusters[i].id);
	free(w.clusters);
	free(w.cycles);
	snapshot_release(w.current);
	metrics_dispose(&w.metrics);
	free(w.last_diagnostics);
	for (i = 0; i < 2; i++)
		if (w.notify[i] >= 0)
			close(w.notify[i]);
	cli_options_dispose(&w.opts);
	return code;
}
