/* SPDX-License-Identifier: MIT */
/*
 * vmi/annotations.h - the annotation format: the site table a guest image
 * carries, the note that describes it, the slot table for indirect calls,
 * and the reader the patcher and the tools share.
 *
 * Layout in an image (section names are C identifiers, so the linker
 * provides __start_<name> / __stop_<name>):
 *
 *   .note.vmi   one ELF note (name "VMI", type VMI_NOTE_TYPE_GUEST) whose
 *               descriptor is struct vmi_note_desc: format version, entry
 *               size, arch, the guest's required major/minor, and the patch
 *               stamp an offline patcher writes. Allocated, so the booting
 *               guest can read it too.
 *   vmi_sites   an array of entries, entry_size bytes each (at least
 *               sizeof(struct vmi_site_entry)); a newer guest may append
 *               fields and an older patcher skips them.
 *   vmi_native  copies of the native bytes of every site, so a site can be
 *               restored after it was patched (unpatch, re-patch after a
 *               migration, offline --restore).
 *   vmi_slots   VMI_CALL_ID_LIMIT 8-byte slots, indexed by call id, through
 *               which indirect CALL forms jump; filled with ROM entry
 *               addresses when the ROM is known (at boot). Optional: without
 *               it only direct calls are possible.
 *
 * All multi-byte fields are little-endian. Nothing in the table holds an
 * absolute address: site and native copy are signed 32-bit offsets relative
 * to the field that holds them (as Linux's alt_instr), so the table needs no
 * relocation and reads the same at any load address.
 */
#ifndef VMI_ANNOTATIONS_H
#define VMI_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/status.h"

/* Architectures (note arch, ROM arch). */
enum vmi_arch {
	VMI_ARCH_NONE = 0,
	VMI_ARCH_I386 = 1,   /* 32-bit protected mode, regparm(3) ROM calls */
	VMI_ARCH_X86_64 = 2, /* long mode, SysV ROM calls */
};

/* Site lengths: a site must hold the longest CALL form of its arch. */
#define VMI_SITE_MIN_LEN_I386 5   /* call rel32 / (indirect) call *abs32 needs 6 */
#define VMI_SITE_MIN_LEN_X86_64 6 /* call *disp32(%rip) */
#define VMI_SITE_MAX_LEN 32       /* longest site the patcher accepts */

/* Site flags: low nibble informational, high nibble must-understand. */
#define VMI_SITE_F_HOT        0x01u /* info: on a hot path; tools may rank it */
#define VMI_SITE_F_IRQS_OFF   0x02u /* info: always runs with interrupts off */
#define VMI_SITE_F_INFO_MASK  0x0fu /* unknown info bits are ignored */
#define VMI_SITE_F_NO_CALL    0x10u /* must-understand: never make this site a CALL (no usable stack) */
#define VMI_SITE_F_MU_MASK    0xf0u /* an unknown bit here leaves the site IDENT */
#define VMI_SITE_F_KNOWN      (VMI_SITE_F_HOT | VMI_SITE_F_IRQS_OFF | VMI_SITE_F_NO_CALL)

/* Register bits for clobber masks (sites and ROM call entries). */
#define VMI_REG_AX  (1u << 0)
#define VMI_REG_CX  (1u << 1)
#define VMI_REG_DX  (1u << 2)
#define VMI_REG_BX  (1u << 3)
#define VMI_REG_SP  (1u << 4) /* never clobberable; a mask with it is invalid */
#define VMI_REG_BP  (1u << 5)
#define VMI_REG_SI  (1u << 6)
#define VMI_REG_DI  (1u << 7)
#define VMI_REG_R8  (1u << 8)
#define VMI_REG_R9  (1u << 9)
#define VMI_REG_R10 (1u << 10)
#define VMI_REG_R11 (1u << 11)
#define VMI_REG_R12 (1u << 12)
#define VMI_REG_R13 (1u << 13)
#define VMI_REG_R14 (1u << 14)
#define VMI_REG_R15 (1u << 15)
/* What a C call may clobber per ABI (arithmetic flags are always fair game). */
#define VMI_CLOBBER_CALL_I386   (VMI_REG_AX | VMI_REG_CX | VMI_REG_DX)
#define VMI_CLOBBER_CALL_X86_64 (VMI_REG_AX | VMI_REG_CX | VMI_REG_DX | VMI_REG_SI | VMI_REG_DI | \
				 VMI_REG_R8 | VMI_REG_R9 | VMI_REG_R10 | VMI_REG_R11)

/* One site entry, format v1. Wire format: 16 bytes, little-endian, packed. */
struct vmi_site_entry {
	int32_t site_off;   /* site address minus &site_off */
	int32_t native_off; /* native copy address minus &native_off */
	uint16_t call_id;   /* VMI_CALL_* id (vmi/calls.h) */
	uint8_t site_len;   /* bytes the site occupies (native + padding) */
	uint8_t native_len; /* bytes of the native instruction(s); 0 for notifications */
	uint8_t min_minor;  /* interface minor this use of the call relies on */
	uint8_t flags;      /* VMI_SITE_F_* */
	uint16_t clobbers;  /* VMI_REG_* a replacement may clobber at this site */
} __attribute__((packed));
_Static_assert(sizeof(struct vmi_site_entry) == 16, "site entry v1 is 16 bytes");

#define VMI_SITE_ENTRY_V1_SIZE 16
#define VMI_SITE_ENTRY_MAX 256 /* larger entry sizes are rejected as corrupt */

/* The note. */
#define VMI_NOTE_NAME "VMI"        /* note name, NUL-terminated (4 bytes with padding) */
#define VMI_NOTE_TYPE_GUEST 0x564d01 /* note type */
#define VMI_NOTE_SECTION ".note.vmi"
#define VMI_SITES_SECTION "vmi_sites"
#define VMI_NATIVE_SECTION "vmi_native"
#define VMI_SLOTS_SECTION "vmi_slots"
#define VMI_SLOT_SIZE 8

/* Annotation format version: major in the high byte. A patcher refuses an
 * unknown major; a higher minor only means fields it may skip. */
#define VMI_FORMAT_MAJOR 1
#define VMI_FORMAT_MINOR 0
#define VMI_FORMAT_VERSION ((VMI_FORMAT_MAJOR << 8) | VMI_FORMAT_MINOR)
/* Format 1.1 appends site_count to the descriptor (32 bytes): the number
 * of vmi_sites entries in use, from the first. A guest whose table is laid
 * out at link time but filled after it (a Linux kernel reserves the room,
 * `vmipatch --prepare` fills it from .parainstructions) says how much of
 * the section is table. A 1.0 descriptor has no count: every entry of the
 * section is in use. */
#define VMI_FORMAT_MINOR_SITE_COUNT 1
#define VMI_NOTE_DESC_SITE_COUNT_OFF 28 /* uint32_t site_count (format >= 1.1) */
#define VMI_NOTE_DESC_V11_SIZE 32

/* Patch stamp states. */
#define VMI_STAMP_NATIVE 0  /* every site holds its native form */
#define VMI_STAMP_PATCHED 1 /* patched offline for the ROM the stamp names */

/* Note descriptor. Wire format: 28 bytes, little-endian. */
struct vmi_note_desc {
	uint16_t format_version; /* VMI_FORMAT_VERSION of the site table */
	uint16_t entry_size;     /* bytes per vmi_sites entry (>= 16) */
	uint8_t arch;            /* enum vmi_arch of the code */
	uint8_t req_major;       /* interface major the guest was built for */
	uint8_t req_minor;       /* highest interface minor any site relies on */
	uint8_t reserved0;       /* 0 */
	/* patch stamp, written by offline vmipatch, checked at boot */
	uint8_t stamp_state;     /* VMI_STAMP_NATIVE or VMI_STAMP_PATCHED */
	uint8_t stamp_major;     /* ROM major the image was patched for */
	uint8_t stamp_minor;     /* effective minor used (ROM minor after policy) */
	uint8_t reserved1;       /* 0 */
	uint32_t stamp_features; /* effective feature bits used */
	uint32_t stamp_rom_crc;  /* vmi_crc32 of the ROM image */
	uint32_t stamp_policy;   /* vmi_policy_hash of the policy used */
	uint32_t reserved2;      /* 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct vmi_note_desc) == 28, "note desc v1 is 28 bytes");

/* A guest description, decoded from the note. */
typedef struct vmi_guest {
	uint16_t format_version; /* as in the note */
	uint16_t entry_size;     /* as in the note */
	uint8_t arch;            /* enum vmi_arch */
	uint8_t req_major;       /* required interface major */
	uint8_t req_minor;       /* highest minor the guest uses */
	uint8_t stamp_state;     /* VMI_STAMP_* */
	uint8_t stamp_major;     /* see struct vmi_note_desc */
	uint8_t stamp_minor;
	uint32_t stamp_features;
	uint32_t stamp_rom_crc;
	uint32_t stamp_policy;
} vmi_guest;

/* A view of a site table (no copy). */
typedef struct vmi_annotations {
	const uint8_t *table;    /* first entry, in the caller's memory */
	uint64_t table_addr;     /* address of the first entry in the target's address space */
	uint32_t count;          /* number of entries */
	uint16_t entry_size;     /* stride */
	uint8_t arch;            /* enum vmi_arch */
} vmi_annotations;

/* One site, decoded: absolute target addresses, host-independent. */
typedef struct vmi_site {
	uint64_t addr;        /* site address in the target */
	uint64_t native_addr; /* native copy address in the target */
	uint32_t index;       /* entry index in the table */
	uint16_t call_id;     /* VMI_CALL_* */
	uint16_t clobbers;    /* VMI_REG_* */
	uint8_t len;          /* site length */
	uint8_t native_len;   /* native length */
	uint8_t min_minor;    /* required minor */
	uint8_t flags;        /* VMI_SITE_F_* */
} vmi_site;

/**
 * vmi_note_parse - decode a note descriptor.
 * @desc: the descriptor bytes (after the note name); @len: their length.
 * Accepts longer descriptors (newer format minors); rejects shorter ones.
 * Return: VMI_OK, VMI_E_ANN_NOTE (truncated), VMI_E_ANN_VERSION (unknown
 * format major), VMI_E_ANN_ENTRY_SIZE, VMI_E_ANN_ARCH.
 */
vmi_status vmi_note_parse(const void *desc, size_t len, vmi_guest *out);

/**
 * vmi_note_find - find the VMI note in a buffer of ELF notes (a whole
 * SHT_NOTE section or PT_NOTE segment) and decode it.
 * Return: as vmi_note_parse, or VMI_E_ANN_NOTE if none is there.
 */
vmi_status vmi_note_find(const void *notes, size_t len, vmi_guest *out);

/**
 * vmi_note_write_stamp - update the stamp fields of a raw descriptor in place.
 * @desc: descriptor bytes (at least 28); @g: the stamp_* fields to write.
 */
vmi_status vmi_note_write_stamp(void *desc, size_t len, const vmi_guest *g);

/**
 * vmi_note_site_count - the entries in use that a descriptor names.
 * @count: receives site_count for format 1.1 and later, or @whole (the
 * section's entry count) for a 1.0 descriptor.
 * Return: VMI_OK; VMI_E_ANN_NOTE if a 1.1 descriptor is shorter than 32
 * bytes; VMI_E_ANN_SECTION_SIZE if site_count exceeds @whole.
 */
vmi_status vmi_note_site_count(const void *desc, size_t len, uint32_t whole, uint32_t *count);

/**
 * vmi_note_write_site_count - set site_count in a format 1.1 descriptor.
 * Return: VMI_OK, VMI_E_ANN_NOTE (not 1.1 or shorter than 32 bytes).
 */
vmi_status vmi_note_write_site_count(void *desc, size_t len, uint32_t count);

/**
 * vmi_annotations_init - check a site table against its note and make a view.
 * @table: the vmi_sites bytes; @table_addr: their address in the target;
 * @len: their length.
 * Return: VMI_OK, VMI_E_ANN_SECTION_SIZE if @len is not a multiple of the
 * entry size, VMI_E_INVALID_ARG.
 */
vmi_status vmi_annotations_init(vmi_annotations *a, const vmi_guest *guest, const void *table,
				uint64_t table_addr, size_t len);

/**
 * vmi_annotations_get - decode entry @index into absolute addresses.
 * Return: VMI_OK or VMI_E_ANN_INDEX.
 */
vmi_status vmi_annotations_get(const vmi_annotations *a, uint32_t index, vmi_site *out);

#endif /* VMI_ANNOTATIONS_H */
