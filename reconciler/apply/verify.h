/* verify: after the remote settings are written, wait until each declared
 * remote of a cluster connects (GET /_remote/info), within a bounded time.
 *
 * A remote that does not connect is reported, not failed: the settings are
 * stored as asked, and connecting depends on the far side (its transport port,
 * mutual TLS trust). Whether the run converged is decided by a fresh plan. */
#ifndef ESR_APPLY_VERIFY_H
#define ESR_APPLY_VERIFY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "apply/outcome.h"
#include "desired/model.h"
#include "es/http.h"

/* Milliseconds between two GET /_remote/info while waiting. */
#define VERIFY_POLL_MS 500

/* Fills outcome's remotes_connected / remotes_not_connected with the declared
 * (not absent) remotes of the cluster, from a GET /_remote/info answer (NULL
 * counts as nothing connected). Replaces earlier lists. Returns 0 or -ENOMEM. */
int verify_split_remotes(struct cluster_outcome *outcome, const struct desired_state *desired,
			 const cJSON *remote_info);

/* Polls GET /_remote/info every VERIFY_POLL_MS until every declared remote of
 * the cluster shows connected: true or wait_ms has passed, then records the
 * last answer with verify_split_remotes(). Returns 0 (even when some remote did
 * not connect), or a negative errno when no answer could be read or on -ENOMEM. */
int verify_wait_remotes(struct cluster_outcome *outcome, struct es_client *client,
			const struct desired_state *desired, long wait_ms);

#endif
