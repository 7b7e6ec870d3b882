/* heap: what the process asks of glibc's allocator, in one place.
 *
 * Nothing is allocated or returned by ownership here. */
#ifndef ESR_UTIL_HEAP_H
#define ESR_UTIL_HEAP_H

/* Limits malloc to two arenas. glibc gives each thread that allocates its own
 * arena (up to 8 per core), and memory freed in one is not reused by the
 * others: with --parallel workers each parsing a cluster's answers and freeing
 * them, the process grew to several times its live heap (a 20-cluster apply:
 * about 40% more RSS). Two arenas keep the workers, which mostly wait on the
 * network, from contending while the freed memory is reused. Call it first. */
void heap_limit_arenas(void);

/* Hands the pages of memory freed so far back to the system. Between phases
 * (loading, the reads, the writes, the check, the report) the memory one
 * phase freed stays in the arena of the threads that freed it, where the next
 * phase's threads may not reuse it, so each phase would otherwise add its
 * size on top of the last (issue 12). No-op where malloc is not glibc's. */
void heap_release_freed(void);

#endif
