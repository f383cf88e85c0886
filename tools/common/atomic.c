/* SPDX-License-Identifier: MIT */
#include "atomic.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	const char *base = slash ? slash + 1 : path;
	char dir[4096], tmp[4200];

	if (!*base)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path names a directory");
	if (dlen >= sizeof(dir) || strlen(path) + 16 >= sizeof(tmp))
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path too long");
	if (slash) {
		memcpy(dir, path, dlen);
		dir[dlen] = 0;
		if (!dlen)
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	/* Same directory as the target, so rename() cannot cross filesystems. */
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot create a temporary file in %s: %s", dir,
				    strerror(errno));
	const uint8_t *p = buf;
	size_t left = len;
	const char *step = NULL;
	int err = 0;
	/* Past RLIMIT_FSIZE the kernel's SIGXFSZ would kill us mid-write and
	 * leave the temporary file behind; ignored, write() fails with EFBIG
	 * and the file is removed below like after any other failure. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &old_xfsz);
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			step = "write";
			err = n < 0 ? errno : ENOSPC;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	sigaction(SIGXFSZ, &old_xfsz, NULL);
	if (!step && fchmod(fd, mode & 07777) != 0)
		step = "chmod", err = errno;
	if (!step && fsync(fd) != 0)
		step = "fsync", err = errno;
	if (close(fd) != 0 && !step)
		step = "close", err = errno;
	if (!step && rename(tmp, path) != 0)
		step = "rename", err = errno;
	if (step) {
		unlink(tmp);
		return vmi_diag_set(d, VMI_EXIT_IO, path, "%s failed: %s", step, strerror(err));
	}
	/* Make the rename itself durable. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return VMI_EXIT_OK;
}
