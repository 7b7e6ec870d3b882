/* load_remote: remotes.<cluster>.<alias>, the cluster.remote.<alias>.* settings. */
#include "desired/loader_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/duration.h"
#include "util/hostport.h"

static void check_hostport(struct loader *l, const struct ynode *node, const struct path *p)
{
	struct buf why;
	int port;

	if (!want_nonempty_string(l, node, p))
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (hostport_parse(&port, node->text, &why) == -EINVAL) {
		if (node->interpolated) { /* say what is wrong without showing the value */
			buf_reset(&why);
			hostport_parse(&port, "(sensitive)", &why);
		}
		report(l, node, "invalid-value", "write it as host:port, e.g. 10.0.0.1:9300 or "
		       "[::1]:9300", "%s", why.data ? why.data : "invalid address");
	}
	buf_dispose(&why);
}

static void check_remote_time(struct loader *l, const struct ynode *node, const struct path *p,
			      const char *setting)
{
	struct buf why;
	long long ns;

	if (!want_string(l, node, p))
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (duration_check(&ns, node->text, setting, &why))
		report_bad_time(l, node, p, &why);
	buf_dispose(&why);
}

static void load_remote_transport(struct loader *l, struct desired_object *o,
				  const struct ynode *transport, const struct path *p)
{
	static const char *const keys[] = { "compress", "ping_schedule", "compression_scheme" };
	static const char *const compress_values[] = { "true", "false", "indexing_data" };
	static const char *const schemes[] = { "deflate", "lz4" };
	const struct ynode *node;
	struct path child;
	char setting[512];
	bool flag;

	if (!want_kind(l, transport, p, YNODE_MAP))
		return;
	check_keys(l, transport, p, keys, COUNT(keys));
	if ((node = ynode_get(transport, "compress"))) {
		path_child(&child, p, "compress");
		if (node->kind == YNODE_SCALAR && node->plain && node->type == YSCALAR_BOOL ?
			    want_bool(l, node, &child, &flag) :
			    want_enum(l, node, &child, compress_values, COUNT(compress_values)) != NULL)
			put_json(l, o, "transport.compress", node);
	}
	if ((node = ynode_get(transport, "ping_schedule"))) {
		path_child(&child, p, "ping_schedule");
		snprintf(setting, sizeof(setting), "cluster.remote.%s.transport.ping_schedule", o->name);
		check_remote_time(l, node, &child, setting);
		put_json(l, o, "transport.ping_schedule", node);
	}
	if ((node = ynode_get(transport, "compression_scheme"))) {
		path_child(&child, p, "compression_scheme");
		if (want_enum(l, node, &child, schemes, COUNT(schemes)))
			put_json(l, o, "transport.compression_scheme", node);
	}
}

/* Keys that belong to one mode only, with the mode they require. */
static const struct {
	const char *key;
	bool proxy;
} mode_keys[] = {
	{ "seeds", false }, { "node_connections", false },
	{ "proxy_address", true }, { "proxy_socket_connections", true }, { "server_name", true },
};

static void load_remote_body(struct loader *l, struct desired_object *o, const struct ynode *body,
			     const struct path *p)
{
	static const char *const keys[] = { "cluster", "mode", "seeds", "node_connections",
					    "proxy_address", "proxy_socket_connections",
					    "server_name", "skip_unavailable", "transport" };
	static const char *const modes[] = { "sniff", "proxy" };
	const struct ynode *node, *mode_node = ynode_get(body, "mode");
	const char *mode = "sniff";
	struct path child, item;
	long long count;
	bool flag, proxy;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if (mode_node) {
		path_child(&child, p, "mode");
		mode = want_enum(l, mode_node, &child, modes, COUNT(modes));
		if (!mode)
			return; /* the mode-specific checks would only add noise */
		put_json(l, o, "mode", mode_node);
	}
	proxy = !strcmp(mode, "proxy");
	for (i = 0; i < COUNT(mode_keys); i++) {
		const struct ynode *key_node = NULL;
		size_t k;

		if (mode_keys[i].proxy == proxy || !(node = ynode_get(body, mode_keys[i].key)))
			continue;
		for (k = 0; k < body->count; k++)
			if (body->pairs[k].value == node)
				key_node = body->pairs[k].key;
		report(l, key_node, "mode-mismatch",
		       proxy ? "seeds and node_connections belong to mode: sniff"
			     : "proxy_address, proxy_socket_connections and server_name belong to "
			       "mode: proxy",
		       "Setting \"cluster.remote.%s.%s\" cannot be used with the configured "
		       "\"cluster.remote.%s.mode\" [required=%s, configured=%s]", o->name,
		       mode_keys[i].key, o->name, proxy ? "SNIFF" : "PROXY", proxy ? "PROXY" : "SNIFF");
	}
	if ((node = ynode_get(body, "cluster"))) {
		path_child(&child, p, "cluster");
		if (want_nonempty_string(l, node, &child)) {
			o->remote_cluster = dup_or_oom(l, node->text);
			add_ref(l, REF_CLUSTER, node, "remote [%s] on cluster [%s]", o->name, o->cluster);
		}
	}
	if ((node = ynode_get(body, "seeds")) && !proxy) {
		path_child(&child, p, "seeds");
		if (want_kind(l, node, &child, YNODE_SEQ)) {
			for (i = 0; i < node->count; i++) {
				path_index(&item, &child, i);
				check_hostport(l, node->items[i], &item);
			}
			put_json(l, o, "seeds", node);
		}
	}
	if (!proxy && (!ynode_get(body, "seeds") || !ynode_get(body, "seeds")->count) &&
	    !ynode_get(body, "cluster"))
		report(l, ynode_get(body, "seeds") ? ynode_get(body, "seeds") : body, "missing-key",
		       "add seeds: [\"HOST:9300\"], or cluster: ID naming a declared cluster",
		       "remote [%s] on cluster [%s] is in sniff mode and needs seeds", o->name,
		       o->cluster);
	if ((node = ynode_get(body, "proxy_address")) && proxy) {
		path_child(&child, p, "proxy_address");
		check_hostport(l, node, &child);
		put_json(l, o, "proxy_address", node);
	}
	if (proxy && !ynode_get(body, "proxy_address"))
		report(l, body, "missing-key", "add proxy_address: \"HOST:PORT\"",
		       "remote [%s] on cluster [%s] is in proxy mode and needs proxy_address", o->name,
		       o->cluster);
	if ((node = ynode_get(body, "server_name")) && proxy) {
		path_child(&child, p, "server_name");
		if (want_string(l, node, &child))
			put_json(l, o, "server_name", node);
	}
	if ((node = ynode_get(body, proxy ? "proxy_socket_connections" : "node_connections"))) {
		const char *key = proxy ? "proxy_socket_connections" : "node_connections";
		char setting[512];
		struct path sp;

		snprintf(setting, sizeof(setting), "cluster.remote.%s.%s", o->name, key);
		path_init(&sp, setting);
		if (want_int(l, node, &sp, 1, &count))
			put_json(l, o, key, node);
	}
	if ((node = ynode_get(body, "skip_unavailable"))) {
		path_child(&child, p, "skip_unavailable");
		if (want_bool(l, node, &child, &flag))
			put_json(l, o, "skip_unavailable", node);
	}
	if ((node = ynode_get(body, "transport"))) {
		path_child(&child, p, "transport");
		load_remote_transport(l, o, node, &child);
	}
}

static void load_remote(struct loader *l, const struct ynode *cluster, const struct ynode *name,
			const struct ynode *body, const struct path *p)
{
	struct desired_object *o;

	if (!valid_cluster_alias(name->text)) {
		report(l, name, "invalid-name", "use letters, digits, '_' and '-'",
		       "remote cluster alias [%s] is invalid: it must match [A-Za-z0-9_-]+", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	o = new_object_with_body(l, RESOURCE_REMOTE, cluster, name, body);
	if (o)
		load_remote_body(l, o, body, p);
}

const struct desired_kind desired_remote_kind = { .load = load_remote };
