#include "apply/verify.h"

#include <errno.h>
#include <stdlib.h>

#include "es/live.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strlist.h"

int verify_split(struct cluster_outcome *outcome, const struct desired_state *desired,
		 enum resource_kind kind, const cJSON *answer)
{
	const struct kind_settle *rule = plan_kind_settle(kind);
	struct settlement *settlement = &outcome->settle[kind];
	const struct desired_object *object, *const *declared;
	size_t count = desired_cluster_objects(desired, outcome->cluster_id, kind, &declared), i;
	int err = 0;

	if (!rule)
		return 0;
	settlement_clear(settlement);
	for (i = 0; i < count && !err; i++) {
		object = declared[i];
		if (object->absent)
			continue;
		if (rule->settled(answer, object->name))
			err = strlist_append(&settlement->settled, &settlement->settled_count, object->name);
		else
			err = strlist_append(&settlement->unsettled, &settlement->unsettled_count, object->name);
	}
	return err;
}

/* "[a], [b]": the objects that have not settled yet. */
static char *unsettled_names(const struct settlement *settlement)
{
	struct buf text;
	size_t i;
	int err = 0;

	buf_init(&text, BUF_SMALL_MAX);
	for (i = 0; !err && i < settlement->unsettled_count; i++)
		err = buf_printf(&text, "%s[%s]", i ? ", " : "", settlement->unsettled[i]);
	if (err) {
		buf_dispose(&text);
		return NULL;
	}
	return buf_detach(&text);
}

static void say_waiting(const struct cluster_outcome *outcome, FILE *progress, enum resource_kind kind,
			const struct kind_settle *rule, const char *path, long wait_ms)
{
	char *names = unsettled_names(&outcome->settle[kind]);

	if (progress)
		fprintf(progress, "esreconcile: cluster [%s]: waiting up to %ld s for %s %s %s (polling GET %s)\n",
			outcome->cluster_id, (wait_ms + 999) / 1000, resource_kind_name(kind),
			names ? names : "?", rule->settling_text, path);
	else
		log_info("cluster [%s]: waiting up to %ld ms for %s %s %s (polling GET %s)", outcome->cluster_id,
			 wait_ms, resource_kind_name(kind), names ? names : "?", rule->settling_text, path);
	free(names);
}

int verify_wait(struct cluster_outcome *outcome, FILE *progress, struct es_client *client,
		const struct desired_state *desired, enum resource_kind kind, const char *version,
		long wait_ms, const atomic_bool *stop)
{
	const struct kind_settle *rule = plan_kind_settle(kind);
	const struct desired_object *const *declared;
	size_t count = desired_cluster_objects(desired, outcome->cluster_id, kind, &declared);
	struct es_response response;
	char **names = NULL, *errmsg = NULL, *path = NULL;
	size_t name_count = 0, i;
	long deadline = clock_now_ms() + (wait_ms > 0 ? wait_ms : 0), left;
	bool said = false;
	int major = 0, minor = 0, err = 0;

	if (!rule)
		return 0;
	if (version)
		live_parse_version(&major, &minor, version);
	for (i = 0; !err && i < count; i++)
		if (!declared[i]->absent)
			err = strlist_append(&names, &name_count, declared[i]->name);
	if (!err)
		err = rule->path(&path, names, name_count, major, minor);
	for (; !err;) {
		err = es_request(&response, client, "GET", path, NULL, ES_IDEMPOTENT, &errmsg);
		if (!err && !es_response_ok(&response))
			err = -EPROTO;
		if (!err)
			err = verify_split(outcome, desired, kind, response.json);
		es_response_dispose(&response);
		if (err) {
			log_warn("cluster [%s]: could not check whether each %s settled: %s", outcome->cluster_id,
				 resource_kind_name(kind), errmsg ? errmsg : "the request failed");
			break;
		}
		left = deadline - clock_now_ms();
		if (!outcome->settle[kind].unsettled_count || left <= 0 || (stop && atomic_load(stop)))
			break;
		if (!said)
			say_waiting(outcome, progress, kind, rule, path, left);
		said = true;
		clock_sleep_ms(left < VERIFY_POLL_MS ? left : VERIFY_POLL_MS);
	}
	strlist_free(names, name_count);
	free(path);
	free(errmsg);
	return err;
}
