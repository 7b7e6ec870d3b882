/* yaml_doc: one desired-state YAML file parsed strictly into a tree of nodes
 * that remember their position.
 *
 * Strict means: UTF-8 only, at most YDOC_MAX_BYTES, exactly one document, no
 * anchors or aliases (so no alias bombs: write values out instead), no tags
 * other than !!str, nesting at most YDOC_MAX_DEPTH, no duplicate keys, scalar
 * keys only. Plain scalars are typed by the YAML 1.2 core schema; quoted and
 * block scalars are strings. ${...} is expanded in values (see interp.h), never
 * in keys. Each problem becomes a diagnostic at its position.
 *
 * A ydoc owns its nodes, strings and the file text; ydoc_free() wipes the text
 * of secret values and of the file before freeing them. */
#ifndef ESR_DESIRED_YAML_DOC_H
#define ESR_DESIRED_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define YDOC_MAX_BYTES ((size_t)4 << 20)
#define YDOC_MAX_DEPTH 64

enum ynode_kind { YNODE_SCALAR = 0, YNODE_MAP, YNODE_SEQ };

enum yscalar_type { YSCALAR_NULL = 0, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT, YSCALAR_STRING };

struct ypair;

struct ynode {
	enum ynode_kind kind;
	int line;   /* 1-based */
	int column; /* 1-based, in characters */
	/* scalars */
	const char *text;       /* NUL-terminated, after interpolation */
	size_t len;
	enum yscalar_type type; /* quoted scalars are always YSCALAR_STRING */
	bool plain;             /* written without quotes or block indicator */
	bool interpolated;      /* text came (partly) from ${...} */
	bool broken;            /* interpolation failed (already reported): skip checks */
	bool secret;            /* the value of a password, password_hash or api_key key */
	/* maps: pairs[count]; sequences: items[count] */
	struct ypair *pairs;
	struct ynode **items;
	size_t count;
};

struct ypair {
	struct ynode *key; /* always a scalar; key->text is the name */
	struct ynode *value;
};

struct ydoc;

/* Parses `data[0..len)` (or, when data is NULL, the file at path) named `path`
 * in diagnostics; relative ${file:} paths resolve against path's directory.
 * Returns 0 with *out set when a tree was built (it may still hold nodes whose
 * interpolation failed: those are `broken` and already reported). Returns a
 * negative code with *out NULL when the file could not be read or parsed; the
 * problems are in diags. */
int ydoc_load(struct ydoc **out, const char *path, const char *data, size_t len,
	      struct diag_list *diags);
void ydoc_free(struct ydoc *doc);

/* The root mapping (never NULL on a loaded ydoc). */
const struct ynode *ydoc_root(const struct ydoc *doc);
const char *ydoc_path(const struct ydoc *doc);
/* Directory of the file, for resolving the relative paths it names ("" for cwd). */
const char *ydoc_dir(const struct ydoc *doc);

/* Adds a diagnostic at node (or at line/column when node is NULL) of doc, with
 * the source line echoed and redacted where it may hold a secret. */
int ydoc_report(const struct ydoc *doc, struct diag_list *diags, enum diag_severity severity,
		const struct ynode *node, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Line `line` (1-based) of the file as diagnostics echo it: secret values are
 * replaced by "(sensitive)". malloc'd; NULL when there is no such line. */
char *ydoc_source_line(const struct ydoc *doc, int line);

/* Looks key up in a mapping node; NULL when absent or node is not a map. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* "a mapping", "a string", "an integer", ... for messages. */
const char *ynode_describe(const struct ynode *node);

#endif
