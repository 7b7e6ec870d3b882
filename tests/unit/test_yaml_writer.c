/* Unit tests for desired/yaml_writer: what it writes, the loader reads back
 * as the same values, whatever the strings hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "desired/loader.h"
#include "desired/yaml_writer.h"
#include "plan/normalize.h"

/* Strings that a careless writer would turn into something else. */
static const char *const tricky[] = {
	"plain", "yes", "No", "on", "OFF", "y", "true", "null", "~", "", " lead", "trail ", "123", "-1",
	"0x1F", "1e3", ".inf", "1_000", "a: b", "a #b", "#c", "*alias", "&anchor", "!tag", "[x]", "{y}",
	"-dash", "?q", "|pipe", ">gt", "'single'", "\"double\"", "back\\slash", "tab\there",
	"line\nbreak", "${HOME}", "$${kept}", "cost $5", "ünïcødé", "a,b", "@at", "%pct", "`tick`",
	"logstash-*", "kibana-.kibana", "x/y.z",
};

static cJSON *tricky_metadata(void)
{
	cJSON *metadata = cJSON_CreateObject();
	char key[32];
	size_t i;

	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		cJSON_AddStringToObject(metadata, key, tricky[i]);
	}
	/* keys need the same care as values */
	cJSON_AddStringToObject(metadata, "yes", "key");
	cJSON_AddStringToObject(metadata, "a b", "key");
	cJSON_AddNumberToObject(metadata, "n", 42);
	cJSON_AddNumberToObject(metadata, "f", 2.5);
	cJSON_AddBoolToObject(metadata, "b", 1);
	cJSON_AddItemToObject(metadata, "list", cJSON_CreateStringArray(tricky, 6));
	cJSON_AddItemToObject(metadata, "empty", cJSON_CreateArray());
	cJSON_AddItemToObject(metadata, "nested", cJSON_CreateObject());
	return metadata;
}

/* version/clusters/roles around a role body, as export writes documents. */
static cJSON *document(cJSON *role)
{
	cJSON *doc = cJSON_CreateObject(), *clusters, *local, *roles, *on_local;

	cJSON_AddItemToObject(doc, "", cJSON_CreateRaw("a comment\nof two lines"));
	cJSON_AddNumberToObject(doc, "version", 1);
	clusters = cJSON_AddObjectToObject(doc, "clusters");
	local = cJSON_AddObjectToObject(clusters, "local");
	cJSON_AddStringToObject(local, "url", "https://127.0.0.1:9200");
	roles = cJSON_AddObjectToObject(doc, "roles");
	on_local = cJSON_AddObjectToObject(roles, "local");
	cJSON_AddItemToObject(on_local, "a role: with \"quotes\"", role);
	return doc;
}

static void what_it_writes_reads_back_the_same(void **state)
{
	cJSON *role = cJSON_CreateObject(), *indices, *entry, *doc;
	const char *privileges[] = { "read", "view_index_metadata" };
	const char *names[] = { "logstash-*", "a b", "yes" };
	struct desired_state *loaded = NULL;
	struct diag_list diags;
	const struct desired_object *o;
	struct buf text;
	size_t i;

	(void)state;
	cJSON_AddItemToObject(role, "cluster", cJSON_CreateStringArray(privileges, 0));
	indices = cJSON_AddArrayToObject(role, "indices");
	entry = cJSON_CreateObject();
	cJSON_AddItemToObject(entry, "names", cJSON_CreateStringArray(names, 3));
	cJSON_AddItemToObject(entry, "privileges", cJSON_CreateStringArray(privileges, 2));
	cJSON_AddStringToObject(entry, "query", "{\"term\": {\"user\": \"${USER}\"}}");
	cJSON_AddItemToArray(indices, entry);
	cJSON_AddItemToObject(role, "metadata", tricky_metadata());
	doc = document(role);
	buf_init(&text, (size_t)1 << 20);
	assert_int_equal(yaml_write_document(&text, doc), 0);
	assert_true(!strncmp(text.data, "# a comment\n# of two lines\nversion: 1\n\nclusters:\n", 49));
	diag_list_init(&diags);
	if (desired_load_buffer(&loaded, "/tmp/written.yaml", text.data, text.len, &diags)) {
		for (i = 0; i < diags.count; i++)
			print_error("%d:%d: %s\n", diags.items[i].line, diags.items[i].column, diags.items[i].message);
		print_error("%s", text.data);
		fail();
	}
	o = desired_find_object(loaded, RESOURCE_ROLE, "local", "a role: with \"quotes\"");
	assert_non_null(o);
	/* the empty cluster list was written as [] and reads back as one */
	if (!json_equal(o->body, role)) {
		char *got = cJSON_Print(o->body);

		print_error("read back:\n%s\nwritten:\n%s", got, text.data);
		free(got);
		fail();
	}
	desired_state_free(loaded);
	diag_list_dispose(&diags);
	buf_dispose(&text);
	cJSON_Delete(doc);
}

static void raw_values_are_written_as_they_are(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *auth = cJSON_AddObjectToObject(doc, "auth");
	struct buf text;

	(void)state;
	cJSON_AddItemToObject(auth, "password", cJSON_CreateRaw("\"${ES_LOCAL_PASSWORD}\""));
	cJSON_AddStringToObject(auth, "plain", "${ES_LOCAL_PASSWORD}");
	buf_init(&text, 4096);
	assert_int_equal(yaml_write_document(&text, doc), 0);
	assert_string_equal(text.data, "auth:\n"
				       "  password: \"${ES_LOCAL_PASSWORD}\"\n"
				       "  plain: \"$${ES_LOCAL_PASSWORD}\"\n");
	buf_dispose(&text);
	cJSON_Delete(doc);
}

static void long_lists_go_on_lines_of_their_own(void **state)
{
	cJSON *doc = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(doc, "seeds");
	struct buf text;
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString("es-node-with-a-long-name.example:9300"));
	buf_init(&text, 4096);
	assert_int_equal(yaml_write_document(&text, doc), 0);
	assert_true(!strncmp(text.data, "seeds:\n  - \"es-node-with-a-long-name.example:9300\"\n", 51));
	buf_dispose(&text);
	assert_int_equal(yaml_write_document(&text, list), -EINVAL);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(what_it_writes_reads_back_the_same),
		cmocka_unit_test(raw_values_are_written_as_they_are),
		cmocka_unit_test(long_lists_go_on_lines_of_their_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
