/* match_memo: the live objects already found to be what a declaration says,
 * so that the same object on another cluster is known to match without
 * being normalised and diffed again.
 *
 * A fleet declares the same roles and users on many clusters (the loader
 * interns their bodies: one tree for all the clusters), and the clusters
 * answer alike. For the kinds whose kind_ops.shares_desired_norm is set,
 * whether a live object differs from its declaration does not depend on the
 * cluster (the body an update compares is plan_stamp_managed(body, owner),
 * and the normaliser reads no cluster on either side). So when the plan's
 * diff finds a live object equal to a declared body, the plan teaches the
 * memo (match_memo_learn): the object's compact JSON text is kept as that
 * body's witness. A live object whose text is the same is then known to
 * match (match_memo_known): equal text, equal value, the same empty diff.
 * Every other live object goes through the diff as usual (issue 12:
 * normalising both sides of every object of every cluster was a quarter of a
 * no-op plan).
 *
 * match_memo_new() lists the distinct (kind, body) pairs of the desired state;
 * a witness is published with an atomic compare-and-swap (two threads
 * learning one at once keep the first; both match), so the threads planning
 * clusters at once share one memo. The memo borrows the desired state, which
 * must outlive it, and owns the witnesses. Pure: no I/O. */
#ifndef ESR_PLAN_MATCH_MEMO_H
#define ESR_PLAN_MATCH_MEMO_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "desired/model.h"

struct match_memo;

/* A memo for desired's declarations (made with desired_owner()): *out is the
 * caller's, freed with match_memo_free(). Returns 0 or -ENOMEM. */
int match_memo_new(struct match_memo **out, const struct desired_state *desired);
/* Frees the memo and its witnesses; NULL-safe. */
void match_memo_free(struct match_memo *memo);

/* *out: whether live, the comparable part of a live object of d's kind, is
 * known to be what d declares (false when the memo holds no witness for d's
 * body, or none like live; NULL memo, another kind or an absent object
 * included). Returns 0 or -ENOMEM. */
int match_memo_known(bool *out, const struct match_memo *memo, const struct desired_object *d,
		     const cJSON *live);
/* Keeps live (as above) as the witness of d's body, unless the memo holds
 * one already or does not hold d: the caller found that live and d's body
 * differ in nothing. Returns 0 or -ENOMEM. */
int match_memo_learn(struct match_memo *memo, const struct desired_object *d, const cJSON *live);

#endif
