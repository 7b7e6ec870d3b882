/* esreconcile: declarative reconciler for Elasticsearch cross-cluster setups.
 * The command table; each command lives in cmd/cmd_<name>.c. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cmd/cli.h"
#include "es/http.h"
#include "util/heap.h"

static const struct command commands[] = {
	{ "validate", "check desired-state files offline", cmd_validate },
	{ "plan", "show the changes that would bring the clusters to the desired state", cmd_plan },
	{ "apply", "make the changes and verify the result", cmd_apply },
	{ "watch", "correct drift periodically, with metrics", cmd_watch },
	{ "export", "write the live objects of a cluster as desired state", cmd_export },
	{ "trust", "verify transport trust (check) or write a CA bundle (bundle)", cmd_trust },
	{ "render", "print the elasticsearch.yml lines a cluster needs (trust, static remotes)", cmd_render },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
	size_t i;

	fputs("usage: esreconcile COMMAND [options]\n\ncommands:\n", out);
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'esreconcile COMMAND --help' for a command's options.\n", out);
}

/* A full disk or a closed pipe on stdout must not end as a success. */
static int finish(int code)
{
	if (ferror(stdout) || fclose(stdout) != 0) {
		fputs("esreconcile: error: could not write standard output\n", stderr);
		return code == 0 ? 1 : code;
	}
	return code;
}

/* Passwords and API keys live in this process's memory: a crash must not
 * write them to a core file. */
static void forbid_core_dumps(void)
{
	const struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
}

int main(int argc, char **argv)
{
	size_t i;

	forbid_core_dumps();
	heap_limit_arenas();

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_usage(stdout);
		return finish(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("esreconcile %s\n", ESR_VERSION);
		return finish(EXIT_OK);
	}
	for (i = 0; i < COMMAND_COUNT; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			int code = commands[i].run(argc - 1, argv + 1);

			/* after every client is freed: leaves nothing for valgrind to report */
			es_global_cleanup();
			return finish(code);
		}
	}
	fprintf(stderr, "esreconcile: unknown command '%s'\ntry 'esreconcile --help'\n", argv[1]);
	return EXIT_USAGE;
}
