/* live: the model of what the clusters hold right now, as their REST APIs
 * returned it (es/live_read.c reads it).
 *
 * A live_state owns every live_cluster and every cJSON tree in it. The trees are
 * kept exactly as Elasticsearch returned them; normalising is the plan stage's
 * job. This module is pure (no network, no threads), so the plan and trust
 * stages that consume it build without libcurl.
 *
 * The caller owns a live_state and frees it with live_state_free(); lookups
 * return pointers owned by the live_state. */
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
	cJSON *license;       /* GET /_license: {"license":{"type","status",...}} */
	/* GET /_resolve/cluster/<alias>:*,... for every remote of remote_info, on
	 * 8.13+ (it makes the cluster try each disconnected remote again): per
	 * alias connected, error, version; NULL below 8.13, without remotes, or
	 * when the cluster would not answer it (a warning says why). */
	cJSON *resolve_cluster;
	/* Per kind that has a list_path (desired/kind_list.h), the answer of that GET
	 * (GET /_security/role, GET /_security/user); NULL for the other kinds. */
	cJSON *objects[RESOURCE_KIND_COUNT];
	cJSON *certificates;  /* GET /_ssl/certificates, only when trust is declared; else NULL */
	cJSON *transport_addresses; /* array of "host:port" publish addresses (GET /_nodes/transport),
				     * only when a remote on another cluster points here without seeds */
	/* array of "host:port" publish addresses of the remote cluster server
	 * (GET /_nodes/remote_cluster_server; empty when no node enables it), only
	 * when a remote of security api_key points here and the cluster runs 8.14+ */
	cJSON *remote_cluster_server;
	long long read_at_ms; /* wall-clock time of the read (ms since the epoch): API keys expire */
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

/* Parses "8.15.0" (or "8.15.0-SNAPSHOT") into major and minor. Returns 0 or -EINVAL. */
int live_parse_version(int *out_major, int *out_minor, const char *text);

void live_state_free(struct live_state *live);
/* Frees what lc holds, not lc itself. */
void live_cluster_dispose(struct live_cluster *lc);

/* Frees what only planning reads, once the cluster is planned and hashed: the
 * kinds' lists (objects), by far the largest part. What stays (versions,
 * settings, remote_info, certificates, addresses, warnings) is what the trust
 * check, apply's settle report and watch read afterwards, and the password
 * probes' answers ({user: bool}, small), which apply's verification reuses
 * for the users it did not write (apply/verify.h). */
void live_cluster_drop_objects(struct live_cluster *lc);
const struct live_cluster *live_find_cluster(const struct live_state *live, const char *id);

/* The publish addresses of a GET /_nodes/<section> answer (section
 * "transport" or "remote_cluster_server") as a JSON array of "host:port"
 * strings; a node without the section adds none; the caller owns *out. A
 * publish_address may read "hostname/10.0.0.1:9300": the part after the slash
 * is the one a remote can connect to. Returns 0 or -ENOMEM. */
int live_publish_addresses(cJSON **out, const cJSON *nodes_response, const char *section);

/* True when the cluster's version is at least major.minor. */
bool live_version_at_least(const struct live_cluster *cluster, int major, int minor);

#endif
