/* trust_check: is the transport-layer trust that the desired state declares
 * the trust the clusters really have?
 *
 * Trust lives in elasticsearch.yml and keystores, so esreconcile never writes
 * it; it verifies it. Three sources meet here: the authorities' PEM files
 * (read by trust_authorities_read), the declared trust (who trusts whom, which
 * CA signs each cluster's transport certificate) and each cluster's
 * GET /_ssl/certificates. trust_check() itself is pure: the clock comes in as
 * `now`. A trust_report owns its findings; trust_report_free() frees it. */
#ifndef ESR_TRUST_TRUST_CHECK_H
#define ESR_TRUST_TRUST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "desired/model.h"
#include "es/live.h"
#include "trust/certificate.h"

/* Certificates that expire sooner than this are reported as warnings. */
#define TRUST_EXPIRY_WARNING_DAYS 30

enum trust_severity { TRUST_PROBLEM = 0, TRUST_WARNING };

struct trust_finding {
	char *cluster;   /* the cluster concerned, or NULL for an authority file */
	char *authority; /* the authority an authority-file finding is about, else NULL */
	enum trust_severity severity;
	char *message; /* one line, with how to fix it */
};

/* One transport address of a declared link (a remote of a declared cluster),
 * as a TLS handshake with it found it. */
struct trust_link {
	char *cluster;  /* the near side: the cluster that holds the remote */
	char *remote;   /* the alias */
	char *address;  /* host:port */
	bool verified;  /* the chain verified against the near side's declared authorities */
	bool presented; /* a certificate came: leaf holds it */
	struct certificate_info leaf;
	char *error;    /* why not verified (or why no certificate), else NULL */
};

struct trust_report {
	struct trust_finding *findings;
	size_t count;
	size_t problems;
	struct trust_link *links;
	size_t link_count;
};

/* The authorities' certificates, indexed like desired->authorities. An
 * authority whose file cannot be read has a zeroed entry and `readable` false. */
struct trust_authority_certs {
	struct certificate_info *certs;
	bool *readable;
	size_t count;
};

int trust_authorities_read(struct trust_authority_certs *out, const struct desired_state *desired);
void trust_authority_certs_dispose(struct trust_authority_certs *certs);

/* Checks the declaration against itself and, for each reachable cluster with
 * certificates in `live` (may be NULL for an offline check), against what the
 * cluster reports. Returns 0 and *out, or -ENOMEM. */
int trust_check(struct trust_report **out, const struct desired_state *desired,
		const struct trust_authority_certs *certs, const struct live_state *live, time_t now);
void trust_report_free(struct trust_report *report);

/* Timeout of one handshake with a transport address (connecting included). */
#define TRUST_HANDSHAKE_TIMEOUT_MS 5000

/* The transport addresses a declared remote connects to: its seeds, its
 * proxy_address, or (a `cluster:` remote without either) the publish
 * addresses of that cluster in live (may be NULL): of its transport, or of
 * its remote cluster server for a remote of security api_key. *out is a string list
 * (util/strlist.h) the caller frees; empty when none is known. Returns 0 or
 * -ENOMEM. */
int trust_link_addresses(char ***out, size_t *count_out, const struct desired_object *remote,
			 const struct live_state *live);

/* The host name the remote's connections verify (server_name), or NULL; borrowed. */
const char *trust_link_server_name(const struct desired_object *remote);

/* Records what a handshake with address of the remote found: the chain the
 * far side presented (PEM, leaf first; none when probe_error says why),
 * verified against the authorities the near side is declared to trust, for
 * server_name where set, at now. Adds the link and, when it is not trusted
 * or its certificate expires soon, a finding. Returns 0 or -ENOMEM. */
int trust_check_link(struct trust_report *report, const struct desired_state *desired,
		     const struct desired_object *remote, const char *address, char *const *chain_pem,
		     size_t chain_count, const char *probe_error, time_t now);

/* The PEM bundle that cluster_id's transport layer should trust: the
 * authorities in its `trusts` list, concatenated. Caller frees *out. */
int trust_bundle(char **out, const struct desired_state *desired, const char *cluster_id);

#endif
