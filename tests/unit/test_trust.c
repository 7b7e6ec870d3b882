/* Unit tests for trust verification: authority files, mutual trust of
 * declared remotes, and the comparison with GET /_ssl/certificates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "plan/plan.h"
#include "trust/certificate.h"
#include "trust/trust_check.h"

#define DAY 86400L

static char tmpdir[64];

/* Writes a self-signed EC certificate "CN=<cn>,O=esreconcile-test" to dir/name. */
static void make_cert(const char *name, const char *cn, long valid_from_s, long valid_for_s,
		      bool ca, long serial)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *subject;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	char path[128];
	FILE *f;

	assert_non_null(key);
	assert_non_null(cert);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	X509_gmtime_adj(X509_getm_notBefore(cert), valid_from_s);
	X509_gmtime_adj(X509_getm_notAfter(cert), valid_from_s + valid_for_s);
	X509_set_pubkey(cert, key);
	subject = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, (const unsigned char *)"esreconcile-test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, subject);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	PEM_write_X509(f, cert);
	fclose(f);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* A CA written to tmpdir/ca_name and, as PEM text (the caller frees it), a
 * node certificate for DNS:node.example that it signs. */
static char *make_signed_leaf(const char *ca_name, long leaf_from_s, long leaf_for_s)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
	X509 *ca = X509_new(), *leaf = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *mem;
	char path[128], *pem;
	FILE *f;

	assert_true(ca_key && key && ca && leaf && bio);
	X509_set_version(ca, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(ca), 0x6006);
	X509_gmtime_adj(X509_getm_notBefore(ca), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(ca), 3650 * DAY);
	X509_set_pubkey(ca, ca_key);
	name = X509_get_subject_name(ca);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"transport-ca", -1, -1, 0);
	X509_set_issuer_name(ca, name);
	X509V3_set_ctx(&ctx, ca, ca, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(ca, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(ca, ca_key, EVP_sha256()) > 0);

	X509_set_version(leaf, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(leaf), 0x7007);
	X509_gmtime_adj(X509_getm_notBefore(leaf), leaf_from_s);
	X509_gmtime_adj(X509_getm_notAfter(leaf), leaf_from_s + leaf_for_s);
	X509_set_pubkey(leaf, key);
	name = X509_get_subject_name(leaf);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"node", -1, -1, 0);
	X509_set_issuer_name(leaf, X509_get_subject_name(ca));
	X509V3_set_ctx(&ctx, ca, leaf, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "DNS:node.example");
	X509_add_ext(leaf, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(leaf, ca_key, EVP_sha256()) > 0);

	snprintf(path, sizeof(path), "%s/%s", tmpdir, ca_name);
	f = fopen(path, "w");
	assert_non_null(f);
	PEM_write_X509(f, ca);
	fclose(f);
	PEM_write_bio_X509(bio, leaf);
	BIO_get_mem_ptr(bio, &mem);
	pem = strndup(mem->data, mem->length);
	assert_non_null(pem);
	BIO_free(bio);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return pem;
}

static char *path_of(const char *name)
{
	static char paths[8][128];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, 128, "%s/%s", tmpdir, name);
	return p;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/esr-trust-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	make_cert("local-ca.pem", "local-ca", -DAY, 3650 * DAY, true, 0x1001);
	make_cert("one-ca.pem", "one-ca", -DAY, 3650 * DAY, true, 0x2002);
	make_cert("expired-ca.pem", "old-ca", -400 * DAY, 365 * DAY, true, 0x3003);
	make_cert("soon-ca.pem", "soon-ca", -DAY, 10 * DAY, true, 0x4004);
	make_cert("leaf.pem", "node", -DAY, 3650 * DAY, false, 0x5005);
	return 0;
}

static int teardown(void **state)
{
	const char *names[] = { "local-ca.pem", "one-ca.pem", "expired-ca.pem", "soon-ca.pem", "leaf.pem",
				"chain-ca.pem", "chain-ca2.pem" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_of(names[i]));
	rmdir(tmpdir);
	return 0;
}

static void reads_subject_serial_and_ca_flag(void **state)
{
	struct certificate_info info;

	(void)state;
	assert_int_equal(certificate_read_pem(&info, path_of("local-ca.pem")), 0);
	assert_string_equal(info.subject_dn, "CN=local-ca,O=esreconcile-test");
	assert_string_equal(info.issuer_dn, info.subject_dn);
	assert_string_equal(info.serial_hex, "1001");
	assert_int_equal(strlen(info.sha256_hex), 64);
	assert_true(info.is_ca);
	certificate_info_dispose(&info);
	assert_int_equal(certificate_read_pem(&info, path_of("leaf.pem")), 0);
	assert_false(info.is_ca);
	certificate_info_dispose(&info);
	assert_int_equal(certificate_read_pem(&info, path_of("missing.pem")), -ENOENT);
}

static void compares_names_and_serials_as_elasticsearch_prints_them(void **state)
{
	(void)state;
	assert_true(certificate_dn_equal("CN=local-ca,O=esreconcile-test", "cn=local-ca, O=esreconcile-test"));
	assert_false(certificate_dn_equal("CN=local-ca,O=esreconcile-test", "CN=Local-ca,O=esreconcile-test"));
	assert_false(certificate_dn_equal("CN=a", NULL));
	assert_true(certificate_serial_equal("1001", "001001"));
	assert_true(certificate_serial_equal("0xAB", "ab"));
	assert_false(certificate_serial_equal("1001", "1002"));
}

/* A desired state of two clusters, local and cluster_one, with a remote between them. */
struct fixture {
	struct trust_authority authorities[3];
	char *local_trusts[2];
	char *one_trusts[2];
	struct trust_cluster trust_clusters[2];
	struct desired_object remote;
	struct desired_state desired;
};

static void fixture_init(struct fixture *f, const char *one_trusts_second)
{
	memset(f, 0, sizeof(*f));
	f->authorities[0] = (struct trust_authority){ .name = "local-ca", .ca_file = path_of("local-ca.pem") };
	f->authorities[1] = (struct trust_authority){ .name = "one-ca", .ca_file = path_of("one-ca.pem") };
	f->authorities[2] = (struct trust_authority){ .name = "unused-ca", .ca_file = path_of("leaf.pem") };
	f->local_trusts[0] = "local-ca";
	f->local_trusts[1] = "one-ca";
	f->one_trusts[0] = "one-ca";
	f->one_trusts[1] = (char *)one_trusts_second;
	f->trust_clusters[0] = (struct trust_cluster){ .cluster = "local", .transport_ca = "local-ca",
						       .trusts = f->local_trusts, .trust_count = 2 };
	f->trust_clusters[1] = (struct trust_cluster){ .cluster = "cluster_one", .transport_ca = "one-ca",
						       .trusts = f->one_trusts, .trust_count = 2 };
	f->remote = (struct desired_object){ .kind = RESOURCE_REMOTE, .cluster = "local", .name = "cluster_one",
					     .remote_cluster = "cluster_one" };
	f->desired.authorities = f->authorities;
	f->desired.authority_count = 2;
	f->desired.trust_clusters = f->trust_clusters;
	f->desired.trust_cluster_count = 2;
	f->desired.objects = &f->remote;
	f->desired.object_count = 1;
}

static bool has_finding(const struct trust_report *r, enum trust_severity severity, const char *needle)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->findings[i].severity == severity && strstr(r->findings[i].message, needle))
			return true;
	return false;
}

static void consistent_declaration_has_no_findings(void **state)
{
	struct trust_authority_certs certs;
	struct trust_report *report;
	struct fixture f;

	(void)state;
	fixture_init(&f, "local-ca");
	assert_int_equal(trust_authorities_read(&certs, &f.desired), 0);
	assert_int_equal(trust_check(&report, &f.desired, &certs, NULL, time(NULL)), 0);
	assert_int_equal(report->count, 0);
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
}

static void one_way_trust_of_a_remote_is_a_problem(void **state)
{
	struct trust_authority_certs certs;
	struct trust_report *report;
	struct fixture f;

	(void)state;
	fixture_init(&f, "one-ca");
	f.trust_clusters[1].trust_count = 1;
	assert_int_equal(trust_authorities_read(&certs, &f.desired), 0);
	assert_int_equal(trust_check(&report, &f.desired, &certs, NULL, time(NULL)), 0);
	assert_int_equal(report->problems, 1);
	assert_true(has_finding(report, TRUST_PROBLEM,
				"remote [cluster_one] points at [cluster_one], but [cluster_one] does not trust [local]'s transport CA [local-ca]: add it to trust.clusters.cluster_one.trusts"));
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
}

static void bad_authority_files_are_problems_or_warnings(void **state)
{
	struct trust_authority_certs certs;
	struct trust_report *report;
	struct fixture f;

	(void)state;
	fixture_init(&f, "local-ca");
	f.authorities[0].ca_file = path_of("expired-ca.pem");
	f.authorities[1].ca_file = path_of("soon-ca.pem");
	f.authorities[2].ca_file = path_of("leaf.pem");
	f.desired.authority_count = 3;
	assert_int_equal(trust_authorities_read(&certs, &f.desired), 0);
	assert_int_equal(trust_check(&report, &f.desired, &certs, NULL, time(NULL)), 0);
	assert_true(has_finding(report, TRUST_PROBLEM, "authority [local-ca] (CN=old-ca,O=esreconcile-test) expired 35 day(s) ago"));
	assert_true(has_finding(report, TRUST_WARNING, "authority [one-ca] (CN=soon-ca,O=esreconcile-test) expires in "));
	assert_true(has_finding(report, TRUST_PROBLEM, "is not a CA certificate"));
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);

	f.authorities[0].ca_file = path_of("missing.pem");
	assert_int_equal(trust_authorities_read(&certs, &f.desired), 0);
	assert_int_equal(trust_check(&report, &f.desired, &certs, NULL, time(NULL)), 0);
	assert_true(has_finding(report, TRUST_PROBLEM, "authority [local-ca]: "));
	assert_true(has_finding(report, TRUST_PROBLEM, "holds no readable PEM certificate"));
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
}

static void live_certificates_must_show_the_declared_trust(void **state)
{
	/* local's node certificate is signed by local-ca and it trusts local-ca only,
	 * not one-ca as declared; one of its certificates expires soon. */
	static const char *local_certs =
		"[{\"path\":\"certs/local-ca.pem\",\"format\":\"PEM\",\"alias\":null,"
		"\"subject_dn\":\"CN=local-ca, O=esreconcile-test\",\"serial_number\":\"1001\","
		"\"has_private_key\":false,\"expiry\":\"2099-01-01T00:00:00.000Z\",\"issuer\":\"CN=local-ca,O=esreconcile-test\"},"
		"{\"path\":\"certs/node.pem\",\"format\":\"PEM\",\"alias\":null,"
		"\"subject_dn\":\"CN=node\",\"serial_number\":\"77\",\"has_private_key\":true,"
		"\"expiry\":\"2026-01-05T00:00:00.000Z\",\"issuer\":\"CN=local-ca,O=esreconcile-test\"}]";
	struct live_cluster clusters[2];
	struct live_state live = { clusters, 2 };
	struct trust_authority_certs certs;
	struct trust_report *report;
	struct fixture f;
	time_t now = 1767225600; /* 2026-01-01 */

	(void)state;
	memset(clusters, 0, sizeof(clusters));
	clusters[0].cluster_id = "local";
	clusters[0].reachable = true;
	clusters[0].certificates = cJSON_Parse(local_certs);
	clusters[1].cluster_id = "cluster_one";
	clusters[1].reachable = true;
	clusters[1].certificates = cJSON_CreateArray();
	fixture_init(&f, "local-ca");
	assert_int_equal(trust_authorities_read(&certs, &f.desired), 0);
	assert_int_equal(trust_check(&report, &f.desired, &certs, &live, now), 0);
	assert_true(has_finding(report, TRUST_PROBLEM, "[local] does not trust authority [one-ca] (CN=one-ca,O=esreconcile-test)"));
	assert_false(has_finding(report, TRUST_PROBLEM, "[local] does not trust authority [local-ca]"));
	assert_false(has_finding(report, TRUST_PROBLEM, "no certificate of [local]"));
	assert_true(has_finding(report, TRUST_WARNING, "certificate certs/node.pem (CN=node) of [local] expires in 4 day(s)"));
	assert_true(has_finding(report, TRUST_PROBLEM, "no certificate of [cluster_one] is signed by its declared transport CA [one-ca]"));
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
	cJSON_Delete(clusters[0].certificates);
	cJSON_Delete(clusters[1].certificates);
}

static void bundle_concatenates_the_trusted_authorities(void **state)
{
	struct certificate_info local_ca;
	struct fixture f;
	char *bundle = NULL;

	(void)state;
	fixture_init(&f, "local-ca");
	assert_int_equal(trust_bundle(&bundle, &f.desired, "local"), 0);
	assert_int_equal(certificate_read_pem(&local_ca, path_of("local-ca.pem")), 0);
	/* two PEM blocks, local-ca's first */
	assert_non_null(strstr(bundle, "-----BEGIN CERTIFICATE-----"));
	assert_non_null(strstr(strstr(bundle, "-----END CERTIFICATE-----"), "-----BEGIN CERTIFICATE-----"));
	free(bundle);
	certificate_info_dispose(&local_ca);
	assert_int_equal(trust_bundle(&bundle, &f.desired, "nowhere"), -ENOENT);
	assert_null(bundle);
}

static void findings_become_plan_problems_and_warnings(void **state)
{
	struct trust_finding findings[3] = {
		{ .cluster = "local", .severity = TRUST_PROBLEM, .message = "[local] does not trust authority [one-ca]" },
		{ .authority = "one-ca", .severity = TRUST_WARNING, .message = "authority [one-ca] expires in 3 day(s)" },
		{ .cluster = "elsewhere", .severity = TRUST_PROBLEM, .message = "not planned" },
	};
	struct trust_report report = { .findings = findings, .count = 3, .problems = 2 };
	struct cluster_plan clusters[2];
	struct plan plan;
	struct fixture f;

	(void)state;
	fixture_init(&f, "local-ca");
	memset(&plan, 0, sizeof(plan));
	memset(clusters, 0, sizeof(clusters));
	clusters[0].cluster_id = "local";
	clusters[1].cluster_id = "cluster_one";
	plan.clusters = clusters;
	plan.cluster_count = 2;
	assert_int_equal(plan_add_trust_findings(&plan, &f.desired, &report), 0);
	/* local: the problem, and the warning since it trusts one-ca */
	assert_int_equal(clusters[0].change_count, 1);
	assert_int_equal(clusters[0].changes[0].kind, RESOURCE_TRUST);
	assert_int_equal(clusters[0].changes[0].action, ACTION_PROBLEM);
	assert_string_equal(clusters[0].changes[0].problem, findings[0].message);
	assert_string_equal(resource_kind_name(clusters[0].changes[0].kind), "trust");
	assert_int_equal(clusters[0].warning_count, 1);
	/* cluster_one: one-ca signs its transport certificate, so the warning too */
	assert_int_equal(clusters[1].change_count, 0);
	assert_int_equal(clusters[1].warning_count, 1);
	assert_string_equal(clusters[1].warnings[0], findings[1].message);
	assert_int_equal(plan.summary.problems, 1);
	free(clusters[0].changes[0].name);
	free(clusters[0].changes[0].problem);
	free(clusters[0].changes);
	free(clusters[0].warnings[0]);
	free(clusters[0].warnings);
	free(clusters[1].warnings[0]);
	free(clusters[1].warnings);
}

/* What a TLS peer presents is verified against the declared CAs: the right CA,
 * another CA (an HTTP CA declared as transport CA), dates, and server_name. */
static void presented_chain_is_verified_against_declared_cas(void **state)
{
	struct certificate_info leaf;
	char *good = make_signed_leaf("chain-ca.pem", -DAY, 365 * DAY);
	char *expired = make_signed_leaf("chain-ca2.pem", -400 * DAY, 365 * DAY);
	char *files[1], *other[1], *why = NULL;
	time_t now = time(NULL);

	(void)state;
	files[0] = path_of("chain-ca.pem");
	other[0] = path_of("local-ca.pem");
	assert_int_equal(certificate_verify_chain(&leaf, &why, &good, 1, files, 1, NULL, now), 0);
	assert_null(why);
	assert_string_equal(leaf.subject_dn, "CN=node");
	assert_string_equal(leaf.issuer_dn, "CN=transport-ca");
	certificate_info_dispose(&leaf);
	assert_int_equal(certificate_verify_chain(&leaf, &why, &good, 1, files, 1, "node.example", now), 0);
	assert_null(why);
	certificate_info_dispose(&leaf);
	assert_int_equal(certificate_verify_chain(&leaf, &why, &good, 1, files, 1, "other.example", now), 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "mismatch"));
	free(why);
	certificate_info_dispose(&leaf);
	assert_int_equal(certificate_verify_chain(&leaf, &why, &good, 1, other, 1, NULL, now), 0);
	assert_non_null(why);
	assert_string_equal(leaf.subject_dn, "CN=node"); /* shown even when not trusted */
	free(why);
	certificate_info_dispose(&leaf);
	files[0] = path_of("chain-ca2.pem");
	assert_int_equal(certificate_verify_chain(&leaf, &why, &expired, 1, files, 1, NULL, now), 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "expired"));
	free(why);
	certificate_info_dispose(&leaf);
	assert_int_equal(certificate_verify_chain(&leaf, &why, &expired, 0, files, 1, NULL, now), -EINVAL);
	free(good);
	free(expired);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_subject_serial_and_ca_flag),
		cmocka_unit_test(compares_names_and_serials_as_elasticsearch_prints_them),
		cmocka_unit_test(consistent_declaration_has_no_findings),
		cmocka_unit_test(one_way_trust_of_a_remote_is_a_problem),
		cmocka_unit_test(bad_authority_files_are_problems_or_warnings),
		cmocka_unit_test(live_certificates_must_show_the_declared_trust),
		cmocka_unit_test(bundle_concatenates_the_trusted_authorities),
		cmocka_unit_test(findings_become_plan_problems_and_warnings),
		cmocka_unit_test(presented_chain_is_verified_against_declared_cas),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
