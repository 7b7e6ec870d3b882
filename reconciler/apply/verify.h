/* verify: after objects of a kind with a settle rule (plan_kind_settle: a
 * remote, which must connect) are written, wait until each declared object of
 * that kind on the cluster shows settled, within a bounded time; and which
 * password probe answers the fresh plan that decides convergence may reuse.
 *
 * An object that does not settle is reported, not failed: it is stored as
 * asked, and settling depends on the far side (a remote's transport port,
 * mutual TLS trust). Whether the run converged is decided by a fresh plan. */
#ifndef ESR_APPLY_VERIFY_H
#define ESR_APPLY_VERIFY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "desired/model.h"
#include "es/http.h"
#include "es/live.h"

/* Milliseconds between two polls while waiting. */
#define VERIFY_POLL_MS 500

/* Fills outcome->settle[kind] with the declared (not absent) objects of kind
 * on the cluster, split by the kind's settle rule over answer (NULL counts as
 * nothing settled). Replaces earlier lists. Returns 0 or -ENOMEM; 0 and
 * nothing for a kind without a settle rule. */
int verify_split(struct cluster_outcome *outcome, const struct desired_state *desired,
		 enum resource_kind kind, const cJSON *answer);

/* Polls the kind's settle path (for a cluster of version, e.g. "8.15.0"; NULL
 * when unknown) every VERIFY_POLL_MS until every declared object of kind on
 * the cluster is settled, wait_ms has passed or *stop (when stop is not NULL)
 * is set, then records the last answer with verify_split(). When it has to
 * wait, it says for what (on progress when not NULL, else in the info log).
 * Returns 0 (even when some object did not settle), or a negative errno when
 * no answer could be read or on -ENOMEM. */
int verify_wait(struct cluster_outcome *outcome, FILE *progress, struct es_client *client,
		const struct desired_state *desired, enum resource_kind kind, const char *version,
		long wait_ms, const atomic_bool *stop);

/* The password probe answers the verification read may take as read instead
 * of asking again (live_read_options.known_probes: {"cluster id": {"user":
 * true|false}}; the caller owns *out). Per reachable cluster of live, the read
 * plan was made from: its answers for the users no change of plan concerns,
 * and true for each user whose password a change set (plan_change_sets_password)
 * that applied. Any other user a change concerns (failed, skipped, unanswered,
 * or written without its password) is left out, so that it is probed again
 * (docs/apply.md). outcome mirrors plan. Returns 0 or -ENOMEM. */
int verify_known_probes(cJSON **out, const struct live_state *live, const struct plan *plan,
			const struct apply_outcome *outcome);

#endif
