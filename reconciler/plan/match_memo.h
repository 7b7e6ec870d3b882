/* match_memo: the live objects already found to be what a declaration says,
 * so that the same object on another cluster is known to match without being
 * normalised again.
 *
 * A fleet declares the same roles and users on many clusters (the loader
 * interns their bodies: one tree for all the clusters), and the clusters
 * answer alike. For the kinds whose kind_ops.shares_desired_norm is set,
 * whether a live object matches its declaration does not depend on the
 * cluster (the body an update compares is plan_stamp_managed(body, owner),
 * and the normaliser reads no cluster on either side). So the first live
 * object found to match a declared body is kept, as its compact JSON text (a
 * witness), and a live object whose text is the same matches: equal text,
 * equal value, equal normalised value. Any other live object is normalised and
 * compared as usual (issue 12: normalising both sides of every object of every
 * cluster was a quarter of a no-op plan).
 *
 * match_memo_new() lists the distinct (kind, body) pairs of the desired state;
 * a witness is published with an atomic compare-and-swap (two threads finding
 * one at once keep the first; both are equal), so the threads planning
 * clusters at once share one memo. The memo borrows the desired state, which
 * must outlive it, and owns the witnesses. Pure: no I/O. */
#ifndef ESR_PLAN_MATCH_MEMO_H
#define ESR_PLAN_MATCH_MEMO_H

#include <cjson/cJSON.h>

#include "desired/model.h"
#include "es/live.h"

struct match_memo;

/* A memo for desired's declarations (made with desired_owner()): *out is the
 * caller's, freed with match_memo_free(). Returns 0 or -ENOMEM. */
int match_memo_new(struct match_memo **out, const struct desired_state *desired);
/* Frees the memo and its witnesses; NULL-safe. */
void match_memo_free(struct match_memo *memo);

/* Whether live, the comparable part of a live object of d's kind on cluster
 * lc, normalises to what d declares: *out is 1 (it does), 0 (it does not) or
 * -1 (the memo does not hold d: no memo, another kind, an absent object).
 * Returns 0 or -ENOMEM. */
int match_memo_check(int *out, struct match_memo *memo, const struct desired_object *d,
		     const cJSON *live, const struct live_cluster *lc);

#endif
