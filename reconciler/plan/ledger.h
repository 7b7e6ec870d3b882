/* ledger: the ownership ledgers of remote aliases, one per owner (policy.owner),
 * each kept in a persistent cluster setting as comma-separated sorted aliases:
 * owner `default` in LEDGER_DEFAULT_SETTING (the one ledger of versions before
 * owners, so what they wrote stays owned by `default`), any other owner in
 * cluster.metadata.esreconcile.<owner>.remotes. The only place that knows the
 * settings' names and format; plan reads the ledgers to decide what `managed`
 * may prune and who holds an alias, apply merges its edits into them right
 * before its settings PUT.
 *
 * Two applies may write a ledger of one cluster at the same time, so apply
 * never writes the value its plan saw: it re-reads the settings and merges its
 * own edits into what is there now.
 *
 * A ledger is readable when the setting is absent or null (empty), a string
 * ("a,b", spaces and empty items ignored) or an array of such strings (how
 * Elasticsearch may render a list setting). Any other type, or an alias that
 * is not UTF-8, is unreadable: the functions return -EBADMSG, never an empty
 * ledger, since writing back an empty ledger would disown every alias in it.
 *
 * Strings returned are the caller's to free; cJSON trees returned are the
 * caller's to cJSON_Delete. Pure: no I/O. */
#ifndef ESR_PLAN_LEDGER_H
#define ESR_PLAN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "desired/model.h"

#define LEDGER_DEFAULT_SETTING "cluster.metadata.esreconcile.remotes"

/* One edit of a ledger that a planned change makes. owner NULL: the ledger of
 * the run's own owner (add or remove); otherwise the ledger of that other
 * owner, which gives the alias up (remove only: --adopt-from). */
struct ledger_edit {
	char *alias;
	char *owner;
	size_t change; /* the change whose success the edit records */
	bool add;      /* false: remove */
};

/* The name of owner's ledger setting; NULL on allocation failure. */
char *ledger_setting(const char *owner);

/* owner's aliases in persistent (the flat "persistent" object of
 * GET /_cluster/settings?flat_settings=true, or NULL) as a sorted array of
 * unique strings. Returns 0, -EBADMSG or -ENOMEM. */
int ledger_read(cJSON **out, const cJSON *persistent, const char *owner);

/* Every ledger in persistent as {owner: sorted array of aliases}. On -EBADMSG
 * *bad_setting_out names the unreadable setting. Returns 0, -EBADMSG or -ENOMEM. */
int ledger_read_all(cJSON **out, char **bad_setting_out, const cJSON *persistent);

/* The setting's value for a set of aliases (a sorted array of strings): the
 * comma-separated text, or JSON null for an empty set (an empty ledger is
 * removed rather than stored as ""). Returns 0 or -ENOMEM. */
int ledger_value(cJSON **out, const cJSON *aliases);

/* Sets in body_persistent (a settings PUT's flat "persistent" object) the
 * ledger of every owner that the taken edits touch (take[i] says whether
 * edits[i] is taken; NULL: all), each the ledger of live_persistent with the
 * edits merged in; own_owner is the owner of the edits without one. A ledger
 * that becomes empty is written as null only when live_persistent has it.
 * Returns 0, -ENOMEM, or -EBADMSG with *bad_setting_out naming the unreadable
 * ledger. */
int ledger_write(cJSON *body_persistent, char **bad_setting_out, const cJSON *live_persistent,
		 const char *own_owner, const struct ledger_edit *edits, size_t count, const bool *take);

/* True when the ledgers in persistent are readable and reflect every taken edit. */
bool ledger_holds(const cJSON *persistent, const char *own_owner, const struct ledger_edit *edits,
		  size_t count, const bool *take);

#endif
