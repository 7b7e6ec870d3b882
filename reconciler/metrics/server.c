#include "metrics/server.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "util/buf.h"
#include "util/log.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* A scraper needs one connection; a few more leave room for a human with curl. */
#define CONNECTION_LIMIT 16
#define CONNECTION_TIMEOUT_S 10

struct metrics_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock; /* guards text: the daemon's thread reads it */
	char *text;
	size_t len;
	int port;
};

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *message = buf_vformat(fmt, ap);

	(void)cls;
	if (message) {
		/* libmicrohttpd ends its messages with a newline */
		message[strcspn(message, "\n")] = '\0';
		log_debug("metrics server: %s", message);
	}
	free(message);
}

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned status, const char *text,
			       size_t len, const char *allow)
{
	struct MHD_Response *response;
	enum MHD_Result result;

	response = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!response)
		return MHD_NO;
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	result = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return result;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **request_state)
{
	static int started;
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char not_allowed[] = "only GET and HEAD\n";
	struct metrics_server *server = cls;
	enum MHD_Result result;

	(void)version;
	(void)upload_data;
	/* The first call comes with the headers only: answer once the request is whole. */
	if (!*request_state) {
		*request_state = &started;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body is read and ignored */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, sizeof(not_allowed) - 1,
			       "GET, HEAD");
	if (strcmp(url, "/metrics") != 0)
		return respond(connection, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1, NULL);
	pthread_mutex_lock(&server->lock);
	result = respond(connection, MHD_HTTP_OK, server->text ? server->text : "", server->len, NULL);
	pthread_mutex_unlock(&server->lock);
	return result;
}

static void set_error(char **errmsg_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(char **errmsg_out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*errmsg_out = buf_vformat(fmt, ap);
	va_end(ap);
}

/* Splits "HOST:PORT" ("[v6]:PORT", ":PORT") and resolves it for listening. */
static int resolve(struct addrinfo **out, const char *listen_addr, char **errmsg_out)
{
	const struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(listen_addr, ':'), *host = listen_addr, *port;
	size_t host_len;
	char *host_copy = NULL, *end = NULL;
	long number;
	int rc;

	if (!colon)
		goto invalid;
	port = colon + 1;
	host_len = (size_t)(colon - listen_addr);
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host++;
		host_len -= 2;
	} else if (memchr(host, ':', host_len)) {
		goto invalid; /* an IPv6 address without brackets */
	}
	errno = 0;
	number = strtol(port, &end, 10);
	if (!*port || *end || errno || number < 0 || number > 65535)
		goto invalid;
	if (host_len && !(host_copy = strndup(host, host_len)))
		return -ENOMEM;
	rc = getaddrinfo(host_copy, port, &hints, out);
	free(host_copy);
	if (rc) {
		set_error(errmsg_out, "--metrics-listen %s: %s", listen_addr, gai_strerror(rc));
		return rc == EAI_MEMORY ? -ENOMEM : -EINVAL;
	}
	return 0;
invalid:
	set_error(errmsg_out, "--metrics-listen takes HOST:PORT (such as 127.0.0.1:9464, [::1]:9464 or "
		  ":9464 for every address), not '%s'", listen_addr);
	return -EINVAL;
}

int metrics_server_start(struct metrics_server **out, const char *listen_addr, char **errmsg_out)
{
	struct metrics_server *server = NULL;
	struct addrinfo *addresses = NULL;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int err;

	*out = NULL;
	*errmsg_out = NULL;
	if ((err = resolve(&addresses, listen_addr, errmsg_out)))
		return err;
	if (!(server = calloc(1, sizeof(*server)))) {
		err = -ENOMEM;
		goto done;
	}
	pthread_mutex_init(&server->lock, NULL);
	if (addresses->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, server,
					  MHD_OPTION_SOCK_ADDR, addresses->ai_addr,
					  MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
					  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
					  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
					  MHD_OPTION_END);
	if (!server->daemon) {
		err = errno ? -errno : -EIO;
		set_error(errmsg_out, "--metrics-listen %s: cannot listen there: %s", listen_addr,
			  strerror(-err));
		goto done;
	}
	info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : 0;
	*out = server;
	server = NULL;
done:
	metrics_server_free(server);
	freeaddrinfo(addresses);
	return err;
}

int metrics_server_port(const struct metrics_server *server)
{
	return server->port;
}

int metrics_server_publish(struct metrics_server *server, const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&server->lock);
	free(server->text);
	server->text = copy;
	server->len = len;
	pthread_mutex_unlock(&server->lock);
	return 0;
}

void metrics_server_free(struct metrics_server *server)
{
	if (!server)
		return;
	if (server->daemon)
		MHD_stop_daemon(server->daemon);
	pthread_mutex_destroy(&server->lock);
	free(server->text);
	free(server);
}
