#include "desired/es_names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const reserved_roles[] = {
	"apm_system", "apm_user", "beats_admin", "beats_system", "data_frame_transforms_admin",
	"data_frame_transforms_user", "editor", "enrich_user", "inference_admin", "inference_user",
	"ingest_admin", "kibana_admin", "kibana_system", "kibana_user", "logstash_admin",
	"logstash_system", "machine_learning_admin", "machine_learning_user", "monitoring_user",
	"remote_monitoring_agent", "remote_monitoring_collector", "reporting_user", "rollup_admin",
	"rollup_user", "snapshot_user", "superuser", "transform_admin", "transform_user",
	"transport_client", "viewer", "watcher_admin", "watcher_user",
};

static const char *const reserved_users[] = {
	"apm_system", "beats_system", "elastic", "kibana", "kibana_system", "logstash_system",
	"remote_monitoring_user",
};

static const char *const cluster_privileges[] = {
	"all", "cancel_task", "create_snapshot", "cross_cluster_replication", "cross_cluster_search",
	"delegate_pki", "grant_api_key", "manage", "manage_api_key", "manage_autoscaling",
	"manage_behavioral_analytics", "manage_ccr", "manage_connector",
	"manage_data_frame_transforms", "manage_data_stream_global_retention", "manage_enrich",
	"manage_ilm", "manage_index_templates", "manage_inference", "manage_ingest_pipelines",
	"manage_logstash_pipelines", "manage_ml", "manage_oidc", "manage_own_api_key",
	"manage_pipeline", "manage_rollup", "manage_saml", "manage_search_application",
	"manage_search_query_rules", "manage_search_synonyms", "manage_security",
	"manage_service_account", "manage_slm", "manage_token", "manage_transform",
	"manage_user_profile", "manage_watcher", "monitor", "monitor_connector",
	"monitor_data_frame_transforms", "monitor_data_stream_global_retention", "monitor_enrich",
	"monitor_inference", "monitor_ml", "monitor_rollup", "monitor_snapshot", "monitor_stats",
	"monitor_text_structure", "monitor_transform", "monitor_watcher", "none",
	"post_behavioral_analytics_event", "read_ccr", "read_connector_secrets",
	"read_fleet_secrets", "read_ilm", "read_pipeline", "read_security", "read_slm",
	"transport_client", "write_connector_secrets", "write_fleet_secrets",
};

static const char *const index_privileges[] = {
	"all", "auto_configure", "create", "create_doc", "create_index", "cross_cluster_replication",
	"cross_cluster_replication_internal", "delete", "delete_index", "index", "maintenance",
	"manage", "manage_data_stream_lifecycle", "manage_failure_store", "manage_follow_index",
	"manage_ilm", "manage_leader_index", "monitor", "none", "read", "read_cross_cluster",
	"read_failure_store", "view_index_metadata", "write",
};

static const char *const remote_cluster_privileges[] = { "monitor_enrich", "monitor_stats" };

static int compare_folded(const void *key, const void *entry)
{
	return strcasecmp(key, *(const char *const *)entry);
}

static int compare_exact(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

/* The tables are sorted (in ASCII order, which lower-case names share with
 * case-folded order), so lookups are binary searches. */
static bool listed(const char *name, const char *const *list, size_t count, bool fold_case)
{
	/* names are nearly always written in lower case: the exact search, cheaper
	 * than folding, settles those */
	if (bsearch(name, list, count, sizeof(*list), compare_exact))
		return true;
	return fold_case && bsearch(name, list, count, sizeof(*list), compare_folded);
}

bool es_role_is_reserved(const char *name)
{
	return listed(name, reserved_roles, COUNT(reserved_roles), false);
}

/* The words under /_security/user/ (RestChangePasswordAction,
 * RestHasPrivilegesAction, RestGetUserPrivilegesAction). */
static const char *const user_api_words[] = { "_has_privileges", "_password", "_privileges" };

bool es_user_name_is_api_word(const char *name)
{
	return listed(name, user_api_words, COUNT(user_api_words), false);
}

bool es_user_is_reserved(const char *name)
{
	return listed(name, reserved_users, COUNT(reserved_users), false);
}

static bool starts_with_fold(const char *s, const char *prefix)
{
	/* the first character rules out nearly every privilege name, cheaply */
	return tolower((unsigned char)s[0]) == prefix[0] && !strncasecmp(s, prefix, strlen(prefix));
}

bool es_cluster_privilege_known(const char *name)
{
	/* ClusterPrivilegeResolver.isClusterAction: the cluster actions and the two
	 * index template action families */
	if (starts_with_fold(name, "cluster:") || starts_with_fold(name, "indices:admin/template/") ||
	    starts_with_fold(name, "indices:admin/index_template/"))
		return true;
	return listed(name, cluster_privileges, COUNT(cluster_privileges), true);
}

bool es_index_privilege_known(const char *name)
{
	if (starts_with_fold(name, "indices:") ||
	    starts_with_fold(name, "internal:transport/proxy/indices:"))
		return true;
	return listed(name, index_privileges, COUNT(index_privileges), true);
}

bool es_remote_cluster_privilege_known(const char *name)
{
	return listed(name, remote_cluster_privileges, COUNT(remote_cluster_privileges), false);
}

const char *const *es_cluster_privileges(size_t *out_count)
{
	*out_count = COUNT(cluster_privileges);
	return cluster_privileges;
}

const char *const *es_index_privileges(size_t *out_count)
{
	*out_count = COUNT(index_privileges);
	return index_privileges;
}

const char es_security_name_rule[] =
	"names must be at least 1 and no more than 507 characters. They can contain alphanumeric "
	"characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin "
	"(ASCII) block. Leading or trailing whitespace is not allowed.";

bool es_valid_security_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len < 1 || len > 507 || name[0] == ' ' || name[len - 1] == ' ')
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7E)
			return false;
	return true;
}
