/* SPDX-License-Identifier: MIT */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/*
 * The temporary file the signal handlers remove: a handler can only reach
 * static storage. Set while an outfile has a temporary file (armed), with
 * the signals below blocked around every change, so a signal never sees a
 * half-copied name and never removes a file that was renamed already.
 */
static char vmi_guard_tmp[4200];
static const int vmi_guard_sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE,
				      SIGALRM, SIGXCPU, SIGUSR1, SIGUSR2 };
#define VMI_GUARD_NSIGS (sizeof(vmi_guard_sigs) / sizeof(vmi_guard_sigs[0]))
static struct sigaction vmi_guard_saved[VMI_GUARD_NSIGS];
static bool vmi_guard_installed[VMI_GUARD_NSIGS];

/* The SIGBUS guard of a mapped outfile: its message, the old action. */
static char vmi_bus_msg[4400];
static size_t vmi_bus_msg_len;
static struct sigaction vmi_bus_old;
static bool vmi_bus_on;

/* Termination: remove the temporary file, put the old action back and
 * raise the signal again; it is blocked while this runs, so it arrives
 * (and, by default, ends the process with that signal) on return. Only
 * async-signal-safe calls. */
static void vmi_guard_term(int sig)
{
	int e = errno;
	if (vmi_guard_tmp[0])
		unlink(vmi_guard_tmp);
	vmi_guard_tmp[0] = 0;
	for (size_t i = 0; i < VMI_GUARD_NSIGS; i++)
		if (vmi_guard_sigs[i] == sig && vmi_guard_installed[i]) {
			sigaction(sig, &vmi_guard_saved[i], NULL);
			vmi_guard_installed[i] = false;
		}
	raise(sig);
	errno = e;
}

static void vmi_guard_bus(int sig)
{
	(void)sig;
	if (vmi_guard_tmp[0])
		unlink(vmi_guard_tmp);
	ssize_t n = write(STDERR_FILENO, vmi_bus_msg, vmi_bus_msg_len);
	(void)n;
	_exit(VMI_EXIT_IO);
}

static void vmi_guard_block(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	for (size_t i = 0; i < VMI_GUARD_NSIGS; i++)
		sigaddset(&s, vmi_guard_sigs[i]);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void vmi_guard_unblock(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/* With the signals blocked: from now on a signal removes @tmp. A signal
 * the caller ignores (nohup) stays ignored. */
static void vmi_guard_arm(const char *tmp)
{
	snprintf(vmi_guard_tmp, sizeof(vmi_guard_tmp), "%s", tmp);
	struct sigaction sa = { .sa_handler = vmi_guard_term };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < VMI_GUARD_NSIGS; i++)
		sigaddset(&sa.sa_mask, vmi_guard_sigs[i]);
	for (size_t i = 0; i < VMI_GUARD_NSIGS; i++) {
		vmi_guard_installed[i] = false;
		if (sigaction(vmi_guard_sigs[i], NULL, &vmi_guard_saved[i]) != 0 ||
		    vmi_guard_saved[i].sa_handler == SIG_IGN)
			continue;
		vmi_guard_installed[i] = sigaction(vmi_guard_sigs[i], &sa, NULL) == 0;
	}
}

/* With the signals blocked: the temporary file is gone or renamed. */
static void vmi_guard_disarm(void)
{
	vmi_guard_tmp[0] = 0;
	for (size_t i = 0; i < VMI_GUARD_NSIGS; i++)
		if (vmi_guard_installed[i]) {
			sigaction(vmi_guard_sigs[i], &vmi_guard_saved[i], NULL);
			vmi_guard_installed[i] = false;
		}
}

static void vmi_bus_off(void)
{
	if (vmi_bus_on) {
		sigaction(SIGBUS, &vmi_bus_old, NULL);
		vmi_bus_on = false;
	}
}

static void vmi_outfile_unmap(vmi_outfile *of)
{
	if (of->map) {
		munmap(of->map, of->map_len);
		of->map = NULL;
	}
	vmi_bus_off();
}

/* One failed step: remove the temporary file and say which step. */
static int vmi_outfile_fail(vmi_outfile *of, const char *step, int err, vmi_diag *d)
{
	vmi_outfile_discard(of);
	return vmi_diag_set(d, VMI_EXIT_IO, of->path, "%s failed: %s; nothing written", step, strerror(err));
}

void vmi_outfile_discard(vmi_outfile *of)
{
	vmi_outfile_unmap(of);
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp[0]) {
		sigset_t old;
		vmi_guard_block(&old);
		unlink(of->tmp);
		vmi_guard_disarm();
		vmi_guard_unblock(&old);
	}
	of->tmp[0] = 0;
}

int vmi_outfile_is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

/*
 * What @path replaces: itself, or the file its symbolic link points at
 * (the link stays, as cp and objcopy write through it). Only a regular
 * file or a name not taken yet is replaced; anything else is refused
 * here, before a temporary file exists. Fills target and dir.
 */
static int vmi_outfile_resolve(vmi_outfile *of, const char *path, vmi_diag *d)
{
	struct stat st;
	size_t plen = strlen(path);

	if (!plen)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "empty output path");
	if (path[plen - 1] == '/')
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot write the output: %s", strerror(EISDIR));
	if (plen >= sizeof(of->target))
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path too long");
	memcpy(of->target, path, plen + 1);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (!real) {
			int e = errno;
			if (e == ENOENT)
				return vmi_diag_set(d, VMI_EXIT_IO, path,
						    "is a symbolic link to a missing file; not writing through it");
			return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot resolve the symbolic link: %s",
					    strerror(e));
		}
		size_t rlen = strlen(real);
		if (rlen >= sizeof(of->target)) {
			free(real);
			return vmi_diag_set(d, VMI_EXIT_IO, path, "output path too long");
		}
		memcpy(of->target, real, rlen + 1);
		free(real);
	}
	/* A name not taken yet (or in a directory we cannot see into): the
	 * temporary file's creation says what is wrong, if anything. */
	if (stat(of->target, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot write the output: %s", strerror(EISDIR));
		return vmi_diag_set(d, VMI_EXIT_IO, path,
				    "is %s; only a regular file is replaced (-o - writes to standard output)",
				    vmi_file_type_name(st.st_mode));
	}
	const char *slash = strrchr(of->target, '/');
	if (!slash) {
		strcpy(of->dir, ".");
	} else if (slash == of->target) {
		strcpy(of->dir, "/");
	} else {
		memcpy(of->dir, of->target, (size_t)(slash - of->target));
		of->dir[slash - of->target] = 0;
	}
	if (strlen(of->dir) + sizeof("/.vmiXXXXXX") > sizeof(of->tmp))
		return vmi_diag_set(d, VMI_EXIT_IO, path, "output path too long");
	return VMI_EXIT_OK;
}

int vmi_outfile_check(const char *path, vmi_diag *d)
{
	static vmi_outfile probe;
	memset(&probe, 0, sizeof(probe));
	return vmi_outfile_resolve(&probe, path, d);
}

int vmi_outfile_create(vmi_outfile *of, const char *path, vmi_diag *d)
{
	memset(of, 0, sizeof(*of));
	of->path = path;
	of->fd = -1;
	int rc = vmi_outfile_resolve(of, path, d);
	if (rc)
		return rc;
	/* Same directory as the target, so rename() cannot cross filesystems;
	 * a short name of its own, so a target name of NAME_MAX bytes works. */
	snprintf(of->tmp, sizeof(of->tmp), "%s/.vmiXXXXXX", of->dir);
	sigset_t old;
	vmi_guard_block(&old);
	of->fd = mkostemp(of->tmp, O_CLOEXEC);
	int e = errno;
	if (of->fd >= 0)
		vmi_guard_arm(of->tmp);
	vmi_guard_unblock(&old);
	if (of->fd < 0) {
		of->tmp[0] = 0;
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot create a temporary file in %s: %s", of->dir,
				    strerror(e));
	}
	return VMI_EXIT_OK;
}

void vmi_outfile_keep_owner(vmi_outfile *of, uid_t uid, gid_t gid)
{
	of->keep_owner = 1;
	of->uid = uid;
	of->gid = gid;
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

/* Copy [off, off+len) of @src to the same place in @dst, in the kernel
 * where it can. Returns the failed step, or NULL. */
static const char *vmi_copy_range(int src, int dst, off_t off, size_t len, int *err)
{
	off_t in = off, out = off;
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
 * Copy the first @len bytes of @src to @dst, keeping holes: @dst gets its
 * length first (all hole), then only the data extents SEEK_DATA and
 * SEEK_HOLE find are copied. Where the filesystem cannot say, all of it
 * is data. Returns the failed step, or NULL.
 */
static const char *vmi_copy_all(int src, int dst, size_t len, int *err)
{
	const off_t end = (off_t)len;
	if (len > (size_t)LLONG_MAX) {
		*err = EFBIG;
		return "copy";
	}
	if (ftruncate(dst, end) != 0) {
		*err = errno;
		return "write";
	}
	off_t pos = 0;
	while (pos < end) {
		off_t data = lseek(src, pos, SEEK_DATA), hole;
		if (data < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (data < 0) {
			data = pos; /* no SEEK_DATA here: the rest is data */
			hole = end;
		} else {
			hole = lseek(src, data, SEEK_HOLE);
			if (hole < 0 || hole > end)
				hole = end;
		}
		if (data >= end)
			break;
		const char *step = vmi_copy_range(src, dst, data, (size_t)(hole - data), err);
		if (step)
			return step;
		pos = hole;
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
	int n = snprintf(vmi_bus_msg, sizeof(vmi_bus_msg),
			 "%s: %s: the filesystem could not keep a patched page (full?); nothing written\n",
			 program_invocation_short_name, of->path);
	vmi_bus_msg_len = n > 0 && (size_t)n < sizeof(vmi_bus_msg) ? (size_t)n : 0;
	struct sigaction sa = { .sa_handler = vmi_guard_bus };
	sigemptyset(&sa.sa_mask);
	vmi_bus_on = sigaction(SIGBUS, &sa, &vmi_bus_old) == 0;
	return VMI_EXIT_OK;
}

int vmi_outfile_commit(vmi_outfile *of, mode_t mode, uint32_t flags, vmi_diag *d)
{
	bool sync = !(flags & VMI_WRITE_NO_SYNC);
	/* The owner first: changing it clears the set-id bits fchmod sets. */
	if (of->keep_owner && fchown(of->fd, of->uid, of->gid) != 0) {
		int e = errno;
		struct stat now;
		if (fstat(of->fd, &now) != 0 || now.st_uid != of->uid || now.st_gid != of->gid) {
			vmi_outfile_discard(of);
			return vmi_diag_set(d, VMI_EXIT_IO, of->path,
					    "cannot keep owner %u and group %u: %s; nothing written",
					    (unsigned)of->uid, (unsigned)of->gid, strerror(e));
		}
	}
	if (fchmod(of->fd, mode & 07777) != 0)
		return vmi_outfile_fail(of, "chmod", errno, d);
	/* fsync writes back the pages written through the mapping too. */
	if (sync && fsync(of->fd) != 0)
		return vmi_outfile_fail(of, "fsync", errno, d);
	vmi_outfile_unmap(of);
	int fd = of->fd;
	of->fd = -1;
	if (close(fd) != 0)
		return vmi_outfile_fail(of, "close", errno, d);
	sigset_t old;
	vmi_guard_block(&old);
	int r = rename(of->tmp, of->target), e = errno;
	if (r == 0) {
		vmi_guard_disarm();
		of->tmp[0] = 0;
	}
	vmi_guard_unblock(&old);
	if (r != 0)
		return vmi_outfile_fail(of, "rename", e, d);
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

int vmi_write_stdout(const void *buf, size_t len, vmi_diag *d)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vmi_diag_set(d, VMI_EXIT_IO, "standard output", "write failed: %s",
					    n < 0 ? strerror(errno) : "no progress");
		p += n;
		len -= (size_t)n;
	}
	return VMI_EXIT_OK;
}

int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d)
{
	if (vmi_outfile_is_stdout(path))
		return vmi_write_stdout(buf, len, d);
	vmi_outfile of;
	int rc = vmi_outfile_create(&of, path, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_write(&of, buf, len, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_commit(&of, mode, 0, d);
	return rc;
}
