/* server: GET /metrics over HTTP (libmicrohttpd), serving the text last
 * published; for Prometheus to scrape a long-running `esreconcile watch`.
 *
 * The server runs its own thread. metrics_server_publish() copies the text, so
 * the caller keeps what it passes; metrics_server_free() stops the thread and
 * frees everything (NULL is fine). The text served holds no secret (see
 * metrics/metrics.h). */
#ifndef ESR_METRICS_SERVER_H
#define ESR_METRICS_SERVER_H

#include <stddef.h>

struct metrics_server;

/* Listens on listen_addr, "HOST:PORT": an IPv4 address, an IPv6 address in
 * brackets ("[::1]:9464"), a host name, or nothing ("":9464, every address).
 * Port 0 takes a free port (see metrics_server_port()). Returns 0, or
 * -EINVAL (not HOST:PORT) / -EADDRINUSE / another negative errno with a
 * one-line *errmsg_out the caller frees. */
int metrics_server_start(struct metrics_server **out, const char *listen_addr, char **errmsg_out);

/* The port the server listens on. */
int metrics_server_port(const struct metrics_server *server);

/* Serves text[0..len) from now on. Returns 0 or -ENOMEM (the old text stays). */
int metrics_server_publish(struct metrics_server *server, const char *text, size_t len);

void metrics_server_free(struct metrics_server *server);

#endif
