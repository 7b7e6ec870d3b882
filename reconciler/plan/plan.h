/* plan: the changes that bring live clusters to the desired state, and the
 * exact requests that make them.
 *
 * plan_build() is pure: from (desired_state, live_state) to a plan, with no
 * network, no files, no clock. A plan owns all its strings and cJSON trees; it
 * borrows the secret_t values of the desired_state it was built from, so the
 * desired_state must outlive it. Request bodies in a plan never hold a secret:
 * sensitive values are SECRET_PLACEHOLDER and each request lists the slots that
 * plan_request_body_with_secrets() fills in right before sending.
 *
 * A finished plan holds request bodies and field values as compact JSON text,
 * not as cJSON trees: a plan of 40,000 changes is held in a fraction of the
 * memory its trees took (issue 12); the renderers parse what they print. */
#ifndef ESR_PLAN_PLAN_H
#define ESR_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "desired/model.h"
#include "es/live.h"
#include "plan/ledger.h"

struct match_memo;
#include "trust/trust_check.h"
#include "util/buf.h"

/* Length of a hex SHA-256 with its NUL. */
#define PLAN_DIGEST_HEX 65

enum change_action { ACTION_CREATE = 0, ACTION_UPDATE, ACTION_DELETE, ACTION_PROBLEM };

/* One changed field: before/after are compact JSON text, NULL when absent on
 * that side. For a sensitive field both are the JSON string SECRET_PLACEHOLDER
 * (or NULL). */
struct field_change {
	char *path;
	char *before;
	char *after;
	bool sensitive;
};

struct plan_change {
	enum resource_kind kind;
	char *name;
	enum change_action action;
	struct field_change *fields;
	size_t field_count;
	char *problem;        /* ACTION_PROBLEM only: what is wrong and how to fix it */
	/* ACTION_PROBLEM only: the problem concerns the whole cluster (an account
	 * that may not make the planned requests, say): apply writes nothing to it. */
	bool blocks_cluster;
	size_t *depends_on;   /* indices (in this cluster's changes) that must succeed first */
	size_t depends_on_count;
	/* A create whose fields are exactly its share of the body of the request
	 * that carries it: they are held there only (fields is NULL), and
	 * plan_change_fields() (plan_internal.h) makes them for printing. */
	bool fields_in_request;
	/* A user's change with a field that sets the declared password (what
	 * plan_change_sets_password() says, whether or not fields are held). */
	bool sets_password;
};

/* Order of execution per cluster (design §6). */
enum request_step {
	STEP_ROLES_WRITE = 0,
	STEP_USERS_WRITE,
	STEP_API_KEYS,
	STEP_SETTINGS,
	STEP_USERS_DELETE,
	STEP_ROLES_DELETE,
};

/* Where a secret goes in a request body: a dotted path of object keys (keys may
 * hold dots themselves, e.g. "persistent.cluster.remote.a.seeds": at each level
 * the longest existing key matches; array items by index). Either secret (a
 * password) or value (a sensitive field that is not a secret_t, such as an
 * interpolated ${VAR} in a role; owned by the slot, never printed) is set. */
struct secret_slot {
	char *path;
	const secret_t *secret; /* borrowed from the desired_state */
	cJSON *value;           /* owned; NULL when secret is set */
};

/* Where one change's share of a request body is, so that apply can leave out
 * the share of a change that may not go (its dependency failed) without knowing
 * what the body means. container is a top-level key of the body. */
enum part_shape {
	PART_MEMBER = 0,   /* body[container][key] */
	PART_ARRAY_STRING, /* the string key in the array body[container] */
	PART_KEY_PREFIX,   /* every member of body[container] whose key starts with key */
};

struct request_part {
	size_t change; /* index in the cluster's changes */
	enum part_shape shape;
	char *container;
	char *key;
};

/* How an answer becomes one outcome per change. */
enum answer_shape {
	/* the status decides for every change; a 404 to a DELETE means already gone */
	ANSWER_WHOLE = 0,
	/* a security bulk answer: 2xx with per-item errors under errors.details.<change name> */
	ANSWER_PER_ITEM,
};

struct plan_request {
	enum request_step step;
	char *method;
	char *path;             /* with query string when there is one */
	char *body;             /* compact JSON text, NULL for none; secrets replaced by SECRET_PLACEHOLDER */
	/* The body while a planner builds it: builder_push_request() prints it
	 * into body and frees it, so it is NULL in a finished plan. */
	cJSON *pending_body;
	struct secret_slot *slots;
	size_t slot_count;
	size_t *changes;        /* indices of the changes this request carries out */
	size_t change_count;
	struct request_part *parts; /* where each change's share of body is; none for a single-change request */
	size_t part_count;
	enum answer_shape answer;
	/* How much longer than usual Elasticsearch may take to answer: a settings
	 * PUT waits for each new or changed remote to connect (docs/elasticsearch.md). */
	long extra_wait_ms;
	bool idempotent;
	/* The request writes the ownership ledger: apply re-reads it and merges
	 * edits (those of the changes that go) right before sending, so concurrent
	 * applies lose no alias. */
	bool carries_ledger;
	struct ledger_edit *ledger_edits;
	size_t ledger_edit_count;
	/* The answer holds a secret made for the request's one change (a new
	 * cross-cluster API key's `encoded`): apply hands it over (apply_options
	 * hand_off) and never shows the answer. */
	bool hand_off;
};

struct cluster_plan {
	char *cluster_id;
	char *version;
	bool reachable;
	char *error;                   /* when unreachable */
	struct plan_change *changes;
	size_t change_count;
	struct plan_request *requests; /* in execution order */
	size_t request_count;
	char **warnings;
	size_t warning_count;
	size_t unchanged;
};

struct plan_summary {
	size_t create, update, remove, problems, unchanged;
};

struct plan {
	struct cluster_plan *clusters;
	size_t cluster_count;
	struct plan_summary summary;
	char fingerprint[PLAN_DIGEST_HEX]; /* of the live state the plan was computed from (plan_fingerprint) */
};

/* What apply waits for after it wrote objects of a kind whose writes take
 * effect later (a remote connects after its settings are stored). */
struct kind_settle {
	/* The GET apply polls for the objects names[0..count) of a cluster of
	 * version major.minor; the caller frees *out. Returns 0 or -ENOMEM. */
	int (*path)(char **out, char *const *names, size_t count, int major, int minor);
	/* Whether the object name shows settled in an answer to path. */
	bool (*settled)(const cJSON *answer, const char *name);
	/* The answer to path in a live cluster read afresh (for the final report). */
	const cJSON *(*live_answer)(const struct live_cluster *lc);
	const char *settled_key;    /* the apply report's list of settled objects */
	const char *unsettled_key;  /* and of the others */
	const char *unsettled_text; /* how an unsettled object is described: "is not connected" */
	const char *settling_text;  /* what apply waits for: "to connect" */
};

/* The settle rule of kind, or NULL when its writes take effect at once. */
const struct kind_settle *plan_kind_settle(enum resource_kind kind);

/* Builds the plan. Returns 0 and *out (caller frees with plan_free), or a negative errno. */
int plan_build(struct plan **out, const struct desired_state *desired, const struct live_state *live);
void plan_free(struct plan *plan);

/* What planning one cluster needs to know of another read cluster (the far
 * side of one of its `cluster:` remotes), kept once that cluster's own live
 * state is freed: whether it could be read, its transport publish addresses
 * (a remote's seeds), and, for the link checks (plan/links.c), which of the
 * role names the clusters linking to it ask about it holds live. */
struct cluster_facts {
	/* borrowed: the read cluster as live_cluster_drop_objects() leaves it (id,
	 * reachability, versions, licence, remote info, addresses; no objects);
	 * NULL until it was read */
	const struct live_cluster *live;
	cJSON *link_roles; /* owned: {name: true}, the live roles the link checks ask about */
};

/* The facts of one read cluster; out owns copies (plan_cluster_facts_dispose).
 * Returns 0 or -ENOMEM. */
int plan_cluster_facts(struct cluster_facts *out, const struct desired_state *desired,
		       const struct live_cluster *lc);
void plan_cluster_facts_dispose(struct cluster_facts *facts);

/* The declared clusters that cluster_id's remotes point at (`cluster:`), and
 * the local clusters of the API keys it holds, each once, in declaration
 * order: the clusters whose facts planning it needs. *out is an array the caller frees, of strings borrowed from desired.
 * Returns 0 or -ENOMEM. */
int plan_linked_clusters(const char ***out, size_t *count_out, const struct desired_state *desired,
			 const char *cluster_id);

/* Plans one read cluster into *cp (zeroed by the caller, which disposes of it
 * with cluster_plan_dispose, also after an error). facts[0..fact_count) are
 * those of the clusters plan_linked_clusters() names that were read (the
 * others count as not read). memo (plan/match_memo.h, made for desired) is
 * shared by the run's plans, or NULL. Pure, and thread-safe over distinct
 * cps: it only reads desired, lc and the facts, and memo is safe to share.
 * Returns 0 or -ENOMEM. */
int plan_cluster(struct cluster_plan *cp, const struct desired_state *desired,
		 const struct live_cluster *lc, const struct cluster_facts *const *facts,
		 size_t fact_count, struct match_memo *memo);
void cluster_plan_dispose(struct cluster_plan *cp);
/* Disposes of clusters[0..count) and frees the array; NULL-safe. */
void plan_clusters_free(struct cluster_plan *clusters, size_t count);

/* A plan of cluster plans made one by one: takes over clusters (an array of
 * count from malloc, each planned by plan_cluster) whatever it returns, and
 * digests[i] (plan_cluster_digest of the live cluster of clusters[i]) makes
 * the fingerprint. Returns 0 and *out, or -ENOMEM. */
int plan_assemble(struct plan **out, struct cluster_plan *clusters, size_t count,
		  char (*const digests)[PLAN_DIGEST_HEX]);

/* Adds trust findings (trust/trust_check.h) to the plan: problems as `!`
 * changes of kind RESOURCE_TRUST on the clusters they concern, warnings as
 * cluster warnings. Returns 0 or -ENOMEM. */
int plan_add_trust_findings(struct plan *plan, const struct desired_state *desired,
			    const struct trust_report *report);

/* The live objects of one read cluster as a desired state would declare them
 * to keep them as they are (export): {"remotes": {alias: body}, "roles": {..},
 * "users": {..}}, names sorted, every object esreconcile may manage (not the
 * reserved roles and users, nor the remotes of elasticsearch.yml). Bodies are
 * in the desired-state form without the values Elasticsearch takes by default
 * or metadata.managed_by; users have no password (it cannot be read back).
 * *notes_out lists, as strings, what could not be declared and was left out.
 * The caller owns both. Returns 0, -EINVAL for an unreachable cluster, or -ENOMEM. */
int plan_declarations(cJSON **out, cJSON **notes_out, const struct live_cluster *lc);

/* "create", "update", "delete", "problem": the plan JSON's action names; static strings. */
const char *plan_action_name(enum change_action action);

/* Adds to the cluster's plan a `!` problem of kind RESOURCE_CLUSTER named
 * name (what it is about) that blocks every write to that cluster. Returns 0,
 * -ENOENT when the plan has no such cluster, or -ENOMEM. */
int plan_add_cluster_problem(struct plan *plan, const char *cluster_id, const char *name,
			     const char *problem);

/* The cluster privileges that the planned requests of cp need, with the reads
 * apply makes around them, as a sorted JSON array of strings (empty when
 * nothing is to be written); the caller owns *out. Returns 0 or -ENOMEM. */
int plan_required_privileges(cJSON **out, const struct cluster_plan *cp);

/* Adds to cp one blocking problem (kind cluster) per privilege of required that
 * answer, a POST /_security/user/_has_privileges answer, does not grant; each
 * names the account, the privilege, the requests that need it and the fix.
 * Returns 0 or -ENOMEM. */
int plan_check_privileges(struct plan *plan, struct cluster_plan *cp, const cJSON *required,
			  const cJSON *answer);

/* True when a problem blocks every write to the cluster. */
bool cluster_plan_blocked(const struct cluster_plan *cp);

/* True when carrying out c sets a user's declared password (a create, or an
 * update after the probe said the password differs): once c applied, the
 * password is known to match. */
bool plan_change_sets_password(const struct plan_change *c);

/* True when the plan has nothing to do and no problem. */
bool plan_is_empty(const struct plan *plan);

/* The fingerprint of a plan: the hex SHA-256 of the canonical object
 * {cluster id: plan_cluster_digest of that cluster} (docs/plan.md). */
int plan_fingerprint(char out[PLAN_DIGEST_HEX], const struct live_state *live);
/* The hex SHA-256 of the canonical document of one cluster's live objects
 * that a plan depends on, streamed: the text is never held whole. */
int plan_cluster_digest(char out[PLAN_DIGEST_HEX], const struct live_cluster *lc);
/* The fingerprint over count clusters' digests (any order). */
int plan_fingerprint_combine(char out[PLAN_DIGEST_HEX], char *const *cluster_ids,
			     char (*const digests)[PLAN_DIGEST_HEX], size_t count);

/* Text rendering (design §4), coloured when color is true. */
int plan_render_text(struct buf *out, const struct plan *plan, bool color);
/* JSON rendering (design §4); the caller owns *out. */
int plan_to_json(cJSON **out, const struct plan *plan);
/* The same document, compact, written to `out` one change at a time so that a
 * large plan is never held twice in memory. Returns 0, -ENOMEM or -EIO. */
int plan_write_json(FILE *out, const struct plan *plan);

/* Where plan_cluster_json_write() sends a cluster object of the plan JSON:
 * write gets the text piece by piece (complete values, compact); each
 * change's object passes through annotate_change (when set) before it is
 * printed, and annotate_tail (when set) may add members after "unchanged".
 * The callbacks return 0 or a negative errno, which stops the writing. */
struct plan_json_sink {
	int (*write)(void *ctx, const char *text);
	int (*annotate_change)(void *ctx, cJSON *change, size_t index);
	int (*annotate_tail)(void *ctx, cJSON *tail);
	void *ctx;
};
/* Writes cp's object of the plan JSON's "clusters" (without its key), the
 * same text cJSON_PrintUnformatted() would make of plan_to_json()'s, holding
 * one change's JSON at a time. Returns 0, -ENOMEM or what a callback returned. */
int plan_cluster_json_write(const struct cluster_plan *cp, const struct plan_json_sink *sink);
/* Writes `"key":` to sink, key escaped as cJSON escapes it. Returns 0, -ENOMEM
 * or what sink->write returned. */
int plan_json_write_key(const struct plan_json_sink *sink, const char *key);

/* The request body parsed, with every secret slot filled in, for sending only.
 * The caller owns *out and frees it with cJSON_Delete (*out is NULL for no body).
 * Returns 0, -ENOMEM, or -EINVAL when the body or a slot is not where the plan
 * says. */
int plan_request_body_with_secrets(cJSON **out, const struct plan_request *request);
/* A field value or request body of a plan (JSON text cJSON printed, or NULL)
 * parsed; the caller owns *out (NULL for NULL text). Returns 0 or -ENOMEM. */
int plan_parse_text(cJSON **out, const char *text);

#endif
