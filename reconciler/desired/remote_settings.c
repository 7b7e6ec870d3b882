#include "desired/remote_settings.h"

#include <string.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const modes[] = { "sniff", "proxy" };
/* Elasticsearch's Compression.Enabled: true and false are values of the enum. */
static const char *const compress_values[] = { "true", "false", "indexing_data" };
static const char *const schemes[] = { "deflate", "lz4" };

static const struct remote_setting rows[] = {
	{ .key = "mode", .yaml_key = "mode", .type = REMOTE_VALUE_ENUM, .modes = REMOTE_MODE_BOTH,
	  .choices = modes, .choice_count = COUNT(modes), .default_text = "sniff" },
	{ .key = "seeds", .yaml_key = "seeds", .type = REMOTE_VALUE_HOSTPORT_LIST,
	  .modes = REMOTE_MODE_SNIFF, .enables = true },
	{ .key = "node_connections", .yaml_key = "node_connections", .type = REMOTE_VALUE_INT,
	  .modes = REMOTE_MODE_SNIFF, .min = 1, .default_text = "3" },
	{ .key = "proxy_address", .yaml_key = "proxy_address", .type = REMOTE_VALUE_HOSTPORT,
	  .modes = REMOTE_MODE_PROXY, .enables = true },
	{ .key = "proxy_socket_connections", .yaml_key = "proxy_socket_connections",
	  .type = REMOTE_VALUE_INT, .modes = REMOTE_MODE_PROXY, .min = 1, .default_text = "18" },
	{ .key = "server_name", .yaml_key = "server_name", .type = REMOTE_VALUE_STRING,
	  .modes = REMOTE_MODE_PROXY, .default_text = "" },
	{ .key = "skip_unavailable", .yaml_key = "skip_unavailable", .type = REMOTE_VALUE_BOOL,
	  .modes = REMOTE_MODE_BOTH, .default_text = "false",
	  .changed_major = 8, .changed_minor = 15, .changed_text = "true" },
	{ .key = "transport.compress", .yaml_group = "transport", .yaml_key = "compress",
	  .type = REMOTE_VALUE_ENUM, .modes = REMOTE_MODE_BOTH, .choices = compress_values,
	  .choice_count = COUNT(compress_values), .default_text = "indexing_data" },
	{ .key = "transport.ping_schedule", .yaml_group = "transport", .yaml_key = "ping_schedule",
	  .type = REMOTE_VALUE_TIME, .modes = REMOTE_MODE_BOTH, .default_text = "-1" },
	{ .key = "transport.compression_scheme", .yaml_group = "transport",
	  .yaml_key = "compression_scheme", .type = REMOTE_VALUE_ENUM, .modes = REMOTE_MODE_BOTH,
	  .choices = schemes, .choice_count = COUNT(schemes), .default_text = "lz4" },
};
_Static_assert(COUNT(rows) == REMOTE_SETTING_COUNT, "REMOTE_SETTING_COUNT counts the rows");

const struct remote_setting *const remote_settings = rows;

const struct remote_setting *remote_setting_find(const char *key)
{
	size_t i;

	for (i = 0; key && i < REMOTE_SETTING_COUNT; i++)
		if (!strcmp(rows[i].key, key))
			return &rows[i];
	return NULL;
}

const char *remote_setting_default(const struct remote_setting *s, int major, int minor)
{
	if (!s)
		return NULL;
	if (s->changed_text &&
	    (major > s->changed_major || (major == s->changed_major && minor >= s->changed_minor)))
		return s->changed_text;
	return s->default_text;
}

enum remote_mode remote_mode_of(const char *value)
{
	return value && !strcasecmp(value, "proxy") ? REMOTE_MODE_PROXY : REMOTE_MODE_SNIFF;
}
