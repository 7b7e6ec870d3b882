/* desired_norms: the normalised declared bodies that every cluster's plan
 * compares its live objects with, made once per distinct body rather than once
 * per object and cluster.
 *
 * A fleet declares the same roles and users on many clusters, and the loader
 * interns their bodies (one tree for all the clusters). For the kinds whose
 * kind_ops.shares_desired_norm is set, the body an update compares is
 * plan_stamp_managed(body, owner) and the normaliser does not read the
 * cluster, so its normalised form is the same on every cluster: the first
 * plan that needs it makes it, the others find it (issue 12: normalising the
 * declared side again on every cluster was a tenth of a no-op plan).
 *
 * desired_norms_new() lists the distinct (kind, body) pairs of the desired
 * state; each pair's form is made when first asked for. Threads planning
 * clusters at once share one table: a form is published with an atomic
 * compare-and-swap, and two threads making the same one at once keep the
 * first (the other is freed; both are equal). The table borrows the desired
 * state, which must outlive it, and owns the forms; plans borrow them, never
 * past desired_norms_free(). Pure: no I/O. */
#ifndef ESR_PLAN_DESIRED_NORMS_H
#define ESR_PLAN_DESIRED_NORMS_H

#include <cjson/cJSON.h>

#include "desired/model.h"
#include "es/live.h"

struct desired_norms;

/* A table for desired's declarations made with owner (desired_owner()):
 * *out is the caller's, freed with desired_norms_free(). Returns 0 or -ENOMEM. */
int desired_norms_new(struct desired_norms **out, const struct desired_state *desired);
/* Frees the table and every form it made; NULL-safe. */
void desired_norms_free(struct desired_norms *norms);

/* *out: the normalised form of d's body as an update of d compares it (owned by
 * the table), or NULL when the table does not hold d's kind and body (no
 * table, another kind, an absent object). Returns 0 or -ENOMEM. */
int desired_norms_find(const cJSON **out, struct desired_norms *norms, const struct desired_object *d);

/* Whether live, the comparable part of a live object of d's kind on cluster
 * lc, normalises to what d declares: *out is 1 (it does), 0 (it does not) or
 * -1 (the table does not hold d). The first live object found to match is
 * kept (a copy, the table's) as a witness: normalising is a function of the
 * value, so a live object equal to the witness matches without being
 * normalised (the clusters of a fleet answer alike). Returns 0 or -ENOMEM. */
int desired_norms_compare(int *out, struct desired_norms *norms, const struct desired_object *d,
			  const cJSON *live, const struct live_cluster *lc);

#endif
