/* request_outcome: which changes of a planned request may go out, and how the
 * answer to that request becomes one status per change.
 *
 * Pure functions over a plan, its outcome and an es_response: no I/O, and no
 * knowledge of kinds: the planned request says where each change's share of
 * the body is and how its answer reads (per item, or whole). */
#ifndef ESR_APPLY_REQUEST_OUTCOME_H
#define ESR_APPLY_REQUEST_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "es/http.h"
#include "plan/plan.h"

/* True when request carries out the change of that index. */
bool plan_request_carries(const struct plan_request *request, size_t change_index);

/* Sets included[i] for request->changes[i]: false when the change already has
 * a status, or when a change it depends on (outside this request) did not
 * apply; such a change is marked skipped, naming the dependency. Returns the
 * number of changes still included (>= 0), or -ENOMEM. */
int request_gate(bool *included, struct cluster_outcome *outcome, const struct cluster_plan *cluster,
		 const struct plan_request *request);

/* Whether the change of that index goes out with request (included[i] is
 * what request_gate() said of request->changes[i]). */
bool request_change_included(const struct plan_request *request, const bool *included, size_t change);

/* Drops from body (the request's body, secrets filled in or not) the share of
 * every change not included, as the request's parts locate it. */
void request_body_drop_excluded(cJSON *body, const struct plan_request *request, const bool *included);

/* Records the answer to request for its included changes. A 404 to a DELETE
 * counts as applied: the object is gone, as wanted. Returns 0 or -ENOMEM. */
int request_record_response(struct cluster_outcome *outcome, const struct cluster_plan *cluster,
			    const struct plan_request *request, const bool *included,
			    const struct es_response *response);

/* Records that request got no usable answer (message says why). Returns 0 or -ENOMEM. */
int request_record_no_response(struct cluster_outcome *outcome, const struct plan_request *request,
			       const bool *included, const char *message);

/* Marks every change still pending as skipped with reason. Returns 0 or -ENOMEM. */
int cluster_skip_pending(struct cluster_outcome *outcome, const char *reason);

#endif
