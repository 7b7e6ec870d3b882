/* load_policy: policy, who this desired state is (owner), what esreconcile may
 * delete, how it checks passwords, when it rotates cross-cluster API keys, and
 * whether watch is suspended. */
#include "desired/loader_internal.h"

#include <string.h>

#include "util/duration.h"

/* A positive time value in milliseconds, uncapped (days count). */
static void load_rotate_before(struct loader *l, const struct ynode *node, const struct path *p)
{
	struct buf why;
	long long ns = 0;

	if (!want_string(l, node, p) || node->placeholder)
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (duration_check(&ns, node->text, p->text, &why))
		report_bad_time(l, node, &why);
	else if (ns < 0)
		report(l, node, "invalid-value", "write a time value such as 7d", "[%s] must not be negative",
		       p->text);
	else
		l->state->policy.api_key_rotate_before_ms = ns / 1000000;
	buf_dispose(&why);
}

void load_policy(struct loader *l, const struct ynode *policy)
{
	static const char *const keys[] = { "prune", "max_deletes", "password_check", "suspend", "owner",
					    "api_key_rotate_before" };
	static const char *const prune_values[] = { "none", "managed", "all" };
	static const char *const checks[] = { "probe", "on_create" };
	const char *prune_keys[RESOURCE_KIND_COUNT];
	const struct ynode *node, *prune;
	const char *value;
	struct path p, child, sub;
	long long max;
	size_t i;

	kind_sections(prune_keys);
	path_init(&p, "policy");
	if (!want_kind(l, policy, &p, YNODE_MAP))
		return;
	check_keys(l, policy, &p, keys, COUNT(keys));
	if ((prune = ynode_get(policy, "prune"))) {
		path_child(&child, &p, "prune");
		if (want_kind(l, prune, &child, YNODE_MAP)) {
			check_keys(l, prune, &child, prune_keys, COUNT(prune_keys));
			for (i = 0; i < COUNT(prune_keys); i++) {
				if (!(node = ynode_get(prune, prune_keys[i])))
					continue;
				path_child(&sub, &child, prune_keys[i]);
				value = want_enum(l, node, &sub, prune_values, COUNT(prune_values));
				if (value)
					l->state->policy.prune[i] = !strcmp(value, "none") ? PRUNE_NONE
								    : !strcmp(value, "all") ? PRUNE_ALL
											    : PRUNE_MANAGED;
			}
		}
	}
	if ((node = ynode_get(policy, "max_deletes"))) {
		path_child(&child, &p, "max_deletes");
		if (want_int(l, node, &child, 0, &max))
			l->state->policy.max_deletes = max > 1000000000 ? 1000000000 : (long)max;
	}
	if ((node = ynode_get(policy, "owner"))) {
		path_child(&child, &p, "owner");
		value = want_nonempty_string(l, node, &child);
		/* it names a cluster setting (the owner's ledger): no dots, nothing to escape */
		if (value && !desired_valid_id(value))
			report(l, node, "invalid-name", "use letters, digits, '_' and '-'",
			       "[policy.owner] [%s] is invalid: it must match [A-Za-z0-9_-]+", shown(node));
		else if (value)
			l->state->policy.owner = dup_or_oom(l, value);
	}
	if ((node = ynode_get(policy, "password_check"))) {
		path_child(&child, &p, "password_check");
		value = want_enum(l, node, &child, checks, COUNT(checks));
		if (value)
			l->state->policy.password_check = !strcmp(value, "probe")
								  ? PASSWORD_CHECK_PROBE
								  : PASSWORD_CHECK_ON_CREATE;
	}
	if ((node = ynode_get(policy, "api_key_rotate_before"))) {
		path_child(&child, &p, "api_key_rotate_before");
		load_rotate_before(l, node, &child);
	}
	if ((node = ynode_get(policy, "suspend"))) {
		path_child(&child, &p, "suspend");
		want_bool(l, node, &child, &l->state->policy.suspend);
	}
}
