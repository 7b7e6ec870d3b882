/* load_cluster: clusters.<id>, how esreconcile reaches each cluster. */
#include "desired/loader_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool check_url(struct loader *l, const struct ynode *node, const struct path *p,
		      bool *out_plain_http)
{
	const char *s = want_nonempty_string(l, node, p), *host;

	if (!s)
		return false;
	if (node->placeholder)
		return true;
	if (!strncasecmp(s, "https://", 8))
		host = s + 8, *out_plain_http = false;
	else if (!strncasecmp(s, "http://", 7))
		host = s + 7, *out_plain_http = true;
	else
		host = NULL;
	if (!host || !*host || *host == '/' || strpbrk(s, " \t\r\n")) {
		report(l, node, "invalid-value", "write it as https://HOST:PORT",
		       "[%s] must be an http:// or https:// URL, found [%s]", p->text, shown(node));
		return false;
	}
	return true;
}

static void load_cluster_auth(struct loader *l, struct cluster_config *c, const struct ynode *auth,
			      const struct path *p)
{
	static const char *const keys[] = { "username", "password", "api_key" };
	const struct ynode *username = ynode_get(auth, "username");
	const struct ynode *password = ynode_get(auth, "password");
	const struct ynode *api_key = ynode_get(auth, "api_key");
	struct path child;

	check_keys(l, auth, p, keys, COUNT(keys));
	if (api_key && (username || password)) {
		report(l, api_key, "conflicting-keys", NULL,
		       "[%s] takes either username and password, or api_key, not both", p->text);
		return;
	}
	if (api_key) {
		path_child(&child, p, "api_key");
		c->api_key = want_secret(l, api_key, &child);
		return;
	}
	if (!username && !password) {
		missing_key(l, auth, p, "username", "give username and password, or api_key");
		return;
	}
	if (!password) {
		missing_key(l, auth, p, "password", "username needs a password");
		return;
	}
	if (!username) {
		missing_key(l, auth, p, "username", "password needs a username");
		return;
	}
	path_child(&child, p, "username");
	if (want_nonempty_string(l, username, &child))
		c->username = dup_or_oom(l, username->text);
	path_child(&child, p, "password");
	c->password = want_secret(l, password, &child);
}

static void load_cluster_tls(struct loader *l, struct cluster_config *c, const struct ynode *tls,
			     const struct path *p)
{
	static const char *const keys[] = { "ca_file", "client_cert_file", "client_key_file",
					    "verify" };
	static const char *const verify_modes[] = { "full", "certificate", "none" };
	const struct ynode *node;
	const char *verify;
	struct path child;

	check_keys(l, tls, p, keys, COUNT(keys));
	if ((node = ynode_get(tls, "ca_file"))) {
		path_child(&child, p, "ca_file");
		c->ca_file = want_file(l, node, &child);
	}
	if ((node = ynode_get(tls, "client_cert_file"))) {
		path_child(&child, p, "client_cert_file");
		c->client_cert_file = want_file(l, node, &child);
	}
	if ((node = ynode_get(tls, "client_key_file"))) {
		path_child(&child, p, "client_key_file");
		c->client_key_file = want_file(l, node, &child);
	}
	if (!ynode_get(tls, "client_cert_file") != !ynode_get(tls, "client_key_file"))
		missing_key(l, tls, p, ynode_get(tls, "client_cert_file") ? "client_key_file"
									  : "client_cert_file",
			    "a client certificate needs its key, and the key its certificate");
	if ((node = ynode_get(tls, "verify"))) {
		path_child(&child, p, "verify");
		verify = want_enum(l, node, &child, verify_modes, COUNT(verify_modes));
		if (verify)
			c->verify = !strcmp(verify, "full") ? TLS_VERIFY_FULL
				    : !strcmp(verify, "certificate") ? TLS_VERIFY_CERTIFICATE
								     : TLS_VERIFY_NONE;
		if (verify && c->verify == TLS_VERIFY_NONE &&
		    ydoc_report(l->doc, l->diags, DIAG_WARNING, node, "tls-verify-none", NULL,
				"TLS verification is disabled for cluster [%s]", c->id))
			oom(l);
	}
}

/* expect: { cluster_name, cluster_uuid }, what GET / must answer. */
static void load_cluster_expect(struct loader *l, struct cluster_config *c, const struct ynode *expect,
				const struct path *p)
{
	static const char *const keys[] = { "cluster_name", "cluster_uuid" };
	const struct ynode *node;
	struct path child;

	check_keys(l, expect, p, keys, COUNT(keys));
	if ((node = ynode_get(expect, "cluster_name"))) {
		path_child(&child, p, "cluster_name");
		if (want_nonempty_string(l, node, &child))
			c->expect_cluster_name = dup_or_oom(l, node->text);
	}
	if ((node = ynode_get(expect, "cluster_uuid"))) {
		path_child(&child, p, "cluster_uuid");
		if (want_nonempty_string(l, node, &child))
			c->expect_cluster_uuid = dup_or_oom(l, node->text);
	}
}

void load_cluster(struct loader *l, const struct ynode *key, const struct ynode *body)
{
	static const char *const keys[] = { "url", "urls", "auth", "tls", "timeout",
					    "allow_insecure_http", "expect" };
	struct cluster_config *c;
	const struct ynode *url = ynode_get(body, "url"), *urls = ynode_get(body, "urls");
	const struct ynode *auth = ynode_get(body, "auth"), *node, *first_http = NULL;
	struct path p, child, item;
	bool plain_http = false;
	size_t i;

	path_init(&p, "clusters");
	path_child(&p, &p, key->text);
	if (!want_cluster_id(l, key, "cluster id") || !want_kind(l, body, &p, YNODE_MAP))
		return;
	c = append_zeroed(l, &l->state->clusters, &l->state->cluster_count, sizeof(*c));
	if (!c)
		return;
	c->id = dup_or_oom(l, key->text);
	c->pos = pos_of(l, key);
	c->timeout_ms = 30000;
	c->verify = TLS_VERIFY_FULL;
	check_keys(l, body, &p, keys, COUNT(keys));

	if (url && urls)
		report(l, urls, "conflicting-keys", "keep one of them",
		       "[%s] takes either url or urls, not both", p.text);
	else if (!url && !urls)
		missing_key(l, body, &p, "url", "give url: https://HOST:9200, or urls: [...]");
	if (url && !urls) {
		path_child(&child, &p, "url");
		if (check_url(l, url, &child, &plain_http)) {
			c->urls = calloc(1, sizeof(char *));
			if (!c->urls || !(c->urls[0] = strdup(url->text)))
				oom(l);
			else
				c->url_count = 1;
			if (plain_http)
				first_http = url;
		}
	} else if (urls && !url) {
		path_child(&child, &p, "urls");
		if (want_kind(l, urls, &child, YNODE_SEQ)) {
			if (!urls->count)
				report(l, urls, "invalid-value", NULL, "[%s] must not be empty", child.text);
			c->urls = calloc(urls->count ? urls->count : 1, sizeof(char *));
			if (!c->urls)
				oom(l);
			for (i = 0; c->urls && i < urls->count; i++) {
				path_index(&item, &child, i);
				if (!check_url(l, urls->items[i], &item, &plain_http))
					continue;
				if (!(c->urls[c->url_count] = strdup(urls->items[i]->text)))
					oom(l);
				else
					c->url_count++;
				if (plain_http && !first_http)
					first_http = urls->items[i];
			}
		}
	}
	if (auth) {
		path_child(&child, &p, "auth");
		if (want_kind(l, auth, &child, YNODE_MAP))
			load_cluster_auth(l, c, auth, &child);
	}
	if ((node = ynode_get(body, "tls"))) {
		path_child(&child, &p, "tls");
		if (want_kind(l, node, &child, YNODE_MAP))
			load_cluster_tls(l, c, node, &child);
	}
	if ((node = ynode_get(body, "timeout"))) {
		path_child(&child, &p, "timeout");
		want_positive_time(l, node, &child, &c->timeout_ms);
	}
	if ((node = ynode_get(body, "allow_insecure_http"))) {
		path_child(&child, &p, "allow_insecure_http");
		want_bool(l, node, &child, &c->allow_insecure_http);
	}
	if ((node = ynode_get(body, "expect"))) {
		path_child(&child, &p, "expect");
		if (want_kind(l, node, &child, YNODE_MAP))
			load_cluster_expect(l, c, node, &child);
	}
	if (first_http && auth && !c->allow_insecure_http)
		report(l, first_http, "insecure-http", "use https://, or set allow_insecure_http: true "
		       "if the network is trusted",
		       "cluster [%s] would send credentials over plain http://", c->id);
}
