#include "plan/static_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "desired/remote_settings.h"
#include "util/buf.h"
#include "util/hostport.h"
#include "util/printable.h"

/* A rendered file is a few lines per remote: this cap is never reached by a
 * desired state the loader accepts (4 MiB per file). */
#define STATIC_CONFIG_MAX ((size_t)16 << 20)

static bool needs_discovery(const struct desired_object *o, const char *cluster_id)
{
	return o->kind == RESOURCE_REMOTE && !o->absent && !strcmp(o->cluster, cluster_id) &&
	       o->remote_cluster && !cJSON_GetObjectItemCaseSensitive(o->body, "seeds") &&
	       !cJSON_GetObjectItemCaseSensitive(o->body, "proxy_address");
}

/* By alias, then by cluster: the remotes pointing at one cluster may come from several. */
static int by_alias(const void *a, const void *b)
{
	const struct desired_object *const *x = a, *const *y = b;
	int order = strcmp((*x)->name, (*y)->name);

	return order ? order : strcmp((*x)->cluster, (*y)->cluster);
}

/* The remotes declared on `holder` (NULL: on any cluster) that keep(o,
 * cluster_id) selects (keep NULL: all of them), sorted by alias; found through
 * the index, cluster by cluster, never by a scan of every object. */
static int select_remotes(const struct desired_object ***out, size_t *count,
			  const struct desired_state *desired, const char *holder, const char *cluster_id,
			  bool (*keep)(const struct desired_object *, const char *))
{
	const struct desired_object *const *remotes;
	const struct desired_object **list = NULL;
	size_t pass, c, i, found, n = 0;

	*out = NULL;
	*count = 0;
	/* the first pass counts, the second fills */
	for (pass = 0; pass < 2; pass++) {
		if (pass) {
			if (!n)
				return 0;
			list = calloc(n, sizeof(const struct desired_object *));
			if (!list)
				return -ENOMEM;
			n = 0;
		}
		for (c = 0; c < (holder ? 1 : desired->cluster_count); c++) {
			found = desired_cluster_objects(desired, holder ? holder : desired->clusters[c].id,
							RESOURCE_REMOTE, &remotes);
			for (i = 0; i < found; i++)
				if (!keep || keep(remotes[i], cluster_id)) {
					if (list)
						list[n] = remotes[i];
					n++;
				}
		}
	}
	qsort(list, n, sizeof(const struct desired_object *), by_alias);
	*out = list;
	*count = n;
	return 0;
}

int static_config_discovery(const struct desired_object ***out, size_t *count,
			    const struct desired_state *desired, const char *cluster_id)
{
	return select_remotes(out, count, desired, cluster_id, cluster_id, needs_discovery);
}

const char *static_config_seed_section(const struct desired_object *remote)
{
	return remote->security == REMOTE_SECURITY_API_KEY ? "remote_cluster_server" : "transport";
}

/* An api_key remote of any cluster that connects to cluster_id's remote cluster server. */
static bool served_api_key_remote(const struct desired_object *o, const char *cluster_id)
{
	return o->kind == RESOURCE_REMOTE && !o->absent && o->security == REMOTE_SECURITY_API_KEY &&
	       o->remote_cluster && !strcmp(o->remote_cluster, cluster_id);
}

/* JSON's spelling of a setting's value (a double-quoted string, a number,
 * true/false, a list of strings) is YAML that Elasticsearch reads back as the
 * same settings text. */
static int append_value(struct buf *out, const cJSON *value)
{
	char *text = cJSON_PrintUnformatted(value);
	int err;

	if (!text)
		return -ENOMEM;
	err = buf_puts(out, text);
	free(text);
	return err;
}

static int render_trust(struct buf *out, const struct desired_state *desired, const char *cluster_id)
{
	const struct trust_cluster *tc = desired_find_trust(desired, cluster_id);
	const struct trust_authority *a;
	size_t i;
	int err;

	if (!tc)
		return buf_printf(out, "# Transport trust: none declared (trust.clusters.%s), so none rendered.\n",
				  cluster_id);
	err = buf_printf(out, "# Transport trust (trust.clusters.%s.trusts). Relative paths are read from the\n"
			 "# node's config directory: copy each authority's PEM file there, as named here.\n",
			 cluster_id);
	for (i = 0; !err && i < tc->trust_count; i++) {
		a = desired_find_authority(desired, tc->trusts[i]);
		if (!a)
			return -ENOENT; /* the loader checked every name */
		/* a path may hold a line break, which would end the comment */
		err = buf_printf(out, "#   %s/%s.pem  <-  ", STATIC_CONFIG_CA_DIR, a->name);
		if (!err)
			err = printable_append(out, a->ca_file);
		if (!err)
			err = buf_puts(out, "\n");
	}
	if (!err)
		err = buf_puts(out, "xpack.security.transport.ssl.certificate_authorities: [");
	for (i = 0; !err && i < tc->trust_count; i++)
		err = buf_printf(out, "%s\"%s/%s.pem\"", i ? ", " : "", STATIC_CONFIG_CA_DIR, tc->trusts[i]);
	return err ? err : buf_puts(out, "]\n");
}

/* Folds the port of address into *port: 0 none yet, -1 ports that disagree. */
static void fold_port(int *port, const cJSON *address)
{
	struct buf why;
	int p;

	buf_init(&why, BUF_SMALL_MAX);
	/* the loader checked every address; one that does not parse names no port */
	if (cJSON_IsString(address) && !hostport_parse(&p, address->valuestring, &why) && *port >= 0)
		*port = *port && *port != p ? -1 : p;
	buf_dispose(&why);
}

/* The port that the hand-written seeds and proxy_address of the remotes name:
 * their remote cluster server's port. *port_out is that port when they all
 * name one, 0 when they name none, -1 when they disagree. */
static void declared_port(int *port_out, const struct desired_object *const *remotes, size_t count)
{
	const cJSON *seeds, *item;
	size_t i;

	*port_out = 0;
	for (i = 0; i < count; i++) {
		seeds = cJSON_GetObjectItemCaseSensitive(remotes[i]->body, "seeds");
		cJSON_ArrayForEach(item, seeds) {
			fold_port(port_out, item);
		}
		fold_port(port_out, cJSON_GetObjectItemCaseSensitive(remotes[i]->body, "proxy_address"));
	}
}

static int render_remote_cluster_server(struct buf *out, const struct desired_state *desired,
					const char *cluster_id)
{
	const struct desired_object **remotes = NULL;
	size_t i, count;
	int err, port;

	err = select_remotes(&remotes, &count, desired, NULL, cluster_id, served_api_key_remote);
	if (err || !count)
		goto done;
	err = buf_puts(out, "\n# Remote cluster server: the api_key remotes");
	for (i = 0; !err && i < count; i++)
		err = buf_printf(out, "%s remotes.%s.%s", i ? "," : "", remotes[i]->cluster, remotes[i]->name);
	if (!err)
		err = buf_puts(out, " connect to it. Its TLS key and certificate\n"
			       "# (xpack.security.remote_cluster_server.ssl.*) are the node's own: not rendered.\n"
			       "remote_cluster_server.enabled: true\n");
	declared_port(&port, remotes, count);
	if (!err && port > 0)
		err = buf_printf(out, "remote_cluster.port: %d\n", port);
	else if (!err && port < 0)
		err = buf_puts(out, "# the declared addresses of these remotes name different ports: set\n"
			       "# remote_cluster.port to the one the remote cluster server listens on\n");
done:
	free(remotes);
	return err;
}

/* One remote's keys, in the order of the settings table; `seeds` stands in for
 * the seeds the remote does not declare (NULL when it declares them). */
static int render_remote(struct buf *out, const struct desired_object *o, const cJSON *seeds)
{
	bool api_key = o->security == REMOTE_SECURITY_API_KEY;
	const cJSON *value;
	size_t i;
	int err;

	err = buf_printf(out, "\n# remotes.%s.%s", o->cluster, o->name);
	if (!err && o->absent)
		return buf_printf(out, " is declared absent: leave out every cluster.remote.%s.* line\n",
				  o->name);
	if (!err && (o->remote_cluster || api_key))
		err = buf_printf(out, " (%s%s%s%s%s)", o->remote_cluster ? "cluster: " : "",
				 o->remote_cluster ? o->remote_cluster : "",
				 o->remote_cluster && api_key ? ", " : "", api_key ? "security: api_key" : "",
				 !seeds ? "" : api_key ? "; seeds: the publish addresses of its remote cluster server, read now"
						       : "; seeds: the publish addresses of its transport, read now");
	if (!err)
		err = buf_puts(out, "\n");
	for (i = 0; !err && i < REMOTE_SETTING_COUNT; i++) {
		const struct remote_setting *s = &remote_settings[i];

		value = cJSON_GetObjectItemCaseSensitive(o->body, s->key);
		if (!value && seeds && !strcmp(s->key, "seeds"))
			value = seeds;
		if (!value)
			continue;
		err = buf_printf(out, "cluster.remote.%s.%s: ", o->name, s->key);
		if (!err)
			err = append_value(out, value);
		if (!err)
			err = buf_puts(out, "\n");
	}
	if (!err && api_key)
		/* the key is a secret: only the keystore may hold it, and it is never printed */
		err = buf_printf(out, "# cluster.remote.%s.credentials is keystore-only: on every node run\n"
				 "#   bin/elasticsearch-keystore add cluster.remote.%s.credentials\n"
				 "# with the key `esreconcile apply --credentials-out DIR` writes to %s.%s.credentials,\n"
				 "# then POST /_nodes/reload_secure_settings.\n",
				 o->name, o->name, o->cluster, o->name);
	return err;
}

static int render_remotes(struct buf *out, const struct desired_state *desired, const char *cluster_id,
			  const cJSON *discovered)
{
	const struct desired_object **remotes = NULL;
	const cJSON *seeds;
	size_t i, count;
	int err;

	err = select_remotes(&remotes, &count, desired, cluster_id, cluster_id, NULL);
	if (!err && count)
		err = buf_printf(out, "\n# Remotes (remotes.%s) as static settings, for operators who prefer them to\n"
				 "# esreconcile apply. Persistent and transient cluster settings override them key by\n"
				 "# key, and plan reports a declared remote that elasticsearch.yml defines: keep the\n"
				 "# remotes rendered here out of the files plan and apply read.\n", cluster_id);
	for (i = 0; !err && i < count; i++) {
		seeds = NULL;
		if (needs_discovery(remotes[i], cluster_id)) {
			seeds = cJSON_GetObjectItemCaseSensitive(discovered, remotes[i]->name);
			if (!cJSON_IsArray(seeds) || !cJSON_GetArraySize(seeds))
				err = -ENOENT;
		}
		if (!err)
			err = render_remote(out, remotes[i], seeds);
	}
	free(remotes);
	return err;
}

int static_config_render(char **out, const struct desired_state *desired, const char *cluster_id,
			 const cJSON *discovered)
{
	struct buf text;
	int err;

	*out = NULL;
	if (!desired_find_cluster(desired, cluster_id))
		return -ENOENT;
	buf_init(&text, STATIC_CONFIG_MAX);
	err = buf_printf(&text, "# elasticsearch.yml settings of cluster [%s], rendered by esreconcile from the\n"
			 "# desired state. Static: add them to elasticsearch.yml on every node of the cluster;\n"
			 "# a node reads them when it starts.\n\n", cluster_id);
	if (!err)
		err = render_trust(&text, desired, cluster_id);
	if (!err)
		err = render_remote_cluster_server(&text, desired, cluster_id);
	if (!err)
		err = render_remotes(&text, desired, cluster_id, discovered);
	if (!err)
		*out = buf_detach(&text);
	buf_dispose(&text);
	return err ? err : (*out ? 0 : -ENOMEM);
}
