/* saved_plan: a plan written by `esreconcile plan --out FILE`, and whether it
 * still describes what apply would do now.
 *
 * A saved plan is the redacted plan JSON plus "fingerprint", the hex SHA-256
 * of the live state it was computed from; it holds no connection details and
 * no secrets. apply uses it as a check, not as a script: it re-reads the live
 * state and re-plans from -f, and goes ahead only when both the fingerprint and
 * the planned changes are what the saved plan says. */
#ifndef ESR_APPLY_SAVED_PLAN_H
#define ESR_APPLY_SAVED_PLAN_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* Largest plan file read. */
#define SAVED_PLAN_MAX_BYTES ((size_t)256 << 20)

/* Whether a saved plan still describes what apply would do now, and if not, why. */
enum saved_plan_state {
	SAVED_PLAN_FRESH = 0,
	SAVED_PLAN_LIVE_CHANGED,    /* the clusters changed since the plan was made */
	SAVED_PLAN_DESIRED_CHANGED, /* the live state is the same, the -f files plan other changes */
};

/* The one-line message for a stale plan; a static string. */
const char *saved_plan_stale_message(enum saved_plan_state state);

/* Reads and parses path. Returns 0 and *out (the caller frees it with
 * cJSON_Delete), or a negative errno with a one-line *errmsg_out the caller frees. */
int saved_plan_load(cJSON **out, const char *path, char **errmsg_out);

/* SAVED_PLAN_FRESH when the saved plan matches: its "fingerprint" equals
 * fingerprint (of the live state read now) and, per cluster, its "changes"
 * equal those of fresh_plan_json (plan_to_json() of the plan built now; a
 * cluster missing on one side counts as having no changes). Otherwise which
 * of the two differs (the live state first). */
enum saved_plan_state saved_plan_check(const cJSON *saved, const char *fingerprint,
				       const cJSON *fresh_plan_json);

#endif
