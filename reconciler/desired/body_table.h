/* body_table: one copy of each distinct JSON tree of a desired state (object
 * bodies, lists of sensitive paths) and of each name (cluster ids and object
 * names). A fleet declares the same roles on many clusters; interned, the
 * desired state is as big as what is distinct.
 *
 * The table owns the trees it holds; objects borrow them, read-only, for as
 * long as the desired_state (which owns the table) lives. Two trees are the
 * same when they are equal member by member, in the same order and with the
 * same types, so that sharing one never changes what a printer shows. Pure. */
#ifndef ESR_DESIRED_BODY_TABLE_H
#define ESR_DESIRED_BODY_TABLE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* A new, empty table (NULL when memory ran out); freed with body_table_free(). */
struct body_table *body_table_new(void);
/* Frees the table and every tree in it; NULL is fine. */
void body_table_free(struct body_table *table);

/* Takes *json (not NULL) into the table: when the table holds the same tree,
 * *json is freed and replaced by it; otherwise the table keeps *json. Either
 * way the table owns *json afterwards. Returns 0, or -ENOMEM with *json still
 * the caller's. */
int body_table_intern(struct body_table *table, cJSON **json);

/* Sets *out to the table's copy of the string s (a string node of the table,
 * which owns it). Returns 0 or -ENOMEM. */
int body_table_intern_string(struct body_table *table, const char *s, const char **out);

/* How many distinct trees (and strings) the table holds. */
size_t body_table_count(const struct body_table *table);

#endif
