#include "cmd/read_and_plan.h"

#include <errno.h>
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
		  const struct desired_state *desired, const struct cli_options *opts, bool log_live)
{
	struct live_read_options options = {
		.parallel = opts->parallel,
		.only_clusters = opts->clusters,
		.only_cluster_count = opts->cluster_count,
		.client = NULL,
	};
	int err;

	*live_out = NULL;
	*plan_out = NULL;
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
	if (err)
		log_error("cannot compute the plan: %s", strerror(-err));
	return err;
}
