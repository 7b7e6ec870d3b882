#include "cmd/credentials.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/output_file.h"
#include "es/http.h"
#include "util/buf.h"
#include "util/log.h"

bool credentials_needed(const struct plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->cluster_count; i++)
		for (j = 0; j < plan->clusters[i].request_count; j++)
			if (plan->clusters[i].requests[j].hand_off)
				return true;
	return false;
}

int credentials_check_dir(const char *dir, char **errmsg_out)
{
	struct stat st;
	const char *why = NULL;

	*errmsg_out = NULL;
	if (lstat(dir, &st) != 0 || (S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) != 0))
		why = strerror(errno);
	else if (S_ISLNK(st.st_mode))
		why = "a symbolic link; name the directory itself";
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	if (!why)
		return 0;
	*errmsg_out = buf_format("--credentials-out %s: %s", dir, why);
	return *errmsg_out ? -EINVAL : -ENOMEM;
}

int credentials_hand_off(void *ctx, const char *cluster_id, const char *name, const secret_t *secret,
			 char **errmsg_out)
{
	const char *dir = ctx, *slash = strchr(name, '/');
	struct output_file f = { 0 };
	char *path = NULL, *local = NULL;
	const char *alias;
	int err;

	*errmsg_out = NULL;
	if (!slash)
		return -EINVAL;
	alias = slash + 1;
	local = strndup(name, (size_t)(slash - name));
	path = local ? buf_format("%s%s%s.%s.credentials", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", local,
				  alias)
		     : NULL;
	if (!path) {
		err = -ENOMEM;
		goto done;
	}
	err = output_file_open(&f, path, 0600);
	if (!err) {
		fprintf(f.stream,
			"# The cross-cluster API key of remote [%s] of cluster [%s], made on cluster [%s]\n"
			"# by esreconcile. Keep this file secret; delete it once the key is staged.\n"
			"# On every node of cluster [%s]:\n"
			"#   grep -v '^#' %s | bin/elasticsearch-keystore add --force --stdin cluster.remote.%s.credentials\n"
			"# then once, on the cluster [%s]:\n"
			"#   POST /_nodes/reload_secure_settings\n"
			"# (or `esreconcile apply --reload-secure-settings`).\n",
			alias, local, cluster_id, local, path, alias, local);
		fputs(secret_reveal(secret), f.stream);
		fputc('\n', f.stream);
		err = output_file_commit(&f);
		output_file_abort(&f);
	}
	if (err && !(*errmsg_out = buf_format("%s: %s", path, strerror(-err))))
		err = -ENOMEM;
	if (!err)
		log_notice("cluster [%s]: the key of remote [%s] is in %s; stage it in the keystore of every "
			   "node of [%s]", local, alias, path, local);
done:
	free(path);
	free(local);
	return err;
}

/* Whether the cluster holds a declared remote of security api_key. */
static bool holds_api_key_remote(const struct desired_state *desired, const char *id)
{
	const struct desired_object *const *remotes;
	size_t count = desired_cluster_objects(desired, id, RESOURCE_REMOTE, &remotes), i;

	for (i = 0; i < count; i++)
		if (remotes[i]->security == REMOTE_SECURITY_API_KEY)
			return true;
	return false;
}

static bool selected(const char *id, const char *const *only, size_t only_count)
{
	size_t i;

	for (i = 0; i < only_count; i++)
		if (!strcmp(only[i], id))
			return true;
	return !only_count;
}

static int reload_one(const struct cluster_config *cfg)
{
	static const char path[] = "/_nodes/reload_secure_settings";
	struct es_client *client = NULL;
	struct es_response r = { 0 };
	const cJSON *nodes;
	char *errmsg = NULL;
	int err = es_client_new(&client, cfg, NULL, &errmsg);

	if (!err)
		err = es_request(&r, client, "POST", path, NULL, 0, &errmsg);
	if (err == -ENOMEM)
		goto done;
	nodes = cJSON_GetObjectItemCaseSensitive(r.json, "_nodes");
	if (err || !es_response_ok(&r))
		log_warn("cluster [%s] POST %s: %s", cfg->id, path,
			 errmsg ? errmsg : r.error_reason ? r.error_reason : "no answer");
	else
		log_notice("cluster [%s] POST %s: %d of %d nodes reloaded their keystore", cfg->id, path,
			   cJSON_GetObjectItemCaseSensitive(nodes, "successful")
				   ? cJSON_GetObjectItemCaseSensitive(nodes, "successful")->valueint : 0,
			   cJSON_GetObjectItemCaseSensitive(nodes, "total")
				   ? cJSON_GetObjectItemCaseSensitive(nodes, "total")->valueint : 0);
	err = 0;
done:
	es_response_dispose(&r);
	es_client_free(client);
	free(errmsg);
	return err;
}

int credentials_reload(const struct desired_state *desired, const char *const *only, size_t only_count)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < desired->cluster_count; i++) {
		const struct cluster_config *cfg = &desired->clusters[i];

		if (selected(cfg->id, only, only_count) && holds_api_key_remote(desired, cfg->id))
			err = reload_one(cfg);
	}
	return err;
}
