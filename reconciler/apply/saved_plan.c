#include "apply/saved_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/regular_file.h"

static int fail(char **errmsg_out, int err, const char *path, const char *what)
{
	struct buf message;

	buf_init(&message, BUF_SMALL_MAX);
	if (!buf_printf(&message, "%s: %s", path, what))
		*errmsg_out = buf_detach(&message);
	buf_dispose(&message);
	return err;
}

static int read_file(struct buf *out, const char *path, char **errmsg_out)
{
	FILE *file = regular_file_open(path, true);
	int err;

	if (!file)
		return fail(errmsg_out, -errno, path,
			    errno == EINVAL ? "not a regular file (a FIFO, device or socket)" : strerror(errno));
	err = buf_append_stream(out, file);
	if (err == -EIO)
		err = fail(errmsg_out, -EIO, path, "read error");
	else if (err == -ENOSPC)
		err = fail(errmsg_out, -EFBIG, path, "too large for a plan file");
	fclose(file);
	return err;
}

int saved_plan_load(cJSON **out, const char *path, char **errmsg_out)
{
	struct buf text;
	cJSON *plan = NULL;
	const cJSON *version, *fingerprint;
	int err;

	*out = NULL;
	*errmsg_out = NULL;
	buf_init(&text, SAVED_PLAN_MAX_BYTES);
	if ((err = read_file(&text, path, errmsg_out)))
		goto done;
	/* The length counts the NUL buf keeps, which require_null_terminated checks. */
	if (text.len)
		plan = cJSON_ParseWithLengthOpts(text.data, text.len + 1, NULL, 1);
	version = cJSON_GetObjectItemCaseSensitive(plan, "format_version");
	fingerprint = cJSON_GetObjectItemCaseSensitive(plan, "fingerprint");
	if (!cJSON_IsObject(plan) || !cJSON_IsString(version) || strcmp(version->valuestring, "1") != 0 ||
	    !cJSON_IsString(fingerprint) ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(plan, "clusters"))) {
		err = fail(errmsg_out, -EINVAL, path,
			   "not a plan file written by 'esreconcile plan --out' (format_version 1 with a fingerprint)");
		goto done;
	}
	*out = plan;
	plan = NULL;
done:
	cJSON_Delete(plan);
	buf_dispose(&text);
	return err;
}

static const cJSON *cluster_changes(const cJSON *plan_json, const char *cluster_id)
{
	const cJSON *clusters = cJSON_GetObjectItemCaseSensitive(plan_json, "clusters");

	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(clusters, cluster_id),
						"changes");
}

static bool changes_equal(const cJSON *a, const cJSON *b)
{
	if (cJSON_GetArraySize(a) == 0 && cJSON_GetArraySize(b) == 0)
		return true;
	return a && b && cJSON_Compare(a, b, 1);
}

/* Every cluster of one side has the same changes on the other. */
static bool clusters_match(const cJSON *one, const cJSON *other)
{
	const cJSON *cluster;

	cJSON_ArrayForEach(cluster, cJSON_GetObjectItemCaseSensitive(one, "clusters")) {
		if (!cluster->string ||
		    !changes_equal(cluster_changes(one, cluster->string), cluster_changes(other, cluster->string)))
			return false;
	}
	return true;
}

enum saved_plan_state saved_plan_check(const cJSON *saved, const char *fingerprint,
				       const cJSON *fresh_plan_json)
{
	const cJSON *saved_fingerprint = cJSON_GetObjectItemCaseSensitive(saved, "fingerprint");

	if (!cJSON_IsString(saved_fingerprint) || !fingerprint ||
	    strcmp(saved_fingerprint->valuestring, fingerprint) != 0)
		return SAVED_PLAN_LIVE_CHANGED;
	return clusters_match(saved, fresh_plan_json) && clusters_match(fresh_plan_json, saved)
		       ? SAVED_PLAN_FRESH
		       : SAVED_PLAN_DESIRED_CHANGED;
}

const char *saved_plan_stale_message(enum saved_plan_state state)
{
	return state == SAVED_PLAN_LIVE_CHANGED
		       ? "plan is stale: the live state changed since the plan was made; run plan again"
		       : "plan is stale: the desired state (-f files) plans other changes than the saved plan; "
			 "run plan again";
}
