/* suggest: "did you mean" candidates by edit distance (optimal string alignment:
 * insertions, deletions, substitutions and adjacent transpositions). */
#ifndef ESR_UTIL_SUGGEST_H
#define ESR_UTIL_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b; SIZE_MAX when either is longer than 256 bytes. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate closest to word, or NULL when none is close enough: the distance
 * must be at most 2 and at most half the word's length (so short words are not
 * "corrected" into unrelated ones). Ties go to the earlier candidate. The result
 * points into candidates. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t count);

#endif
