/* load_trust: trust.authorities and trust.clusters, the transport trust to verify. */
#include "desired/loader_internal.h"

#include <stdlib.h>

static void load_authorities(struct loader *l, const struct ynode *map, const struct path *p)
{
	struct trust_authority *a;
	struct path child;
	size_t i;
	char *resolved;

	for (i = 0; i < map->count && !l->err; i++) {
		const struct ynode *key = map->pairs[i].key, *value = map->pairs[i].value;

		path_child(&child, p, key->text);
		if (!want_cluster_id(l, key, "authority name"))
			continue;
		resolved = want_file(l, value, &child);
		if (!resolved)
			continue;
		a = append_zeroed(l, &l->state->authorities, &l->state->authority_count, sizeof(*a));
		if (!a) {
			free(resolved);
			return;
		}
		a->name = dup_or_oom(l, key->text);
		a->ca_file = resolved;
		a->pos = pos_of(l, key);
	}
}

static void load_trust_cluster(struct loader *l, const struct ynode *key, const struct ynode *body,
			       const struct path *p)
{
	static const char *const keys[] = { "transport_ca", "trusts" };
	const struct ynode *ca = ynode_get(body, "transport_ca");
	const struct ynode *trusts = ynode_get(body, "trusts");
	struct trust_cluster *t;
	struct path child;
	size_t i;

	if (!want_kind(l, body, p, YNODE_MAP))
		return;
	check_keys(l, body, p, keys, COUNT(keys));
	if (!ca)
		missing_key(l, body, p, "transport_ca", "name the authority that signs this cluster's "
			    "transport certificates");
	if (!trusts)
		missing_key(l, body, p, "trusts", "list the authorities this cluster's transport trusts");
	t = append_zeroed(l, &l->state->trust_clusters, &l->state->trust_cluster_count, sizeof(*t));
	if (!t)
		return;
	t->cluster = dup_or_oom(l, key->text);
	t->pos = pos_of(l, key);
	add_ref(l, REF_CLUSTER, key, "[trust.clusters]");
	path_child(&child, p, "transport_ca");
	if (ca && want_nonempty_string(l, ca, &child)) {
		t->transport_ca = dup_or_oom(l, ca->text);
		add_ref(l, REF_AUTHORITY, ca, "[%s]", child.text);
	}
	path_child(&child, p, "trusts");
	if (trusts && want_string_list(l, trusts, &child, false, true)) {
		t->trusts = calloc(trusts->count, sizeof(char *));
		if (!t->trusts) {
			oom(l);
			return;
		}
		for (i = 0; i < trusts->count; i++) {
			t->trusts[t->trust_count++] = dup_or_oom(l, trusts->items[i]->text);
			add_ref(l, REF_AUTHORITY, trusts->items[i], "[%s]", child.text);
		}
	}
}

void load_trust(struct loader *l, const struct ynode *trust)
{
	static const char *const keys[] = { "authorities", "clusters" };
	const struct ynode *node;
	struct path p, child;
	size_t i;

	path_init(&p, "trust");
	if (!want_kind(l, trust, &p, YNODE_MAP))
		return;
	check_keys(l, trust, &p, keys, COUNT(keys));
	if ((node = ynode_get(trust, "authorities"))) {
		path_child(&child, &p, "authorities");
		if (want_kind(l, node, &child, YNODE_MAP))
			load_authorities(l, node, &child);
	}
	if ((node = ynode_get(trust, "clusters"))) {
		path_child(&child, &p, "clusters");
		if (want_kind(l, node, &child, YNODE_MAP)) {
			struct path entry;

			for (i = 0; i < node->count && !l->err; i++) {
				path_child(&entry, &child, node->pairs[i].key->text);
				if (want_cluster_id(l, node->pairs[i].key, "cluster id"))
					load_trust_cluster(l, node->pairs[i].key, node->pairs[i].value,
							   &entry);
			}
		}
	}
}
