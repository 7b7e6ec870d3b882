/* Unit tests for the work queue: every item once, per-thread slots, inline
 * width 1, and the two reactions to a failure (stop, or run all). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/work_queue.h"

#define ITEMS 200

struct record {
	atomic_int runs[ITEMS];
	atomic_size_t highest_worker;
	pthread_t caller;
	atomic_int off_caller; /* items run on a thread other than the caller's */
	size_t fail_at[2];     /* indexes that fail (with -EIO, then -EPIPE); ITEMS = none */
};

static int record_item(void *ctx, size_t worker, size_t index)
{
	struct record *r = ctx;
	size_t seen = atomic_load(&r->highest_worker);

	atomic_fetch_add(&r->runs[index], 1);
	while (worker > seen && !atomic_compare_exchange_weak(&r->highest_worker, &seen, worker))
		;
	if (!pthread_equal(pthread_self(), r->caller))
		atomic_fetch_add(&r->off_caller, 1);
	if (index == r->fail_at[0])
		return -EIO;
	if (index == r->fail_at[1])
		return -EPIPE;
	return 0;
}

static void record_init(struct record *r)
{
	size_t i;

	for (i = 0; i < ITEMS; i++)
		atomic_init(&r->runs[i], 0);
	atomic_init(&r->highest_worker, 0);
	atomic_init(&r->off_caller, 0);
	r->caller = pthread_self();
	r->fail_at[0] = ITEMS;
	r->fail_at[1] = ITEMS;
}

static size_t items_run(struct record *r)
{
	size_t i, total = 0;

	for (i = 0; i < ITEMS; i++)
		total += (size_t)atomic_load(&r->runs[i]);
	return total;
}

static void every_item_runs_once_over_the_threads(void **state)
{
	struct record r;
	size_t i;

	(void)state;
	record_init(&r);
	assert_int_equal(work_queue_run(ITEMS, 4, 0, record_item, &r), 0);
	for (i = 0; i < ITEMS; i++)
		assert_int_equal(atomic_load(&r.runs[i]), 1);
	assert_true(atomic_load(&r.highest_worker) < 4);
}

static void width_one_runs_inline(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.fail_at[0] = 10;
	assert_int_equal(work_queue_run(ITEMS, 1, 0, record_item, &r), -EIO);
	assert_int_equal(atomic_load(&r.off_caller), 0);
	assert_int_equal(atomic_load(&r.highest_worker), 0);
	/* the failure stops the queue: nothing after item 10 ran */
	assert_int_equal(items_run(&r), 11);
	assert_int_equal(atomic_load(&r.runs[10]), 1);
	assert_int_equal(atomic_load(&r.runs[11]), 0);
}

static void run_all_keeps_going_and_returns_the_first_failure(void **state)
{
	struct record r;
	size_t i;

	(void)state;
	record_init(&r);
	r.fail_at[0] = 5;
	r.fail_at[1] = 50;
	assert_int_equal(work_queue_run(ITEMS, 1, WORK_QUEUE_RUN_ALL, record_item, &r), -EIO);
	for (i = 0; i < ITEMS; i++)
		assert_int_equal(atomic_load(&r.runs[i]), 1);
	record_init(&r);
	r.fail_at[1] = 7;
	assert_int_equal(work_queue_run(ITEMS, 8, WORK_QUEUE_RUN_ALL, record_item, &r), -EPIPE);
	assert_int_equal(items_run(&r), ITEMS);
}

static void width_is_capped_by_the_item_count(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	assert_int_equal(work_queue_run(2, 16, 0, record_item, &r), 0);
	assert_int_equal(items_run(&r), 2);
	assert_true(atomic_load(&r.highest_worker) < 2);
	record_init(&r);
	assert_int_equal(work_queue_run(0, 16, 0, record_item, &r), 0);
	assert_int_equal(items_run(&r), 0);
	assert_int_equal(work_queue_run(3, 0, 0, record_item, &r), 0);
	assert_int_equal(items_run(&r), 3);
	assert_int_equal(atomic_load(&r.off_caller), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_item_runs_once_over_the_threads),
		cmocka_unit_test(width_one_runs_inline),
		cmocka_unit_test(run_all_keeps_going_and_returns_the_first_failure),
		cmocka_unit_test(width_is_capped_by_the_item_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
