/* loader_internal: what the loader's driver (loader.c) shares with the node
 * checks (node_check.c, node_json.c), the per-section loaders (load_*.c, with
 * load_<name>.c for each kind of ESR_KINDS, gathered in kinds.c) and the checks
 * across files (cross_file.c).
 *
 * A struct loader lives for one desired_load() call. It holds one parsed file
 * at a time: a file's text and tree are freed once the file is read, so the
 * checks across files work from positions and from source lines copied while
 * the file was there (references, duplicates found as objects are added). It
 * owns the recorded references and the body of the object being read; it
 * builds the desired_state, which the driver hands to the caller at the end.
 * Diagnostics go to the caller's diag_list. Every check reports what it finds
 * and carries on; a hard error (ENOMEM) is kept in l->err and stops the walk. */
#ifndef ESR_DESIRED_LOADER_INTERNAL_H
#define ESR_DESIRED_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "desired/interp.h"
#include "desired/model.h"
#include "desired/yaml_doc.h"
#include "util/buf.h"
#include "util/diag.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A name used before we know whether it is declared; checked once every file is read. */
enum ref_kind { REF_CLUSTER = 0, REF_AUTHORITY };

struct ref {
	enum ref_kind kind;
	char *name;
	bool hidden;      /* a secret's value: never shown */
	const char *file; /* in the state's file table */
	int line, column;
	char *context;    /* "remote [a] on cluster [local]", "[roles]", ... */
	char *source;     /* the line, as diagnostics echo it (may be NULL) */
};

struct loader {
	struct desired_state *state;
	struct diag_list *diags;
	const struct ydoc *doc; /* the file being read; NULL between files */
	const char *file;       /* its name in state->files */
	/* The object being read (new_object() to finish_object()): its body and
	 * sensitive paths, built here and interned into the state when complete. */
	cJSON *body;
	cJSON *sensitive;
	struct ref *refs;
	size_t ref_count;
	struct src_pos policy_pos;
	bool have_policy;
	/* NULL: every ${...} must resolve; else where the unresolved ones go (validate) */
	struct interp_placeholders *placeholders;
	int err; /* first hard error (ENOMEM); checks stop when set */
	const struct desired_load_observer *observer; /* NULL: none */
	size_t errors_before; /* diags->errors when loading began */
};

/* ---- diagnostics and typed access to nodes (node_check.c) ---- */

/* A path ("clusters.local.tls") built on the stack of the walk. */
struct path {
	char text[2048]; /* names are at most 507 characters: deep paths are cut, never overrun */
};

void path_init(struct path *p, const char *first);
/* out may be parent itself. */
void path_child(struct path *out, const struct path *parent, const char *name);
void path_index(struct path *out, const struct path *parent, size_t index);

/* An error at node of the file being read; running out of memory sets l->err. */
void report(struct loader *l, const struct ynode *node, const char *code, const char *hint,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void missing_key(struct loader *l, const struct ynode *map, const struct path *p,
		 const char *key, const char *hint);
/* What a message may show of a value: never what came from ${...}. Owned by node. */
const char *shown(const struct ynode *node);
/* "did you mean [x]?" for the candidate closest to word, or NULL; the caller frees it. */
char *hint_did_you_mean(const char *word, const char *const *candidates, size_t count);

/* Each want_* reports at node when it is not what is asked for. Strings
 * returned are node's text. */
bool is_absent(const struct ynode *node);
bool want_kind(struct loader *l, const struct ynode *node, const struct path *p,
	       enum ynode_kind kind);
/* The body of a remote, role or user: a mapping, or the plain scalar `absent`. */
bool want_body(struct loader *l, const struct ynode *node, const struct path *p);
const char *want_string(struct loader *l, const struct ynode *node, const struct path *p);
const char *want_nonempty_string(struct loader *l, const struct ynode *node,
				 const struct path *p);
bool want_bool(struct loader *l, const struct ynode *node, const struct path *p, bool *out);
bool want_int(struct loader *l, const struct ynode *node, const struct path *p,
	      long long min, long long *out);
/* One of `choices`; returns the matching entry of choices, or NULL. */
const char *want_enum(struct loader *l, const struct ynode *node, const struct path *p,
		      const char *const *choices, size_t count);
/* A list of strings; with allow_scalar a single string stands for a list of one. */
bool want_string_list(struct loader *l, const struct ynode *node, const struct path *p,
		      bool allow_scalar, bool non_empty);
/* Reports keys of `map` that are not in allowed[], with a "did you mean" hint. */
void check_keys(struct loader *l, const struct ynode *map, const struct path *p,
		const char *const *allowed, size_t count);
/* A mapping whose keys do not start with '_' (reported with `message`). */
void check_metadata(struct loader *l, const struct ynode *metadata, const struct path *p,
		    const char *message);
/* A path relative to the YAML file, resolved and checked to be a readable
 * regular file: malloc'd, the caller frees it; NULL when invalid. */
char *want_file(struct loader *l, const struct ynode *node, const struct path *p);
bool want_cluster_id(struct loader *l, const struct ynode *key, const char *what);
/* A new secret holding node's text; the caller frees it with secret_free(). */
secret_t *want_secret(struct loader *l, const struct ynode *node, const struct path *p);
/* The message for a time value that does not parse (why: duration_check's words). */
void report_bad_time(struct loader *l, const struct ynode *node, const struct buf *why);
/* A time value of at least 1ms, in *out_ms (capped to what an int holds). */
bool want_positive_time(struct loader *l, const struct ynode *node, const struct path *p,
			long *out_ms);

/* ---- YAML to JSON (node_json.c) ---- */

/* Where a value is in a body, as a chain up to the body's root; turned into a
 * dotted path ("metadata.team", "indices.0.query") only when a value needs it. */
struct json_path {
	const struct json_path *parent;
	const char *key; /* NULL: an index into a list */
	size_t index;
};

/* Converts a YAML subtree to a new JSON tree the caller owns (NULL when memory
 * ran out), adding to `sensitive` (may be NULL) the dotted paths of values that
 * came from ${...}. */
cJSON *to_json(struct loader *l, const struct ynode *node, const struct json_path *where,
	       cJSON *sensitive);

/* ---- the loader's context (loader.c) ---- */

/* Records l->err = -ENOMEM (unless an error is already kept); returns false. */
bool oom(struct loader *l);
struct src_pos pos_of(const struct loader *l, const struct ynode *node);
/* Appends a zeroed element to the array whose pointer is at array_ptr (count
 * *count, elements of `size` bytes) and returns it, owned by the array; NULL
 * after reporting that memory ran out. */
void *append_zeroed(struct loader *l, void *array_ptr, size_t *count, size_t size);
/* A copy of s (NULL for NULL) the caller owns; NULL and oom() when memory ran out. */
char *dup_or_oom(struct loader *l, const char *s);
/* Records the name in node to check once every file is read. */
void add_ref(struct loader *l, enum ref_kind kind, const struct ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- the sections (load_cluster.c, load_trust.c, load_policy.c, kinds.c) ---- */

void load_cluster(struct loader *l, const struct ynode *key, const struct ynode *body);
void load_trust(struct loader *l, const struct ynode *trust);
void load_policy(struct loader *l, const struct ynode *policy);

/* The loader's part of a kind of declared object (ESR_KINDS): defined in the
 * file named for the kind (load_remote.c defines desired_remote_kind), found
 * through desired_kinds[], indexed by enum resource_kind. */
struct desired_kind {
	/* Checks one declared object (<section>.<cluster>.<name>: body, at path p)
	 * and adds it to the state. NULL for a kind without a section of its own,
	 * whose objects another kind's declarations add (cross-cluster API keys,
	 * declared with their remote): its section name is then only a key of
	 * policy.prune. */
	void (*load)(struct loader *l, const struct ynode *cluster, const struct ynode *name,
		     const struct ynode *body, const struct path *p);
};

#define DESIRED_KIND_DECLARE(e, name, section, list_path) \
	extern const struct desired_kind desired_##name##_kind;
ESR_KINDS(DESIRED_KIND_DECLARE)
#undef DESIRED_KIND_DECLARE

extern const struct desired_kind *const desired_kinds[RESOURCE_KIND_COUNT];

/* Checks the grant of an index entry, the part that roles' indices and
 * cross-cluster API keys' search entries share: names (required),
 * field_security, query, allow_restricted_indices (load_role.c). */
void check_index_grant(struct loader *l, const struct ynode *entry, const struct path *p);

/* Checks remotes.<cluster>.<alias>.security and .api_key of the remote o
 * (load_api_key.c): an api_key remote adds the API_KEY object of its key on
 * the remote's `cluster:`. */
void load_remote_security(struct loader *l, struct desired_object *o, const struct ynode *body,
			  const struct path *p);

/* Fills out[kind] with each kind's section ("remotes", ...), in kind order:
 * the keys of the sections, and of policy.prune. */
void kind_sections(const char *out[RESOURCE_KIND_COUNT]);
/* A section of objects: cluster id -> name -> body | absent. */
void load_objects(struct loader *l, const struct ynode *section, enum resource_kind kind);
/* The ydoc_stream callback for the sections listed by kind_sections(); ctx is
 * the loader. */
int stream_entry(void *ctx, const struct ydoc *doc, size_t section, const struct ynode *cluster,
		 const struct ynode *name, const struct ynode *value);

/* A new object of the state (which owns it) at name's position; its body
 * (l->body, NULL until set) and list of sensitive paths (l->sensitive, empty)
 * are built in the loader until finish_object(). NULL when memory ran out. */
struct desired_object *new_object(struct loader *l, enum resource_kind kind,
				  const struct ynode *cluster, const struct ynode *name);
/* A remote or user whose body is filled key by key: the new object with an
 * empty l->body, or NULL when it is declared absent (or memory ran out). */
struct desired_object *new_object_with_body(struct loader *l, enum resource_kind kind,
					    const struct ynode *cluster, const struct ynode *name,
					    const struct ynode *body);
/* Completes objects[at] once it is read: interns *body and *sensitive (NULL
 * or trees the loader built; taken in every case, *body and *sensitive are
 * NULL afterwards) as its body and sensitive paths and indexes it, reporting
 * it when another file declared it already. load_entry() calls it for the
 * declared object (with l->body and l->sensitive), a loader that adds a
 * further object in the same step calls it for that one. */
void finish_object(struct loader *l, size_t at, cJSON **body, cJSON **sensitive);
/* Adds l->body[key] = the YAML value as JSON (remote keys are flat:
 * "transport.compress"); nothing when there is no body (declared absent). */
void put_json(struct loader *l, const char *key, const struct ynode *value);

/* ---- checks across files (cross_file.c) ---- */

/* Reports `what` defined twice, at `again` in the file being read, naming `first`. */
void report_twice(struct loader *l, const struct src_pos *first, const struct src_pos *again,
		  const char *what);
/* Clusters, authorities and trust declarations of the file being read that
 * another file declared already; the counts are those before the file. */
void check_file_duplicates(struct loader *l, size_t clusters_before, size_t authorities_before,
			   size_t trust_clusters_before);
/* References (add_ref) to clusters and authorities that no file declares. */
void check_references(struct loader *l);
/* Puts diags->items[from..] in file order (as read), then line, then column. */
void sort_diags(const struct desired_state *state, struct diag_list *diags, size_t from);

#endif
