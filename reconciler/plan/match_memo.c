#include "plan/match_memo.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"

/* Most live roles and users print in less: no allocation for them. */
#define PRINT_ON_STACK 4096

struct memo_entry {
	const cJSON *body; /* borrowed from the desired state */
	enum resource_kind kind;
	_Atomic(char *) witness; /* a matching live object's compact text, or NULL */
};

struct match_memo {
	const char *owner; /* borrowed */
	struct memo_entry *entries; /* sorted by body, then kind; each pair once */
	size_t count;
};

static bool shared(const struct desired_object *d)
{
	return (unsigned)d->kind < RESOURCE_KIND_COUNT && plan_kinds[d->kind]->shares_desired_norm &&
	       !d->absent && d->body;
}

static int compare_pair(const cJSON *body_a, enum resource_kind kind_a, const cJSON *body_b,
			enum resource_kind kind_b)
{
	uintptr_t a = (uintptr_t)body_a, b = (uintptr_t)body_b;

	if (a != b)
		return a < b ? -1 : 1;
	return (kind_a > kind_b) - (kind_a < kind_b);
}

static int compare_entries(const void *a, const void *b)
{
	const struct memo_entry *x = a, *y = b;

	return compare_pair(x->body, x->kind, y->body, y->kind);
}

int match_memo_new(struct match_memo **out, const struct desired_state *desired)
{
	struct match_memo *memo = calloc(1, sizeof(*memo));
	struct memo_entry *fitted;
	size_t count = 0, i, kept;

	*out = NULL;
	if (!memo)
		return -ENOMEM;
	memo->owner = desired_owner(desired);
	if (desired->object_count &&
	    !(memo->entries = calloc(desired->object_count, sizeof(*memo->entries)))) {
		free(memo);
		return -ENOMEM;
	}
	for (i = 0; i < desired->object_count; i++)
		if (shared(&desired->objects[i])) {
			memo->entries[count].body = desired->objects[i].body;
			memo->entries[count++].kind = desired->objects[i].kind;
		}
	if (count)
		qsort(memo->entries, count, sizeof(*memo->entries), compare_entries);
	for (i = 0, kept = 0; i < count; i++)
		if (!kept || compare_entries(&memo->entries[kept - 1], &memo->entries[i]))
			memo->entries[kept++] = memo->entries[i];
	memo->count = kept;
	/* a fleet declares each body on many clusters: give back the repeats' room */
	if (kept && kept < desired->object_count &&
	    (fitted = realloc(memo->entries, kept * sizeof(*fitted))))
		memo->entries = fitted;
	*out = memo;
	return 0;
}

void match_memo_free(struct match_memo *memo)
{
	size_t i;

	if (!memo)
		return;
	for (i = 0; i < memo->count; i++)
		free(atomic_load(&memo->entries[i].witness));
	free(memo->entries);
	free(memo);
}

static struct memo_entry *find_entry(const struct match_memo *memo, const struct desired_object *d)
{
	size_t low = 0, high = memo->count, mid;
	int order;

	while (low < high) {
		mid = low + (high - low) / 2;
		order = compare_pair(d->body, d->kind, memo->entries[mid].body, memo->entries[mid].kind);
		if (!order)
			return &memo->entries[mid];
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

/* Whether live normalises to what d declares, the long way. */
static int compare_normalised(bool *same, const struct match_memo *memo, const struct desired_object *d,
			      const cJSON *live, const struct live_cluster *lc)
{
	const struct kind_ops *ops = plan_kinds[d->kind];
	cJSON *stamped = NULL, *form = NULL, *live_norm = NULL;
	int err = plan_stamp_managed(&stamped, d->body, memo->owner);

	/* shares_desired_norm: the declared side's normaliser reads no cluster */
	if (!err)
		err = ops->normalize(&form, stamped, NULL);
	if (!err)
		err = ops->normalize(&live_norm, live, lc);
	*same = !err && json_equal(live_norm, form);
	cJSON_Delete(stamped);
	cJSON_Delete(form);
	cJSON_Delete(live_norm);
	return err;
}

int match_memo_check(int *out, struct match_memo *memo, const struct desired_object *d,
		     const cJSON *live, const struct live_cluster *lc)
{
	struct memo_entry *e = memo && live && shared(d) ? find_entry(memo, d) : NULL;
	char stack[PRINT_ON_STACK], *printed = NULL, *copy, *expected = NULL;
	const char *text = stack, *witness;
	bool same;
	int err = 0;

	*out = -1;
	if (!e)
		return 0;
	if (!cJSON_PrintPreallocated((cJSON *)live, stack, (int)sizeof(stack), 0)) {
		if (!(printed = cJSON_PrintUnformatted(live)))
			return -ENOMEM;
		text = printed;
	}
	witness = atomic_load_explicit(&e->witness, memory_order_acquire);
	if (witness && !strcmp(text, witness)) {
		*out = 1;
		goto done;
	}
	err = compare_normalised(&same, memo, d, live, lc);
	if (err)
		goto done;
	*out = same;
	if (same && !witness) {
		copy = printed ? printed : strdup(stack);
		printed = NULL;
		if (!copy) {
			err = -ENOMEM;
			goto done;
		}
		if (!atomic_compare_exchange_strong_explicit(&e->witness, &expected, copy, memory_order_acq_rel,
							     memory_order_acquire))
			free(copy); /* another thread found one first; both match */
	}
done:
	free(printed);
	return err;
}
