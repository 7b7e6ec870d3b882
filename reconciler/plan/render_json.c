/* render_json: the plan as the stable JSON document of design §4. Request
 * bodies in a plan hold placeholders only, so the document holds no secret. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_internal.h"
#include "util/utf8.h"

const char *plan_action_name(enum change_action action)
{
	switch (action) {
	case ACTION_CREATE: return "create";
	case ACTION_UPDATE: return "update";
	case ACTION_DELETE: return "delete";
	case ACTION_PROBLEM: return "problem";
	}
	return "problem";
}

static const char *step_name(enum request_step step)
{
	switch (step) {
	case STEP_ROLES_WRITE: return "roles_write";
	case STEP_USERS_WRITE: return "users_write";
	case STEP_API_KEYS: return "api_keys";
	case STEP_SETTINGS: return "settings";
	case STEP_USERS_DELETE: return "users_delete";
	case STEP_ROLES_DELETE: return "roles_delete";
	}
	return "unknown";
}

/* Adds value (JSON text) parsed, or null for none. */
static bool add_value(cJSON *object, const char *key, const char *value)
{
	cJSON *parsed = NULL;

	if (value ? plan_parse_text(&parsed, value) != 0 : !(parsed = cJSON_CreateNull()))
		return false;
	if (cJSON_AddItemToObject(object, key, parsed))
		return true;
	cJSON_Delete(parsed);
	return false;
}

static bool add_indices(cJSON *object, const char *key, const size_t *items, size_t count)
{
	cJSON *array = cJSON_AddArrayToObject(object, key);
	size_t i;

	if (!array)
		return false;
	for (i = 0; i < count; i++) {
		cJSON *n = cJSON_CreateNumber((double)items[i]);

		if (!n || !cJSON_AddItemToArray(array, n)) {
			cJSON_Delete(n);
			return false;
		}
	}
	return true;
}

static bool add_strings(cJSON *object, const char *key, char *const *items, size_t count)
{
	cJSON *array = cJSON_AddArrayToObject(object, key);
	size_t i;

	if (!array)
		return false;
	for (i = 0; i < count; i++) {
		cJSON *s = cJSON_CreateString(items[i]);

		if (!s || !cJSON_AddItemToArray(array, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return true;
}

/* Adds a copy of item under key (or to an array, key NULL). */
static bool add_copy(cJSON *to, const char *key, const cJSON *item)
{
	cJSON *copy = cJSON_Duplicate(item, 1);

	if (copy && (key ? cJSON_AddItemToObject(to, key, copy) : cJSON_AddItemToArray(to, copy)))
		return true;
	cJSON_Delete(copy);
	return false;
}

/* One part of a change's share of a request body, copied into share. */
static bool add_part(cJSON *share, const struct request_part *part, const cJSON *body)
{
	const cJSON *container = cJSON_GetObjectItemCaseSensitive(body, part->container), *item;
	cJSON *to = cJSON_GetObjectItemCaseSensitive(share, part->container), *name;
	size_t len;

	if (!to && !(to = part->shape == PART_ARRAY_STRING ? cJSON_AddArrayToObject(share, part->container)
							  : cJSON_AddObjectToObject(share, part->container)))
		return false;
	switch (part->shape) {
	case PART_MEMBER:
		item = cJSON_GetObjectItemCaseSensitive(container, part->key);
		return !item || add_copy(to, part->key, item);
	case PART_ARRAY_STRING:
		name = cJSON_CreateString(part->key);
		if (name && cJSON_AddItemToArray(to, name))
			return true;
		cJSON_Delete(name);
		return false;
	case PART_KEY_PREFIX:
		len = strlen(part->key);
		cJSON_ArrayForEach(item, container)
			if (item->string && !strncmp(item->string, part->key, len) && !add_copy(to, item->string, item))
				return false;
		return true;
	}
	return true;
}

/* The "request" of a change: {"method","path","body"} with the body that
 * change carries, made when the plan is printed rather than held per change:
 * the whole body of a request without parts (it carries that change alone),
 * else the members its parts locate (as apply leaves out the shares of others).
 * r NULL (a problem) gives null; body is r's body parsed, v locates the share
 * of a change with one member part (a role of a bulk body) without a lookup. */
static bool add_request_view(cJSON *obj, const struct plan_request *r, const cJSON *body,
			     const struct plan_cluster_view *v, size_t change)
{
	const struct request_part *part = r ? v->parts[change] : NULL;
	cJSON *view, *share, *to;
	size_t i;

	if (part && (part < r->parts || part >= r->parts + r->part_count))
		part = NULL; /* located in another request that carries it */

	if (!r)
		return cJSON_AddNullToObject(obj, "request") != NULL;
	view = cJSON_AddObjectToObject(obj, "request");
	if (!view || !cJSON_AddStringToObject(view, "method", r->method) ||
	    !cJSON_AddStringToObject(view, "path", r->path))
		return false;
	if (!body)
		return cJSON_AddNullToObject(view, "body") != NULL;
	/* the ledger a request writes is its own, never a change's share */
	if (!r->part_count && !r->carries_ledger)
		return add_copy(view, "body", body);
	if (!(share = cJSON_AddObjectToObject(view, "body")))
		return false;
	if (part && v->shares[change]) {
		to = cJSON_AddObjectToObject(share, part->container);
		return to && add_copy(to, part->key, v->shares[change]);
	}
	for (i = 0; i < r->part_count; i++)
		if (r->parts[i].change == change && !add_part(share, &r->parts[i], body))
			return false;
	return true;
}

static bool change_json(cJSON *changes, const struct cluster_plan *cp, const struct plan_cluster_view *v,
			size_t index)
{
	const struct plan_change *c = &cp->changes[index];
	size_t r = v->request_of[index], i;
	struct plan_fields shown;
	cJSON *obj = cJSON_CreateObject(), *fields;
	bool ok;

	if (!obj || !cJSON_AddItemToArray(changes, obj)) {
		cJSON_Delete(obj);
		return false;
	}
	if (!cJSON_AddStringToObject(obj, "kind", resource_kind_name(c->kind)) ||
	    !cJSON_AddStringToObject(obj, "name", c->name) ||
	    !cJSON_AddStringToObject(obj, "action", plan_action_name(c->action)))
		return false;
	if (c->problem && !cJSON_AddStringToObject(obj, "problem", c->problem))
		return false;
	if (c->blocks_cluster && !cJSON_AddTrueToObject(obj, "blocks_cluster"))
		return false;
	fields = cJSON_AddArrayToObject(obj, "fields");
	if (!fields || plan_change_fields(&shown, cp, v, index))
		return false;
	ok = true;
	for (i = 0; ok && i < shown.count; i++) {
		const struct field_change *field = &shown.items[i];
		cJSON *f = cJSON_CreateObject();

		if (!f || !cJSON_AddItemToArray(fields, f)) {
			cJSON_Delete(f);
			ok = false;
			break;
		}
		ok = cJSON_AddStringToObject(f, "path", field->path) && add_value(f, "before", field->before) &&
		     add_value(f, "after", field->after) && (!field->sensitive || cJSON_AddTrueToObject(f, "sensitive"));
	}
	plan_fields_dispose(&shown);
	if (!ok)
		return false;
	if (!(r < cp->request_count ? add_request_view(obj, &cp->requests[r], v->bodies[r], v, index)
				    : add_request_view(obj, NULL, NULL, v, index)))
		return false;
	if (c->depends_on_count && !add_indices(obj, "depends_on", c->depends_on, c->depends_on_count))
		return false;
	return true;
}

/* The aliases of the request's edits of the run owner's ledger that add (or
 * remove), in plan order. */
static bool add_ledger_edits(cJSON *obj, const char *key, const struct plan_request *r, bool add)
{
	cJSON *array = cJSON_AddArrayToObject(obj, key), *alias;
	size_t i;

	if (!array)
		return false;
	for (i = 0; i < r->ledger_edit_count; i++) {
		if (r->ledger_edits[i].add != add || r->ledger_edits[i].owner)
			continue;
		alias = cJSON_CreateString(r->ledger_edits[i].alias);
		if (!alias || !cJSON_AddItemToArray(array, alias)) {
			cJSON_Delete(alias);
			return false;
		}
	}
	return true;
}

/* "ledger_release": [{"owner","alias"}], the aliases other owners give up
 * (--adopt-from); left out when there is none. */
static bool add_ledger_releases(cJSON *obj, const struct plan_request *r)
{
	cJSON *array = NULL, *item;
	size_t i;

	for (i = 0; i < r->ledger_edit_count; i++) {
		if (!r->ledger_edits[i].owner)
			continue;
		if (!array && !(array = cJSON_AddArrayToObject(obj, "ledger_release")))
			return false;
		item = cJSON_CreateObject();
		if (!item || !cJSON_AddItemToArray(array, item)) {
			cJSON_Delete(item);
			return false;
		}
		if (!cJSON_AddStringToObject(item, "owner", r->ledger_edits[i].owner) ||
		    !cJSON_AddStringToObject(item, "alias", r->ledger_edits[i].alias))
			return false;
	}
	return true;
}

/* Takes over body, r's body parsed (NULL for none). */
static bool request_json(cJSON *requests, const struct plan_request *r, cJSON *body)
{
	cJSON *obj = cJSON_CreateObject();

	if (!obj || !cJSON_AddItemToArray(requests, obj)) {
		cJSON_Delete(obj);
		cJSON_Delete(body);
		return false;
	}
	if (!body && !(body = cJSON_CreateNull()))
		return false;
	if (!cJSON_AddStringToObject(obj, "step", step_name(r->step)) ||
	    !cJSON_AddStringToObject(obj, "method", r->method) || !cJSON_AddStringToObject(obj, "path", r->path) ||
	    !cJSON_AddItemToObject(obj, "body", body)) {
		cJSON_Delete(body);
		return false;
	}
	if (!add_indices(obj, "changes", r->changes, r->change_count) ||
	    !cJSON_AddBoolToObject(obj, "idempotent", r->idempotent))
		return false;
	if (r->carries_ledger && (!add_ledger_edits(obj, "ledger_add", r, true) ||
				  !add_ledger_edits(obj, "ledger_remove", r, false) || !add_ledger_releases(obj, r)))
		return false;
	return true;
}

static bool changes_json(cJSON *obj, const struct cluster_plan *cp, const struct plan_cluster_view *v)
{
	cJSON *changes = cJSON_AddArrayToObject(obj, "changes");
	size_t i;
	bool ok = changes != NULL;

	for (i = 0; ok && i < cp->change_count; i++)
		ok = change_json(changes, cp, v, i);
	return ok;
}

/* The members of a cluster's object before its changes: version, reachable, error. */
static bool cluster_head(cJSON *obj, const struct cluster_plan *cp)
{
	return (cp->version ? cJSON_AddStringToObject(obj, "version", cp->version)
			    : cJSON_AddNullToObject(obj, "version")) &&
	       cJSON_AddBoolToObject(obj, "reachable", cp->reachable) &&
	       (!cp->error || cJSON_AddStringToObject(obj, "error", cp->error));
}

/* The members of a cluster's object after its requests: warnings, unchanged. */
static bool cluster_tail(cJSON *obj, const struct cluster_plan *cp)
{
	return add_strings(obj, "warnings", cp->warnings, cp->warning_count) &&
	       cJSON_AddNumberToObject(obj, "unchanged", (double)cp->unchanged);
}

static bool cluster_json(cJSON *clusters, const struct cluster_plan *cp)
{
	cJSON *obj = cJSON_CreateObject(), *requests;
	struct plan_cluster_view v;
	size_t i;
	bool ok;

	if (!obj || !cJSON_AddItemToObject(clusters, cp->cluster_id, obj)) {
		cJSON_Delete(obj);
		return false;
	}
	if (!cluster_head(obj, cp) || plan_cluster_view_init(&v, cp))
		return false;
	ok = changes_json(obj, cp, &v);
	requests = ok ? cJSON_AddArrayToObject(obj, "requests") : NULL;
	ok = requests != NULL;
	for (i = 0; ok && i < cp->request_count; i++) {
		ok = request_json(requests, &cp->requests[i], v.bodies[i]);
		v.bodies[i] = NULL; /* taken */
	}
	plan_cluster_view_dispose(&v);
	return ok && cluster_tail(obj, cp);
}

static bool summary_json(cJSON *root, const struct plan *plan)
{
	cJSON *summary = cJSON_AddObjectToObject(root, "summary");

	return summary && cJSON_AddNumberToObject(summary, "create", (double)plan->summary.create) &&
	       cJSON_AddNumberToObject(summary, "update", (double)plan->summary.update) &&
	       cJSON_AddNumberToObject(summary, "delete", (double)plan->summary.remove) &&
	       cJSON_AddNumberToObject(summary, "unchanged", (double)plan->summary.unchanged) &&
	       cJSON_AddNumberToObject(summary, "problems", (double)plan->summary.problems);
}

int plan_to_json(cJSON **out, const struct plan *plan)
{
	cJSON *root = cJSON_CreateObject(), *clusters;
	size_t i;

	*out = NULL;
	if (!root || !cJSON_AddStringToObject(root, "format_version", "1") ||
	    !cJSON_AddStringToObject(root, "fingerprint", plan->fingerprint))
		goto nomem;
	clusters = cJSON_AddObjectToObject(root, "clusters");
	if (!clusters)
		goto nomem;
	for (i = 0; i < plan->cluster_count; i++)
		if (!cluster_json(clusters, &plan->clusters[i]))
			goto nomem;
	if (!summary_json(root, plan))
		goto nomem;
	*out = root;
	return 0;
nomem:
	cJSON_Delete(root);
	return -ENOMEM;
}

/* Prints one member `"key":value` of a wrapper object, without its braces. */
/* Prints item and hands the text to sink: whole, or without its first
 * character (skip_first) or its last (skip_last). */
static int sink_print(const struct plan_json_sink *sink, const cJSON *item, bool skip_first, bool skip_last)
{
	char *text = cJSON_PrintUnformatted(item);
	size_t len = text ? strlen(text) : 0;
	int err;

	if (!text)
		return -ENOMEM;
	if (skip_last && len)
		text[len - 1] = '\0';
	err = sink->write(sink->ctx, text + (skip_first && len ? 1 : 0));
	free(text);
	return err;
}

/* Writes the one item change_json() or request_json() just added to the
 * scratch array (through annotate, when set), then deletes it. */
static int sink_item(const struct plan_json_sink *sink, cJSON *array, bool first, int (*annotate)(void *, cJSON *, size_t),
		     size_t index)
{
	cJSON *item = array->child;
	int err = first ? 0 : sink->write(sink->ctx, ",");

	if (!err && !item)
		err = -ENOMEM;
	if (!err && annotate)
		err = annotate(sink->ctx, item, index);
	if (!err)
		err = sink_print(sink, item, false, false);
	cJSON_Delete(cJSON_DetachItemViaPointer(array, item));
	return err;
}

int plan_cluster_json_write(const struct cluster_plan *cp, const struct plan_json_sink *sink)
{
	cJSON *head = cJSON_CreateObject(), *scratch = cJSON_CreateArray(), *tail = cJSON_CreateObject();
	struct plan_cluster_view v = { 0 };
	size_t i;
	int err = -ENOMEM;

	if (!head || !scratch || !tail || !cluster_head(head, cp))
		goto done;
	if ((err = plan_cluster_view_init(&v, cp)) || (err = sink_print(sink, head, false, true)) ||
	    (err = sink->write(sink->ctx, ",\"changes\":[")))
		goto done;
	for (i = 0; !err && i < cp->change_count; i++)
		err = change_json(scratch, cp, &v, i) ? sink_item(sink, scratch, !i, sink->annotate_change, i) : -ENOMEM;
	if (!err)
		err = sink->write(sink->ctx, "],\"requests\":[");
	for (i = 0; !err && i < cp->request_count; i++) {
		err = request_json(scratch, &cp->requests[i], v.bodies[i]) ? sink_item(sink, scratch, !i, NULL, i)
									 : -ENOMEM;
		v.bodies[i] = NULL; /* taken */
	}
	if (err || (err = sink->write(sink->ctx, "]")))
		goto done;
	err = -ENOMEM;
	if (!cluster_tail(tail, cp))
		goto done;
	if ((sink->annotate_tail && (err = sink->annotate_tail(sink->ctx, tail))) ||
	    (err = sink->write(sink->ctx, ",")))
		goto done;
	err = sink_print(sink, tail, true, false);
done:
	plan_cluster_view_dispose(&v);
	cJSON_Delete(head);
	cJSON_Delete(scratch);
	cJSON_Delete(tail);
	return err;
}

/* Writes text to the FILE that ctx is, scrubbed to valid UTF-8: names and
 * values read from servers. */
static int write_scrubbed(void *ctx, const char *text)
{
	char *scrubbed = utf8_scrub(text);
	int err = scrubbed ? 0 : -ENOMEM;

	if (scrubbed && fputs(scrubbed, (FILE *)ctx) == EOF)
		err = -EIO;
	free(scrubbed);
	return err;
}

int plan_json_write_key(const struct plan_json_sink *sink, const char *key)
{
	cJSON *name = cJSON_CreateStringReference(key);
	int err = name ? sink_print(sink, name, false, false) : -ENOMEM;

	cJSON_Delete(name);
	return err ? err : sink->write(sink->ctx, ":");
}

/* Writes the members of wrapper, an object, without its braces. */
static int write_member(FILE *out, const cJSON *wrapper)
{
	struct plan_json_sink sink = { write_scrubbed, NULL, NULL, out };

	return sink_print(&sink, wrapper, true, true);
}

int plan_write_json(FILE *out, const struct plan *plan)
{
	struct plan_json_sink sink = { write_scrubbed, NULL, NULL, out };
	cJSON *head = cJSON_CreateObject();
	size_t i;
	int err = 0;

	if (!head || !cJSON_AddStringToObject(head, "format_version", "1") ||
	    !cJSON_AddStringToObject(head, "fingerprint", plan->fingerprint)) {
		err = -ENOMEM;
		goto done;
	}
	fputc('{', out);
	err = write_member(out, head);
	fputs(",\"clusters\":{", out);
	for (i = 0; !err && i < plan->cluster_count; i++) {
		if (i)
			fputc(',', out);
		err = plan_json_write_key(&sink, plan->clusters[i].cluster_id);
		if (!err)
			err = plan_cluster_json_write(&plan->clusters[i], &sink);
	}
	if (err)
		goto done;
	fputs("},", out);
	cJSON_Delete(head);
	head = cJSON_CreateObject();
	if (!head || !summary_json(head, plan)) {
		err = -ENOMEM;
		goto done;
	}
	err = write_member(out, head);
	fputs("}\n", out);
	if (!err && ferror(out))
		err = -EIO;
done:
	cJSON_Delete(head);
	return err;
}
