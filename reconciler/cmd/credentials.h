/* credentials: the hand-over of new cross-cluster API keys to the clusters that
 * use them. Elasticsearch shows a key's secret once, in the answer that creates
 * it, and a cluster reads it only from its nodes' keystores, which no API
 * writes. So apply writes each new key to DIR/<cluster>.<alias>.credentials
 * (mode 0600, whole or not at all, with the commands that stage it as
 * comments), and with --reload-secure-settings asks the clusters to reload
 * their keystores once the operator's tooling staged them.
 *
 * Error messages are allocated for the caller; they never hold a secret. */
#ifndef ESR_CMD_CREDENTIALS_H
#define ESR_CMD_CREDENTIALS_H

#include <stdbool.h>

#include "desired/model.h"
#include "plan/plan.h"
#include "util/secret.h"

/* Whether applying plan creates a key whose secret must be handed over. */
bool credentials_needed(const struct plan *plan);

/* Checks, before anything is written, that dir is a directory (not a
 * symbolic link) that the process may write in. Returns 0, or a negative
 * errno with a one-line *errmsg_out. */
int credentials_check_dir(const char *dir, char **errmsg_out);

/* The apply_options.hand_off of apply: ctx is the directory (const char *);
 * name is the key's plan name "<cluster>/<alias>". Writes the file as the
 * header comment says. Returns 0 or a negative errno with *errmsg_out. */
int credentials_hand_off(void *ctx, const char *cluster_id, const char *name, const secret_t *secret,
			 char **errmsg_out);

/* POST /_nodes/reload_secure_settings on each cluster (of only[0..only_count),
 * or every one when only_count is 0) that holds a declared remote of security
 * api_key, so that credentials the operator's tooling staged take effect
 * before apply reads the clusters; logs each answer (a failure is a warning).
 * Returns 0 or -ENOMEM. */
int credentials_reload(const struct desired_state *desired, const char *const *only, size_t only_count);

#endif
