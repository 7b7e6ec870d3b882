#include "trust/trust_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strlist.h"

#define SECONDS_PER_DAY 86400

static int add_finding(struct trust_report *report, const char *cluster,
		       enum trust_severity severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int add_finding(struct trust_report *report, const char *cluster,
		       enum trust_severity severity, const char *fmt, ...)
{
	struct trust_finding *grown, *f;
	va_list ap;

	grown = realloc(report->findings, (report->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	report->findings = grown;
	f = &grown[report->count];
	memset(f, 0, sizeof(*f));
	f->severity = severity;
	f->cluster = cluster ? strdup(cluster) : NULL;
	va_start(ap, fmt);
	f->message = buf_vformat(fmt, ap);
	va_end(ap);
	if ((cluster && !f->cluster) || !f->message) {
		free(f->cluster);
		free(f->message);
		return -ENOMEM;
	}
	report->count++;
	if (severity == TRUST_PROBLEM)
		report->problems++;
	return 0;
}

int trust_authorities_read(struct trust_authority_certs *out, const struct desired_state *desired)
{
	size_t i;

	out->count = desired->authority_count;
	out->certs = calloc(out->count ? out->count : 1, sizeof(*out->certs));
	out->readable = calloc(out->count ? out->count : 1, sizeof(*out->readable));
	if (!out->certs || !out->readable) {
		trust_authority_certs_dispose(out);
		return -ENOMEM;
	}
	for (i = 0; i < out->count; i++) {
		int err = certificate_read_pem(&out->certs[i], desired->authorities[i].ca_file);

		if (err == -ENOMEM) {
			trust_authority_certs_dispose(out);
			return err;
		}
		out->readable[i] = err == 0;
	}
	return 0;
}

void trust_authority_certs_dispose(struct trust_authority_certs *certs)
{
	size_t i;

	if (!certs)
		return;
	for (i = 0; certs->certs && i < certs->count; i++)
		certificate_info_dispose(&certs->certs[i]);
	free(certs->certs);
	free(certs->readable);
	memset(certs, 0, sizeof(*certs));
}

/* The authority's index in desired->authorities (and in the certificates read
 * from them), or -1 when no authority has that name. */
static long authority_index(const struct desired_state *desired, const char *name)
{
	const struct trust_authority *a = desired_find_authority(desired, name);

	return a ? (long)(a - desired->authorities) : -1;
}

static int check_expiry(struct trust_report *report, const char *cluster, const char *what,
			time_t not_after, time_t now)
{
	if (not_after < now)
		return add_finding(report, cluster, TRUST_PROBLEM,
				   "%s expired %ld day(s) ago: renew it and reload the nodes' TLS configuration",
				   what, (long)((now - not_after) / SECONDS_PER_DAY));
	if (not_after - now < (time_t)TRUST_EXPIRY_WARNING_DAYS * SECONDS_PER_DAY)
		return add_finding(report, cluster, TRUST_WARNING, "%s expires in %ld day(s)", what,
				   (long)((not_after - now) / SECONDS_PER_DAY));
	return 0;
}

/* Names the authority in the findings from `first` on. */
static int tag_authority(struct trust_report *report, size_t first, const char *authority)
{
	size_t i;

	for (i = first; i < report->count; i++) {
		report->findings[i].authority = strdup(authority);
		if (!report->findings[i].authority)
			return -ENOMEM;
	}
	return 0;
}

/* The authority files themselves: readable, a CA, in date. */
static int check_authorities(struct trust_report *report, const struct desired_state *desired,
			     const struct trust_authority_certs *certs, time_t now)
{
	struct buf what;
	size_t i, first;
	int err = 0;

	buf_init(&what, BUF_SMALL_MAX);
	for (i = 0; !err && i < desired->authority_count; i++) {
		const struct trust_authority *a = &desired->authorities[i];

		first = report->count;
		if (!certs->readable[i]) {
			err = add_finding(report, NULL, TRUST_PROBLEM,
					  "authority [%s]: %s holds no readable PEM certificate", a->name,
					  a->ca_file);
		} else {
			if (!certs->certs[i].is_ca)
				err = add_finding(report, NULL, TRUST_PROBLEM,
						  "authority [%s]: %s is not a CA certificate (basicConstraints CA:FALSE)",
						  a->name, a->ca_file);
			buf_reset(&what);
			if (!err)
				err = buf_printf(&what, "authority [%s] (%s)", a->name,
						 certs->certs[i].subject_dn);
			if (!err)
				err = check_expiry(report, NULL, what.data, certs->certs[i].not_after, now);
		}
		if (!err)
			err = tag_authority(report, first, a->name);
	}
	buf_dispose(&what);
	return err;
}

/* Remotes between declared clusters need trust both ways (design §1). */
static int check_mutual_trust(struct trust_report *report, const struct desired_state *desired)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < desired->object_count; i++) {
		const struct desired_object *o = &desired->objects[i];
		const struct trust_cluster *from, *to;

		if (o->kind != RESOURCE_REMOTE || o->absent || !o->remote_cluster)
			continue;
		from = desired_find_trust(desired, o->cluster);
		to = desired_find_trust(desired, o->remote_cluster);
		if (!from || !to)
			continue;
		if (!strlist_contains(from->trusts, from->trust_count, to->transport_ca))
			err = add_finding(report, o->cluster, TRUST_PROBLEM,
					  "remote [%s] points at [%s], but [%s] does not trust its transport CA [%s]: add it to trust.clusters.%s.trusts",
					  o->name, o->remote_cluster, o->cluster, to->transport_ca, o->cluster);
		/* the remote cluster server asks no client certificate: an API-key
		 * remote needs the far side's CA on this side only */
		if (!err && o->security != REMOTE_SECURITY_API_KEY &&
		    !strlist_contains(to->trusts, to->trust_count, from->transport_ca))
			err = add_finding(report, o->cluster, TRUST_PROBLEM,
					  "remote [%s] points at [%s], but [%s] does not trust [%s]'s transport CA [%s]: add it to trust.clusters.%s.trusts",
					  o->name, o->remote_cluster, o->remote_cluster, o->cluster,
					  from->transport_ca, o->remote_cluster);
	}
	return err;
}

static const char *entry_string(const cJSON *entry, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(entry, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* Reads exactly `digits` decimal digits at *p and advances past them. */
static bool read_digits(const char **p, int digits, int *out)
{
	int value = 0, i;

	for (i = 0; i < digits; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		value = value * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*out = value;
	return true;
}

/* "2027-11-28T05:52:17.000Z" (Elasticsearch's expiry) → time_t; -1 when it
 * does not parse. */
static time_t parse_iso8601(const char *text)
{
	static const struct {
		int digits;
		char after;
	} fields[] = { { 4, '-' }, { 2, '-' }, { 2, 'T' }, { 2, ':' }, { 2, ':' }, { 2, '\0' } };
	int values[6];
	struct tm tm;
	size_t i;

	if (!text)
		return (time_t)-1;
	for (i = 0; i < 6; i++) {
		if (!read_digits(&text, fields[i].digits, &values[i]))
			return (time_t)-1;
		if (fields[i].after && *text++ != fields[i].after)
			return (time_t)-1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = values[0] - 1900;
	tm.tm_mon = values[1] - 1;
	tm.tm_mday = values[2];
	tm.tm_hour = values[3];
	tm.tm_min = values[4];
	tm.tm_sec = values[5];
	return timegm(&tm);
}

static bool live_has_ca(const cJSON *certificates, const struct certificate_info *ca)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, certificates) {
		if (certificate_dn_equal(entry_string(entry, "subject_dn"), ca->subject_dn) &&
		    certificate_serial_equal(entry_string(entry, "serial_number"), ca->serial_hex))
			return true;
	}
	return false;
}

static bool live_has_key_signed_by(const cJSON *certificates, const struct certificate_info *ca)
{
	const cJSON *entry;

	cJSON_ArrayForEach(entry, certificates) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "has_private_key")) &&
		    certificate_dn_equal(entry_string(entry, "issuer"), ca->subject_dn))
			return true;
	}
	return false;
}

static int check_live_cluster(struct trust_report *report, const struct desired_state *desired,
			      const struct trust_authority_certs *certs, const struct trust_cluster *tc,
			      const struct live_cluster *live, time_t now)
{
	const cJSON *entry;
	struct buf what;
	long ca;
	size_t i;
	int err = 0;

	ca = authority_index(desired, tc->transport_ca);
	if (ca >= 0 && certs->readable[ca] &&
	    !live_has_key_signed_by(live->certificates, &certs->certs[ca]))
		err = add_finding(report, tc->cluster, TRUST_PROBLEM,
				  "no certificate of [%s] is signed by its declared transport CA [%s] (%s): issue the node certificates from that CA, or correct trust.clusters.%s.transport_ca",
				  tc->cluster, tc->transport_ca, certs->certs[ca].subject_dn, tc->cluster);
	for (i = 0; !err && i < tc->trust_count; i++) {
		ca = authority_index(desired, tc->trusts[i]);
		if (ca < 0 || !certs->readable[ca] || live_has_ca(live->certificates, &certs->certs[ca]))
			continue;
		err = add_finding(report, tc->cluster, TRUST_PROBLEM,
				  "[%s] does not trust authority [%s] (%s): add it to xpack.security.transport.ssl.certificate_authorities in elasticsearch.yml on every node",
				  tc->cluster, tc->trusts[i], certs->certs[ca].subject_dn);
	}
	buf_init(&what, BUF_SMALL_MAX);
	cJSON_ArrayForEach(entry, live->certificates) {
		time_t expiry = parse_iso8601(entry_string(entry, "expiry"));

		if (err)
			break;
		if (expiry == (time_t)-1)
			continue;
		buf_reset(&what);
		err = buf_printf(&what, "certificate %s (%s) of [%s]",
				 entry_string(entry, "path") ? entry_string(entry, "path") : "?",
				 entry_string(entry, "subject_dn") ? entry_string(entry, "subject_dn") : "?",
				 tc->cluster);
		if (!err)
			err = check_expiry(report, tc->cluster, what.data, expiry, now);
	}
	buf_dispose(&what);
	return err;
}

int trust_check(struct trust_report **out, const struct desired_state *desired,
		const struct trust_authority_certs *certs, const struct live_state *live, time_t now)
{
	struct trust_report *report = calloc(1, sizeof(*report));
	size_t i;
	int err;

	*out = NULL;
	if (!report)
		return -ENOMEM;
	err = check_authorities(report, desired, certs, now);
	if (!err)
		err = check_mutual_trust(report, desired);
	for (i = 0; !err && live && i < desired->trust_cluster_count; i++) {
		const struct trust_cluster *tc = &desired->trust_clusters[i];
		const struct live_cluster *lc = live_find_cluster(live, tc->cluster);

		if (lc && lc->reachable && cJSON_IsArray(lc->certificates))
			err = check_live_cluster(report, desired, certs, tc, lc, now);
	}
	if (err) {
		trust_report_free(report);
		return err;
	}
	*out = report;
	return 0;
}

/* ---- links: what a handshake with each transport address found ---- */

int trust_link_addresses(char ***out, size_t *count_out, const struct desired_object *remote,
			 const struct live_state *live)
{
	const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(remote->body, "seeds");
	const cJSON *proxy = cJSON_GetObjectItemCaseSensitive(remote->body, "proxy_address");
	const struct live_cluster *target;
	const cJSON *item;
	int err = 0;

	*out = NULL;
	*count_out = 0;
	if (cJSON_IsString(proxy))
		return strlist_append(out, count_out, proxy->valuestring);
	if (!seeds && remote->remote_cluster) {
		target = live ? live_find_cluster(live, remote->remote_cluster) : NULL;
		seeds = !target || !target->reachable ? NULL
			: remote->security == REMOTE_SECURITY_API_KEY ? target->remote_cluster_server
								    : target->transport_addresses;
	}
	cJSON_ArrayForEach(item, seeds)
		if (!err && cJSON_IsString(item))
			err = strlist_append(out, count_out, item->valuestring);
	if (err) {
		strlist_free(*out, *count_out);
		*out = NULL;
		*count_out = 0;
	}
	return err;
}

const char *trust_link_server_name(const struct desired_object *remote)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(remote->body, "server_name");

	return cJSON_IsString(name) && *name->valuestring ? name->valuestring : NULL;
}

static struct trust_link *add_link(struct trust_report *report, const struct desired_object *remote,
				   const char *address)
{
	struct trust_link *grown = realloc(report->links, (report->link_count + 1) * sizeof(*grown)), *link;

	if (!grown)
		return NULL;
	report->links = grown;
	link = &grown[report->link_count];
	memset(link, 0, sizeof(*link));
	link->cluster = strdup(remote->cluster);
	link->remote = strdup(remote->name);
	link->address = strdup(address);
	if (!link->cluster || !link->remote || !link->address) {
		free(link->cluster);
		free(link->remote);
		free(link->address);
		return NULL;
	}
	report->link_count++;
	return link;
}

/* The CA files of the authorities the cluster trusts; NULL entries are left out. */
static int trusted_files(char ***out, size_t *count, const struct desired_state *desired,
			 const struct trust_cluster *tc)
{
	size_t i;
	long ca;
	int err = 0;

	*out = NULL;
	*count = 0;
	for (i = 0; !err && i < tc->trust_count; i++)
		if ((ca = authority_index(desired, tc->trusts[i])) >= 0)
			err = strlist_append(out, count, desired->authorities[ca].ca_file);
	return err;
}

int trust_check_link(struct trust_report *report, const struct desired_state *desired,
		     const struct desired_object *remote, const char *address, char *const *chain_pem,
		     size_t chain_count, const char *probe_error, time_t now)
{
	const struct trust_cluster *tc = desired_find_trust(desired, remote->cluster);
	struct trust_link *link = add_link(report, remote, address);
	char **files = NULL, *why = NULL;
	size_t file_count = 0;
	struct buf what;
	int err;

	if (!link)
		return -ENOMEM;
	buf_init(&what, BUF_SMALL_MAX);
	if (probe_error || !chain_count) {
		link->error = strdup(probe_error ? probe_error : "no certificate");
		err = link->error ? 0 : -ENOMEM;
		if (!err)
			err = add_finding(report, remote->cluster, TRUST_PROBLEM,
					  "remote [%s] at %s: %s: check that the address is a transport port and "
					  "that the far side is up", remote->name, address, link->error);
		goto done;
	}
	if (!tc) {
		link->error = strdup("not verified: the cluster declares no trust");
		err = link->error ? 0 : -ENOMEM;
		if (!err)
			err = add_finding(report, remote->cluster, TRUST_WARNING,
					  "remote [%s] at %s is not verified: declare trust.clusters.%s with the "
					  "authorities it trusts", remote->name, address, remote->cluster);
		goto done;
	}
	err = trusted_files(&files, &file_count, desired, tc);
	if (!err)
		err = certificate_verify_chain(&link->leaf, &why, chain_pem, chain_count, files, file_count,
					       trust_link_server_name(remote), now);
	if (err == -EINVAL) {
		why = strdup("the far side's certificate does not parse");
		err = why ? 0 : -ENOMEM;
	} else {
		link->presented = !err;
	}
	if (err)
		goto done;
	link->verified = !why;
	link->error = why;
	if (why) {
		err = add_finding(report, remote->cluster, TRUST_PROBLEM,
				  "remote [%s] at %s presents %s issued by %s, which the authorities [%s] trusts "
				  "do not verify (%s): list the CA that signs that transport certificate in "
				  "trust.clusters.%s.trusts and in xpack.security.transport.ssl.certificate_authorities",
				  remote->name, address, link->presented ? link->leaf.subject_dn : "a certificate",
				  link->presented ? link->leaf.issuer_dn : "?", remote->cluster, why, remote->cluster);
		goto done;
	}
	err = buf_printf(&what, "transport certificate %s of remote [%s] at %s", link->leaf.subject_dn,
			 remote->name, address);
	if (!err)
		err = check_expiry(report, remote->cluster, what.data, link->leaf.not_after, now);
done:
	buf_dispose(&what);
	strlist_free(files, file_count);
	return err;
}

void trust_report_free(struct trust_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->link_count; i++) {
		free(report->links[i].cluster);
		free(report->links[i].remote);
		free(report->links[i].address);
		free(report->links[i].error);
		certificate_info_dispose(&report->links[i].leaf);
	}
	free(report->links);
	for (i = 0; i < report->count; i++) {
		free(report->findings[i].cluster);
		free(report->findings[i].authority);
		free(report->findings[i].message);
	}
	free(report->findings);
	free(report);
}

/* The file's content, ended by a newline so that the next PEM starts on its own line. */
static int append_file(struct buf *out, const char *path)
{
	int err = buf_append_file(out, path);

	if (!err && out->len && out->data[out->len - 1] != '\n')
		err = buf_puts(out, "\n");
	return err;
}

int trust_bundle(char **out, const struct desired_state *desired, const char *cluster_id)
{
	const struct trust_cluster *tc = desired_find_trust(desired, cluster_id);
	struct buf bundle;
	size_t i;
	long ca;
	int err = 0;

	*out = NULL;
	if (!tc)
		return -ENOENT;
	buf_init(&bundle, BUF_SMALL_MAX);
	for (i = 0; !err && i < tc->trust_count; i++) {
		ca = authority_index(desired, tc->trusts[i]);
		err = ca < 0 ? -ENOENT : append_file(&bundle, desired->authorities[ca].ca_file);
	}
	if (!err)
		*out = buf_detach(&bundle);
	buf_dispose(&bundle);
	return err;
}
