#include "util/suggest.h"

#include <stdint.h>
#include <string.h>

#define SUGGEST_MAX_LEN 256

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
	/* three rows suffice for optimal string alignment */
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, cost;
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t count)
{
	const char *best = NULL;
	size_t best_distance = SIZE_MAX, d, i, len = strlen(word);

	for (i = 0; i < count; i++) {
		d = suggest_distance(word, candidates[i]);
		if (d < best_distance) {
			best = candidates[i];
			best_distance = d;
		}
	}
	if (!best || best_distance == 0 || best_distance > 2 || best_distance * 2 >= len + 1)
		return NULL;
	return best;
}
