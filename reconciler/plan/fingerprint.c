/* fingerprint: a hash of the live state a plan was computed from, so that
 * apply can refuse a saved plan when the clusters changed since. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "plan/normalize.h"
#include "plan/plan.h"

/* Fields of GET /_remote/info that change with connectivity, not with configuration. */
static const char *const connection_fields[] = {
	"connected", "num_nodes_connected", "num_proxy_sockets_connected", NULL,
};

/* Adds a reference to value (null when absent): the live trees can be large,
 * and the fingerprint only reads them. */
static int add_reference(cJSON *object, const char *key, const cJSON *value)
{
	if (!value)
		return cJSON_AddNullToObject(object, key) ? 0 : -ENOMEM;
	return cJSON_AddItemReferenceToObject(object, key, (cJSON *)value) ? 0 : -ENOMEM;
}

/* remote_info without the fields that follow connectivity rather than configuration. */
static int add_remote_info(cJSON *object, const cJSON *remote_info)
{
	cJSON *copy = remote_info ? cJSON_Duplicate(remote_info, 1) : cJSON_CreateNull(), *remote;
	size_t i;

	if (!copy || !cJSON_AddItemToObject(object, "remote_info", copy)) {
		cJSON_Delete(copy);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(remote, copy)
		for (i = 0; connection_fields[i]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(remote, connection_fields[i]);
	return 0;
}

static int cluster_document(cJSON *clusters, const struct live_cluster *lc)
{
	cJSON *doc = cJSON_CreateObject();
	const cJSON *settings = lc->settings;
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
	err = add_reference(doc, "persistent", cJSON_GetObjectItemCaseSensitive(settings, "persistent"));
	if (!err)
		err = add_reference(doc, "transient", cJSON_GetObjectItemCaseSensitive(settings, "transient"));
	if (!err)
		err = add_remote_info(doc, lc->remote_info);
	if (!err)
		err = add_reference(doc, "roles", lc->roles);
	if (!err)
		err = add_reference(doc, "users", lc->users);
	if (!err)
		err = add_reference(doc, "password_probes", lc->password_probes);
	if (!err)
		err = add_reference(doc, "transport_addresses", lc->transport_addresses);
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
