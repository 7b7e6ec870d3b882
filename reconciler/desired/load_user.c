/* load_user: users.<cluster>.<username>, native users and built-in users' passwords. */
#include "desired/loader_internal.h"

#include <string.h>

#include "desired/es_names.h"
#include "desired/password_hash.h"

static void load_user_body(struct loader *l, struct desired_object *o, const struct ynode *body,
			   const struct path *p, bool reserved)
{
	static const char *const keys[] = { "password", "password_hash", "roles", "full_name",
					    "email", "metadata", "enabled" };
	const struct ynode *password = ynode_get(body, "password");
	const struct ynode *hash = ynode_get(body, "password_hash"), *node;
	struct path child;
	bool flag;
	size_t i;

	check_keys(l, body, p, keys, COUNT(keys));
	if (reserved) {
		for (i = 0; i < body->count; i++)
			if (strcmp(body->pairs[i].key->text, "password") != 0 &&
			    !ynode_get(body, body->pairs[i].key->text)->broken)
				report(l, body->pairs[i].key, "reserved-name",
				       "only password may be set for a built-in user",
				       "user [%s] is reserved and only the password can be changed",
				       o->name);
		if (!password)
			missing_key(l, body, p, "password", "a built-in user's password is all that "
				    "can be managed");
	}
	if (password && hash) {
		report(l, hash, "conflicting-keys", "keep one of them",
		       "[%s] takes either password or password_hash, not both", p->text);
		return;
	}
	if (password) {
		path_child(&child, p, "password");
		o->password = want_secret(l, password, &child);
		if (o->password && !password->placeholder) {
			size_t chars = 0;
			const unsigned char *c;

			for (c = (const unsigned char *)password->text; *c; c++)
				chars += (*c & 0xC0) != 0x80;
			if (chars < 6)
				report(l, password, "invalid-value", NULL,
				       "passwords must be at least [6] characters long");
		}
	}
	if (hash) {
		const char *why;

		path_child(&child, p, "password_hash");
		o->password_hash = want_secret(l, hash, &child);
		/* Elasticsearch would refuse it, or store what no password matches;
		 * a placeholder (validate without the secret) has no shape to check */
		if (o->password_hash && !hash->placeholder && (why = password_hash_problem(hash->text)))
			report(l, hash, "invalid-value",
			       "e.g. a bcrypt hash: python3 -c 'import bcrypt, getpass; "
			       "print(bcrypt.hashpw(getpass.getpass().encode(), bcrypt.gensalt()).decode())'",
			       "%s", why);
	}
	if (reserved)
		return;
	if (!(node = ynode_get(body, "roles"))) {
		missing_key(l, body, p, "roles", "Elasticsearch requires roles on every user write; "
			    "write roles: [] for none");
	} else {
		path_child(&child, p, "roles");
		if (want_string_list(l, node, &child, false, false))
			put_json(l, "roles", node);
	}
	if ((node = ynode_get(body, "full_name"))) {
		path_child(&child, p, "full_name");
		if (want_string(l, node, &child))
			put_json(l, "full_name", node);
	}
	if ((node = ynode_get(body, "email"))) {
		path_child(&child, p, "email");
		if (want_string(l, node, &child))
			put_json(l, "email", node);
	}
	if ((node = ynode_get(body, "metadata"))) {
		size_t errors = l->diags->errors;

		path_child(&child, p, "metadata");
		check_metadata(l, node, &child, "metadata keys may not start with [_]");
		if (l->diags->errors == errors)
			put_json(l, "metadata", node);
	}
	if ((node = ynode_get(body, "enabled"))) {
		path_child(&child, p, "enabled");
		if (want_bool(l, node, &child, &flag))
			put_json(l, "enabled", node);
	}
}

static void load_user(struct loader *l, const struct ynode *cluster, const struct ynode *name,
		      const struct ynode *body, const struct path *p)
{
	bool reserved = es_user_is_reserved(name->text);
	struct desired_object *o;

	if (!es_valid_security_name(name->text)) {
		report(l, name, "invalid-name", NULL, "User %s", es_security_name_rule);
		return;
	}
	if (es_user_name_is_api_word(name->text)) {
		report(l, name, "invalid-name", "choose another name: the REST API cannot address this user",
		       "user [%s] has the name of an endpoint of the user API (/_security/user/%s); a request "
		       "for this user would reach that endpoint", name->text, name->text);
		return;
	}
	if (is_absent(body) && reserved) {
		report(l, body, "reserved-name", "built-in users can only have their password set",
		       "user [%s] is reserved and cannot be deleted", name->text);
		return;
	}
	if (!want_body(l, body, p))
		return;
	o = new_object_with_body(l, RESOURCE_USER, cluster, name, body);
	if (o)
		load_user_body(l, o, body, p, reserved);
}

const struct desired_kind desired_user_kind = { .load = load_user };
