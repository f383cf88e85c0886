/* SPDX-License-Identifier: MIT */
/*
 * tools/common/linuxpv.h - a Linux kernel's paravirt sites as VMI sites,
 * built offline exactly as a CONFIG_VMI kernel builds them at boot
 * (vmi/linux_pv.h): every .parainstructions record whose pv-op has a VMI
 * call and that lies inside .text becomes one site, with Linux's clobbers
 * mapped to VMI registers. The pv-op map is the kernel's own note when it
 * carries one (CONFIG_VMI), else the built-in table for Linux 6.1 x86_64.
 *
 * The site table and the native copies live in memory the tool owns, at
 * addresses past the image's last segment (within rel32 reach of the text,
 * as the kernel allocates them in its module area). The native copy of a
 * site is the file's bytes: Linux's unpatched pv-op call.
 */
#ifndef VMI_TOOL_LINUXPV_H
#define VMI_TOOL_LINUXPV_H

#include <stdbool.h>
#include <stdint.h>

#include "guestinfo.h"
#include "image.h"
#include "vmi/linux_pv.h"
#include "vmi/patcher.h"

typedef struct vmi_linuxpv {
	vmi_linux_pv_desc desc;                           /* the map's header */
	vmi_linux_pv_entry map[VMI_LINUX_PV_MAX_ENTRIES]; /* desc.count entries */
	const char *map_from;     /* "note" or "built-in Linux 6.1 x86_64" */
	uint32_t records;         /* .parainstructions records */
	uint32_t unmapped;        /* records whose pv-op has no VMI call */
	uint32_t outside;         /* mapped records not inside .text */
	uint32_t sites;           /* sites built: records - unmapped - outside */
	uint64_t pv_ops;          /* pv_ops, from the unpatched call sites (0: not found) */
	uint32_t unpatched;       /* sites that hold Linux's `call *pv_ops+8*type(%rip)` */
	uint8_t *table;           /* vmi_sites entries (owned) */
	uint8_t *native;          /* native copies (owned) */
	vmi_region regions[2];    /* .text (exec) and the native copies, by address */
	uint64_t rom_addr;        /* where the plan places the ROM: the kernel's module area */
} vmi_linuxpv;

/** vmi_linuxpv_present - does @img have Linux's .parainstructions? */
bool vmi_linuxpv_present(const vmi_image *img);

/**
 * vmi_linuxpv_read_as_linux - should the tools read @img through its
 * .parainstructions, as its boot does? True for every Linux kernel with
 * paravirt sites except one that vmipatch patched offline (a CONFIG_VMI
 * kernel whose guest note is stamped patched): that one's plan is its own
 * site table's, read as any annotated image.
 */
bool vmi_linuxpv_read_as_linux(const vmi_image *img);

/**
 * vmi_linuxpv_load - read the records and the map of @img and build its
 * sites into @lp; fill @gi as vmi_guestinfo_load does for an annotated
 * image (note of the kernel's guest: x86_64, this interface's major.minor;
 * no slots), with gi->linux = @lp so the plan is built as at boot.
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT with @d naming the section and
 * the problem (bad note, record size, record outside the section, an
 * image that is not x86_64), VMI_EXIT_IO when out of memory.
 */
int vmi_linuxpv_load(const vmi_image *img, vmi_linuxpv *lp, vmi_guestinfo *gi, vmi_diag *d);

/** vmi_linuxpv_free - release what vmi_linuxpv_load allocated. */
void vmi_linuxpv_free(vmi_linuxpv *lp);

#endif /* VMI_TOOL_LINUXPV_H */
