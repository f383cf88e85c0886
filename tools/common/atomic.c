/* SPDX-License-Identifier: MIT */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file and message the SIGBUS guard uses: a handler can only
 * reach static storage. One outfile is mapped at a time. */
static char vmi_guard_tmp[4200];
static char vmi_guard_msg[4400];
static size_t vmi_guard_msg_len;
static struct sigaction vmi_guard_old;

static void vmi_guard_handler(int sig)
{
	(void)sig;
	unlink(vmi_guard_tmp);
	ssize_t n = write(STDERR_FILENO, vmi_guard_msg, vmi_guard_msg_len);
	(void)n;
	_exit(VMI_EXIT_IO);
}

static void vmi_guard_off(void)
{
	if (vmi_guard_tmp[0]) {
		sigaction(SIGBUS, &vmi_guard_old, NULL);
		vmi_guard_tmp[0] = 0;
	}
}

/* One failed step: remove the temporary file and say which step. */
static int vmi_outfile_fail(vmi_outfile *of, const char *step, int err, vmi_diag *d)
{
	vmi_outfile_discard(of);
	return vmi_diag_set(d, VMI_EXIT_IO, of->path, "%s failed: %s", step, strerror(err));
}

void vmi_outfile_discard(vmi_outfile *of)
{
	if (of->map) {
		munmap(of->map, of->map_len);
		of->map = NULL;
	}
	vmi_guard_off();
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp[0])
		unlink(of->tmp);
	of->tmp[0] = 0;
}

int vmi_outfile_create(vmi_outfile *of, const char *path, vmi_diag *d)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	const char *base = slash ? slash + 1 : path;

	memset(of, 0, sizeof(*of));
	of->path = path;
	of->fd = -1;
	if (!*base)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path names a directory");
	if (dlen >= sizeof(of->dir) || strlen(path) + 16 >= sizeof(of->tmp))
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path too long");
	if (slash) {
		memcpy(of->dir, path, dlen);
		of->dir[dlen] = 0;
		if (!dlen)
			strcpy(of->dir, "/");
	} else {
		strcpy(of->dir, ".");
	}
	/* Same directory as the target, so rename() cannot cross filesystems. */
	snprintf(of->tmp, sizeof(of->tmp), "%s/.%s.XXXXXX", of->dir, base);
	of->fd = mkstemp(of->tmp);
	if (of->fd < 0) {
		int e = errno;
		of->tmp[0] = 0;
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot create a temporary file in %s: %s", of->dir,
				    strerror(e));
	}
	return VMI_EXIT_OK;
}

static bool vmi_pwrite_all(int fd, const uint8_t *p, size_t len, off_t off, int *err)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : ENOSPC;
			return false;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return true;
}

/* Copy [off, off+len) without copy_file_range: through a buffer. Returns
 * the failed step, or NULL. */
static const char *vmi_copy_rw(int src, int dst, off_t off, size_t len, int *err)
{
	static uint8_t chunk[1 << 20];
	while (len) {
		size_t want = len < sizeof(chunk) ? len : sizeof(chunk);
		ssize_t n = pread(src, chunk, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : ENODATA; /* 0: the input shrank */
			return "read";
		}
		if (!vmi_pwrite_all(dst, chunk, (size_t)n, off, err))
			return "write";
		off += n;
		len -= (size_t)n;
	}
	return NULL;
}

/* Copy the first @len bytes of @src to @dst in the kernel where it can.
 * Returns the failed step, or NULL. */
static const char *vmi_copy_all(int src, int dst, size_t len, int *err)
{
	off_t in = 0, out = 0;
	while (len) {
		ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/* Not supported here (old kernel, across filesystems, special
		 * files): copy the rest through user space. */
		if (n < 0 && (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP || errno == EINVAL))
			return vmi_copy_rw(src, dst, in, len, err);
		if (n <= 0) {
			*err = n < 0 ? errno : ENODATA; /* 0: the input shrank */
			return "copy";
		}
		len -= (size_t)n;
	}
	return NULL;
}

/*
 * Filling runs with SIGXFSZ ignored: past RLIMIT_FSIZE the kernel's signal
 * would kill us mid-write and leave the temporary file behind; ignored,
 * the write fails with EFBIG and the file is removed like after any other
 * failure.
 */
static void vmi_xfsz_ignore(struct sigaction *old)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, old);
}

/* Restore SIGXFSZ; on a failed @step remove the temporary file. */
static int vmi_outfile_filled(vmi_outfile *of, const struct sigaction *old, const char *step, int err,
			      vmi_diag *d)
{
	sigaction(SIGXFSZ, old, NULL);
	return step ? vmi_outfile_fail(of, step, err, d) : VMI_EXIT_OK;
}

int vmi_outfile_copy(vmi_outfile *of, int src_fd, size_t len, vmi_diag *d)
{
	struct sigaction old;
	int err = 0;
	vmi_xfsz_ignore(&old);
	const char *step = vmi_copy_all(src_fd, of->fd, len, &err);
	return vmi_outfile_filled(of, &old, step, err, d);
}

int vmi_outfile_write(vmi_outfile *of, const void *buf, size_t len, vmi_diag *d)
{
	struct sigaction old;
	int err = 0;
	vmi_xfsz_ignore(&old);
	const char *step = vmi_pwrite_all(of->fd, buf, len, 0, &err) ? NULL : "write";
	return vmi_outfile_filled(of, &old, step, err, d);
}

int vmi_outfile_map(vmi_outfile *of, size_t len, uint8_t **buf, vmi_diag *d)
{
	void *m = len ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, of->fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED)
		return vmi_outfile_fail(of, "mmap", len ? errno : EINVAL, d);
	of->map = m;
	of->map_len = len;
	*buf = m;
	snprintf(vmi_guard_tmp, sizeof(vmi_guard_tmp), "%s", of->tmp);
	int n = snprintf(vmi_guard_msg, sizeof(vmi_guard_msg),
			 "%s: %s: the filesystem could not keep a patched page (full?); nothing written\n",
			 program_invocation_short_name, of->path);
	vmi_guard_msg_len = n > 0 && (size_t)n < sizeof(vmi_guard_msg) ? (size_t)n : 0;
	struct sigaction sa = { .sa_handler = vmi_guard_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &vmi_guard_old);
	return VMI_EXIT_OK;
}

int vmi_outfile_commit(vmi_outfile *of, mode_t mode, uint32_t flags, vmi_diag *d)
{
	bool sync = !(flags & VMI_WRITE_NO_SYNC);
	/* fsync writes back the pages written through the mapping too. */
	if (fchmod(of->fd, mode & 07777) != 0)
		return vmi_outfile_fail(of, "chmod", errno, d);
	if (sync && fsync(of->fd) != 0)
		return vmi_outfile_fail(of, "fsync", errno, d);
	if (of->map) {
		munmap(of->map, of->map_len);
		of->map = NULL;
	}
	vmi_guard_off();
	int fd = of->fd;
	of->fd = -1;
	if (close(fd) != 0)
		return vmi_outfile_fail(of, "close", errno, d);
	if (rename(of->tmp, of->path) != 0)
		return vmi_outfile_fail(of, "rename", errno, d);
	of->tmp[0] = 0;
	if (!sync)
		return VMI_EXIT_OK;
	/* Make the rename itself durable. */
	int dfd = open(of->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return VMI_EXIT_OK;
}

int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d)
{
	vmi_outfile of;
	int rc = vmi_outfile_create(&of, path, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_write(&of, buf, len, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_commit(&of, mode, 0, d);
	return rc;
}
