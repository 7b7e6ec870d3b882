/* remote_settings: the one table of the cluster.remote.<alias>.<key> settings
 * esreconcile knows, with the facts every stage needs about them: where the key
 * sits in the desired state, its value type, the modes it belongs to and its
 * Elasticsearch default.
 *
 * Pure data and lookups: no I/O. Everything returned points into static
 * storage; nothing is ever freed.
 *
 * Iterating the settings of one mode:
 *
 *	for (i = 0; i < REMOTE_SETTING_COUNT; i++) {
 *		const struct remote_setting *s = &remote_settings[i];
 *
 *		if (!(s->modes & REMOTE_MODE_PROXY))
 *			continue;
 *		... s->key, s->type, remote_setting_default(s, major, minor) ...
 *	}
 *
 * and the type and default of one key of a flat remote body:
 *
 *	const struct remote_setting *s = remote_setting_find("node_connections");
 *	if (s && s->type == REMOTE_VALUE_INT) ...
 *	text = remote_setting_default(s, major, minor);   // "3" (NULL for an unknown key)
 */
#ifndef ESR_DESIRED_REMOTE_SETTINGS_H
#define ESR_DESIRED_REMOTE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

/* The connection modes, as bits: a setting's `modes` is the set it belongs to. */
enum remote_mode {
	REMOTE_MODE_SNIFF = 1,
	REMOTE_MODE_PROXY = 2,
	REMOTE_MODE_BOTH = REMOTE_MODE_SNIFF | REMOTE_MODE_PROXY,
};

enum remote_value_type {
	REMOTE_VALUE_BOOL,          /* true or false */
	REMOTE_VALUE_INT,           /* an integer of at least `min` */
	REMOTE_VALUE_STRING,        /* any string */
	REMOTE_VALUE_TIME,          /* an Elasticsearch time value ("30s", "-1") */
	REMOTE_VALUE_HOSTPORT,      /* one host:port */
	REMOTE_VALUE_HOSTPORT_LIST, /* a list of host:port (comma-separated in settings text) */
	REMOTE_VALUE_ENUM,          /* one of `choices`; Elasticsearch takes any case */
};

struct remote_setting {
	/* The key after cluster.remote.<alias>., as in a flat remote body: "transport.compress". */
	const char *key;
	/* Where the desired state writes it: yaml_key in the remote's body, or, when
	 * yaml_group is set, yaml_key in the mapping yaml_group of the body
	 * (transport: { compress: ... }). Settings of one group are adjacent. */
	const char *yaml_group;
	const char *yaml_key;
	enum remote_value_type type;
	enum remote_mode modes; /* the modes it may be set in */
	/* Elasticsearch keeps a remote of this mode only while this setting is
	 * non-empty (seeds in sniff mode, proxy_address in proxy mode). */
	bool enables;
	const char *const *choices; /* REMOTE_VALUE_ENUM: the values, in lower case; else NULL */
	size_t choice_count;
	long long min; /* REMOTE_VALUE_INT: the smallest value Elasticsearch takes */
	/* The default, as settings text; NULL when there is none. From version
	 * changed_major.changed_minor on it is changed_text instead (changed_text
	 * NULL: it never changed). Read it through remote_setting_default(). */
	const char *default_text;
	int changed_major, changed_minor;
	const char *changed_text;
};

#define REMOTE_SETTING_COUNT 10

/* Every setting (REMOTE_SETTING_COUNT rows), in the order messages list them:
 * mode, the sniff settings, the proxy settings, then the others. */
extern const struct remote_setting *const remote_settings;

/* The setting of a flat key ("transport.ping_schedule"), or NULL when
 * esreconcile does not know it. */
const struct remote_setting *remote_setting_find(const char *key);

/* The setting's default on a cluster of version major.minor, as settings text
 * ("3", "false", "indexing_data"), or NULL when it has none (or s is NULL).
 * Pass 0, 0 when the version is unknown: that gives the oldest default. */
const char *remote_setting_default(const struct remote_setting *s, int major, int minor);

/* The mode of a remote whose mode setting has this value: proxy for "proxy" in
 * any case (as Elasticsearch reads it), else sniff, the default (value NULL:
 * not set). */
enum remote_mode remote_mode_of(const char *value);

#endif
