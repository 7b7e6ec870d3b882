/* cross_file: the checks across files (names declared again, each time a file
 * has been read; references, once every file is read) and the order
 * diagnostics are shown in. The files' text is gone by the time references are
 * checked: a reference carries its own source line. */
#include "desired/loader_internal.h"

#include <stdlib.h>
#include <string.h>

/* The second definition is always in the file being read, whose lines are at hand. */
void report_twice(struct loader *l, const struct src_pos *first, const struct src_pos *again,
		  const char *what)
{
	char *source = l->doc ? ydoc_source_line(l->doc, again->line) : NULL;

	if (diag_add(l->diags, DIAG_ERROR, again->file, again->line, again->column,
		     "duplicate-definition", NULL, source, "%s is defined twice: %s:%d:%d and %s:%d:%d",
		     what, first->file, first->line, first->column, again->file, again->line,
		     again->column))
		oom(l);
	free(source);
}

/* Names of items[from..count) (the file being read) declared before, among
 * items of `size` bytes, each with a name (char *) and a src_pos at the given
 * offsets. The sections are maps, so a repeat can only come from another file;
 * the lists are short (clusters, authorities), so pairwise comparison is fine. */
static void check_duplicate_names(struct loader *l, const void *items, size_t from, size_t count,
				  size_t size, size_t name_offset, size_t pos_offset, const char *label)
{
	const char *base = items;
	struct buf what;
	size_t i, j;

	buf_init(&what, BUF_SMALL_MAX);
	for (i = from; i < count; i++) {
		const char *name = *(char *const *)(const void *)(base + i * size + name_offset);

		for (j = 0; j < i; j++) {
			if (strcmp(name, *(char *const *)(const void *)(base + j * size + name_offset)) != 0)
				continue;
			buf_reset(&what);
			buf_printf(&what, "%s [%s]", label, name);
			report_twice(l, (const struct src_pos *)(const void *)(base + j * size + pos_offset),
				     (const struct src_pos *)(const void *)(base + i * size + pos_offset),
				     what.data);
			break;
		}
	}
	buf_dispose(&what);
}

void check_file_duplicates(struct loader *l, size_t clusters_before, size_t authorities_before,
			   size_t trust_clusters_before)
{
	const struct desired_state *s = l->state;

	check_duplicate_names(l, s->clusters, clusters_before, s->cluster_count, sizeof(*s->clusters),
			      offsetof(struct cluster_config, id), offsetof(struct cluster_config, pos),
			      "cluster");
	check_duplicate_names(l, s->authorities, authorities_before, s->authority_count,
			      sizeof(*s->authorities), offsetof(struct trust_authority, name),
			      offsetof(struct trust_authority, pos), "trust authority");
	check_duplicate_names(l, s->trust_clusters, trust_clusters_before, s->trust_cluster_count,
			      sizeof(*s->trust_clusters), offsetof(struct trust_cluster, cluster),
			      offsetof(struct trust_cluster, pos), "trust for cluster");
}

void check_references(struct loader *l)
{
	const struct desired_state *s = l->state;
	const char **names;
	size_t i, j, count;
	char *hint;

	count = s->cluster_count > s->authority_count ? s->cluster_count : s->authority_count;
	names = malloc((count ? count : 1) * sizeof(*names));
	if (!names) {
		oom(l);
		return;
	}
	for (i = 0; i < l->ref_count; i++) {
		const struct ref *r = &l->refs[i];
		bool cluster = r->kind == REF_CLUSTER;
		bool found = false;

		count = cluster ? s->cluster_count : s->authority_count;
		for (j = 0; j < count; j++) {
			names[j] = cluster ? s->clusters[j].id : s->authorities[j].name;
			found |= !strcmp(names[j], r->name);
		}
		if (found)
			continue;
		hint = r->hidden ? NULL : hint_did_you_mean(r->name, names, count);
		if (diag_add(l->diags, DIAG_ERROR, r->file, r->line, r->column, "undefined-reference",
			     hint ? hint : cluster ? "declare it under clusters"
						   : "declare it under trust.authorities",
			     r->source, "%s names %s [%s], which is not declared under %s", r->context,
			     cluster ? "cluster" : "authority", r->hidden ? SECRET_PLACEHOLDER : r->name,
			     cluster ? "clusters" : "trust.authorities"))
			oom(l);
		free(hint);
	}
	free(names);
}

/* Diagnostics come out of several passes (parsing, checks, cross-file checks);
 * users read them in file order, then line, then column. */
struct ranked_diag {
	struct diag diag;
	size_t file_rank, index;
};

static int compare_ranked(const void *a, const void *b)
{
	const struct ranked_diag *x = a, *y = b;

	if (x->file_rank != y->file_rank)
		return x->file_rank < y->file_rank ? -1 : 1;
	if (x->diag.line != y->diag.line)
		return x->diag.line < y->diag.line ? -1 : 1;
	if (x->diag.column != y->diag.column)
		return x->diag.column < y->diag.column ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Files rank in the order they were read; diagnostics without a known file
 * (an unreadable path) come after them. */
static size_t file_rank(const struct desired_state *state, const char *file)
{
	size_t i;

	for (i = 0; file && i < state->file_count; i++)
		if (!strcmp(state->files[i], file))
			return i;
	return state->file_count;
}

void sort_diags(const struct desired_state *state, struct diag_list *diags, size_t from)
{
	size_t n = diags->count - from, i;
	struct ranked_diag *ranked;

	if (n < 2 || !(ranked = malloc(n * sizeof(*ranked))))
		return;
	for (i = 0; i < n; i++) {
		ranked[i].diag = diags->items[from + i];
		ranked[i].index = i;
		ranked[i].file_rank = file_rank(state, ranked[i].diag.file);
	}
	qsort(ranked, n, sizeof(*ranked), compare_ranked);
	for (i = 0; i < n; i++)
		diags->items[from + i] = ranked[i].diag;
	free(ranked);
}
