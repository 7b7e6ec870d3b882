#include "desired/yaml_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "desired/interp.h"
#include "desired/yaml_events.h"
#include "util/buf.h"
#include "util/regular_file.h"
#include "util/utf8.h"

/* Nodes and their strings live in an arena freed at once: a 4 MiB file has
 * hundreds of thousands of nodes, and they all die together. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

/* Where a secret value sits in the file, so echoed lines can hide it. */
struct secret_span {
	int first_line, column, last_line; /* 1-based */
};

struct ydoc {
	char *path;
	char *dir;
	char *text; /* the whole file */
	size_t len;
	size_t *line_starts; /* byte offset of each line; line_count entries */
	size_t line_count;
	struct ynode *root;
	struct arena_block *arena;
	struct secret_span *spans;
	size_t span_count;
	struct ynode **secrets; /* nodes whose text must be wiped */
	size_t secret_count;
};

/* Starts a new block holding at least `size` bytes. */
static void *arena_take_new_block(struct ydoc *doc, size_t size)
{
	size_t block = (size_t)64 << 10;
	struct arena_block *b;

	if (size > block / 4)
		block = size;
	b = malloc(sizeof(*b) + block);
	if (!b)
		return NULL;
	b->size = block;
	b->used = size;
	b->next = doc->arena;
	doc->arena = b;
	return b->data;
}

/* `align` is 1 for strings, sizeof(max_align_t) for structs. Inline: it runs for
 * every node and string of the file, nearly always taking the first branch. */
static inline void *arena_take(struct ydoc *doc, size_t size, size_t align)
{
	struct arena_block *b = doc->arena;
	size_t start;

	if (b) {
		start = (b->used + align - 1) / align * align;
		if (start <= b->size && b->size - start >= size) {
			b->used = start + size;
			return (char *)b->data + start;
		}
	}
	return arena_take_new_block(doc, size);
}

static void *arena_alloc(struct ydoc *doc, size_t size)
{
	return arena_take(doc, size, sizeof(max_align_t));
}

static void *arena_alloc_bytes(struct ydoc *doc, size_t size)
{
	return arena_take(doc, size, 1);
}

struct arena_mark {
	struct arena_block *block;
	size_t used;
	size_t secret_count;
};

static struct arena_mark arena_mark(const struct ydoc *doc)
{
	struct arena_mark m = { doc->arena, doc->arena ? doc->arena->used : 0, doc->secret_count };

	return m;
}

/* Frees everything allocated since the mark, wiping the secrets among it. */
static void arena_release(struct ydoc *doc, const struct arena_mark *m)
{
	struct arena_block *b;

	while (doc->secret_count > m->secret_count) {
		struct ynode *secret = doc->secrets[--doc->secret_count];

		memset((char *)secret->text, 0, secret->len);
	}
	while (doc->arena && doc->arena != m->block) {
		b = doc->arena;
		doc->arena = b->next;
		free(b);
	}
	if (doc->arena)
		doc->arena->used = m->used;
}

static char *arena_strndup(struct ydoc *doc, const char *s, size_t len)
{
	char *copy = arena_alloc_bytes(doc, len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void ydoc_free(struct ydoc *doc)
{
	struct arena_block *b, *next;
	size_t i;

	if (!doc)
		return;
	for (i = 0; i < doc->secret_count; i++)
		memset((char *)doc->secrets[i]->text, 0, doc->secrets[i]->len);
	if (doc->text && doc->span_count)
		memset(doc->text, 0, doc->len);
	for (b = doc->arena; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc->path);
	free(doc->dir);
	free(doc->text);
	free(doc->line_starts);
	free(doc->spans);
	free(doc->secrets);
	free(doc);
}

const struct ynode *ydoc_root(const struct ydoc *doc)
{
	return doc->root;
}

const char *ydoc_dir(const struct ydoc *doc)
{
	return doc->dir;
}

/* ---- source lines and redaction ---- */

static int index_lines(struct ydoc *doc)
{
	size_t n = 1;
	const char *p = doc->text, *end = doc->text + doc->len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	doc->line_starts = malloc(n * sizeof(size_t));
	if (!doc->line_starts)
		return -ENOMEM;
	doc->line_starts[0] = 0;
	for (p = doc->text, n = 1; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL;)
		doc->line_starts[n++] = (size_t)(++p - doc->text);
	doc->line_count = n;
	return 0;
}

/* Byte offset of 1-based character column `column` in s[0..len). */
static size_t column_offset(const char *s, size_t len, int column)
{
	size_t off = 0;
	int col = 1;

	while (off < len && col < column) {
		off++;
		while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
			off++;
		col++;
	}
	return off;
}

/* Hides whatever follows "password:", "password_hash:" or "api_key:" (quoted or
 * not) on the line: a safety net for lines the parser never turned into nodes. */
static void redact_keywords(struct buf *line)
{
	static const char *const words[] = { "password", "api_key" };
	char *hit, *p;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (hit = strstr(line->data, words[i]); hit; hit = strstr(hit + 1, words[i])) {
			p = hit + strlen(words[i]);
			if (!strncmp(p, "_hash", 5))
				p += 5;
			if (*p == '"' || *p == '\'')
				p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ':' || !p[1])
				continue;
			p++;
			line->len = (size_t)(p - line->data);
			line->data[line->len] = '\0';
			buf_puts(line, " (sensitive)");
			return;
		}
	}
}

char *ydoc_source_line(const struct ydoc *doc, int line)
{
	struct buf out;
	const char *start;
	size_t len, i, indent;

	if (line < 1 || (size_t)line > doc->line_count)
		return NULL;
	start = doc->text + doc->line_starts[line - 1];
	len = ((size_t)line < doc->line_count ? doc->text + doc->line_starts[line] - 1
					       : doc->text + doc->len) - start;
	if (len && start[len - 1] == '\r')
		len--;
	if (len > 512) { /* a minified line would flood the terminal */
		len = 512;
		while (len && ((unsigned char)start[len] & 0xC0) == 0x80)
			len--; /* never cut a character in half */
	}
	buf_init(&out, 4096);
	for (i = 0; i < doc->span_count; i++) {
		const struct secret_span *s = &doc->spans[i];

		if (line < s->first_line || line > s->last_line)
			continue;
		if (line == s->first_line) {
			len = column_offset(start, len, s->column);
		} else {
			for (indent = 0; indent < len && (start[indent] == ' ' || start[indent] == '\t');)
				indent++;
			len = indent;
		}
		if (buf_append(&out, start, len) || buf_puts(&out, "(sensitive)"))
			goto fail;
		redact_keywords(&out);
		return buf_detach(&out);
	}
	if (buf_append(&out, start, len))
		goto fail;
	redact_keywords(&out);
	return buf_detach(&out);
fail:
	buf_dispose(&out);
	return NULL;
}

static int vreport(const struct ydoc *doc, struct diag_list *diags, enum diag_severity severity,
		   int line, int column, const char *code, const char *hint, const char *fmt,
		   va_list ap) __attribute__((format(printf, 8, 0)));

static int vreport(const struct ydoc *doc, struct diag_list *diags, enum diag_severity severity,
		   int line, int column, const char *code, const char *hint, const char *fmt,
		   va_list ap)
{
	struct buf message;
	char *source = NULL;
	int err;

	buf_init(&message, BUF_SMALL_MAX);
	err = buf_vprintf(&message, fmt, ap);
	if (!err && doc->line_starts && diags->count < DIAG_MAX_REPORTED)
		source = ydoc_source_line(doc, line);
	if (!err)
		err = diag_add(diags, severity, doc->path, line, column, code, hint, source, "%s",
			       message.data);
	free(source);
	buf_dispose(&message);
	return err;
}

int ydoc_report(const struct ydoc *doc, struct diag_list *diags, enum diag_severity severity,
		const struct ynode *node, const char *code, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vreport(doc, diags, severity, node ? node->line : 1, node ? node->column : 1, code,
		      hint, fmt, ap);
	va_end(ap);
	return err;
}

static int report_at(const struct ydoc *doc, struct diag_list *diags, const yaml_mark_t *mark,
		     const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int report_at(const struct ydoc *doc, struct diag_list *diags, const yaml_mark_t *mark,
		     const char *code, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vreport(doc, diags, DIAG_ERROR, (int)mark->line + 1, (int)mark->column + 1, code, hint,
		      fmt, ap);
	va_end(ap);
	return err;
}

/* ---- lookups ---- */

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->count; i++) /* the first character settles most mismatches */
		if (map->pairs[i].key->text[0] == key[0] && !strcmp(map->pairs[i].key->text, key))
			return map->pairs[i].value;
	return NULL;
}

const char *ynode_describe(const struct ynode *node)
{
	if (node->kind == YNODE_MAP)
		return "a mapping";
	if (node->kind == YNODE_SEQ)
		return "a list";
	switch (node->type) {
	case YSCALAR_NULL: return "null";
	case YSCALAR_BOOL: return "a boolean";
	case YSCALAR_INT: return "an integer";
	case YSCALAR_FLOAT: return "a number";
	case YSCALAR_STRING: break;
	}
	return "a string";
}

/* ---- YAML 1.2 core schema ---- */

static bool all_in(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static bool is_core_float(const char *s)
{
	static const char *const specials[] = { ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN" };
	bool digits = false;
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		const char *t = s;

		if (i < 3 && (*t == '+' || *t == '-'))
			t++;
		if (!strcmp(t, specials[i]))
			return true;
	}
	if (*s == '+' || *s == '-')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits = true;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits = true;
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!all_in(s, "0123456789"))
			return false;
		return true;
	}
	return *s == '\0';
}

static enum yscalar_type resolve_plain(const char *s)
{
	const char *digits = s;

	/* most plain scalars are names: only these first characters can start
	 * anything but a string (strchr also finds the "" of an empty scalar) */
	if (!strchr("~nNtTfF+-.0123456789", *s))
		return YSCALAR_STRING;
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return YSCALAR_NULL;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
	    !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return YSCALAR_BOOL;
	if (*digits == '+' || *digits == '-')
		digits++;
	if (all_in(digits, "0123456789"))
		return YSCALAR_INT;
	if ((!strncmp(s, "0x", 2) && all_in(s + 2, "0123456789abcdefABCDEF")) ||
	    (!strncmp(s, "0o", 2) && all_in(s + 2, "01234567")))
		return YSCALAR_INT;
	if (is_core_float(s))
		return YSCALAR_FLOAT;
	return YSCALAR_STRING;
}

/* ---- building the tree from libyaml events ---- */

struct frame {
	struct ynode *node;
	struct ynode **children; /* sequences: items; maps: key, value, key, value... */
	size_t count, cap;
	bool secret;        /* everything below is the value of a secret key */
	size_t span;        /* index in doc->spans when this collection is a secret value */
	bool has_span;
	struct arena_mark mark; /* before the node: where a streamed entry is released to */
	bool flow;              /* written [..] or {..} */
};

struct builder {
	struct ydoc *doc;
	struct diag_list *diags;
	const struct ydoc_stream *stream;
	struct interp_placeholders *placeholders;
	int last_scalar_line; /* where the latest scalar ended (1-based) */
	struct frame stack[YDOC_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
};

static int push_child(struct frame *f, struct ynode *child)
{
	struct ynode **grown;
	size_t cap;

	if (f->count == f->cap) {
		cap = f->cap ? f->cap * 2 : 8;
		grown = realloc(f->children, cap * sizeof(*grown)); /* NOLINT(bugprone-sizeof-expression) */
		if (!grown)
			return -ENOMEM;
		f->children = grown;
		f->cap = cap;
	}
	f->children[f->count++] = child;
	return 0;
}

static bool is_secret_key(const char *key)
{
	/* asked of every value's key: rule out most of them at the first character */
	if (key[0] != 'p' && key[0] != 'a' && key[0] != 'c')
		return false;
	return !strcmp(key, "password") || !strcmp(key, "password_hash") || !strcmp(key, "api_key") ||
	       !strcmp(key, "credentials");
}

/* Whether the next child of the innermost map is a key (maps alternate key, value). */
static bool expecting_key(const struct builder *b)
{
	const struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

	return f && f->node->kind == YNODE_MAP && f->count % 2 == 0;
}

/* Whether a value about to be added sits under a secret key (or inside one). */
static bool value_is_secret(const struct builder *b)
{
	const struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

	if (!f)
		return false;
	if (f->secret)
		return true;
	return f->node->kind == YNODE_MAP && f->count % 2 == 1 &&
	       is_secret_key(f->children[f->count - 1]->text);
}

/* Whether the value about to be added is that of an api_key key outside any secret. */
static bool describes_key(const struct builder *b)
{
	const struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;

	return f && !f->secret && f->node->kind == YNODE_MAP && f->count % 2 == 1 &&
	       !strcmp(f->children[f->count - 1]->text, "api_key");
}

/* The last line (1-based) a node covers: block scalars and block collections end
 * at the start of the line after their last one. */
static int span_last_line(const yaml_mark_t *start, const yaml_mark_t *end)
{
	if (end->column == 0 && end->line > start->line)
		return (int)end->line;
	return (int)end->line + 1;
}

static int add_span(struct ydoc *doc, const yaml_mark_t *start, const yaml_mark_t *end)
{
	struct secret_span *grown = realloc(doc->spans, (doc->span_count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	doc->spans = grown;
	doc->spans[doc->span_count].first_line = (int)start->line + 1;
	doc->spans[doc->span_count].column = (int)start->column + 1;
	doc->spans[doc->span_count].last_line = span_last_line(start, end);
	doc->span_count++;
	return 0;
}

static int attach(struct builder *b, struct ynode *node)
{
	if (!b->depth) {
		b->root = node;
		return 0;
	}
	return push_child(&b->stack[b->depth - 1], node);
}

static struct ynode *new_node(struct builder *b, enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *node = arena_alloc(b->doc, sizeof(*node));

	if (!node)
		return NULL;
	memset(node, 0, sizeof(*node));
	node->kind = (uint8_t)kind;
	node->line = (int)mark->line + 1;
	node->column = (int)mark->column + 1;
	return node;
}

static int reject_anchor_or_tag(struct builder *b, const yaml_event_t *ev, const char *anchor,
				const char *tag, bool scalar)
{
	if (anchor)
		return report_at(b->doc, b->diags, &ev->start_mark, "anchor",
				 "write the value out where it is used",
				 "anchors and aliases are not supported (found anchor &%s)", anchor)
			       ?: -EINVAL;
	if (tag && !(scalar && !strcmp(tag, YAML_STR_TAG)))
		return report_at(b->doc, b->diags, &ev->start_mark, "unsupported-tag",
				 "only !!str is supported, to force a string",
				 "unsupported YAML tag [%s]", tag) ?: -EINVAL;
	return 0;
}

static int add_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *raw = (const char *)ev->data.scalar.value;
	size_t raw_len = ev->data.scalar.length;
	bool is_key = expecting_key(b), plain;
	struct ynode *node;
	const char *code = NULL;
	char *expanded = NULL;
	size_t expanded_len = 0;
	int err;

	err = reject_anchor_or_tag(b, ev, (const char *)ev->data.scalar.anchor,
				   (const char *)ev->data.scalar.tag, true);
	if (err)
		return err;
	plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
	node = new_node(b, YNODE_SCALAR, &ev->start_mark);
	if (!node)
		return -ENOMEM;
	node->plain = plain;
	node->secret = !is_key && value_is_secret(b);
	b->last_scalar_line = span_last_line(&ev->start_mark, &ev->end_mark);
	if (node->secret && add_span(b->doc, &ev->start_mark, &ev->end_mark))
		return -ENOMEM;
	if (memchr(raw, '\0', raw_len)) {
		err = report_at(b->doc, b->diags, &ev->start_mark, "invalid-value", NULL,
				"NUL characters are not allowed in values");
		node->broken = true;
	} else if (is_key && interp_needed(raw, raw_len)) {
		err = report_at(b->doc, b->diags, &ev->start_mark, "interpolation-in-key",
				"names must be written literally",
				"${...} is not expanded in keys");
		node->broken = true;
	} else if (!is_key && interp_needed(raw, raw_len)) {
		bool interpolated = false, placeholder = false;
		struct buf why;

		buf_init(&why, BUF_SMALL_MAX); /* here only: few scalars are expanded */
		err = interp_expand(&expanded, &expanded_len, &interpolated, &placeholder, &code, raw,
				    raw_len, b->doc->dir, b->placeholders, &why);
		node->interpolated = interpolated;
		node->placeholder = placeholder;
		if (err == -EINVAL) {
			err = report_at(b->doc, b->diags, &ev->start_mark, code, NULL, "%s", why.data);
			node->broken = true;
		} else if (!err && !utf8_valid(expanded, expanded_len, NULL)) {
			err = report_at(b->doc, b->diags, &ev->start_mark, "invalid-utf8", NULL,
					"the value after ${...} expansion is not valid UTF-8");
			node->broken = true;
		}
		buf_dispose(&why);
	}
	if (err)
		goto done;
	if (expanded) {
		node->text = arena_strndup(b->doc, expanded, expanded_len);
		node->len = (uint32_t)expanded_len;
	} else {
		node->text = arena_strndup(b->doc, raw, raw_len);
		node->len = (uint32_t)raw_len;
	}
	err = -ENOMEM;
	if (!node->text)
		goto done;
	if (node->secret) {
		struct ynode **grown = realloc(b->doc->secrets,
					       (b->doc->secret_count + 1) * sizeof(*grown)); /* NOLINT(bugprone-sizeof-expression) */

		if (!grown)
			goto done;
		b->doc->secrets = grown;
		b->doc->secrets[b->doc->secret_count++] = node;
	}
	node->type = (uint8_t)(plain && !is_key && !node->placeholder ? resolve_plain(node->text)
								       : YSCALAR_STRING);
	err = attach(b, node);
done:
	if (expanded) {
		memset(expanded, 0, expanded_len);
		free(expanded);
	}
	return err;
}

static int start_collection(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind)
{
	const char *anchor = kind == YNODE_MAP ? (const char *)ev->data.mapping_start.anchor
					       : (const char *)ev->data.sequence_start.anchor;
	const char *tag = kind == YNODE_MAP ? (const char *)ev->data.mapping_start.tag
					    : (const char *)ev->data.sequence_start.tag;
	struct arena_mark mark;
	struct frame *f;
	struct ynode *node;
	bool secret;
	int err = reject_anchor_or_tag(b, ev, anchor, tag, false);

	if (err)
		return err;
	if (expecting_key(b))
		return report_at(b->doc, b->diags, &ev->start_mark, "wrong-type", NULL,
				 "mapping keys must be plain strings, not %s",
				 kind == YNODE_MAP ? "mappings" : "lists") ?: -EINVAL;
	if (b->depth == YDOC_MAX_DEPTH)
		return report_at(b->doc, b->diags, &ev->start_mark, "too-deep", NULL,
				 "nesting deeper than %d levels", YDOC_MAX_DEPTH) ?: -EINVAL;
	/* a mapping under api_key describes a key (a remote's cross-cluster API
	 * key: access, expiration, metadata), it is none: its values are shown */
	secret = value_is_secret(b) && !(kind == YNODE_MAP && describes_key(b));
	mark = arena_mark(b->doc);
	node = new_node(b, kind, &ev->start_mark);
	if (!node)
		return -ENOMEM;
	node->secret = secret;
	f = &b->stack[b->depth++];
	/* the children buffer of this depth is reused from collection to collection */
	f->count = 0;
	f->secret = false;
	f->has_span = false;
	f->node = node;
	f->mark = mark;
	f->flow = kind == YNODE_MAP ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
				    : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	f->secret = secret;
	if (secret) {
		f->has_span = true;
		f->span = b->doc->span_count;
		if (add_span(b->doc, &ev->start_mark, &ev->start_mark))
			return -ENOMEM;
	}
	return 0;
}

static int compare_pairs(const void *a, const void *b)
{
	const struct ypair *pa = a, *pb = b;
	int c = strcmp(pa->key->text, pb->key->text);

	if (c)
		return c;
	if (pa->key->line != pb->key->line)
		return pa->key->line < pb->key->line ? -1 : 1;
	return pa->key->column < pb->key->column ? -1 : pa->key->column > pb->key->column;
}

static bool small_map_has_duplicates(const struct ynode *map)
{
	uint32_t i, j;

	for (i = 1; i < map->count; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(map->pairs[i].key->text, map->pairs[j].key->text))
				return true;
	return false;
}

/* Reports every repeated key (at the repetition, naming the first) and keeps only
 * the first occurrence, so later stages see each key once. */
static int drop_duplicate_keys(struct builder *b, struct ynode *map)
{
	struct ypair *sorted;
	size_t i, j;
	uint32_t kept;
	bool any = false;
	int err = 0;

	if (map->count < 2)
		return 0;
	if (map->count <= 16 && !small_map_has_duplicates(map))
		return 0; /* the common case, without sorting or allocating */
	sorted = malloc(map->count * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, map->pairs, map->count * sizeof(*sorted));
	qsort(sorted, map->count, sizeof(*sorted), compare_pairs);
	for (i = 1, j = 0; i < map->count && !err; i++) {
		if (strcmp(sorted[i].key->text, sorted[j].key->text) != 0) {
			j = i; /* the first of a run of equal keys */
			continue;
		}
		err = ydoc_report(b->doc, b->diags, DIAG_ERROR, sorted[i].key, "duplicate-key", NULL,
				  "duplicate key [%s] (first defined at line %d, column %d)",
				  sorted[i].key->text, sorted[j].key->line, sorted[j].key->column);
		sorted[i].key->repeated = true;
		any = true;
	}
	if (!err && any) {
		for (i = 0, kept = 0; i < map->count; i++)
			if (!map->pairs[i].key->repeated)
				map->pairs[kept++] = map->pairs[i];
		map->count = kept;
	}
	free(sorted);
	return err;
}

/* In a map frame, the key whose value is being built; NULL otherwise. */
static const struct ynode *pending_key(const struct frame *f)
{
	return f->node && f->node->kind == YNODE_MAP && f->count % 2 == 1 ? f->children[f->count - 1]
										  : NULL;
}

/* Whether the collection just completed is the value of <section>.<cluster>.<name>
 * for a streamed section (the stack is then: root, section, cluster maps); the
 * section's index in the stream's list goes to *section_out. */
static bool streamed_entry(const struct builder *b, size_t *section_out)
{
	const struct ynode *section;
	size_t i;

	if (!b->stream || b->depth != 3 || !pending_key(&b->stack[1]) || !pending_key(&b->stack[2]))
		return false;
	section = pending_key(&b->stack[0]);
	for (i = 0; section && i < b->stream->section_count; i++) {
		if (!strcmp(section->text, b->stream->sections[i])) {
			*section_out = i;
			return true;
		}
	}
	return false;
}

static int hand_over(struct builder *b, size_t section, const struct ynode *value,
		     const struct arena_mark *mark)
{
	int err = b->stream->entry(b->stream->ctx, b->doc, section, pending_key(&b->stack[1]),
				   pending_key(&b->stack[2]), value);

	arena_release(b->doc, mark);
	return err;
}

static int end_collection(struct builder *b, const yaml_event_t *ev)
{
	struct frame *f;
	struct ynode *node;
	size_t i, section;
	int err;

	/* invariants libyaml and push_child keep, stated for the static analyzer */
	if (!b->depth || (b->stack[b->depth - 1].count && !b->stack[b->depth - 1].children))
		return -EINVAL;
	f = &b->stack[--b->depth];
	node = f->node;
	/* a flow collection ends at its bracket; a block one with its last scalar */
	if (f->has_span)
		b->doc->spans[f->span].last_line = f->flow ? (int)ev->end_mark.line + 1
							   : b->last_scalar_line;
	if (node->kind == YNODE_MAP) {
		node->count = (uint32_t)(f->count / 2);
		node->pairs = arena_alloc(b->doc, (node->count ? node->count : 1) * sizeof(struct ypair));
		if (!node->pairs)
			return -ENOMEM;
		for (i = 0; i + 1 < f->count; i += 2) {
			node->pairs[i / 2].key = f->children[i];
			node->pairs[i / 2].value = f->children[i + 1];
		}
		err = drop_duplicate_keys(b, node);
		if (err)
			return err;
	} else {
		node->count = (uint32_t)f->count;
		node->items = arena_alloc(b->doc, (node->count ? node->count : 1) * sizeof(struct ynode *));
		if (!node->items)
			return -ENOMEM;
		if (f->count)
			memcpy(node->items, f->children, f->count * sizeof(struct ynode *));
	}
	if (streamed_entry(b, &section)) {
		err = hand_over(b, section, node, &f->mark);
		if (err)
			return err;
		node = new_node(b, YNODE_SCALAR, &ev->start_mark);
		if (!node)
			return -ENOMEM;
		node->consumed = true;
		node->text = "";
	}
	return attach(b, node);
}

static int report_parser_error(struct builder *b, const yaml_parser_t *parser)
{
	yaml_mark_t mark = parser->problem_mark;
	size_t i;

	if (parser->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (parser->error == YAML_READER_ERROR) {
		/* the reader reports a byte offset, not a mark */
		memset(&mark, 0, sizeof(mark));
		for (i = 0; i < parser->problem_offset && i < b->doc->len; i++) {
			if (b->doc->text[i] == '\n')
				mark.line++, mark.column = 0;
			else if (((unsigned char)b->doc->text[i] & 0xC0) != 0x80)
				mark.column++;
		}
		return report_at(b->doc, b->diags, &mark, "yaml-syntax", NULL, "%s (character 0x%X)",
				 parser->problem ? parser->problem : "unreadable input",
				 (unsigned)parser->problem_value) ?: -EINVAL;
	}
	if (parser->context)
		return report_at(b->doc, b->diags, &mark, "yaml-syntax", NULL,
				 "%s %s at line %d, column %d",
				 parser->problem ? parser->problem : "syntax error", parser->context,
				 (int)parser->context_mark.line + 1,
				 (int)parser->context_mark.column + 1) ?: -EINVAL;
	return report_at(b->doc, b->diags, &mark, "yaml-syntax", NULL, "%s",
			 parser->problem ? parser->problem : "syntax error") ?: -EINVAL;
}

static int build_tree(struct builder *b)
{
	struct yevents *events;
	const yaml_event_t *ev;
	int documents = 0, err = yevents_open(&events, b->doc->text, b->doc->len);
	bool done = false;
	size_t i;

	if (err)
		return err;
	while (!err && !done) {
		if (!(ev = yevents_next(events))) {
			err = report_parser_error(b, yevents_parser(events));
			break;
		}
		switch (ev->type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				err = report_at(b->doc, b->diags, &ev->start_mark, "multiple-documents",
						"merge them into one document, or split them into "
						"files given with -f",
						"more than one YAML document in the file") ?: -EINVAL;
			break;
		case YAML_SCALAR_EVENT:
			err = add_scalar(b, ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			err = start_collection(b, ev, YNODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			err = start_collection(b, ev, YNODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			err = end_collection(b, ev);
			break;
		case YAML_ALIAS_EVENT:
			err = report_at(b->doc, b->diags, &ev->start_mark, "anchor",
					"write the value out where it is used",
					"anchors and aliases are not supported (found alias *%s)",
					(const char *)ev->data.alias.anchor) ?: -EINVAL;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
	}
	for (i = 0; i < YDOC_MAX_DEPTH; i++)
		free(b->stack[i].children);
	yevents_close(events);
	return err;
}

/* ---- loading ---- */

static int read_file(struct ydoc *doc, struct diag_list *diags)
{
	struct buf content;
	FILE *f = regular_file_open(doc->path, true);
	int err;

	if (!f)
		return diag_add(diags, DIAG_ERROR, doc->path, 0, 0, "unreadable-file",
				errno == EINVAL ? "give a file, a directory of *.yaml files, or -f <(command)" : NULL,
				NULL, "cannot read the file: %s",
				errno == EINVAL ? "not a regular file (a FIFO, device or socket)" : strerror(errno)) ?: -EIO;
	buf_init(&content, YDOC_MAX_BYTES);
	err = buf_append_stream(&content, f);
	if (err == -ENOSPC)
		err = diag_add(diags, DIAG_ERROR, doc->path, 1, 1, "file-too-large", NULL, NULL,
			       "the file is larger than 4 MiB") ?: -EFBIG;
	else if (err == -EIO)
		err = diag_add(diags, DIAG_ERROR, doc->path, 0, 0, "unreadable-file", NULL, NULL,
			       "cannot read the file: %s", strerror(errno)) ?: -EIO;
	fclose(f);
	if (err) {
		buf_dispose(&content);
		return err;
	}
	doc->len = content.len;
	doc->text = buf_detach(&content);
	if (!doc->text)
		return -ENOMEM;
	/* editors on Windows start UTF-8 files with a byte-order mark: not content */
	if (doc->len >= 3 && !memcmp(doc->text, "\xef\xbb\xbf", 3)) {
		memmove(doc->text, doc->text + 3, doc->len - 3 + 1);
		doc->len -= 3;
	}
	return 0;
}

static int report_bad_utf8(struct ydoc *doc, struct diag_list *diags, size_t offset)
{
	yaml_mark_t mark = { 0 };
	size_t i;

	for (i = 0; i < offset; i++) {
		if (doc->text[i] == '\n')
			mark.line++, mark.column = 0;
		else if (((unsigned char)doc->text[i] & 0xC0) != 0x80)
			mark.column++;
	}
	return report_at(doc, diags, &mark, "invalid-utf8", "save the file as UTF-8",
			 "invalid UTF-8 (byte 0x%02X)", (unsigned char)doc->text[offset]) ?: -EINVAL;
}

static bool blank_text(const char *s, size_t len)
{
	size_t i;
	bool comment = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			comment = false;
		else if (s[i] == '#')
			comment = true;
		else if (!comment && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

int ydoc_load(struct ydoc **out, const char *path, const char *data, size_t len,
	      const struct ydoc_stream *stream, struct interp_placeholders *placeholders,
	      struct diag_list *diags)
{
	struct builder b = { 0 };
	struct ydoc *doc = calloc(1, sizeof(*doc));
	size_t bad;
	int err = -ENOMEM;

	*out = NULL;
	if (!doc)
		return -ENOMEM;
	doc->path = strdup(path);
	doc->dir = interp_base_dir(path);
	if (!doc->path || !doc->dir)
		goto done;
	if (data) {
		if (len > YDOC_MAX_BYTES) {
			err = diag_add(diags, DIAG_ERROR, path, 1, 1, "file-too-large", NULL, NULL,
				       "the file is larger than 4 MiB") ?: -EFBIG;
			goto done;
		}
		doc->text = malloc(len + 1);
		if (!doc->text)
			goto done;
		memcpy(doc->text, data, len);
		doc->text[len] = '\0';
		doc->len = len;
	} else {
		err = read_file(doc, diags);
		if (err)
			goto done;
	}
	err = index_lines(doc);
	if (err)
		goto done;
	if (!utf8_valid(doc->text, doc->len, &bad)) {
		err = report_bad_utf8(doc, diags, bad);
		goto done;
	}
	if (blank_text(doc->text, doc->len)) {
		err = diag_add(diags, DIAG_ERROR, path, 1, 1, "empty-file",
			       "start the file with: version: 1", NULL,
			       "the file is empty") ?: -EINVAL;
		goto done;
	}
	b.doc = doc;
	b.diags = diags;
	b.stream = stream;
	b.placeholders = placeholders;
	err = build_tree(&b);
	if (err)
		goto done;
	if (!b.root || (b.root->kind == YNODE_SCALAR && b.root->type == YSCALAR_NULL)) {
		err = diag_add(diags, DIAG_ERROR, path, 1, 1, "empty-file",
			       "start the file with: version: 1", NULL,
			       "the file holds no content") ?: -EINVAL;
		goto done;
	}
	if (b.root->kind != YNODE_MAP) {
		err = ydoc_report(doc, diags, DIAG_ERROR, b.root, "wrong-type", NULL,
				  "the top level must be a mapping, not %s", ynode_describe(b.root))
			      ?: -EINVAL;
		goto done;
	}
	doc->root = b.root;
	*out = doc;
	doc = NULL;
done:
	ydoc_free(doc);
	return err;
}
