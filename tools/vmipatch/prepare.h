/* SPDX-License-Identifier: MIT */
/*
 * tools/vmipatch/prepare.h - --prepare: the build step that makes a
 * CONFIG_VMI Linux kernel patchable offline, as sorttable sorts its tables.
 *
 * The kernel reserves, at link time, an empty site table (vmi_sites), room
 * for native copies (vmi_native), the call slots (vmi_slots) and a format
 * 1.1 guest note whose site_count is 0; its paravirt sites are known only
 * once it is linked. --prepare turns every .parainstructions record that
 * has a VMI call into an entry (exactly the sites the booting kernel
 * builds, linuxpv.h), copies each site's bytes (Linux's unpatched pv-op
 * call) as its native copy and sets site_count. Nothing else changes.
 */
#ifndef VMI_PREPARE_H
#define VMI_PREPARE_H

#include <stdint.h>

#include "diag.h"
#include "image.h"

/* What --prepare wrote. */
typedef struct vmi_prepare_result {
	uint32_t sites;         /* entries written */
	uint32_t capacity;      /* entries vmi_sites has room for */
	uint64_t native_len;    /* bytes of native copies written */
	uint64_t native_room;   /* bytes vmi_native has room for */
	uint32_t records;       /* .parainstructions records read */
} vmi_prepare_result;

/**
 * vmi_prepare_linux - fill the reserved table of @img (its buffer is
 * written; the caller decides whether that buffer is the output).
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT with @d naming what is missing or
 * too small (not a Linux kernel, no reserved table, a stamped image, more
 * sites than room).
 */
int vmi_prepare_linux(vmi_image *img, vmi_prepare_result *res, vmi_diag *d);

/**
 * vmi_prepare_check - does the filled table of Linux kernel @img hold
 * exactly the sites its .parainstructions give? Run before patching one.
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT naming the first difference
 * (an empty table: run --prepare; a stale one: run it again).
 */
int vmi_prepare_check(const vmi_image *img, vmi_diag *d);

#endif /* VMI_PREPARE_H */
