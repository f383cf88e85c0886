/* SPDX-License-Identifier: MIT */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *vmi_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "a special file";
	}
}

/* "expected a regular file, found a FIFO", one static text per type. */
static const char *vmi_not_regular(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return strerror(EISDIR);
	case S_IFCHR: return "expected a regular file, found a character device";
	case S_IFBLK: return "expected a regular file, found a block device";
	case S_IFIFO: return "expected a regular file, found a FIFO";
	case S_IFSOCK: return "expected a regular file, found a socket";
	default: return "expected a regular file, found a special file";
	}
}

int vmi_open_input(const char *path, struct stat *st, const char **why)
{
	/* O_NONBLOCK: opening a FIFO without a writer (or a tty, a tape)
	 * returns at once instead of waiting; the type check below then
	 * refuses it. O_NOCTTY: a terminal never becomes ours. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, st) != 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = vmi_not_regular(st->st_mode);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

FILE *vmi_fopen_input(const char *path, const char **why)
{
	struct stat st;
	int fd = vmi_open_input(path, &st, why);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f && fd >= 0) {
		*why = strerror(errno);
		close(fd);
	}
	return f;
}

char *vmi_text_escape(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	if (!size)
		return buf;
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[5];
		size_t n;
		if (c == '\\' || c == '"')
			n = (size_t)snprintf(e, sizeof(e), "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			n = (size_t)snprintf(e, sizeof(e), "%c", c);
		else
			n = (size_t)snprintf(e, sizeof(e), "\\x%02x", c);
		if (o + n >= size)
			break;
		memcpy(buf + o, e, n);
		o += n;
	}
	buf[o] = 0;
	return buf;
}
