#include "cmd/output_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

int output_file_open(struct output_file *f, const char *path, mode_t mode)
{
	struct buf tmp;
	int fd, err = 0;

	memset(f, 0, sizeof(*f));
	f->path = path;
	buf_init(&tmp, BUF_SMALL_MAX);
	if (buf_printf(&tmp, "%s.tmp.XXXXXX", path)) {
		buf_dispose(&tmp);
		return -ENOMEM;
	}
	f->tmp_path = buf_detach(&tmp);
	if (!f->tmp_path)
		return -ENOMEM;
	fd = mkstemp(f->tmp_path); /* created 0600: nobody reads it before the chmod */
	if (fd < 0) {
		err = -errno;
		free(f->tmp_path);
		f->tmp_path = NULL;
		return err;
	}
	if (fchmod(fd, mode) || !(f->stream = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		output_file_abort(f);
	}
	return err;
}

int output_file_commit(struct output_file *f)
{
	int err = 0;

	if (!f->stream)
		return -EBADF;
	if (fflush(f->stream) || fsync(fileno(f->stream)))
		err = -errno;
	if (fclose(f->stream) && !err)
		err = -errno;
	f->stream = NULL;
	if (!err && rename(f->tmp_path, f->path))
		err = -errno;
	if (err) {
		output_file_abort(f);
		return err;
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	return 0;
}

void output_file_abort(struct output_file *f)
{
	if (f->stream)
		fclose(f->stream);
	f->stream = NULL;
	if (f->tmp_path)
		unlink(f->tmp_path);
	free(f->tmp_path);
	f->tmp_path = NULL;
}

int output_file_write(const char *path, const char *data, size_t len, mode_t mode)
{
	struct output_file f;
	int err = output_file_open(&f, path, mode);

	if (err)
		return err;
	if (len && fwrite(data, 1, len, f.stream) != len) {
		err = errno ? -errno : -EIO;
		output_file_abort(&f);
		return err;
	}
	return output_file_commit(&f);
}
