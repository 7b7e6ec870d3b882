/* tls_probe: one TLS handshake with a host:port, to learn what the far side
 * presents (its certificate chain) and whether it asks for a client
 * certificate, as Elasticsearch's transport layer does and its HTTP layer by
 * default does not. Nothing is verified here: the trust stage verifies the
 * chain against the authorities a cluster is declared to trust.
 *
 * Every wait is bounded by timeout_ms (connecting and handshaking together),
 * so a silent port costs that long at most. A tls_probe_result owns its
 * strings; tls_probe_result_dispose() frees them. */
#ifndef ESR_ES_TLS_PROBE_H
#define ESR_ES_TLS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct tls_probe_result {
	char **chain_pem;   /* the certificates the far side sent, leaf first, PEM */
	size_t chain_count;
	bool asked_client_cert; /* the server requested a client certificate */
	char *error;        /* when no certificate came: what failed, one line; else NULL */
};

/* Connects to address ("host:port", IPv6 in brackets) and shakes hands,
 * sending server_name as SNI when it is not NULL. Returns 0 with *out filled
 * (out->error set when the far side could not be reached or sent no
 * certificate), -EINVAL for an address that does not parse, or -ENOMEM. */
int tls_probe(struct tls_probe_result *out, const char *address, const char *server_name, long timeout_ms);
void tls_probe_result_dispose(struct tls_probe_result *r);

#endif
