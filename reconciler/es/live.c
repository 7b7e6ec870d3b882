#include "es/live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/strlist.h"

int live_parse_version(int *out_major, int *out_minor, const char *text)
{
	char *end;
	long major, minor;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	major = strtol(text, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	minor = strtol(end + 1, &end, 10);
	if ((*end && *end != '.' && *end != '-') || major > 1000 || minor > 1000)
		return -EINVAL;
	*out_major = (int)major;
	*out_minor = (int)minor;
	return 0;
}

void live_cluster_dispose(struct live_cluster *lc)
{
	size_t i;

	free(lc->cluster_id);
	free(lc->error);
	free(lc->version);
	cJSON_Delete(lc->root);
	cJSON_Delete(lc->settings);
	cJSON_Delete(lc->remote_info);
	cJSON_Delete(lc->license);
	cJSON_Delete(lc->resolve_cluster);
	for (i = 0; i < RESOURCE_KIND_COUNT; i++)
		cJSON_Delete(lc->objects[i]);
	cJSON_Delete(lc->certificates);
	cJSON_Delete(lc->transport_addresses);
	cJSON_Delete(lc->remote_cluster_server);
	cJSON_Delete(lc->password_probes);
	strlist_free(lc->warnings, lc->warning_count);
}

void live_cluster_drop_objects(struct live_cluster *lc)
{
	size_t i;

	for (i = 0; i < RESOURCE_KIND_COUNT; i++) {
		cJSON_Delete(lc->objects[i]);
		lc->objects[i] = NULL;
	}
}

void live_state_free(struct live_state *live)
{
	size_t i;

	if (!live)
		return;
	for (i = 0; i < live->cluster_count; i++)
		live_cluster_dispose(&live->clusters[i]);
	free(live->clusters);
	free(live);
}

const struct live_cluster *live_find_cluster(const struct live_state *live, const char *id)
{
	size_t i;

	if (!live)
		return NULL;
	for (i = 0; i < live->cluster_count; i++)
		if (!strcmp(live->clusters[i].cluster_id, id))
			return &live->clusters[i];
	return NULL;
}

bool live_version_at_least(const struct live_cluster *cluster, int major, int minor)
{
	if (!cluster || !cluster->version)
		return false;
	return cluster->version_major > major ||
	       (cluster->version_major == major && cluster->version_minor >= minor);
}

int live_publish_addresses(cJSON **out, const cJSON *nodes_response, const char *section)
{
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(nodes_response, "nodes");
	const cJSON *node;
	cJSON *list = cJSON_CreateArray();

	*out = NULL;
	if (!list)
		return -ENOMEM;
	cJSON_ArrayForEach(node, nodes) {
		const cJSON *transport = cJSON_GetObjectItemCaseSensitive(node, section);
		const cJSON *address = cJSON_GetObjectItemCaseSensitive(transport, "publish_address");
		const char *text, *slash;
		cJSON *item;

		if (!cJSON_IsString(address) || !address->valuestring)
			continue;
		text = address->valuestring;
		slash = strrchr(text, '/');
		item = cJSON_CreateString(slash ? slash + 1 : text);
		if (!item || !cJSON_AddItemToArray(list, item)) {
			cJSON_Delete(item);
			cJSON_Delete(list);
			return -ENOMEM;
		}
	}
	*out = list;
	return 0;
}
