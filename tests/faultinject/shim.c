/* SPDX-License-Identifier: MIT */
/*
 * tests/faultinject/shim.c - an LD_PRELOAD library that makes one file
 * operation of the tool under test fail, to prove the offline writer
 * leaves no partial output and never touches its input.
 *
 *   VMI_FAULT_OP   write | short | copy | fchmod | fsync | close | rename |
 *                  mkstemp
 *                  ("write" and "short" hit write() and pwrite() alike;
 *                  "short": that write stores half of its bytes and
 *                  returns the short count, the next write fails ENOSPC;
 *                  "copy": a copy_file_range fails EIO)
 *   VMI_FAULT_NOCOPY  set: no fault, but every copy_file_range fails
 *                  ENOSYS, as on a kernel or filesystem without it; the
 *                  writer must copy through its own reads and writes
 *   VMI_FAULT_NOCOPY_HIT  a file created when a copy_file_range was refused
 *   VMI_FAULT_N    which call of that kind fails (1 = the first; default 1)
 *   VMI_FAULT_HIT  a file created when the fault was injected, so a test
 *                  cannot pass because the tool never reached the call
 * write/pwrite/copy_file_range/fchmod/fsync/close count only calls on descriptors mkstemp
 * returned (the writer's temporary files): reading the input, the ROM and
 * the error line the tool prints are never disturbed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int vmi_fault_calls;
static int vmi_fault_short_done;
static int vmi_fault_tmp_fd = -1; /* the last descriptor mkstemp returned */

/* Leave the marker file (named by env @var) that proves a call was reached. */
static void vmi_fault_mark(const char *var)
{
	const char *hit = getenv(var);
	if (!hit)
		return;
	int (*real_open)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	int (*real_close)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
	int fd = real_open(hit, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		real_close(fd);
}

/* 1 when this call of @op is the one to fail. */
static int vmi_fault_now(const char *op)
{
	const char *want = getenv("VMI_FAULT_OP");
	if (!want || strcmp(want, op))
		return 0;
	const char *n = getenv("VMI_FAULT_N");
	if (++vmi_fault_calls != (n ? atoi(n) : 1))
		return 0;
	vmi_fault_mark("VMI_FAULT_HIT");
	return 1;
}

#define VMI_REAL(ret, name, ...) ((ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name))

/* The fault for a data write of @len bytes to @fd: 0 = none, else the
 * count to return (-1 with errno set, or the short count to pass on). */
static int vmi_fault_write(int fd, size_t len, size_t *short_len)
{
	if (fd != vmi_fault_tmp_fd)
		return 0;
	if (vmi_fault_short_done) {
		errno = ENOSPC;
		return -1;
	}
	if (len > 1 && vmi_fault_now("short")) {
		vmi_fault_short_done = 1;
		*short_len = len / 2;
		return 1;
	}
	if (vmi_fault_now("write")) {
		errno = EIO;
		return -1;
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	ssize_t (*real)(int, const void *, size_t) = VMI_REAL(ssize_t, write, int, const void *, size_t);
	size_t n = len;
	int f = vmi_fault_write(fd, len, &n);
	return f < 0 ? -1 : real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t) =
		VMI_REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	size_t n = len;
	int f = vmi_fault_write(fd, len, &n);
	return f < 0 ? -1 : real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}

ssize_t copy_file_range(int in, loff_t *in_off, int out, loff_t *out_off, size_t len, unsigned flags)
{
	if (out == vmi_fault_tmp_fd && getenv("VMI_FAULT_NOCOPY")) {
		vmi_fault_mark("VMI_FAULT_NOCOPY_HIT");
		errno = ENOSYS;
		return -1;
	}
	if (out == vmi_fault_tmp_fd && vmi_fault_now("copy")) {
		errno = EIO;
		return -1;
	}
	return VMI_REAL(ssize_t, copy_file_range, int, loff_t *, int, loff_t *, size_t, unsigned)(
		in, in_off, out, out_off, len, flags);
}

int fchmod(int fd, mode_t mode)
{
	if (fd == vmi_fault_tmp_fd && vmi_fault_now("fchmod")) {
		errno = EPERM;
		return -1;
	}
	return VMI_REAL(int, fchmod, int, mode_t)(fd, mode);
}

int fsync(int fd)
{
	if (fd == vmi_fault_tmp_fd && vmi_fault_now("fsync")) {
		errno = EIO;
		return -1;
	}
	return VMI_REAL(int, fsync, int)(fd);
}

int close(int fd)
{
	int rc = VMI_REAL(int, close, int)(fd);
	int tmp = fd == vmi_fault_tmp_fd;
	if (tmp)
		vmi_fault_tmp_fd = -1;
	if (tmp && rc == 0 && vmi_fault_now("close")) {
		errno = EIO; /* NFS-style: the data did not make it, the descriptor is gone anyway */
		return -1;
	}
	return rc;
}

int rename(const char *from, const char *to)
{
	if (vmi_fault_now("rename")) {
		errno = EXDEV;
		return -1;
	}
	return VMI_REAL(int, rename, const char *, const char *)(from, to);
}

/* The writer creates its temporary file with mkostemp (O_CLOEXEC): the
 * same step as mkstemp for the fault table. */
int mkostemp(char *tmpl, int flags)
{
	if (vmi_fault_now("mkstemp")) {
		errno = EACCES;
		return -1;
	}
	int fd = VMI_REAL(int, mkostemp, char *, int)(tmpl, flags);
	if (fd >= 0)
		vmi_fault_tmp_fd = fd;
	return fd;
}

int mkstemp(char *tmpl)
{
	if (vmi_fault_now("mkstemp")) {
		errno = EACCES;
		return -1;
	}
	int fd = VMI_REAL(int, mkstemp, char *)(tmpl);
	if (fd >= 0)
		vmi_fault_tmp_fd = fd;
	return fd;
}
