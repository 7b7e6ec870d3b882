/* Trust findings as plan entries: a trust problem is a `!` change of kind
 * "trust" on the cluster it concerns, a trust warning a cluster warning.
 * Findings about an authority file go to every planned cluster whose trust
 * entry names that authority. Pure: no I/O. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

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

static int add_problem(struct cluster_plan *cp, const struct trust_finding *f)
{
	struct plan_change *grown = realloc(cp->changes, (cp->change_count + 1) * sizeof(*grown));
	struct plan_change *c;

	if (!grown)
		return -ENOMEM;
	cp->changes = grown;
	c = &grown[cp->change_count];
	memset(c, 0, sizeof(*c));
	c->kind = RESOURCE_TRUST;
	c->action = ACTION_PROBLEM;
	c->name = strdup(f->authority ? f->authority : "transport");
	c->problem = strdup(f->message);
	if (!c->name || !c->problem) {
		free(c->name);
		free(c->problem);
		return -ENOMEM;
	}
	cp->change_count++;
	return 0;
}

static int add_warning(struct cluster_plan *cp, const struct trust_finding *f)
{
	char **grown = realloc(cp->warnings, (cp->warning_count + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	cp->warnings = grown;
	grown[cp->warning_count] = strdup(f->message);
	if (!grown[cp->warning_count])
		return -ENOMEM;
	cp->warning_count++;
	return 0;
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
			if (f->severity == TRUST_PROBLEM) {
				err = add_problem(cp, f);
				if (!err)
					plan->summary.problems++;
			} else {
				err = add_warning(cp, f);
			}
		}
	}
	return err;
}
