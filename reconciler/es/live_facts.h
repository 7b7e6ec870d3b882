/* live_facts: the reads of one cluster that depend on its declaration alone,
 * step by step, so that the prefetch (es/live_prefetch.h) may begin them while
 * the desired state loads and the reader (es/live_read.h) finish them; and the
 * JSON request both make.
 *
 * Nothing here keeps anything: what is read goes into the caller's
 * live_cluster, answers into *out (the caller's to free). */
#ifndef ESR_ES_LIVE_FACTS_H
#define ESR_ES_LIVE_FACTS_H

#include <stdatomic.h>
#include <stddef.h>

#include "desired/model.h"
#include "es/http.h"
#include "es/live.h"

/* Requests in flight at once when --parallel is not given. */
#define LIVE_READ_DEFAULT_PARALLEL 8

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

/* Moves what live_read_facts() read into `from` (its error, version, answers
 * and warnings) to `to`, which holds none of it yet; `from` keeps only its
 * cluster_id. to->cluster_id is not written: other threads may be reading it. */
void live_facts_move(struct live_cluster *to, struct live_cluster *from);

/* method path (with a body, or NULL) as JSON of the expected type (cJSON_Object
 * or cJSON_Array) into *out. On a failure other than -ENOMEM, returns -EIO with
 * a message naming the cluster, method and path in *errmsg_out (the caller
 * frees it). */
int live_request_json(cJSON **out, struct es_client *client, const char *method, const char *path,
		      const char *body, int json_type, char **errmsg_out);
/* live_request_json() of a GET. */
int live_get_json(cJSON **out, struct es_client *client, const char *path, int json_type, char **errmsg_out);

#endif
