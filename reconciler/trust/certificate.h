/* certificate: what esreconcile needs to know of an X.509 certificate, read
 * from a PEM file with OpenSSL.
 *
 * Strings are normalised the way Elasticsearch's GET /_ssl/certificates shows
 * them, so the two can be compared: subject and issuer in RFC 2253 form
 * (Java's X500Principal.getName()), the serial number in lowercase hex without
 * leading zeros (BigInteger.toString(16)). A certificate_info owns its strings;
 * certificate_info_dispose() frees them. */
#ifndef ESR_TRUST_CERTIFICATE_H
#define ESR_TRUST_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct certificate_info {
	char *subject_dn;
	char *issuer_dn;
	char *serial_hex;
	char *sha256_hex;  /* fingerprint of the DER encoding */
	time_t not_after;
	bool is_ca;        /* basicConstraints CA:TRUE */
};

/* Reads the first certificate of a PEM file. Returns 0, -ENOENT/-EACCES when
 * the file cannot be read, -EINVAL when it holds no PEM certificate, or
 * -ENOMEM. */
int certificate_read_pem(struct certificate_info *out, const char *path);
void certificate_info_dispose(struct certificate_info *info);

/* Verifies a chain a TLS peer presented (PEM, leaf first) against the CAs in
 * the PEM files ca_files, at time now and, when server_name is not NULL, for
 * that host name. Returns 0 with *leaf_out (the caller disposes it) and
 * *why_out NULL when the chain is trusted, or with *why_out (the caller
 * frees it: OpenSSL's reason, "certificate has expired", ...) when it is not;
 * -EINVAL when the chain does not parse, or -ENOMEM. */
int certificate_verify_chain(struct certificate_info *leaf_out, char **why_out, char *const *chain_pem,
			     size_t chain_count, char *const *ca_files, size_t ca_count, const char *server_name,
			     time_t now);

/* Distinguished names compared as Elasticsearch writes them: attribute types
 * case-insensitive, spaces around separators ignored. */
bool certificate_dn_equal(const char *a, const char *b);
/* Serial numbers compared as hex without leading zeros, case-insensitive. */
bool certificate_serial_equal(const char *a, const char *b);

#endif
