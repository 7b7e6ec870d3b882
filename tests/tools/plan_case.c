/* plan_case: a test-only driver for the golden plan cases (tests/plan_cases/).
 *
 * A case is a directory:
 *   desired.yaml                  the desired state (loaded with desired_load())
 *   env                           optional: NAME=value lines set before loading
 *                                 (for ${NAME} in desired.yaml); '#' starts a comment
 *   adopt_from                    optional: one line, the owner of --adopt-from
 *   flags                         optional: --rotate-keys and/or --retire-keys
 *   live/<cluster-id>/<answer>    what each declared cluster answered, see answer_files[]
 *   live/<cluster-id>/unreachable the cluster could not be read; its first line is the
 *                                 error (a missing live/<cluster-id>/ means the same)
 *   expected.json                 compared by tests/plan_cases/run.py, not read here
 *
 * Prints plan_to_json() of plan_build(desired, live) on stdout (trust findings are
 * not added). Exit: 0 printed, 1 the case cannot be read or planned, 64 usage.
 *
 * The steps are kept apart on purpose: reading the answer files (knows file names,
 * not the live model), then answers_to_live_cluster() and live_state_add(), the only
 * code here that knows the fields of struct live_cluster and struct live_state. When
 * the live model moves or its fields are renamed, only that section changes. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "desired/loader.h"
#include "desired/model.h"
#include "es/live.h"
#include "plan/plan.h"
#include "util/buf.h"
#include "util/diag.h"

#define FILE_MAX ((size_t)16 << 20)

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("plan_case: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new formatted string, or NULL when memory runs out. */
static char *format(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = buf_vformat(fmt, ap);
	va_end(ap);
	return text;
}

static char *path_join(const char *dir, const char *name)
{
	return format("%s/%s", dir, name);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The whole file as a string (the caller frees it); NULL with errno set when it
 * cannot be read (ENOENT: it does not exist). */
static char *read_file(const char *path)
{
	struct buf b;
	char *text = NULL;
	int err;

	buf_init(&b, FILE_MAX);
	err = buf_append_file(&b, path);
	if (!err)
		text = buf_detach(&b);
	buf_dispose(&b);
	if (!text)
		errno = err ? -err : ENOMEM;
	return text;
}

/* ---- the case's optional one-line files: adopt_from, flags ---- */

/* The content of case_dir/name into *out (NULL when there is no such file);
 * the caller frees it. Returns 0 or a negative errno. */
static int read_optional(char **out, const char *case_dir, const char *name)
{
	char *path = path_join(case_dir, name);

	*out = NULL;
	if (!path)
		return -ENOMEM;
	*out = read_file(path);
	free(path);
	return *out || errno == ENOENT ? 0 : -errno;
}

/* adopt_from: --adopt-from OWNER; flags: --rotate-keys and/or --retire-keys. */
static int load_options(struct desired_state *desired, const char *case_dir)
{
	char *text;
	int err = read_optional(&text, case_dir, "adopt_from");

	if (text) {
		text[strcspn(text, "\r\n")] = '\0';
		desired->policy.adopt_from = text;
	}
	if (!err)
		err = read_optional(&text, case_dir, "flags");
	if (text) {
		desired->policy.rotate_keys = strstr(text, "--rotate-keys") != NULL;
		desired->policy.retire_keys = strstr(text, "--retire-keys") != NULL;
		free(text);
	}
	return err;
}

/* ---- the case's env file ---- */

static int load_env(const char *case_dir)
{
	char *path = path_join(case_dir, "env"), *text, *line, *next;
	int lineno = 0, rc = 0;

	if (!path)
		return -ENOMEM;
	text = read_file(path);
	if (!text) {
		rc = errno == ENOENT ? 0 : -errno;
		if (rc)
			complain("%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	for (line = text; line && *line; line = next) {
		char *eq, *end;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		end = line + strlen(line);
		if (end > line && end[-1] == '\r')
			*--end = '\0';
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line) {
			complain("%s:%d: want NAME=value", path, lineno);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		if (setenv(line, eq + 1, 1)) {
			rc = -errno;
			break;
		}
	}
	free(text);
	free(path);
	return rc;
}

/* ---- the answer files of one cluster (no knowledge of the live model) ---- */

enum answer {
	ANSWER_ROOT,                /* GET / */
	ANSWER_SETTINGS,            /* GET /_cluster/settings?flat_settings=true */
	ANSWER_REMOTE_INFO,         /* GET /_remote/info */
	ANSWER_ROLES,               /* GET /_security/role */
	ANSWER_USERS,               /* GET /_security/user */
	ANSWER_CERTIFICATES,        /* GET /_ssl/certificates */
	ANSWER_TRANSPORT_ADDRESSES, /* the "host:port" publish addresses of GET /_nodes/transport */
	ANSWER_PASSWORD_PROBES,     /* {"user": true|false}: GET /_security/_authenticate as the user */
	ANSWER_LICENSE,             /* GET /_license */
	ANSWER_API_KEYS,            /* GET /_security/api_key?name=esreconcile-*&active_only=true */
	ANSWER_REMOTE_CLUSTER_SERVER, /* the "host:port" publish addresses of GET /_nodes/remote_cluster_server */
	ANSWER_COUNT
};

static const struct {
	const char *file;
	int json_type;
	/* what a missing file stands for: the empty answer, or NULL (required when
	 * `required`, else left out as live_read() leaves out what it did not fetch) */
	const char *when_missing;
	bool required;
} answer_files[ANSWER_COUNT] = {
	[ANSWER_ROOT] = { "root.json", cJSON_Object, NULL, true },
	[ANSWER_SETTINGS] = { "settings.json", cJSON_Object, "{\"persistent\":{},\"transient\":{}}", false },
	[ANSWER_REMOTE_INFO] = { "remote_info.json", cJSON_Object, "{}", false },
	[ANSWER_ROLES] = { "roles.json", cJSON_Object, "{}", false },
	[ANSWER_USERS] = { "users.json", cJSON_Object, "{}", false },
	[ANSWER_CERTIFICATES] = { "certificates.json", cJSON_Array, NULL, false },
	[ANSWER_TRANSPORT_ADDRESSES] = { "transport_addresses.json", cJSON_Array, NULL, false },
	[ANSWER_PASSWORD_PROBES] = { "password_probes.json", cJSON_Object, "{}", false },
	[ANSWER_LICENSE] = { "license.json", cJSON_Object, NULL, false },
	[ANSWER_API_KEYS] = { "api_keys.json", cJSON_Object, NULL, false },
	[ANSWER_REMOTE_CLUSTER_SERVER] = { "remote_cluster_server.json", cJSON_Array, NULL, false },
};

/* The moment every case's clusters are read (2026-01-01T00:00:00Z), against
 * which API key expirations count. */
#define CASE_READ_AT_MS 1767225600000LL

#define UNREACHABLE_FILE "unreachable"

struct answers {
	bool reachable;
	char *error;               /* when unreachable */
	cJSON *json[ANSWER_COUNT]; /* owned until handed over */
};

static void answers_dispose(struct answers *a)
{
	size_t i;

	free(a->error);
	for (i = 0; i < ANSWER_COUNT; i++)
		cJSON_Delete(a->json[i]);
	memset(a, 0, sizeof(*a));
}

/* Every file in a cluster directory must be an answer this driver knows: a
 * misspelt name would otherwise be read as a missing answer. */
static int check_names(const char *dir, bool *unreachable_out)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	size_t answers = 0, i;
	int rc = 0;

	*unreachable_out = false;
	if (!d) {
		complain("%s: %s", dir, strerror(errno));
		return -EIO;
	}
	while ((e = readdir(d))) {
		bool known = false;

		if (e->d_name[0] == '.')
			continue;
		if (!strcmp(e->d_name, UNREACHABLE_FILE)) {
			*unreachable_out = true;
			continue;
		}
		for (i = 0; i < ANSWER_COUNT && !known; i++)
			known = !strcmp(e->d_name, answer_files[i].file);
		if (!known) {
			complain("%s/%s: not an answer file", dir, e->d_name);
			rc = -EINVAL;
		}
		answers++;
	}
	closedir(d);
	if (!rc && *unreachable_out && answers) {
		complain("%s: an unreachable cluster has no answers", dir);
		rc = -EINVAL;
	}
	return rc;
}

static int read_answer(cJSON **out, const char *dir, size_t i)
{
	char *path = path_join(dir, answer_files[i].file), *text;
	int rc = 0;

	*out = NULL;
	if (!path)
		return -ENOMEM;
	text = read_file(path);
	if (!text && errno != ENOENT) {
		complain("%s: %s", path, strerror(errno));
		rc = -EIO;
	} else if (!text) {
		if (answer_files[i].required) {
			complain("%s: missing (required for a reachable cluster)", path);
			rc = -EINVAL;
		} else if (answer_files[i].when_missing) {
			*out = cJSON_Parse(answer_files[i].when_missing);
			rc = *out ? 0 : -ENOMEM;
		}
	} else {
		/* the length counts the NUL: require_null_terminated checks it */
		*out = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, NULL, 1);
		if (!*out || (cJSON_IsArray(*out) ? cJSON_Array : cJSON_IsObject(*out) ? cJSON_Object : -1) !=
				     answer_files[i].json_type) {
			complain("%s: not a JSON %s", path,
				 answer_files[i].json_type == cJSON_Array ? "array" : "object");
			cJSON_Delete(*out);
			*out = NULL;
			rc = -EINVAL;
		}
	}
	free(text);
	free(path);
	return rc;
}

/* Reads live/<id>/ of the case into *a. */
static int read_answers(struct answers *a, const char *live_dir, const char *id)
{
	char *dir = path_join(live_dir, id), *path = NULL, *text = NULL;
	bool unreachable = false;
	size_t i;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if (!dir)
		return -ENOMEM;
	if (is_dir(dir))
		rc = check_names(dir, &unreachable);
	else
		unreachable = true; /* no answers at all */
	if (rc)
		goto done;
	if (unreachable) {
		path = path_join(dir, UNREACHABLE_FILE);
		text = path ? read_file(path) : NULL;
		if (text)
			text[strcspn(text, "\r\n")] = '\0';
		a->error = text && *text ? strdup(text) : format("cluster [%s] could not be read", id);
		rc = a->error ? 0 : -ENOMEM;
		goto done;
	}
	a->reachable = true;
	for (i = 0; !rc && i < ANSWER_COUNT; i++)
		rc = read_answer(&a->json[i], dir, i);
done:
	free(text);
	free(path);
	free(dir);
	return rc;
}

/* ---- answers -> live model: the only code here that knows the fields of
 * struct live_cluster and struct live_state (es/live.h) ---- */

static cJSON *take(struct answers *a, enum answer which)
{
	cJSON *json = a->json[which];

	a->json[which] = NULL;
	return json;
}

/* Fills lc (zeroed, owned by its live_state) as live_read() would have from
 * these answers, taking the trees over from a. Warnings (such as the one for
 * verify: none) are live_read()'s own and are not made up here. Returns 0,
 * -ENOMEM, or -EINVAL when GET / holds no version. */
static int answers_to_live_cluster(struct live_cluster *lc, const char *id, struct answers *a)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(a->json[ANSWER_ROOT], "version");
	const cJSON *number = cJSON_GetObjectItemCaseSensitive(version, "number");

	lc->cluster_id = strdup(id);
	if (!lc->cluster_id)
		return -ENOMEM;
	if (!a->reachable) {
		lc->reachable = false;
		lc->error = a->error;
		a->error = NULL;
		return 0;
	}
	if (!cJSON_IsString(number) ||
	    live_parse_version(&lc->version_major, &lc->version_minor, number->valuestring)) {
		complain("cluster [%s]: root.json has no version.number", id);
		return -EINVAL;
	}
	lc->version = strdup(number->valuestring);
	if (!lc->version)
		return -ENOMEM;
	lc->root = take(a, ANSWER_ROOT);
	lc->settings = take(a, ANSWER_SETTINGS);
	lc->remote_info = take(a, ANSWER_REMOTE_INFO);
	lc->objects[RESOURCE_ROLE] = take(a, ANSWER_ROLES);
	lc->objects[RESOURCE_USER] = take(a, ANSWER_USERS);
	lc->certificates = take(a, ANSWER_CERTIFICATES);
	lc->transport_addresses = take(a, ANSWER_TRANSPORT_ADDRESSES);
	lc->password_probes = take(a, ANSWER_PASSWORD_PROBES);
	lc->license = take(a, ANSWER_LICENSE);
	lc->objects[RESOURCE_API_KEY] = take(a, ANSWER_API_KEYS);
	lc->remote_cluster_server = take(a, ANSWER_REMOTE_CLUSTER_SERVER);
	lc->read_at_ms = CASE_READ_AT_MS;
	lc->reachable = true;
	return 0;
}

/* A new zeroed cluster at the end of live (freed with it by live_state_free()). */
static struct live_cluster *live_state_add(struct live_state *live)
{
	struct live_cluster *grown = realloc(live->clusters, (live->cluster_count + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	live->clusters = grown;
	memset(&grown[live->cluster_count], 0, sizeof(*grown));
	return &grown[live->cluster_count++];
}

static struct live_state *live_state_new(void)
{
	return calloc(1, sizeof(struct live_state));
}

/* ---- the case ---- */

/* Each directory under live/ must name a declared cluster. */
static int check_live_dirs(const char *live_dir, const struct desired_state *desired)
{
	DIR *d = opendir(live_dir);
	const struct dirent *e;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : -EIO;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!desired_find_cluster(desired, e->d_name)) {
			complain("%s/%s: no such cluster in desired.yaml", live_dir, e->d_name);
			rc = -EINVAL;
		}
	}
	closedir(d);
	return rc;
}

/* The live state of every declared cluster, in declaration order as live_read() keeps it. */
static int build_live(struct live_state **out, const char *case_dir, const struct desired_state *desired)
{
	char *live_dir = path_join(case_dir, "live");
	struct live_state *live = live_state_new();
	size_t i;
	int rc = live_dir && live ? 0 : -ENOMEM;

	*out = NULL;
	if (!rc)
		rc = check_live_dirs(live_dir, desired);
	for (i = 0; !rc && i < desired->cluster_count; i++) {
		const char *id = desired->clusters[i].id;
		struct live_cluster *lc;
		struct answers a;

		rc = read_answers(&a, live_dir, id);
		if (!rc) {
			lc = live_state_add(live);
			rc = lc ? answers_to_live_cluster(lc, id, &a) : -ENOMEM;
		}
		answers_dispose(&a);
	}
	free(live_dir);
	if (rc) {
		live_state_free(live);
		return rc;
	}
	*out = live;
	return 0;
}

int main(int argc, char **argv)
{
	struct desired_state *desired = NULL;
	struct live_state *live = NULL;
	struct plan *plan = NULL;
	struct diag_list diags;
	cJSON *json = NULL;
	char *desired_path = NULL, *text = NULL;
	const char *paths[1];
	int rc = 1, err;

	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: plan_case CASE_DIR\n", stderr);
		return 64;
	}
	diag_list_init(&diags);
	if (load_env(argv[1]))
		goto done;
	desired_path = path_join(argv[1], "desired.yaml");
	if (!desired_path)
		goto done;
	paths[0] = desired_path;
	err = desired_load(&desired, paths, 1, &diags);
	if (diags.count)
		diag_print_text(&diags, stderr, false);
	if (err || diag_has_errors(&diags))
		goto done;
	err = load_options(desired, argv[1]);
	if (!err)
		err = build_live(&live, argv[1], desired);
	if (err) {
		if (err == -ENOMEM)
			complain("out of memory");
		goto done;
	}
	err = plan_build(&plan, desired, live);
	if (!err)
		err = plan_to_json(&json, plan);
	if (err) {
		complain("plan: %s", strerror(-err));
		goto done;
	}
	text = cJSON_Print(json);
	if (!text || puts(text) == EOF || fflush(stdout))
		goto done;
	rc = 0;
done:
	free(text);
	cJSON_Delete(json);
	plan_free(plan);
	live_state_free(live);
	desired_state_free(desired);
	free(desired_path);
	diag_list_dispose(&diags);
	return rc;
}
