/* SPDX-License-Identifier: MIT */
/*
 * vmi/blob.h - the boot entry of the patcher and the header of patcher.bin.
 *
 * patcher.bin is the freestanding library linked into one flat,
 * position-independent binary that starts with struct vmi_blob_header. A
 * loader copies it anywhere (executable memory), checks the header and
 * calls base + header.boot_off as
 *     vmi_status vmi_boot_patch(const vmi_boot_args *args, vmi_boot_state *st);
 * in the arch's C convention (cdecl on i386, SysV on x86-64). Linking it at
 * two different bases gives identical bytes (checked by make check).
 */
#ifndef VMI_BLOB_H
#define VMI_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/patcher.h"

#define VMI_BLOB_MAGIC 0x50494d56u /* "VMIP" */
#define VMI_BLOB_VERSION 1

struct vmi_blob_header {
	uint32_t magic;        /* VMI_BLOB_MAGIC */
	uint16_t version;      /* VMI_BLOB_VERSION */
	uint8_t arch;          /* enum vmi_arch the code runs on */
	uint8_t header_size;   /* sizeof(struct vmi_blob_header) */
	uint32_t size;         /* bytes of the whole blob */
	uint32_t boot_off;     /* offset of vmi_boot_patch */
	uint32_t workspace_off;/* offset of vmi_plan_workspace_size */
	uint32_t strerror_off; /* offset of vmi_strerror */
	uint32_t reserved[2];  /* 0 */
};
_Static_assert(sizeof(struct vmi_blob_header) == 32, "blob header is 32 bytes");

/* Arguments of a boot-time patch (size-versioned). Addresses are the
 * running guest's own: host == target. */
#define VMI_BOOT_F_DRY_RUN 0x1u /* plan only, write nothing */
typedef struct vmi_boot_args {
	uint32_t size;             /* sizeof(struct vmi_boot_args) */
	uint32_t flags;            /* VMI_BOOT_F_* */
	const void *note;          /* vmi_note_desc bytes */
	size_t note_len;
	const void *sites;         /* vmi_sites section */
	size_t sites_len;
	const void *native;        /* vmi_native section */
	size_t native_len;
	uint8_t *text;             /* writable executable range holding every site */
	size_t text_len;
	uint8_t *slots;            /* vmi_slots section, or NULL */
	size_t slots_len;
	const void *rom;           /* ROM image the guest will call (its RAM copy), NULL = none */
	size_t rom_len;
	const vmi_policy *policy;  /* NULL = none */
	void *workspace;           /* vmi_plan_workspace_size() bytes */
	size_t workspace_len;
} vmi_boot_args;
#define vmi_boot_args__last_field workspace_len
_Static_assert(offsetof(vmi_boot_args, workspace_len) + sizeof(size_t) == sizeof(vmi_boot_args),
	       "vmi_boot_args has no tail padding");

/* Everything a boot patch produces; the caller keeps it to unpatch later. */
typedef struct vmi_boot_state {
	vmi_guest guest;           /* decoded note */
	vmi_rom rom;               /* validated ROM (if any) */
	vmi_offer offer;           /* negotiation result */
	vmi_annotations ann;       /* site table view */
	vmi_region regions[2];     /* text, native copies */
	vmi_plan plan;             /* decisions (pointing into the workspace) */
	vmi_summary summary;       /* counts */
	vmi_status rom_status;     /* why the ROM was refused (VMI_OK if used or absent) */
	uint8_t prepatched;        /* 1: image stamp matched the ROM; only slots were filled */
	uint8_t reserved[3];
} vmi_boot_state;

/**
 * vmi_boot_patch - validate the ROM, negotiate, plan and apply, in one call.
 * A ROM that fails validation is treated as absent (st->rom_status says
 * why) so the guest still boots native. An image stamped as patched for
 * this very ROM and policy is not re-patched: only its slots are filled.
 * Return: VMI_OK, or a planning error (nothing was written).
 */
vmi_status vmi_boot_patch(const vmi_boot_args *args, vmi_boot_state *st);

#endif /* VMI_BLOB_H */
