#include "cmd/read_and_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "es/live_read.h"
#include "trust/trust_check.h"
#include "util/log.h"

int cli_check_cluster_filter(const struct cli_options *opts, const struct desired_state *desired)
{
	size_t i;

	for (i = 0; i < opts->cluster_count; i++) {
		if (!desired_find_cluster(desired, opts->clusters[i])) {
			log_error("--cluster %s: no such cluster in the desired state", opts->clusters[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Trust is verified, never written: its findings only inform the plan. */
static int add_trust(struct plan *plan, const struct desired_state *desired,
		     const struct live_state *live)
{
	struct trust_authority_certs certs = { 0 };
	struct trust_report *report = NULL;
	int err;

	if (!desired->authority_count && !desired->trust_cluster_count)
		return 0;
	err = trust_authorities_read(&certs, desired);
	if (!err)
		err = trust_check(&report, desired, &certs, live, time(NULL));
	if (!err)
		err = plan_add_trust_findings(plan, desired, report);
	trust_report_free(report);
	trust_authority_certs_dispose(&certs);
	return err;
}

/* The preflight: for each cluster the plan writes to, one question to the
 * cluster about exactly the privileges those writes need. A cluster that
 * cannot answer only gets a warning: the writes will say what is missing. */
static int check_privileges(struct plan *plan, const struct desired_state *desired,
			    const struct live_read_options *options)
{
	cJSON *required = NULL, *answer = NULL;
	char *errmsg = NULL;
	size_t i;
	int err = 0;

	for (i = 0; !err && i < plan->cluster_count; i++) {
		struct cluster_plan *cp = &plan->clusters[i];
		const struct cluster_config *cfg = desired_find_cluster(desired, cp->cluster_id);

		if (!cfg || !cp->reachable || !cp->request_count || cluster_plan_blocked(cp))
			continue;
		err = plan_required_privileges(&required, cp);
		if (!err && cJSON_GetArraySize(required))
			err = live_has_privileges(&answer, cfg, options, required, &errmsg);
		if (err == -EIO) {
			log_warn("cluster [%s]: could not check the account's privileges before writing: %s",
				 cp->cluster_id, errmsg ? errmsg : "no answer");
			err = 0;
		} else if (!err && answer) {
			err = plan_check_privileges(plan, cp, required, answer);
		}
		cJSON_Delete(required);
		cJSON_Delete(answer);
		free(errmsg);
		required = answer = NULL;
		errmsg = NULL;
	}
	return err;
}

static void log_live_state(const struct live_state *live)
{
	size_t i, j;

	for (i = 0; i < live->cluster_count; i++) {
		const struct live_cluster *lc = &live->clusters[i];

		for (j = 0; j < lc->warning_count; j++)
			log_warn("%s", lc->warnings[j]);
		if (!lc->reachable)
			log_error("%s", lc->error ? lc->error : "cluster unreachable");
	}
}

int read_and_plan(struct live_state **live_out, struct plan **plan_out,
		  const struct desired_state *desired, const struct cli_options *opts,
		  const struct live_probe_scope *probes, bool log_live)
{
	struct live_read_options options = {
		.parallel = opts->parallel,
		.probe_parallel = opts->probe_parallel,
		.only_clusters = opts->clusters,
		.only_cluster_count = opts->cluster_count,
		.client = NULL,
	};
	int err;

	*live_out = NULL;
	*plan_out = NULL;
	if (probes)
		options.probes = *probes;
	err = live_read(live_out, desired, &options);
	if (err) {
		log_error("cannot read the clusters: %s", strerror(-err));
		return err;
	}
	if (log_live)
		log_live_state(*live_out);
	err = plan_build(plan_out, desired, *live_out);
	if (!err)
		err = add_trust(*plan_out, desired, *live_out);
	if (!err)
		err = check_privileges(*plan_out, desired, &options);
	if (err)
		log_error("cannot compute the plan: %s", strerror(-err));
	return err;
}
