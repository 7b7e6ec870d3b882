/* fingerprint: a hash of the live state a plan was computed from, so that
 * apply can refuse a saved plan when the clusters changed since.
 *
 * Two levels, so that each cluster is hashed by whoever reads it, as soon as
 * it is read, and its live state freed: per cluster the SHA-256 of its
 * canonical document; over them the SHA-256 of the canonical object
 * {cluster id: that hex digest}, whose sorted keys make the value independent
 * of the order the clusters were read in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "plan/normalize.h"
#include "plan/plan.h"
#include "plan/plan_internal.h"

int fingerprint_add_reference(cJSON *doc, const char *key, const cJSON *value)
{
	if (!value)
		return cJSON_AddNullToObject(doc, key) ? 0 : -ENOMEM;
	return cJSON_AddItemReferenceToObject(doc, key, (cJSON *)value) ? 0 : -ENOMEM;
}

static int cluster_document(cJSON *clusters, const struct live_cluster *lc)
{
	cJSON *doc = cJSON_CreateObject();
	size_t i;
	int err = 0;

	if (!doc || !cJSON_AddItemToObject(clusters, lc->cluster_id, doc)) {
		cJSON_Delete(doc);
		return -ENOMEM;
	}
	if (!cJSON_AddBoolToObject(doc, "reachable", lc->reachable))
		return -ENOMEM;
	if (!lc->reachable)
		return 0;
	if (!cJSON_AddStringToObject(doc, "version", lc->version ? lc->version : ""))
		return -ENOMEM;
	for (i = 0; !err && i < RESOURCE_KIND_COUNT; i++) {
		/* the answers that list a kind's objects, under the kind's section name */
		if (resource_kind_list_path((enum resource_kind)i))
			err = fingerprint_add_reference(doc, resource_kind_section((enum resource_kind)i),
							lc->objects[i]);
		if (!err && plan_kinds[i]->fingerprint)
			err = plan_kinds[i]->fingerprint(doc, lc);
	}
	if (!err)
		err = fingerprint_add_reference(doc, "transport_addresses", lc->transport_addresses);
	return err;
}

static int digest_update(void *ctx, const char *data, size_t len)
{
	return EVP_DigestUpdate(ctx, data, len) ? 0 : -EIO;
}

static void hex_digest(char out[PLAN_DIGEST_HEX], const unsigned char *digest, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len && i < 32; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", digest[i]);
}

/* The hex SHA-256 of value's canonical text, streamed through a small buffer. */
static int hash_canonical(char out[PLAN_DIGEST_HEX], const cJSON *value)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct buf scratch;
	int err = 0;

	out[0] = '\0';
	buf_init(&scratch, (size_t)64 << 20);
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		err = -ENOMEM;
	if (!err)
		err = json_canonical_stream(&scratch, value, digest_update, ctx);
	if (!err && !EVP_DigestFinal_ex(ctx, digest, &digest_len))
		err = -EIO;
	if (!err)
		hex_digest(out, digest, digest_len);
	buf_dispose(&scratch);
	EVP_MD_CTX_free(ctx);
	return err;
}

int plan_cluster_digest(char out[PLAN_DIGEST_HEX], const struct live_cluster *lc)
{
	cJSON *clusters = cJSON_CreateObject();
	int err = clusters ? cluster_document(clusters, lc) : -ENOMEM;

	out[0] = '\0';
	if (!err)
		err = hash_canonical(out, clusters->child);
	cJSON_Delete(clusters);
	return err;
}

int plan_fingerprint_combine(char out[PLAN_DIGEST_HEX], char *const *cluster_ids,
			     char (*const digests)[PLAN_DIGEST_HEX], size_t count)
{
	cJSON *doc = cJSON_CreateObject();
	size_t i;
	int err = doc ? 0 : -ENOMEM;

	out[0] = '\0';
	for (i = 0; !err && i < count; i++)
		if (!cJSON_AddStringToObject(doc, cluster_ids[i], digests[i]))
			err = -ENOMEM;
	/* keys sorted: the value does not depend on the order clusters were read in */
	if (!err)
		err = hash_canonical(out, doc);
	cJSON_Delete(doc);
	return err;
}

int plan_fingerprint(char out[PLAN_DIGEST_HEX], const struct live_state *live)
{
	char (*digests)[PLAN_DIGEST_HEX] = calloc(live->cluster_count ? live->cluster_count : 1,
						  sizeof(*digests));
	char **ids = calloc(live->cluster_count ? live->cluster_count : 1, sizeof(*ids));
	size_t i;
	int err = digests && ids ? 0 : -ENOMEM;

	out[0] = '\0';
	for (i = 0; !err && i < live->cluster_count; i++) {
		ids[i] = live->clusters[i].cluster_id;
		err = plan_cluster_digest(digests[i], &live->clusters[i]);
	}
	if (!err)
		err = plan_fingerprint_combine(out, ids, digests, live->cluster_count);
	free(digests);
	free(ids);
	return err;
}
