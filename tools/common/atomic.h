/* SPDX-License-Identifier: MIT */
/*
 * tools/common/atomic.h - replace a file atomically: the new contents go
 * to a temporary file in the target's directory, which is fsynced and
 * renamed over the target, and the directory is fsynced. A failure at any
 * step, and SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGXCPU,
 * SIGUSR1 or SIGUSR2 while the temporary file exists, remove it, so the
 * target is either the old file or the complete new one, never partial.
 *
 * What is replaced is decided as cp and objcopy users expect: an output
 * path that is a symbolic link replaces the file the link points at (the
 * link stays); a directory, a device, a FIFO, a socket or a dangling link
 * is refused (nothing is created, /dev/null is never replaced, even by
 * root); "-" is standard output, written through.
 *
 * A tool that patches a large file in place uses the steps on their own:
 * vmi_outfile_create, vmi_outfile_copy (the input, copied inside the
 * kernel as cp does, holes kept), vmi_outfile_map (the copy, to patch
 * where it lies), then vmi_outfile_commit or vmi_outfile_discard. One
 * outfile exists at a time (the signal handlers reach it through static
 * storage).
 */
#ifndef VMI_TOOL_ATOMIC_H
#define VMI_TOOL_ATOMIC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"

/* Skip both fsyncs. The temporary file and the rename stay, so a failing
 * run still leaves the old file or the new one; only a crash of the whole
 * machine soon after may lose the new contents (cp and objcopy never
 * sync). For build trees that are packaged afterwards anyway. */
#define VMI_WRITE_NO_SYNC 0x1u

typedef struct vmi_outfile {
	const char *path;   /* as given, named in messages (not owned) */
	char target[4096];  /* the file replaced: path, or the file a symbolic link at path points at */
	char dir[4096];     /* the target's directory */
	char tmp[4200];     /* the temporary file, "" when there is none */
	int fd;             /* open on tmp, -1 when closed */
	uint8_t *map;       /* vmi_outfile_map's shared mapping, NULL when none */
	size_t map_len;
	int keep_owner;     /* vmi_outfile_keep_owner: commit gives the file uid and gid */
	uid_t uid;
	gid_t gid;
} vmi_outfile;

/** vmi_outfile_is_stdout - @path is "-": standard output, written through. */
int vmi_outfile_is_stdout(const char *path);

/**
 * vmi_outfile_check - may @path be replaced? Resolves a symbolic link and
 * refuses what is not a regular file (see above). Creates nothing.
 * Return: VMI_EXIT_OK or VMI_EXIT_IO with @d filled.
 */
int vmi_outfile_check(const char *path, vmi_diag *d);

/**
 * vmi_outfile_create - check @path (vmi_outfile_check) and create the
 * temporary file for it: ".vmiXXXXXX" in the target's directory, so any
 * name the filesystem takes works as a target (no suffix on its name).
 * Return: VMI_EXIT_OK or VMI_EXIT_IO with @d filled (nothing left behind).
 */
int vmi_outfile_create(vmi_outfile *of, const char *path, vmi_diag *d);

/**
 * vmi_outfile_copy - fill the temporary file with the first @len bytes of
 * @src_fd: only the data (SEEK_DATA/SEEK_HOLE), so the holes of a sparse
 * file stay holes; copy_file_range (no copy through user space), or
 * read/pwrite where the kernel or the filesystems cannot.
 */
int vmi_outfile_copy(vmi_outfile *of, int src_fd, size_t len, vmi_diag *d);

/** vmi_outfile_write - fill the temporary file with @len bytes of @buf. */
int vmi_outfile_write(vmi_outfile *of, const void *buf, size_t len, vmi_diag *d);

/**
 * vmi_outfile_map - map the @len bytes of the temporary file shared and
 * writable: what is written there is the new file. Until commit or
 * discard, a SIGBUS (the filesystem cannot back a written page, or the
 * file shrank) removes the temporary file and exits 3 with one line on
 * stderr instead of leaving it behind.
 */
int vmi_outfile_map(vmi_outfile *of, size_t len, uint8_t **buf, vmi_diag *d);

/**
 * vmi_outfile_keep_owner - have commit give the new file owner @uid and
 * group @gid (--in-place keeps the file's owner). If they cannot be kept,
 * commit fails and nothing is written.
 */
void vmi_outfile_keep_owner(vmi_outfile *of, uid_t uid, gid_t gid);

/**
 * vmi_outfile_commit - give the new file mode @mode (after the owner), fsync it (unless
 * VMI_WRITE_NO_SYNC in @flags), rename it over the target and fsync the
 * directory. On failure the temporary file is removed.
 */
int vmi_outfile_commit(vmi_outfile *of, mode_t mode, uint32_t flags, vmi_diag *d);

/** vmi_outfile_discard - remove the temporary file (no-op when none). */
void vmi_outfile_discard(vmi_outfile *of);

/** vmi_write_stdout - write @len bytes of @buf to standard output. */
int vmi_write_stdout(const void *buf, size_t len, vmi_diag *d);

/**
 * vmi_atomic_write - replace @path with @len bytes of @buf, mode @mode
 * ("-": write them to standard output).
 * Return: VMI_EXIT_OK or VMI_EXIT_IO with @d naming the failed step.
 */
int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d);

#endif /* VMI_TOOL_ATOMIC_H */
