#include "apply/verify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/strlist.h"

static void clear_list(char ***list, size_t *count)
{
	strlist_free(*list, *count);
	*list = NULL;
	*count = 0;
}

static bool remote_connected(const cJSON *remote_info, const char *alias)
{
	const cJSON *remote = cJSON_GetObjectItemCaseSensitive(remote_info, alias);

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(remote, "connected"));
}

int verify_split_remotes(struct cluster_outcome *outcome, const struct desired_state *desired,
			 const cJSON *remote_info)
{
	const struct desired_object *object;
	size_t i;
	int err = 0;

	clear_list(&outcome->remotes_connected, &outcome->remotes_connected_count);
	clear_list(&outcome->remotes_not_connected, &outcome->remotes_not_connected_count);
	for (i = 0; i < desired->object_count && !err; i++) {
		object = &desired->objects[i];
		if (object->kind != RESOURCE_REMOTE || object->absent ||
		    strcmp(object->cluster, outcome->cluster_id) != 0)
			continue;
		if (remote_connected(remote_info, object->name))
			err = strlist_append(&outcome->remotes_connected,
					     &outcome->remotes_connected_count, object->name);
		else
			err = strlist_append(&outcome->remotes_not_connected,
					     &outcome->remotes_not_connected_count, object->name);
	}
	return err;
}

int verify_wait_remotes(struct cluster_outcome *outcome, struct es_client *client,
			const struct desired_state *desired, long wait_ms)
{
	struct es_response response;
	char *errmsg = NULL;
	long deadline = clock_now_ms() + (wait_ms > 0 ? wait_ms : 0), left;
	int err;

	for (;;) {
		err = es_request(&response, client, "GET", "/_remote/info", NULL, ES_IDEMPOTENT, &errmsg);
		if (!err && !es_response_ok(&response))
			err = -EPROTO;
		if (!err)
			err = verify_split_remotes(outcome, desired, response.json);
		es_response_dispose(&response);
		if (err) {
			log_warn("cluster [%s]: could not check remote connections: %s", outcome->cluster_id,
				 errmsg ? errmsg : "GET /_remote/info failed");
			break;
		}
		left = deadline - clock_now_ms();
		if (!outcome->remotes_not_connected_count || left <= 0)
			break;
		clock_sleep_ms(left < VERIFY_POLL_MS ? left : VERIFY_POLL_MS);
	}
	free(errmsg);
	return err;
}
