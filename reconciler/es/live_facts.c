#include "es/live_facts.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "es/path.h"
#include "util/buf.h"
#include "util/strlist.h"

static int add_warning(struct live_cluster *lc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_warning(struct live_cluster *lc, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int err;

	buf_init(&b, BUF_SMALL_MAX);
	va_start(ap, fmt);
	err = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!err)
		err = strlist_append(&lc->warnings, &lc->warning_count, b.data ? b.data : "");
	buf_dispose(&b);
	return err;
}

int live_request_json(cJSON **out, struct es_client *client, const char *method, const char *path,
		      const char *body, int json_type, char **errmsg_out)
{
	const char *id = es_client_cluster_id(client);
	struct es_response r;
	char *msg = NULL;
	int err;

	*out = NULL;
	err = es_request(&r, client, method, path, body, ES_IDEMPOTENT, &msg);
	if (err) {
		if (err != -ENOMEM)
			err = -EIO;
		*errmsg_out = msg;
		goto done;
	}
	if (!es_response_ok(&r)) {
		*errmsg_out = es_describe_failure(id, method, path, &r);
		err = *errmsg_out ? -EIO : -ENOMEM;
		goto done;
	}
	if (!r.json || (r.json->type & 0xFF) != json_type) {
		struct buf b;

		buf_init(&b, BUF_SMALL_MAX);
		err = buf_printf(&b, "cluster [%s] %s %s: HTTP %ld: unexpected response (not a JSON %s)",
				 id, method, path, r.status, json_type == cJSON_Array ? "array" : "object");
		*errmsg_out = err ? NULL : buf_detach(&b);
		buf_dispose(&b);
		err = *errmsg_out ? -EIO : -ENOMEM;
		goto done;
	}
	*out = r.json;
	r.json = NULL;
done:
	es_response_dispose(&r);
	return err;
}

int live_get_json(cJSON **out, struct es_client *client, const char *path, int json_type, char **errmsg_out)
{
	return live_request_json(out, client, "GET", path, NULL, json_type, errmsg_out);
}


static int read_version(struct live_cluster *lc)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(lc->root, "version");
	const cJSON *number = cJSON_GetObjectItemCaseSensitive(version, "number");

	if (!cJSON_IsString(number) ||
	    live_parse_version(&lc->version_major, &lc->version_minor, number->valuestring)) {
		struct buf b;
		int err;

		buf_init(&b, BUF_SMALL_MAX);
		err = buf_printf(&b, "cluster [%s] GET /: no version.number in the response",
				 lc->cluster_id);
		lc->error = err ? NULL : buf_detach(&b);
		buf_dispose(&b);
		return lc->error ? -EIO : -ENOMEM;
	}
	lc->version = strdup(number->valuestring);
	return lc->version ? 0 : -ENOMEM;
}

/* GET /_resolve/cluster for every remote the cluster knows. Unlike
 * _remote/info it makes the cluster try a disconnected remote again, and says
 * whether the remote accepts our user and which version it runs. A cluster
 * that will not answer it is still planned (without that knowledge): a
 * warning. Returns 0 or -ENOMEM. */
static int resolve_remotes(struct live_cluster *lc, struct es_client *client)
{
	const cJSON *remote;
	struct buf path;
	char *alias = NULL, *errmsg = NULL;
	int err = 0;

	if (!lc->remote_info || !lc->remote_info->child)
		return 0;
	buf_init(&path, BUF_SMALL_MAX);
	err = buf_puts(&path, "/_resolve/cluster/");
	cJSON_ArrayForEach(remote, lc->remote_info) {
		if (err)
			break;
		alias = remote->string ? es_escape_path_segment(remote->string) : NULL;
		err = alias ? buf_printf(&path, "%s%s:*", remote == lc->remote_info->child ? "" : ",", alias)
			    : -ENOMEM;
		free(alias);
	}
	if (!err)
		err = live_get_json(&lc->resolve_cluster, client, path.data, cJSON_Object, &errmsg);
	if (err == -EIO)
		err = add_warning(lc, "cluster [%s]: cannot check the remote connections: %s", lc->cluster_id,
				  errmsg ? errmsg : "no answer");
	free(errmsg);
	buf_dispose(&path);
	return err;
}

int live_read_facts(struct live_cluster *lc, struct es_client *client, const struct cluster_config *cfg,
		    size_t *step, const atomic_bool *stop)
{
	/* the cluster-wide reads, steps 1 to 4 */
	static const struct {
		const char *path;
		size_t offset;
		int json_type;
	} reads[] = {
		{ "/", offsetof(struct live_cluster, root), cJSON_Object },
		{ "/_cluster/settings?flat_settings=true", offsetof(struct live_cluster, settings), cJSON_Object },
		{ "/_remote/info", offsetof(struct live_cluster, remote_info), cJSON_Object },
		{ "/_license", offsetof(struct live_cluster, license), cJSON_Object },
	};
	const size_t read_count = sizeof(reads) / sizeof(reads[0]);
	int err = 0;

	for (; !err && *step < LIVE_FACTS_DONE && !(stop && atomic_load(stop)); ++*step) {
		if (*step == 0) {
			if (cfg->verify == TLS_VERIFY_NONE)
				err = add_warning(lc, "TLS verification is disabled for cluster [%s]", lc->cluster_id);
		} else if (lc->error || !client) {
			break;
		} else if (*step <= read_count) {
			cJSON **slot = (cJSON **)(void *)((char *)lc + reads[*step - 1].offset);

			err = live_get_json(slot, client, reads[*step - 1].path, reads[*step - 1].json_type, &lc->error);
		} else if (*step == read_count + 1) {
			err = read_version(lc);
		} else if (live_version_at_least(lc, 8, 13)) {
			err = resolve_remotes(lc, client);
		}
	}
	/* a failed read leaves the cluster unreachable, with lc->error saying why */
	return err == -ENOMEM ? err : 0;
}

void live_facts_move(struct live_cluster *to, struct live_cluster *from)
{
	to->error = from->error;
	to->version = from->version;
	to->version_major = from->version_major;
	to->version_minor = from->version_minor;
	to->root = from->root;
	to->settings = from->settings;
	to->remote_info = from->remote_info;
	to->license = from->license;
	to->resolve_cluster = from->resolve_cluster;
	to->warnings = from->warnings;
	to->warning_count = from->warning_count;
	*from = (struct live_cluster){ .cluster_id = from->cluster_id };
}
