#include "desired/loader.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "desired/es_names.h"
#include "desired/interp.h"
#include "desired/yaml_doc.h"
#include "util/buf.h"
#include "util/duration.h"
#include "util/hostport.h"
#include "util/suggest.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A name used before we know whether it is declared; checked once every file is read. */
enum ref_kind { REF_CLUSTER = 0, REF_AUTHORITY };

struct ref {
	enum ref_kind kind;
	char *name;
	bool hidden;      /* came from ${...}: never shown */
	const char *file; /* in the state's file table */
	int line, column;
	char *context;    /* "remote [a] on cluster [local]", "[roles]", ... */
};

struct loader {
	struct desired_state *state;
	struct diag_list *diags;
	struct ydoc **docs; /* kept until the end, for positions in late diagnostics */
	size_t doc_count;
	const struct ydoc *doc; /* the file being read */
	const char *file;       /* its name in state->files */
	struct ref *refs;
	size_t ref_count;
	struct src_pos policy_pos;
	bool have_policy;
	int err; /* first hard error (ENOMEM); checks stop when set */
};

/* ---- diagnostics ---- */

static void report(struct loader *l, const struct ynode *node, const char *code, const char *hint,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct loader *l, const struct ynode *node, const char *code, const char *hint,
		   const char *fmt, ...)
{
	char *message;
	va_list ap;
	int err = -ENOMEM;

	va_start(ap, fmt);
	message = buf_vformat(fmt, ap);
	va_end(ap);
	if (message)
		err = ydoc_report(l->doc, l->diags, DIAG_ERROR, node, code, hint, "%s", message);
	if (err && !l->err)
		l->err = err;
	free(message);
}

/* What a message may show of a value: never what came from ${...}. */
static const char *shown(const struct ynode *node)
{
	return node->interpolated ? SECRET_PLACEHOLDER : node->text;
}

static char *hint_did_you_mean(const char *word, const char *const *candidates, size_t count)
{
	const char *best = suggest_closest(word, candidates, count);
	struct buf hint;

	if (!best)
		return NULL;
	buf_init(&hint, BUF_SMALL_MAX);
	if (buf_printf(&hint, "did you mean [%s]?", best)) {
		buf_dispose(&hint);
		return NULL;
	}
	return buf_detach(&hint);
}

/* ---- paths ("clusters.local.tls") built on the stack of the walk ---- */

struct path {
	char text[2048]; /* names are at most 507 characters: deep paths are cut, never overrun */
};

static void path_append(struct path *p, size_t at, const char *s)
{
	size_t len = strlen(s);

	if (at >= sizeof(p->text) - 1)
		return;
	if (len > sizeof(p->text) - 1 - at)
		len = sizeof(p->text) - 1 - at;
	memcpy(p->text + at, s, len);
	p->text[at + len] = '\0';
}

static void path_init(struct path *p, const char *first)
{
	p->text[0] = '\0';
	path_append(p, 0, first);
}

static void path_child(struct path *out, const struct path *parent, const char *name)
{
	size_t len = strlen(parent->text);

	if (out != parent)
		memcpy(out->text, parent->text, len + 1);
	path_append(out, len, ".");
	path_append(out, len + 1, name);
}

static void path_index(struct path *out, const struct path *parent, size_t index)
{
	char suffix[32], *p = suffix + sizeof(suffix) - 1;

	/* by hand: this runs for every list item, and snprintf showed in profiles */
	*p = '\0';
	*--p = ']';
	do
		*--p = (char)('0' + index % 10);
	while ((index /= 10) > 0);
	*--p = '[';
	if (out != parent)
		memcpy(out->text, parent->text, strlen(parent->text) + 1);
	path_append(out, strlen(out->text), p);
}

/* ---- typed access ---- */

static bool is_absent(const struct ynode *node)
{
	return node->kind == YNODE_SCALAR && node->plain && !node->interpolated &&
	       !strcmp(node->text, "absent");
}

static bool want_kind(struct loader *l, const struct ynode *node, const struct path *p,
		      enum ynode_kind kind)
{
	if (node->broken)
		return false;
	if (node->kind == kind)
		return true;
	report(l, node, "wrong-type", NULL, "[%s] must be %s, found %s", p->text,
	       kind == YNODE_MAP ? "a mapping" : "a list",
	       ynode_describe(node));
	return false;
}

/* The body of a remote, role or user: a mapping, or the plain scalar `absent`. */
static bool want_body(struct loader *l, const struct ynode *node, const struct path *p)
{
	if (node->broken)
		return false;
	if (node->kind == YNODE_MAP || is_absent(node))
		return true;
	report(l, node, "wrong-type", NULL, "[%s] must be a mapping, or absent to delete it, found %s",
	       p->text, ynode_describe(node));
	return false;
}

static const char *want_string(struct loader *l, const struct ynode *node, const struct path *p)
{
	if (node->broken)
		return NULL;
	if (node->kind == YNODE_SCALAR && node->type == YSCALAR_STRING)
		return node->text;
	/* Where a string is expected, a value from ${...} is one, whatever it looks
	 * like: a password or name of digits must not become a number. The tree is
	 * the loader's own; retyping the node makes put_json() emit a string too. */
	if (node->kind == YNODE_SCALAR && node->interpolated) {
		((struct ynode *)node)->type = YSCALAR_STRING;
		return node->text;
	}
	report(l, node, "wrong-type",
	       node->kind == YNODE_SCALAR && node->type != YSCALAR_NULL ? "quote it to make it a string"
									: NULL,
	       "[%s] must be a string, found %s", p->text, ynode_describe(node));
	return NULL;
}

static const char *want_nonempty_string(struct loader *l, const struct ynode *node,
					const struct path *p)
{
	const char *s = want_string(l, node, p);

	if (s && !*s) {
		report(l, node, "invalid-value", NULL, "[%s] must not be empty", p->text);
		return NULL;
	}
	return s;
}

static bool is_yaml11_bool(const char *s)
{
	static const char *const words[] = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No",
					     "NO", "on", "On", "ON", "off", "Off", "OFF" };
	size_t i;

	for (i = 0; i < COUNT(words); i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

/* Only plain `true` and `false` are booleans: `yes`/`on`/`True` are what YAML 1.1
 * tools read as booleans, and a quoted "true" is a string. */
static bool want_bool(struct loader *l, const struct ynode *node, const struct path *p, bool *out)
{
	if (node->broken)
		return false;
	if (node->kind == YNODE_SCALAR && node->type == YSCALAR_BOOL &&
	    (!strcmp(node->text, "true") || !strcmp(node->text, "false"))) {
		*out = node->text[0] == 't';
		return true;
	}
	if (node->kind == YNODE_SCALAR && node->plain &&
	    (node->type == YSCALAR_BOOL || is_yaml11_bool(node->text)))
		report(l, node, "yaml11-boolean", "write true or false",
		       "[%s] must be true or false, found [%s]", p->text, shown(node));
	else
		report(l, node, "wrong-type",
		       node->kind == YNODE_SCALAR && !node->plain ? "remove the quotes" : NULL,
		       "[%s] must be true or false, found %s", p->text, ynode_describe(node));
	return false;
}

static bool want_int(struct loader *l, const struct ynode *node, const struct path *p,
		     long long min, long long *out)
{
	long long value;
	char *end;

	if (node->broken)
		return false;
	if (node->kind != YNODE_SCALAR || node->type != YSCALAR_INT) {
		report(l, node, "wrong-type", NULL, "[%s] must be an integer, found %s", p->text,
		       ynode_describe(node));
		return false;
	}
	errno = 0;
	if (!strncmp(node->text, "0x", 2))
		value = strtoll(node->text + 2, &end, 16);
	else if (!strncmp(node->text, "0o", 2))
		value = strtoll(node->text + 2, &end, 8);
	else
		value = strtoll(node->text, &end, 10);
	if (errno || *end) {
		report(l, node, "invalid-value", NULL, "[%s] is out of range", p->text);
		return false;
	}
	if (value < min) {
		report(l, node, "invalid-value", NULL, "Failed to parse value [%s] for setting [%s] "
		       "must be >= %lld", shown(node), p->text, min);
		return false;
	}
	*out = value;
	return true;
}

/* One of `choices`. Elasticsearch takes its remote enums in any case, but the
 * desired state takes them in lower case only: one spelling keeps diffs quiet and
 * agrees with the JSON Schema. */
static const char *want_enum(struct loader *l, const struct ynode *node, const struct path *p,
			     const char *const *choices, size_t count)
{
	const char *s = want_string(l, node, p);
	struct buf list;
	char *hint;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < count; i++)
		if (!strcmp(s, choices[i]))
			return choices[i];
	buf_init(&list, BUF_SMALL_MAX);
	for (i = 0; i < count; i++)
		buf_printf(&list, "%s%s", i ? (i + 1 == count ? " or " : ", ") : "", choices[i]);
	hint = node->interpolated ? NULL : hint_did_you_mean(s, choices, count);
	report(l, node, "invalid-value", hint, "[%s] must be %s, found [%s]", p->text,
	       list.data ? list.data : "", shown(node));
	free(hint);
	buf_dispose(&list);
	return NULL;
}

/* A list of strings; with allow_scalar a single string stands for a list of one. */
static bool want_string_list(struct loader *l, const struct ynode *node, const struct path *p,
			     bool allow_scalar, bool non_empty)
{
	struct path item;
	bool ok = true;
	size_t i;

	if (node->broken)
		return false;
	if (allow_scalar && node->kind == YNODE_SCALAR)
		return want_nonempty_string(l, node, p) != NULL;
	if (node->kind != YNODE_SEQ) {
		report(l, node, "wrong-type", NULL, "[%s] must be a list of strings, found %s", p->text,
		       ynode_describe(node));
		return false;
	}
	if (non_empty && !node->count) {
		report(l, node, "invalid-value", NULL, "[%s] must not be empty", p->text);
		return false;
	}
	for (i = 0; i < node->count; i++) {
		const struct ynode *it = node->items[i];

		if (it->kind == YNODE_SCALAR && it->type == YSCALAR_STRING && !it->broken)
			continue;
		path_index(&item, p, i); /* only for the message */
		want_string(l, it, &item);
		ok = false;
	}
	return ok;
}

/* Reports keys of `map` that are not in allowed[], with a "did you mean" hint. */
static void check_keys(struct loader *l, const struct ynode *map, const struct path *p,
		       const char *const *allowed, size_t count)
{
	struct buf list;
	char *hint;
	size_t i, j;
	bool known;

	for (i = 0; i < map->count; i++) {
		const struct ynode *key = map->pairs[i].key;

		for (j = 0, known = false; j < count && !known; j++)
			known = key->text[0] == allowed[j][0] && !strcmp(key->text, allowed[j]);
		if (known || key->broken)
			continue;
		hint = hint_did_you_mean(key->text, allowed, count);
		buf_init(&list, BUF_SMALL_MAX);
		if (!hint) {
			buf_puts(&list, "allowed keys: ");
			for (j = 0; j < count; j++)
				buf_printf(&list, "%s%s", j ? ", " : "", allowed[j]);
		}
		report(l, key, "unknown-key", hint ? hint : list.data, "unknown key [%s] in [%s]",
		       key->text, p->text);
		free(hint);
		buf_dispose(&list);
	}
}

static void missing_key(struct loader *l, const struct ynode *map, const struct path *p,
			const char *key, const char *hint)
{
	report(l, map, "missing-key", hint, "[%s] needs the key [%s]", p->text, key);
}

/* ---- model building ---- */

static struct src_pos pos_of(const struct loader *l, const struct ynode *node)
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

static bool oom(struct loader *l)
{
	if (!l->err)
		l->err = -ENOMEM;
	return false;
}

/* Appends a zeroed element to the array whose pointer is at array_ptr (count
 * *count, elements of `size` bytes) and returns it, or NULL after reporting that
 * memory ran out. The pointer is read and written with memcpy: array_ptr points
 * at a `T *`, not at a `void *`. */
static void *append_zeroed(struct loader *l, void *array_ptr, size_t *count, size_t size)
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

static char *dup_or_oom(struct loader *l, const char *s)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		oom(l);
	return copy;
}

static void add_ref(struct loader *l, enum ref_kind kind, const struct ynode *node,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records a name to check once every file is read; copies what it needs, since
 * streamed subtrees are gone by then. */
static void add_ref(struct loader *l, enum ref_kind kind, const struct ynode *node,
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
	r->hidden = node->interpolated;
	r->file = l->file;
	r->line = node->line;
	r->column = node->column;
	r->context = buf_detach(&context);
	if (!r->name || !r->context) {
		free(r->name);
		free(r->context);
		oom(l);
		return;
	}
	l->ref_count++;
}

/* Where to_json is in the tree, as a chain up to the body's root; turned into a
 * dotted path ("metadata.team", "indices.0.query") only when a value needs it. */
struct json_path {
	const struct json_path *parent;
	const char *key; /* NULL: an index into a list */
	size_t index;
};

static int format_json_path(struct buf *out, const struct json_path *p)
{
	int err = 0;

	if (!p)
		return 0;
	if (p->parent) {
		err = format_json_path(out, p->parent);
		if (!err)
			err = buf_puts(out, ".");
	}
	if (err)
		return err;
	return p->key ? buf_puts(out, p->key) : buf_printf(out, "%zu", p->index);
}

static cJSON *scalar_to_json(struct loader *l, const struct ynode *node,
			     const struct json_path *where)
{
	struct buf path;
	double number;

	switch (node->plain ? node->type : YSCALAR_STRING) {
	case YSCALAR_NULL: return cJSON_CreateNull();
	case YSCALAR_BOOL: return cJSON_CreateBool(!strcasecmp(node->text, "true"));
	case YSCALAR_INT:
		if (!strncmp(node->text, "0x", 2) || !strncmp(node->text, "0o", 2))
			return cJSON_CreateNumber((double)strtoll(node->text + 2, NULL,
								  node->text[1] == 'x' ? 16 : 8));
		return cJSON_CreateNumber(strtod(node->text, NULL));
	case YSCALAR_FLOAT:
		number = strtod(node->text, NULL);
		if (isfinite(number) && !strpbrk(node->text, "nN"))
			return cJSON_CreateNumber(number);
		buf_init(&path, BUF_SMALL_MAX);
		format_json_path(&path, where);
		report(l, node, "invalid-value", NULL, "[%s] is not a finite number, which JSON cannot "
		       "carry", path.data ? path.data : "");
		buf_dispose(&path);
		return cJSON_CreateNull();
	case YSCALAR_STRING: break;
	}
	return cJSON_CreateString(node->text);
}

/* The keys of role bodies, sorted. A JSON member with one of these names points
 * at the static string (cJSON_AddItemToObjectCS marks it const, so it is never
 * freed) instead of holding a copy: 10,000 roles save 100,000 allocations. */
static const char *const body_keys[] = {
	"allow_restricted_indices", "application", "applications", "cluster", "clusters",
	"description", "except", "field_security", "global", "grant", "indices", "metadata",
	"names", "privileges", "query", "remote_cluster", "remote_indices", "resources", "run_as",
};

static int compare_key(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static bool add_member(cJSON *object, const char *key, cJSON *item)
{
	const char *const *shared = bsearch(key, body_keys, COUNT(body_keys), sizeof(*body_keys),
					    compare_key);

	return shared ? cJSON_AddItemToObjectCS(object, *shared, item)
		      : cJSON_AddItemToObject(object, key, item);
}

/* Converts a YAML subtree to JSON, recording in `sensitive` the dotted paths of
 * values that came from ${...}. */
static cJSON *to_json(struct loader *l, const struct ynode *node, const struct json_path *where,
		      cJSON *sensitive)
{
	struct json_path child = { where, NULL, 0 };
	struct buf path;
	cJSON *out, *item;
	size_t i;

	if (node->kind == YNODE_SCALAR) {
		if (node->interpolated && sensitive) {
			buf_init(&path, BUF_SMALL_MAX);
			if (format_json_path(&path, where) ||
			    !cJSON_AddItemToArray(sensitive, cJSON_CreateString(path.data ? path.data : ""))) {
				buf_dispose(&path);
				return NULL;
			}
			buf_dispose(&path);
		}
		return scalar_to_json(l, node, where);
	}
	out = node->kind == YNODE_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!out)
		return NULL;
	for (i = 0; i < node->count; i++) {
		if (node->kind == YNODE_MAP) {
			child.key = node->pairs[i].key->text;
			item = to_json(l, node->pairs[i].value, &child, sensitive);
			if (!item || !add_member(out, child.key, item))
				goto fail;
		} else {
			child.key = NULL;
			child.index = i;
			item = to_json(l, node->items[i], &child, sensitive);
			if (!item || !cJSON_AddItemToArray(out, item))
				goto fail;
		}
	}
	return out;
fail:
	cJSON_Delete(item);
	cJSON_Delete(out);
	return NULL;
}

/* A path relative to the YAML file, resolved and checked to be a readable
 * regular file; NULL when invalid. */
static char *want_file(struct loader *l, const struct ynode *node, const struct path *p)
{
	const char *s = want_nonempty_string(l, node, p);
	struct buf hint;
	char *resolved;
	FILE *f;

	if (!s)
		return NULL;
	resolved = interp_resolve_path(ydoc_dir(l->doc), s);
	if (!resolved) {
		oom(l);
		return NULL;
	}
	f = interp_open_regular(resolved);
	if (f) {
		fclose(f);
		return resolved;
	}
	buf_init(&hint, BUF_SMALL_MAX);
	if (s[0] != '/' && !node->interpolated)
		buf_printf(&hint, "relative paths start at the directory of the file that names them: "
			   "looked for %s", resolved);
	report(l, node, "unreadable-file", hint.data, "cannot read [%s] named by [%s]: %s", shown(node),
	       p->text, errno == EINVAL ? "not a regular file" : strerror(errno));
	buf_dispose(&hint);
	free(resolved);
	return NULL;
}

static bool valid_cluster_alias(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool want_cluster_id(struct loader *l, const struct ynode *key, const char *what)
{
	if (valid_cluster_alias(key->text))
		return true;
	report(l, key, "invalid-name", "use letters, digits, '_' and '-'",
	       "%s [%s] is invalid: it must match [A-Za-z0-9_-]+", what, key->text);
	return false;
}

/* ---- clusters ---- */

static secret_t *want_secret(struct loader *l, const struct ynode *node, const struct path *p)
{
	const char *s = want_nonempty_string(l, node, p);
	secret_t *secret;

	if (!s)
		return NULL;
	secret = secret_new(s, node->len);
	if (!secret)
		oom(l);
	return secret;
}

static bool check_url(struct loader *l, const struct ynode *node, const struct path *p,
		      bool *out_plain_http)
{
	const char *s = want_nonempty_string(l, node, p), *host;

	if (!s)
		return false;
	if (!strncasecmp(s, "https://", 8))
		host = s + 8, *out_plain_http = false;
	else if (!strncasecmp(s, "http://", 7))
		host = s + 7, *out_plain_http = true;
	else
		host = NULL;
	if (!host || !*host || *host == '/' || strpbrk(s, " \t\r\n")) {
		report(l, node, "invalid-value", "write it as https://HOST:PORT",
		       "[%s] must be an http:// or https:// URL, found [%s]", p->text, shown(node));
		return false;
	}
	return true;
}

static void load_cluster_auth(struct loader *l, struct cluster_config *c, const struct ynode *auth,
			      const struct path *p)
{
	static const char *const keys[] = { "username", "password", "api_key" };
	const struct ynode *username = ynode_get(auth, "username");
	const struct ynode *password = ynode_get(auth, "password");
	const struct ynode *api_key = ynode_get(auth, "api_key");
	struct path child;

	check_keys(l, auth, p, keys, COUNT(keys));
	if (api_key && (username || password)) {
		report(l, api_key, "conflicting-keys", NULL,
		       "[%s] takes either username and password, or api_key, not both", p->text);
		return;
	}
	if (api_key) {
		path_child(&child, p, "api_key");
		c->api_key = want_secret(l, api_key, &child);
		return;
	}
	if (!username && !password) {
		missing_key(l, auth, p, "username", "give username and password, or api_key");
		return;
	}
	if (!password) {
		missing_key(l, auth, p, "password", "username needs a password");
		return;
	}
	if (!username) {
		missing_key(l, auth, p, "username", "password needs a username");
		return;
	}
	path_child(&child, p, "username");
	if (want_nonempty_string(l, username, &child))
		c->username = dup_or_oom(l, username->text);
	path_child(&child, p, "password");
	c->password = want_secret(l, password, &child);
}

static void load_cluster_tls(struct loader *l, struct cluster_config *c, const struct ynode *tls,
			     const struct path *p)
{
	static const char *const keys[] = { "ca_file", "client_cert_file", "client_key_file",
					    "verify" };
	static const char *const verify_modes[] = { "full", "certificate", "none" };
	const struct ynode *node;
	const char *verify;
	struct path child;

	check_keys(l, tls, p, keys, COUNT(keys));
	if ((node = ynode_get(tls, "ca_file"))) {
		path_child(&child, p, "ca_file");
		c->ca_file = want_file(l, node, &child);
	}
	if ((node = ynode_get(tls, "client_cert_file"))) {
		path_child(&child, p, "client_cert_file");
		c->client_cert_file = want_file(l, node, &child);
	}
	if ((node = ynode_get(tls, "client_key_file"))) {
		path_child(&child, p, "client_key_file");
		c->client_key_file = want_file(l, node, &child);
	}
	if (!ynode_get(tls, "client_cert_file") != !ynode_get(tls, "client_key_file"))
		missing_key(l, tls, p, ynode_get(tls, "client_cert_file") ? "client_key_file"
									  : "client_cert_file",
			    "a client certificate needs its key, and the key its certificate");
	if ((node = ynode_get(tls, "verify"))) {
		path_child(&child, p, "verify");
		verify = want_enum(l, node, &child, verify_modes, COUNT(verify_modes));
		if (verify)
			c->verify = !strcmp(verify, "full") ? TLS_VERIFY_FULL
				    : !strcmp(verify, "certificate") ? TLS_VERIFY_CERTIFICATE
								     : TLS_VERIFY_NONE;
		if (verify && c->verify == TLS_VERIFY_NONE &&
		    ydoc_report(l->doc, l->diags, DIAG_WARNING, node, "tls-verify-none", NULL,
				"TLS verification is disabled for cluster [%s]", c->id))
			oom(l);
	}
}

/* The message for a time value that does not parse: Elasticsearch's, unless the
 * value came from ${...} and must not be shown. */
static void report_bad_time(struct loader *l, const struct ynode *node, const struct path *p,
			    const struct buf *why)
{
	if (node->interpolated)
		report(l, node, "invalid-value", "write a time value such as 30s or 2m",
		       "[%s] is not a valid time value", p->text);
	else
		report(l, node, "invalid-value", "write a time value such as 30s or 2m", "%s",
		       why->data ? why->data : "invalid time value");
}

/* Elasticsearch time values for our own settings (timeouts): at least 1ms. */
static bool want_positive_time(struct loader *l, const struct ynode *node, const struct path *p,
			       long *out_ms)
{
	const char *s = want_string(l, node, p);
	struct buf why;
	long long ns = 0;
	int err;

	if (!s)
		return false;
	buf_init(&why, BUF_SMALL_MAX);
	err = duration_check(&ns, s, p->text, &why);
	if (err)
		report_bad_time(l, node, p, &why);
	else if (ns < 1000000)
		report(l, node, "invalid-value", "write a time value such as 30s or 2m",
		       "[%s] must be at least 1ms", p->text);
	buf_dispose(&why);
	if (err || ns < 1000000)
		return false;
	*out_ms = ns / 1000000 > 2147483647 ? 2147483647 : (long)(ns / 1000000);
	return true;
}

static void load_cluster(struct loader *l, const struct ynode *key, const struct ynode *body)
{
	static const char *const keys[] = { "url", "urls", "auth", "tls", "timeout",
					    "allow_insecure_http" };
	struct cluster_config *c;
	const struct ynode *url = ynode_get(body, "url"), *urls = ynode_get(body, "urls");
	const struct ynode *auth = ynode_get(body, "auth"), *node, *first_http = NULL;
	struct path p, child, item;
	bool plain_http = false;
	size_t i;

	path_init(&p, "clusters");
	path_child(&p, &p, key->text);
	if (!want_cluster_id(l, key, "cluster id") || !want_kind(l, body, &p, YNODE_MAP))
		return;
	c = append_zeroed(l, &l->state->clusters, &l->state->cluster_count, sizeof(*c));
	if (!c)
		return;
	c->id = dup_or_oom(l, key->text);
	c->pos = pos_of(l, key);
	c->timeout_ms = 30000;
	c->verify = TLS_VERIFY_FULL;
	check_keys(l, body, &p, keys, COUNT(keys));

	if (url && urls)
		report(l, urls, "conflicting-keys", "keep one of them",
		       "[%s] takes either url or urls, not both", p.text);
	else if (!url && !urls)
		missing_key(l, body, &p, "url", "give url: https://HOST:9200, or urls: [...]");
	if (url && !urls) {
		path_child(&child, &p, "url");
		if (check_url(l, url, &child, &plain_http)) {
			c->urls = calloc(1, sizeof(char *));
			if (!c->urls || !(c->urls[0] = strdup(url->text)))
				oom(l);
			else
				c->url_count = 1;
			if (plain_http)
				first_http = url;
		}
	} else if (urls && !url) {
		path_child(&child, &p, "urls");
		if (want_kind(l, urls, &child, YNODE_SEQ)) {
			if (!urls->count)
				report(l, urls, "invalid-value", NULL, "[%s] must not be empty", child.text);
			c->urls = calloc(urls->count ? urls->count : 1, sizeof(char *));
			if (!c->urls)
				oom(l);
			for (i = 0; c->urls && i < urls->count; i++) {
				path_index(&item, &child, i);
				if (!check_url(l, urls->items[i], &item, &plain_http))
					continue;
				if (!(c->urls[c->url_count] = strdup(urls->items[i]->text)))
					oom(l);
				else
					c->url_count++;
				if (plain_http && !first_http)
					first_http = urls->items[i];
			}
		}
	}
	if (auth) {
		path_child(&child, &p, "auth");
		if (want_kind(l, auth, &child, YNODE_MAP))
			load_cluster_auth(l, c, auth, &child);
	}
	if ((node = ynode_get(body, "tls"))) {
		path_child(&child, &p, "tls");
		if (want_kind(l, node, &child, YNODE_MAP))
			load_cluster_tls(l, c, node, &child);
	}
	if ((node = ynode_get(body, "timeout"))) {
		path_child(&child, &p, "timeout");
		want_positive_time(l, node, &child, &c->timeout_ms);
	}
	if ((node = ynode_get(body, "allow_insecure_http"))) {
		path_child(&child, &p, "allow_insecure_http");
		want_bool(l, node, &child, &c->allow_insecure_http);
	}
	if (first_http && auth && !c->allow_insecure_http)
		report(l, first_http, "insecure-http", "use https://, or set allow_insecure_http: true "
		       "if the network is trusted",
		       "cluster [%s] would send credentials over plain http://", c->id);
}

/* ---- trust ---- */

static void load_authorities(struct loader *l, const struct ynode *map, const struct path *p)
{
	struct trust_authority *a;
	struct path child;
	size_t i;
	char *resolved;

	for (i = 0; i < map->count && !l->err; i++) {
		const struct ynode *key = map->pairs[i].key, *value = map->pairs[i].value;

		path_child(&child, p, key->text);
		if (!want_cluster_id(l, key, "authority name"))
			continue;
		resolved = want_file(l, value, &child);
		if (!resolved)
			continue;
		a = append_zeroed(l, &l->state->authorities, &l->state->authority_count, sizeof(*a));
		if (!a) {
			free(resolved);
			return;
		}
		a->name = dup_or_oom(l, key->text);
		a->ca_file = resolved;
		a->pos = pos_of(l, key);
	}
}

static void load_trust_cluster(struct loader *l, const struct ynode *key, const struct ynode *body,
			       const struct path *p)
{
	static const char *const keys[] = { "transport_ca", "trusts" };
	const struct ynode *ca = ynode_get(body, "transport_ca");
	const struct ynode *trusts = ynode_get(body, "trusts");
	struct trust_cluster *t;
	struct path child;
	size_t i;

	if (!want_kind(l, body, p, YNODE_MAP))
		return;
	check_keys(l, body, p, keys, COUNT(keys));
	if (!ca)
		missing_key(l, body, p, "transport_ca", "name the authority that signs this cluster's "
			    "transport certificates");
	if (!trusts)
		missing_key(l, body, p, "trusts", "list the authorities this cluster's transport trusts");
	t = append_zeroed(l, &l->state->trust_clusters, &l->state->trust_cluster_count, sizeof(*t));
	if (!t)
		return;
	t->cluster = dup_or_oom(l, key->text);
	t->pos = pos_of(l, key);
	add_ref(l, REF_CLUSTER, key, "[trust.clusters]");
	path_child(&child, p, "transport_ca");
	if (ca && want_nonempty_string(l, ca, &child)) {
		t->transport_ca = dup_or_oom(l, ca->text);
		add_ref(l, REF_AUTHORITY, ca, "[%s]", child.text);
	}
	path_child(&child, p, "trusts");
	if (trusts && want_string_list(l, trusts, &child, false, true)) {
		t->trusts = calloc(trusts->count, sizeof(char *));
		if (!t->trusts) {
			oom(l);
			return;
		}
		for (i = 0; i < trusts->count; i++) {
			t->trusts[t->trust_count++] = dup_or_oom(l, trusts->items[i]->text);
			add_ref(l, REF_AUTHORITY, trusts->items[i], "[%s]", child.text);
		}
	}
}

static void load_trust(struct loader *l, const struct ynode *trust)
{
	static const char *const keys[] = { "authorities", "clusters" };
	const struct ynode *node;
	struct path p, child;
	size_t i;

	path_init(&p, "trust");
	if (!want_kind(l, trust, &p, YNODE_MAP))
		return;
	check_keys(l, trust, &p, keys, COUNT(keys));
	if ((node = ynode_get(trust, "authorities"))) {
		path_child(&child, &p, "authorities");
		if (want_kind(l, node, &child, YNODE_MAP))
			load_authorities(l, node, &child);
	}
	if ((node = ynode_get(trust, "clusters"))) {
		path_child(&child, &p, "clusters");
		if (want_kind(l, node, &child, YNODE_MAP)) {
			struct path entry;

			for (i = 0; i < node->count && !l->err; i++) {
				path_child(&entry, &child, node->pairs[i].key->text);
				if (want_cluster_id(l, node->pairs[i].key, "cluster id"))
					load_trust_cluster(l, node->pairs[i].key, node->pairs[i].value,
							   &entry);
			}
		}
	}
}

/* ---- remotes, roles, users ---- */

static struct desired_object *new_object(struct loader *l, enum resource_kind kind,
					 const struct ynode *cluster, const struct ynode *name)
{
	struct desired_object *o = append_zeroed(l, &l->state->objects, &l->state->object_count,
						 sizeof(*o));

	if (!o)
		return NULL;
	o->kind = kind;
	o->cluster = dup_or_oom(l, cluster->text);
	o->name = dup_or_oom(l, name->text);
	o->pos = pos_of(l, name);
	o->sensitive_paths = cJSON_CreateArray();
	if (!o->sensitive_paths)
		oom(l);
	return o;
}

/* A remote or user whose body is filled key by key: the new object with an
 * empty body, or NULL when it is declared absent (or memory ran out). */
static struct desired_object *new_object_with_body(struct loader *l, enum resource_kind kind,
						   const struct ynode *cluster,
						   const struct ynode *name,
						   const struct ynode *body)
{
	struct desired_object *o = new_object(l, kind, cluster, name);

	if (!o)
		return NULL;
	o->absent = is_absent(body);
	if (o->absent)
		return NULL;
	o->body = cJSON_CreateObject();
	if (!o->body) {
		oom(l);
		return NULL;
	}
	return o;
}

/* Adds body[key] = the YAML value as JSON (remote keys are flat: "transport.compress"). */
static void put_json(struct loader *l, struct desired_object *o, const char *key,
		     const struct ynode *value)
{
	struct json_path where = { NULL, key, 0 };
	cJSON *json;

	if (!o->body)
		return;
	json = to_json(l, value, &where, o->sensitive_paths);
	if (!json || !cJSON_AddItemToObject(o->body, key, json)) {
		cJSON_Delete(json);
		oom(l);
	}
}

static void check_hostport(struct loader *l, const struct ynode *node, const struct path *p)
{
	struct buf why;
	int port;

	if (!want_nonempty_string(l, node, p))
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (hostport_parse(&port, node->text, &why) == -EINVAL) {
		if (node->interpolated) { /* say what is wrong without showing the value */
			buf_reset(&why);
			hostport_parse(&port, "(sensitive)", &why);
		}
		report(l, node, "invalid-value", "write it as host:port, e.g. 10.0.0.1:9300 or "
		       "[::1]:9300", "%s", why.data ? why.data : "invalid address");
	}
	buf_dispose(&why);
}

static void check_remote_time(struct loader *l, const struct ynode *node, const struct path *p,
			      const char *setting)
{
	struct buf why;
	long long ns;

	if (!want_string(l, node, p))
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (duration_check(&ns, node->text, setting, &why))
		report_bad_time(l, node, p, &why);
	buf_dispose(&why);
}

static void load_remote_transport(struct loader *l, struct desired_object *o,
				  const struct ynode *transport, const struct path *p)
{
	static const char *const keys[] = { "compress", "ping_schedule", "compression_scheme" };
	static const char *const compress_values[] = { "true", "false", "indexing_data" };
	static const char *const schemes[] = { "deflate", "lz4" };
	const struct ynode *node;
	struct path child;
	char setting[512];
	bool flag;

	if (!want_kind(l, transport, p, YNODE_MAP))
		return;
	check_keys(l, transport, p, keys, COUNT(keys));
	if ((node = ynode_get(transport, "compress"))) {
		path_child(&child, p, "compress");
		if (node->kind == YNODE_SCALAR && node->plain && node->type == YSCALAR_BOOL ?
			    want_bool(l, node, &child, &flag) :
			    want_enum(l, node, &child, compress_values, COUNT(compress_values)) != NULL)
			put_json(l, o, "transport.compress", node);
	}
	if ((node = ynode_get(transport, "ping_schedule"))) {
		path_child(&child, p, "ping_schedule");
		snprintf(setting, sizeof(setting), "cluster.remote.%s.transport.ping_schedule", o->name);
		check_remote_time(l, node, &child, setting);
		put_json(l, o, "transport.ping_schedule", node);
	}
	if ((node = ynode_get(transport, "compression_scheme"))) {
		path_child(&child, p, "compression_scheme");
		if (want_enum(l, node, &child, schemes, COUNT(schemes)))
			put_json(l, o, "transport.compression_scheme", node);
	}
}

/* Keys that belong to one mode only, with the mode they require. */
static const struct {
	const char *key;
	bool proxy;
} mode_keys[] = {
	{ "seeds", false }, { "node_connections", false },
	{ "proxy_address", true }, { "proxy_socket_connections", true }, { "server_name", true },
};

static void load_remote_body(struct loader *l, struct desired_object *o, const struct ynode *body,
			     const struct path *p)
{
	static const char *const keys[] = { "cluster", "mode", "seeds", "node_connections",
					    "proxy_address", "proxy_socket_connections",
					    "server_name", "skip_unavailable", "transport" };
	static const char *const modes[] = { "sniff", "proxy" };
	const struct ynode *node, *mode_node = ynode_get(body, "mode");
	const char *mode = "sniff";
	struct path child, item;
	long long count;
	bool flag, proxy;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if (mode_node) {
		path_child(&child, p, "mode");
		mode = want_enum(l, mode_node, &child, modes, COUNT(modes));
		if (!mode)
			return; /* the mode-specific checks would only add noise */
		put_json(l, o, "mode", mode_node);
	}
	proxy = !strcmp(mode, "proxy");
	for (i = 0; i < COUNT(mode_keys); i++) {
		const struct ynode *key_node = NULL;
		size_t k;

		if (mode_keys[i].proxy == proxy || !(node = ynode_get(body, mode_keys[i].key)))
			continue;
		for (k = 0; k < body->count; k++)
			if (body->pairs[k].value == node)
				key_node = body->pairs[k].key;
		report(l, key_node, "mode-mismatch",
		       proxy ? "seeds and node_connections belong to mode: sniff"
			     : "proxy_address, proxy_socket_connections and server_name belong to "
			       "mode: proxy",
		       "Setting \"cluster.remote.%s.%s\" cannot be used with the configured "
		       "\"cluster.remote.%s.mode\" [required=%s, configured=%s]", o->name,
		       mode_keys[i].key, o->name, proxy ? "SNIFF" : "PROXY", proxy ? "PROXY" : "SNIFF");
	}
	if ((node = ynode_get(body, "cluster"))) {
		path_child(&child, p, "cluster");
		if (want_nonempty_string(l, node, &child)) {
			o->remote_cluster = dup_or_oom(l, node->text);
			add_ref(l, REF_CLUSTER, node, "remote [%s] on cluster [%s]", o->name, o->cluster);
		}
	}
	if ((node = ynode_get(body, "seeds")) && !proxy) {
		path_child(&child, p, "seeds");
		if (want_kind(l, node, &child, YNODE_SEQ)) {
			for (i = 0; i < node->count; i++) {
				path_index(&item, &child, i);
				check_hostport(l, node->items[i], &item);
			}
			put_json(l, o, "seeds", node);
		}
	}
	if (!proxy && (!ynode_get(body, "seeds") || !ynode_get(body, "seeds")->count) &&
	    !ynode_get(body, "cluster"))
		report(l, ynode_get(body, "seeds") ? ynode_get(body, "seeds") : body, "missing-key",
		       "add seeds: [\"HOST:9300\"], or cluster: ID naming a declared cluster",
		       "remote [%s] on cluster [%s] is in sniff mode and needs seeds", o->name,
		       o->cluster);
	if ((node = ynode_get(body, "proxy_address")) && proxy) {
		path_child(&child, p, "proxy_address");
		check_hostport(l, node, &child);
		put_json(l, o, "proxy_address", node);
	}
	if (proxy && !ynode_get(body, "proxy_address"))
		report(l, body, "missing-key", "add proxy_address: \"HOST:PORT\"",
		       "remote [%s] on cluster [%s] is in proxy mode and needs proxy_address", o->name,
		       o->cluster);
	if ((node = ynode_get(body, "server_name")) && proxy) {
		path_child(&child, p, "server_name");
		if (want_string(l, node, &child))
			put_json(l, o, "server_name", node);
	}
	if ((node = ynode_get(body, proxy ? "proxy_socket_connections" : "node_connections"))) {
		const char *key = proxy ? "proxy_socket_connections" : "node_connections";
		char setting[512];
		struct path sp;

		snprintf(setting, sizeof(setting), "cluster.remote.%s.%s", o->name, key);
		path_init(&sp, setting);
		if (want_int(l, node, &sp, 1, &count))
			put_json(l, o, key, node);
	}
	if ((node = ynode_get(body, "skip_unavailable"))) {
		path_child(&child, p, "skip_unavailable");
		if (want_bool(l, node, &child, &flag))
			put_json(l, o, "skip_unavailable", node);
	}
	if ((node = ynode_get(body, "transport"))) {
		path_child(&child, p, "transport");
		load_remote_transport(l, o, node, &child);
	}
}

static void load_remote(struct loader *l, const struct ynode *cluster, const struct ynode *name,
			const struct ynode *body, const struct path *p)
{
	struct desired_object *o;

	if (!valid_cluster_alias(name->text)) {
		report(l, name, "invalid-name", "use letters, digits, '_' and '-'",
		       "remote cluster alias [%s] is invalid: it must match [A-Za-z0-9_-]+", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	o = new_object_with_body(l, RESOURCE_REMOTE, cluster, name, body);
	if (o)
		load_remote_body(l, o, body, p);
}

static void check_privileges(struct loader *l, const struct ynode *list, bool cluster_level)
{
	size_t count, i;
	const char *const *names = cluster_level ? es_cluster_privileges(&count)
						 : es_index_privileges(&count);
	char *hint;

	for (i = 0; i < list->count; i++) {
		const struct ynode *item = list->items[i];

		if (item->kind != YNODE_SCALAR || item->type != YSCALAR_STRING ||
		    (cluster_level ? es_cluster_privilege_known(item->text)
				   : es_index_privilege_known(item->text)))
			continue;
		hint = item->interpolated ? NULL : hint_did_you_mean(item->text, names, count);
		report(l, item, "unknown-privilege", hint,
		       "unknown %s privilege [%s]. a privilege must be either one of the predefined "
		       "%s privilege names or a pattern over one of the available %s actions",
		       cluster_level ? "cluster" : "index", shown(item),
		       cluster_level ? "cluster" : "fixed indices", cluster_level ? "cluster" : "index");
		free(hint);
	}
}

static void check_metadata(struct loader *l, const struct ynode *metadata, const struct path *p,
			   const char *message)
{
	size_t i;

	if (!want_kind(l, metadata, p, YNODE_MAP))
		return;
	for (i = 0; i < metadata->count; i++)
		if (metadata->pairs[i].key->text[0] == '_')
			report(l, metadata->pairs[i].key, "reserved-metadata-key",
			       "keys starting with _ are reserved for Elasticsearch", "%s", message);
}

/* indices[] and remote_indices[] entries (the latter also name their clusters). */
static void check_index_entry(struct loader *l, const struct ynode *entry, const struct path *p,
			      bool remote)
{
	static const char *const keys[] = { "names", "privileges", "field_security", "query",
					    "allow_restricted_indices", "clusters" };
	static const char *const field_keys[] = { "grant", "except" };
	const struct ynode *node;
	struct path child, sub;
	bool flag;
	size_t i;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys) - (remote ? 0 : 1));
	if (!(node = ynode_get(entry, "names"))) {
		missing_key(l, entry, p, "names", "list the index names or patterns");
	} else {
		path_child(&child, p, "names");
		want_string_list(l, node, &child, true, true);
	}
	if (!(node = ynode_get(entry, "privileges"))) {
		missing_key(l, entry, p, "privileges", "list the index privileges, e.g. [read]");
	} else {
		path_child(&child, p, "privileges");
		if (want_string_list(l, node, &child, false, true))
			check_privileges(l, node, false);
	}
	if (remote) {
		if (!(node = ynode_get(entry, "clusters"))) {
			missing_key(l, entry, p, "clusters", "list the remote cluster aliases it applies to");
		} else {
			path_child(&child, p, "clusters");
			want_string_list(l, node, &child, false, true);
		}
	}
	if ((node = ynode_get(entry, "field_security"))) {
		path_child(&child, p, "field_security");
		if (want_kind(l, node, &child, YNODE_MAP)) {
			check_keys(l, node, &child, field_keys, COUNT(field_keys));
			for (i = 0; i < COUNT(field_keys); i++) {
				path_child(&sub, &child, field_keys[i]);
				if (ynode_get(node, field_keys[i]))
					want_string_list(l, ynode_get(node, field_keys[i]), &sub, false,
							 false);
			}
		}
	}
	if ((node = ynode_get(entry, "query"))) {
		path_child(&child, p, "query");
		if (node->kind != YNODE_MAP)
			want_string(l, node, &child);
	}
	if ((node = ynode_get(entry, "allow_restricted_indices"))) {
		path_child(&child, p, "allow_restricted_indices");
		want_bool(l, node, &child, &flag);
	}
}

static void check_application_entry(struct loader *l, const struct ynode *entry,
				    const struct path *p)
{
	static const char *const keys[] = { "application", "privileges", "resources" };
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys));
	for (i = 0; i < COUNT(keys); i++) {
		path_child(&child, p, keys[i]);
		if (!(node = ynode_get(entry, keys[i])))
			missing_key(l, entry, p, keys[i], NULL);
		else if (i == 0)
			want_nonempty_string(l, node, &child);
		else
			want_string_list(l, node, &child, false, true);
	}
}

static void check_remote_cluster_entry(struct loader *l, const struct ynode *entry,
				       const struct path *p)
{
	static const char *const keys[] = { "privileges", "clusters" };
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys));
	if (!(node = ynode_get(entry, "privileges"))) {
		missing_key(l, entry, p, "privileges", "e.g. [monitor_enrich]");
	} else {
		path_child(&child, p, "privileges");
		if (want_string_list(l, node, &child, false, true))
			for (i = 0; i < node->count; i++)
				if (!es_remote_cluster_privilege_known(node->items[i]->text))
					report(l, node->items[i], "unknown-privilege", NULL,
					       "unknown remote_cluster privilege [%s]: use monitor_enrich "
					       "or monitor_stats", shown(node->items[i]));
	}
	if (!(node = ynode_get(entry, "clusters"))) {
		missing_key(l, entry, p, "clusters", "list the remote cluster aliases it applies to");
	} else {
		path_child(&child, p, "clusters");
		want_string_list(l, node, &child, false, true);
	}
}

/* Checks each entry of a list-of-mappings field of a role. */
static void check_entries(struct loader *l, const struct ynode *list, const struct path *p,
			  void (*check)(struct loader *, const struct ynode *, const struct path *))
{
	struct path item;
	size_t i;

	if (!want_kind(l, list, p, YNODE_SEQ))
		return;
	for (i = 0; i < list->count; i++) {
		path_index(&item, p, i);
		check(l, list->items[i], &item);
	}
}

static void check_local_index_entry(struct loader *l, const struct ynode *e, const struct path *p)
{
	check_index_entry(l, e, p, false);
}

static void check_remote_index_entry(struct loader *l, const struct ynode *e, const struct path *p)
{
	check_index_entry(l, e, p, true);
}

static void check_role_body(struct loader *l, const struct ynode *body, const struct path *p)
{
	static const char *const keys[] = { "cluster", "indices", "applications", "run_as",
					    "metadata", "remote_indices", "remote_cluster",
					    "description", "global" };
	/* the descriptor's lists of entries, each entry checked on its own */
	static const struct {
		const char *key;
		void (*check)(struct loader *, const struct ynode *, const struct path *);
	} entry_lists[] = {
		{ "indices", check_local_index_entry },
		{ "remote_indices", check_remote_index_entry },
		{ "applications", check_application_entry },
		{ "remote_cluster", check_remote_cluster_entry },
	};
	const struct ynode *node;
	struct path child;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if ((node = ynode_get(body, "cluster"))) {
		path_child(&child, p, "cluster");
		if (want_string_list(l, node, &child, false, false))
			check_privileges(l, node, true);
	}
	for (i = 0; i < COUNT(entry_lists); i++) {
		if ((node = ynode_get(body, entry_lists[i].key))) {
			path_child(&child, p, entry_lists[i].key);
			check_entries(l, node, &child, entry_lists[i].check);
		}
	}
	if ((node = ynode_get(body, "run_as"))) {
		path_child(&child, p, "run_as");
		want_string_list(l, node, &child, false, false);
	}
	if ((node = ynode_get(body, "metadata"))) {
		path_child(&child, p, "metadata");
		check_metadata(l, node, &child, "role descriptor metadata keys may not start with [_]");
	}
	if ((node = ynode_get(body, "description"))) {
		path_child(&child, p, "description");
		want_string(l, node, &child);
	}
	if ((node = ynode_get(body, "global"))) {
		path_child(&child, p, "global");
		want_kind(l, node, &child, YNODE_MAP);
	}
}

static const char security_name_rule[] =
	"names must be at least 1 and no more than 507 characters. They can contain alphanumeric "
	"characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin "
	"(ASCII) block. Leading or trailing whitespace is not allowed.";

static void load_role(struct loader *l, const struct ynode *cluster, const struct ynode *name,
		      const struct ynode *body, const struct path *p)
{
	struct desired_object *o;
	size_t errors = l->diags->errors;

	if (!es_valid_security_name(name->text)) {
		report(l, name, "invalid-name", NULL, "Role %s", security_name_rule);
		return;
	}
	if (es_role_is_reserved(name->text)) {
		report(l, name, "reserved-name", "choose another name",
		       "Role [%s] is reserved and may not be used.", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	if (!is_absent(body))
		check_role_body(l, body, p);
	o = new_object(l, RESOURCE_ROLE, cluster, name);
	if (!o)
		return;
	o->absent = is_absent(body);
	if (!o->absent && l->diags->errors == errors) {
		o->body = to_json(l, body, NULL, o->sensitive_paths);
		if (!o->body)
			oom(l);
	}
}

static void load_user_body(struct loader *l, struct desired_object *o, const struct ynode *body,
			   const struct path *p, bool reserved)
{
	static const char *const keys[] = { "password", "password_hash", "roles", "full_name",
					    "email", "metadata", "enabled" };
	const struct ynode *password = ynode_get(body, "password");
	const struct ynode *hash = ynode_get(body, "password_hash"), *node;
	struct path child;
	bool flag;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if (reserved) {
		for (i = 0; i < body->count; i++)
			if (strcmp(body->pairs[i].key->text, "password") != 0 &&
			    !ynode_get(body, body->pairs[i].key->text)->broken)
				report(l, body->pairs[i].key, "reserved-name",
				       "only password may be set for a built-in user",
				       "user [%s] is reserved and only the password can be changed",
				       o->name);
		if (!password)
			missing_key(l, body, p, "password", "a built-in user's password is all that "
				    "can be managed");
	}
	if (password && hash) {
		report(l, hash, "conflicting-keys", "keep one of them",
		       "[%s] takes either password or password_hash, not both", p->text);
		return;
	}
	if (password) {
		path_child(&child, p, "password");
		o->password = want_secret(l, password, &child);
		if (o->password) {
			size_t chars = 0;
			const unsigned char *c;

			for (c = (const unsigned char *)password->text; *c; c++)
				chars += (*c & 0xC0) != 0x80;
			if (chars < 6)
				report(l, password, "invalid-value", NULL,
				       "passwords must be at least [6] characters long");
		}
	}
	if (hash) {
		path_child(&child, p, "password_hash");
		o->password_hash = want_secret(l, hash, &child);
	}
	if (reserved)
		return;
	if (!(node = ynode_get(body, "roles"))) {
		missing_key(l, body, p, "roles", "Elasticsearch requires roles on every user write; "
			    "write roles: [] for none");
	} else {
		path_child(&child, p, "roles");
		if (want_string_list(l, node, &child, false, false))
			put_json(l, o, "roles", node);
	}
	if ((node = ynode_get(body, "full_name"))) {
		path_child(&child, p, "full_name");
		if (want_string(l, node, &child))
			put_json(l, o, "full_name", node);
	}
	if ((node = ynode_get(body, "email"))) {
		path_child(&child, p, "email");
		if (want_string(l, node, &child))
			put_json(l, o, "email", node);
	}
	if ((node = ynode_get(body, "metadata"))) {
		size_t errors = l->diags->errors;

		path_child(&child, p, "metadata");
		check_metadata(l, node, &child, "metadata keys may not start with [_]");
		if (l->diags->errors == errors)
			put_json(l, o, "metadata", node);
	}
	if ((node = ynode_get(body, "enabled"))) {
		path_child(&child, p, "enabled");
		if (want_bool(l, node, &child, &flag))
			put_json(l, o, "enabled", node);
	}
}

static void load_user(struct loader *l, const struct ynode *cluster, const struct ynode *name,
		      const struct ynode *body, const struct path *p)
{
	bool reserved = es_user_is_reserved(name->text);
	struct desired_object *o;

	if (!es_valid_security_name(name->text)) {
		report(l, name, "invalid-name", NULL, "User %s", security_name_rule);
		return;
	}
	if (is_absent(body) && reserved) {
		report(l, body, "reserved-name", "built-in users can only have their password set",
		       "user [%s] is reserved and cannot be deleted", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	o = new_object_with_body(l, RESOURCE_USER, cluster, name, body);
	if (o)
		load_user_body(l, o, body, p, reserved);
}

typedef void (*object_loader)(struct loader *, const struct ynode *cluster,
			      const struct ynode *name, const struct ynode *body,
			      const struct path *p);

static object_loader loader_of(const char *section)
{
	return !strcmp(section, "remotes") ? load_remote : !strcmp(section, "roles") ? load_role
										 : load_user;
}

static void load_entry(struct loader *l, const char *section, const struct ynode *cluster,
		       const struct ynode *name, const struct ynode *body)
{
	struct path p;

	path_init(&p, section);
	path_child(&p, &p, cluster->text);
	path_child(&p, &p, name->text);
	loader_of(section)(l, cluster, name, body, &p);
}

/* remotes, roles and users share their shape: cluster id → name → body | absent.
 * Mapping bodies were already read while parsing (stream_entry). */
static void load_objects(struct loader *l, const struct ynode *section, const char *section_name)
{
	const struct ynode *cluster, *objects;
	struct path p, cp;
	size_t i, j;

	path_init(&p, section_name);
	if (!want_kind(l, section, &p, YNODE_MAP))
		return;
	for (i = 0; i < section->count && !l->err; i++) {
		cluster = section->pairs[i].key;
		objects = section->pairs[i].value;
		path_child(&cp, &p, cluster->text);
		if (!want_cluster_id(l, cluster, "cluster id"))
			continue;
		add_ref(l, REF_CLUSTER, cluster, "[%s]", section_name);
		if (!want_kind(l, objects, &cp, YNODE_MAP))
			continue;
		for (j = 0; j < objects->count && !l->err; j++)
			if (!objects->pairs[j].value->consumed)
				load_entry(l, section_name, cluster, objects->pairs[j].key,
					   objects->pairs[j].value);
	}
}

static const char *const streamed_sections[] = { "remotes", "roles", "users" };

static int stream_entry(void *ctx, const struct ydoc *doc, const struct ynode *section,
			const struct ynode *cluster, const struct ynode *name,
			const struct ynode *value)
{
	struct loader *l = ctx;

	l->doc = doc;
	load_entry(l, section->text, cluster, name, value);
	return l->err;
}

/* ---- policy ---- */

static void load_policy(struct loader *l, const struct ynode *policy)
{
	static const char *const keys[] = { "prune", "max_deletes", "password_check" };
	static const char *const prune_keys[] = { "remotes", "roles", "users" };
	static const char *const prune_values[] = { "none", "managed", "all" };
	static const char *const checks[] = { "probe", "on_create" };
	const struct ynode *node, *prune;
	const char *value;
	struct path p, child, sub;
	long long max;
	size_t i;

	path_init(&p, "policy");
	if (!want_kind(l, policy, &p, YNODE_MAP))
		return;
	check_keys(l, policy, &p, keys, COUNT(keys));
	if ((prune = ynode_get(policy, "prune"))) {
		path_child(&child, &p, "prune");
		if (want_kind(l, prune, &child, YNODE_MAP)) {
			check_keys(l, prune, &child, prune_keys, COUNT(prune_keys));
			for (i = 0; i < COUNT(prune_keys); i++) {
				if (!(node = ynode_get(prune, prune_keys[i])))
					continue;
				path_child(&sub, &child, prune_keys[i]);
				value = want_enum(l, node, &sub, prune_values, COUNT(prune_values));
				if (value)
					l->state->policy.prune[i] = !strcmp(value, "none") ? PRUNE_NONE
								    : !strcmp(value, "all") ? PRUNE_ALL
											    : PRUNE_MANAGED;
			}
		}
	}
	if ((node = ynode_get(policy, "max_deletes"))) {
		path_child(&child, &p, "max_deletes");
		if (want_int(l, node, &child, 0, &max))
			l->state->policy.max_deletes = max > 1000000000 ? 1000000000 : (long)max;
	}
	if ((node = ynode_get(policy, "password_check"))) {
		path_child(&child, &p, "password_check");
		value = want_enum(l, node, &child, checks, COUNT(checks));
		if (value)
			l->state->policy.password_check = !strcmp(value, "probe")
								  ? PASSWORD_CHECK_PROBE
								  : PASSWORD_CHECK_ON_CREATE;
	}
}

/* ---- one file ---- */

static const char *const top_keys[] = { "version", "clusters", "trust", "remotes", "roles",
					"users", "policy" };

static void load_document(struct loader *l, const struct ydoc *doc, const char *file)
{
	const struct ynode *root = ydoc_root(doc), *node;
	struct path p;
	long long version;
	size_t i;

	l->doc = doc;
	l->file = file;
	path_init(&p, "top level");
	check_keys(l, root, &p, top_keys, COUNT(top_keys));
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
	if ((node = ynode_get(root, "remotes")))
		load_objects(l, node, "remotes");
	if ((node = ynode_get(root, "roles")))
		load_objects(l, node, "roles");
	if ((node = ynode_get(root, "users")))
		load_objects(l, node, "users");
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

/* ---- checks across files ---- */

static const struct ydoc *doc_of(const struct loader *l, const char *file)
{
	size_t i;

	for (i = 0; i < l->doc_count; i++)
		if (!strcmp(ydoc_path(l->docs[i]), file))
			return l->docs[i];
	return NULL;
}

/* Reports a second definition at its place, naming the first. */
static void report_twice(struct loader *l, const struct src_pos *first, const struct src_pos *again,
			 const char *what)
{
	const struct ydoc *doc = doc_of(l, again->file);
	char *source = doc ? ydoc_source_line(doc, again->line) : NULL;

	if (diag_add(l->diags, DIAG_ERROR, again->file, again->line, again->column,
		     "duplicate-definition", NULL, source, "%s is defined twice: %s:%d:%d and %s:%d:%d",
		     what, first->file, first->line, first->column, again->file, again->line,
		     again->column))
		oom(l);
	free(source);
}

static int compare_objects(const void *a, const void *b)
{
	const struct desired_object *const *pa = a, *const *pb = b;
	const struct desired_object *x = *pa, *y = *pb;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((c = strcmp(x->cluster, y->cluster)) || (c = strcmp(x->name, y->name)))
		return c;
	return x < y ? -1 : x > y;
}

/* Names declared twice among `count` items of `size` bytes, each with a name
 * (char *) and a src_pos at the given offsets. The sections are maps, so a
 * repeat can only come from another file; the lists are short (clusters,
 * authorities), so pairwise comparison is fine. */
static void check_duplicate_names(struct loader *l, const void *items, size_t count, size_t size,
				  size_t name_offset, size_t pos_offset, const char *label)
{
	const char *base = items;
	struct buf what;
	size_t i, j;

	buf_init(&what, BUF_SMALL_MAX);
	for (i = 0; i < count; i++) {
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

static void check_duplicates(struct loader *l)
{
	struct desired_state *s = l->state;
	struct desired_object **sorted;
	struct buf what;
	size_t i;

	buf_init(&what, BUF_SMALL_MAX);
	check_duplicate_names(l, s->clusters, s->cluster_count, sizeof(*s->clusters),
			      offsetof(struct cluster_config, id), offsetof(struct cluster_config, pos),
			      "cluster");
	check_duplicate_names(l, s->authorities, s->authority_count, sizeof(*s->authorities),
			      offsetof(struct trust_authority, name),
			      offsetof(struct trust_authority, pos), "trust authority");
	check_duplicate_names(l, s->trust_clusters, s->trust_cluster_count,
			      sizeof(*s->trust_clusters), offsetof(struct trust_cluster, cluster),
			      offsetof(struct trust_cluster, pos), "trust for cluster");
	if (l->doc_count > 1 && s->object_count > 1) {
		sorted = malloc(s->object_count * sizeof(*sorted)); /* NOLINT(bugprone-sizeof-expression): pointers */
		if (!sorted) {
			oom(l);
			goto done;
		}
		for (i = 0; i < s->object_count; i++)
			sorted[i] = &s->objects[i];
		qsort(sorted, s->object_count, sizeof(*sorted), compare_objects); /* NOLINT(bugprone-sizeof-expression) */
		for (i = 1; i < s->object_count; i++) {
			const struct desired_object *a = sorted[i - 1], *b = sorted[i];

			/* twice in one file is a duplicate key, already reported */
			if (a->kind != b->kind || strcmp(a->cluster, b->cluster) != 0 ||
			    strcmp(a->name, b->name) != 0 || a->pos.file == b->pos.file)
				continue;
			buf_reset(&what);
			buf_printf(&what, "%s [%s] on cluster [%s]", resource_kind_name(b->kind), b->name,
				   b->cluster);
			report_twice(l, &a->pos, &b->pos, what.data);
		}
		free(sorted);
	}
done:
	buf_dispose(&what);
}

static void check_references(struct loader *l)
{
	const struct desired_state *s = l->state;
	const struct ydoc *doc;
	const char **names;
	size_t i, j, count;
	char *hint, *source;

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
		doc = doc_of(l, r->file);
		source = doc ? ydoc_source_line(doc, r->line) : NULL;
		if (diag_add(l->diags, DIAG_ERROR, r->file, r->line, r->column, "undefined-reference",
			     hint ? hint : cluster ? "declare it under clusters"
						   : "declare it under trust.authorities",
			     source, "%s names %s [%s], which is not declared under %s", r->context,
			     cluster ? "cluster" : "authority", r->hidden ? SECRET_PLACEHOLDER : r->name,
			     cluster ? "clusters" : "trust.authorities"))
			oom(l);
		free(source);
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

static void sort_diags(const struct desired_state *state, struct diag_list *diags, size_t from)
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

/* ---- entry points ---- */

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

/* Parses and reads one file (data NULL: from disk). A file that does not parse
 * is reported and skipped, so every file's problems are shown at once. */
static int load_one(struct loader *l, const char *path, const char *data, size_t len)
{
	struct ydoc_stream stream = { streamed_sections, COUNT(streamed_sections), stream_entry, l };
	struct ydoc *doc = NULL, **grown;
	const char *file;
	int err;

	err = add_file_name(l, path, &file);
	if (err)
		return err;
	l->file = file;
	err = ydoc_load(&doc, path, data, len, &stream, l->diags);
	if (err == -ENOMEM || l->err)
		return l->err ? l->err : err;
	if (err)
		return 0;
	grown = grow(l->docs, l->doc_count, sizeof(*grown)); /* NOLINT(bugprone-sizeof-expression): pointers */
	if (!grown) {
		ydoc_free(doc);
		return -ENOMEM;
	}
	l->docs = grown;
	l->docs[l->doc_count++] = doc;
	load_document(l, doc, file);
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

static int load_directory(struct loader *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **grown;
	size_t count = 0, i;
	struct buf path;
	int err = 0;

	if (!d)
		return diag_add(l->diags, DIAG_ERROR, dir, 0, 0, "unreadable-file", NULL, NULL,
				"cannot read the directory: %s", strerror(errno));
	while (!err && (e = readdir(d)) != NULL) {
		if (!yaml_name(e->d_name))
			continue;
		grown = grow(names, count, sizeof(*grown));
		if (!grown || !(grown[count] = strdup(e->d_name))) {
			names = grown ? grown : names;
			err = -ENOMEM;
			break;
		}
		names = grown;
		count++;
	}
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
			err = load_one(l, path.data, NULL, 0);
	}
	buf_dispose(&path);
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return err;
}

static int load_path(struct loader *l, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return diag_add(l->diags, DIAG_ERROR, path, 0, 0, "unreadable-file", NULL, NULL,
				"cannot read the file: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return load_directory(l, path);
	return load_one(l, path, NULL, 0);
}

static void loader_dispose(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->doc_count; i++)
		ydoc_free(l->docs[i]);
	free(l->docs);
	for (i = 0; i < l->ref_count; i++) {
		free(l->refs[i].name);
		free(l->refs[i].context);
	}
	free(l->refs);
}

static int load(struct desired_state **out, const char *const *paths, size_t path_count,
		const char *name, const char *data, size_t len, struct diag_list *diags)
{
	struct loader l = { 0 };
	size_t i, errors = diags->errors, first_diag = diags->count;
	int err = 0;

	*out = NULL;
	l.diags = diags;
	l.state = calloc(1, sizeof(*l.state));
	if (!l.state)
		return -ENOMEM;
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		l.state->policy.prune[i] = PRUNE_MANAGED;
	l.state->policy.max_deletes = 20;
	l.state->policy.password_check = PASSWORD_CHECK_PROBE;
	if (data)
		err = load_one(&l, name, data, len);
	for (i = 0; !err && i < path_count; i++)
		err = load_path(&l, paths[i]);
	if (!err && !path_count && !data)
		err = diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no-files", NULL, NULL,
			       "no desired-state file given");
	if (!err) {
		check_duplicates(&l);
		check_references(&l);
		err = l.err;
	}
	if (!err && diags->errors > errors)
		err = -EINVAL;
	sort_diags(l.state, diags, first_diag);
	if (!err) {
		*out = l.state;
		l.state = NULL;
	}
	desired_state_free(l.state);
	loader_dispose(&l);
	return err;
}

int desired_load(struct desired_state **out, const char *const *paths, size_t path_count,
		 struct diag_list *diags)
{
	return load(out, paths, path_count, NULL, NULL, 0, diags);
}

int desired_load_buffer(struct desired_state **out, const char *name, const char *data,
			size_t len, struct diag_list *diags)
{
	return load(out, NULL, 0, name, data ? data : "", len, diags);
}
