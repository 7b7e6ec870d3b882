#include "metrics/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cluster_dispose(struct metrics_cluster *c)
{
	size_t i;

	free(c->id);
	for (i = 0; i < c->remote_count; i++)
		free(c->remotes[i].name);
	free(c->remotes);
}

static int compare_clusters(const void *a, const void *b)
{
	return strcmp(((const struct metrics_cluster *)a)->id, ((const struct metrics_cluster *)b)->id);
}

struct metrics_cluster *metrics_find_cluster(struct metrics *m, const char *id)
{
	struct metrics_cluster key;

	if (!m->cluster_count)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.id = (char *)id;
	return bsearch(&key, m->clusters, m->cluster_count, sizeof(*m->clusters), compare_clusters);
}

int metrics_set_clusters(struct metrics *m, const char *const *ids, size_t count)
{
	struct metrics_cluster *next, **kept;
	size_t i;

	next = calloc(count ? count : 1, sizeof(*next));
	kept = calloc(count ? count : 1, sizeof(struct metrics_cluster *));
	if (!next || !kept)
		goto nomem;
	for (i = 0; i < count; i++) {
		kept[i] = metrics_find_cluster(m, ids[i]);
		if (!kept[i] && !(next[i].id = strdup(ids[i])))
			goto nomem;
	}
	/* Nothing can fail from here: move the entries of the clusters that stay. */
	for (i = 0; i < count; i++) {
		if (!kept[i])
			continue;
		next[i] = *kept[i];
		memset(kept[i], 0, sizeof(*kept[i]));
	}
	for (i = 0; i < m->cluster_count; i++)
		cluster_dispose(&m->clusters[i]);
	free(m->clusters);
	free(kept);
	m->clusters = next;
	m->cluster_count = count;
	qsort(m->clusters, count, sizeof(*m->clusters), compare_clusters);
	return 0;
nomem:
	for (i = 0; next && i < count; i++)
		free(next[i].id);
	free(next);
	free(kept);
	return -ENOMEM;
}

static int compare_remotes(const void *a, const void *b)
{
	return strcmp(((const struct metrics_remote *)a)->name, ((const struct metrics_remote *)b)->name);
}

int metrics_set_remotes(struct metrics_cluster *c, const char *const *names, const bool *connected,
			size_t count)
{
	struct metrics_remote *remotes = calloc(count ? count : 1, sizeof(*remotes));
	size_t i;

	if (!remotes)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		remotes[i].connected = connected[i];
		if (!(remotes[i].name = strdup(names[i]))) {
			while (i--)
				free(remotes[i].name);
			free(remotes);
			return -ENOMEM;
		}
	}
	for (i = 0; i < c->remote_count; i++)
		free(c->remotes[i].name);
	free(c->remotes);
	qsort(remotes, count, sizeof(*remotes), compare_remotes);
	c->remotes = remotes;
	c->remote_count = count;
	return 0;
}

int metrics_escape_label(struct buf *out, const char *value)
{
	const char *p;
	int err = 0;

	for (p = value; *p && !err; p++) {
		if (*p == '\\')
			err = buf_puts(out, "\\\\");
		else if (*p == '"')
			err = buf_puts(out, "\\\"");
		else if (*p == '\n')
			err = buf_puts(out, "\\n");
		else
			err = buf_append(out, p, 1);
	}
	return err;
}

/* The HELP and TYPE lines of one metric family. */
static int family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: name{label="value",...} number. labels alternate names and values. */
static int sample(struct buf *out, const char *name, const char *const *labels, size_t label_count,
		  const char *number)
{
	size_t i;
	int err = buf_puts(out, name);

	for (i = 0; !err && i + 1 < label_count; i += 2) {
		err = buf_printf(out, "%s%s=\"", i ? "," : "{", labels[i]);
		if (!err)
			err = metrics_escape_label(out, labels[i + 1]);
		if (!err)
			err = buf_puts(out, "\"");
	}
	if (!err && label_count)
		err = buf_puts(out, "}");
	if (!err)
		err = buf_printf(out, " %s\n", number);
	return err;
}

static int sample_count(struct buf *out, const char *name, const char *const *labels,
			size_t label_count, unsigned long long value)
{
	char number[32];

	snprintf(number, sizeof(number), "%llu", value);
	return sample(out, name, labels, label_count, number);
}

static int sample_seconds(struct buf *out, const char *name, double value)
{
	char number[48];

	snprintf(number, sizeof(number), "%.3f", value);
	return sample(out, name, NULL, 0, number);
}

/* A family of per-cluster, per-kind values (drift, applied). */
static int per_kind(struct buf *out, const struct metrics *m, const char *name, const char *type,
		    const char *help, bool applied)
{
	const char *labels[4] = { "cluster", NULL, "kind", NULL };
	size_t i, k;
	int err = family(out, name, type, help);

	for (i = 0; !err && i < m->cluster_count; i++) {
		labels[1] = m->clusters[i].id;
		for (k = 0; !err && k < RESOURCE_KIND_COUNT; k++) {
			labels[3] = resource_kind_name((enum resource_kind)k);
			err = sample_count(out, name, labels, 4,
					   applied ? m->clusters[i].applied_total[k] : m->clusters[i].drift[k]);
		}
	}
	return err;
}

static int per_cluster(struct buf *out, const struct metrics *m, const char *name, const char *type,
		       const char *help, bool errors)
{
	const char *labels[2] = { "cluster", NULL };
	size_t i;
	int err = family(out, name, type, help);

	for (i = 0; !err && i < m->cluster_count; i++) {
		labels[1] = m->clusters[i].id;
		err = sample_count(out, name, labels, 2,
				   errors ? m->clusters[i].errors_total : (unsigned long long)m->clusters[i].up);
	}
	return err;
}

static int remotes(struct buf *out, const struct metrics *m)
{
	static const char name[] = "esreconcile_remote_connected";
	const char *labels[4] = { "cluster", NULL, "remote", NULL };
	size_t i, j;
	int err = family(out, name, "gauge",
			 "1 when a declared remote showed connected in GET /_remote/info at the last pass, else 0.");

	for (i = 0; !err && i < m->cluster_count; i++) {
		const struct metrics_cluster *c = &m->clusters[i];

		labels[1] = c->id;
		for (j = 0; !err && j < c->remote_count; j++) {
			labels[3] = c->remotes[j].name;
			err = sample_count(out, name, labels, 4, c->remotes[j].connected);
		}
	}
	return err;
}

int metrics_render(struct buf *out, const struct metrics *m, const char *version)
{
	const char *build_labels[2] = { "version", version };
	int err;

	err = family(out, "esreconcile_build_info", "gauge", "Always 1; the label names the version.");
	if (!err)
		err = sample_count(out, "esreconcile_build_info", build_labels, 2, 1);
	if (!err)
		err = family(out, "esreconcile_cycles_total", "counter", "Watch cycles completed.");
	if (!err)
		err = sample_count(out, "esreconcile_cycles_total", NULL, 0, m->cycles_total);
	if (!err)
		err = family(out, "esreconcile_last_cycle_timestamp_seconds", "gauge",
			     "When the last cycle ended, in seconds since the epoch (0: none yet).");
	if (!err)
		err = sample_seconds(out, "esreconcile_last_cycle_timestamp_seconds", m->last_cycle_timestamp);
	if (!err)
		err = family(out, "esreconcile_last_cycle_duration_seconds", "gauge",
			     "How long the last cycle took.");
	if (!err)
		err = sample_seconds(out, "esreconcile_last_cycle_duration_seconds", m->last_cycle_duration);
	if (!err)
		err = per_kind(out, m, "esreconcile_drift_changes", "gauge",
			       "Changes the last pass over the cluster found and did not apply.", false);
	if (!err)
		err = per_kind(out, m, "esreconcile_changes_applied_total", "counter",
			       "Changes applied since esreconcile started.", true);
	if (!err)
		err = per_cluster(out, m, "esreconcile_errors_total", "counter",
				  "Passes over the cluster that ended in an error (unreachable, a change "
				  "failed, a problem in the plan).", true);
	if (!err)
		err = per_cluster(out, m, "esreconcile_cluster_up", "gauge",
				  "1 when the last read of the cluster succeeded, else 0.", false);
	if (!err)
		err = remotes(out, m);
	if (!err)
		err = family(out, "esreconcile_desired_state_valid", "gauge",
			     "1 when the desired files were valid at the last reading; 0 while an invalid "
			     "state is ignored and the last valid one is kept.");
	if (!err)
		err = sample_count(out, "esreconcile_desired_state_valid", NULL, 0, m->desired_state_valid);
	if (!err)
		err = family(out, "esreconcile_suspended", "gauge",
			     "1 while policy.suspend is true: drift is reported, not corrected.");
	if (!err)
		err = sample_count(out, "esreconcile_suspended", NULL, 0, m->suspended);
	return err;
}

void metrics_dispose(struct metrics *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cluster_count; i++)
		cluster_dispose(&m->clusters[i]);
	free(m->clusters);
	m->clusters = NULL;
	m->cluster_count = 0;
}
