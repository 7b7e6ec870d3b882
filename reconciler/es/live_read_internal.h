/* live_read_internal: shared by live_read.c and live_prefetch.c only — a
 * cluster's cluster-wide reads, step by step, so that a prefetch may begin
 * them while the desired state loads and the reader finish them. */
#ifndef ESR_ES_LIVE_READ_INTERNAL_H
#define ESR_ES_LIVE_READ_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "desired/model.h"
#include "es/http.h"
#include "es/live.h"

/* Steps: 0 the warning when TLS verification is off; 1 to 4 GET /,
 * /_cluster/settings?flat_settings=true, /_remote/info, /_license; 5 the
 * version; 6 GET /_resolve/cluster for the remotes (8.13+). */
#define LIVE_FACTS_DONE 7

/* Runs the steps of cfg's cluster from *step on, into lc (whose cluster_id is
 * set), over client (NULL when it could not be made: lc->error says why), and
 * counts *step on; stops before a step when *stop is true (stop may be NULL).
 * A failed read sets lc->error (the cluster is unreachable) and ends the
 * steps, as a failed client does. Returns 0 or -ENOMEM. */
int live_read_facts(struct live_cluster *lc, struct es_client *client, const struct cluster_config *cfg,
		    size_t *step, const atomic_bool *stop);

#endif
