/* plan: the driver that walks clusters and resource kinds and decides, the same
 * way for every kind, what becomes of each object. */
#include "plan/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/match_memo.h"
#include "plan/normalize.h"
#include "plan/plan_internal.h"
#include "util/utf8.h"


void cluster_plan_dispose(struct cluster_plan *cp)
{
	size_t j;

	free(cp->cluster_id);
	free(cp->version);
	free(cp->error);
	for (j = 0; j < cp->change_count; j++)
		change_dispose(&cp->changes[j]);
	free(cp->changes);
	for (j = 0; j < cp->request_count; j++)
		request_dispose(&cp->requests[j]);
	free(cp->requests);
	for (j = 0; j < cp->warning_count; j++)
		free(cp->warnings[j]);
	free(cp->warnings);
}

static void builder_dispose(struct cluster_builder *b)
{
	size_t i;

	request_dispose(&b->settings);
	request_dispose(&b->roles_bulk);
	buf_dispose(&b->roles_bulk_members);
	request_dispose(&b->roles_bulk_delete);
	cJSON_Delete(b->persistent);
	cJSON_Delete(b->ledgers);
	cJSON_Delete(b->ledger_live);
	cJSON_Delete(b->ledger_declared);
	cJSON_Delete(b->ledger_deleted);
	cJSON_Delete(b->ledger_adopted);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		strmap_dispose(&b->created[i]);
	strmap_dispose(&b->probes);
	strmap_dispose(&b->live_roles);
}

long builder_created(const struct cluster_builder *b, enum resource_kind kind, const char *name)
{
	size_t index;

	return strmap_get(&b->created[kind], name, &index) ? (long)index : -1;
}

/* name is borrowed from the declaration, which outlives the builder. */
static int record_created(struct cluster_builder *b, enum resource_kind kind, const char *name,
			  size_t index)
{
	return strmap_put(&b->created[kind], name, index);
}

static const cJSON *comparable(const struct kind_ops *ops, const cJSON *live)
{
	return ops->comparable ? ops->comparable(live) : live;
}

static int plan_delete(struct cluster_builder *b, const struct kind_ops *ops, const char *name,
		       const cJSON *live)
{
	size_t index;
	int err = builder_add_change(b, ops->kind, name, ACTION_DELETE, &index);

	if (!err)
		err = kind_live_fields(builder_change(b, index), ops, b->lc, comparable(ops, live));
	if (!err)
		err = ops->remove(b, name, live, index);
	return err;
}

static int plan_create(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const cJSON *body)
{
	size_t index;
	int err = builder_add_change(b, ops->kind, d->name, ACTION_CREATE, &index);

	if (!err)
		err = change_add_body_fields(builder_change(b, index), body, d->sensitive_paths);
	if (!err)
		err = record_created(b, ops->kind, d->name, index);
	if (!err)
		err = ops->write(b, d, body, NULL, index);
	return err;
}

static int plan_update(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const cJSON *body, const cJSON *live)
{
	struct plan_change scratch = { 0 };
	size_t changed = 0, index;
	int err = kind_diff(&scratch, &changed, ops, b->lc, comparable(ops, live), body, d->sensitive_paths);

	if (!err && !changed)
		err = match_memo_learn(b->memo, d, comparable(ops, live));

	if (!err && ops->extra_fields)
		err = ops->extra_fields(b, d, live, &scratch);
	if (err)
		goto done;
	if (!scratch.field_count) {
		b->cp->unchanged++;
		goto done;
	}
	err = builder_add_change_from(b, &scratch, ops->kind, d->name, ACTION_UPDATE, &index);
	if (!err)
		err = ops->write(b, d, body, live, index);
done:
	change_dispose(&scratch);
	return err;
}

/* Returns 1 (the object counted unchanged) when the run's match_memo knows
 * live is what d declares and nothing beyond the body differs: most objects
 * of a plan, settled without making their body. 0 to plan the object in
 * full, or a negative error. */
static int settled_unchanged(struct cluster_builder *b, const struct kind_ops *ops,
			     const struct desired_object *d, const cJSON *live)
{
	struct plan_change scratch = { 0 };
	bool same;
	int err = match_memo_known(&same, b->memo, d, comparable(ops, live));

	if (!err && same && ops->extra_fields)
		err = ops->extra_fields(b, d, live, &scratch);
	if (!err && same && !scratch.field_count) {
		b->cp->unchanged++;
		err = 1;
	}
	change_dispose(&scratch);
	return err;
}

/* The owner holding a live object, when it is not this run's owner; NULL otherwise. */
static const char *other_owner(const struct cluster_builder *b, const struct kind_ops *ops,
			       const char *name, const cJSON *live)
{
	const char *holder = live ? ops->owner_of(b, name, live) : NULL;

	return holder && strcmp(holder, b->owner) != 0 ? holder : NULL;
}

/* The one decision every kind shares: d is the declaration (NULL when the
 * object is pruned), live the live object (NULL when there is none). */
static int plan_object(struct cluster_builder *b, const struct kind_ops *ops,
		       const struct desired_object *d, const char *name, const cJSON *live)
{
	const char *holder;
	cJSON *body = NULL;
	char *problem = NULL;
	int err = ops->guard ? ops->guard(b, d, name, live) : 0;

	if (err)
		return err < 0 ? err : 0;
	/* another desired state's object: planning it would make the two fight */
	holder = d ? other_owner(b, ops, name, live) : NULL;
	if (holder && !(b->adopt_from && !strcmp(b->adopt_from, holder)))
		return builder_add_problem(b, ops->kind, name,
					   "%s [%s] belongs to owner [%s] (policy.owner of another desired state), "
					   "not to [%s]: remove it from this desired state, or take it over with "
					   "--adopt-from %s", resource_kind_name(ops->kind), name, holder, b->owner,
					   holder);
	if (!d || d->absent) {
		if (live)
			return plan_delete(b, ops, name, live);
		b->cp->unchanged++;
		return 0;
	}
	err = ops->desired_problem ? ops->desired_problem(&problem, b, d, live) : 0;
	if (!err && !problem && live)
		err = settled_unchanged(b, ops, d, live);
	if (err > 0)
		return 0;
	if (!err && !problem)
		err = ops->desired_body(&body, &problem, b, d, live);
	if (!err && problem)
		err = builder_add_problem(b, ops->kind, name, "%s", problem);
	else if (!err)
		err = live ? plan_update(b, ops, d, body, live) : plan_create(b, ops, d, body);
	free(problem);
	cJSON_Delete(body);
	return err;
}

/* A kind's live objects sorted by name, so that matching them with the
 * declarations stays O(n log n) for thousands of roles and users. */
struct live_entry {
	const char *name;
	const cJSON *item;
	bool declared;
};

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct live_entry *)a)->name, ((const struct live_entry *)b)->name);
}

static int index_live(struct live_entry **out, size_t *count_out, const cJSON *live_objects)
{
	size_t count = (size_t)cJSON_GetArraySize(live_objects), i = 0;
	const cJSON *item;

	*out = NULL;
	*count_out = 0;
	if (!count)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(item, live_objects) {
		if (!item->string)
			continue;
		(*out)[i].name = item->string;
		(*out)[i++].item = item;
	}
	*count_out = i;
	qsort(*out, i, sizeof(**out), compare_entries);
	return 0;
}

/* The answer of the kind's list_path as {name: object}: a reference to the
 * live tree, not a copy, since it can hold thousands of objects. */
static int read_list(cJSON **out, const struct cluster_builder *b, enum resource_kind kind)
{
	const cJSON *answer = b->lc->objects[kind];

	*out = cJSON_IsObject(answer) ? cJSON_CreateObjectReference(answer->child) : cJSON_CreateObject();
	return *out ? 0 : -ENOMEM;
}

/* A name that the sorted entries hold twice, or NULL. */
static const char *duplicate_name(const struct live_entry *entries, size_t count)
{
	size_t i;

	for (i = 1; i < count; i++)
		if (!strcmp(entries[i - 1].name, entries[i].name))
			return entries[i].name;
	return NULL;
}

/* A kind's live objects on the cluster, sorted by name into *entries (which
 * point into *live_objects); one whose name is not UTF-8 is marked declared,
 * so that nothing touches it, with a problem. Returns 0, 1 when the kind
 * cannot be planned on this cluster (a problem says why: it cannot be read, or
 * the answer names an object twice), or a negative errno. */
static int read_entries(struct live_entry **entries, size_t *count, cJSON **live_objects,
			struct cluster_builder *b, const struct kind_ops *ops)
{
	const char *duplicate;
	size_t i;
	int err = ops->read_live ? ops->read_live(live_objects, b) : read_list(live_objects, b, ops->kind);

	*entries = NULL;
	*count = 0;
	if (err)
		return err;
	err = index_live(entries, count, *live_objects);
	if (!err && (duplicate = duplicate_name(*entries, *count))) {
		/* which of the two is live? Planning either could write a declared
		 * object and then delete it */
		err = builder_add_problem(b, ops->kind, duplicate,
					  "cluster [%s] listed %s [%s] twice in one answer; esreconcile plans no "
					  "%s on this cluster until the answer names each once",
					  b->lc->cluster_id, resource_kind_name(ops->kind), duplicate,
					  resource_kind_section(ops->kind));
		return err ? err : 1;
	}
	/* a name that is not UTF-8 cannot be sent as the plan shows it: never touched */
	for (i = 0; !err && i < *count; i++) {
		if (utf8_valid((*entries)[i].name, strlen((*entries)[i].name), NULL))
			continue;
		(*entries)[i].declared = true;
		err = builder_add_problem(b, ops->kind, (*entries)[i].name,
					  "cluster [%s] names this %s in bytes that are not UTF-8; esreconcile never "
					  "writes or deletes it: rename or delete it by hand",
					  b->lc->cluster_id, resource_kind_name(ops->kind));
	}
	return err;
}

static int plan_kind(struct cluster_builder *b, const struct kind_ops *ops)
{
	enum prune_policy policy = b->desired->policy.prune[ops->kind];
	struct live_entry *entries = NULL, key = { 0 }, *found;
	const struct desired_object *const *declared;
	cJSON *live_objects = NULL;
	size_t count = 0, declared_count, i;
	int err = read_entries(&entries, &count, &live_objects, b, ops);

	if (err)
		goto done;
	declared_count = desired_cluster_objects(b->desired, b->lc->cluster_id, ops->kind, &declared);
	for (i = 0; !err && i < declared_count; i++) {
		const struct desired_object *d = declared[i];

		key.name = d->name;
		found = count ? bsearch(&key, entries, count, sizeof(*entries), compare_entries) : NULL;
		if (found)
			found->declared = true;
		err = plan_object(b, ops, d, d->name, found ? found->item : NULL);
	}
	/* undeclared live objects, in name order, go when the policy prunes them:
	 * `managed` those of this run's owner, `all` those of no owner too; never
	 * another owner's */
	for (i = 0; !err && policy != PRUNE_NONE && i < count; i++) {
		const char *holder;

		if (entries[i].declared || !ops->prunable(entries[i].name, entries[i].item))
			continue;
		holder = ops->owner_of(b, entries[i].name, entries[i].item);
		if (holder ? strcmp(holder, b->owner) != 0 : policy != PRUNE_ALL)
			continue;
		err = plan_object(b, ops, NULL, entries[i].name, entries[i].item);
	}
done:
	free(entries);
	cJSON_Delete(live_objects);
	return err > 0 ? 0 : err; /* a kind that cannot be planned is a problem, not an error */
}

/* Execution order of design §6; a stable insertion sort keeps each step's order. */
static void order_requests(struct cluster_plan *cp)
{
	size_t i, j;

	for (i = 1; i < cp->request_count; i++) {
		struct plan_request moving = cp->requests[i];

		for (j = i; j > 0 && cp->requests[j - 1].step > moving.step; j--)
			cp->requests[j] = cp->requests[j - 1];
		cp->requests[j] = moving;
	}
}

/* 1 after adding a blocking problem when GET / names another cluster than
 * clusters.<id>.expect: planning against the wrong cluster would look normal
 * and write there. 0 when it is the expected one. */
static int check_identity(struct cluster_builder *b)
{
	static const char *const keys[] = { "cluster_name", "cluster_uuid" };
	const struct cluster_config *cfg = desired_find_cluster(b->desired, b->lc->cluster_id);
	const char *expected[2], *actual;
	const cJSON *value;
	size_t i;
	int err;

	if (!cfg)
		return 0;
	expected[0] = cfg->expect_cluster_name;
	expected[1] = cfg->expect_cluster_uuid;
	for (i = 0; i < 2; i++) {
		if (!expected[i])
			continue;
		value = cJSON_GetObjectItemCaseSensitive(b->lc->root, keys[i]);
		actual = cJSON_IsString(value) ? value->valuestring : NULL;
		if (actual && !strcmp(actual, expected[i]))
			continue;
		err = builder_add_problem(b, RESOURCE_CLUSTER, "expect",
					  "cluster [%s] is not the expected cluster: clusters.%s.expect.%s is [%s], "
					  "GET / answered %s%s%s; nothing is planned or written there: correct its "
					  "URL, or expect if the cluster was rebuilt", b->lc->cluster_id,
					  b->lc->cluster_id, keys[i], expected[i], actual ? "[" : "no ",
					  actual ? actual : keys[i], actual ? "]" : "");
		if (err)
			return err;
		b->cp->changes[b->cp->change_count - 1].blocks_cluster = true;
		return 1;
	}
	return 0;
}

int plan_cluster(struct cluster_plan *cp, const struct desired_state *desired,
		 const struct live_cluster *lc, const struct cluster_facts *const *facts,
		 size_t fact_count, struct match_memo *memo)
{
	struct cluster_builder b;
	size_t i;
	int err = 0;

	memset(&b, 0, sizeof(b));
	b.desired = desired;
	b.lc = lc;
	b.facts = facts;
	b.fact_count = fact_count;
	b.cp = cp;
	b.owner = desired_owner(desired);
	b.adopt_from = desired->policy.adopt_from;
	b.memo = memo;
	cp->cluster_id = plan_strdup(lc->cluster_id);
	cp->version = lc->version ? plan_strdup(lc->version) : NULL;
	cp->reachable = lc->reachable;
	if (!cp->cluster_id || (lc->version && !cp->version))
		return -ENOMEM;
	for (i = 0; i < lc->warning_count; i++) {
		err = builder_add_warning(&b, "%s", lc->warnings[i]);
		if (err)
			goto done;
	}
	if (!lc->reachable) {
		cp->error = plan_strdup(lc->error ? lc->error : "unreachable");
		err = cp->error ? 0 : -ENOMEM;
		goto done;
	}
	err = check_identity(&b);
	if (err) {
		err = err < 0 ? err : 0; /* another cluster: only the problem is planned */
		goto done;
	}
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++)
		err = plan_kind(&b, plan_kinds[i]);
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++)
		if (plan_kinds[i]->finish)
			err = plan_kinds[i]->finish(&b);
	if (!err)
		err = plan_check_links(&b);
	if (!err)
		order_requests(cp);
done:
	builder_dispose(&b);
	return err;
}

int plan_cluster_facts(struct cluster_facts *out, const struct desired_state *desired,
		       const struct live_cluster *lc)
{
	memset(out, 0, sizeof(*out));
	out->live = lc;
	return lc->reachable ? plan_link_roles(&out->link_roles, desired, lc) : 0;
}

void plan_cluster_facts_dispose(struct cluster_facts *facts)
{
	if (!facts)
		return;
	cJSON_Delete(facts->link_roles);
	memset(facts, 0, sizeof(*facts));
}

/* Appends id to ids[0..*count) unless it is there; ids has room for it. */
static void add_linked(const char **ids, size_t *count, const char *id)
{
	size_t j;

	for (j = 0; j < *count && strcmp(ids[j], id) != 0; j++)
		;
	if (j == *count)
		ids[(*count)++] = id;
}

int plan_linked_clusters(const char ***out, size_t *count_out, const struct desired_state *desired,
			 const char *cluster_id)
{
	const struct desired_object *const *remotes, *const *keys;
	size_t remote_count = desired_cluster_objects(desired, cluster_id, RESOURCE_REMOTE, &remotes);
	size_t key_count = desired_cluster_objects(desired, cluster_id, RESOURCE_API_KEY, &keys), count = 0, i;
	const char **ids = calloc(remote_count + key_count + 1, sizeof(*ids));

	*out = NULL;
	*count_out = 0;
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < remote_count; i++)
		if (!remotes[i]->absent && remotes[i]->remote_cluster)
			add_linked(ids, &count, remotes[i]->remote_cluster);
	/* a key held here is planned with what its local cluster loaded (remote info) */
	for (i = 0; i < key_count; i++)
		if (keys[i]->key_cluster)
			add_linked(ids, &count, keys[i]->key_cluster);
	*out = ids;
	*count_out = count;
	return 0;
}

static int compare_clusters(const void *a, const void *b)
{
	return strcmp(((const struct cluster_plan *)a)->cluster_id,
		      ((const struct cluster_plan *)b)->cluster_id);
}

static void summarize(struct plan *plan)
{
	size_t i, j;

	memset(&plan->summary, 0, sizeof(plan->summary));
	for (i = 0; i < plan->cluster_count; i++) {
		const struct cluster_plan *cp = &plan->clusters[i];

		if (!cp->reachable)
			plan->summary.problems++;
		plan->summary.unchanged += cp->unchanged;
		for (j = 0; j < cp->change_count; j++) {
			switch (cp->changes[j].action) {
			case ACTION_CREATE: plan->summary.create++; break;
			case ACTION_UPDATE: plan->summary.update++; break;
			case ACTION_DELETE: plan->summary.remove++; break;
			case ACTION_PROBLEM: plan->summary.problems++; break;
			}
		}
	}
}

int plan_assemble(struct plan **out, struct cluster_plan *clusters, size_t count,
		  char (*const digests)[PLAN_DIGEST_HEX])
{
	struct plan *plan = calloc(1, sizeof(*plan));
	char **ids = calloc(count ? count : 1, sizeof(*ids));
	size_t i;
	int err = plan && ids ? 0 : -ENOMEM;

	*out = NULL;
	if (plan) {
		plan->clusters = clusters;
		plan->cluster_count = count;
	}
	for (i = 0; !err && i < count; i++)
		ids[i] = clusters[i].cluster_id;
	if (!err)
		err = plan_fingerprint_combine(plan->fingerprint, ids, digests, count);
	free(ids);
	if (err) {
		if (plan)
			plan_free(plan);
		else
			plan_clusters_free(clusters, count);
		return err;
	}
	if (count)
		qsort(plan->clusters, count, sizeof(*plan->clusters), compare_clusters);
	summarize(plan);
	*out = plan;
	return 0;
}

int plan_build(struct plan **out, const struct desired_state *desired, const struct live_state *live)
{
	size_t count = live->cluster_count, n = count ? count : 1, i;
	struct cluster_facts *facts = calloc(n, sizeof(*facts));
	const struct cluster_facts **all = calloc(n, sizeof(*all)); /* NOLINT(bugprone-sizeof-expression): pointers */
	struct cluster_plan *clusters = calloc(n, sizeof(*clusters));
	char (*digests)[PLAN_DIGEST_HEX] = calloc(n, sizeof(*digests));
	struct match_memo *memo = NULL;
	int err = facts && all && clusters && digests ? match_memo_new(&memo, desired) : -ENOMEM;

	*out = NULL;
	for (i = 0; !err && i < count; i++) {
		err = plan_cluster_facts(&facts[i], desired, &live->clusters[i]);
		all[i] = &facts[i];
	}
	for (i = 0; !err && i < count; i++)
		err = plan_cluster(&clusters[i], desired, &live->clusters[i], all, count, memo);
	for (i = 0; !err && i < count; i++)
		err = plan_cluster_digest(digests[i], &live->clusters[i]);
	if (!err)
		err = plan_assemble(out, clusters, count, digests);
	else
		plan_clusters_free(clusters, count);
	for (i = 0; facts && i < count; i++)
		plan_cluster_facts_dispose(&facts[i]);
	free(facts);
	free((void *)all);
	free(digests);
	match_memo_free(memo);
	return err;
}

void plan_clusters_free(struct cluster_plan *clusters, size_t count)
{
	size_t i;

	for (i = 0; clusters && i < count; i++)
		cluster_plan_dispose(&clusters[i]);
	free(clusters);
}

void plan_free(struct plan *plan)
{
	if (!plan)
		return;
	plan_clusters_free(plan->clusters, plan->cluster_count);
	free(plan);
}

int plan_append_problem(struct plan *plan, struct cluster_plan *cp, enum resource_kind kind,
			const char *name, const char *text, bool blocks_cluster)
{
	struct plan_change *grown = realloc(cp->changes, (cp->change_count + 1) * sizeof(*grown));
	struct plan_change *c;

	if (!grown)
		return -ENOMEM;
	cp->changes = grown;
	c = &grown[cp->change_count];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->action = ACTION_PROBLEM;
	c->blocks_cluster = blocks_cluster;
	c->name = plan_strdup(name);
	c->problem = plan_strdup(text);
	if (!c->name || !c->problem) {
		free(c->name);
		free(c->problem);
		return -ENOMEM;
	}
	cp->change_count++;
	plan->summary.problems++;
	return 0;
}

int plan_add_cluster_problem(struct plan *plan, const char *cluster_id, const char *name,
			     const char *problem)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (!strcmp(plan->clusters[i].cluster_id, cluster_id))
			return plan_append_problem(plan, &plan->clusters[i], RESOURCE_CLUSTER, name, problem,
						   true);
	return -ENOENT;
}

bool cluster_plan_blocked(const struct cluster_plan *cp)
{
	size_t i;

	for (i = 0; i < cp->change_count; i++)
		if (cp->changes[i].action == ACTION_PROBLEM && cp->changes[i].blocks_cluster)
			return true;
	return false;
}

/* One kind's declarations: every live object a desired state may declare
 * (that prune: all would delete when undeclared), in name order. */
static int declare_kind(cJSON *section, cJSON *notes, struct cluster_builder *b, const struct kind_ops *ops)
{
	struct live_entry *entries = NULL;
	cJSON *live_objects = NULL, *body;
	size_t count = 0, problems = b->cp->change_count, i;
	int err = read_entries(&entries, &count, &live_objects, b, ops);

	if (err > 0) { /* nothing of the kind is declared: the problem says why */
		count = 0;
		err = 0;
	}
	/* what kept objects of the kind out is a note */
	for (i = problems; !err && i < b->cp->change_count; i++)
		err = plan_note(notes, "%s", b->cp->changes[i].problem);
	for (i = 0; !err && i < count; i++) {
		if (entries[i].declared || !ops->prunable(entries[i].name, entries[i].item))
			continue;
		body = NULL;
		err = ops->declare(&body, entries[i].name, entries[i].item, b->lc, notes);
		if (!err && !cJSON_AddItemToObject(section, entries[i].name, body)) {
			cJSON_Delete(body);
			err = -ENOMEM;
		}
	}
	free(entries);
	cJSON_Delete(live_objects);
	return err;
}

int plan_declarations(cJSON **out, cJSON **notes_out, const struct live_cluster *lc)
{
	struct cluster_builder b;
	struct cluster_plan scratch;
	cJSON *doc = cJSON_CreateObject(), *notes = cJSON_CreateArray(), *section;
	size_t i;
	int err = doc && notes ? 0 : -ENOMEM;

	*out = NULL;
	*notes_out = NULL;
	memset(&b, 0, sizeof(b));
	memset(&scratch, 0, sizeof(scratch));
	b.lc = lc;
	b.cp = &scratch; /* where reading a kind puts its problems */
	if (!err && !lc->reachable)
		err = -EINVAL;
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++) {
		if (!plan_kinds[i]->declare)
			continue; /* declared with another kind's objects (a remote's API key) */
		section = cJSON_AddObjectToObject(doc, resource_kind_section((enum resource_kind)i));
		err = section ? declare_kind(section, notes, &b, plan_kinds[i]) : -ENOMEM;
	}
	builder_dispose(&b);
	cluster_plan_dispose(&scratch);
	if (err) {
		cJSON_Delete(doc);
		cJSON_Delete(notes);
		return err;
	}
	*out = doc;
	*notes_out = notes;
	return 0;
}

bool plan_is_empty(const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->cluster_count; i++)
		if (!plan->clusters[i].reachable || plan->clusters[i].change_count)
			return false;
	return true;
}

int plan_parse_text(cJSON **out, const char *text)
{
	*out = NULL;
	if (!text)
		return 0;
	*out = cJSON_Parse(text);
	/* a plan's text is what cJSON printed: it parses unless memory runs out */
	return *out ? 0 : -ENOMEM;
}

int plan_request_body_with_secrets(cJSON **out, const struct plan_request *request)
{
	cJSON *body;
	size_t i;
	int err;

	*out = NULL;
	if ((err = plan_parse_text(&body, request->body)) || !body)
		return err;
	for (i = 0; i < request->slot_count; i++) {
		const struct secret_slot *slot = &request->slots[i];
		cJSON *parent = NULL, *target, *value;

		target = json_lookup_path(body, slot->path, &parent);
		if (!target || !parent) {
			cJSON_Delete(body);
			return -EINVAL;
		}
		if (slot->secret)
			value = cJSON_CreateString(secret_reveal(slot->secret));
		else
			value = cJSON_Duplicate(slot->value, 1);
		if (json_replace(parent, target, value)) {
			cJSON_Delete(body);
			return -ENOMEM;
		}
	}
	*out = body;
	return 0;
}
