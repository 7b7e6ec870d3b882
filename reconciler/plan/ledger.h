/* ledger: the ownership ledger of remote aliases, kept in the persistent
 * cluster setting LEDGER_SETTING as comma-separated sorted aliases. The only
 * place that knows the setting's name and format; plan reads it to decide what
 * `managed` may prune, apply merges into it right before its settings PUT.
 *
 * Two applies may write the ledger of one cluster at the same time, so apply
 * never writes the value its plan saw: it re-reads the setting and merges its
 * own additions and removals into what is there now.
 *
 * A ledger is readable when the setting is absent or null (empty), a string
 * ("a,b", spaces and empty items ignored) or an array of such strings (how
 * Elasticsearch may render a list setting). Any other type, or an alias that
 * is not UTF-8, is unreadable: the functions return -EBADMSG, never an empty
 * ledger, since writing back an empty ledger would disown every alias in it.
 *
 * Pure: no I/O. */
#ifndef ESR_PLAN_LEDGER_H
#define ESR_PLAN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define LEDGER_SETTING "cluster.metadata.esreconcile.remotes"

/* The aliases of the ledger in persistent (the flat "persistent" object of
 * GET /_cluster/settings?flat_settings=true, or NULL) as a sorted array of
 * unique strings; the caller owns *out. Returns 0, -EBADMSG or -ENOMEM. */
int ledger_read(cJSON **out, const cJSON *persistent);

/* The setting's value for a set of aliases (a sorted array of strings): the
 * comma-separated text, or JSON null for an empty set (an empty ledger is
 * removed rather than stored as ""). The caller owns *out. Returns 0 or -ENOMEM. */
int ledger_value(cJSON **out, const cJSON *aliases);

/* The ledger of persistent plus add, minus remove, as the setting's value
 * (see ledger_value). Returns 0, -EBADMSG or -ENOMEM. */
int ledger_merge(cJSON **out, const cJSON *persistent, char *const *add, size_t add_count,
		 char *const *remove, size_t remove_count);

/* True when the ledger in persistent is readable, holds every alias of add and none of remove. */
bool ledger_holds(const cJSON *persistent, char *const *add, size_t add_count,
		  char *const *remove, size_t remove_count);

#endif
