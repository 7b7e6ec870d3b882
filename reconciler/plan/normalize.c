#include "plan/normalize.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_text.h"

char *plan_strdup(const char *s)
{
	size_t len;
	char *copy;

	if (!s)
		return NULL;
	len = strlen(s);
	copy = malloc(len + 1);
	if (copy)
		memcpy(copy, s, len + 1);
	return copy;
}

/* As cJSON's: equal within the larger magnitude's rounding. */
static bool numbers_equal(double a, double b)
{
	double larger = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= larger * DBL_EPSILON;
}

/* What cJSON_Compare(a, b, true) says, without its cost: it compares every
 * object member's value both ways, so each level of objects doubles the work
 * below it. Here each member of a is compared with b's member of that key
 * once; of b's members only the keys are looked up, but for a repeated key
 * (the first one's value was compared already), as cJSON would. */
bool json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (!a || !b)
		return a == b;
	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	switch (a->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return true;
	case cJSON_Number:
		return numbers_equal(a->valuedouble, b->valuedouble);
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring && b->valuestring && !strcmp(a->valuestring, b->valuestring);
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!json_equal(x, y))
				return false;
		return !x && !y;
	case cJSON_Object:
		cJSON_ArrayForEach(x, a) {
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !json_equal(x, y))
				return false;
		}
		cJSON_ArrayForEach(y, b) {
			x = cJSON_GetObjectItemCaseSensitive(a, y->string);
			if (!x || (cJSON_GetObjectItemCaseSensitive(b, y->string) != y && !json_equal(y, x)))
				return false;
		}
		return true;
	default:
		return false;
	}
}

/* An object member, for sorting members by key. */
struct member {
	const cJSON *item;
};

static int compare_keys(const void *a, const void *b)
{
	const cJSON *x = ((const struct member *)a)->item, *y = ((const struct member *)b)->item;

	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static int print_number(struct buf *out, double d)
{
	/* integral values print without a fraction so 5 and 5.0 hash alike */
	if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
		return buf_printf(out, "%.0f", d);
	return buf_printf(out, "%.17g", d);
}

/* Where canonical text goes: out, handed to flush (when set) each time it
 * holds CANONICAL_FLUSH_AT bytes or more, so that a large document is never
 * held whole. */
struct canonical_sink {
	struct buf *out;
	int (*flush)(void *ctx, const char *data, size_t len);
	void *ctx;
};

#define CANONICAL_FLUSH_AT ((size_t)64 << 10)

static int sink_drain(const struct canonical_sink *sink, size_t at_least)
{
	int err;

	if (!sink->flush || sink->out->len < at_least || !sink->out->len)
		return 0;
	err = sink->flush(sink->ctx, sink->out->data, sink->out->len);
	buf_reset(sink->out);
	return err;
}

/* Sorting an object's members needs an array; most objects are small, so a
 * few live on the stack and only larger ones cost an allocation. */
#define CANONICAL_STACK_MEMBERS 16

/* Sorts members by key: by insertion when they are few (most objects; qsort's
 * indirection costs more than it saves there), else with qsort. */
static void sort_members(struct member *members, size_t count)
{
	size_t i, j;

	if (count > CANONICAL_STACK_MEMBERS) {
		qsort(members, count, sizeof(*members), compare_keys);
		return;
	}
	for (i = 1; i < count; i++) {
		struct member m = members[i];

		for (j = i; j > 0 && compare_keys(&members[j - 1], &m) > 0; j--)
			members[j] = members[j - 1];
		members[j] = m;
	}
}

static int put_char(struct buf *out, char c)
{
	return buf_putc(out, c);
}

static int canonical_print(const struct canonical_sink *sink, const cJSON *value)
{
	struct member stack[CANONICAL_STACK_MEMBERS], *members = stack;
	struct buf *out = sink->out;
	const cJSON *item;
	size_t count = 0, i;
	int err = 0;

	if (!value || cJSON_IsNull(value))
		return buf_append(out, "null", 4);
	if (cJSON_IsTrue(value))
		return buf_puts(out, "true");
	if (cJSON_IsFalse(value))
		return buf_puts(out, "false");
	if (cJSON_IsNumber(value))
		return print_number(out, value->valuedouble);
	if (cJSON_IsString(value))
		return json_text_append_string(out, value->valuestring);
	if (cJSON_IsArray(value)) {
		err = put_char(out, '[');
		cJSON_ArrayForEach(item, value) {
			if (!err && item != value->child)
				err = put_char(out, ',');
			if (!err)
				err = canonical_print(sink, item);
			if (!err)
				err = sink_drain(sink, CANONICAL_FLUSH_AT);
		}
		return err ? err : put_char(out, ']');
	}
	if (!cJSON_IsObject(value))
		return -EINVAL;
	cJSON_ArrayForEach(item, value)
		count++;
	if (count > CANONICAL_STACK_MEMBERS && !(members = malloc(count * sizeof(*members))))
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(item, value)
		members[i++].item = item;
	sort_members(members, count);
	err = put_char(out, '{');
	for (i = 0; !err && i < count; i++) {
		if (i)
			err = put_char(out, ',');
		if (!err)
			err = json_text_append_string(out, members[i].item->string ? members[i].item->string : "");
		if (!err)
			err = put_char(out, ':');
		if (!err)
			err = canonical_print(sink, members[i].item);
		if (!err)
			err = sink_drain(sink, CANONICAL_FLUSH_AT);
	}
	if (!err)
		err = put_char(out, '}');
	if (members != stack)
		free(members);
	return err;
}

int json_canonical_print(struct buf *out, const cJSON *value)
{
	const struct canonical_sink sink = { .out = out };

	return canonical_print(&sink, value);
}

int json_canonical_stream(struct buf *scratch, const cJSON *value,
			  int (*flush)(void *ctx, const char *data, size_t len), void *ctx)
{
	const struct canonical_sink sink = { .out = scratch, .flush = flush, .ctx = ctx };
	int err = canonical_print(&sink, value);

	return err ? err : sink_drain(&sink, 1);
}

struct sort_entry {
	char *key;
	cJSON *item;
};

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct sort_entry *)a)->key, ((const struct sort_entry *)b)->key);
}

static int compare_string_items(const void *a, const void *b)
{
	return json_text_compare_strings((*(cJSON *const *)a)->valuestring, (*(cJSON *const *)b)->valuestring);
}

/* json_sort_unique for an array of strings only: their canonical texts
 * compare without being printed. */
static int sort_unique_strings(cJSON *array, size_t count)
{
	cJSON **items = malloc(count * sizeof(*items)), *item; /* NOLINT(bugprone-sizeof-expression): pointers */
	size_t i = 0;

	if (!items)
		return -ENOMEM;
	cJSON_ArrayForEach(item, array)
		items[i++] = item;
	qsort(items, count, sizeof(*items), compare_string_items); /* NOLINT(bugprone-sizeof-expression) */
	array->child = NULL;
	for (i = 0; i < count; i++) {
		items[i]->next = items[i]->prev = NULL;
		if (i && !compare_string_items(&items[i], &items[i - 1]))
			cJSON_Delete(items[i]);
		else
			cJSON_AddItemToArray(array, items[i]);
	}
	free(items);
	return 0;
}

int json_sort_unique(cJSON *array)
{
	struct sort_entry *entries = NULL;
	size_t count = 0, strings = 0, i;
	cJSON *item;
	int err = 0;

	cJSON_ArrayForEach(item, array) {
		count++;
		strings += cJSON_IsString(item) ? 1 : 0;
	}
	if (count < 2)
		return 0;
	if (strings == count)
		return sort_unique_strings(array, count);
	entries = calloc(count, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(item, array) {
		struct buf b;

		buf_init(&b, (size_t)64 << 20);
		err = json_canonical_print(&b, item);
		entries[i].key = err ? NULL : buf_detach(&b);
		buf_dispose(&b);
		if (!err && !entries[i].key)
			err = -ENOMEM;
		entries[i++].item = item;
		if (err)
			goto done;
	}
	qsort(entries, count, sizeof(*entries), compare_entries);
	/* relink the items in sorted order, dropping duplicates */
	array->child = NULL;
	for (i = 0; i < count; i++) {
		entries[i].item->next = entries[i].item->prev = NULL;
		if (i && !strcmp(entries[i].key, entries[i - 1].key)) {
			cJSON_Delete(entries[i].item);
			continue;
		}
		cJSON_AddItemToArray(array, entries[i].item);
	}
done:
	for (i = 0; i < count; i++)
		free(entries[i].key);
	free(entries);
	return err;
}

char *json_scalar_text(const cJSON *value)
{
	char number[64];

	if (cJSON_IsString(value))
		return plan_strdup(value->valuestring);
	if (cJSON_IsTrue(value))
		return plan_strdup("true");
	if (cJSON_IsFalse(value))
		return plan_strdup("false");
	if (cJSON_IsNumber(value)) {
		double d = value->valuedouble;

		if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
			snprintf(number, sizeof(number), "%.0f", d);
		else
			snprintf(number, sizeof(number), "%.17g", d);
		return plan_strdup(number);
	}
	return NULL;
}

static bool has_upper(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (isupper((unsigned char)text[i]))
			return true;
	return false;
}

static int add_set_member(cJSON *set, const char *text, size_t len, bool lowercase)
{
	char *copy = NULL;
	cJSON *item;
	size_t i;

	/* most members are whole strings already in their form: no copy to make */
	if (text[len] || (lowercase && has_upper(text, len))) {
		if (!(copy = malloc(len + 1)))
			return -ENOMEM;
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)text[i];

			copy[i] = (char)(lowercase ? tolower(c) : c);
		}
		copy[len] = '\0';
	}
	item = cJSON_CreateString(copy ? copy : text);
	free(copy);
	if (!item)
		return -ENOMEM;
	cJSON_AddItemToArray(set, item);
	return 0;
}

static int add_set_text(cJSON *set, const char *text, bool lowercase, bool split_commas)
{
	const char *start = text, *end;
	int err;

	if (!split_commas)
		return add_set_member(set, text, strlen(text), lowercase);
	for (;;) {
		end = strchr(start, ',');
		if (!end)
			end = start + strlen(start);
		while (start < end && isspace((unsigned char)*start))
			start++;
		{
			const char *last = end;

			while (last > start && isspace((unsigned char)last[-1]))
				last--;
			if (last > start) {
				err = add_set_member(set, start, (size_t)(last - start), lowercase);
				if (err)
					return err;
			}
		}
		if (!*end)
			return 0;
		start = end + 1;
	}
}

cJSON *json_string_set(const cJSON *value, bool lowercase, bool split_commas, int *err)
{
	cJSON *set, *item;
	char *text;

	*err = 0;
	if (!value || cJSON_IsNull(value))
		return NULL;
	set = cJSON_CreateArray();
	if (!set)
		goto nomem;
	if (cJSON_IsArray(value)) {
		cJSON_ArrayForEach(item, value) {
			if (cJSON_IsString(item)) { /* the usual member, read in place */
				*err = add_set_text(set, item->valuestring, lowercase, false);
				if (*err)
					goto fail;
				continue;
			}
			text = json_scalar_text(item);
			if (!text) {
				/* not a scalar: keep it as it is so it still compares */
				cJSON *copy = cJSON_Duplicate(item, 1);

				if (!copy)
					goto nomem;
				cJSON_AddItemToArray(set, copy);
				continue;
			}
			*err = add_set_text(set, text, lowercase, false);
			free(text);
			if (*err)
				goto fail;
		}
	} else {
		text = json_scalar_text(value);
		if (!text) {
			cJSON_Delete(set);
			set = cJSON_Duplicate(value, 1);
			if (!set)
				goto nomem;
			return set;
		}
		*err = add_set_text(set, text, lowercase, split_commas);
		free(text);
		if (*err)
			goto fail;
	}
	*err = json_sort_unique(set);
	if (*err)
		goto fail;
	return set;
nomem:
	*err = -ENOMEM;
fail:
	cJSON_Delete(set);
	return NULL;
}

int json_as_bool(const cJSON *value, bool *out)
{
	if (cJSON_IsBool(value)) {
		*out = cJSON_IsTrue(value);
		return 0;
	}
	if (cJSON_IsString(value) && !strcmp(value->valuestring, "true")) {
		*out = true;
		return 0;
	}
	if (cJSON_IsString(value) && !strcmp(value->valuestring, "false")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int json_as_long(const cJSON *value, long long *out)
{
	char *end = NULL;
	long long v;

	if (cJSON_IsNumber(value)) {
		double d = value->valuedouble;

		if (!isfinite(d) || d != floor(d) || fabs(d) > 9e15)
			return -EINVAL;
		*out = (long long)d;
		return 0;
	}
	if (!cJSON_IsString(value) || !*value->valuestring)
		return -EINVAL;
	errno = 0;
	v = strtoll(value->valuestring, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool parse_index(const char *segment, size_t len, int *out)
{
	int v = 0;
	size_t i;

	if (!len || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (segment[i] < '0' || segment[i] > '9')
			return false;
		v = v * 10 + (segment[i] - '0');
	}
	*out = v;
	return true;
}

cJSON *json_lookup_path(const cJSON *root, const char *path, cJSON **parent_out)
{
	cJSON *node = (cJSON *)root, *parent = NULL;
	const char *rest = path;

	while (node && *rest) {
		size_t rest_len = strlen(rest), len;
		cJSON *found = NULL;

		if (cJSON_IsArray(node)) {
			const char *dot = strchr(rest, '.');
			int index;

			len = dot ? (size_t)(dot - rest) : rest_len;
			if (parse_index(rest, len, &index))
				found = cJSON_GetArrayItem(node, index);
		} else if (cJSON_IsObject(node)) {
			cJSON *item;

			/* the longest key that is a dot-bounded prefix of the rest */
			len = 0;
			cJSON_ArrayForEach(item, node) {
				size_t klen = item->string ? strlen(item->string) : 0;

				if (!klen || klen > rest_len || klen <= len)
					continue;
				if (strncmp(item->string, rest, klen) != 0 ||
				    (rest[klen] != '\0' && rest[klen] != '.'))
					continue;
				found = item;
				len = klen;
			}
		} else {
			len = 0;
		}
		if (!found)
			return NULL;
		parent = node;
		node = found;
		rest += len;
		if (*rest == '.')
			rest++;
	}
	if (parent_out)
		*parent_out = parent;
	return node;
}

bool json_path_overlaps(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t shorter = la < lb ? la : lb;

	if (strncmp(a, b, shorter) != 0)
		return false;
	if (la == lb)
		return true;
	return (la < lb ? b[la] : a[lb]) == '.';
}

int json_replace(cJSON *parent, cJSON *target, cJSON *value)
{
	if (!value)
		return -ENOMEM;
	/* cJSON_ReplaceItemViaPointer relinks the item but leaves the key to the caller */
	if (!(value->type & cJSON_StringIsConst))
		free(value->string);
	value->string = NULL;
	value->type &= ~cJSON_StringIsConst;
	if (target->string) {
		value->string = plan_strdup(target->string);
		if (!value->string) {
			cJSON_Delete(value);
			return -ENOMEM;
		}
	}
	if (!cJSON_ReplaceItemViaPointer(parent, target, value)) {
		cJSON_Delete(value);
		return -ENOMEM;
	}
	return 0;
}

bool string_set_has(const cJSON *set, const char *s)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, set)
		if (cJSON_IsString(item) && !strcmp(item->valuestring, s))
			return true;
	return false;
}

int string_set_add(cJSON *set, const char *s)
{
	cJSON *item, *added;
	int order = 1;

	/* the set is kept in json_sort_unique's order: s goes before the first greater item */
	cJSON_ArrayForEach(item, set)
		if (cJSON_IsString(item) && (order = json_text_compare_strings(item->valuestring, s)) >= 0)
			break;
	if (item && !order)
		return 0;
	added = cJSON_CreateString(s);
	if (!added)
		return -ENOMEM;
	if (!item) {
		if (cJSON_AddItemToArray(set, added))
			return 0;
		cJSON_Delete(added);
		return -ENOMEM;
	}
	/* linked by hand: cJSON 1.7.15's cJSON_InsertItemInArray fails past index 0 */
	added->next = item;
	added->prev = item->prev; /* the first item's prev is the last one */
	if (item == set->child)
		set->child = added;
	else
		item->prev->next = added;
	item->prev = added;
	return 0;
}
