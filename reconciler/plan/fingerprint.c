/* fingerprint: a hash of the live state a plan was computed from, so that
 * apply can refuse a saved plan when the clusters changed since. */
#include <errno.h>
#include <stdio.h>
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

int plan_fingerprint(char out[65], const struct live_state *live)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0, i;
	cJSON *clusters = cJSON_CreateObject();
	struct buf text;
	size_t c;
	int err = 0;

	out[0] = '\0';
	buf_init(&text, (size_t)1 << 30);
	if (!clusters) {
		err = -ENOMEM;
		goto done;
	}
	for (c = 0; !err && c < live->cluster_count; c++)
		err = cluster_document(clusters, &live->clusters[c]);
	/* keys sorted at every level, so the clusters too */
	if (!err)
		err = json_canonical_print(&text, clusters);
	if (err)
		goto done;
	if (!EVP_Digest(text.data, text.len, digest, &digest_len, EVP_sha256(), NULL)) {
		err = -EIO;
		goto done;
	}
	for (i = 0; i < digest_len && i < 32; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", digest[i]);
done:
	buf_dispose(&text);
	cJSON_Delete(clusters);
	return err;
}
