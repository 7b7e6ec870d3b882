/* metrics: what `esreconcile watch` measures, and its exposition in the
 * Prometheus text format 0.0.4 (for node_exporter's textfile collector and for
 * GET /metrics).
 *
 * Pure: no I/O, no clock; the caller stores the values. A struct metrics owns
 * every cluster entry and string in it; metrics_dispose() frees them. Label
 * values are escaped as the format requires. No secret is ever stored here:
 * only cluster ids, kind names, remote aliases and numbers. */
#ifndef ESR_METRICS_METRICS_H
#define ESR_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "desired/model.h"
#include "util/buf.h"

/* The largest exposition rendered: far above what thousands of remotes need. */
#define METRICS_TEXT_MAX ((size_t)16 << 20)

struct metrics_remote {
	char *name;
	bool connected;
};

/* One watched cluster. */
struct metrics_cluster {
	char *id;
	bool up;                                      /* the last read of the cluster succeeded */
	unsigned long long errors_total;              /* passes that ended in an error */
	unsigned long long drift[RESOURCE_KIND_COUNT];         /* changes still pending after the last pass */
	unsigned long long applied_total[RESOURCE_KIND_COUNT]; /* changes applied since start */
	struct metrics_remote *remotes;               /* declared remotes, as of the last read */
	size_t remote_count;
};

struct metrics {
	unsigned long long cycles_total;
	double last_cycle_timestamp; /* seconds since the epoch at the end of the last cycle; 0: none yet */
	double last_cycle_duration;  /* seconds */
	bool desired_state_valid;    /* the last reading of the desired files was valid */
	bool suspended;              /* policy.suspend of the desired state in force */
	struct metrics_cluster *clusters; /* sorted by id */
	size_t cluster_count;
};

/* Makes the cluster entries those of ids (any order, no duplicates): entries
 * of ids already present keep their values, new ones start at zero, the others
 * go (Prometheus takes a series that stops as gone). Returns 0 or -ENOMEM
 * (then m is unchanged). */
int metrics_set_clusters(struct metrics *m, const char *const *ids, size_t count);

/* The entry of cluster id, owned by m, or NULL. */
struct metrics_cluster *metrics_find_cluster(struct metrics *m, const char *id);

/* Replaces the cluster's remotes with names[i] / connected[i] (copied).
 * Returns 0 or -ENOMEM (then the entry is unchanged). */
int metrics_set_remotes(struct metrics_cluster *c, const char *const *names, const bool *connected,
			size_t count);

/* Appends the exposition: every metric with its HELP and TYPE lines, the
 * series sorted by labels. Returns 0 or -ENOSPC / -ENOMEM. */
int metrics_render(struct buf *out, const struct metrics *m, const char *version);

/* Appends value escaped for a label value: backslash, double quote and line
 * feed as \\, \" and \n. Returns 0 or a negative errno. */
int metrics_escape_label(struct buf *out, const char *value);

void metrics_dispose(struct metrics *m);

#endif
