#include "trust/certificate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/buf.h"

static char *name_to_rfc2253(const X509_NAME *name)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long len;

	if (!mem)
		return NULL;
	if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
		len = BIO_get_mem_data(mem, &data);
		out = malloc((size_t)len + 1);
		if (out) {
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(mem);
	return out;
}

static char *serial_to_hex(const ASN1_INTEGER *serial)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex, *out = NULL, *p;

	if (!bn)
		return NULL;
	hex = BN_bn2hex(bn);
	BN_free(bn);
	if (!hex)
		return NULL;
	for (p = hex; *p == '0' && p[1]; p++)
		;
	out = strdup(p);
	for (p = out; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	OPENSSL_free(hex);
	return out;
}

static char *der_sha256_hex(X509 *cert)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char *out;

	if (!X509_digest(cert, EVP_sha256(), digest, &len))
		return NULL;
	out = malloc(len * 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i++)
		snprintf(out + (size_t)i * 2, 3, "%02x", digest[i]);
	return out;
}

/* Fills out from cert. Returns 0, -EINVAL (no readable expiry) or -ENOMEM. */
static int info_of(struct certificate_info *out, X509 *cert)
{
	struct tm tm;

	memset(out, 0, sizeof(*out));
	out->subject_dn = name_to_rfc2253(X509_get_subject_name(cert));
	out->issuer_dn = name_to_rfc2253(X509_get_issuer_name(cert));
	out->serial_hex = serial_to_hex(X509_get0_serialNumber(cert));
	out->sha256_hex = der_sha256_hex(cert);
	if (!out->subject_dn || !out->issuer_dn || !out->serial_hex || !out->sha256_hex) {
		certificate_info_dispose(out);
		return -ENOMEM;
	}
	if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm)) {
		certificate_info_dispose(out);
		return -EINVAL;
	}
	out->not_after = timegm(&tm);
	out->is_ca = X509_check_ca(cert) > 0;
	return 0;
}

int certificate_read_pem(struct certificate_info *out, const char *path)
{
	FILE *f = NULL;
	X509 *cert = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	if (!f)
		return errno == EACCES ? -EACCES : -ENOENT;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	err = cert ? info_of(out, cert) : -EINVAL;
	X509_free(cert);
	fclose(f);
	return err;
}

static X509 *parse_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return cert;
}

/* Adds every certificate of each PEM file to store. Returns 0, or -ENOENT
 * with *why naming a file that holds none. */
static int load_cas(X509_STORE *store, char *const *ca_files, size_t ca_count, const char **why)
{
	size_t i;
	X509 *cert;
	FILE *f;
	int added;

	for (i = 0; i < ca_count; i++) {
		f = fopen(ca_files[i], "r");
		added = 0;
		while (f && (cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
			added += X509_STORE_add_cert(store, cert) == 1;
			X509_free(cert);
		}
		ERR_clear_error(); /* the end of the file reads as an error */
		if (f)
			fclose(f);
		if (!added) {
			*why = ca_files[i];
			return -ENOENT;
		}
	}
	return 0;
}

int certificate_verify_chain(struct certificate_info *leaf_out, char **why_out, char *const *chain_pem,
			     size_t chain_count, char *const *ca_files, size_t ca_count, const char *server_name,
			     time_t now)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_VERIFY_PARAM *param;
	X509 *leaf = NULL, *cert;
	const char *bad_file = NULL;
	size_t i;
	int err = -ENOMEM;

	memset(leaf_out, 0, sizeof(*leaf_out));
	*why_out = NULL;
	if (!store || !ctx || !untrusted)
		goto done;
	err = -EINVAL;
	if (!chain_count || !(leaf = parse_pem(chain_pem[0])))
		goto done;
	for (i = 1; i < chain_count; i++) {
		if (!(cert = parse_pem(chain_pem[i])))
			goto done;
		if (!sk_X509_push(untrusted, cert)) {
			X509_free(cert);
			err = -ENOMEM;
			goto done;
		}
	}
	if ((err = info_of(leaf_out, leaf)))
		goto done;
	if (load_cas(store, ca_files, ca_count, &bad_file)) {
		*why_out = buf_format("no certificate could be read from %s", bad_file);
		err = *why_out ? 0 : -ENOMEM;
		goto done;
	}
	err = -ENOMEM;
	if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
		goto done;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	if (server_name && !X509_VERIFY_PARAM_set1_host(param, server_name, 0))
		goto done;
	err = 0;
	if (X509_verify_cert(ctx) != 1) {
		*why_out = buf_format("%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		err = *why_out ? 0 : -ENOMEM;
	}
done:
	if (err)
		certificate_info_dispose(leaf_out);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return err;
}

void certificate_info_dispose(struct certificate_info *info)
{
	if (!info)
		return;
	free(info->subject_dn);
	free(info->issuer_dn);
	free(info->serial_hex);
	free(info->sha256_hex);
	memset(info, 0, sizeof(*info));
}

/* Next significant character of a DN: spaces next to ',' '+' '=' are not. */
static const char *dn_next(const char *p, char *out)
{
	while (*p == ' ')
		p++;
	if (!*p) {
		*out = '\0';
		return p;
	}
	*out = *p;
	p++;
	if (*out == ',' || *out == '+' || *out == '=')
		while (*p == ' ')
			p++;
	return p;
}

bool certificate_dn_equal(const char *a, const char *b)
{
	char ca, cb;
	bool in_type = true; /* attribute types (CN, O) compare case-insensitively, values exactly */

	if (!a || !b)
		return false;
	for (;;) {
		a = dn_next(a, &ca);
		b = dn_next(b, &cb);
		if (in_type) {
			ca = (char)toupper((unsigned char)ca);
			cb = (char)toupper((unsigned char)cb);
		}
		if (ca != cb)
			return false;
		if (!ca)
			return true;
		if (ca == '=')
			in_type = false;
		else if (ca == ',' || ca == '+')
			in_type = true;
	}
}

static const char *skip_zeros(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s == '0' && s[1])
		s++;
	return s;
}

bool certificate_serial_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	a = skip_zeros(a);
	b = skip_zeros(b);
	while (*a && *b) {
		if (*a == ':') {
			a++;
			continue;
		}
		if (*b == ':') {
			b++;
			continue;
		}
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
	return !*a && !*b;
}
