#include "cmd/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desired/loader.h"
#include "desired/model.h"
#include "util/diag.h"
#include "util/duration.h"
#include "util/heap.h"
#include "util/log.h"

enum long_only_option {
	OPT_OUT = 256,
	OPT_REPORT,
	OPT_LOG_FORMAT,
	OPT_PARALLEL,
	OPT_PROBE_PARALLEL,
	OPT_WAIT,
	OPT_INTERVAL,
	OPT_AUTO_APPROVE,
	OPT_ALLOW_DELETES,
	OPT_NO_COLOR,
	OPT_CLUSTER,
	OPT_JITTER,
	OPT_DETECT_ONLY,
	OPT_METRICS_FILE,
	OPT_METRICS_LISTEN,
	OPT_ADOPT_FROM,
	OPT_STRICT,
	OPT_REQUIRE_ENV,
	OPT_CREDENTIALS_OUT,
	OPT_ROTATE_KEYS,
	OPT_RETIRE_KEYS,
	OPT_RELOAD_SECURE_SETTINGS,
};

static int push(const char ***array, size_t *count, const char *value)
{
	const char **grown = realloc((void *)*array, (*count + 1) * sizeof(**array));

	if (!grown)
		return -ENOMEM;
	grown[(*count)++] = value;
	*array = grown;
	return 0;
}

static int usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "esreconcile %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'esreconcile %s --help'\n", command);
	return EXIT_USAGE;
}

/* "10%" or "10": a whole percentage from 0 to 50 (more would let two
 * intervals overlap). */
static int parse_jitter(const char *text, long *out)
{
	char *end = NULL;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || (*end && strcmp(end, "%") != 0) || value < 0 || value > 50)
		return -EINVAL;
	*out = value;
	return 0;
}

static int parse_count(const char *text, long *out)
{
	char *end = NULL;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < 1 || value > 1024)
		return -EINVAL;
	*out = value;
	return 0;
}

int cli_parse(struct cli_options *opts, int argc, char **argv, const char *command,
	      const char *usage, bool *done)
{
	return cli_parse_flags(opts, argc, argv, command, usage, 0, done);
}

int cli_parse_flags(struct cli_options *opts, int argc, char **argv, const char *command,
		    const char *usage, unsigned flags, bool *done)
{
	static const struct option options[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "parallel", required_argument, NULL, OPT_PARALLEL },
		{ "probe-parallel", required_argument, NULL, OPT_PROBE_PARALLEL },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "auto-approve", no_argument, NULL, OPT_AUTO_APPROVE },
		{ "allow-deletes", no_argument, NULL, OPT_ALLOW_DELETES },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "cluster", required_argument, NULL, OPT_CLUSTER },
		{ "jitter", required_argument, NULL, OPT_JITTER },
		{ "detect-only", no_argument, NULL, OPT_DETECT_ONLY },
		{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
		{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
		{ "adopt-from", required_argument, NULL, OPT_ADOPT_FROM },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "require-env", no_argument, NULL, OPT_REQUIRE_ENV },
		{ "credentials-out", required_argument, NULL, OPT_CREDENTIALS_OUT },
		{ "rotate-keys", no_argument, NULL, OPT_ROTATE_KEYS },
		{ "retire-keys", no_argument, NULL, OPT_RETIRE_KEYS },
		{ "reload-secure-settings", no_argument, NULL, OPT_RELOAD_SECURE_SETTINGS },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	memset(opts, 0, sizeof(*opts));
	opts->parallel = 8;
	opts->probe_parallel = 32;
	opts->wait_ms = 30000;
	opts->interval_ms = 5L * 60 * 1000;
	opts->jitter_percent = 10;
	*done = false;
	optind = 0; /* full reset, so several commands can be parsed in one process (tests) */
	opterr = 0;
	/* options may follow operands (`apply PLAN.json --auto-approve`); "--" ends them */
	while (!err && (c = getopt_long(argc, argv, "f:o:vh", options, NULL)) != -1) {
		switch (c) {
		case 'f': err = push(&opts->files, &opts->file_count, optarg); break;
		case 'o':
			if (flags & CLI_OUTPUT_IS_FILE) {
				opts->out_file = optarg;
				break;
			}
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return usage_error(command, "--output must be text or json, not '%s'", optarg);
			opts->output = optarg;
			break;
		case 'v': opts->verbose++; break;
		case 'h':
			fputs(usage, stdout);
			*done = true;
			return -1;
		case OPT_OUT: opts->out_file = optarg; break;
		case OPT_REPORT: opts->report_file = optarg; break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return usage_error(command, "--log-format must be text or json, not '%s'", optarg);
			opts->log_format = optarg;
			break;
		case OPT_PARALLEL:
			if (parse_count(optarg, &opts->parallel))
				return usage_error(command, "--parallel takes a number from 1 to 1024, not '%s'", optarg);
			break;
		case OPT_PROBE_PARALLEL:
			if (parse_count(optarg, &opts->probe_parallel))
				return usage_error(command, "--probe-parallel takes a number from 1 to 1024, not '%s'",
						   optarg);
			break;
		case OPT_WAIT:
			if (duration_parse_ms(optarg, &opts->wait_ms))
				return usage_error(command, "--wait takes a duration such as 30s or 2m, not '%s'", optarg);
			break;
		case OPT_INTERVAL:
			if (duration_parse_ms(optarg, &opts->interval_ms) || opts->interval_ms <= 0)
				return usage_error(command, "--interval takes a duration such as 5m, not '%s'", optarg);
			break;
		case OPT_AUTO_APPROVE: opts->auto_approve = true; break;
		case OPT_ALLOW_DELETES: opts->allow_deletes = true; break;
		case OPT_NO_COLOR: opts->no_color = true; break;
		case OPT_CLUSTER: err = push(&opts->clusters, &opts->cluster_count, optarg); break;
		case OPT_JITTER:
			if (parse_jitter(optarg, &opts->jitter_percent))
				return usage_error(command, "--jitter takes a percentage from 0%% to 50%%, not '%s'",
						   optarg);
			break;
		case OPT_DETECT_ONLY: opts->detect_only = true; break;
		case OPT_METRICS_FILE: opts->metrics_file = optarg; break;
		case OPT_METRICS_LISTEN: opts->metrics_listen = optarg; break;
		case OPT_ADOPT_FROM:
			if (!desired_valid_id(optarg))
				return usage_error(command, "--adopt-from takes an owner name ([A-Za-z0-9_-]+), not '%s'",
						   optarg);
			opts->adopt_from = optarg;
			break;
		case OPT_STRICT: opts->strict = true; break;
		case OPT_REQUIRE_ENV: opts->require_env = true; break;
		case OPT_CREDENTIALS_OUT: opts->credentials_out = optarg; break;
		case OPT_ROTATE_KEYS: opts->rotate_keys = true; break;
		case OPT_RETIRE_KEYS: opts->retire_keys = true; break;
		case OPT_RELOAD_SECURE_SETTINGS: opts->reload_secure_settings = true; break;
		case ':':
			return usage_error(command, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(command, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (err) {
		fprintf(stderr, "esreconcile %s: out of memory\n", command);
		return EXIT_INVALID;
	}
	opts->positional = (const char **)argv + optind;
	opts->positional_count = (size_t)(argc - optind);
	return 0;
}

void cli_options_dispose(struct cli_options *opts)
{
	if (!opts)
		return;
	free((void *)opts->files);
	free((void *)opts->clusters);
	opts->files = NULL;
	opts->clusters = NULL;
}

bool cli_use_color(const struct cli_options *opts, int fd)
{
	const char *no_color = getenv("NO_COLOR");

	if (opts->no_color || (no_color && *no_color))
		return false;
	return isatty(fd) == 1;
}

void cli_configure_logging(const struct cli_options *opts)
{
	enum log_level level = LOG_NOTICE;

	if (opts->verbose == 1)
		level = LOG_INFO;
	else if (opts->verbose > 1)
		level = LOG_DEBUG;
	log_configure(level, opts->log_format && !strcmp(opts->log_format, "json")
				     ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
}

int cli_require_files_only(const struct cli_options *opts, const char *command)
{
	if (!opts->file_count)
		return usage_error(command, "%s", "missing -f FILE");
	if (opts->positional_count)
		return usage_error(command, "unexpected operand '%s'; files are given with -f",
				   opts->positional[0]);
	return 0;
}

int cli_load_desired(struct desired_state **out, const struct cli_options *opts, const char *command)
{
	return cli_load_desired_observed(out, opts, command, NULL);
}

int cli_load_desired_observed(struct desired_state **out, const struct cli_options *opts, const char *command,
			      const struct desired_load_observer *observer)
{
	struct diag_list diags;
	int code = EXIT_OK;

	*out = NULL;
	if (!opts->file_count)
		return usage_error(command, "%s", "no desired state given: pass -f FILE or -f DIR");
	diag_list_init(&diags);
	if (desired_load_observed(out, opts->files, opts->file_count, observer, &diags) < 0 ||
	    (opts->adopt_from && !((*out)->policy.adopt_from = strdup(opts->adopt_from))))
		code = EXIT_INVALID;
	if (*out) {
		(*out)->policy.rotate_keys = opts->rotate_keys;
		(*out)->policy.retire_keys = opts->retire_keys;
	}
	/* the files' texts and trees are freed: the readers that follow run on
	 * other threads */
	heap_release_freed();
	if (diags.count && opts->log_format && !strcmp(opts->log_format, "json"))
		diag_print_json(&diags, stderr);
	else
		diag_print_text(&diags, stderr, cli_use_color(opts, STDERR_FILENO));
	diag_list_dispose(&diags);
	return code;
}
