/* live_read: reads the live state (es/live.h) of the declared clusters from
 * their REST APIs, over es/http.c and several threads.
 *
 * This is the plan path's only I/O; the plan stage consumes the result without
 * touching the network. live_read() returns a live_state the caller owns and
 * frees with live_state_free(). */
#ifndef ESR_ES_LIVE_READ_H
#define ESR_ES_LIVE_READ_H

#include <stddef.h>

#include "desired/model.h"
#include "es/live.h"

struct es_client_options;
struct live_prefetch;

/* Which users a read probes (policy.password_check: probe). Zeroed: every
 * declared user of every read cluster. */
struct live_probe_scope {
	bool none;                /* no probe: the caller needs no answer (export, trust check) */
	/* only the users of this cluster (watch: the pass's own cluster; the
	 * others are read for their transport addresses); NULL: of every read cluster */
	const char *only_cluster;
	/* answers taken as read instead of asked again, {"cluster id": {"user":
	 * true|false}} (apply's verification: apply/verify.h); NULL: none */
	const cJSON *known;
};

struct live_read_options {
	long parallel;                    /* requests in flight at once; <= 0: 8 (LIVE_READ_DEFAULT_PARALLEL) */
	/* password probes in flight at once, shared by the clusters read at once
	 * (each probes on its share, at least 1); <= 0 means 32 */
	long probe_parallel;
	const char *const *only_clusters; /* --cluster: read only these ids; NULL/0 = all declared */
	size_t only_cluster_count;
	const struct es_client_options *client; /* retries, caps; NULL = defaults */
	struct live_probe_scope probes;
	/* live_reader_read() only: called on the reading thread with the
	 * cluster's index right before its object lists are read, which the
	 * caller holds until it drops them; it may wait, so that the caller bounds
	 * how many clusters hold their objects at once. Returns 0 or a negative
	 * errno (the read stops with it). NULL: nothing is called. */
	int (*before_objects)(void *ctx, size_t index);
	void *before_objects_ctx;
	/* live_reader_read() only: how many clusters before_objects lets hold
	 * their objects, and so probe, at once; they share probe_parallel. <= 0:
	 * as many as the reader's width. */
	long object_holders;
	/* live_reader_read() only: the first reads made while the desired state
	 * loaded (es/live_prefetch.h), taken instead of asked again; NULL: none */
	struct live_prefetch *prefetch;
};

/* Whether opts->only_clusters (all when empty) selects cluster id. */
bool live_read_selects(const struct live_read_options *opts, const char *id);

/* Reads the declared clusters (or opts->only_clusters) in parallel, at most
 * opts->parallel at once. Per cluster, a constant set of requests (design §6):
 * GET /, GET /_cluster/settings?flat_settings=true, GET /_remote/info,
 * GET /_security/role, GET /_security/user; GET /_ssl/certificates when trust
 * names the cluster; GET /_nodes/transport when a remote on another read
 * cluster points at it without seeds or proxy_address. Then, with
 * password_check: probe, one GET /_security/_authenticate as each desired user
 * that has a password and exists on its (reachable) cluster, within
 * opts->probes and unless opts->probes.known holds its answer; at most
 * opts->probe_parallel at once.
 *
 * A cluster that cannot be read (or whose probe fails other than with 401) has
 * reachable = false and an error naming the cluster, method and path; the
 * others are still read. Clusters appear in declaration order; ids in
 * only_clusters that are not declared are skipped. Returns 0, or -ENOMEM. */
int live_read(struct live_state **out, const struct desired_state *desired,
	      const struct live_read_options *opts);

/* The same reads, one cluster at a time, for a caller that runs its own
 * workers (read_and_plan's pipeline: each worker reads a cluster, plans it
 * and frees its objects before taking the next).
 *
 * live_reader_new() makes *live_out, the selected clusters in declaration
 * order with nothing read yet (the caller owns it: live_state_free), and a
 * reader that borrows it, desired and opts (all must outlive the reader).
 * Returns 0 or -ENOMEM. */
struct live_reader;
int live_reader_new(struct live_reader **out, struct live_state **live_out,
		    const struct desired_state *desired, const struct live_read_options *opts);
/* How many worker slots the caller may use at once: min(parallel, clusters). */
size_t live_reader_width(const struct live_reader *r);
/* Reads live->clusters[index] (its reads, then its password probes, which
 * run on threads of their own: probe_parallel divided by the clusters that
 * probe at once, opts->object_holders or else the width, so that together
 * they keep to --probe-parallel) on the calling thread. worker is the caller's
 * slot, below live_reader_width(): a slot's connection is reused for its next
 * cluster, so a slot is never used by two threads at once. Distinct indices
 * may be read concurrently. A cluster that cannot be read is left unreachable
 * with an error. Returns 0 or -ENOMEM. */
int live_reader_read(struct live_reader *r, size_t index, size_t worker);
void live_reader_free(struct live_reader *r);

/* Asks the cluster which of privileges (a JSON array of cluster privilege
 * names or action names) the configured account holds:
 * POST /_security/user/_has_privileges. *answer_out is the answer
 * ({"username","has_all_requested","cluster":{name: bool},...}), owned by the
 * caller. Returns 0; -EIO with a message in *errmsg_out (the caller frees it)
 * when there is no usable answer; or -ENOMEM. */
int live_has_privileges(cJSON **answer_out, const struct cluster_config *cfg,
			const struct live_read_options *opts, const cJSON *privileges, char **errmsg_out);

/* The publish addresses of one cluster's transport ("transport") or remote
 * cluster server ("remote_cluster_server"): GET /_nodes/<section>, read with
 * live_publish_addresses(). They are the seeds of a remote that names the
 * cluster without seeds. *out is a JSON array of "host:port" strings the
 * caller owns (empty when no node has the section). Returns 0; -EIO with a
 * message naming cluster, method and path in *errmsg_out (the caller frees
 * it) when there is no usable answer; or -ENOMEM. */
int live_read_publish_addresses(cJSON **out, const struct cluster_config *cfg, const char *section,
				const struct live_read_options *opts, char **errmsg_out);

#endif
