#include "es/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "es/retry.h"
#include "es/tls_probe.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_DEADLINE_MS 30000L
#define DEFAULT_MAX_ATTEMPTS 5
#define DEFAULT_BACKOFF_BASE_MS 200L
#define DEFAULT_BACKOFF_MAX_MS 5000L
/* How much of a body without an ES error object a failure message quotes. */
#define BODY_EXCERPT_MAX 200
/* How long the check whether a refused TLS server is a transport port may take. */
#define TRANSPORT_PROBE_TIMEOUT_MS 3000L

struct es_client {
	const struct cluster_config *cfg;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	struct retry_policy retry;
	size_t response_max;
	char *user_agent;
	size_t preferred_url; /* the URL that answered last; tried first */
	unsigned jitter_seed;
	long extra_timeout_ms; /* added to the cluster's timeout (es_client_set_extra_timeout) */
	const atomic_bool *cancel; /* es_client_options.cancel */
};

/* One request as the retry loop sees it. */
struct request {
	const char *method;
	const char *path;
	const char *body;
	unsigned flags;
	const char *auth_header; /* "Authorization: ..." or NULL; holds a secret */
};

/* What one exchange with one URL collected. */
struct exchange {
	struct buf body;
	char *retry_after;
	char *content_type;
	size_t header_bytes;
	int write_error; /* buf_append()'s error when the body could not be stored */
	bool headers_too_large;
};

/* Elasticsearch's headers are a few hundred bytes; more is not its answer. */
#define HEADERS_MAX ((size_t)64 << 10)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int es_global_init(void)
{
	pthread_once(&global_once, global_init_once);
	return global_rc == CURLE_OK ? 0 : -EIO;
}

void es_global_cleanup(void)
{
	if (global_rc == CURLE_OK)
		curl_global_cleanup();
}

/* Formats a one-line message into *errmsg_out (when wanted); returns err. */
static int fail(char **errmsg_out, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char **errmsg_out, int err, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	if (!errmsg_out)
		return err;
	buf_init(&b, BUF_SMALL_MAX);
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) == 0)
		*errmsg_out = buf_detach(&b);
	va_end(ap);
	buf_dispose(&b);
	return err;
}

static void wipe_buf(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_dispose(b);
}

int es_check_url(const struct cluster_config *cfg, const char *url, bool sends_credentials,
		 char **errmsg_out)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *user = NULL, *password = NULL;
	int err = 0;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		/* The text may be a mistyped URL with a password in it: do not echo it. */
		err = fail(errmsg_out, -EINVAL, "cluster [%s]: url is not a valid http(s) URL",
			   cfg->id);
		goto done;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
	if (user || password) {
		err = fail(errmsg_out, -EINVAL,
			   "cluster [%s]: url must not contain credentials: use auth.username "
			   "and auth.password, or auth.api_key", cfg->id);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
		err = fail(errmsg_out, -EINVAL, "cluster [%s]: url [%s] must start with https://",
			   cfg->id, url);
		goto done;
	}
	if (!strcmp(scheme, "http") && sends_credentials && !cfg->allow_insecure_http)
		err = fail(errmsg_out, -EPERM,
			   "cluster [%s]: refusing to send credentials over plain http to [%s]: "
			   "use https, or set allow_insecure_http: true", cfg->id, url);
done:
	curl_free(scheme);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return err;
}

static bool config_sends_credentials(const struct cluster_config *cfg)
{
	return cfg->api_key || cfg->username;
}

int es_client_new(struct es_client **out, const struct cluster_config *cfg,
		  const struct es_client_options *opts, char **errmsg_out)
{
	static const struct es_client_options no_options;
	struct es_client *c = NULL;
	size_t i;
	int err;

	*out = NULL;
	if (!opts)
		opts = &no_options;
	if (!cfg->url_count)
		return fail(errmsg_out, -EINVAL, "cluster [%s]: no url", cfg->id);
	for (i = 0; i < cfg->url_count; i++) {
		err = es_check_url(cfg, cfg->urls[i], config_sends_credentials(cfg), errmsg_out);
		if (err)
			return err;
	}
	err = es_global_init();
	if (err)
		return fail(errmsg_out, err, "cluster [%s]: libcurl initialisation failed", cfg->id);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = cfg;
	c->cancel = opts->cancel;
	c->retry.max_attempts = opts->max_attempts > 0 ? opts->max_attempts : DEFAULT_MAX_ATTEMPTS;
	c->retry.deadline_ms = opts->retry_deadline_ms > 0 ? opts->retry_deadline_ms
							    : DEFAULT_DEADLINE_MS;
	c->retry.backoff_base_ms = opts->backoff_base_ms > 0 ? opts->backoff_base_ms
							     : DEFAULT_BACKOFF_BASE_MS;
	c->retry.backoff_max_ms = opts->backoff_max_ms > 0 ? opts->backoff_max_ms
							   : DEFAULT_BACKOFF_MAX_MS;
	c->response_max = opts->response_max_bytes ? opts->response_max_bytes
						   : ES_RESPONSE_DEFAULT_MAX;
	c->user_agent = strdup(opts->user_agent ? opts->user_agent : "esreconcile/" ESR_VERSION);
	/* Spread concurrent clients' retries; reproducibility is not wanted here. */
	c->jitter_seed = (unsigned)clock_now_ms() ^ (unsigned)(size_t)c;
	c->curl = curl_easy_init();
	if (!c->user_agent || !c->curl) {
		es_client_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void es_client_free(struct es_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->user_agent);
	free(c);
}

void es_client_set_extra_timeout(struct es_client *c, long ms)
{
	c->extra_timeout_ms = ms > 0 ? ms : 0;
}

const char *es_client_cluster_id(const struct es_client *c)
{
	return c->cfg->id;
}

/* "Authorization: Basic base64(user:password)" into out, which the caller wipes. */
static int basic_auth_header(struct buf *out, const char *username, const secret_t *password)
{
	struct buf plain;
	unsigned char *encoded = NULL;
	size_t encoded_len = 0;
	int err;

	buf_init(&plain, BUF_SMALL_MAX);
	err = buf_printf(&plain, "%s:", username);
	if (!err)
		err = buf_append(&plain, secret_reveal(password), secret_len(password));
	if (err)
		goto done;
	encoded_len = 4 * ((plain.len + 2) / 3);
	encoded = malloc(encoded_len + 1);
	if (!encoded) {
		err = -ENOMEM;
		goto done;
	}
	EVP_EncodeBlock(encoded, (const unsigned char *)plain.data, (int)plain.len);
	err = buf_puts(out, "Authorization: Basic ");
	if (!err)
		err = buf_append(out, encoded, encoded_len);
done:
	if (encoded)
		explicit_bzero(encoded, encoded_len + 1);
	free(encoded);
	wipe_buf(&plain);
	return err;
}

/* The Authorization header for this request, or an empty buffer for none. */
static int auth_header(struct buf *out, const struct cluster_config *cfg, const char *username,
		       const secret_t *password)
{
	if (username)
		return basic_auth_header(out, username, password);
	if (cfg->api_key) {
		int err = buf_puts(out, "Authorization: ApiKey ");

		return err ? err : buf_append(out, secret_reveal(cfg->api_key),
					      secret_len(cfg->api_key));
	}
	if (cfg->username)
		return basic_auth_header(out, cfg->username, cfg->password);
	return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *ctx)
{
	struct exchange *ex = ctx;
	int err = buf_append(&ex->body, data, size * count);

	if (err) {
		ex->write_error = err;
		return 0;
	}
	return size * count;
}

/* The value of a header line "Name: value\r\n" when it is that header; else NULL.
 * The caller frees it. */
static char *header_value(const char *data, size_t len, const char *name)
{
	size_t start = strlen(name), end = len;

	if (len <= start || strncasecmp(data, name, start) != 0)
		return NULL;
	while (start < end && data[start] == ' ')
		start++;
	while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
		end--;
	return strndup(data + start, end - start);
}

static size_t on_header(char *data, size_t size, size_t count, void *ctx)
{
	struct exchange *ex = ctx;
	size_t len = size * count;
	char *value;

	ex->header_bytes += len;
	if (ex->header_bytes > HEADERS_MAX) {
		ex->headers_too_large = true;
		return 0; /* aborts the transfer */
	}
	if ((value = header_value(data, len, "Retry-After:"))) {
		free(ex->retry_after);
		ex->retry_after = value;
	} else if ((value = header_value(data, len, "Content-Type:"))) {
		free(ex->content_type);
		ex->content_type = value;
	}
	return len;
}

static void exchange_init(struct exchange *ex, size_t max)
{
	memset(ex, 0, sizeof(*ex));
	buf_init(&ex->body, max);
}

/* Forgets what the previous exchange collected, keeping the body's memory. */
static void exchange_reset(struct exchange *ex)
{
	buf_reset(&ex->body);
	free(ex->retry_after);
	free(ex->content_type);
	ex->retry_after = NULL;
	ex->content_type = NULL;
	ex->header_bytes = 0;
	ex->write_error = 0;
	ex->headers_too_large = false;
}

static void exchange_dispose(struct exchange *ex)
{
	buf_dispose(&ex->body);
	free(ex->retry_after);
	free(ex->content_type);
	ex->retry_after = NULL;
	ex->content_type = NULL;
}

static void wipe_headers(struct curl_slist *headers)
{
	struct curl_slist *h;

	for (h = headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(headers);
}

static void set_tls_options(CURL *curl, const struct cluster_config *cfg)
{
	if (cfg->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->client_cert_file) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, cfg->client_cert_file);
		curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (cfg->client_key_file) {
		curl_easy_setopt(curl, CURLOPT_SSLKEY, cfg->client_key_file);
		curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
	}
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, cfg->verify == TLS_VERIFY_NONE ? 0L : 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, cfg->verify == TLS_VERIFY_FULL ? 2L : 0L);
}

static bool cancelled(const struct es_client *c)
{
	return c->cancel && atomic_load(c->cancel);
}

/* libcurl's progress callback: a non-zero return abandons the transfer. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return cancelled(ctx);
}

/* Waits delay_ms, or less when the client is cancelled meanwhile. */
static void sleep_unless_cancelled(const struct es_client *c, long delay_ms)
{
	const long slice_ms = 100;

	while (delay_ms > 0 && !cancelled(c)) {
		clock_sleep_ms(delay_ms < slice_ms ? delay_ms : slice_ms);
		delay_ms -= slice_ms;
	}
}

/* Configures the (reused) handle for one exchange with one URL. curl_easy_reset
 * keeps the connection cache, so keep-alive survives it. */
static int prepare(struct es_client *c, const struct request *rq, const char *url,
		   struct curl_slist *headers, struct exchange *ex)
{
	CURL *curl = c->curl;
	long timeout = (c->cfg->timeout_ms > 0 ? c->cfg->timeout_ms : DEFAULT_TIMEOUT_MS) + c->extra_timeout_ms;

	curl_easy_reset(curl);
	c->errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->errbuf);
	if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK)
		return -EINVAL;
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	/* the path goes out exactly as planned: no dot-segment squashing */
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, ex);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, ex);
	if (c->cancel) {
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, c);
	}
	if (!strcmp(rq->method, "GET") && !rq->body) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, rq->method);
		if (rq->body || !strcmp(rq->method, "PUT") || !strcmp(rq->method, "POST")) {
			const char *body = rq->body ? rq->body : "";

			curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)strlen(body));
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		}
	}
	set_tls_options(curl, c->cfg);
	return 0;
}

static int build_headers(struct curl_slist **out, const struct request *rq)
{
	static const char *const fixed[] = {
		"Accept: application/json",
		"Content-Type: application/json",
		"Expect:", /* no 100-continue round trip for larger bodies */
	};
	struct curl_slist *headers = NULL, *grown;
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		grown = curl_slist_append(headers, fixed[i]);
		if (!grown)
			goto oom;
		headers = grown;
	}
	if (rq->auth_header) {
		grown = curl_slist_append(headers, rq->auth_header);
		if (!grown)
			goto oom;
		headers = grown;
	}
	*out = headers;
	return 0;
oom:
	wipe_headers(headers);
	return -ENOMEM;
}

static bool is_connection_error(int err)
{
	return err == -ECONNREFUSED || err == -ETIMEDOUT || err == -EHOSTUNREACH ||
	       err == -ECONNRESET;
}

/* Connection-level curl failures, as errno values; 0 for anything else. A
 * failure after the request may have been sent only counts for idempotent
 * requests: the others must not be sent again. */
static int connection_errno(CURLcode rc, bool idempotent)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return idempotent ? -ETIMEDOUT : 0;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return idempotent ? -ECONNRESET : 0;
	default:
		return 0;
	}
}

/* Which check failed when the peer's certificate was refused. curl reports a
 * host name mismatch in its own words, not as an X509 verify result. */
static const char *peer_verification_hint(long verify_result, const char *curl_message)
{
	switch (verify_result) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "the server certificate has expired: renew the cluster's HTTP certificate";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "the server certificate is not valid yet: check the clocks";
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return "certificate is not signed by the configured CA: set tls.ca_file to the "
		       "cluster's HTTP CA";
	default:
		if (!strstr(curl_message, "subject name"))
			return "the server certificate failed verification";
	}
	return "the certificate does not name this host: set tls.verify: certificate or use "
	       "the name in the certificate";
}

/* Whether the server that refused our TLS asks for a client certificate, as
 * Elasticsearch's transport layer does (its HTTP layer does not by default):
 * then the URL most likely names the transport port, and the CA is not to blame. */
static bool looks_like_transport_port(CURL *curl)
{
	struct tls_probe_result probe;
	char address[80];
	char *ip = NULL;
	long port = 0;
	bool transport;

	if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || !ip || !*ip ||
	    curl_easy_getinfo(curl, CURLINFO_PRIMARY_PORT, &port) != CURLE_OK || port <= 0)
		return false;
	snprintf(address, sizeof(address), strchr(ip, ':') ? "[%s]:%ld" : "%s:%ld", ip, port);
	if (tls_probe(&probe, address, NULL, TRANSPORT_PROBE_TIMEOUT_MS))
		return false;
	transport = probe.asked_client_cert;
	tls_probe_result_dispose(&probe);
	return transport;
}

/* Names the failed TLS check and how to fix it; NULL when rc is not about TLS. */
static const char *tls_hint(CURL *curl, CURLcode rc, const char *curl_message)
{
	long verify_result = X509_V_OK;

	if ((rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR) &&
	    looks_like_transport_port(curl))
		return "the server asks for a client certificate, as Elasticsearch's transport port does: "
		       "the URL seems to name the transport port (9300 by default) rather than the HTTP "
		       "port (9200 by default)";
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &verify_result);
		return peer_verification_hint(verify_result, curl_message);
	case CURLE_SSL_CACERT_BADFILE:
		return "cannot load tls.ca_file: check that it is a readable PEM file";
	case CURLE_SSL_CERTPROBLEM:
		return "cannot use tls.client_cert_file / tls.client_key_file: check that they are "
		       "readable PEM files that match";
	case CURLE_SSL_CONNECT_ERROR:
		return "TLS handshake failed: check that the URL is https on an HTTPS port, and "
		       "whether the cluster requires a client certificate";
	default:
		return NULL;
	}
}

/* One attempt: the URLs in turn, starting with the one that answered last,
 * moving on while connections fail. On 0, *status_out holds the HTTP status. */
static int attempt_urls(struct es_client *c, const struct request *rq, struct exchange *ex,
			long *status_out, char **errmsg_out)
{
	const struct cluster_config *cfg = c->cfg;
	struct curl_slist *headers = NULL;
	struct buf url;
	const char *detail, *hint;
	bool idempotent = rq->flags & ES_IDEMPOTENT;
	long answered = 0;
	int err = 0;
	size_t i, index = 0;
	CURLcode rc = CURLE_OK;

	buf_init(&url, BUF_SMALL_MAX);
	err = build_headers(&headers, rq);
	if (err)
		goto done;
	for (i = 0; i < cfg->url_count; i++) {
		const char *base;
		size_t base_len;

		index = (c->preferred_url + i) % cfg->url_count;
		base = cfg->urls[index];
		base_len = strlen(base);
		while (base_len && base[base_len - 1] == '/')
			base_len--;
		buf_reset(&url);
		err = buf_append(&url, base, base_len);
		if (!err)
			err = buf_puts(&url, rq->path);
		if (err)
			goto done;
		exchange_reset(ex);
		err = prepare(c, rq, url.data, headers, ex);
		if (err) {
			err = fail(errmsg_out, err, "cluster [%s] %s %s: invalid request URL",
				   cfg->id, rq->method, rq->path);
			goto done;
		}
		rc = curl_easy_perform(c->curl);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status_out);
			c->preferred_url = index;
			goto done;
		}
		err = connection_errno(rc, idempotent);
		if (!err || ex->headers_too_large)
			break;
	}
	detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	hint = tls_hint(c->curl, rc, detail);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &answered);
	if (ex->headers_too_large || rc == CURLE_OUT_OF_MEMORY) {
		/* an answer came, and it is not one to wait for again */
		err = fail(errmsg_out, -EMSGSIZE, "cluster [%s] %s %s: the answer's headers are larger than "
			   "%zu bytes: not Elasticsearch's answer (%s)", cfg->id, rq->method, rq->path,
			   HEADERS_MAX, ex->headers_too_large ? "refused by esreconcile"
						       : "libcurl refused a header line longer than it accepts");
	} else if (rc == CURLE_OPERATION_TIMEDOUT && answered) {
		err = fail(errmsg_out, err ? err : -ETIMEDOUT, "cluster [%s] %s %s: HTTP %ld: the answer did "
			   "not arrive whole within the timeout (%s)", cfg->id, rq->method, rq->path, answered, detail);
	} else if (is_connection_error(err)) {
		err = fail(errmsg_out, err, "cluster [%s] %s %s: cannot reach %s%s: %s", cfg->id,
			   rq->method, rq->path, cfg->url_count > 1 ? "any url; last tried " : "",
			   cfg->urls[index], detail);
	} else if (rc == CURLE_WRITE_ERROR && ex->write_error == -ENOSPC) {
		err = fail(errmsg_out, -EMSGSIZE, "response from cluster [%s] %s %s exceeds %zu bytes",
			   cfg->id, rq->method, rq->path, c->response_max);
	} else if (rc == CURLE_WRITE_ERROR && ex->write_error) {
		err = ex->write_error;
	} else if (hint) {
		err = fail(errmsg_out, -EPROTO, "cluster [%s] %s %s: %s (%s)", cfg->id, rq->method,
			   rq->path, hint, detail);
	} else {
		err = fail(errmsg_out, -EIO, "cluster [%s] %s %s: %s", cfg->id, rq->method, rq->path,
			   detail);
	}
done:
	wipe_headers(headers);
	buf_dispose(&url);
	return err;
}

static char *json_string_dup(const cJSON *item)
{
	return item && cJSON_IsString(item) && item->valuestring ? strdup(item->valuestring) : NULL;
}

/* Moves the exchange's body into out and extracts an ES error, if any. */
/* Elasticsearch answers JSON, labelled so; a success labelled otherwise is a
 * proxy's or a captive portal's page, never an answer to act on. */
static bool is_json_type(const char *content_type)
{
	static const char *const types[] = { "application/json", "application/vnd.elasticsearch+json" };
	size_t i, len;

	for (i = 0; content_type && i < sizeof(types) / sizeof(types[0]); i++) {
		len = strlen(types[i]);
		if (!strncasecmp(content_type, types[i], len) &&
		    (!content_type[len] || content_type[len] == ';' || content_type[len] == ' '))
			return true;
	}
	return false;
}

int es_response_adopt(struct es_response *out, long status, const char *content_type, char *body,
		      size_t len)
{
	const cJSON *error;

	out->status = status;
	out->body = body;
	out->body_len = len;
	if (status >= 200 && status < 300 && !is_json_type(content_type)) {
		struct buf reason;

		out->foreign = true;
		buf_init(&reason, BUF_SMALL_MAX);
		if (buf_printf(&reason, "the answer is not Elasticsearch's: Content-Type [%s], not application/json",
			       content_type ? content_type : "none"))
			return -ENOMEM;
		out->error_type = strdup("unexpected_content_type");
		out->error_reason = buf_detach(&reason);
		buf_dispose(&reason);
		if (!out->error_type || !out->error_reason)
			return -ENOMEM;
	}
	/* The length includes the terminating NUL: require_null_terminated looks for it
	 * within the length. An embedded NUL would cut the document short: not JSON. */
	if (!memchr(out->body, '\0', out->body_len))
		out->json = cJSON_ParseWithLengthOpts(out->body, out->body_len + 1, NULL, 1);
	error = out->foreign ? NULL : cJSON_GetObjectItemCaseSensitive(out->json, "error");
	if (cJSON_IsString(error)) {
		out->error_reason = json_string_dup(error);
		if (!out->error_reason)
			return -ENOMEM;
	} else if (cJSON_IsObject(error)) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(error, "type");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(error, "reason");

		out->error_type = json_string_dup(type);
		out->error_reason = json_string_dup(reason);
		if ((cJSON_IsString(type) && !out->error_type) ||
		    (cJSON_IsString(reason) && !out->error_reason))
			return -ENOMEM;
	}
	return 0;
}

/* Moves the exchange's body into out and extracts an ES error, if any. */
static int response_fill(struct es_response *out, struct exchange *ex, long status)
{
	size_t len = ex->body.len;
	char *body = buf_detach(&ex->body);

	if (!body)
		return -ENOMEM;
	return es_response_adopt(out, status, ex->content_type, body, len);
}

static int run_request(struct es_response *out, struct es_client *c, const struct request *rq,
		       char **errmsg_out)
{
	bool idempotent = rq->flags & ES_IDEMPOTENT;
	long start = clock_now_ms(), status = 0, delay;
	char *msg = NULL;
	struct exchange ex;
	int err, attempts = 0;

	exchange_init(&ex, c->response_max);
	for (;;) {
		attempts++;
		status = 0;
		free(msg);
		msg = NULL;
		err = attempt_urls(c, rq, &ex, &status, &msg);
		if (!err && !(idempotent && retry_status_is_retryable(status)))
			break;
		if (err && !(idempotent && is_connection_error(err)))
			break;
		if (err || !ex.retry_after || retry_after_parse_ms(&delay, ex.retry_after) != 0)
			delay = retry_backoff_ms(&c->retry, attempts, &c->jitter_seed);
		if (!retry_allowed(&c->retry, attempts, clock_now_ms() - start, delay) || cancelled(c))
			break;
		log_debug("cluster [%s] %s %s: %s, retrying in %ld ms", c->cfg->id, rq->method,
			  rq->path, err ? "connection failed" : "busy", delay);
		sleep_unless_cancelled(c, delay);
		if (cancelled(c))
			break;
	}
	if (!err)
		err = response_fill(out, &ex, status);
	else if (msg && errmsg_out && attempts > 1)
		fail(errmsg_out, err, "%s (after %d attempts)", msg, attempts);
	else if (errmsg_out) {
		*errmsg_out = msg;
		msg = NULL;
	}
	out->attempts = attempts;
	out->duration_ms = clock_now_ms() - start;
	log_debug("cluster [%s] %s %s -> %ld in %ld ms", c->cfg->id, rq->method, rq->path, status,
		  out->duration_ms);
	free(msg);
	exchange_dispose(&ex);
	return err;
}

static int request_with_auth(struct es_response *out, struct es_client *c, const char *username,
			     const secret_t *password, const char *method, const char *path,
			     const char *body_json, unsigned flags, char **errmsg_out)
{
	struct request rq = { .method = method, .path = path, .body = body_json, .flags = flags };
	struct buf auth;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	if (errmsg_out)
		*errmsg_out = NULL;
	buf_init(&auth, BUF_SMALL_MAX);
	err = auth_header(&auth, c->cfg, username, password);
	if (err)
		goto done;
	rq.auth_header = auth.len ? auth.data : NULL;
	/* es_client_new() checked the cluster's own credentials; a probe brings its own. */
	for (i = 0; username && i < c->cfg->url_count; i++) {
		err = es_check_url(c->cfg, c->cfg->urls[i], true, errmsg_out);
		if (err)
			goto done;
	}
	err = run_request(out, c, &rq, errmsg_out);
done:
	wipe_buf(&auth);
	return err;
}

int es_request(struct es_response *out, struct es_client *c, const char *method,
	       const char *path, const char *body_json, unsigned flags, char **errmsg_out)
{
	return request_with_auth(out, c, NULL, NULL, method, path, body_json, flags, errmsg_out);
}

int es_request_as(struct es_response *out, struct es_client *c, const char *username,
		  const secret_t *password, const char *method, const char *path,
		  const char *body_json, unsigned flags, char **errmsg_out)
{
	if (!username || !password) {
		memset(out, 0, sizeof(*out));
		return fail(errmsg_out, -EINVAL, "cluster [%s] %s %s: no username or password",
			    c->cfg->id, method, path);
	}
	return request_with_auth(out, c, username, password, method, path, body_json, flags,
				 errmsg_out);
}

void es_response_dispose(struct es_response *r)
{
	if (!r)
		return;
	free(r->body);
	cJSON_Delete(r->json);
	free(r->error_type);
	free(r->error_reason);
	memset(r, 0, sizeof(*r));
}

bool es_response_ok(const struct es_response *r)
{
	return r->status >= 200 && r->status < 300 && !r->foreign;
}

/* Appends up to max bytes of text on one line: control characters become spaces. */
static int append_one_line(struct buf *b, const char *text, size_t len, size_t max)
{
	size_t i;
	int err = 0;

	for (i = 0; i < len && i < max && !err; i++) {
		bool control = (unsigned char)text[i] < 0x20 || text[i] == 0x7f;

		err = buf_append(b, control ? " " : &text[i], 1);
	}
	if (!err && len > max)
		err = buf_puts(b, "...");
	return err;
}

char *es_describe_failure(const char *cluster, const char *method, const char *path,
			  const struct es_response *r)
{
	struct buf b;
	int err;

	buf_init(&b, BUF_SMALL_MAX);
	err = buf_printf(&b, "cluster [%s] %s %s: HTTP %ld", cluster, method, path, r->status);
	if (!err && r->error_type)
		err = buf_printf(&b, " %s", r->error_type);
	if (!err && r->error_reason) {
		err = buf_puts(&b, r->error_type ? ": " : " ");
		if (!err)
			err = append_one_line(&b, r->error_reason, strlen(r->error_reason),
					      BUF_SMALL_MAX / 2);
	} else if (!err && !r->error_type) {
		if (r->body_len) {
			err = buf_puts(&b, ": ");
			if (!err)
				err = append_one_line(&b, r->body, r->body_len, BODY_EXCERPT_MAX);
		} else {
			err = buf_puts(&b, " (empty body)");
		}
	}
	if (!err && r->attempts > 1)
		err = buf_printf(&b, " (after %d attempts)", r->attempts);
	if (err) {
		buf_dispose(&b);
		return NULL;
	}
	return buf_detach(&b);
}
