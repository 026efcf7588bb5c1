/* app_keyfile: reading and creating key files, for the audit and the data keys. */
#include "app/app_keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum err app_keyfile_read(const char *path, const char *field, const char *what, bool secret,
                          char *buf, size_t cap, struct err_detail *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char eb[128];
	if (fd < 0)
		return err_set(d, ERR_IO, field, "cannot read the %s %s: %s", what, path,
		               strerror_r(errno, eb, sizeof eb));
	struct stat st;
	mode_t mode = fstat(fd, &st) == 0 ? st.st_mode : 0;
	size_t n = 0;
	ssize_t got = 1;
	while (got > 0 && n < cap - 1)
		if ((got = read(fd, buf + n, cap - 1 - n)) > 0)
			n += (size_t)got;
	close(fd);
	buf[n] = '\0';
	if (got < 0)
		return err_set(d, ERR_IO, field, "cannot read the %s %s", what, path);
	if (n == cap - 1)
		return err_set(d, ERR_INVALID, field, "%s: too large for a key file (the %s)", path,
		               what);
	if (secret && (mode & 077))
		return err_set(d, ERR_INVALID, field,
		               "the %s %s can be read by others (mode %04o): chmod 600 it", what,
		               path, (unsigned)(mode & 07777));
	return ERR_OK;
}

enum err app_keyfile_create(const char *path, const char *what, mode_t mode, const struct buf *text,
                            struct err_detail *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	char eb[128];
	if (fd < 0)
		return err_set(d, errno == EEXIST ? ERR_CONFLICT : ERR_IO, "FILE",
		               errno == EEXIST ? "%s exists: %s is never overwritten"
		                               : "cannot create %s: %s",
		               path, errno == EEXIST ? what : strerror_r(errno, eb, sizeof eb));
	size_t off = 0;
	while (off < text->len) {
		ssize_t w = write(fd, text->data + off, text->len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	bool ok = off == text->len && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok) {
		unlink(path);
		return err_set(d, ERR_IO, "FILE", "cannot write %s", path);
	}
	return ERR_OK;
}
