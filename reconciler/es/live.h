/* live: what the clusters hold right now, as read from their REST APIs.
 *
 * A live_state owns every live_cluster and every cJSON tree in it. The trees are
 * kept exactly as Elasticsearch returned them; normalising is the plan stage's
 * job. Reading is the only I/O here (es/live.c); the plan stage consumes the
 * result without touching the network.
 *
 * live_read() returns a live_state the caller owns and frees with
 * live_state_free(); lookups return pointers owned by the live_state. */
#ifndef ESR_ES_LIVE_H
#define ESR_ES_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "desired/model.h"

struct live_cluster {
	char *cluster_id;
	bool reachable;       /* false: error says why; the trees below may be NULL */
	char *error;          /* names the cluster, method, path, status, ES error type and reason */
	char *version;        /* "8.15.0" */
	int version_major;
	int version_minor;
	cJSON *root;          /* GET / */
	cJSON *settings;      /* GET /_cluster/settings?flat_settings=true: {"persistent":{},"transient":{}} */
	cJSON *remote_info;   /* GET /_remote/info */
	cJSON *roles;         /* GET /_security/role */
	cJSON *users;         /* GET /_security/user */
	cJSON *certificates;  /* GET /_ssl/certificates, only when trust is declared; else NULL */
	cJSON *transport_addresses; /* array of "host:port" publish addresses (GET /_nodes/transport),
				     * only when a remote on another cluster points here without seeds */
	/* Per user whose password was probed (GET /_security/_authenticate as the user):
	 * {"name": true|false}; users not probed are absent. */
	cJSON *password_probes;
	char **warnings;      /* e.g. "TLS verification is disabled"; owned */
	size_t warning_count;
};

struct live_state {
	struct live_cluster *clusters;
	size_t cluster_count;
};

struct es_client_options;

struct live_read_options {
	long parallel;                    /* requests in flight at once; <= 0 means 8 */
	const char *const *only_clusters; /* --cluster: read only these ids; NULL/0 = all declared */
	size_t only_cluster_count;
	const struct es_client_options *client; /* retries, caps; NULL = defaults */
};

/* Reads the declared clusters (or opts->only_clusters) in parallel, at most
 * opts->parallel at once. Per cluster, a constant set of requests (design §6):
 * GET /, GET /_cluster/settings?flat_settings=true, GET /_remote/info,
 * GET /_security/role, GET /_security/user; GET /_ssl/certificates when trust
 * names the cluster; GET /_nodes/transport when a remote on another read
 * cluster points at it without seeds or proxy_address. Then, with
 * password_check: probe, one GET /_security/_authenticate as each desired user
 * that has a password and exists on its (reachable) cluster.
 *
 * A cluster that cannot be read (or whose probe fails other than with 401) has
 * reachable = false and an error naming the cluster, method and path; the
 * others are still read. Clusters appear in declaration order; ids in
 * only_clusters that are not declared are skipped. Returns 0, or -ENOMEM. */
int live_read(struct live_state **out, const struct desired_state *desired,
	      const struct live_read_options *opts);

/* Parses "8.15.0" (or "8.15.0-SNAPSHOT") into major and minor. Returns 0 or -EINVAL. */
int live_parse_version(int *out_major, int *out_minor, const char *text);

void live_state_free(struct live_state *live);
const struct live_cluster *live_find_cluster(const struct live_state *live, const char *id);

/* True when the cluster's version is at least major.minor. */
bool live_version_at_least(const struct live_cluster *cluster, int major, int minor);

#endif
