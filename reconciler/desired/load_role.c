/* load_role: roles.<cluster>.<name>, role descriptors. */
#include "desired/loader_internal.h"

#include <stdlib.h>

#include "desired/es_names.h"

static void check_privileges(struct loader *l, const struct ynode *list, bool cluster_level)
{
	size_t count, i;
	const char *const *names = cluster_level ? es_cluster_privileges(&count)
						 : es_index_privileges(&count);
	char *hint;

	for (i = 0; i < list->count; i++) {
		const struct ynode *item = list->items[i];

		if (item->kind != YNODE_SCALAR || item->type != YSCALAR_STRING || item->placeholder ||
		    (cluster_level ? es_cluster_privilege_known(item->text)
				   : es_index_privilege_known(item->text)))
			continue;
		hint = item->secret ? NULL : hint_did_you_mean(item->text, names, count);
		report(l, item, "unknown-privilege", hint,
		       "unknown %s privilege [%s]. a privilege must be either one of the predefined "
		       "%s privilege names or a pattern over one of the available %s actions",
		       cluster_level ? "cluster" : "index", shown(item),
		       cluster_level ? "cluster" : "fixed indices", cluster_level ? "cluster" : "index");
		free(hint);
	}
}

void check_index_grant(struct loader *l, const struct ynode *entry, const struct path *p)
{
	static const char *const field_keys[] = { "grant", "except" };
	const struct ynode *node;
	struct path child, sub;
	bool flag;
	size_t i;

	if (!(node = ynode_get(entry, "names"))) {
		missing_key(l, entry, p, "names", "list the index names or patterns");
	} else {
		path_child(&child, p, "names");
		want_string_list(l, node, &child, true, true);
	}
	if ((node = ynode_get(entry, "field_security"))) {
		path_child(&child, p, "field_security");
		if (want_kind(l, node, &child, YNODE_MAP)) {
			check_keys(l, node, &child, field_keys, COUNT(field_keys));
			for (i = 0; i < COUNT(field_keys); i++) {
				path_child(&sub, &child, field_keys[i]);
				if (ynode_get(node, field_keys[i]))
					want_string_list(l, ynode_get(node, field_keys[i]), &sub, false,
							 false);
			}
		}
	}
	if ((node = ynode_get(entry, "query"))) {
		path_child(&child, p, "query");
		if (node->kind != YNODE_MAP)
			want_string(l, node, &child);
	}
	if ((node = ynode_get(entry, "allow_restricted_indices"))) {
		path_child(&child, p, "allow_restricted_indices");
		want_bool(l, node, &child, &flag);
	}
}

/* indices[] and remote_indices[] entries (the latter also name their clusters). */
static void check_index_entry(struct loader *l, const struct ynode *entry, const struct path *p,
			      bool remote)
{
	static const char *const keys[] = { "names", "privileges", "field_security", "query",
					    "allow_restricted_indices", "clusters" };
	const struct ynode *node;
	struct path child;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys) - (remote ? 0 : 1));
	if (!(node = ynode_get(entry, "privileges"))) {
		missing_key(l, entry, p, "privileges", "list the index privileges, e.g. [read]");
	} else {
		path_child(&child, p, "privileges");
		if (want_string_list(l, node, &child, false, true))
			check_privileges(l, node, false);
	}
	if (remote) {
		if (!(node = ynode_get(entry, "clusters"))) {
			missing_key(l, entry, p, "clusters", "list the remote cluster aliases it applies to");
		} else {
			path_child(&child, p, "clusters");
			want_string_list(l, node, &child, false, true);
		}
	}
	check_index_grant(l, entry, p);
}

static void check_application_entry(struct loader *l, const struct ynode *entry,
				    const struct path *p)
{
	static const char *const keys[] = { "application", "privileges", "resources" };
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys));
	for (i = 0; i < COUNT(keys); i++) {
		path_child(&child, p, keys[i]);
		if (!(node = ynode_get(entry, keys[i])))
			missing_key(l, entry, p, keys[i], NULL);
		else if (i == 0)
			want_nonempty_string(l, node, &child);
		else
			want_string_list(l, node, &child, false, true);
	}
}

static void check_remote_cluster_entry(struct loader *l, const struct ynode *entry,
				       const struct path *p)
{
	static const char *const keys[] = { "privileges", "clusters" };
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, entry, p, YNODE_MAP))
		return;
	check_keys(l, entry, p, keys, COUNT(keys));
	if (!(node = ynode_get(entry, "privileges"))) {
		missing_key(l, entry, p, "privileges", "e.g. [monitor_enrich]");
	} else {
		path_child(&child, p, "privileges");
		if (want_string_list(l, node, &child, false, true))
			for (i = 0; i < node->count; i++)
				if (!es_remote_cluster_privilege_known(node->items[i]->text))
					report(l, node->items[i], "unknown-privilege", NULL,
					       "unknown remote_cluster privilege [%s]: use monitor_enrich "
					       "or monitor_stats", shown(node->items[i]));
	}
	if (!(node = ynode_get(entry, "clusters"))) {
		missing_key(l, entry, p, "clusters", "list the remote cluster aliases it applies to");
	} else {
		path_child(&child, p, "clusters");
		want_string_list(l, node, &child, false, true);
	}
}

/* Checks each entry of a list-of-mappings field of a role. */
static void check_entries(struct loader *l, const struct ynode *list, const struct path *p,
			  void (*check)(struct loader *, const struct ynode *, const struct path *))
{
	struct path item;
	size_t i;

	if (!want_kind(l, list, p, YNODE_SEQ))
		return;
	for (i = 0; i < list->count; i++) {
		path_index(&item, p, i);
		check(l, list->items[i], &item);
	}
}

static void check_local_index_entry(struct loader *l, const struct ynode *e, const struct path *p)
{
	check_index_entry(l, e, p, false);
}

static void check_remote_index_entry(struct loader *l, const struct ynode *e, const struct path *p)
{
	check_index_entry(l, e, p, true);
}

static void check_role_body(struct loader *l, const struct ynode *body, const struct path *p)
{
	static const char *const keys[] = { "cluster", "indices", "applications", "run_as",
					    "metadata", "remote_indices", "remote_cluster",
					    "description", "global" };
	/* the descriptor's lists of entries, each entry checked on its own */
	static const struct {
		const char *key;
		void (*check)(struct loader *, const struct ynode *, const struct path *);
	} entry_lists[] = {
		{ "indices", check_local_index_entry },
		{ "remote_indices", check_remote_index_entry },
		{ "applications", check_application_entry },
		{ "remote_cluster", check_remote_cluster_entry },
	};
	const struct ynode *node;
	struct path child;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if ((node = ynode_get(body, "cluster"))) {
		path_child(&child, p, "cluster");
		if (want_string_list(l, node, &child, false, false))
			check_privileges(l, node, true);
	}
	for (i = 0; i < COUNT(entry_lists); i++) {
		if ((node = ynode_get(body, entry_lists[i].key))) {
			path_child(&child, p, entry_lists[i].key);
			check_entries(l, node, &child, entry_lists[i].check);
		}
	}
	if ((node = ynode_get(body, "run_as"))) {
		path_child(&child, p, "run_as");
		want_string_list(l, node, &child, false, false);
	}
	if ((node = ynode_get(body, "metadata"))) {
		path_child(&child, p, "metadata");
		check_metadata(l, node, &child, "role descriptor metadata keys may not start with [_]");
	}
	if ((node = ynode_get(body, "description"))) {
		path_child(&child, p, "description");
		want_string(l, node, &child);
	}
	if ((node = ynode_get(body, "global"))) {
		path_child(&child, p, "global");
		want_kind(l, node, &child, YNODE_MAP);
	}
}

static void load_role(struct loader *l, const struct ynode *cluster, const struct ynode *name,
		      const struct ynode *body, const struct path *p)
{
	struct desired_object *o;
	size_t errors = l->diags->errors;

	if (!es_valid_security_name(name->text)) {
		report(l, name, "invalid-name", NULL, "Role %s", es_security_name_rule);
		return;
	}
	if (es_role_is_reserved(name->text)) {
		report(l, name, "reserved-name", "choose another name",
		       "Role [%s] is reserved and may not be used.", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	if (!is_absent(body))
		check_role_body(l, body, p);
	o = new_object(l, RESOURCE_ROLE, cluster, name);
	if (!o)
		return;
	o->absent = is_absent(body);
	if (!o->absent && l->diags->errors == errors) {
		l->body = to_json(l, body, NULL, l->sensitive);
		if (!l->body)
			oom(l);
	}
}

const struct desired_kind desired_role_kind = { .load = load_role };
