/* work_queue: runs independent items over a few threads, handing them out in
 * index order to whichever worker is free.
 *
 * Each worker has a slot number, so a caller can keep per-thread state (one
 * HTTP client per thread, which is not thread-safe) in an array it owns. The
 * queue allocates nothing that outlives the call and owns nothing of ctx. */
#ifndef ESR_UTIL_WORK_QUEUE_H
#define ESR_UTIL_WORK_QUEUE_H

#include <stddef.h>

/* Runs one item: index < count names the item, worker the thread running it
 * (below min(width, count); always 0 when width <= 1). Returns 0, or nonzero
 * to report a failure. */
typedef int (*work_fn)(void *ctx, size_t worker, size_t index);

enum {
	/* Hand out every item even after one failed, for items whose failures
	 * must not stop the others (one cluster's apply never stops another's). */
	WORK_QUEUE_RUN_ALL = 1u << 0,
};

/* Runs fn(ctx, worker, index) once for every index < count on up to
 * min(width, count) workers: the calling thread is worker 0 and the others are
 * threads started here (fewer when threads cannot be started; width <= 1 runs
 * everything inline, starting none). Unless flags has WORK_QUEUE_RUN_ALL, no
 * item is handed out after one returned nonzero; items already running finish.
 * Returns 0, the first nonzero result of fn, or a negative errno when the
 * queue's lock cannot be made (then nothing ran). */
int work_queue_run(size_t count, size_t width, unsigned flags, work_fn fn, void *ctx);

#endif
