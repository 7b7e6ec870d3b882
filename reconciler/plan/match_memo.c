#include "plan/match_memo.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"

/* Most live roles and users print in less: no allocation for them. */
#define PRINT_ON_STACK 4096

struct memo_entry {
	const cJSON *body; /* borrowed from the desired state */
	enum resource_kind kind;
	_Atomic(char *) witness; /* a matching live object's compact text, or NULL */
};

struct match_memo {
	struct memo_entry *entries; /* sorted by body, then kind; each pair once */
	size_t count;
};

static bool shared(const struct desired_object *d)
{
	return (unsigned)d->kind < RESOURCE_KIND_COUNT && plan_kinds[d->kind]->shares_desired_norm &&
	       !d->absent && d->body;
}

static int compare_entries(const void *a, const void *b)
{
	const struct memo_entry *x = a, *y = b;
	uintptr_t p = (uintptr_t)x->body, q = (uintptr_t)y->body;

	if (p != q)
		return p < q ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

int match_memo_new(struct match_memo **out, const struct desired_state *desired)
{
	struct match_memo *memo = calloc(1, sizeof(*memo));
	struct memo_entry *fitted;
	size_t count = 0, i, kept;

	*out = NULL;
	if (!memo)
		return -ENOMEM;
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
	struct memo_entry key = { .body = d->body, .kind = d->kind };

	if (!memo || !shared(d))
		return NULL;
	return bsearch(&key, memo->entries, memo->count, sizeof(*memo->entries), compare_entries);
}

/* live's compact text: in stack when it fits, else in *printed (the caller frees it). */
static const char *print_live(char stack[PRINT_ON_STACK], char **printed, const cJSON *live)
{
	*printed = NULL;
	if (cJSON_PrintPreallocated((cJSON *)live, stack, PRINT_ON_STACK, 0))
		return stack;
	return (*printed = cJSON_PrintUnformatted(live));
}

int match_memo_known(bool *out, const struct match_memo *memo, const struct desired_object *d,
		     const cJSON *live)
{
	struct memo_entry *e = live ? find_entry(memo, d) : NULL;
	const char *witness = e ? atomic_load_explicit(&e->witness, memory_order_acquire) : NULL;
	char stack[PRINT_ON_STACK], *printed;
	const char *text;

	*out = false;
	if (!witness)
		return 0;
	if (!(text = print_live(stack, &printed, live)))
		return -ENOMEM;
	*out = !strcmp(text, witness);
	free(printed);
	return 0;
}

int match_memo_learn(struct match_memo *memo, const struct desired_object *d, const cJSON *live)
{
	struct memo_entry *e = live ? find_entry(memo, d) : NULL;
	char stack[PRINT_ON_STACK], *printed, *copy, *expected = NULL;

	if (!e || atomic_load_explicit(&e->witness, memory_order_acquire))
		return 0;
	if (!print_live(stack, &printed, live))
		return -ENOMEM;
	copy = printed ? printed : strdup(stack);
	if (!copy)
		return -ENOMEM;
	if (!atomic_compare_exchange_strong_explicit(&e->witness, &expected, copy, memory_order_acq_rel,
						     memory_order_acquire))
		free(copy); /* another thread learnt it first; both match */
	return 0;
}
