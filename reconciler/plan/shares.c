/* shares: a change's share of the body of the request that carries it, and
 * the fields of a create that are exactly that share, held once: in the body.
 *
 * A create's fields are its body's members (before: none), and the request
 * that writes it carries that body: a full apply of 40,000 objects would
 * otherwise hold each value twice (issue 12). plan_fold_fields() drops the
 * fields that the share reproduces exactly; plan_change_fields() makes them
 * again when the plan is printed, so the printed plan does not change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/normalize.h"
#include "plan/plan_internal.h"

/* Where each change that r carries finds its share of body (r's body): the
 * whole body when r carries that change alone, else the member that its one
 * PART_MEMBER part locates. Sets shares[c] and parts[c] (NULL: the whole body)
 * for those changes c; seen[] marks the changes a part was met for (all three arrays are
 * indexed by change, change_count long, zeroed by the caller). Members are
 * found in the order the parts were added, as the planners add both, so a bulk
 * body of n roles costs n steps, not n * n / 2 lookups. */
static void locate_shares(const cJSON **shares, const struct request_part **parts, unsigned char *seen,
			  const struct plan_request *r, const cJSON *body, size_t change_count)
{
	const cJSON *container = NULL, *cursor = NULL, *member;
	const char *container_name = NULL;
	const struct request_part *p;
	size_t i;

	if (!body || r->carries_ledger)
		return;
	if (!r->part_count) {
		if (r->change_count == 1 && r->changes[0] < change_count)
			shares[r->changes[0]] = body;
		return;
	}
	for (i = 0; i < r->part_count; i++) {
		p = &r->parts[i];
		if (p->change >= change_count)
			continue;
		if (seen[p->change]) {
			shares[p->change] = NULL; /* two parts: not one member */
			parts[p->change] = NULL;
			continue;
		}
		seen[p->change] = 1;
		if (p->shape != PART_MEMBER)
			continue;
		if (!container_name || strcmp(container_name, p->container) != 0) {
			container_name = p->container;
			container = cJSON_GetObjectItemCaseSensitive(body, p->container);
			cursor = container ? container->child : NULL;
		}
		member = cursor && cursor->string && !strcmp(cursor->string, p->key)
				 ? cursor
				 : cJSON_GetObjectItemCaseSensitive(container, p->key);
		cursor = member ? member->next : NULL;
		shares[p->change] = member;
		parts[p->change] = p;
	}
}

/* Whether member (of the share that part locates, NULL: the whole body) is a
 * secret of r: the placeholder where a slot of r fills in a value. */
static bool member_is_secret(const struct plan_request *r, const struct request_part *part,
			     const cJSON *member)
{
	size_t i, prefix_len = 0, container_len = 0;
	const char *path;

	if (!cJSON_IsString(member) || strcmp(member->valuestring, SECRET_PLACEHOLDER) != 0)
		return false;
	if (part) {
		container_len = strlen(part->container);
		prefix_len = container_len + 1 + strlen(part->key) + 1;
	}
	for (i = 0; i < r->slot_count; i++) {
		path = r->slots[i].path;
		if (part && (strncmp(path, part->container, container_len) != 0 || path[container_len] != '.' ||
			     strncmp(path + container_len + 1, part->key, strlen(part->key)) != 0 ||
			     path[prefix_len - 1] != '.'))
			continue;
		if (!strcmp(path + prefix_len, member->string))
			return true;
	}
	return false;
}

/* Whether c's fields are exactly those of share: one per member, in order,
 * with no before, the member's value as printed and the secrets sensitive. */
static int fields_match_share(bool *match, const struct plan_change *c, const struct plan_request *r,
			      const struct request_part *part, const cJSON *share)
{
	const cJSON *member;
	size_t i = 0;
	char *text;

	*match = false;
	if (c->action != ACTION_CREATE || !cJSON_IsObject(share))
		return 0;
	cJSON_ArrayForEach(member, share) {
		const struct field_change *f = i < c->field_count ? &c->fields[i] : NULL;

		if (!f || f->before || !f->after || strcmp(f->path, member->string) != 0 ||
		    f->sensitive != member_is_secret(r, part, member))
			return 0;
		if (!(text = cJSON_PrintUnformatted(member)))
			return -ENOMEM;
		*match = !strcmp(text, f->after);
		free(text);
		if (!*match)
			return 0;
		i++;
	}
	*match = i == c->field_count && i > 0;
	return 0;
}

int plan_fold_change(struct plan_change *c, const struct plan_request *r, const struct request_part *part,
		     const cJSON *share)
{
	bool match;
	int err = fields_match_share(&match, c, r, part, share);

	if (err || !match)
		return err;
	change_drop_fields(c);
	c->fields_in_request = true;
	return 0;
}

int plan_fold_fields(struct cluster_plan *cp, const struct plan_request *r, const cJSON *body)
{
	const struct request_part **parts = NULL;
	unsigned char *seen = NULL;
	const cJSON **shares = NULL;
	struct plan_change *c;
	size_t i, n = cp->change_count;
	bool any = false;
	int err = -ENOMEM;

	if (!body || r->carries_ledger)
		return 0;
	/* a request of one change without parts (a user's): its share is the body */
	if (!r->part_count)
		return r->change_count == 1 && r->changes[0] < n
			       ? plan_fold_change(&cp->changes[r->changes[0]], r, NULL, body)
			       : 0;
	for (i = 0; i < r->change_count && !any; i++)
		any = r->changes[i] < n && cp->changes[r->changes[i]].action == ACTION_CREATE &&
		      cp->changes[r->changes[i]].field_count;
	if (!any)
		return 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	shares = calloc(n, sizeof(*shares));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	parts = calloc(n, sizeof(*parts));
	seen = calloc(n, 1);
	if (!shares || !parts || !seen)
		goto done;
	locate_shares(shares, parts, seen, r, body, n);
	err = 0;
	for (i = 0; !err && i < r->change_count; i++) {
		if (r->changes[i] >= n || !shares[r->changes[i]])
			continue;
		c = &cp->changes[r->changes[i]];
		err = plan_fold_change(c, r, parts[r->changes[i]], shares[r->changes[i]]);
	}
done:
	free((void *)shares);
	free((void *)parts);
	free(seen);
	return err;
}

int plan_cluster_view_init(struct plan_cluster_view *v, const struct cluster_plan *cp)
{
	unsigned char *seen = NULL;
	size_t i, j, n = cp->change_count;

	memset(v, 0, sizeof(*v));
	v->request_count = cp->request_count;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	v->bodies = calloc(cp->request_count ? cp->request_count : 1, sizeof(*v->bodies));
	v->request_of = malloc((n ? n : 1) * sizeof(*v->request_of));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	v->shares = calloc(n ? n : 1, sizeof(*v->shares));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
	v->parts = calloc(n ? n : 1, sizeof(*v->parts));
	seen = calloc(n ? n : 1, 1);
	if (!v->bodies || !v->request_of || !v->shares || !v->parts || !seen)
		goto nomem;
	for (i = 0; i < n; i++)
		v->request_of[i] = cp->request_count;
	for (i = 0; i < cp->request_count; i++) {
		for (j = 0; j < cp->requests[i].change_count; j++)
			if (cp->requests[i].changes[j] < n)
				v->request_of[cp->requests[i].changes[j]] = i;
		if (plan_parse_text(&v->bodies[i], cp->requests[i].body))
			goto nomem;
		locate_shares(v->shares, v->parts, seen, &cp->requests[i], v->bodies[i], n);
	}
	free(seen);
	return 0;
nomem:
	free(seen);
	plan_cluster_view_dispose(v);
	return -ENOMEM;
}

void plan_cluster_view_dispose(struct plan_cluster_view *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v->bodies && i < v->request_count; i++)
		cJSON_Delete(v->bodies[i]);
	free((void *)v->bodies);
	free(v->request_of);
	free((void *)v->shares);
	free((void *)v->parts);
	memset(v, 0, sizeof(*v));
}

int plan_change_fields(struct plan_fields *out, const struct cluster_plan *cp,
		       const struct plan_cluster_view *v, size_t change)
{
	const struct plan_change *c = &cp->changes[change];
	const cJSON *share, *member;
	struct field_change *f;
	size_t r_index;

	memset(out, 0, sizeof(*out));
	if (!c->fields_in_request) {
		out->items = c->fields;
		out->count = c->field_count;
		return 0;
	}
	/* a view is needed only here: a renderer may skip it when no change is folded */
	if (!v->shares || (r_index = v->request_of[change]) >= cp->request_count || !(share = v->shares[change]))
		return -EINVAL;
	out->owned = true;
	if (!(out->items = calloc((size_t)cJSON_GetArraySize(share) + 1, sizeof(*out->items))))
		return -ENOMEM;
	cJSON_ArrayForEach(member, share) {
		f = &out->items[out->count++];
		f->path = plan_strdup(member->string);
		f->after = cJSON_PrintUnformatted(member);
		f->sensitive = member_is_secret(&cp->requests[r_index], v->parts[change], member);
		if (!f->path || !f->after) {
			plan_fields_dispose(out);
			return -ENOMEM;
		}
	}
	return 0;
}

void plan_fields_dispose(struct plan_fields *fields)
{
	size_t i;

	if (!fields)
		return;
	if (fields->owned) {
		for (i = 0; i < fields->count; i++) {
			free(fields->items[i].path);
			free(fields->items[i].after);
		}
		free(fields->items);
	}
	memset(fields, 0, sizeof(*fields));
}
