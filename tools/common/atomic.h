/* SPDX-License-Identifier: MIT */
/*
 * tools/common/atomic.h - write a whole file atomically: a temporary file
 * in the target's directory, fsync, rename over the target, fsync the
 * directory. A failure at any step removes the temporary file, so the
 * target is either the old file or the complete new one, never partial.
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

/**
 * vmi_atomic_write - replace @path with @len bytes of @buf, mode @mode.
 * Return: VMI_EXIT_OK or VMI_EXIT_IO with @d naming the failed step.
 */
int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d);

/**
 * vmi_atomic_write_image - as vmi_atomic_write for @buf, a private
 * writable mapping of all @len bytes of the open file @src_fd (or
 * @src_fd < 0: any buffer, written as a whole). The pages this process
 * never wrote are still the file's, so they are copied from @src_fd inside
 * the kernel (copy_file_range; cp does the same) and only the pages it
 * wrote are written from @buf: a 64 MiB kernel whose text is patched costs
 * little more than cp. Which pages were written is read from
 * /proc/self/pagemap (a written private page is no longer the file's);
 * without it, or without copy_file_range, everything is written from @buf.
 * @flags: VMI_WRITE_*.
 * Return: as vmi_atomic_write.
 */
int vmi_atomic_write_image(const char *path, int src_fd, const uint8_t *buf, size_t len, mode_t mode,
			   uint32_t flags, vmi_diag *d);

#endif /* VMI_TOOL_ATOMIC_H */
