/* load_remote: remotes.<cluster>.<alias>, the cluster.remote.<alias>.* settings,
 * checked as the rows of remote_settings describe them. */
#include "desired/loader_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "desired/remote_settings.h"
#include "util/duration.h"
#include "util/hostport.h"

static void check_hostport(struct loader *l, const struct ynode *node, const struct path *p)
{
	struct buf why;
	int port;

	if (!want_nonempty_string(l, node, p) || node->placeholder)
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (hostport_parse(&port, node->text, &why) == -EINVAL)
		report(l, node, "invalid-value", "write it as host:port, e.g. 10.0.0.1:9300 or "
		       "[::1]:9300", "%s", why.data ? why.data : "invalid address");
	buf_dispose(&why);
}

static void check_remote_time(struct loader *l, const struct ynode *node, const struct path *p,
			      const char *setting)
{
	struct buf why;
	long long ns;

	if (!want_string(l, node, p) || node->placeholder)
		return;
	buf_init(&why, BUF_SMALL_MAX);
	if (duration_check(&ns, node->text, setting, &why))
		report_bad_time(l, node, &why);
	buf_dispose(&why);
}

/* An enum whose values include true and false (transport.compress) takes the
 * YAML booleans for them, as the settings API takes JSON's. */
static bool takes_bool(const struct remote_setting *s)
{
	size_t i;

	for (i = 0; i < s->choice_count; i++)
		if (!strcmp(s->choices[i], "true"))
			return true;
	return false;
}

/* Checks the value of setting s and adds it to the body; false when it is not
 * of the setting's type. An address or time that does not parse still goes
 * into the body, so that its conversion to JSON reports what it finds too. */
static bool load_setting(struct loader *l, struct desired_object *o, const struct remote_setting *s,
			 const struct ynode *node, const struct path *p)
{
	char setting[512];
	struct path item;
	long long count;
	bool flag;
	size_t i;

	/* Elasticsearch's messages name the setting: cluster.remote.<alias>.<key> */
	snprintf(setting, sizeof(setting), "cluster.remote.%s.%s", o->name, s->key);
	switch (s->type) {
	case REMOTE_VALUE_BOOL:
		if (!want_bool(l, node, p, &flag))
			return false;
		break;
	case REMOTE_VALUE_INT:
		path_init(&item, setting);
		if (!want_int(l, node, &item, s->min, &count))
			return false;
		break;
	case REMOTE_VALUE_STRING:
		if (!want_string(l, node, p))
			return false;
		break;
	case REMOTE_VALUE_TIME:
		check_remote_time(l, node, p, setting);
		break;
	case REMOTE_VALUE_HOSTPORT:
		check_hostport(l, node, p);
		break;
	case REMOTE_VALUE_HOSTPORT_LIST:
		if (!want_kind(l, node, p, YNODE_SEQ))
			return false;
		for (i = 0; i < node->count; i++) {
			path_index(&item, p, i);
			check_hostport(l, node->items[i], &item);
		}
		break;
	case REMOTE_VALUE_ENUM:
		if (node->kind == YNODE_SCALAR && node->plain && node->type == YSCALAR_BOOL &&
		    takes_bool(s) ? !want_bool(l, node, p, &flag)
				  : !want_enum(l, node, p, s->choices, s->choice_count))
			return false;
		break;
	}
	put_json(l, s->key, node);
	return true;
}

static bool in_group(const struct remote_setting *s, const char *group)
{
	return group ? s->yaml_group && !strcmp(s->yaml_group, group) : !s->yaml_group;
}

/* Whether remote_settings[i] is the first of its group (a group's rows are adjacent). */
static bool opens_group(size_t i)
{
	return remote_settings[i].yaml_group && (!i || !in_group(&remote_settings[i - 1],
								 remote_settings[i].yaml_group));
}

/* The keys the mapping of `group` (NULL: the remote's body) may hold, in table
 * order, into out (room for REMOTE_SETTING_COUNT); returns their count. */
static size_t group_keys(const char **out, const char *group)
{
	size_t i, count = 0;

	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		if (in_group(&remote_settings[i], group))
			out[count++] = remote_settings[i].yaml_key;
		else if (!group && opens_group(i))
			out[count++] = remote_settings[i].yaml_group;
	}
	return count;
}

static const char *mode_name(enum remote_mode mode)
{
	return mode == REMOTE_MODE_PROXY ? "proxy" : "sniff";
}

/* "seeds and node_connections belong to mode: sniff" */
static int mode_keys_hint(struct buf *out, enum remote_mode mode)
{
	const char *keys[REMOTE_SETTING_COUNT];
	size_t i, count = 0;
	int err = 0;

	for (i = 0; i < REMOTE_SETTING_COUNT; i++)
		if (remote_settings[i].modes == mode)
			keys[count++] = remote_settings[i].yaml_key;
	for (i = 0; !err && i < count; i++)
		err = buf_printf(out, "%s%s", i ? (i + 1 == count ? " and " : ", ") : "", keys[i]);
	return err ? err : buf_printf(out, " belong to mode: %s", mode_name(mode));
}

/* Settings of the other mode, reported as Elasticsearch does, at their keys. */
static void report_mode_mismatches(struct loader *l, const struct desired_object *o,
				   const struct ynode *body, enum remote_mode mode)
{
	enum remote_mode other = mode == REMOTE_MODE_PROXY ? REMOTE_MODE_SNIFF : REMOTE_MODE_PROXY;
	struct buf hint;
	size_t i, k;

	buf_init(&hint, BUF_SMALL_MAX);
	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		const struct remote_setting *s = &remote_settings[i];
		const struct ynode *map = s->yaml_group ? ynode_get(body, s->yaml_group) : body;
		const struct ynode *node = ynode_get(map, s->yaml_key), *key_node = NULL;

		if (s->modes != other || !node)
			continue;
		for (k = 0; k < map->count; k++)
			if (map->pairs[k].value == node)
				key_node = map->pairs[k].key;
		if (!hint.len && mode_keys_hint(&hint, other))
			oom(l);
		report(l, key_node, "mode-mismatch", hint.data,
		       "Setting \"cluster.remote.%s.%s\" cannot be used with the configured "
		       "\"cluster.remote.%s.mode\" [required=%s, configured=%s]", o->name, s->key,
		       o->name, other == REMOTE_MODE_PROXY ? "PROXY" : "SNIFF",
		       other == REMOTE_MODE_PROXY ? "SNIFF" : "PROXY");
	}
	buf_dispose(&hint);
}

/* Elasticsearch drops a remote whose enabling setting (seeds, proxy_address)
 * is empty. A list of seeds may instead come from `cluster:`: the plan reads
 * them from that cluster's transport addresses. */
static void check_enabled(struct loader *l, const struct desired_object *o,
			  const struct ynode *body, const struct remote_setting *s,
			  enum remote_mode mode)
{
	const struct ynode *node = ynode_get(body, s->yaml_key);
	bool list = s->type == REMOTE_VALUE_HOSTPORT_LIST;
	struct buf hint;

	if (list ? (node && node->count) || ynode_get(body, "cluster") : node != NULL)
		return;
	buf_init(&hint, BUF_SMALL_MAX);
	if (list ? buf_printf(&hint, "add %s: [\"HOST:9300\"], or cluster: ID naming a declared "
			      "cluster", s->yaml_key)
		 : buf_printf(&hint, "add %s: \"HOST:PORT\"", s->yaml_key))
		oom(l);
	report(l, node ? node : body, "missing-key", hint.data,
	       "remote [%s] on cluster [%s] is in %s mode and needs %s", o->name, o->cluster,
	       mode_name(mode), s->yaml_key);
	buf_dispose(&hint);
}

/* The passes over the body's settings, in the order of its keys, which a plan
 * shows for a new remote: the mode's own settings with its connection count
 * last, then the settings of both modes. */
enum body_pass { PASS_MODE, PASS_CONNECTIONS, PASS_BOTH, PASS_COUNT };

static enum body_pass pass_of(const struct remote_setting *s)
{
	if (s->modes == REMOTE_MODE_BOTH)
		return PASS_BOTH;
	return s->type == REMOTE_VALUE_INT ? PASS_CONNECTIONS : PASS_MODE;
}

/* A group's mapping (transport: {...}) of settings. */
static void load_group(struct loader *l, struct desired_object *o, const struct ynode *map,
		       const char *group, const struct path *p, enum remote_mode mode)
{
	const char *keys[REMOTE_SETTING_COUNT];
	const struct ynode *node;
	struct path child;
	size_t i;

	if (!want_kind(l, map, p, YNODE_MAP))
		return;
	check_keys(l, map, p, keys, group_keys(keys, group));
	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		const struct remote_setting *s = &remote_settings[i];

		if (!in_group(s, group) || !(s->modes & mode) || !(node = ynode_get(map, s->yaml_key)))
			continue;
		path_child(&child, p, s->yaml_key);
		load_setting(l, o, s, node, &child);
	}
}

static void load_remote_body(struct loader *l, struct desired_object *o, const struct ynode *body,
			     const struct path *p)
{
	const struct remote_setting *mode_setting = remote_setting_find("mode");
	const struct ynode *node, *mode_node = ynode_get(body, "mode");
	const char *keys[REMOTE_SETTING_COUNT + 3] = { "cluster", "security", "api_key" };
	enum remote_mode mode;
	enum body_pass pass;
	struct path child;
	size_t i;

	check_keys(l, body, p, keys, 3 + group_keys(keys + 3, NULL));
	if (mode_node) {
		path_child(&child, p, "mode");
		if (!load_setting(l, o, mode_setting, mode_node, &child))
			return; /* the mode-specific checks would only add noise */
	}
	mode = remote_mode_of(mode_node ? mode_node->text : NULL);
	report_mode_mismatches(l, o, body, mode);
	if ((node = ynode_get(body, "cluster"))) {
		path_child(&child, p, "cluster");
		if (want_nonempty_string(l, node, &child)) {
			o->remote_cluster = dup_or_oom(l, node->text);
			add_ref(l, REF_CLUSTER, node, "remote [%s] on cluster [%s]", o->name, o->cluster);
		}
	}
	for (pass = PASS_MODE; pass < PASS_COUNT; pass++) {
		for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
			const struct remote_setting *s = &remote_settings[i];

			if (s == mode_setting || s->yaml_group || !(s->modes & mode) ||
			    pass_of(s) != pass)
				continue;
			if ((node = ynode_get(body, s->yaml_key))) {
				path_child(&child, p, s->yaml_key);
				load_setting(l, o, s, node, &child);
			}
			if (s->enables)
				check_enabled(l, o, body, s, mode);
		}
	}
	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
		const char *group = remote_settings[i].yaml_group;

		if (opens_group(i) && (node = ynode_get(body, group))) {
			path_child(&child, p, group);
			load_group(l, o, node, group, &child, mode);
		}
	}
}

static void load_remote(struct loader *l, const struct ynode *cluster, const struct ynode *name,
			const struct ynode *body, const struct path *p)
{
	struct desired_object *o;

	if (!desired_valid_id(name->text)) {
		report(l, name, "invalid-name", "use letters, digits, '_' and '-'",
		       "remote cluster alias [%s] is invalid: it must match [A-Za-z0-9_-]+", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	o = new_object_with_body(l, RESOURCE_REMOTE, cluster, name, body);
	if (o)
		load_remote_body(l, o, body, p);
	if (o && !l->err)
		load_remote_security(l, o, body, p);
}

const struct desired_kind desired_remote_kind = { .load = load_remote };
