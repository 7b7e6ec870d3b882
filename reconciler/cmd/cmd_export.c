/* esreconcile export: placeholder until the export lands. */
#include "cmd/cli.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return EXIT_USAGE;
}
