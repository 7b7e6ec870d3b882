/* static_config: the elasticsearch.yml lines a cluster needs that no API can
 * set (`esreconcile render`): the transport trust it declares, the remote
 * cluster server when an api_key remote points at it, and its declared
 * remotes as static cluster.remote.<alias>.* settings.
 *
 * Pure: the seeds of a `cluster:` remote without seeds (the publish
 * addresses of the cluster it names: its transport's, or for an api_key
 * remote its remote cluster server's) come in from the caller, who reads them.
 * Nothing here keeps what it is given; the rendered text belongs to the
 * caller. No secret is ever rendered: a credential is keystore-only, and the
 * text names the keystore command instead. */
#ifndef ESR_PLAN_STATIC_CONFIG_H
#define ESR_PLAN_STATIC_CONFIG_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "desired/model.h"

/* Where a relative path in elasticsearch.yml is read from the node's config
 * directory: the file name render gives an authority's PEM file is
 * STATIC_CONFIG_CA_DIR "/<authority name>.pem". */
#define STATIC_CONFIG_CA_DIR "certs"

/* The remotes of cluster_id whose seeds render must discover: declared (not
 * absent), with `cluster:` and without seeds or proxy_address. *out is an
 * array of pointers into desired (the caller frees the array only), sorted by
 * alias; *count may be 0. Returns 0 or -ENOMEM. */
int static_config_discovery(const struct desired_object ***out, size_t *count,
			    const struct desired_state *desired, const char *cluster_id);

/* The section of GET /_nodes/<section> whose publish addresses are the seeds
 * of such a remote: "remote_cluster_server" for an api_key remote, else
 * "transport". A static string. */
const char *static_config_seed_section(const struct desired_object *remote);

/* The elasticsearch.yml text of cluster_id (declared in desired): comments
 * that say what each block is for, then flat keys in a fixed order (trust, the
 * remote cluster server, then the remotes by alias, each key in the order of
 * desired/remote_settings.h),
 * so that the same desired state always renders the same text.
 * `discovered` maps each alias static_config_discovery() listed to a JSON
 * array of "host:port" strings (non-empty). Returns 0 and *out (the caller
 * frees it); -ENOENT when cluster_id is not declared or an alias of the
 * discovery has no addresses in `discovered`; -ENOMEM / -ENOSPC. */
int static_config_render(char **out, const struct desired_state *desired, const char *cluster_id,
			 const cJSON *discovered);

#endif
