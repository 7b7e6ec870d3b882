#include "util/strmap.h"

#include "util/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAPACITY 16

static uint64_t hash_key(const char *key)
{
	return hash_bytes(HASH_SEED, key, strlen(key));
}

void strmap_init(struct strmap *m, size_t max)
{
	memset(m, 0, sizeof(*m));
	m->max = max;
}

static size_t cap_of(const struct strmap *m)
{
	return m->max && m->max < STRMAP_MAX ? m->max : STRMAP_MAX;
}

/* The slot holding key, or the free slot where it belongs (linear probing). */
static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t capacity, const char *key,
				     uint64_t hash)
{
	size_t i = (size_t)hash & (capacity - 1);

	while (slots[i].key && (slots[i].hash != hash || strcmp(slots[i].key, key) != 0))
		i = (i + 1) & (capacity - 1);
	return &slots[i];
}

/* Doubles the table; the load stays at most one half, so probes stay short. */
static int grow(struct strmap *m)
{
	size_t capacity = m->capacity ? m->capacity * 2 : INITIAL_CAPACITY, i;
	struct strmap_slot *slots = calloc(capacity, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->capacity; i++)
		if (m->slots[i].key)
			*find_slot(slots, capacity, m->slots[i].key, m->slots[i].hash) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->capacity = capacity;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t value)
{
	uint64_t hash = hash_key(key);
	struct strmap_slot *slot;
	int err;

	if (m->capacity) {
		slot = find_slot(m->slots, m->capacity, key, hash);
		if (slot->key) {
			slot->value = value;
			return 0;
		}
	}
	if (m->count >= cap_of(m))
		return -ENOSPC;
	if ((m->count + 1) * 2 > m->capacity && (err = grow(m)))
		return err;
	slot = find_slot(m->slots, m->capacity, key, hash);
	*slot = (struct strmap_slot){ .key = key, .hash = hash, .value = value };
	m->count++;
	return 0;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value_out)
{
	const struct strmap_slot *slot;

	if (!m || !key || !m->count)
		return false;
	slot = find_slot(m->slots, m->capacity, key, hash_key(key));
	if (!slot->key)
		return false;
	if (value_out)
		*value_out = slot->value;
	return true;
}

int strmap_put_names(struct strmap *m, const cJSON *names)
{
	const bool array = cJSON_IsArray(names);
	const cJSON *item;
	const char *name;
	int err = 0;

	cJSON_ArrayForEach(item, names) {
		name = array ? (cJSON_IsString(item) ? item->valuestring : NULL) : item->string;
		if (name && !strmap_get(m, name, NULL) && (err = strmap_put(m, name, array || cJSON_IsTrue(item))))
			break;
	}
	return err;
}

void strmap_dispose(struct strmap *m)
{
	if (!m)
		return;
	free(m->slots);
	m->slots = NULL;
	m->capacity = 0;
	m->count = 0;
}
