#include "trust/certificate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

int certificate_read_pem(struct certificate_info *out, const char *path)
{
	FILE *f = NULL;
	X509 *cert = NULL;
	struct tm tm;
	int err = 0;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	if (!f)
		return errno == EACCES ? -EACCES : -ENOENT;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	if (!cert) {
		err = -EINVAL;
		goto done;
	}
	out->subject_dn = name_to_rfc2253(X509_get_subject_name(cert));
	out->issuer_dn = name_to_rfc2253(X509_get_issuer_name(cert));
	out->serial_hex = serial_to_hex(X509_get0_serialNumber(cert));
	out->sha256_hex = der_sha256_hex(cert);
	if (!out->subject_dn || !out->issuer_dn || !out->serial_hex || !out->sha256_hex) {
		err = -ENOMEM;
		goto done;
	}
	if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm)) {
		err = -EINVAL;
		goto done;
	}
	out->not_after = timegm(&tm);
	out->is_ca = X509_check_ca(cert) > 0;
done:
	if (err)
		certificate_info_dispose(out);
	X509_free(cert);
	fclose(f);
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
