/* hash: a 64-bit hash of bytes for the in-memory hash tables (no keys to own,
 * nothing returned to free). Not cryptographic: the keys are the operator's own
 * names and bodies, with no adversary choosing collisions. Chain calls to hash
 * several fields: hash_bytes(hash_bytes(HASH_SEED, a, n), b, m). */
#ifndef ESR_UTIL_HASH_H
#define ESR_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED UINT64_C(0xcbf29ce484222325)

uint64_t hash_bytes(uint64_t h, const void *data, size_t len);
/* The same for one 64-bit value (a type, a number's bits): one step, no loop. */
uint64_t hash_word(uint64_t h, uint64_t word);

#endif
