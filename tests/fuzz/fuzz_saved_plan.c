/* Fuzz target for the saved-plan reader (apply/saved_plan.h): any bytes as the
 * file `esreconcile plan --out` wrote, read with saved_plan_load() (it reads a
 * path: the input goes to a temporary file under /tmp, removed at once), then
 * compared with saved_plan_check() against a fixed fresh plan (the golden
 * plan of tests/plan_cases/019-role-update-create-delete-8.15), with that
 * plan's fingerprint, with the saved plan's own fingerprint, and against itself.
 *
 * Invariant checked (abort): a file that loads is an object with format_version
 * "1", a string fingerprint and an object of clusters, as saved_plan.h says;
 * a file that does not comes with a message. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "apply/saved_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX ((size_t)1 << 20)
#define FRESH_FINGERPRINT "c5d799e9663e6a1e590a796700790c8e9f5e99965dc6060c53c7d8bf2d3c540e"

static const char fresh_text[] =
	"{\"format_version\":\"1\",\"fingerprint\":\"c5d799e9663e6a1e590a796700790c8e9f5e99965dc6060c53c7d8bf2d3"
	"c540e\",\"clusters\":{\"local\":{\"version\":\"8.15.0\",\"reachable\":true,\"changes\":[{\"kind\":\"role\",\"name\""
	":\"remote-replication\",\"action\":\"update\",\"fields\":[{\"path\":\"indices\",\"before\":[{\"names\":[\"followe"
	"r-*\"],\"privileges\":[\"read\",\"write\"],\"allow_restricted_indices\":false}],\"after\":[{\"names\":[\"follo"
	"wer-*\"],\"privileges\":[\"read\"]}]}],\"request\":{\"method\":\"POST\",\"path\":\"/_security/role\",\"body\":{\"r"
	"oles\":{\"remote-replication\":{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":[\"follower-*\"],\"privilege"
	"s\":[\"read\"]}],\"metadata\":{\"managed_by\":\"esreconcile\"}}}}}},{\"kind\":\"role\",\"name\":\"ccr-reader\",\"a"
	"ction\":\"create\",\"fields\":[{\"path\":\"cluster\",\"before\":null,\"after\":[\"read_ccr\"]},{\"path\":\"metadat"
	"a\",\"before\":null,\"after\":{\"managed_by\":\"esreconcile\"}}],\"request\":{\"method\":\"POST\",\"path\":\"/_sec"
	"urity/role\",\"body\":{\"roles\":{\"ccr-reader\":{\"cluster\":[\"read_ccr\"],\"metadata\":{\"managed_by\":\"esre"
	"concile\"}}}}}},{\"kind\":\"role\",\"name\":\"old-role\",\"action\":\"delete\",\"fields\":[{\"path\":\"cluster\",\"b"
	"efore\":[\"monitor\"],\"after\":null},{\"path\":\"metadata\",\"before\":{\"managed_by\":\"esreconcile\"},\"after"
	"\":null}],\"request\":{\"method\":\"DELETE\",\"path\":\"/_security/role\",\"body\":{\"names\":[\"old-role\"]}}}],"
	"\"requests\":[{\"step\":\"roles_write\",\"method\":\"POST\",\"path\":\"/_security/role\",\"body\":{\"roles\":{\"rem"
	"ote-replication\":{\"cluster\":[\"monitor\"],\"indices\":[{\"names\":[\"follower-*\"],\"privileges\":[\"read\"]"
	"}],\"metadata\":{\"managed_by\":\"esreconcile\"}},\"ccr-reader\":{\"cluster\":[\"read_ccr\"],\"metadata\":{\"ma"
	"naged_by\":\"esreconcile\"}}}},\"changes\":[0,1],\"idempotent\":true},{\"step\":\"roles_delete\",\"method\":\""
	"DELETE\",\"path\":\"/_security/role\",\"body\":{\"names\":[\"old-role\"]},\"changes\":[2],\"idempotent\":true}]"
	",\"warnings\":[],\"unchanged\":0}},\"summary\":{\"create\":1,\"update\":1,\"delete\":1,\"unchanged\":0,\"proble"
	"ms\":0}}";

static cJSON *fresh;

static void cleanup(void)
{
	cJSON_Delete(fresh);
	fresh = NULL;
}

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_saved_plan: %s\n", what);
		abort();
	}
}

/* Writes the input to a new temporary file; returns 0 and its path in path. */
static int write_temp(char *path, const uint8_t *data, size_t size)
{
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	bool written = !size || fwrite(data, 1, size, f) == size;

	if (fclose(f) != 0 || !written) {
		unlink(path);
		return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/esr-fuzz-plan-XXXXXX", *errmsg = NULL;
	const cJSON *fingerprint;
	cJSON *saved = NULL;
	int err;

	if (size > INPUT_MAX)
		return 0;
	if (!fresh) {
		fresh = cJSON_Parse(fresh_text);
		check(fresh != NULL, "the fixed fresh plan does not parse");
		atexit(cleanup);
	}
	if (write_temp(path, data, size))
		return 0;
	err = saved_plan_load(&saved, path, &errmsg);
	unlink(path);
	if (err) {
		check(!saved && errmsg && strstr(errmsg, path), "a refusal without a message naming the file");
	} else {
		fingerprint = cJSON_GetObjectItemCaseSensitive(saved, "fingerprint");
		check(cJSON_IsObject(saved) && cJSON_IsString(fingerprint) &&
			      cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(saved, "clusters")) && !errmsg,
		      "a loaded plan that is not a plan");
		(void)saved_plan_check(saved, FRESH_FINGERPRINT, fresh);
		(void)saved_plan_check(saved, fingerprint->valuestring, fresh);
		(void)saved_plan_check(saved, fingerprint->valuestring, saved);
		(void)saved_plan_check(fresh, FRESH_FINGERPRINT, saved);
	}
	free(errmsg);
	cJSON_Delete(saved);
	return 0;
}
