#include "plan/desired_norms.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"

struct norm_entry {
	const cJSON *body; /* borrowed from the desired state */
	enum resource_kind kind;
	_Atomic(cJSON *) form; /* NULL until first asked for */
	/* A live object (its comparable part) found to normalise to form: a live
	 * object equal to it needs no normalising (NULL until one was found). */
	_Atomic(cJSON *) witness;
};

struct desired_norms {
	const char *owner; /* borrowed */
	struct norm_entry *entries; /* sorted by body, then kind; each pair once */
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
	const struct norm_entry *x = a, *y = b;

	return compare_pair(x->body, x->kind, y->body, y->kind);
}

int desired_norms_new(struct desired_norms **out, const struct desired_state *desired)
{
	struct desired_norms *norms = calloc(1, sizeof(*norms));
	struct norm_entry *fitted;
	size_t count = 0, i, kept;

	*out = NULL;
	if (!norms)
		return -ENOMEM;
	norms->owner = desired_owner(desired);
	if (desired->object_count &&
	    !(norms->entries = calloc(desired->object_count, sizeof(*norms->entries)))) {
		free(norms);
		return -ENOMEM;
	}
	for (i = 0; i < desired->object_count; i++)
		if (shared(&desired->objects[i])) {
			norms->entries[count].body = desired->objects[i].body;
			norms->entries[count++].kind = desired->objects[i].kind;
		}
	if (count)
		qsort(norms->entries, count, sizeof(*norms->entries), compare_entries);
	for (i = 0, kept = 0; i < count; i++)
		if (!kept || compare_entries(&norms->entries[kept - 1], &norms->entries[i]))
			norms->entries[kept++] = norms->entries[i];
	norms->count = kept;
	/* a fleet declares each body on many clusters: give back the repeats' room */
	if (kept && kept < desired->object_count &&
	    (fitted = realloc(norms->entries, kept * sizeof(*fitted))))
		norms->entries = fitted;
	*out = norms;
	return 0;
}

void desired_norms_free(struct desired_norms *norms)
{
	size_t i;

	if (!norms)
		return;
	for (i = 0; i < norms->count; i++) {
		cJSON_Delete(atomic_load(&norms->entries[i].form));
		cJSON_Delete(atomic_load(&norms->entries[i].witness));
	}
	free(norms->entries);
	free(norms);
}

static struct norm_entry *find_entry(const struct desired_norms *norms, const struct desired_object *d)
{
	size_t low = 0, high = norms->count, mid;
	int order;

	while (low < high) {
		mid = low + (high - low) / 2;
		order = compare_pair(d->body, d->kind, norms->entries[mid].body, norms->entries[mid].kind);
		if (!order)
			return &norms->entries[mid];
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

/* Publishes *made in slot unless another thread published first: *made is
 * then freed and replaced by what the slot holds. */
static void publish(_Atomic(cJSON *) *slot, cJSON **made)
{
	cJSON *expected = NULL;

	if (!atomic_compare_exchange_strong_explicit(slot, &expected, *made, memory_order_acq_rel,
						     memory_order_acquire)) {
		cJSON_Delete(*made); /* another thread made the same first; both are equal */
		*made = expected;
	}
}

static int entry_form(const cJSON **out, const struct desired_norms *norms, struct norm_entry *e,
		      const struct desired_object *d)
{
	cJSON *stamped = NULL, *form = atomic_load_explicit(&e->form, memory_order_acquire);
	int err = 0;

	if (!form) {
		/* shares_desired_norm: the normaliser reads no cluster */
		err = plan_stamp_managed(&stamped, d->body, norms->owner);
		if (!err)
			err = plan_kinds[d->kind]->normalize(&form, stamped, NULL);
		cJSON_Delete(stamped);
		if (!err)
			publish(&e->form, &form);
	}
	*out = err ? NULL : form;
	return err;
}

int desired_norms_find(const cJSON **out, struct desired_norms *norms, const struct desired_object *d)
{
	struct norm_entry *e = norms && shared(d) ? find_entry(norms, d) : NULL;

	*out = NULL;
	return e ? entry_form(out, norms, e, d) : 0;
}

int desired_norms_compare(int *out, struct desired_norms *norms, const struct desired_object *d,
			  const cJSON *live, const struct live_cluster *lc)
{
	struct norm_entry *e = norms && shared(d) ? find_entry(norms, d) : NULL;
	const cJSON *form, *witness;
	cJSON *live_norm = NULL, *copy;
	int err;

	*out = -1;
	if (!e)
		return 0;
	/* normalising is a function of the value: a live object equal to one
	 * found to match matches too (the fleet's clusters answer alike) */
	witness = atomic_load_explicit(&e->witness, memory_order_acquire);
	if (witness && json_equal(live, witness)) {
		*out = 1;
		return 0;
	}
	err = entry_form(&form, norms, e, d);
	if (!err)
		err = plan_kinds[d->kind]->normalize(&live_norm, live, lc);
	if (!err)
		*out = json_equal(live_norm, form);
	cJSON_Delete(live_norm);
	if (!err && *out == 1 && !witness) {
		copy = live ? cJSON_Duplicate(live, 1) : NULL;
		if (copy)
			publish(&e->witness, &copy);
		else
			err = -ENOMEM;
	}
	return err;
}
