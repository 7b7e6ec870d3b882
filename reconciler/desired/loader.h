/* loader: reads desired-state YAML files (design §1) into a desired_state,
 * checking everything that can be checked offline.
 *
 * All problems are reported at once (up to DIAG_MAX_REPORTED) as positioned
 * diagnostics; a result is produced only when there is no error. Secrets
 * (password, password_hash, api_key) go into secret_t and never into a
 * diagnostic, nor into an echoed source line. The caller owns *out and frees
 * it with desired_state_free(). */
#ifndef ESR_DESIRED_LOADER_H
#define ESR_DESIRED_LOADER_H

#include <stddef.h>

#include "desired/model.h"
#include "util/diag.h"

/* Loads and merges `paths` (files, or directories whose *.yaml and *.yml files
 * are read in name order). Returns 0 with *out set (warnings may have been added
 * to diags), or a negative code with *out NULL and every problem in diags. */
int desired_load(struct desired_state **out, const char *const *paths, size_t path_count,
		 struct diag_list *diags);

/* Told of each declared cluster as soon as the file that declares it is read,
 * while the files after it still load, so that the cluster's reads can start
 * early. Only while no problem has been found so far; the cluster is final
 * (the loader never changes a cluster once its file is read), but the state
 * may still turn out invalid, so what the observer does must change nothing.
 * Never told when a ${...} of any file would not resolve (a scan of the
 * files' texts before loading, which counts a reference in a comment too),
 * or when a file is not a regular file: such a run is to stop before any
 * request (design §1).
 * cfg is valid during the call only. A failure of the observer's is its own
 * business: loading goes on. */
struct desired_load_observer {
	void (*cluster_loaded)(void *ctx, const struct cluster_config *cfg);
	void *ctx;
};

/* desired_load(), telling observer (NULL: nobody) of each cluster. */
int desired_load_observed(struct desired_state **out, const char *const *paths, size_t path_count,
			  const struct desired_load_observer *observer, struct diag_list *diags);

/* The same for `validate`, where production secrets are not available: a
 * ${VAR} that is not set, or a ${file:} that does not exist, is no error but a
 * placeholder; every check that does not depend on its value is made, and
 * state->unresolved lists what was not resolved. Such a state is for
 * reporting only: it must not be planned. */
int desired_load_offline(struct desired_state **out, const char *const *paths, size_t path_count,
			 struct diag_list *diags);

/* The same for one in-memory document named `name` (for tests and fuzzing);
 * relative paths in it resolve against name's directory. */
int desired_load_buffer(struct desired_state **out, const char *name, const char *data,
			size_t len, struct diag_list *diags);

#endif
