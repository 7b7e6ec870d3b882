/* model: the desired state, as loaded from YAML and checked.
 *
 * A desired_state owns everything reachable from it (strings, cJSON trees,
 * secrets); desired_state_free() releases it all. Nothing here does I/O.
 * Every object remembers where it was defined (src_pos) so that later stages
 * can name the place in their messages; the YAML text and trees themselves are
 * gone once loading ends.
 *
 * The JSON trees of objects (body, sensitive_paths) and their cluster ids and
 * names are interned: objects with equal ones share one copy, owned by the
 * state's body table. They are read-only
 * for everyone: whoever needs a changed body works on a cJSON_Duplicate(). */
#ifndef ESR_DESIRED_MODEL_H
#define ESR_DESIRED_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "desired/kind_list.h"
#include "util/secret.h"

struct src_pos {
	const char *file; /* owned by the desired_state's file table */
	int line;         /* 1-based */
	int column;       /* 1-based */
};

enum tls_verify { TLS_VERIFY_FULL = 0, TLS_VERIFY_CERTIFICATE, TLS_VERIFY_NONE };

/* Connection details of one cluster (`clusters.<id>`). */
struct cluster_config {
	char *id;
	char **urls;            /* at least one; tried in order */
	size_t url_count;
	char *username;         /* NULL with api_key auth */
	secret_t *password;     /* with username */
	secret_t *api_key;      /* alternative to username/password */
	char *ca_file;          /* absolute, or relative to the process cwd after resolution; may be NULL */
	char *client_cert_file; /* may be NULL */
	char *client_key_file;  /* may be NULL */
	enum tls_verify verify;
	long timeout_ms;        /* per request; default 30000 */
	bool allow_insecure_http;
	/* expect: which cluster the URLs must reach (GET / cluster_name and
	 * cluster_uuid); NULL when not declared. */
	char *expect_cluster_name;
	char *expect_cluster_uuid;
	struct src_pos pos;
};

/* trust.authorities.<name>: a PEM CA file. */
struct trust_authority {
	char *name;
	char *ca_file; /* path resolved relative to the defining YAML file */
	struct src_pos pos;
};

/* trust.clusters.<id>: which CA signs the cluster's transport certificate and
 * which CAs its transport layer must trust. */
struct trust_cluster {
	char *cluster;
	char *transport_ca; /* an authority name */
	char **trusts;      /* authority names */
	size_t trust_count;
	struct src_pos pos;
};

/* The kinds of declared objects. Trust is never written, only verified: it is a
 * kind of plan problem (RESOURCE_TRUST), outside the count of object kinds, as
 * are problems about a whole cluster (RESOURCE_CLUSTER). */
#define ESR_KIND_ENUM(e, name, section, list_path) RESOURCE_##e,
enum resource_kind {
	ESR_KINDS(ESR_KIND_ENUM)
	RESOURCE_KIND_COUNT,
	RESOURCE_TRUST = RESOURCE_KIND_COUNT,
	RESOURCE_CLUSTER, /* a plan problem about a whole cluster (privileges, identity) */
};

/* remotes.<cluster>.<alias>.security: certificate (the transport's TLS, the
 * default) or api_key (a cross-cluster API key; the alias connects to the
 * remote cluster server). */
enum remote_security { REMOTE_SECURITY_CERTIFICATE = 0, REMOTE_SECURITY_API_KEY };

/* One remote, role, user or cross-cluster API key declared on one cluster. */
struct desired_object {
	enum resource_kind kind;
	bool absent;   /* declared `absent`: delete it */
	/* Both interned like body: one copy of each distinct string, owned by the state. */
	const char *cluster; /* id of the cluster that holds the object */
	const char *name;    /* remote alias, role name or username */
	/* The object's body, NULL when absent:
	 * - remote: a flat object of the keys under cluster.remote.<alias>., e.g.
	 *   {"mode":"sniff","seeds":["127.0.0.1:9300"],"skip_unavailable":true,
	 *    "transport.compress":true,"transport.ping_schedule":"30s"}; values keep
	 *   the YAML type (bool, number, string, array of strings);
	 * - role: the role descriptor as written (cluster, indices, ...);
	 * - user: roles, full_name, email, metadata, enabled as written (never a password).
	 * Shared with every object whose body is equal; owned by the state. */
	const cJSON *body;
	/* Dotted paths into body whose values came from ${...} interpolation: every
	 * printer shows them as (sensitive). An array of strings, possibly empty;
	 * list elements are named by index ("indices.0.query", "seeds.1"), remote
	 * keys by their flat name ("transport.ping_schedule"). Shared and owned as body. */
	const cJSON *sensitive_paths;
	char *remote_cluster;    /* remote only: the declared cluster this alias points at, or NULL */
	/* remote only: how the alias authenticates to the remote cluster, and
	 * whether `security:` was written (an explicit certificate keeps the keys
	 * of its `cluster:` read, so that a key left from api_key is invalidated) */
	enum remote_security security;
	bool security_declared;
	/* api_key only: the cluster whose alias uses the key and that alias; the
	 * object itself is on the cluster that holds the key (the remote's
	 * `cluster:`), named "<key_cluster>/<key_alias>", and its body is
	 * {"access": {...}, "expiration"?: "90d", "metadata"?: {...}} as declared
	 * under remotes.<key_cluster>.<key_alias>.api_key. Interned like cluster
	 * and name (they are the remote's own cluster and name), owned by the state. */
	const char *key_cluster;
	const char *key_alias;
	secret_t *password;      /* user only, may be NULL */
	secret_t *password_hash; /* user only, may be NULL */
	struct src_pos pos;
};

/* The owner of objects written before owners existed, and of a desired state without policy.owner. */
#define DESIRED_DEFAULT_OWNER "default"

enum prune_policy { PRUNE_NONE = 0, PRUNE_MANAGED, PRUNE_ALL };
enum password_check { PASSWORD_CHECK_PROBE = 0, PASSWORD_CHECK_ON_CREATE };

struct policy {
	enum prune_policy prune[RESOURCE_KIND_COUNT]; /* default PRUNE_MANAGED each */
	long max_deletes;                              /* default 20, per owner */
	enum password_check password_check;            /* default probe */
	bool suspend;                                  /* watch reports drift without applying it */
	/* api_key_rotate_before (default 7d): a key whose expiration is nearer is
	 * replaced by a new one */
	long long api_key_rotate_before_ms;
	/* Who this desired state is: objects are written with it, and only its own
	 * are pruned. [A-Za-z0-9_-]+; NULL means "default" (desired_owner()). */
	char *owner;
	/* Not from the files: `--adopt-from OWNER`, the other owner whose declared
	 * objects this run may take over; NULL for none. */
	char *adopt_from;
	/* Not from the files either: `apply --rotate-keys` (replace every declared
	 * cross-cluster API key by a new one) and `apply --retire-keys` (invalidate
	 * the keys that a rotation superseded, the keystore step being done). */
	bool rotate_keys;
	bool retire_keys;
};

struct body_table;
struct object_index;

struct desired_state {
	struct cluster_config *clusters;
	size_t cluster_count;
	struct trust_authority *authorities;
	size_t authority_count;
	struct trust_cluster *trust_clusters;
	size_t trust_cluster_count;
	/* All remotes, roles and users, in file order. */
	struct desired_object *objects;
	size_t object_count;
	/* Owns the objects' JSON trees and names, one of each distinct one
	 * (desired_state_intern, desired_state_intern_name). */
	struct body_table *bodies;
	/* The lookups of objects (desired_find_object, desired_cluster_objects),
	 * built by desired_state_index() once objects no longer moves. */
	struct object_index *index;
	struct policy policy;
	char **files; /* file table; src_pos.file points into it */
	size_t file_count;
	/* desired_load_offline() only: the variables (and "file:PATH") that were not
	 * resolved, sorted; their values were placeholders */
	char **unresolved;
	size_t unresolved_count;
};

void desired_state_free(struct desired_state *state);

/* A deep copy of c into *out (secrets included; not the position, whose file
 * name is the state's), which outlives the state c belongs to. The caller owns
 * it and releases it with cluster_config_dispose(). Returns 0 or -ENOMEM
 * (*out then holds nothing). */
int cluster_config_copy(struct cluster_config *out, const struct cluster_config *c);
/* Frees what c holds, not c itself. */
void cluster_config_dispose(struct cluster_config *c);

/* Hands *json (not NULL) to the state's body table: afterwards *json is the
 * table's copy of that tree, owned by the state, maybe shared with other
 * objects. Returns 0, or -ENOMEM with *json still the caller's. The loader
 * interns every body; a state built by hand (tests) does the same. */
int desired_state_intern(struct desired_state *state, cJSON **json);
/* The same for a string: *out is the state's copy of s. Returns 0 or -ENOMEM. */
int desired_state_intern_name(struct desired_state *state, const char *s, const char **out);

/* Builds the lookups over state->objects, which must not move afterwards; the
 * loader calls it, a state built by hand calls it once its objects are in
 * place. Of two objects with the same kind, cluster and name, the later one is
 * found. Returns 0 or -ENOMEM. */
int desired_state_index(struct desired_state *state);

/* Cluster ids, remote aliases, authority and owner names: [A-Za-z0-9_-]+. */
bool desired_valid_id(const char *s);

/* policy.owner, or "default"; owned by state (or static). */
const char *desired_owner(const struct desired_state *state);

/* Lookups; the results are owned by state. NULL when not found.
 * desired_find_object() is a hash lookup (desired_state_index()). */
const struct cluster_config *desired_find_cluster(const struct desired_state *state, const char *id);
const struct desired_object *desired_find_object(const struct desired_state *state,
						 enum resource_kind kind, const char *cluster,
						 const char *name);
/* The objects of `kind` declared on `cluster`, in file order, without a scan of
 * the others: sets *out to that many pointers into state->objects (the array is
 * owned by state; NULL when there are none) and returns how many. */
size_t desired_cluster_objects(const struct desired_state *state, const char *cluster,
			       enum resource_kind kind, const struct desired_object *const **out);
/* trust.clusters.<cluster>, and trust.authorities.<name>. */
const struct trust_cluster *desired_find_trust(const struct desired_state *state, const char *cluster);
const struct trust_authority *desired_find_authority(const struct desired_state *state, const char *name);
/* "remote", "role", "user", "api_key" (the name column of ESR_KINDS), "trust", "cluster"; static strings. */
const char *resource_kind_name(enum resource_kind kind);
/* The kind's section of the desired state and key under policy.prune ("roles"); NULL for trust. */
const char *resource_kind_section(enum resource_kind kind);
/* The GET that lists the kind's live objects ("/_security/role"), or NULL when
 * the kind is read from cluster-wide answers (remotes, from the settings). */
const char *resource_kind_list_path(enum resource_kind kind);

#endif
