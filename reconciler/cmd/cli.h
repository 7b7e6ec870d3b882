/* cli: the options every command shares, and the command table's signature.
 *
 * cli_options only borrows argv strings; cli_options_dispose() frees the arrays. */
#ifndef ESR_CMD_CLI_H
#define ESR_CMD_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/exit_codes.h"

struct cli_options {
	const char **files;     /* -f FILE|DIR, repeatable */
	size_t file_count;
	const char **clusters;  /* --cluster ID, repeatable; empty = all */
	size_t cluster_count;
	const char *output;     /* -o text|json (NULL = text) */
	const char *out_file;   /* --out FILE */
	const char *report_file;/* --report FILE */
	const char *log_format; /* --log-format text|json */
	long parallel;          /* --parallel N, default 8 */
	long probe_parallel;    /* --probe-parallel N: password probes in flight, default 32 */
	long wait_ms;           /* --wait DURATION, default 30s */
	long interval_ms;       /* --interval DURATION (watch), default 5m */
	long jitter_percent;    /* --jitter N% (watch), 0 to 50, default 10 */
	const char *metrics_file;   /* --metrics-file FILE (watch) */
	const char *metrics_listen; /* --metrics-listen HOST:PORT (watch) */
	bool detect_only;       /* --detect-only (watch) */
	const char *adopt_from; /* --adopt-from OWNER: take over that owner's declared objects */
	bool strict;            /* --strict: warnings make plan exit 1 */
	const char *credentials_out; /* --credentials-out DIR: where apply hands new API keys over */
	bool rotate_keys;       /* --rotate-keys: replace the declared cross-cluster API keys */
	bool retire_keys;       /* --retire-keys: invalidate the keys a rotation superseded */
	bool reload_secure_settings; /* --reload-secure-settings: apply reloads the keystores */
	bool require_env;       /* --require-env: validate needs every ${VAR} set */
	bool auto_approve;
	bool allow_deletes;
	bool no_color;
	int verbose;            /* -v count */
	const char **positional;/* remaining operands, e.g. a saved plan file */
	size_t positional_count;
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* Parses the shared options; unknown options are usage errors (returns
 * EXIT_USAGE after printing "try 'esreconcile CMD --help'"). When --help was
 * given it prints `usage` and returns -1 with *done set. Returns 0 on success. */
int cli_parse(struct cli_options *opts, int argc, char **argv, const char *command,
	      const char *usage, bool *done);

/* Flags of cli_parse_flags(). */
enum {
	/* -o/--output names the file to write (into out_file), as in export and
	 * trust bundle, instead of the format text|json. */
	CLI_OUTPUT_IS_FILE = 1u << 0,
};

/* cli_parse() for a command whose options differ as flags says. */
int cli_parse_flags(struct cli_options *opts, int argc, char **argv, const char *command,
		    const char *usage, unsigned flags, bool *done);
void cli_options_dispose(struct cli_options *opts);

/* Whether coloured output is wanted on `stream` (TTY, no NO_COLOR, no --no-color). */
bool cli_use_color(const struct cli_options *opts, int fd);

/* Applies -v and --log-format to the logger. */
void cli_configure_logging(const struct cli_options *opts);

/* For commands that take no operands: -f is required and nothing else may
 * follow the options. Prints the usage error; returns 0 or EXIT_USAGE. */
int cli_require_files_only(const struct cli_options *opts, const char *command);

struct desired_state;

/* Loads the -f files for a command. Without -f it is a usage error (EXIT_USAGE);
 * invalid input prints every diagnostic on stderr (as JSON with --log-format
 * json) and returns EXIT_INVALID.
 * Returns EXIT_OK and *out (the caller frees it with desired_state_free). */
int cli_load_desired(struct desired_state **out, const struct cli_options *opts, const char *command);

struct desired_load_observer;

/* cli_load_desired(), telling observer of each cluster as its file is read
 * (desired/loader.h); observer may be NULL. */
int cli_load_desired_observed(struct desired_state **out, const struct cli_options *opts, const char *command,
			      const struct desired_load_observer *observer);

int cmd_validate(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_render(int argc, char **argv);

#endif
