/* Unit tests for util/strmap: the hash map the lookups by name use. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/strmap.h"

static void zeroed_map_is_empty_and_null_safe(void **state)
{
	struct strmap m = { 0 };
	size_t value = 7;

	(void)state;
	assert_false(strmap_get(&m, "a", &value));
	assert_int_equal(value, 7);
	assert_false(strmap_get(NULL, "a", &value));
	assert_false(strmap_get(&m, NULL, &value));
	strmap_dispose(&m);
	strmap_dispose(NULL);
}

static void put_then_get_and_replace(void **state)
{
	struct strmap m = { 0 };
	char copy[] = "role-a";
	size_t value = 0;

	(void)state;
	assert_int_equal(strmap_put(&m, "role-a", 1), 0);
	assert_int_equal(strmap_put(&m, "role-b", 2), 0);
	assert_true(strmap_get(&m, "role-a", &value));
	assert_int_equal(value, 1);
	assert_true(strmap_get(&m, "role-b", NULL));
	assert_false(strmap_get(&m, "role-c", &value));
	assert_false(strmap_get(&m, "role", &value));
	assert_false(strmap_get(&m, "", &value));
	/* an equal key (another pointer) replaces the value, not the count */
	assert_int_equal(strmap_put(&m, copy, 9), 0);
	assert_int_equal(m.count, 2);
	assert_true(strmap_get(&m, "role-a", &value));
	assert_int_equal(value, 9);
	assert_int_equal(strmap_put(&m, "", 5), 0);
	assert_true(strmap_get(&m, "", &value));
	assert_int_equal(value, 5);
	strmap_dispose(&m);
	assert_false(strmap_get(&m, "role-b", &value));
	/* a disposed map can be filled again */
	assert_int_equal(strmap_put(&m, "again", 3), 0);
	assert_true(strmap_get(&m, "again", &value));
	strmap_dispose(&m);
}

/* Many keys, across several growths, each found with its own value. */
static void holds_many_keys_through_growth(void **state)
{
	enum { N = 20000 };
	char (*keys)[24] = calloc(N, sizeof(*keys));
	struct strmap m = { 0 };
	size_t i, value;

	(void)state;
	assert_non_null(keys);
	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "bench-user-%zu", i);
		assert_int_equal(strmap_put(&m, keys[i], i), 0);
	}
	assert_int_equal(m.count, N);
	assert_true(m.count * 2 <= m.capacity);
	for (i = 0; i < N; i++) {
		assert_true(strmap_get(&m, keys[i], &value));
		assert_int_equal(value, i);
	}
	assert_false(strmap_get(&m, "bench-user-20000", &value));
	assert_false(strmap_get(&m, "bench-user-", &value));
	strmap_dispose(&m);
	free(keys);
}

static void refuses_entries_past_its_cap(void **state)
{
	struct strmap m;
	size_t value;

	(void)state;
	strmap_init(&m, 2);
	assert_int_equal(strmap_put(&m, "a", 1), 0);
	assert_int_equal(strmap_put(&m, "b", 2), 0);
	assert_int_equal(strmap_put(&m, "c", 3), -ENOSPC);
	/* a refused put leaves the map as it was; replacing a value is no new entry */
	assert_int_equal(m.count, 2);
	assert_false(strmap_get(&m, "c", &value));
	assert_int_equal(strmap_put(&m, "a", 4), 0);
	assert_true(strmap_get(&m, "a", &value));
	assert_int_equal(value, 4);
	strmap_dispose(&m);
	/* the cap survives dispose */
	assert_int_equal(strmap_put(&m, "x", 1), 0);
	assert_int_equal(strmap_put(&m, "y", 1), 0);
	assert_int_equal(strmap_put(&m, "z", 1), -ENOSPC);
	strmap_dispose(&m);
}

/* An object's members by name, true ones valued 1, the first of a name given
 * twice kept; an array's strings valued 1, other items skipped; NULL adds nothing. */
static void put_names_of_objects_and_arrays(void **state)
{
	cJSON *answers = cJSON_Parse("{\"yes\": true, \"no\": false, \"other\": {}, \"yes\": false}");
	cJSON *roles = cJSON_Parse("[\"a\", 1, \"b\", null, \"a\"]");
	struct strmap m = { 0 };
	size_t value = 9;

	(void)state;
	assert_non_null(answers);
	assert_non_null(roles);
	assert_int_equal(strmap_put_names(&m, answers), 0);
	assert_int_equal(m.count, 3);
	assert_true(strmap_get(&m, "yes", &value));
	assert_int_equal(value, 1);
	assert_true(strmap_get(&m, "no", &value));
	assert_int_equal(value, 0);
	assert_true(strmap_get(&m, "other", &value));
	assert_int_equal(value, 0);
	strmap_dispose(&m);

	assert_int_equal(strmap_put_names(&m, roles), 0);
	assert_int_equal(m.count, 2);
	assert_true(strmap_get(&m, "a", &value));
	assert_int_equal(value, 1);
	assert_true(strmap_get(&m, "b", NULL));
	assert_int_equal(strmap_put_names(&m, NULL), 0);
	assert_int_equal(m.count, 2);
	strmap_dispose(&m);
	cJSON_Delete(answers);
	cJSON_Delete(roles);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zeroed_map_is_empty_and_null_safe),
		cmocka_unit_test(put_then_get_and_replace),
		cmocka_unit_test(holds_many_keys_through_growth),
		cmocka_unit_test(refuses_entries_past_its_cap),
		cmocka_unit_test(put_names_of_objects_and_arrays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
