/* SPDX-License-Identifier: MIT */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define VMI_PM_PRESENT (1ull << 63)
#define VMI_PM_SWAPPED (1ull << 62)
#define VMI_PM_FILE (1ull << 61) /* file page or shared anonymous */
#define VMI_PM_BATCH 1024        /* entries read per pread */

/* Where a write failed: the step names the one-line error gives. */
typedef struct vmi_wfail {
	const char *step;
	int err;
} vmi_wfail;

static bool vmi_wfail_set(vmi_wfail *f, const char *step, int err)
{
	f->step = step;
	f->err = err;
	return false;
}

static bool vmi_pwrite_all(int fd, const uint8_t *p, size_t len, off_t off, vmi_wfail *f)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vmi_wfail_set(f, "write", n < 0 ? errno : ENOSPC);
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * Copy [off, off+len) from @src to the same offset of @dst in the kernel.
 * *can_copy drops to false (and the caller writes the range itself) when
 * the kernel or the filesystems cannot do it; any other failure fails.
 */
static bool vmi_copy_range(int src, int dst, off_t off, size_t len, bool *can_copy, vmi_wfail *f)
{
	off_t in = off, out = off;
	while (len) {
		ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && in == off && (errno == ENOSYS || errno == EXDEV || errno == EOPNOTSUPP ||
					   errno == EINVAL)) {
			*can_copy = false;
			return true;
		}
		if (n <= 0) /* 0: the input ended early, it changed under us */
			return vmi_wfail_set(f, "copy", n < 0 ? errno : ENODATA);
		len -= (size_t)n;
	}
	return true;
}

/* Write [off, off+len) of the output: copied from @src or written from @buf. */
static bool vmi_emit(int fd, int src, const uint8_t *buf, size_t off, size_t len, bool dirty,
		     bool *can_copy, vmi_wfail *f)
{
	if (!len)
		return true;
	if (!dirty && *can_copy) {
		if (!vmi_copy_range(src, fd, (off_t)off, len, can_copy, f))
			return false;
		if (*can_copy)
			return true;
	}
	return vmi_pwrite_all(fd, buf + off, len, (off_t)off, f);
}

/*
 * Fill @fd with the image: runs of pages this process never wrote are
 * copied from @src, the others written from @buf. Without the page map
 * the whole buffer is written.
 */
static bool vmi_fill_image(int fd, int src, const uint8_t *buf, size_t len, vmi_wfail *f)
{
	long page = sysconf(_SC_PAGESIZE);
	int pm = src >= 0 && page > 0 ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
	if (pm < 0 || (uintptr_t)buf % (uintptr_t)page) {
		if (pm >= 0)
			close(pm);
		return vmi_pwrite_all(fd, buf, len, 0, f);
	}
	size_t npages = (len + (size_t)page - 1) / (size_t)page;
	uint64_t ent[VMI_PM_BATCH];
	size_t run_start = 0;
	bool run_dirty = false, can_copy = true, ok = true;
	for (size_t pg = 0; ok && pg < npages;) {
		size_t n = npages - pg < VMI_PM_BATCH ? npages - pg : VMI_PM_BATCH;
		off_t at = (off_t)(((uintptr_t)buf / (uintptr_t)page + pg) * sizeof(uint64_t));
		if (pread(pm, ent, n * sizeof(uint64_t), at) != (ssize_t)(n * sizeof(uint64_t))) {
			/* No page map after all: write what is left as it is. */
			close(pm);
			return vmi_emit(fd, src, buf, run_start, len - run_start, true, &can_copy, f);
		}
		for (size_t k = 0; ok && k < n; k++, pg++) {
			uint64_t e = ent[k];
			bool dirty = (e & VMI_PM_SWAPPED) || ((e & VMI_PM_PRESENT) && !(e & VMI_PM_FILE));
			if (pg && dirty != run_dirty) {
				size_t end = pg * (size_t)page;
				ok = vmi_emit(fd, src, buf, run_start, end - run_start, run_dirty, &can_copy, f);
				run_start = end;
			}
			run_dirty = dirty;
		}
	}
	close(pm);
	return ok && vmi_emit(fd, src, buf, run_start, len - run_start, run_dirty, &can_copy, f);
}

int vmi_atomic_write_image(const char *path, int src_fd, const uint8_t *buf, size_t len, mode_t mode,
			   uint32_t flags, vmi_diag *d)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	const char *base = slash ? slash + 1 : path;
	char dir[4096], tmp[4200];
	bool sync = !(flags & VMI_WRITE_NO_SYNC);

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
	vmi_wfail f = { NULL, 0 };
	/* Past RLIMIT_FSIZE the kernel's SIGXFSZ would kill us mid-write and
	 * leave the temporary file behind; ignored, the write fails with EFBIG
	 * and the file is removed below like after any other failure. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_xfsz;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGXFSZ, &ign, &old_xfsz);
	vmi_fill_image(fd, src_fd, buf, len, &f);
	sigaction(SIGXFSZ, &old_xfsz, NULL);
	if (!f.step && fchmod(fd, mode & 07777) != 0)
		vmi_wfail_set(&f, "chmod", errno);
	if (!f.step && sync && fsync(fd) != 0)
		vmi_wfail_set(&f, "fsync", errno);
	if (close(fd) != 0 && !f.step)
		vmi_wfail_set(&f, "close", errno);
	if (!f.step && rename(tmp, path) != 0)
		vmi_wfail_set(&f, "rename", errno);
	if (f.step) {
		unlink(tmp);
		return vmi_diag_set(d, VMI_EXIT_IO, path, "%s failed: %s", f.step, strerror(f.err));
	}
	if (!sync)
		return VMI_EXIT_OK;
	/* Make the rename itself durable. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return VMI_EXIT_OK;
}

int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d)
{
	return vmi_atomic_write_image(path, -1, buf, len, mode, 0, d);
}
