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
#include <stdint.h>

#include "desired/interp.h"
#include "util/diag.h"

#define YDOC_MAX_BYTES ((size_t)4 << 20)
#define YDOC_MAX_DEPTH 64

enum ynode_kind { YNODE_SCALAR = 0, YNODE_MAP, YNODE_SEQ };

enum yscalar_type { YSCALAR_NULL = 0, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT, YSCALAR_STRING };

struct ypair;

/* Kept small (32 bytes): a 4 MiB file holds hundreds of thousands of nodes. */
struct ynode {
	uint8_t kind;        /* enum ynode_kind */
	uint8_t type;        /* enum yscalar_type; quoted scalars are always YSCALAR_STRING */
	bool plain : 1;        /* written without quotes or block indicator */
	bool interpolated : 1; /* text came (partly) from ${...} */
	bool broken : 1;       /* interpolation failed (already reported): skip checks */
	bool secret : 1;       /* the value of a password, password_hash or api_key key */
	bool repeated : 1;     /* a key seen before in its map (reported, then dropped) */
	bool consumed : 1;     /* stands for a subtree handed to a ydoc_stream and released */
	bool placeholder : 1;  /* its ${...} could not be resolved here (validate without
				* secrets): the value is unknown, text is as written */
	int line;   /* 1-based */
	int column; /* 1-based, in characters */
	/* scalars: len bytes of text; maps: count pairs; sequences: count items (files are
	 * at most 4 MiB, so 32 bits always suffice) */
	union {
		uint32_t len;
		uint32_t count;
	};
	union {
		const char *text;     /* scalars: NUL-terminated, after interpolation */
		struct ypair *pairs;  /* maps */
		struct ynode **items; /* sequences */
	};
};

struct ypair {
	struct ynode *key; /* always a scalar; key->text is the name */
	struct ynode *value;
};

struct ydoc;

/* Streaming for the bulk of big files: when the mapping value of
 * <section>.<cluster>.<name> is complete, for a section listed here, `entry` is
 * called with it (and the section's index in sections[]) and its subtree is then
 * released and replaced by a null scalar marked `consumed`. So a file of 10,000
 * roles never holds all their trees at once. The nodes passed to entry are valid
 * only during the call (the keys stay). */
struct ydoc_stream {
	const char *const *sections;
	size_t section_count;
	int (*entry)(void *ctx, const struct ydoc *doc, size_t section, const struct ynode *cluster,
		     const struct ynode *name, const struct ynode *value);
	void *ctx;
};

/* Parses `data[0..len)` (or, when data is NULL, the file at path) named `path`
 * in diagnostics; relative ${file:} paths resolve against path's directory.
 * `stream` may be NULL. With placeholders (may be NULL), a ${...} that cannot
 * be resolved is no error: the scalar is a `placeholder` (interp.h). Returns 0 with *out set when a tree was built (it may
 * still hold nodes whose interpolation failed: those are `broken` and already
 * reported). Returns a negative code with *out NULL when the file could not be
 * read or parsed (or when stream->entry returned an error); the problems are in
 * diags. */
int ydoc_load(struct ydoc **out, const char *path, const char *data, size_t len,
	      const struct ydoc_stream *stream, struct interp_placeholders *placeholders,
	      struct diag_list *diags);
void ydoc_free(struct ydoc *doc);

/* The root mapping (never NULL on a loaded ydoc). */
const struct ynode *ydoc_root(const struct ydoc *doc);
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
