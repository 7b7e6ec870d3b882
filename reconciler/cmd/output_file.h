/* output_file: files a command writes whole or not at all (a saved plan, a CA
 * bundle, the metrics file, an export): written to a temporary file in the
 * same directory, synced, then renamed over the target, so a reader (a
 * pipeline, node_exporter) never sees half a file.
 *
 * struct output_file is the caller's; the stream and the temporary name are
 * owned by it until output_file_commit() or output_file_abort(). */
#ifndef ESR_CMD_OUTPUT_FILE_H
#define ESR_CMD_OUTPUT_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct output_file {
	FILE *stream;   /* write here */
	char *tmp_path; /* owned */
	const char *path;
};

/* Creates the temporary file beside path with permissions mode (0600 for
 * anything private). Returns 0, or a negative errno (nothing is left behind). */
int output_file_open(struct output_file *f, const char *path, mode_t mode);

/* Flushes and syncs the stream, closes it and renames the file to path.
 * Returns 0, or a negative errno after removing the temporary file. */
int output_file_commit(struct output_file *f);

/* Closes and removes the temporary file; harmless after a commit, or twice. */
void output_file_abort(struct output_file *f);

/* data[0..len) as the whole content of path. Returns 0 or a negative errno. */
int output_file_write(const char *path, const char *data, size_t len, mode_t mode);

#endif
