#include "apply/verify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "es/live.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strlist.h"
#include "util/strmap.h"

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

/* Per user a change of cp concerns: 1 when its password is known to match
 * now (the change set it and applied), 0 when it must be probed again. */
static int index_written_users(struct strmap *out, const struct cluster_plan *cp,
			       const struct cluster_outcome *co)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < cp->change_count && i < co->change_count; i++) {
		const struct plan_change *c = &cp->changes[i];

		if (c->kind != RESOURCE_USER || c->action == ACTION_PROBLEM)
			continue;
		err = strmap_put(out, c->name, co->changes[i].status == CHANGE_APPLIED &&
					       plan_change_sets_password(c));
	}
	return err;
}

/* The known answers of one cluster into *out (an empty object to fill). */
static int cluster_known_probes(cJSON *out, const struct live_cluster *lc, const struct cluster_plan *cp,
				const struct cluster_outcome *co)
{
	struct strmap written = { 0 };
	const cJSON *probe;
	size_t i, matches;
	int err = cp && co ? index_written_users(&written, cp, co) : 0;

	cJSON_ArrayForEach(probe, lc->password_probes) {
		if (err)
			break;
		if (!probe->string || strmap_get(&written, probe->string, NULL))
			continue;
		if (!cJSON_AddItemToObject(out, probe->string, cJSON_CreateBool(cJSON_IsTrue(probe))))
			err = -ENOMEM;
	}
	for (i = 0; !err && cp && i < cp->change_count; i++) {
		const char *name = cp->changes[i].name;

		if (cp->changes[i].kind != RESOURCE_USER || !strmap_get(&written, name, &matches) || matches != 1)
			continue;
		if (!cJSON_AddItemToObject(out, name, cJSON_CreateTrue()))
			err = -ENOMEM;
		else /* once per user, however many changes name it */
			err = strmap_put(&written, name, 2);
	}
	strmap_dispose(&written);
	return err;
}

int verify_known_probes(cJSON **out, const struct live_state *live, const struct plan *plan,
			const struct apply_outcome *outcome)
{
	cJSON *known = cJSON_CreateObject(), *cluster;
	size_t i, j;
	int err = known ? 0 : -ENOMEM;

	for (i = 0; !err && live && i < live->cluster_count; i++) {
		const struct live_cluster *lc = &live->clusters[i];
		const struct cluster_plan *cp = NULL;
		const struct cluster_outcome *co = NULL;

		if (!lc->reachable || !lc->password_probes)
			continue;
		for (j = 0; j < plan->cluster_count && j < outcome->cluster_count; j++) {
			if (!strcmp(plan->clusters[j].cluster_id, lc->cluster_id)) {
				cp = &plan->clusters[j];
				co = &outcome->clusters[j];
			}
		}
		cluster = cJSON_CreateObject();
		if (!cluster || !cJSON_AddItemToObject(known, lc->cluster_id, cluster)) {
			cJSON_Delete(cluster);
			err = -ENOMEM;
			break;
		}
		err = cluster_known_probes(cluster, lc, cp, co);
	}
	if (err) {
		cJSON_Delete(known);
		known = NULL;
	}
	*out = known;
	return err;
}
