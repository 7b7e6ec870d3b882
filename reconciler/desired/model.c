#include "desired/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "desired/body_table.h"
#include "desired/object_index.h"

static void free_strings(char **strings, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

void cluster_config_dispose(struct cluster_config *c)
{
	free(c->id);
	free_strings(c->urls, c->url_count);
	free(c->username);
	secret_free(c->password);
	secret_free(c->api_key);
	free(c->ca_file);
	free(c->client_cert_file);
	free(c->client_key_file);
	free(c->expect_cluster_name);
	free(c->expect_cluster_uuid);
}

/* NULL stays NULL; *failed is set when a copy could not be made. */
static char *dup_or_fail(const char *s, bool *failed)
{
	char *copy = s ? strdup(s) : NULL;

	*failed |= s && !copy;
	return copy;
}

int cluster_config_copy(struct cluster_config *out, const struct cluster_config *c)
{
	bool failed = false;
	size_t i;

	*out = (struct cluster_config){
		.verify = c->verify,
		.timeout_ms = c->timeout_ms,
		.allow_insecure_http = c->allow_insecure_http,
	};
	out->id = dup_or_fail(c->id, &failed);
	out->urls = calloc(c->url_count ? c->url_count : 1, sizeof(*out->urls));
	failed |= !out->urls;
	for (i = 0; out->urls && i < c->url_count; i++, out->url_count++)
		out->urls[i] = dup_or_fail(c->urls[i], &failed);
	out->username = dup_or_fail(c->username, &failed);
	out->password = c->password ? secret_dup(c->password) : NULL;
	out->api_key = c->api_key ? secret_dup(c->api_key) : NULL;
	failed |= (c->password && !out->password) || (c->api_key && !out->api_key);
	out->ca_file = dup_or_fail(c->ca_file, &failed);
	out->client_cert_file = dup_or_fail(c->client_cert_file, &failed);
	out->client_key_file = dup_or_fail(c->client_key_file, &failed);
	out->expect_cluster_name = dup_or_fail(c->expect_cluster_name, &failed);
	out->expect_cluster_uuid = dup_or_fail(c->expect_cluster_uuid, &failed);
	if (!failed)
		return 0;
	cluster_config_dispose(out);
	*out = (struct cluster_config){ 0 };
	return -ENOMEM;
}

/* The trees and names are the body table's. */
static void desired_object_dispose(struct desired_object *o)
{
	free(o->remote_cluster);
	secret_free(o->password);
	secret_free(o->password_hash);
}

void desired_state_free(struct desired_state *state)
{
	size_t i;

	if (!state)
		return;
	for (i = 0; i < state->cluster_count; i++)
		cluster_config_dispose(&state->clusters[i]);
	free(state->clusters);
	for (i = 0; i < state->authority_count; i++) {
		free(state->authorities[i].name);
		free(state->authorities[i].ca_file);
	}
	free(state->authorities);
	for (i = 0; i < state->trust_cluster_count; i++) {
		free(state->trust_clusters[i].cluster);
		free(state->trust_clusters[i].transport_ca);
		free_strings(state->trust_clusters[i].trusts, state->trust_clusters[i].trust_count);
	}
	free(state->trust_clusters);
	for (i = 0; i < state->object_count; i++)
		desired_object_dispose(&state->objects[i]);
	free(state->objects);
	object_index_free(state->index);
	body_table_free(state->bodies);
	free_strings(state->files, state->file_count);
	free_strings(state->unresolved, state->unresolved_count);
	free(state->policy.owner);
	free(state->policy.adopt_from);
	free(state);
}

bool desired_valid_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

const char *desired_owner(const struct desired_state *state)
{
	return state->policy.owner ? state->policy.owner : DESIRED_DEFAULT_OWNER;
}

const struct cluster_config *desired_find_cluster(const struct desired_state *state, const char *id)
{
	size_t i;

	for (i = 0; state && id && i < state->cluster_count; i++)
		if (!strcmp(state->clusters[i].id, id))
			return &state->clusters[i];
	return NULL;
}

int desired_state_intern(struct desired_state *state, cJSON **json)
{
	if (!state->bodies && !(state->bodies = body_table_new()))
		return -ENOMEM;
	return body_table_intern(state->bodies, json);
}

int desired_state_intern_name(struct desired_state *state, const char *s, const char **out)
{
	if (!state->bodies && !(state->bodies = body_table_new()))
		return -ENOMEM;
	return body_table_intern_string(state->bodies, s, out);
}

int desired_state_index(struct desired_state *state)
{
	size_t i, previous;
	int err = 0;

	object_index_free(state->index);
	state->index = object_index_new();
	if (!state->index)
		return -ENOMEM;
	for (i = 0; !err && i < state->object_count; i++)
		err = object_index_add(state->index, state->objects, i, &previous);
	if (!err)
		err = object_index_finish(state->index, state->objects, state->object_count);
	return err;
}

const struct desired_object *desired_find_object(const struct desired_state *state,
						 enum resource_kind kind, const char *cluster,
						 const char *name)
{
	return state ? object_index_find(state->index, state->objects, kind, cluster, name) : NULL;
}

size_t desired_cluster_objects(const struct desired_state *state, const char *cluster,
			       enum resource_kind kind, const struct desired_object *const **out)
{
	if (!state) {
		*out = NULL;
		return 0;
	}
	return object_index_list(state->index, cluster, kind, out);
}

#define ESR_KIND_NAME(e, name, section, list_path) [RESOURCE_##e] = #name,
#define ESR_KIND_SECTION(e, name, section, list_path) [RESOURCE_##e] = (section),
static const char *const kind_names[RESOURCE_KIND_COUNT] = { ESR_KINDS(ESR_KIND_NAME) };
#define ESR_KIND_LIST_PATH(e, name, section, list_path) [RESOURCE_##e] = (list_path),
static const char *const kind_sections[RESOURCE_KIND_COUNT] = { ESR_KINDS(ESR_KIND_SECTION) };
static const char *const kind_list_paths[RESOURCE_KIND_COUNT] = { ESR_KINDS(ESR_KIND_LIST_PATH) };

const char *resource_kind_name(enum resource_kind kind)
{
	if (kind == RESOURCE_TRUST)
		return "trust";
	if (kind == RESOURCE_CLUSTER)
		return "cluster";
	return (unsigned)kind < RESOURCE_KIND_COUNT ? kind_names[kind] : "unknown";
}

const char *resource_kind_section(enum resource_kind kind)
{
	return (unsigned)kind < RESOURCE_KIND_COUNT ? kind_sections[kind] : NULL;
}

const char *resource_kind_list_path(enum resource_kind kind)
{
	return (unsigned)kind < RESOURCE_KIND_COUNT ? kind_list_paths[kind] : NULL;
}

const struct trust_cluster *desired_find_trust(const struct desired_state *state, const char *cluster)
{
	size_t i;

	for (i = 0; state && cluster && i < state->trust_cluster_count; i++)
		if (!strcmp(state->trust_clusters[i].cluster, cluster))
			return &state->trust_clusters[i];
	return NULL;
}

const struct trust_authority *desired_find_authority(const struct desired_state *state, const char *name)
{
	size_t i;

	for (i = 0; state && name && i < state->authority_count; i++)
		if (!strcmp(state->authorities[i].name, name))
			return &state->authorities[i];
	return NULL;
}
