/* Trust findings as plan entries: a trust problem is a `!` change of kind
 * "trust" on the cluster it concerns, a trust warning a cluster warning.
 * Findings about an authority file go to every planned cluster whose trust
 * entry names that authority. Pure: no I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "plan/plan_internal.h"
#include "util/strlist.h"

static bool cluster_uses_authority(const struct desired_state *desired, const char *cluster,
				   const char *authority)
{
	size_t i, j;

	for (i = 0; i < desired->trust_cluster_count; i++) {
		const struct trust_cluster *tc = &desired->trust_clusters[i];

		if (strcmp(tc->cluster, cluster) != 0)
			continue;
		if (!strcmp(tc->transport_ca, authority))
			return true;
		for (j = 0; j < tc->trust_count; j++)
			if (!strcmp(tc->trusts[j], authority))
				return true;
	}
	return false;
}

static bool finding_concerns(const struct desired_state *desired, const struct trust_finding *f,
			     const char *cluster)
{
	if (f->cluster)
		return !strcmp(f->cluster, cluster);
	return f->authority && cluster_uses_authority(desired, cluster, f->authority);
}

int plan_add_trust_findings(struct plan *plan, const struct desired_state *desired,
			    const struct trust_report *report)
{
	size_t i, j;
	int err = 0;

	for (i = 0; !err && i < plan->cluster_count; i++) {
		struct cluster_plan *cp = &plan->clusters[i];

		for (j = 0; !err && j < report->count; j++) {
			const struct trust_finding *f = &report->findings[j];

			if (!finding_concerns(desired, f, cp->cluster_id))
				continue;
			if (f->severity == TRUST_PROBLEM)
				err = plan_append_problem(plan, cp, RESOURCE_TRUST,
							  f->authority ? f->authority : "transport", f->message,
							  false);
			else
				err = strlist_append(&cp->warnings, &cp->warning_count, f->message);
		}
	}
	return err;
}
