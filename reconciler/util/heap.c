#include "util/heap.h"

#include <malloc.h>

void heap_limit_arenas(void)
{
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
}

void heap_release_freed(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
