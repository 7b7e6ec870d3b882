/* plan_internal: what the plan driver (plan.c) shares with the per-kind
 * planners (remotes.c, roles.c, users.c).
 *
 * A cluster_builder collects one cluster's changes and requests while the kinds
 * are planned. It borrows desired, lc and the facts of linked clusters; it
 * owns the pending bulk requests until plan.c moves them into the cluster_plan. */
#ifndef ESR_PLAN_PLAN_INTERNAL_H
#define ESR_PLAN_PLAN_INTERNAL_H

#include <stdarg.h>

#include "plan/plan.h"
#include "util/strmap.h"

/* Names esreconcile writes into the metadata of every role and user it writes:
 * the mark, and the owner (policy.owner) unless it is the default owner, so
 * that objects written before owners existed belong to `default` unchanged. */
#define MANAGED_BY_KEY "managed_by"
#define MANAGED_BY_VALUE "esreconcile"
#define OWNER_KEY "esreconcile_owner"

struct cluster_builder {
	const struct desired_state *desired;
	const struct live_cluster *lc;
	const struct cluster_facts *const *facts; /* of the clusters the remotes point at */
	size_t fact_count;
	struct cluster_plan *cp;
	const char *owner;      /* the run's owner (policy.owner) */
	const char *adopt_from; /* --adopt-from, or NULL */
	struct match_memo *memo; /* shared by the run's plans, or NULL */
	size_t change_cap;
	size_t request_cap;
	size_t warning_cap;

	/* remotes: the one PUT /_cluster/settings */
	struct plan_request settings;
	cJSON *persistent;      /* the live persistent settings, flat */
	cJSON *ledgers;         /* every owner's ledger: {owner: sorted array of aliases} */
	cJSON *ledger_live;     /* the run owner's ledger (sorted array of aliases) */
	cJSON *ledger_declared; /* aliases declared present on this cluster */
	cJSON *ledger_deleted;  /* aliases this plan deletes */
	cJSON *ledger_adopted;  /* {alias: owner} taken over from another owner (--adopt-from) */

	/* roles: bulk requests (8.15+). The body of the bulk write is built as
	 * text, one `"name":{...}` member at a time (roles_bulk_members: the
	 * body so far, which is closed and moved into roles_bulk when the next
	 * role would take it past roles_bulk_max, and by role_finish()), never as
	 * one tree: 1,000 roles on each of 20 clusters planned at once would hold
	 * 20 trees of a megabyte (issue 12). */
	struct plan_request roles_bulk;
	struct buf roles_bulk_members;
	struct plan_request roles_bulk_delete;

	/* Per kind, the change index of each object this plan creates, by name, so
	 * that a dependant (a user of a new role) can wait for them. */
	struct strmap created[RESOURCE_KIND_COUNT];

	/* users (plan/users.c): lc's probe answers (1: the password matches) and
	 * lc's live roles by name, indexed on first use; keys borrowed from lc. */
	struct strmap probes;
	struct strmap live_roles;
	bool users_indexed;
};

/* A kind's planner: the plan stage's column of the kind table (desired/kind_list.h).
 * The driver (plan.c) matches declarations with live objects and decides, the
 * same way for every kind, whether an object is created, updated, deleted or
 * unchanged; the hooks say what that means for this kind. */
struct kind_ops {
	enum resource_kind kind;
	/* This kind's live objects on the cluster as {name: object}; the caller frees
	 * *out with cJSON_Delete (it may be a reference to the live_cluster's tree).
	 * Returns 1 when the kind cannot be planned on this cluster (after adding
	 * a problem that says why). NULL: the answer of the kind's list_path is that
	 * object already. */
	int (*read_live)(cJSON **out, struct cluster_builder *b);
	/* A body (declared, or live) in the form that compares as Elasticsearch means
	 * it; the caller owns *out. */
	int (*normalize)(cJSON **out, const cJSON *body, const struct live_cluster *lc);
	/* True when the body an update compares is plan_stamp_managed(d->body,
	 * owner) and normalize does not read the cluster (lc may be NULL): whether
	 * a live object matches its declaration is then the same on every
	 * cluster, and a match is remembered for the others (plan/match_memo.h). */
	bool shares_desired_norm;
	/* The part of a live object that compares with a declared body; NULL: all of it. */
	const cJSON *(*comparable)(const cJSON *live);
	/* Whether an undeclared live object may be pruned at all (never reserved
	 * or static objects); the driver adds the policy and the owner. */
	bool (*prunable)(const char *name, const cJSON *live);
	/* The owner (policy.owner) holding a live object, borrowed; NULL when no
	 * owner does (esreconcile never wrote it, or it was disowned). */
	const char *(*owner_of)(const struct cluster_builder *b, const char *name, const cJSON *live);
	/* Optional: objects esreconcile must not plan the usual way (reserved,
	 * static). Returns 1 when it planned the object itself (a problem, say), 0
	 * to go on. d is NULL for a pruned object. */
	int (*guard)(struct cluster_builder *b, const struct desired_object *d, const char *name,
		     const cJSON *live);
	/* Optional: *out (the caller frees it) says why the declaration cannot be
	 * planned on this cluster, or is NULL. Asked before any body is made, so
	 * that an object found unchanged needs no body (match_memo.h). */
	int (*desired_problem)(char **out, struct cluster_builder *b, const struct desired_object *d,
			       const cJSON *live);
	/* The body that a create (live NULL) or update compares and writes, owned
	 * by the caller; or *problem_out (the caller frees it) when it cannot be built. */
	int (*desired_body)(cJSON **out, char **problem_out, struct cluster_builder *b,
			    const struct desired_object *d, const cJSON *live);
	/* Optional: fields of an update beyond the body's diff (a password, a scope). */
	int (*extra_fields)(struct cluster_builder *b, const struct desired_object *d, const cJSON *live,
			    struct plan_change *c);
	/* Plans the requests of change (a create when live is NULL, else an update). */
	int (*write)(struct cluster_builder *b, const struct desired_object *d, const cJSON *body,
		     const cJSON *live, size_t change);
	/* Plans the request of the deletion change of the live object name. */
	int (*remove)(struct cluster_builder *b, const char *name, const cJSON *live, size_t change);
	/* Moves the requests this kind accumulated into the cluster plan; NULL when
	 * write and remove push every request themselves. */
	int (*finish)(struct cluster_builder *b);
	/* The cluster privileges (names or action names; NULL-terminated) that
	 * writing this kind needs, with the reads apply makes around those writes:
	 * what the preflight asks the cluster about (plan/privileges.c). */
	const char *const *privileges;
	/* NULL, or what apply waits for after writing objects of this kind. */
	const struct kind_settle *settle;
	/* Adds this kind's part of the live state to the fingerprint's document of
	 * the cluster (references or copies, keyed by distinct names) beyond the
	 * answer of its list_path, which the fingerprint takes anyway; optional. */
	int (*fingerprint)(cJSON *doc, const struct live_cluster *lc);
	/* The declaration that keeps the live object as it is (export): the body in
	 * the desired-state form (a remote's keys as the YAML nests them), the
	 * values Elasticsearch takes by default and metadata.managed_by left out.
	 * What no declaration can hold is left out too, with a sentence appended
	 * to notes (an array of strings). The caller owns *out. NULL for a kind
	 * declared with another kind's objects (API keys): export leaves it out. */
	int (*declare)(cJSON **out, const char *name, const cJSON *live, const struct live_cluster *lc,
		       cJSON *notes);
};

/* The plan stage's kind table, indexed by enum resource_kind (plan/kinds.c). */
extern const struct kind_ops *const plan_kinds[RESOURCE_KIND_COUNT];

#define ESR_KIND_OPS_DECLARE(e, name, section, list_path) extern const struct kind_ops name##_kind_ops;
ESR_KINDS(ESR_KIND_OPS_DECLARE)
#undef ESR_KIND_OPS_DECLARE

/* Adds a reference to value (null when absent) under key: the fingerprint
 * only reads the live trees, which can be large. Returns 0 or -ENOMEM. */
int fingerprint_add_reference(cJSON *doc, const char *key, const cJSON *value);

/* Per-kind normalisers, also exported for the unit tests. */
int remote_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc);
int role_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc);
int user_normalize(cJSON **out, const cJSON *body, const struct live_cluster *lc);

/* A copy of a role or user body with metadata.managed_by (and the owner) set,
 * as written on every write. */
int plan_stamp_managed(cJSON **out, const cJSON *body, const char *owner);
/* The owner a role or user's metadata names (borrowed from object): NULL when
 * it carries no managed_by mark, "default" when it has the mark alone. */
const char *plan_metadata_owner(const cJSON *object);
/* A copy of a live role or user's metadata without the marks esreconcile
 * stamps (managed_by, the owner), or NULL in *out when nothing else is left. */
int plan_unstamped_metadata(cJSON **out, const cJSON *object);
/* Appends one formatted sentence to notes (an array of strings). */
int plan_note(cJSON *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a `!` problem to a built plan's cluster (and counts it in the
 * summary); text and name are copied. Returns 0 or -ENOMEM. */
int plan_append_problem(struct plan *plan, struct cluster_plan *cp, enum resource_kind kind,
			const char *name, const char *text, bool blocks_cluster);
/* The change index of an object of kind this plan creates, or -1. */
long builder_created(const struct cluster_builder *b, enum resource_kind kind, const char *name);

/* Appends a change; *index_out receives its index in the cluster's changes. */
int builder_add_change(struct cluster_builder *b, enum resource_kind kind, const char *name,
		       enum change_action action, size_t *index_out);
/* The same, taking over the fields collected in scratch (which is left empty). */
int builder_add_change_from(struct cluster_builder *b, struct plan_change *scratch,
			    enum resource_kind kind, const char *name, enum change_action action,
			    size_t *index_out);
void change_dispose(struct plan_change *c);
/* Frees c's fields and leaves it with none. */
void change_drop_fields(struct plan_change *c);
struct plan_change *builder_change(struct cluster_builder *b, size_t index);
int builder_add_problem(struct cluster_builder *b, enum resource_kind kind, const char *name,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int builder_add_warning(struct cluster_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Moves *r into the cluster's requests (r is emptied), its pending_body printed
 * into body. */
int builder_push_request(struct cluster_builder *b, struct plan_request *r);
/* The end of every request of one change: body (taken, whatever is returned;
 * NULL for none) becomes r's pending body, the change is added and r pushed.
 * The caller still disposes of r, which is empty once pushed. */
int builder_push_single(struct cluster_builder *b, struct plan_request *r, cJSON *body, size_t change);

/* Adds a field change; before/after are printed as JSON text, or shown as
 * SECRET_PLACEHOLDER when sensitive. */
int change_add_field(struct plan_change *c, const char *path, const cJSON *before,
		     const cJSON *after, bool sensitive);
/* The same for a field of a body with sensitive_paths: the whole field as
 * SECRET_PLACEHOLDER when it is a secret, else its values with the secrets
 * inside it (metadata.api_key) replaced. */
int change_add_field_redacted(struct plan_change *c, const char *path, const cJSON *before,
			      const cJSON *after, const cJSON *sensitive_paths);
/* A field per key of a new object's body (before: none), redacted as above. */
int change_add_body_fields(struct plan_change *c, const cJSON *body, const cJSON *sensitive_paths);
/* The diff shared by every kind: both bodies normalised with ops->normalize, one
 * field per top-level key whose normalised values differ, showing the raw
 * values. *changed_out counts the fields added to c. */
int kind_diff(struct plan_change *c, size_t *changed_out, const struct kind_ops *ops,
	      const struct live_cluster *lc, const cJSON *live_raw, const cJSON *desired_raw,
	      const cJSON *sensitive_paths);
/* The fields of a deletion: each key of the live body that is set to something
 * other than its default. */
int kind_live_fields(struct plan_change *c, const struct kind_ops *ops, const struct live_cluster *lc,
		     const cJSON *live_raw);
int change_add_dependency(struct plan_change *c, size_t index);
bool path_is_sensitive(const cJSON *sensitive_paths, const char *path);

/* Drops the fields of each create that r carries which are exactly its share
 * of body (r's body, about to be printed), and marks it fields_in_request
 * (plan/shares.c): the body then holds them once. Fields are complete when a
 * request is pushed. Returns 0 or -ENOMEM. */
int plan_fold_fields(struct cluster_plan *cp, const struct plan_request *r, const cJSON *body);
/* The same for one change c that r carries, whose share is share (located by
 * part, NULL: the whole body). Returns 0 or -ENOMEM. */
int plan_fold_change(struct plan_change *c, const struct plan_request *r, const struct request_part *part,
		     const cJSON *share);

/* What printing a cluster plan needs of its requests: each body parsed once
 * (bodies[i], NULL for none; owned: a renderer may take one and set it NULL
 * once it is done with the shares) and, per change, the index of the request
 * that carries it (request_count for none) and its share of that body
 * (shares, borrowed from bodies; NULL when it has none of one piece) with the
 * part that locates it (NULL: the whole body). */
struct plan_cluster_view {
	cJSON **bodies;
	size_t *request_of;
	const cJSON **shares;
	const struct request_part **parts;
	size_t request_count;
};
/* Returns 0 or -ENOMEM; *v is disposed of with plan_cluster_view_dispose
 * (NULL-safe), also after an error. */
int plan_cluster_view_init(struct plan_cluster_view *v, const struct cluster_plan *cp);
void plan_cluster_view_dispose(struct plan_cluster_view *v);

/* The fields of a change as the plan shows them: its own (borrowed), or for a
 * fields_in_request create, made from its share of the parsed body (owned). */
struct plan_fields {
	struct field_change *items;
	size_t count;
	bool owned;
};
/* v may be a zeroed view (never initialised) when no change of cp is folded.
 * Returns 0, -ENOMEM, or -EINVAL when a folded change's share is not in v
 * (the view is of another plan, or none). Dispose of *out with plan_fields_dispose. */
int plan_change_fields(struct plan_fields *out, const struct cluster_plan *cp,
		       const struct plan_cluster_view *v, size_t change);
void plan_fields_dispose(struct plan_fields *fields);

int request_init(struct plan_request *r, enum request_step step, const char *method);
int request_set_path(struct plan_request *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int request_add_change(struct plan_request *r, size_t index);
/* Records where change's share of r's body is (see struct request_part). */
int request_add_part(struct plan_request *r, size_t change, enum part_shape shape,
		     const char *container, const char *key);
/* An edit of the run owner's ledger. */
int request_add_ledger_edit(struct plan_request *r, const char *alias, size_t change, bool add);
/* The removal of alias from the ledger of another owner, who gives it up (--adopt-from). */
int request_add_ledger_release(struct plan_request *r, const char *owner, const char *alias, size_t change);
int request_add_secret_slot(struct plan_request *r, const char *path, const secret_t *secret);
int request_add_value_slot(struct plan_request *r, const char *path, const cJSON *value);
void request_dispose(struct plan_request *r);
bool request_is_pending(const struct plan_request *r);

/* A copy of body with each value at a sensitive path replaced by
 * SECRET_PLACEHOLDER, and a value slot added to r for it at slot_prefix + path
 * (slot_prefix "" or ending in '.'). */
int redact_into_request(cJSON **out, struct plan_request *r, const cJSON *body,
			const cJSON *sensitive_paths, const char *slot_prefix);


/* Warnings about role names across the links of the cluster's remotes to
 * declared clusters (plan/links.c). Returns 0 or -ENOMEM. */
int plan_check_links(struct cluster_builder *b);
/* True when a privilege list (a string or an array of strings) holds name, in
 * any case, as Elasticsearch reads privilege names (plan/links.c). */
bool privileges_grant(const cJSON *privileges, const char *name);
/* Warnings and problems from what the cluster says of its declared remotes
 * (plan/remote_status.c). Returns 0 or -ENOMEM. */
int plan_check_remote_status(struct cluster_builder *b);

/* The facts of a linked cluster that was read, or NULL. */
const struct cluster_facts *builder_find_facts(const struct cluster_builder *b, const char *id);

/* The live roles of lc that the link checks of the clusters linking to it ask
 * about (plan/links.c), as {name: true}; the caller owns *out. Returns 0 or
 * -ENOMEM. */
int plan_link_roles(cJSON **out, const struct desired_state *desired, const struct live_cluster *lc);

/* The cluster's licence type ("basic", "trial", ...), or NULL when unknown
 * (plan/roles.c). */
const char *plan_license_type(const struct live_cluster *lc);
/* Whether the licence is active and one of types (NULL-terminated), or unknown. */
bool plan_license_allows(const struct live_cluster *lc, const char *const *types);
/* Normalises object[key], a list of index entries (names, privileges, query,
 * field_security, allow_restricted_indices) as role indices are compared;
 * an empty list is removed. Returns 0 or -ENOMEM (plan/roles.c). */
int plan_normalize_index_entries(cJSON *object, const char *key);
/* For a remote of security api_key: the seeds of body, as discovered from
 * the remote cluster server of its cluster (when not declared) or checked
 * against it. Sets *problem_out (the caller frees it) when they cannot be
 * known. Returns 0 or -ENOMEM (plan/api_keys.c). */
int plan_api_key_remote_body(cJSON *body, char **problem_out, struct cluster_builder *b,
			     const struct desired_object *d);
/* Keeps the live addresses (seeds or proxy_address) of the alias in body
 * while the credentials the local cluster holds do not match d's security
 * (none loaded for api_key, some for certificate): the alias moves only after
 * the keystore step. Returns 0 or -ENOMEM (plan/api_keys.c). */
int plan_hold_remote_addresses(cJSON *body, struct cluster_builder *b, const struct desired_object *d);

/* The live cluster referenced by name: the planned one, or a linked one as its
 * facts keep it (its objects dropped), or NULL. */
const struct live_cluster *builder_find_live(const struct cluster_builder *b, const char *id);

/* The largest body of a bulk role write: what Elasticsearch takes in one
 * request by default (http.max_content_length, 100mb); more roles go into
 * further bulk writes. A variable only so that the unit tests can lower it. */
extern size_t roles_bulk_max;

#endif
