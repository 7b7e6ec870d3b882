#include "es/live_read.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "es/http.h"
#include "es/live_facts.h"
#include "es/live_prefetch.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/work_queue.h"

/* A probe is one small GET whose time is the round trip: more of them than of
 * the reads may be in flight (docs/design.md, --probe-parallel). */
#define DEFAULT_PROBE_PARALLEL 32
/* esreconcile's cross-cluster API keys: one read per cluster, whatever their number */
#define API_KEYS_PATH "/_security/api_key?name=esreconcile-*&active_only=true"

/* Reading one cluster: what to fetch besides the mandatory reads. */
struct read_job {
	const struct cluster_config *cfg;
	struct live_cluster *cluster;
	bool want_certificates;
	bool want_transport;
	bool want_api_keys; /* a remote of security api_key holds its key here */
};

/* One password probe; the result is merged into its cluster after the pool ends,
 * so workers never write to shared state. */
struct probe_job {
	const struct cluster_config *cfg;
	const struct desired_object *user;
	bool answered; /* known before probing (live_read_options.probes.known): not asked */
	bool matches;
	char *error; /* set when the probe could not decide */
};

/* What a worker thread keeps between jobs: a client for the cluster it used last,
 * so consecutive probes on one cluster reuse the connection. */
struct worker {
	struct es_client *client;
	const struct cluster_config *client_cfg;
};

/* One run of the work queue over probe jobs, and a worker per thread. */
struct pool {
	struct probe_job *jobs;
	struct worker *workers;
	const struct live_read_options *opts;
};

struct live_reader {
	const struct desired_state *desired;
	const struct live_read_options *opts;
	long parallel;
	long probe_parallel;
	struct live_state *live;  /* borrowed: the clusters jobs[] read */
	struct read_job *jobs;    /* jobs[i] reads live->clusters[i] */
	struct worker *workers;   /* one per worker slot of the caller's queue */
	size_t width;
};

static int worker_client(struct es_client **out, struct worker *w,
			 const struct cluster_config *cfg, const struct live_read_options *opts,
			 char **errmsg_out)
{
	int err;

	if (w->client && w->client_cfg == cfg) {
		*out = w->client;
		return 0;
	}
	es_client_free(w->client);
	w->client = NULL;
	w->client_cfg = NULL;
	err = es_client_new(&w->client, cfg, opts->client, errmsg_out);
	if (err)
		return err;
	w->client_cfg = cfg;
	*out = w->client;
	return 0;
}

/* The reads of one cluster, in order, on the worker's connection: first those
 * a prefetch did not make (opts->prefetch). */
static int read_cluster(struct worker *w, const struct read_job *job, size_t index,
			const struct live_read_options *opts)
{
	struct live_cluster *lc = job->cluster;
	struct es_client *client = NULL;
	cJSON *nodes = NULL;
	size_t i, step = 0;
	int err;

	live_prefetch_take(opts->prefetch, lc, &client, &step);
	if (client) {
		es_client_free(w->client);
		w->client = client;
		w->client_cfg = job->cfg;
	} else if (!lc->error && (err = worker_client(&client, w, job->cfg, opts, &lc->error)) == -ENOMEM) {
		return err;
	}
	if ((err = live_read_facts(lc, client, job->cfg, &step, NULL)) || lc->error)
		return err;
	if (opts->before_objects && (err = opts->before_objects(opts->before_objects_ctx, index)))
		return err;
	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		const char *list_path = resource_kind_list_path((enum resource_kind)i);

		if (!list_path)
			continue;
		err = live_get_json(&lc->objects[i], client, list_path, cJSON_Object, &lc->error);
		if (err)
			return err == -ENOMEM ? err : 0;
	}
	if (job->want_certificates) {
		err = live_get_json(&lc->certificates, client, "/_ssl/certificates", cJSON_Array, &lc->error);
		if (err)
			return err == -ENOMEM ? err : 0;
	}
	if (job->want_transport) {
		err = live_get_json(&nodes, client, "/_nodes/transport", cJSON_Object, &lc->error);
		if (!err)
			err = live_publish_addresses(&lc->transport_addresses, nodes, "transport");
		cJSON_Delete(nodes);
		if (err)
			return err == -ENOMEM ? err : 0;
	}
	/* the keys and the server exist from 8.14 on; below, the plan says so */
	if (job->want_api_keys && live_version_at_least(lc, 8, 14)) {
		err = live_get_json(&nodes, client, "/_nodes/remote_cluster_server", cJSON_Object, &lc->error);
		if (!err)
			err = live_publish_addresses(&lc->remote_cluster_server, nodes, "remote_cluster_server");
		cJSON_Delete(nodes);
		if (!err)
			err = live_get_json(&lc->objects[RESOURCE_API_KEY], client, API_KEYS_PATH, cJSON_Object,
				       &lc->error);
		if (err)
			return err == -ENOMEM ? err : 0;
	}
	lc->password_probes = cJSON_CreateObject();
	if (!lc->password_probes)
		return -ENOMEM;
	lc->read_at_ms = (long long)time(NULL) * 1000;
	lc->reachable = true;
	return 0;
}

static int probe_password(void *ctx, size_t worker, size_t index)
{
	static const char path[] = "/_security/_authenticate";
	const struct pool *pool = ctx;
	struct worker *w = &pool->workers[worker];
	struct probe_job *job = &pool->jobs[index];
	struct es_client *client;
	struct es_response r;
	int err;

	if (job->answered)
		return 0;
	err = worker_client(&client, w, job->cfg, pool->opts, &job->error);
	if (err)
		return err == -ENOMEM ? err : 0;
	err = es_request_as(&r, client, job->user->name, job->user->password, "GET", path, NULL,
			    ES_IDEMPOTENT, &job->error);
	if (!err) {
		if (r.status == 200 || r.status == 401) {
			job->matches = r.status == 200;
		} else {
			job->error = es_describe_failure(job->cfg->id, "GET", path, &r);
			if (!job->error)
				err = -ENOMEM;
		}
	}
	es_response_dispose(&r);
	return err == -ENOMEM ? err : 0;
}

/* Probes jobs[0..count) on at most `parallel` threads; a failure (-ENOMEM)
 * stops handing out jobs. */
static int run_probes(struct probe_job *jobs, size_t count, const struct live_read_options *opts,
		      long parallel)
{
	struct pool pool = { .jobs = jobs, .opts = opts };
	size_t width = (size_t)parallel < count ? (size_t)parallel : count, i;
	int err;

	if (!width)
		return 0;
	pool.workers = calloc(width, sizeof(*pool.workers));
	if (!pool.workers)
		return -ENOMEM;
	err = work_queue_run(count, width, 0, probe_password, &pool);
	for (i = 0; i < width; i++)
		es_client_free(pool.workers[i].client);
	free(pool.workers);
	return err;
}

bool live_read_selects(const struct live_read_options *opts, const char *id)
{
	size_t i;

	if (!opts->only_cluster_count)
		return true;
	for (i = 0; i < opts->only_cluster_count; i++)
		if (!strcmp(opts->only_clusters[i], id))
			return true;
	return false;
}

static bool trust_names(const struct desired_state *desired, const char *id)
{
	size_t i;

	for (i = 0; i < desired->trust_cluster_count; i++)
		if (!strcmp(desired->trust_clusters[i].cluster, id))
			return true;
	return false;
}

/* Whether a remote held by another read cluster points at `id` and leaves the
 * seeds to be discovered from its transport publish addresses. Only remotes are
 * looked at, cluster by cluster, never the roles and users. */
static bool seeds_discovered_from(const struct desired_state *desired,
				  const struct live_read_options *opts, const char *id)
{
	const struct desired_object *const *remotes;
	size_t i, j, count;

	for (i = 0; i < desired->cluster_count; i++) {
		const char *holder = desired->clusters[i].id;

		if (!strcmp(holder, id) || !live_read_selects(opts, holder))
			continue;
		count = desired_cluster_objects(desired, holder, RESOURCE_REMOTE, &remotes);
		for (j = 0; j < count; j++) {
			const struct desired_object *o = remotes[j];

			/* an api_key remote's seeds are the remote cluster server's */
			if (o->absent || o->security == REMOTE_SECURITY_API_KEY || !o->remote_cluster ||
			    strcmp(o->remote_cluster, id) != 0)
				continue;
			if (!cJSON_GetObjectItemCaseSensitive(o->body, "seeds") &&
			    !cJSON_GetObjectItemCaseSensitive(o->body, "proxy_address"))
				return true;
		}
	}
	return false;
}

/* Whether esreconcile's cross-cluster API keys may live on `id`: a remote of
 * security api_key points there (its key is declared there), or one that says
 * `security: certificate` in so many words (a key it had is invalidated).
 * Clusters that no remote names so get no extra read. */
static bool holds_api_keys(const struct desired_state *desired, const char *id)
{
	const struct desired_object *const *objects;
	size_t i, j, count;

	if (desired_cluster_objects(desired, id, RESOURCE_API_KEY, &objects))
		return true;
	for (i = 0; i < desired->cluster_count; i++) {
		count = desired_cluster_objects(desired, desired->clusters[i].id, RESOURCE_REMOTE, &objects);
		for (j = 0; j < count; j++)
			if (objects[j]->security_declared && objects[j]->remote_cluster &&
			    !strcmp(objects[j]->remote_cluster, id))
				return true;
	}
	return false;
}

/* The probes of one read cluster: one job per declared user with a password
 * that exists there, in declaration order, answered already when
 * opts->probes.known holds the answer. *jobs_out is the caller's to free. */
static int probe_jobs(struct probe_job **jobs_out, size_t *count_out, const struct live_reader *r,
		      const struct read_job *read)
{
	const struct live_cluster *lc = read->cluster;
	const struct desired_object *const *users;
	size_t user_count = desired_cluster_objects(r->desired, lc->cluster_id, RESOURCE_USER, &users), count = 0,
	       known = 0, i;
	struct strmap live_users = { 0 }, answers = { 0 };
	struct probe_job *jobs = calloc(user_count ? user_count : 1, sizeof(*jobs));
	int err = jobs ? 0 : -ENOMEM;

	/* indexed once, so that looking up every declared user stays linear */
	if (!err)
		err = strmap_put_names(&live_users, lc->objects[RESOURCE_USER]);
	if (!err)
		err = strmap_put_names(&answers, cJSON_GetObjectItemCaseSensitive(r->opts->probes.known, lc->cluster_id));
	for (i = 0; !err && i < user_count; i++) {
		const struct desired_object *o = users[i];

		if (o->absent || !o->password || !strmap_get(&live_users, o->name, NULL))
			continue;
		jobs[count] = (struct probe_job){
			.cfg = read->cfg,
			.user = o,
			.answered = strmap_get(&answers, o->name, &known),
			.matches = known == 1,
		};
		count++;
	}
	strmap_dispose(&live_users);
	strmap_dispose(&answers);
	if (err) {
		free(jobs);
		return err;
	}
	*jobs_out = jobs;
	*count_out = count;
	return 0;
}

static int probe_passwords(struct live_reader *r, const struct read_job *read)
{
	const struct live_probe_scope *scope = &r->opts->probes;
	struct live_cluster *lc = read->cluster;
	struct probe_job *jobs = NULL;
	size_t count = 0, asked = 0, i;
	long share, holders;
	int err;

	if (r->desired->policy.password_check != PASSWORD_CHECK_PROBE || !lc->reachable || scope->none ||
	    (scope->only_cluster && strcmp(scope->only_cluster, lc->cluster_id) != 0))
		return 0;
	if ((err = probe_jobs(&jobs, &count, r, read)))
		return err;
	for (i = 0; i < count; i++)
		asked += !jobs[i].answered;
	/* the clusters probing at once (those holding their objects: the users
	 * probed are among them) share --probe-parallel: each probes on its share */
	holders = r->opts->object_holders > 0 && r->opts->object_holders < (long)r->width ? r->opts->object_holders
											      : (long)r->width;
	share = holders > 1 ? r->probe_parallel / holders : r->probe_parallel;
	if (asked)
		err = run_probes(jobs, count, r->opts, share > 0 ? share : 1);
	for (i = 0; !err && i < count; i++) {
		struct probe_job *job = &jobs[i];

		if (job->error) {
			/* Without the answer the plan cannot tell whether the password
			 * changed: the cluster cannot be planned. */
			if (lc->reachable) {
				lc->reachable = false;
				lc->error = job->error;
				job->error = NULL;
			}
		} else if (!cJSON_AddItemToObject(lc->password_probes, job->user->name,
						  cJSON_CreateBool(job->matches))) {
			err = -ENOMEM;
		}
	}
	for (i = 0; i < count; i++)
		free(jobs[i].error);
	free(jobs);
	return err;
}

int live_reader_new(struct live_reader **out, struct live_state **live_out,
		    const struct desired_state *desired, const struct live_read_options *opts)
{
	static const struct live_read_options defaults;
	size_t n = desired->cluster_count ? desired->cluster_count : 1, i;
	struct live_reader *r;
	struct live_state *live;
	int err;

	*out = NULL;
	*live_out = NULL;
	if (!opts)
		opts = &defaults;
	if ((err = es_global_init()))
		return err;
	r = calloc(1, sizeof(*r));
	live = calloc(1, sizeof(*live));
	if (!r || !live || !(live->clusters = calloc(n, sizeof(*live->clusters))) ||
	    !(r->jobs = calloc(n, sizeof(*r->jobs)))) {
		err = -ENOMEM;
		goto done;
	}
	r->desired = desired;
	r->opts = opts;
	r->live = live;
	r->parallel = opts->parallel > 0 ? opts->parallel : LIVE_READ_DEFAULT_PARALLEL;
	r->probe_parallel = opts->probe_parallel > 0 ? opts->probe_parallel : DEFAULT_PROBE_PARALLEL;
	for (i = 0; i < desired->cluster_count; i++) {
		const struct cluster_config *cfg = &desired->clusters[i];
		struct live_cluster *lc;

		if (!live_read_selects(opts, cfg->id))
			continue;
		lc = &live->clusters[live->cluster_count];
		lc->cluster_id = strdup(cfg->id);
		if (!lc->cluster_id) {
			err = -ENOMEM;
			goto done;
		}
		r->jobs[live->cluster_count++] = (struct read_job){
			.cfg = cfg,
			.cluster = lc,
			.want_certificates = trust_names(desired, cfg->id),
			.want_transport = seeds_discovered_from(desired, opts, cfg->id),
			.want_api_keys = holds_api_keys(desired, cfg->id),
		};
	}
	r->width = (size_t)r->parallel < live->cluster_count ? (size_t)r->parallel : live->cluster_count;
	if (!(r->workers = calloc(r->width ? r->width : 1, sizeof(*r->workers))))
		err = -ENOMEM;
done:
	if (err) {
		live_reader_free(r);
		live_state_free(live);
		return err;
	}
	*out = r;
	*live_out = live;
	return 0;
}

size_t live_reader_width(const struct live_reader *r)
{
	return r->width;
}

int live_reader_read(struct live_reader *r, size_t index, size_t worker)
{
	const struct read_job *job = &r->jobs[index];
	int err = read_cluster(&r->workers[worker], job, index, r->opts);

	return err ? err : probe_passwords(r, job);
}

void live_reader_free(struct live_reader *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->workers && i < r->width; i++)
		es_client_free(r->workers[i].client);
	free(r->workers);
	free(r->jobs);
	free(r);
}

static int read_one(void *ctx, size_t worker, size_t index)
{
	return live_reader_read(ctx, index, worker);
}

int live_read(struct live_state **out, const struct desired_state *desired,
	      const struct live_read_options *opts)
{
	struct live_reader *reader = NULL;
	struct live_state *live = NULL;
	int err = live_reader_new(&reader, &live, desired, opts);

	*out = NULL;
	if (err)
		return err;
	err = work_queue_run(live->cluster_count, live_reader_width(reader), 0, read_one, reader);
	live_reader_free(reader);
	if (err) {
		live_state_free(live);
		return err;
	}
	*out = live;
	return 0;
}

int live_has_privileges(cJSON **answer_out, const struct cluster_config *cfg,
			const struct live_read_options *opts, const cJSON *privileges, char **errmsg_out)
{
	static const char path[] = "/_security/user/_has_privileges";
	struct es_client *client = NULL;
	cJSON *request = cJSON_CreateObject(), *copy = cJSON_Duplicate(privileges, 1);
	char *body = NULL;
	int err = -ENOMEM;

	*answer_out = NULL;
	*errmsg_out = NULL;
	if (!request || !copy || !cJSON_AddItemToObject(request, "cluster", copy)) {
		cJSON_Delete(copy);
		goto done;
	}
	if (!(body = cJSON_PrintUnformatted(request)))
		goto done;
	err = es_client_new(&client, cfg, opts ? opts->client : NULL, errmsg_out);
	if (!err)
		err = live_request_json(answer_out, client, "POST", path, body, cJSON_Object, errmsg_out);
	if (err == -EPERM || err == -EINVAL)
		err = -EIO;
done:
	es_client_free(client);
	cJSON_Delete(request);
	free(body);
	return err;
}

int live_read_publish_addresses(cJSON **out, const struct cluster_config *cfg, const char *section,
				const struct live_read_options *opts, char **errmsg_out)
{
	struct es_client *client = NULL;
	cJSON *nodes = NULL;
	char *path = buf_format("/_nodes/%s", section);
	int err = path ? 0 : -ENOMEM;

	*out = NULL;
	*errmsg_out = NULL;
	if (!err)
		err = es_client_new(&client, cfg, opts ? opts->client : NULL, errmsg_out);
	if (!err)
		err = live_get_json(&nodes, client, path, cJSON_Object, errmsg_out);
	if (!err)
		err = live_publish_addresses(out, nodes, section);
	if (err == -EPERM || err == -EINVAL)
		err = -EIO;
	cJSON_Delete(nodes);
	es_client_free(client);
	free(path);
	return err;
}
