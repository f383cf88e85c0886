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
#include <sys/types.h>

#include "diag.h"

/**
 * vmi_atomic_write - replace @path with @len bytes of @buf, mode @mode.
 * Return: VMI_EXIT_OK or VMI_EXIT_IO with @d naming the failed step.
 */
int vmi_atomic_write(const char *path, const void *buf, size_t len, mode_t mode, vmi_diag *d);

#endif /* VMI_TOOL_ATOMIC_H */
