/* regular_file: opening a file named by the user for reading without ever
 * blocking: a named FIFO with no writer would hang open() forever. */
#ifndef ESR_UTIL_REGULAR_FILE_H
#define ESR_UTIL_REGULAR_FILE_H

#include <stdbool.h>
#include <stdio.h>

/* Opens path for reading when it is a regular file; with allow_open_pipe also
 * when it names a pipe some process already holds open for us (/dev/stdin,
 * /dev/fd/N, /proc/self/fd/N: what `-f <(...)` gives). Anything else (a named
 * FIFO, a device, a socket, a directory) is refused without blocking: NULL
 * with errno EINVAL (EISDIR for a directory). Otherwise NULL with the errno of
 * open(). The caller closes the stream. */
FILE *regular_file_open(const char *path, bool allow_open_pipe);

#endif
