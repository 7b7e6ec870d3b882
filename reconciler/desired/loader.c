#include "desired/loader.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "desired/loader_internal.h"
#include "desired/interp.h"
#include "desired/object_index.h"
#include "desired/yaml_doc.h"
#include "util/regular_file.h"
#include "util/strlist.h"
#include "util/utf8.h"

/* ---- the loader's context ---- */

struct src_pos pos_of(const struct loader *l, const struct ynode *node)
{
	struct src_pos pos = { l->file, node->line, node->column };

	return pos;
}

/* Appending to arrays whose allocation is always a power of two: grows (doubling)
 * only when count is 0 or a power of two, i.e. when the array is full. */
static void *grow(void *array, size_t count, size_t size)
{
	if (count & (count - 1))
		return array;
	return realloc(array, (count ? count * 2 : 1) * size);
}

bool oom(struct loader *l)
{
	if (!l->err)
		l->err = -ENOMEM;
	return false;
}

/* The pointer is read and written with memcpy: array_ptr points at a `T *`,
 * not at a `void *`. */
void *append_zeroed(struct loader *l, void *array_ptr, size_t *count, size_t size)
{
	void *array;
	char *grown;

	memcpy(&array, array_ptr, sizeof(array));
	grown = grow(array, *count, size);
	if (!grown) {
		oom(l);
		return NULL;
	}
	memcpy(array_ptr, &grown, sizeof(grown));
	memset(grown + *count * size, 0, size);
	return grown + (*count)++ * size;
}

char *dup_or_oom(struct loader *l, const char *s)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		oom(l);
	return copy;
}

/* Records a name to check once every file is read; copies what it needs, the
 * source line included, since the file is gone by then. */
void add_ref(struct loader *l, enum ref_kind kind, const struct ynode *node,
	     const char *fmt, ...)
{
	struct ref *grown = grow(l->refs, l->ref_count, sizeof(*grown)), *r;
	struct buf context;
	va_list ap;

	if (!grown) {
		oom(l);
		return;
	}
	l->refs = grown;
	r = &l->refs[l->ref_count];
	buf_init(&context, BUF_SMALL_MAX);
	va_start(ap, fmt);
	if (buf_vprintf(&context, fmt, ap))
		oom(l);
	va_end(ap);
	r->kind = kind;
	r->name = strdup(node->text);
	r->hidden = node->secret;
	r->file = l->file;
	r->line = node->line;
	r->column = node->column;
	r->context = buf_detach(&context);
	r->source = ydoc_source_line(l->doc, node->line);
	if (!r->name || !r->context || !r->source) {
		free(r->name);
		free(r->context);
		free(r->source);
		oom(l);
		return;
	}
	l->ref_count++;
}

/* ---- one file ---- */

static void check_top_keys(struct loader *l, const struct ynode *root)
{
	/* as a file lists them: the kinds' sections come between trust and policy */
	const char *keys[RESOURCE_KIND_COUNT + 4] = { "version", "clusters", "trust" };
	const char *sections[RESOURCE_KIND_COUNT];
	size_t count = 3, i;
	struct path p;

	kind_sections(sections);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		if (desired_kinds[i]->load)
			keys[count++] = sections[i];
	keys[count++] = "policy";
	path_init(&p, "top level");
	check_keys(l, root, &p, keys, count);
}

static void load_document(struct loader *l, const struct ydoc *doc, const char *file)
{
	const struct ynode *root = ydoc_root(doc), *node;
	struct path p;
	long long version;
	size_t i;

	l->doc = doc;
	l->file = file;
	check_top_keys(l, root);
	if (!(node = ynode_get(root, "version"))) {
		report(l, root, "missing-key", "start the file with: version: 1",
		       "missing required key [version]");
	} else {
		path_init(&p, "version");
		if (want_int(l, node, &p, 0, &version) && version != 1)
			report(l, node, "unsupported-version", "this esreconcile reads version: 1",
			       "unsupported version [%s]", node->text);
	}
	if ((node = ynode_get(root, "clusters"))) {
		path_init(&p, "clusters");
		if (want_kind(l, node, &p, YNODE_MAP))
			for (i = 0; i < node->count && !l->err; i++)
				load_cluster(l, node->pairs[i].key, node->pairs[i].value);
	}
	if ((node = ynode_get(root, "trust")))
		load_trust(l, node);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		if (desired_kinds[i]->load && (node = ynode_get(root, resource_kind_section((enum resource_kind)i))))
			load_objects(l, node, (enum resource_kind)i);
	if ((node = ynode_get(root, "policy"))) {
		for (i = 0; i < root->count; i++)
			if (root->pairs[i].value == node)
				break;
		if (l->have_policy)
			report(l, root->pairs[i].key, "duplicate-definition", NULL,
			       "policy is defined twice: %s:%d:%d and %s:%d:%d", l->policy_pos.file,
			       l->policy_pos.line, l->policy_pos.column, file, root->pairs[i].key->line,
			       root->pairs[i].key->column);
		l->have_policy = true;
		l->policy_pos = pos_of(l, root->pairs[i].key);
		load_policy(l, node);
	}
}

/* ---- files ---- */

static int add_file_name(struct loader *l, const char *path, const char **out)
{
	struct desired_state *s = l->state;
	char **grown = grow(s->files, s->file_count, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	s->files = grown;
	s->files[s->file_count] = strdup(path);
	if (!s->files[s->file_count])
		return -ENOMEM;
	*out = s->files[s->file_count++];
	return 0;
}

/* Parses and reads one file (data NULL: from disk), then frees its text and
 * tree. A file that does not parse is reported and skipped, so every file's
 * problems are shown at once. */
static int load_one(struct loader *l, const char *path, const char *data, size_t len)
{
	const char *sections[RESOURCE_KIND_COUNT];
	struct ydoc_stream stream = { sections, RESOURCE_KIND_COUNT, stream_entry, l };
	const struct desired_state *s = l->state;
	size_t clusters = s->cluster_count, authorities = s->authority_count;
	size_t trust_clusters = s->trust_cluster_count;
	struct ydoc *doc = NULL;
	const char *file;
	int err;

	kind_sections(sections);
	err = add_file_name(l, path, &file);
	if (err)
		return err;
	l->file = file;
	err = ydoc_load(&doc, path, data, len, &stream, l->placeholders, l->diags);
	l->doc = NULL; /* set by the streamed entries; on error the file is gone already */
	if (err == -ENOMEM || l->err)
		return l->err ? l->err : err;
	if (err)
		return 0;
	load_document(l, doc, file);
	if (!l->err)
		check_file_duplicates(l, clusters, authorities, trust_clusters);
	for (; l->observer && !l->err && l->diags->errors == l->errors_before && clusters < s->cluster_count;
	     clusters++)
		l->observer->cluster_loaded(l->observer->ctx, &s->clusters[clusters]);
	ydoc_free(doc);
	l->doc = NULL;
	return l->err;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool yaml_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && ((len > 5 && !strcmp(name + len - 5, ".yaml")) ||
				  (len > 4 && !strcmp(name + len - 4, ".yml")));
}

/* The files to read, in order; the list owns the paths. */
struct file_list {
	char **paths;
	size_t count;
};

/* Adds dir's *.yaml and *.yml files, in name order. */
static int list_directory(struct loader *l, const char *dir, struct file_list *files)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, i;
	struct buf path;
	int err = 0;

	if (!d)
		return diag_add(l->diags, DIAG_ERROR, dir, 0, 0, "unreadable-file", NULL, NULL,
				"cannot read the directory: %s", strerror(errno));
	while (!err && (e = readdir(d)) != NULL)
		if (yaml_name(e->d_name))
			err = strlist_append(&names, &count, e->d_name);
	closedir(d);
	if (!err && !count)
		err = diag_add(l->diags, DIAG_ERROR, dir, 0, 0, "no-files", NULL, NULL,
			       "the directory holds no *.yaml or *.yml file");
	if (count)
		qsort(names, count, sizeof(*names), compare_names);
	buf_init(&path, (size_t)1 << 16);
	for (i = 0; !err && i < count; i++) {
		buf_reset(&path);
		err = buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		if (!err)
			err = strlist_append(&files->paths, &files->count, path.data);
	}
	buf_dispose(&path);
	strlist_free(names, count);
	return err;
}

/* Adds path, or the files of the directory it names. */
static int list_path(struct loader *l, const char *path, struct file_list *files)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return diag_add(l->diags, DIAG_ERROR, path, 0, 0, "unreadable-file", NULL, NULL,
				"cannot read the file: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return list_directory(l, path, files);
	return strlist_append(&files->paths, &files->count, path);
}

/* Escapes of double-quoted YAML scalars that can make a "${" the text does not
 * show: a '$' or '{' by its code, or two lines joined by a backslash. */
static bool hidden_reference_possible(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '\\', (size_t)(end - p))) && p + 1 < end) {
		if (p[1] == 'x' || p[1] == 'u' || p[1] == 'U' || p[1] == '\n' || p[1] == '\r')
			return true;
		p += 2;
	}
	return false;
}

/* Whether every "${" of text, up to its first "}", expands as the loader
 * would expand it; base_dir is the file's directory. */
static bool text_references_resolve(const char *text, size_t len, const char *base_dir)
{
	const char *p = text, *end = text + len, *close, *confirmed = NULL;
	size_t confirmed_len = 0, out_len = 0;
	bool resolves = !hidden_reference_possible(text, len), expanded, placeholder;
	const char *code;
	struct buf why;
	char *out;

	buf_init(&why, BUF_SMALL_MAX);
	while (resolves && (p = memchr(p, '$', (size_t)(end - p)))) {
		if (p + 1 == end || p[1] != '{') {
			p++;
			continue;
		}
		close = memchr(p, '}', (size_t)(end - p));
		if (!close) {
			resolves = false;
			break;
		}
		/* a fleet's files repeat the same reference on every line */
		if (!confirmed || confirmed_len != (size_t)(close + 1 - p) ||
		    memcmp(confirmed, p, confirmed_len) != 0) {
			out = NULL;
			resolves = !interp_expand(&out, &out_len, &expanded, &placeholder, &code, p,
						  (size_t)(close + 1 - p), base_dir, NULL, &why) &&
				   utf8_valid(out, out_len, NULL);
			if (out)
				explicit_bzero(out, out_len); /* a secret's value, maybe */
			free(out);
			buf_reset(&why);
			confirmed = p;
			confirmed_len = (size_t)(close + 1 - p);
		}
		p = close + 1;
	}
	buf_dispose(&why);
	return resolves;
}

/* Whether the files' ${...} references all resolve, which design §1 requires
 * before any request: only then may the observer begin reads while loading.
 * Conservative, since it reads the texts rather than the YAML: a reference in
 * a comment or written as a literal $${ counts too, and a file that is not a
 * regular file (a pipe can be read only once) or cannot be read answers no. */
static bool references_resolve(const struct file_list *files)
{
	struct buf text;
	FILE *f;
	char *dir;
	size_t i;
	bool resolves = true;

	for (i = 0; resolves && i < files->count; i++) {
		if (!(f = regular_file_open(files->paths[i], false)))
			return false;
		dir = interp_base_dir(files->paths[i]);
		buf_init(&text, YDOC_MAX_BYTES);
		resolves = dir && !buf_append_stream(&text, f) &&
			   text_references_resolve(text.data ? text.data : "", text.len, dir);
		fclose(f);
		if (text.data)
			explicit_bzero(text.data, text.cap); /* as the loader wipes it: it may hold secrets */
		buf_dispose(&text);
		free(dir);
	}
	return resolves;
}

static void loader_dispose(struct loader *l)
{
	size_t i;

	cJSON_Delete(l->body);
	cJSON_Delete(l->sensitive);
	for (i = 0; i < l->ref_count; i++) {
		free(l->refs[i].name);
		free(l->refs[i].context);
		free(l->refs[i].source);
	}
	free(l->refs);
}

/* The objects array grew by doubling: it is given back its slack before the
 * index points into it for good. */
static int fit_objects(struct desired_state *s)
{
	struct desired_object *fitted;

	if (!s->object_count)
		return 0;
	fitted = realloc(s->objects, s->object_count * sizeof(*fitted));
	if (!fitted)
		return -ENOMEM;
	s->objects = fitted;
	return 0;
}

static int load(struct desired_state **out, const char *const *paths, size_t path_count,
		const char *name, const char *data, size_t len, bool placeholders,
		const struct desired_load_observer *observer, struct diag_list *diags)
{
	struct interp_placeholders unresolved = { NULL, 0 };
	struct file_list files = { NULL, 0 };
	struct loader l = { 0 };
	size_t i, errors = diags->errors, first_diag = diags->count;
	int err = 0;

	*out = NULL;
	l.diags = diags;
	l.observer = observer;
	l.errors_before = errors;
	l.placeholders = placeholders ? &unresolved : NULL;
	l.state = calloc(1, sizeof(*l.state));
	if (!l.state)
		return -ENOMEM;
	l.state->index = object_index_new();
	if (!l.state->index) {
		free(l.state);
		return -ENOMEM;
	}
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		l.state->policy.prune[i] = PRUNE_MANAGED;
	l.state->policy.max_deletes = 20;
	l.state->policy.password_check = PASSWORD_CHECK_PROBE;
	l.state->policy.api_key_rotate_before_ms = 7LL * 24 * 3600 * 1000;
	if (data)
		err = load_one(&l, name, data, len);
	for (i = 0; !err && i < path_count; i++)
		err = list_path(&l, paths[i], &files);
	if (!err && observer && !references_resolve(&files))
		l.observer = NULL; /* the run is to stop before its first request */
	for (i = 0; !err && i < files.count; i++)
		err = load_one(&l, files.paths[i], NULL, 0);
	strlist_free(files.paths, files.count);
	if (!err && !path_count && !data)
		err = diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no-files", NULL, NULL,
			       "no desired-state file given");
	if (!err) {
		check_references(&l);
		err = l.err;
	}
	if (!err)
		err = fit_objects(l.state);
	if (!err)
		err = object_index_finish(l.state->index, l.state->objects, l.state->object_count);
	if (!err && diags->errors > errors)
		err = -EINVAL;
	sort_diags(l.state, diags, first_diag);
	if (!err) {
		l.state->unresolved = unresolved.names;
		l.state->unresolved_count = strlist_sort_unique(unresolved.names, unresolved.count);
		unresolved.names = NULL;
		*out = l.state;
		l.state = NULL;
	}
	strlist_free(unresolved.names, unresolved.count);
	desired_state_free(l.state);
	loader_dispose(&l);
	return err;
}

int desired_load(struct desired_state **out, const char *const *paths, size_t path_count,
		 struct diag_list *diags)
{
	return load(out, paths, path_count, NULL, NULL, 0, false, NULL, diags);
}

int desired_load_observed(struct desired_state **out, const char *const *paths, size_t path_count,
			  const struct desired_load_observer *observer, struct diag_list *diags)
{
	return load(out, paths, path_count, NULL, NULL, 0, false, observer, diags);
}

int desired_load_offline(struct desired_state **out, const char *const *paths, size_t path_count,
			 struct diag_list *diags)
{
	return load(out, paths, path_count, NULL, NULL, 0, true, NULL, diags);
}

int desired_load_buffer(struct desired_state **out, const char *name, const char *data,
			size_t len, struct diag_list *diags)
{
	return load(out, NULL, 0, name, data ? data : "", len, false, NULL, diags);
}
