#include "desired/body_table.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

struct entry {
	uint64_t hash;
	cJSON *json; /* NULL: empty */
};

/* Open addressing with linear probing, kept at most half full. */
struct body_table {
	struct entry *entries;
	size_t mask; /* capacity - 1; the capacity is a power of two */
	size_t used;
};

/* The type without the flags (reference, constant key) that say nothing of the value. */
#define VALUE_TYPE(item) ((item)->type & 0xFF)

/* Over everything a printer shows: types, keys, values, in order. */
static uint64_t hash_tree(uint64_t h, const cJSON *item)
{
	const cJSON *child;
	int type = VALUE_TYPE(item);
	uint64_t bits;

	h = hash_word(h, (uint64_t)type);
	if (item->string)
		h = hash_bytes(h, item->string, strlen(item->string) + 1);
	if ((type == cJSON_String || type == cJSON_Raw) && item->valuestring) {
		h = hash_bytes(h, item->valuestring, strlen(item->valuestring) + 1);
	} else if (type == cJSON_Number) {
		memcpy(&bits, &item->valuedouble, sizeof(bits));
		h = hash_word(h, bits);
	}
	for (child = item->child; child; child = child->next)
		h = hash_tree(h, child);
	/* the end of a container, so that [[1],2] and [[1,2]] differ */
	return hash_word(h, UINT64_MAX);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_tree(const cJSON *a, const cJSON *b)
{
	int type = VALUE_TYPE(a);

	if (type != VALUE_TYPE(b) || !same_text(a->string, b->string))
		return false;
	if ((type == cJSON_String || type == cJSON_Raw) && !same_text(a->valuestring, b->valuestring))
		return false;
	/* 0 and -0 print apart; NaN equals nothing, so it is never shared */
	if (type == cJSON_Number &&
	    (a->valuedouble != b->valuedouble || signbit(a->valuedouble) != signbit(b->valuedouble)))
		return false;
	for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
		if (!same_tree(a, b))
			return false;
	return !a && !b;
}

struct body_table *body_table_new(void)
{
	return calloc(1, sizeof(struct body_table));
}

void body_table_free(struct body_table *table)
{
	size_t i;

	if (!table)
		return;
	for (i = 0; table->entries && i <= table->mask; i++)
		cJSON_Delete(table->entries[i].json);
	free(table->entries);
	free(table);
}

static int reserve(struct body_table *t)
{
	size_t capacity = t->entries ? (t->mask + 1) * 2 : 64, i, j;
	struct entry *grown;

	if (t->entries && (t->used + 1) * 2 <= t->mask + 1)
		return 0;
	grown = calloc(capacity, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (i = 0; t->entries && i <= t->mask; i++) {
		if (!t->entries[i].json)
			continue;
		for (j = (size_t)t->entries[i].hash & (capacity - 1); grown[j].json; j = (j + 1) & (capacity - 1))
			;
		grown[j] = t->entries[i];
	}
	free(t->entries);
	t->entries = grown;
	t->mask = capacity - 1;
	return 0;
}

/* The table's tree equal to json (hash its hash), or the empty entry where it would go. */
static struct entry *find(const struct body_table *t, uint64_t hash, const cJSON *json)
{
	struct entry *e;
	size_t i;

	for (i = (size_t)hash & t->mask; (e = &t->entries[i])->json; i = (i + 1) & t->mask)
		if (e->hash == hash && same_tree(e->json, json))
			break;
	return e;
}

int body_table_intern(struct body_table *table, cJSON **json)
{
	uint64_t hash = hash_tree(HASH_SEED, *json);
	struct entry *e;
	int err = reserve(table);

	if (err)
		return err;
	e = find(table, hash, *json);
	if (e->json) {
		if (e->json != *json)
			cJSON_Delete(*json);
		*json = e->json;
		return 0;
	}
	e->hash = hash;
	e->json = *json;
	table->used++;
	return 0;
}

int body_table_intern_string(struct body_table *table, const char *s, const char **out)
{
	/* looked up as it is; copied only when it is new */
	cJSON probe = { .type = cJSON_String, .valuestring = (char *)s };
	uint64_t hash = hash_tree(HASH_SEED, &probe);
	struct entry *e;
	int err = reserve(table);

	if (err)
		return err;
	e = find(table, hash, &probe);
	if (!e->json) {
		if (!(e->json = cJSON_CreateString(s)))
			return -ENOMEM;
		e->hash = hash;
		table->used++;
	}
	*out = e->json->valuestring;
	return 0;
}

size_t body_table_count(const struct body_table *table)
{
	return table ? table->used : 0;
}
