/* ledger: the ownership ledger of remote aliases, kept in the cluster setting
 * cluster.metadata.esreconcile.remotes as comma-separated sorted aliases.
 *
 * Two applies may write the ledger of one cluster at the same time, so apply
 * never writes the value its plan saw: it re-reads the setting right before the
 * PUT and merges its own additions and removals into what is there now. */
#ifndef ESR_APPLY_LEDGER_H
#define ESR_APPLY_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define LEDGER_SETTING "cluster.metadata.esreconcile.remotes"

/* The merged ledger: the aliases in settings (a GET /_cluster/settings?flat_settings=true
 * body, or NULL), plus add, minus remove, sorted and unique, comma-separated.
 * *out is "" for an empty ledger; the caller frees it. Returns 0 or -ENOMEM. */
int ledger_merge(char **out, const cJSON *settings, char *const *add, size_t add_count,
		 char *const *remove, size_t remove_count);

/* True when the ledger in settings holds every alias of add and none of remove. */
bool ledger_holds(const cJSON *settings, char *const *add, size_t add_count,
		  char *const *remove, size_t remove_count);

#endif
