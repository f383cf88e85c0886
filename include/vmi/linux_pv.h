/* SPDX-License-Identifier: MIT */
/*
 * vmi/linux_pv.h - how a Linux kernel's paravirt sites become VMI sites.
 *
 * Linux marks every pv-op call site in .parainstructions: one record per
 * site with its address, the pv-op (a "type": the op's index in struct
 * paravirt_patch_template, in pointer-sized words), its length and the
 * registers (CLBR_* bits) a replacement may clobber. A kernel built with
 * CONFIG_VMI turns each record whose op has a VMI call into a vmipatch
 * site at boot. Which op is which call is this note, carried in the
 * kernel's .notes (name "VMI", type VMI_NOTE_TYPE_LINUX_PV), so that the
 * booting kernel and the offline tools (vmidump, vmilint) read one table
 * and build the same sites. A kernel without the note (a distribution
 * kernel) is read with the tools' built-in table for its Linux version.
 *
 * The descriptor, little-endian:
 *
 *   offset size
 *        0    4  version          VMI_LINUX_PV_VERSION
 *        4    2  record_size      bytes per .parainstructions record
 *        6    1  instr_size       4 (s32 offset from the record) or 8 (absolute address)
 *        7    1  type_off         offset of the u8 pv-op type in a record
 *        8    1  len_off          offset of the u8 site length
 *        9    1  clobbers_off     offset of the u16 CLBR_* mask
 *       10    2  count            map entries that follow
 *       12   32  clbr_regs[16]    VMI_REG_* bits of Linux's CLBR bit i (0: none)
 *       44  4*n  map[count]       { u16 type; u16 call_id; }, types unique
 *
 * A record whose type has no map entry keeps Linux's own patching.
 */
#ifndef VMI_LINUX_PV_H
#define VMI_LINUX_PV_H

#include <stddef.h>
#include <stdint.h>

#define VMI_NOTE_TYPE_LINUX_PV 0x564d02 /* note type, name VMI_NOTE_NAME */
#define VMI_LINUX_PV_VERSION 1
#define VMI_LINUX_PV_SECTION ".parainstructions"
#define VMI_LINUX_PV_CLBR_BITS 16
#define VMI_LINUX_PV_HEADER_SIZE 44   /* bytes before map[] */
#define VMI_LINUX_PV_MAX_ENTRIES 256  /* a type is one byte */

/* One pv-op with a VMI call. */
typedef struct vmi_linux_pv_entry {
	uint16_t type;     /* pv-op type as in the records */
	uint16_t call_id;  /* VMI_CALL_* it becomes */
} vmi_linux_pv_entry;

/* The descriptor's fixed part (the map follows it). */
typedef struct vmi_linux_pv_desc {
	uint32_t version;       /* VMI_LINUX_PV_VERSION */
	uint16_t record_size;   /* bytes per record (6.1 x86_64: 16) */
	uint8_t instr_size;     /* 8: the record starts with the site's absolute address */
	uint8_t type_off;       /* offset of the type byte */
	uint8_t len_off;        /* offset of the length byte */
	uint8_t clobbers_off;   /* offset of the little-endian u16 CLBR_* mask */
	uint16_t count;         /* entries in map[] */
	uint16_t clbr_regs[VMI_LINUX_PV_CLBR_BITS]; /* VMI_REG_* of CLBR bit i */
} vmi_linux_pv_desc;
_Static_assert(sizeof(vmi_linux_pv_desc) == VMI_LINUX_PV_HEADER_SIZE,
	       "vmi_linux_pv_desc is the descriptor's fixed part, without padding");
_Static_assert(offsetof(vmi_linux_pv_desc, clbr_regs) == 12, "clbr_regs at offset 12");

#endif /* VMI_LINUX_PV_H */
