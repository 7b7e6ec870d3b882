#include "util/work_queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct queue {
	pthread_mutex_t lock;
	size_t next;
	size_t count;
	unsigned flags;
	int err; /* the first nonzero result */
	work_fn fn;
	void *ctx;
};

struct thread_slot {
	pthread_t thread;
	struct queue *queue;
	size_t worker;
};

/* Hands out the next item; false when none is left, or after a failure. */
static bool take(struct queue *q, size_t *index)
{
	bool taken;

	pthread_mutex_lock(&q->lock);
	taken = q->next < q->count && (!q->err || (q->flags & WORK_QUEUE_RUN_ALL));
	if (taken)
		*index = q->next++;
	pthread_mutex_unlock(&q->lock);
	return taken;
}

static void drain(struct queue *q, size_t worker)
{
	size_t index;
	int err;

	while (take(q, &index)) {
		err = q->fn(q->ctx, worker, index);
		if (!err)
			continue;
		pthread_mutex_lock(&q->lock);
		if (!q->err)
			q->err = err;
		pthread_mutex_unlock(&q->lock);
	}
}

static void *thread_main(void *arg)
{
	struct thread_slot *slot = arg;

	drain(slot->queue, slot->worker);
	return NULL;
}

int work_queue_run(size_t count, size_t width, unsigned flags, work_fn fn, void *ctx)
{
	struct queue q = { .count = count, .flags = flags, .fn = fn, .ctx = ctx };
	struct thread_slot *slots = NULL;
	size_t started = 0, i;
	int rc;

	if (!count)
		return 0;
	if (width > count)
		width = count;
	rc = pthread_mutex_init(&q.lock, NULL);
	if (rc)
		return -rc;
	/* Without memory for the slots, or threads, the calling thread does the
	 * work alone: slower, but the same result. */
	if (width > 1)
		slots = calloc(width - 1, sizeof(*slots));
	for (i = 0; slots && i < width - 1; i++) {
		slots[i] = (struct thread_slot){ .queue = &q, .worker = i + 1 };
		if (pthread_create(&slots[i].thread, NULL, thread_main, &slots[i]))
			break;
		started++;
	}
	drain(&q, 0);
	for (i = 0; i < started; i++)
		pthread_join(slots[i].thread, NULL);
	free(slots);
	pthread_mutex_destroy(&q.lock);
	return q.err;
}
