/* privileges: the preflight's pure half. Which cluster privileges the planned
 * requests of a cluster need (from the kind table), and the problems that a
 * _has_privileges answer missing some of them makes: each blocks every write
 * to that cluster, so that a missing privilege never ends in a partial apply. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"
#include "util/buf.h"

/* The most requests a problem names before it says how many more there are. */
#define NAMED_REQUESTS_MAX 3

static bool request_needs(const struct cluster_plan *cp, const struct plan_request *r, const char *privilege)
{
	const char *const *p;
	size_t i;

	for (i = 0; i < r->change_count; i++) {
		const struct plan_change *c = &cp->changes[r->changes[i]];

		if (c->kind >= RESOURCE_KIND_COUNT || !plan_kinds[c->kind]->privileges)
			continue;
		for (p = plan_kinds[c->kind]->privileges; *p; p++)
			if (!strcmp(*p, privilege))
				return true;
	}
	return false;
}

int plan_required_privileges(cJSON **out, const struct cluster_plan *cp)
{
	cJSON *set = cJSON_CreateArray();
	const char *const *p;
	size_t r, i;
	int err = set ? 0 : -ENOMEM;

	for (r = 0; !err && r < cp->request_count; r++) {
		const struct plan_request *request = &cp->requests[r];

		for (i = 0; !err && i < request->change_count; i++) {
			const struct plan_change *c = &cp->changes[request->changes[i]];

			if (c->kind >= RESOURCE_KIND_COUNT || !plan_kinds[c->kind]->privileges)
				continue;
			for (p = plan_kinds[c->kind]->privileges; !err && *p; p++)
				err = string_set_add(set, *p);
		}
	}
	if (err) {
		cJSON_Delete(set);
		set = NULL;
	}
	*out = set;
	return err;
}

/* "PUT /_cluster/settings, POST /_security/role and 2 more": the requests that need privilege. */
static int describe_requests(struct buf *out, const struct cluster_plan *cp, const char *privilege)
{
	size_t r, named = 0, more = 0;
	int err = 0;

	for (r = 0; !err && r < cp->request_count; r++) {
		if (!request_needs(cp, &cp->requests[r], privilege))
			continue;
		if (named == NAMED_REQUESTS_MAX) {
			more++;
			continue;
		}
		err = buf_printf(out, "%s%s %s", named ? ", " : "", cp->requests[r].method, cp->requests[r].path);
		named++;
	}
	if (!err && more)
		err = buf_printf(out, " and %zu more", more);
	return err;
}

int plan_check_privileges(struct plan *plan, struct cluster_plan *cp, const cJSON *required,
			  const cJSON *answer)
{
	const cJSON *held = cJSON_GetObjectItemCaseSensitive(answer, "cluster");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(answer, "username");
	const cJSON *privilege;
	struct buf text;
	int err = 0;

	buf_init(&text, BUF_SMALL_MAX);
	cJSON_ArrayForEach(privilege, required) {
		if (!cJSON_IsString(privilege) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(held, privilege->valuestring)))
			continue;
		buf_reset(&text);
		err = buf_printf(&text, "the account [%s] lacks the cluster privilege [%s], which ",
				 cJSON_IsString(user) ? user->valuestring : "?", privilege->valuestring);
		if (!err)
			err = describe_requests(&text, cp, privilege->valuestring);
		if (!err)
			err = buf_printf(&text, " need; esreconcile writes nothing to this cluster until it has it "
					 "(grant it with a role: README, \"The account esreconcile uses\")");
		if (!err)
			err = plan_append_problem(plan, cp, RESOURCE_CLUSTER, privilege->valuestring, text.data, true);
		if (err)
			break;
	}
	buf_dispose(&text);
	return err;
}
