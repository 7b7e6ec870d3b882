#include "apply/execute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply/request_outcome.h"
#include "apply/verify.h"
#include "plan/ledger.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/work_queue.h"

#define SETTINGS_PATH "/_cluster/settings?flat_settings=true"
/* Rounds of re-reading the ledger after our PUT, in case another apply wrote
 * one merged from a value read before ours landed. */
#define LEDGER_CONFIRM_ROUNDS 3
/* The first re-read comes at least this long after our PUT, so that a PUT
 * another apply prepared before ours landed has arrived too. */
#define LEDGER_SETTLE_MS 300

/* The ledger edits of a settings PUT, and which of them go (those whose change
 * was not left out); edits are borrowed from the plan. */
struct ledger_delta {
	const struct ledger_edit *edits;
	size_t count;
	bool *take;
};

/* One cluster being applied, by one thread, or by several during a batch of
 * independent requests (each with its own copy of this struct and client). */
struct cluster_run {
	struct cluster_outcome *outcome;
	const struct cluster_plan *plan;
	const struct desired_state *desired;
	const struct apply_options *options;
	struct es_client *client;
	size_t step_width;    /* connections for a step of independent requests */
	size_t requests_sent; /* added to outcome->requests_sent when the run ends */
	struct ledger_delta ledger; /* what our settings PUT did to the ledger, to confirm */
	long settings_written_ms;   /* when that PUT was answered */
	long progress_ms;           /* when progress was last shown */
	/* kinds written by a successful request of this run; the clients of a
	 * batch mark their own copies, added up after it (outcome->written once
	 * the run ends), so that no two threads write one flag */
	bool written[RESOURCE_KIND_COUNT];
};

/* Shown at most this often per cluster, and when the last request is done. */
#define PROGRESS_INTERVAL_MS 1000

static void show_progress(struct cluster_run *run, size_t done)
{
	long now = clock_now_ms();

	if (!run->options->progress ||
	    (done < run->plan->request_count && now - run->progress_ms < PROGRESS_INTERVAL_MS))
		return;
	run->progress_ms = now;
	fprintf(run->options->progress, "esreconcile: cluster [%s]: %zu/%zu requests done\n",
		run->plan->cluster_id, done, run->plan->request_count);
}


static int send_request(struct es_response *response, struct cluster_run *run, const char *method,
		const char *path, const char *body, unsigned flags, char **errmsg)
{
	run->requests_sent++;
	return es_request(response, run->client, method, path, body, flags, errmsg);
}

/* Sends a body that may hold a secret: the text is wiped before it is freed. */
static int send_json(struct es_response *response, struct cluster_run *run, const char *method,
		     const char *path, const cJSON *body, unsigned flags, char **errmsg)
{
	char *text = NULL;
	int err;

	memset(response, 0, sizeof(*response));
	if (body && !(text = cJSON_PrintUnformatted(body)))
		return -ENOMEM;
	err = send_request(response, run, method, path, text, flags, errmsg);
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	return err;
}

/* Which ledger edits of the request go: those of its included changes. */
static int included_edits(struct ledger_delta *delta, const struct plan_request *request,
			  const bool *included)
{
	size_t i;

	memset(delta, 0, sizeof(*delta));
	if (!request->ledger_edit_count)
		return 0;
	delta->take = calloc(request->ledger_edit_count, sizeof(*delta->take));
	if (!delta->take)
		return -ENOMEM;
	delta->edits = request->ledger_edits;
	delta->count = request->ledger_edit_count;
	for (i = 0; i < request->ledger_edit_count; i++)
		delta->take[i] = request_change_included(request, included, request->ledger_edits[i].change);
	return 0;
}

static bool delta_empty(const struct ledger_delta *delta)
{
	size_t i;

	for (i = 0; i < delta->count; i++)
		if (delta->take[i])
			return false;
	return true;
}

static void ledger_delta_dispose(struct ledger_delta *delta)
{
	free(delta->take);
	memset(delta, 0, sizeof(*delta));
}

static const cJSON *persistent_of(const cJSON *settings)
{
	return cJSON_GetObjectItemCaseSensitive(settings, "persistent");
}

/* Reads the settings; a non-2xx answer is left in *response with -EPROTO. */
static int read_settings(struct es_response *response, struct cluster_run *run, char **errmsg)
{
	int err = send_request(response, run, "GET", SETTINGS_PATH, NULL, ES_IDEMPOTENT, errmsg);

	if (!err && !es_response_ok(response))
		return -EPROTO;
	if (!err && !cJSON_IsObject(response->json)) {
		/* Merging with an unreadable ledger would drop every alias in it. */
		struct buf message;

		buf_init(&message, BUF_SMALL_MAX);
		if (!buf_printf(&message, "cluster [%s] GET %s: the answer is not a JSON object",
				run->outcome->cluster_id, SETTINGS_PATH))
			*errmsg = buf_detach(&message);
		buf_dispose(&message);
		return -EBADMSG;
	}
	return err;
}

/* Writes into body the ledgers of live_settings merged with delta. Returns 0,
 * -ENOMEM, or -EBADMSG with *errmsg set when a live ledger is unreadable. */
static int merge_ledger(cJSON *body, const cJSON *live_settings, const struct ledger_delta *delta,
			const struct cluster_run *run, char **errmsg)
{
	cJSON *persistent = cJSON_GetObjectItemCaseSensitive(body, "persistent");
	struct buf message;
	char *bad = NULL;
	int err;

	if (!persistent && !(persistent = cJSON_AddObjectToObject(body, "persistent")))
		return -ENOMEM;
	err = ledger_write(persistent, &bad, persistent_of(live_settings), desired_owner(run->desired),
			   delta->edits, delta->count, delta->take);
	if (err == -EBADMSG) {
		buf_init(&message, BUF_SMALL_MAX);
		if (!buf_printf(&message, "cluster [%s]: the ownership ledger [%s] is neither a string nor a "
				"list of strings; esreconcile does not write it (set it to the aliases its "
				"owner manages, or to null)", run->outcome->cluster_id, bad ? bad : "?"))
			*errmsg = buf_detach(&message);
		buf_dispose(&message);
	}
	free(bad);
	return err;
}

/* After our PUT: if another apply's PUT, merged from a value read before ours
 * landed, dropped our aliases (or restored removed ones), merge once more. */
static void confirm_ledger(struct cluster_run *run, const struct ledger_delta *delta)
{
	struct es_response response;
	cJSON *body = NULL;
	char *errmsg = NULL;
	int round, err = 0;

	if (!delta->count || delta_empty(delta))
		return;
	memset(&response, 0, sizeof(response));
	clock_sleep_ms(run->settings_written_ms + LEDGER_SETTLE_MS - clock_now_ms());
	for (round = 0; round < LEDGER_CONFIRM_ROUNDS; round++) {
		err = read_settings(&response, run, &errmsg);
		if (err || ledger_holds(persistent_of(response.json), desired_owner(run->desired), delta->edits,
					delta->count, delta->take))
			break;
		log_info("cluster [%s]: another writer changed the ownership ledger; merging again",
			 run->outcome->cluster_id);
		err = -ENOMEM;
		if (!(body = cJSON_CreateObject()))
			break;
		err = merge_ledger(body, response.json, delta, run, &errmsg);
		es_response_dispose(&response);
		if (!err)
			err = send_json(&response, run, "PUT", "/_cluster/settings", body, ES_IDEMPOTENT, &errmsg);
		if (!err && !es_response_ok(&response))
			err = -EPROTO;
		cJSON_Delete(body);
		body = NULL;
		es_response_dispose(&response);
		if (err)
			break;
	}
	if (err)
		log_warn("cluster [%s]: could not confirm the ownership ledger of owner [%s]: %s",
			 run->outcome->cluster_id, desired_owner(run->desired),
			 errmsg ? errmsg : "unexpected answer");
	es_response_dispose(&response);
	free(errmsg);
}

/* Zeroes every string value under node: a request body may hold secrets. */
static void wipe_strings(cJSON *node)
{
	cJSON *item;

	for (item = node ? node->child : NULL; item; item = item->next) {
		if (cJSON_IsString(item) && item->valuestring)
			explicit_bzero(item->valuestring, strlen(item->valuestring));
		wipe_strings(item);
	}
}

/* Kinds with a settle rule whose changes went out in a successful request are verified afterwards. */
static void mark_written(struct cluster_run *run, const struct plan_request *request, const bool *included)
{
	const struct plan_change *change;
	size_t i;

	for (i = 0; i < request->change_count; i++) {
		if (!included[i] || request->changes[i] >= run->plan->change_count)
			continue;
		change = &run->plan->changes[request->changes[i]];
		if (change->kind < RESOURCE_KIND_COUNT)
			run->written[change->kind] = true;
	}
}

/* Gives the secret in the answer of a hand_off request to the command; the
 * answer is wiped whatever happens. A secret that cannot be handed over fails
 * the change (the key exists, but nobody can use it: a rotation replaces it).
 * Returns 0 or -ENOMEM. */
static int hand_off(struct cluster_run *run, const struct plan_request *request, struct es_response *response)
{
	const cJSON *encoded = cJSON_GetObjectItemCaseSensitive(response->json, "encoded");
	const struct plan_change *change = request->change_count && request->changes[0] < run->plan->change_count
						   ? &run->plan->changes[request->changes[0]] : NULL;
	secret_t *secret = NULL;
	char *errmsg = NULL;
	struct buf reason;
	int err = 0;

	if (!change)
		goto done;
	if (!cJSON_IsString(encoded) || !encoded->valuestring)
		errmsg = strdup("the answer holds no encoded key");
	else if (!(secret = secret_new(encoded->valuestring, strlen(encoded->valuestring))))
		err = -ENOMEM;
	else
		err = run->options->hand_off(run->options->hand_off_ctx, run->outcome->cluster_id, change->name,
					     secret, &errmsg);
	if (err == -ENOMEM || (!err && !errmsg))
		goto done;
	buf_init(&reason, BUF_SMALL_MAX);
	err = buf_printf(&reason, "the key was made, but its credentials could not be handed over (%s): "
			 "nobody can use it; `apply --rotate-keys --credentials-out DIR` replaces it",
			 errmsg ? errmsg : strerror(-err));
	if (!err)
		err = change_outcome_set(&run->outcome->changes[request->changes[0]], CHANGE_FAILED, NULL,
					 reason.data, response->status);
	if (!err)
		log_error("cluster [%s] %s [%s]: %s", run->outcome->cluster_id, resource_kind_name(change->kind),
			  change->name, reason.data);
	buf_dispose(&reason);
done:
	secret_free(secret);
	free(errmsg);
	wipe_strings(response->json);
	if (response->body)
		explicit_bzero(response->body, response->body_len);
	return err;
}

/* What run_request() returns when the cluster gave no usable answer, and when
 * the process is stopping: either way no further request goes to the cluster. */
#define RUN_NO_ANSWER 1
#define RUN_STOPPING 2

static bool stopping(const struct cluster_run *run)
{
	return run->options->stop && atomic_load(run->options->stop);
}

/* Runs one planned request. Returns 0, RUN_NO_ANSWER, RUN_STOPPING, or -ENOMEM. */
static int run_request(struct cluster_run *run, const struct plan_request *request)
{
	struct es_response response, settings;
	struct ledger_delta delta = { NULL, 0, NULL };
	cJSON *body = NULL;
	bool *included = NULL;
	char *errmsg = NULL;
	unsigned flags = request->idempotent ? ES_IDEMPOTENT : 0;
	int err = -ENOMEM, included_count;
	bool as_planned;

	memset(&response, 0, sizeof(response));
	memset(&settings, 0, sizeof(settings));
	if (stopping(run))
		return RUN_STOPPING;
	if (request->change_count && !(included = calloc(request->change_count, sizeof(*included))))
		goto done;
	included_count = request_gate(included, run->outcome, run->plan, request);
	if (included_count <= 0) {
		err = included_count;
		goto done;
	}
	/* a key whose secret nobody receives would be useless (watch has no place for it) */
	if (request->hand_off && !run->options->hand_off) {
		err = request->change_count && request->changes[0] < run->outcome->change_count
			      ? change_outcome_set(&run->outcome->changes[request->changes[0]], CHANGE_SKIPPED, NULL,
						   "a new key's secret needs `apply --credentials-out DIR`", 0)
			      : 0;
		goto done;
	}
	/* nothing to fill in, leave out or merge (a bulk of roles, as nearly always):
	 * the planned text goes as it is, never parsed and printed again */
	as_planned = !request->slot_count && !request->carries_ledger &&
		     (size_t)included_count == request->change_count;
	if (!as_planned && (err = plan_request_body_with_secrets(&body, request)))
		goto done;
	if (body && (size_t)included_count < request->change_count)
		request_body_drop_excluded(body, request, included);
	if (request->carries_ledger) {
		if ((err = included_edits(&delta, request, included)))
			goto done;
		if (!body && !(body = cJSON_CreateObject())) {
			err = -ENOMEM;
			goto done;
		}
		err = read_settings(&settings, run, &errmsg);
		if (!err)
			err = merge_ledger(body, settings.json, &delta, run, &errmsg);
		if (err == -EPROTO) {
			err = request_record_response(run->outcome, run->plan, request, included, &settings);
			goto done;
		}
		if (err == -ENOMEM)
			goto done;
		if (err)
			goto no_response;
	}
	es_client_set_extra_timeout(run->client, request->extra_wait_ms);
	err = as_planned ? send_request(&response, run, request->method, request->path, request->body, flags, &errmsg)
			 : send_json(&response, run, request->method, request->path, body, flags, &errmsg);
	es_client_set_extra_timeout(run->client, 0);
	if (err == -ENOMEM)
		goto done;
	if (err)
		goto no_response;
	log_info("cluster [%s] %s %s: HTTP %ld", run->outcome->cluster_id, request->method,
		 request->path, response.status);
	if (request->hand_off && es_response_ok(&response) && (err = hand_off(run, request, &response)))
		goto done;
	if ((err = request_record_response(run->outcome, run->plan, request, included, &response)))
		goto done;
	if (es_response_ok(&response))
		mark_written(run, request, included);
	if (request->carries_ledger && es_response_ok(&response)) {
		run->settings_written_ms = clock_now_ms();
		run->ledger = delta;
		memset(&delta, 0, sizeof(delta));
	}
	goto done;
no_response:
	log_warn("%s", errmsg ? errmsg : "no answer");
	err = request_record_no_response(run->outcome, request, included, errmsg ? errmsg : "no answer");
	if (!err)
		err = RUN_NO_ANSWER;
done:
	es_response_dispose(&response);
	es_response_dispose(&settings);
	ledger_delta_dispose(&delta);
	if (request->slot_count)
		wipe_strings(body);
	cJSON_Delete(body);
	free(included);
	free(errmsg);
	return err;
}

/* True when no change of requests [first, end) depends on, or is also carried
 * by, another request of that range: they may then go out in any order. When
 * memory is short the answer is false, and they go one at a time. */
static bool requests_independent(const struct cluster_plan *plan, size_t first, size_t end)
{
	const struct plan_request *request;
	const struct plan_change *change;
	size_t *carrier, r, c, d, index, none = plan->request_count;
	bool independent = false;

	carrier = malloc((plan->change_count ? plan->change_count : 1) * sizeof(*carrier));
	if (!carrier)
		return false;
	for (c = 0; c < plan->change_count; c++)
		carrier[c] = none;
	for (r = first; r < end; r++) {
		request = &plan->requests[r];
		for (c = 0; c < request->change_count; c++) {
			index = request->changes[c];
			if (index >= plan->change_count || carrier[index] != none)
				goto done;
			carrier[index] = r;
		}
	}
	for (r = first; r < end; r++) {
		request = &plan->requests[r];
		for (c = 0; c < request->change_count; c++) {
			change = &plan->changes[request->changes[c]];
			for (d = 0; d < change->depends_on_count; d++) {
				index = change->depends_on[d];
				if (index < plan->change_count && carrier[index] != none && carrier[index] != r)
					goto done;
			}
		}
	}
	independent = true;
done:
	free(carrier);
	return independent;
}

/* Requests of one step run by several clients of one cluster. */
struct batch {
	struct cluster_run *runs; /* one per worker; runs[0] is the cluster's own */
	size_t first;             /* the step's first request */
};

static int batch_request(void *ctx, size_t worker, size_t index)
{
	const struct batch *batch = ctx;
	struct cluster_run *run = &batch->runs[worker];

	return run_request(run, &run->plan->requests[batch->first + index]);
}

/* Runs requests [first, end), independent of each other, over up to
 * run->step_width connections; the first failure stops handing out requests.
 * Returns as run_request(). */
static int run_batch(struct cluster_run *run, size_t first, size_t end)
{
	size_t width = run->step_width, i;
	struct cluster_run runs[APPLY_STEP_CONCURRENCY_MAX];
	struct batch batch = { runs, first };
	const struct cluster_config *config = desired_find_cluster(run->desired, run->plan->cluster_id);
	int err;

	if (width > APPLY_STEP_CONCURRENCY_MAX)
		width = APPLY_STEP_CONCURRENCY_MAX;
	if (width > end - first)
		width = end - first;
	runs[0] = *run;
	runs[0].requests_sent = 0;
	for (i = 1; i < width; i++) {
		runs[i] = runs[0];
		/* A client that cannot be made only narrows the batch. */
		if (es_client_new(&runs[i].client, config, run->options->client, NULL))
			break;
	}
	width = i;
	err = work_queue_run(end - first, width, 0, batch_request, &batch);
	for (i = 0; i < width; i++) {
		size_t kind;

		for (kind = 0; kind < RESOURCE_KIND_COUNT; kind++)
			run->written[kind] |= runs[i].written[kind];
		run->requests_sent += runs[i].requests_sent;
		if (i)
			es_client_free(runs[i].client);
	}
	return err;
}

/* Runs the cluster's requests in order; consecutive requests of one step that
 * do not depend on each other (one per user, say) go out concurrently. */
static int run_requests(struct cluster_run *run)
{
	const struct plan_request *requests = run->plan->requests;
	size_t first, end;
	int err = 0;

	for (first = 0; first < run->plan->request_count && !err; first = end) {
		end = first + 1;
		while (end < run->plan->request_count && requests[end].step == requests[first].step)
			end++;
		/* The settings PUT stays alone: its ledger merge reads what the previous wrote. */
		if (end - first > 1 && run->step_width > 1 && !requests[first].carries_ledger &&
		    requests_independent(run->plan, first, end)) {
			err = run_batch(run, first, end);
			if (!err)
				show_progress(run, end);
			continue;
		}
		for (end = first; end < run->plan->request_count && requests[end].step == requests[first].step &&
				  !err; end++) {
			err = run_request(run, &requests[end]);
			if (!err)
				show_progress(run, end + 1);
		}
	}
	return err;
}

static int skip_problems(struct cluster_run *run)
{
	const struct plan_change *change;
	size_t i;
	int err = 0;

	for (i = 0; i < run->plan->change_count && !err; i++) {
		change = &run->plan->changes[i];
		if (change->action == ACTION_PROBLEM)
			err = change_outcome_set(&run->outcome->changes[i], CHANGE_SKIPPED, NULL,
						 change->problem ? change->problem : "a problem blocks this change", 0);
	}
	return err;
}

static int apply_cluster(struct cluster_run *run)
{
	const struct cluster_config *config;
	char *errmsg = NULL;
	size_t kind;
	int err;

	if ((err = skip_problems(run)))
		goto done;
	if (cluster_plan_blocked(run->plan)) {
		/* a problem about the whole cluster: a partial apply would be worse than none */
		err = cluster_skip_pending(run->outcome, "not attempted: a problem blocks every write to this cluster");
		goto done;
	}
	if (!run->plan->reachable) {
		err = cluster_skip_pending(run->outcome, run->plan->error ? run->plan->error : "cluster unreachable");
		goto done;
	}
	if (!run->plan->request_count)
		goto done;
	config = desired_find_cluster(run->desired, run->plan->cluster_id);
	if (!config) {
		err = cluster_skip_pending(run->outcome, "no connection details for this cluster");
		goto done;
	}
	err = es_client_new(&run->client, config, run->options->client, &errmsg);
	if (err == -ENOMEM)
		goto done;
	if (err) {
		err = cluster_skip_pending(run->outcome, errmsg ? errmsg : "cannot connect");
		goto done;
	}
	err = run_requests(run);
	if (err == RUN_NO_ANSWER || err == RUN_STOPPING) {
		err = cluster_skip_pending(run->outcome, err == RUN_STOPPING
					   ? "not attempted: esreconcile is stopping"
					   : "not attempted: the cluster stopped answering");
		goto done;
	}
	if (err)
		goto done;
	for (kind = 0; kind < RESOURCE_KIND_COUNT && run->options->wait_ms > 0; kind++)
		if (run->written[kind])
			verify_wait(run->outcome, run->options->progress, run->client, run->desired,
				    (enum resource_kind)kind, run->plan->version, run->options->wait_ms,
				    run->options->stop);
	confirm_ledger(run, &run->ledger);
	err = cluster_skip_pending(run->outcome, "not attempted");
done:
	for (kind = 0; kind < RESOURCE_KIND_COUNT; kind++)
		run->outcome->written[kind] |= run->written[kind];
	run->outcome->requests_sent += run->requests_sent;
	ledger_delta_dispose(&run->ledger);
	es_client_free(run->client);
	run->client = NULL;
	free(errmsg);
	return err;
}

static int apply_cluster_item(void *ctx, size_t worker, size_t index)
{
	(void)worker;
	return apply_cluster(&((struct cluster_run *)ctx)[index]);
}

int apply_execute(struct apply_outcome *outcome, const struct plan *plan,
		  const struct desired_state *desired, const struct apply_options *options)
{
	struct cluster_run *runs;
	size_t i, width, step_width, parallel = options->parallel < 1 ? 1 : (size_t)options->parallel;
	int err;

	if (!plan->cluster_count)
		return 0;
	runs = calloc(plan->cluster_count, sizeof(*runs));
	if (!runs)
		return -ENOMEM;
	width = parallel < plan->cluster_count ? parallel : plan->cluster_count;
	step_width = parallel / width;
	if (step_width > APPLY_STEP_CONCURRENCY_MAX)
		step_width = APPLY_STEP_CONCURRENCY_MAX;
	for (i = 0; i < plan->cluster_count; i++) {
		runs[i].outcome = &outcome->clusters[i];
		runs[i].plan = &plan->clusters[i];
		runs[i].desired = desired;
		runs[i].options = options;
		runs[i].step_width = step_width;
	}
	/* Clusters are independent: one that fails does not stop the others. */
	err = work_queue_run(plan->cluster_count, width, WORK_QUEUE_RUN_ALL, apply_cluster_item, runs);
	free(runs);
	return err;
}
