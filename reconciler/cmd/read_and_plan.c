#include "cmd/read_and_plan.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "desired/loader.h"
#include "es/live_prefetch.h"
#include "es/live_read.h"
#include "plan/match_memo.h"
#include "trust/trust_check.h"
#include "util/log.h"
#include "util/work_queue.h"

int cli_check_cluster_filter(const struct cli_options *opts, const struct desired_state *desired)
{
	size_t i;

	for (i = 0; i < opts->cluster_count; i++) {
		if (!desired_find_cluster(desired, opts->clusters[i])) {
			log_error("--cluster %s: no such cluster in the desired state", opts->clusters[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Trust is verified, never written: its findings only inform the plan. */
static int add_trust(struct plan *plan, const struct desired_state *desired,
		     const struct live_state *live)
{
	struct trust_authority_certs certs = { 0 };
	struct trust_report *report = NULL;
	int err;

	if (!desired->authority_count && !desired->trust_cluster_count)
		return 0;
	err = trust_authorities_read(&certs, desired);
	if (!err)
		err = trust_check(&report, desired, &certs, live, time(NULL));
	if (!err)
		err = plan_add_trust_findings(plan, desired, report);
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
	return err;
}

/* The preflight: for each cluster the plan writes to, one question to the
 * cluster about exactly the privileges those writes need. A cluster that
 * cannot answer only gets a warning: the writes will say what is missing. */
static int check_privileges(struct plan *plan, const struct desired_state *desired,
			    const struct live_read_options *options)
{
	cJSON *required = NULL, *answer = NULL;
	char *errmsg = NULL;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < plan->cluster_count; i++) {
		struct cluster_plan *cp = &plan->clusters[i];
		const struct cluster_config *cfg = desired_find_cluster(desired, cp->cluster_id);

		if (!cfg || !cp->reachable || !cp->request_count || cluster_plan_blocked(cp))
			continue;
		err = plan_required_privileges(&required, cp);
		if (!err && cJSON_GetArraySize(required))
			err = live_has_privileges(&answer, cfg, options, required, &errmsg);
		if (err == -EIO) {
			log_warn("cluster [%s]: could not check the account's privileges before writing: %s",
				 cp->cluster_id, errmsg ? errmsg : "no answer");
			err = 0;
		} else if (!err && answer) {
			err = plan_check_privileges(plan, cp, required, answer);
		}
		cJSON_Delete(required);
		cJSON_Delete(answer);
		free(errmsg);
		required = answer = NULL;
		errmsg = NULL;
	}
	return err;
}

static void log_live_state(const struct live_state *live)
{
	size_t i, j;

	for (i = 0; i < live->cluster_count; i++) {
		const struct live_cluster *lc = &live->clusters[i];

		for (j = 0; j < lc->warning_count; j++)
			log_warn("%s", lc->warnings[j]);
		if (!lc->reachable)
			log_error("%s", lc->error ? lc->error : "cluster unreachable");
	}
}

/* How far the pipeline got with one cluster. */
enum stage {
	STAGE_WAITING = 0, /* nobody has taken it */
	STAGE_READING,     /* a worker reads it: nothing to wait for but the network */
	STAGE_READ,        /* its facts are known; it may be planned or freed already */
};

/* Each worker reads one cluster, plans it, hashes it into the fingerprint
 * and frees its objects before taking the next. The workers' small reads
 * overlap, but at most hold_limit clusters (half the workers) hold their roles
 * and users at once: they are the bulk of the memory, and planning them is
 * CPU-bound anyway.
 *
 * A cluster's plan needs the facts of the clusters its remotes point at: a
 * worker that needs facts nobody is reading yet reads that cluster itself
 * first (a nested read, which takes a hold over the limit rather than wait);
 * facts being read are waited for, and a worker gives its hold back while it
 * waits. So every holder makes progress: a reader waits only for a hold, a
 * worker only for a cluster in STAGE_READING, and no cycle of remotes can
 * stall the pipeline. With such links the holds may exceed hold_limit for a
 * while. */
struct pipeline {
	const struct desired_state *desired;
	struct live_reader *reader;
	struct live_state *live;
	struct cluster_facts *facts;   /* facts[i]: of live->clusters[i], once STAGE_READ */
	struct cluster_plan *plans;    /* plans[i]: of live->clusters[i] */
	struct match_memo *memo;       /* the live objects known to match, shared by the plans */
	char (*digests)[PLAN_DIGEST_HEX];
	enum stage *stages;
	/* nested[i]: live->clusters[i] is read for another's facts; written and
	 * read only by the thread that claimed it (its read runs on that thread) */
	bool *nested;
	bool *holds;                   /* holds[i]: its objects count against hold_limit */
	size_t holding, hold_limit;
	pthread_mutex_t lock;
	pthread_cond_t read;           /* broadcast when a cluster reaches STAGE_READ */
	pthread_cond_t released;       /* broadcast when a hold is given back */
};

/* Counts cluster index's objects against hold_limit: waits for a hold unless
 * force (a nested read, or a hold taken back), which never waits. */
static void take_hold(struct pipeline *p, size_t index, bool force)
{
	pthread_mutex_lock(&p->lock);
	while (!force && p->holding >= p->hold_limit)
		pthread_cond_wait(&p->released, &p->lock);
	p->holding++;
	p->holds[index] = true;
	pthread_mutex_unlock(&p->lock);
}

static void give_hold(struct pipeline *p, size_t index)
{
	pthread_mutex_lock(&p->lock);
	if (p->holds[index]) {
		p->holds[index] = false;
		p->holding--;
		pthread_cond_broadcast(&p->released);
	}
	pthread_mutex_unlock(&p->lock);
}

/* live_read_options.before_objects */
static int before_objects(void *ctx, size_t index)
{
	struct pipeline *p = ctx;

	take_hold(p, index, p->nested[index]);
	return 0;
}

static bool claim(struct pipeline *p, size_t index)
{
	bool mine;

	pthread_mutex_lock(&p->lock);
	mine = p->stages[index] == STAGE_WAITING;
	if (mine)
		p->stages[index] = STAGE_READING;
	pthread_mutex_unlock(&p->lock);
	return mine;
}

static void wait_read(struct pipeline *p, size_t index)
{
	pthread_mutex_lock(&p->lock);
	while (p->stages[index] != STAGE_READ)
		pthread_cond_wait(&p->read, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

static void mark_read(struct pipeline *p, size_t index)
{
	pthread_mutex_lock(&p->lock);
	p->stages[index] = STAGE_READ;
	pthread_cond_broadcast(&p->read);
	pthread_mutex_unlock(&p->lock);
}

static long cluster_index(const struct live_state *live, const char *id)
{
	size_t i;

	for (i = 0; i < live->cluster_count; i++)
		if (!strcmp(live->clusters[i].cluster_id, id))
			return (long)i;
	return -1;
}

static int run_claimed(struct pipeline *p, size_t index, size_t worker);

/* The facts of the clusters index's remotes point at, among those read:
 * each read by this worker when nobody has taken it, else waited for. */
static int gather_facts(const struct cluster_facts ***out, size_t *count_out, struct pipeline *p,
			size_t index, size_t worker)
{
	const struct cluster_facts **facts = NULL;
	const char **ids = NULL;
	size_t id_count = 0, count = 0, i;
	long j;
	int err = plan_linked_clusters(&ids, &id_count, p->desired, p->live->clusters[index].cluster_id);

	if (!err && id_count && !(facts = calloc(id_count, sizeof(*facts)))) /* NOLINT(bugprone-sizeof-expression): pointers */
		err = -ENOMEM;
	for (i = 0; !err && i < id_count; i++) {
		if ((j = cluster_index(p->live, ids[i])) < 0)
			continue; /* not selected: planning says it was not read */
		if ((size_t)j != index && claim(p, (size_t)j)) {
			p->nested[j] = true;
			err = run_claimed(p, (size_t)j, worker);
		} else if ((size_t)j != index) {
			/* held objects while waiting would stall the readers of others */
			give_hold(p, index);
			wait_read(p, (size_t)j);
			take_hold(p, index, true);
		}
		if (p->facts[j].live) /* else its reader failed, and so does the run */
			facts[count++] = &p->facts[j];
	}
	free((void *)ids);
	if (err) {
		free((void *)facts);
		return err;
	}
	*out = facts;
	*count_out = count;
	return 0;
}

static int run_claimed(struct pipeline *p, size_t index, size_t worker)
{
	struct live_cluster *lc = &p->live->clusters[index];
	const struct cluster_facts **facts = NULL;
	size_t fact_count = 0;
	int err = live_reader_read(p->reader, index, worker);

	if (!err)
		err = plan_cluster_facts(&p->facts[index], p->desired, lc);
	/* also after a failure: a worker waiting for these facts finds them empty */
	mark_read(p, index);
	if (!err)
		err = gather_facts(&facts, &fact_count, p, index, worker);
	if (!err)
		err = plan_cluster(&p->plans[index], p->desired, lc, facts, fact_count, p->memo);
	if (!err)
		err = plan_cluster_digest(p->digests[index], lc);
	live_cluster_drop_objects(lc);
	give_hold(p, index);
	free((void *)facts);
	return err;
}

static int run_cluster(void *ctx, size_t worker, size_t index)
{
	struct pipeline *p = ctx;

	return claim(p, index) ? run_claimed(p, index, worker) : 0;
}

/* The read, the plan and the fingerprint of every selected cluster. */
static int read_and_plan_clusters(struct live_state **live_out, struct plan **plan_out,
				  const struct desired_state *desired, const struct live_read_options *options)
{
	struct pipeline p = { .desired = desired };
	struct live_read_options held = *options;
	size_t n, i;
	int err;

	held.before_objects = before_objects;
	held.before_objects_ctx = &p;
	if ((err = live_reader_new(&p.reader, &p.live, desired, &held)))
		return err;
	n = p.live->cluster_count ? p.live->cluster_count : 1;
	p.facts = calloc(n, sizeof(*p.facts));
	p.plans = calloc(n, sizeof(*p.plans));
	p.digests = calloc(n, sizeof(*p.digests));
	p.stages = calloc(n, sizeof(*p.stages));
	p.nested = calloc(n, sizeof(*p.nested));
	p.holds = calloc(n, sizeof(*p.holds));
	if (!p.facts || !p.plans || !p.digests || !p.stages || !p.nested || !p.holds) {
		err = -ENOMEM;
		goto done;
	}
	if ((err = match_memo_new(&p.memo, desired)))
		goto done;
	p.hold_limit = live_reader_width(p.reader) / 2 ? live_reader_width(p.reader) / 2 : 1;
	held.object_holders = (long)p.hold_limit; /* the reader borrows held: read from here on */
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.read, NULL);
	pthread_cond_init(&p.released, NULL);
	err = work_queue_run(p.live->cluster_count, live_reader_width(p.reader), 0, run_cluster, &p);
	pthread_cond_destroy(&p.released);
	pthread_cond_destroy(&p.read);
	pthread_mutex_destroy(&p.lock);
	if (!err) {
		err = plan_assemble(plan_out, p.plans, p.live->cluster_count, p.digests);
		p.plans = NULL;
	}
done:
	live_reader_free(p.reader);
	for (i = 0; p.facts && i < p.live->cluster_count; i++)
		plan_cluster_facts_dispose(&p.facts[i]);
	free(p.facts);
	plan_clusters_free(p.plans, p.live->cluster_count);
	match_memo_free(p.memo);
	free(p.digests);
	free(p.stages);
	free(p.nested);
	free(p.holds);
	*live_out = p.live;
	return err;
}

static struct live_read_options read_options(const struct cli_options *opts)
{
	return (struct live_read_options){
		.parallel = opts->parallel,
		.probe_parallel = opts->probe_parallel,
		.only_clusters = opts->clusters,
		.only_cluster_count = opts->cluster_count,
		.client = NULL,
	};
}

/* What the loader's observer needs: the prefetch, and which clusters are read. */
struct prefetching {
	struct live_prefetch *prefetch;
	struct live_read_options options;
};

static void prefetch_cluster(void *ctx, const struct cluster_config *cfg)
{
	const struct prefetching *p = ctx;

	if (live_read_selects(&p->options, cfg->id))
		live_prefetch_add(p->prefetch, cfg);
}

int load_and_prefetch(struct desired_state **out, struct live_prefetch **prefetch_out,
		      const struct cli_options *opts, const char *command)
{
	struct prefetching p = { .options = read_options(opts) };
	struct desired_load_observer observer = { prefetch_cluster, &p };
	int code;

	/* without a prefetch, the reader reads everything itself */
	*prefetch_out = NULL;
	(void)live_prefetch_new(prefetch_out, p.options.parallel, p.options.client);
	p.prefetch = *prefetch_out;
	code = cli_load_desired_observed(out, opts, command, *prefetch_out ? &observer : NULL);
	live_prefetch_stop(*prefetch_out);
	if (code != EXIT_OK) {
		live_prefetch_free(*prefetch_out);
		*prefetch_out = NULL;
	}
	return code;
}

int read_and_plan(struct live_state **live_out, struct plan **plan_out,
		  const struct desired_state *desired, const struct cli_options *opts,
		  struct live_prefetch *prefetch, const struct live_probe_scope *probes, bool log_live)
{
	struct live_read_options options = read_options(opts);
	int err;

	*live_out = NULL;
	*plan_out = NULL;
	options.prefetch = prefetch;
	if (probes)
		options.probes = *probes;
	err = read_and_plan_clusters(live_out, plan_out, desired, &options);
	if (err && !*plan_out) {
		log_error("cannot read and plan the clusters: %s", strerror(-err));
		return err;
	}
	if (log_live)
		log_live_state(*live_out);
	if (!err)
		err = add_trust(*plan_out, desired, *live_out);
	if (!err)
		err = check_privileges(*plan_out, desired, &options);
	if (err)
		log_error("cannot compute the plan: %s", strerror(-err));
	return err;
}
