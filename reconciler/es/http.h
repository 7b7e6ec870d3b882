/* http: requests to one Elasticsearch cluster over libcurl (OpenSSL).
 *
 * An es_client talks to one cluster: it tries the cluster's URLs in order
 * (failing over on connection errors), applies its TLS settings and
 * credentials, and keeps one CURL easy handle so connections are reused.
 * A client is not thread-safe: use one client per thread. es_client_new()
 * borrows the cluster_config, which must outlive the client.
 *
 * Ownership: every char * handed out (errmsg, es_describe_failure(), the
 * fields of an es_response) belongs to the caller; es_response_dispose()
 * frees a response's contents. No message produced here ever contains a
 * secret (passwords and API keys only go into request headers and bodies). */
#ifndef ESR_ES_HTTP_H
#define ESR_ES_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <stdatomic.h>

#include "desired/model.h"
#include "util/secret.h"

/* Tuning; a zero field takes the default shown. */
struct es_client_options {
	long retry_deadline_ms;    /* 30000: no retry starts after this much time since the first try */
	int max_attempts;          /* 5: attempts per request, the first one included */
	long backoff_base_ms;      /* 200: delay before the first retry, doubled each time */
	long backoff_max_ms;       /* 5000: cap of one delay (Retry-After is capped by the deadline only) */
	size_t response_max_bytes; /* 64 MiB: a larger response body is an error */
	const char *user_agent;    /* "esreconcile/<version>"; copied */
	/* NULL, or a flag that, once true, stops the client's requests: a transfer
	 * in progress is abandoned within about a second (libcurl's progress
	 * callback) and no retry starts. It must outlive the client. */
	const atomic_bool *cancel;
};

#define ES_RESPONSE_DEFAULT_MAX ((size_t)64 << 20)

struct es_client;

/* Flags of one request. */
enum {
	/* Safe to send twice: retried on connection errors, 429 and 502/503/504.
	 * GET, PUT and DELETE are; so are the POSTs esreconcile sends to
	 * /_security/role (bulk) and /_security/user/<name>, which set whole values. */
	ES_IDEMPOTENT = 1u << 0,
};

struct es_response {
	long status;        /* HTTP status */
	char *body;         /* NUL-terminated; "" when empty */
	size_t body_len;
	cJSON *json;        /* body parsed, or NULL when it is not JSON */
	char *error_type;   /* error.type of an ES error body, or NULL */
	char *error_reason; /* error.reason, or the string of {"error":"..."} (405), or NULL */
	/* A success status whose Content-Type is not JSON: not Elasticsearch's
	 * answer (a proxy's page); error_type and error_reason say so, and
	 * es_response_ok() is false. */
	bool foreign;
	int attempts;       /* how many times the request was sent */
	long duration_ms;   /* from the first attempt to the final answer, waits included */
};

/* Calls curl_global_init() once per process (thread-safe; es_client_new()
 * calls it too). es_global_cleanup() at exit, after every client is freed,
 * keeps valgrind quiet. */
int es_global_init(void);
void es_global_cleanup(void);

/* Creates a client for cfg; opts may be NULL. Refuses (-EPERM, with a message
 * in *errmsg_out) a cluster whose credentials would travel over http:// unless
 * cfg->allow_insecure_http. Returns 0, -EPERM, -EINVAL or -ENOMEM.
 * *errmsg_out may be NULL to not receive the message. */
int es_client_new(struct es_client **out, const struct cluster_config *cfg,
		  const struct es_client_options *opts, char **errmsg_out);
void es_client_free(struct es_client *c);
const char *es_client_cluster_id(const struct es_client *c);
/* Lets the following requests take ms longer than the cluster's timeout (an
 * answer Elasticsearch is known to delay); 0 restores the timeout. */
void es_client_set_extra_timeout(struct es_client *c, long ms);

/* Sends one request. path starts with '/' and may carry a query string; path
 * segments built from names must be escaped with es_escape_path_segment() (es/path.h).
 * body_json may be NULL (no body).
 *
 * Returns 0 when an HTTP response arrived, whatever its status (after retries,
 * the last response); check es_response_ok() or use es_describe_failure().
 * Returns a negative errno when no usable response arrived (-ECONNREFUSED,
 * -ETIMEDOUT, -EHOSTUNREACH, -ECONNRESET for connection failures after every
 * URL and retry, -EPROTO for TLS failures, -EMSGSIZE when the body exceeds
 * the cap, -EPERM when credentials would cross http://, -EIO, -ENOMEM);
 * then *errmsg_out receives one line naming the cluster, method and path and
 * what failed, with a hint for TLS verification failures. *out is always
 * initialised (empty on failure) and must be disposed. */
int es_request(struct es_response *out, struct es_client *c, const char *method,
	       const char *path, const char *body_json, unsigned flags, char **errmsg_out);

/* As es_request(), but authenticates with HTTP basic as username/password
 * instead of the cluster's credentials: the password probe
 * (GET /_security/_authenticate). A 401 is a response (status 401), not an error. */
int es_request_as(struct es_response *out, struct es_client *c, const char *username,
		  const secret_t *password, const char *method, const char *path,
		  const char *body_json, unsigned flags, char **errmsg_out);

void es_response_dispose(struct es_response *r);

/* Fills out (zeroed) with an answer: status, the Content-Type header (NULL
 * when there was none) and body[0..len) (NUL-terminated at len; out takes it
 * over). Parses the body as JSON and extracts Elasticsearch's error, and marks
 * a success that is not labelled JSON as foreign. This is how es_request()
 * reads every answer; fuzzers feed it directly. Returns 0 or -ENOMEM. */
int es_response_adopt(struct es_response *out, long status, const char *content_type, char *body,
		      size_t len);

/* True for a 2xx answer that is Elasticsearch's (see foreign). */
bool es_response_ok(const struct es_response *r);

/* One line for a non-2xx response: "cluster [local] PUT /_cluster/settings:
 * HTTP 400 illegal_argument_exception: persistent setting [x], not recognized".
 * Without an ES error body, a bounded excerpt of the body stands in; when the
 * request was retried, " (after N attempts)" ends the line. Returns
 * NULL only on allocation failure; the caller frees. */
char *es_describe_failure(const char *cluster, const char *method, const char *path,
			  const struct es_response *r);

/* Checks one cluster URL: http or https, no user info (credentials belong in
 * auth), and no credentials over http:// unless cfg->allow_insecure_http.
 * sends_credentials says whether requests to it carry an Authorization header.
 * Returns 0, or -EINVAL / -EPERM with a one-line message in *errmsg_out (which
 * never repeats a URL that held user info). */
int es_check_url(const struct cluster_config *cfg, const char *url, bool sends_credentials,
		 char **errmsg_out);

#endif
