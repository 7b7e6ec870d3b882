/* node_check: the checks of YAML nodes against what the desired state expects
 * there (mappings, strings, booleans, files, ...), each reporting what it finds
 * at the node, with the path of the value and a hint where one helps. */
#include "desired/loader_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired/interp.h"
#include "util/duration.h"
#include "util/regular_file.h"
#include "util/suggest.h"

/* ---- diagnostics ---- */

void report(struct loader *l, const struct ynode *node, const char *code, const char *hint,
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

const char *shown(const struct ynode *node)
{
	return node->secret ? SECRET_PLACEHOLDER : node->text;
}

char *hint_did_you_mean(const char *word, const char *const *candidates, size_t count)
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

/* ---- paths ---- */

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

void path_init(struct path *p, const char *first)
{
	p->text[0] = '\0';
	path_append(p, 0, first);
}

void path_child(struct path *out, const struct path *parent, const char *name)
{
	size_t len = strlen(parent->text);

	if (out != parent)
		memcpy(out->text, parent->text, len + 1);
	path_append(out, len, ".");
	path_append(out, len + 1, name);
}

void path_index(struct path *out, const struct path *parent, size_t index)
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

bool is_absent(const struct ynode *node)
{
	return node->kind == YNODE_SCALAR && node->plain && !node->interpolated &&
	       !strcmp(node->text, "absent");
}

bool want_kind(struct loader *l, const struct ynode *node, const struct path *p,
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

bool want_body(struct loader *l, const struct ynode *node, const struct path *p)
{
	if (node->broken)
		return false;
	if (node->kind == YNODE_MAP || is_absent(node))
		return true;
	report(l, node, "wrong-type", NULL, "[%s] must be a mapping, or absent to delete it, found %s",
	       p->text, ynode_describe(node));
	return false;
}

const char *want_string(struct loader *l, const struct ynode *node, const struct path *p)
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

const char *want_nonempty_string(struct loader *l, const struct ynode *node,
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
bool want_bool(struct loader *l, const struct ynode *node, const struct path *p, bool *out)
{
	if (node->broken || node->placeholder)
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

bool want_int(struct loader *l, const struct ynode *node, const struct path *p,
	      long long min, long long *out)
{
	long long value;
	char *end;

	if (node->broken || node->placeholder)
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
const char *want_enum(struct loader *l, const struct ynode *node, const struct path *p,
		      const char *const *choices, size_t count)
{
	const char *s = want_string(l, node, p);
	struct buf list;
	char *hint;
	size_t i;

	if (!s || node->placeholder)
		return NULL;
	for (i = 0; i < count; i++)
		if (!strcmp(s, choices[i]))
			return choices[i];
	buf_init(&list, BUF_SMALL_MAX);
	for (i = 0; i < count; i++)
		buf_printf(&list, "%s%s", i ? (i + 1 == count ? " or " : ", ") : "", choices[i]);
	hint = node->secret ? NULL : hint_did_you_mean(s, choices, count);
	report(l, node, "invalid-value", hint, "[%s] must be %s, found [%s]", p->text,
	       list.data ? list.data : "", shown(node));
	free(hint);
	buf_dispose(&list);
	return NULL;
}

bool want_string_list(struct loader *l, const struct ynode *node, const struct path *p,
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

void check_keys(struct loader *l, const struct ynode *map, const struct path *p,
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

void missing_key(struct loader *l, const struct ynode *map, const struct path *p,
		 const char *key, const char *hint)
{
	report(l, map, "missing-key", hint, "[%s] needs the key [%s]", p->text, key);
}

void check_metadata(struct loader *l, const struct ynode *metadata, const struct path *p,
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

char *want_file(struct loader *l, const struct ynode *node, const struct path *p)
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
	if (node->placeholder) /* not known here: trust check and plan read it */
		return resolved;
	f = regular_file_open(resolved, false);
	if (f) {
		fclose(f);
		return resolved;
	}
	buf_init(&hint, BUF_SMALL_MAX);
	if (s[0] != '/')
		buf_printf(&hint, "relative paths start at the directory of the file that names them: "
			   "looked for %s", resolved);
	report(l, node, "unreadable-file", hint.data, "cannot read [%s] named by [%s]: %s", shown(node),
	       p->text, errno == EINVAL ? "not a regular file" : strerror(errno));
	buf_dispose(&hint);
	free(resolved);
	return NULL;
}

bool want_cluster_id(struct loader *l, const struct ynode *key, const char *what)
{
	if (desired_valid_id(key->text))
		return true;
	report(l, key, "invalid-name", "use letters, digits, '_' and '-'",
	       "%s [%s] is invalid: it must match [A-Za-z0-9_-]+", what, key->text);
	return false;
}

secret_t *want_secret(struct loader *l, const struct ynode *node, const struct path *p)
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

/* The message for a time value that does not parse: Elasticsearch's. */
void report_bad_time(struct loader *l, const struct ynode *node, const struct buf *why)
{
	report(l, node, "invalid-value", "write a time value such as 30s or 2m", "%s",
	       why->data ? why->data : "invalid time value");
}

/* Elasticsearch time values for our own settings (timeouts): at least 1ms. */
bool want_positive_time(struct loader *l, const struct ynode *node, const struct path *p,
			long *out_ms)
{
	const char *s = want_string(l, node, p);
	struct buf why;
	long long ns = 0;
	int err;

	if (!s || node->placeholder)
		return false;
	buf_init(&why, BUF_SMALL_MAX);
	err = duration_check(&ns, s, p->text, &why);
	if (err)
		report_bad_time(l, node, &why);
	else if (ns < 1000000)
		report(l, node, "invalid-value", "write a time value such as 30s or 2m",
		       "[%s] must be at least 1ms", p->text);
	buf_dispose(&why);
	if (err || ns < 1000000)
		return false;
	*out_ms = ns / 1000000 > 2147483647 ? 2147483647 : (long)(ns / 1000000);
	return true;
}
