/* live_prefetch: a cluster's first reads — GET /, its settings, its remote
 * info, its license and the resolution of its remotes (live_read.h) — made
 * while the desired state is still loading, since they depend on the
 * cluster's declaration alone. The reader then takes what was read, and the
 * connection, instead of asking again: the same requests with the same
 * client options, so the same answers and the same errors, only sooner.
 * Nothing is written: if the desired state turns out invalid, what was read
 * is dropped.
 *
 * live_prefetch_new() makes an idle prefetch; live_prefetch_add() (the
 * loader's observer, desired/loader.h) copies a cluster and reads it on one
 * of at most `parallel` threads; live_prefetch_stop() (loading is over)
 * starts no more reads, letting those in flight finish. The caller owns the
 * prefetch and frees it with live_prefetch_free() after the readers that took
 * from it (their connections keep its copies of the clusters). */
#ifndef ESR_ES_LIVE_PREFETCH_H
#define ESR_ES_LIVE_PREFETCH_H

#include <stddef.h>

#include "desired/model.h"
#include "es/http.h"
#include "es/live.h"

struct live_prefetch;

/* Reads on up to parallel threads (<= 0: LIVE_READ_DEFAULT_PARALLEL), with
 * the reader's client options (NULL: the defaults; copied, not what they
 * point to). Returns 0 or -ENOMEM. */
int live_prefetch_new(struct live_prefetch **out, long parallel, const struct es_client_options *client);

/* Queues cfg's cluster (copied) unless it is queued already; the caller adds
 * only the clusters the reader will read (--cluster). A failure only means
 * that the reader reads it all itself. */
void live_prefetch_add(struct live_prefetch *pf, const struct cluster_config *cfg);

/* No read starts from now on; those in flight finish (the reader waits for
 * them in live_prefetch_take()). */
void live_prefetch_stop(struct live_prefetch *pf);

/* For the reader (after live_prefetch_stop()): moves what was read of
 * lc->cluster_id's cluster into lc (which holds nothing else yet), hands over
 * its connection in *client_out (the caller frees it; NULL when there is
 * none) and sets *step_out to the step to go on from (es/live_facts.h;
 * 0 when nothing was read). Waits while the cluster is being read. Taking a
 * cluster twice, or from a NULL prefetch, takes nothing. */
void live_prefetch_take(struct live_prefetch *pf, struct live_cluster *lc, struct es_client **client_out,
			size_t *step_out);

/* Abandons the reads in flight (within about a second), waits for the threads
 * and frees everything. NULL-safe. */
void live_prefetch_free(struct live_prefetch *pf);

#endif
