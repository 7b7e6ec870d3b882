/* Unit tests: whether a saved plan still matches, and loading one. */
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "apply/saved_plan.h"

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char saved_text[] =
	"{\"format_version\":\"1\",\"fingerprint\":\"" FP_A "\","
	"\"clusters\":{\"local\":{\"version\":\"8.15.0\",\"reachable\":true,"
	"\"changes\":[{\"kind\":\"role\",\"name\":\"r\",\"action\":\"create\"}],\"warnings\":[]},"
	"\"other\":{\"version\":\"8.15.0\",\"reachable\":true,\"changes\":[],\"warnings\":[]}},"
	"\"summary\":{\"create\":1,\"update\":0,\"delete\":0,\"unchanged\":3}}";

static void test_fresh_when_fingerprint_and_changes_match(void **state)
{
	cJSON *saved = cJSON_Parse(saved_text);
	/* The plan made now: same changes, a cluster without changes omitted, another summary. */
	cJSON *fresh = cJSON_Parse(
		"{\"format_version\":\"1\",\"clusters\":{\"local\":{\"version\":\"8.15.0\","
		"\"changes\":[{\"kind\":\"role\",\"name\":\"r\",\"action\":\"create\"}]}},"
		"\"summary\":{\"create\":1,\"unchanged\":4}}");

	(void)state;
	assert_int_equal(saved_plan_check(saved, FP_A, fresh), SAVED_PLAN_FRESH);
	cJSON_Delete(saved);
	cJSON_Delete(fresh);
}

static void test_stale_when_live_state_changed(void **state)
{
	cJSON *saved = cJSON_Parse(saved_text);
	cJSON *fresh = cJSON_Duplicate(saved, 1);

	(void)state;
	assert_int_equal(saved_plan_check(saved, FP_B, fresh), SAVED_PLAN_LIVE_CHANGED);
	assert_int_equal(saved_plan_check(saved, NULL, fresh), SAVED_PLAN_LIVE_CHANGED);
	cJSON_Delete(saved);
	cJSON_Delete(fresh);
}

static void test_stale_when_desired_state_changed(void **state)
{
	cJSON *saved = cJSON_Parse(saved_text);
	cJSON *more = cJSON_Duplicate(saved, 1);
	cJSON *fewer = cJSON_Duplicate(saved, 1);
	cJSON *changes;

	(void)state;
	/* A change more on a cluster the saved plan left alone. */
	changes = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(more, "clusters"), "other"),
		"changes");
	cJSON_AddItemToArray(changes, cJSON_Parse("{\"kind\":\"user\",\"name\":\"u\",\"action\":\"delete\"}"));
	assert_int_equal(saved_plan_check(saved, FP_A, more), SAVED_PLAN_DESIRED_CHANGED);
	/* The saved change no longer planned. */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(fewer, "clusters"), "local");
	assert_int_equal(saved_plan_check(saved, FP_A, fewer), SAVED_PLAN_DESIRED_CHANGED);
	cJSON_Delete(saved);
	cJSON_Delete(more);
	cJSON_Delete(fewer);
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/esr-saved-plan-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_load(void **state)
{
	char *good = write_temp(saved_text);
	char *bad = write_temp("{\"format_version\":\"1\",\"clusters\":{}}");
	char *garbage = write_temp("{\"format_version\":\"1\"} trailing");
	cJSON *plan = NULL;
	char *errmsg = NULL;

	(void)state;
	assert_int_equal(saved_plan_load(&plan, good, &errmsg), 0);
	assert_non_null(plan);
	assert_null(errmsg);
	cJSON_Delete(plan);
	assert_int_equal(saved_plan_load(&plan, bad, &errmsg), -EINVAL);
	assert_null(plan);
	assert_non_null(strstr(errmsg, "not a plan file"));
	free(errmsg);
	assert_int_equal(saved_plan_load(&plan, garbage, &errmsg), -EINVAL);
	free(errmsg);
	assert_int_equal(saved_plan_load(&plan, "/nonexistent/plan.json", &errmsg), -ENOENT);
	assert_non_null(strstr(errmsg, "/nonexistent/plan.json"));
	free(errmsg);
	unlink(good);
	unlink(bad);
	unlink(garbage);
	free(good);
	free(bad);
	free(garbage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_when_fingerprint_and_changes_match),
		cmocka_unit_test(test_stale_when_live_state_changed),
		cmocka_unit_test(test_stale_when_desired_state_changed),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
