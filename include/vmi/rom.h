/* SPDX-License-Identifier: MIT */
/*
 * vmi/rom.h - the VMI ROM: a standard PC option ROM carrying a VMI header
 * and a call table, and the loader that finds, validates and describes it.
 *
 * Layout (offsets from the ROM start, all little-endian):
 *
 *   0x00 u8  sig[2]          0x55 0xAA
 *   0x02 u8  blocks          length in 512-byte blocks; the image is exactly blocks*512
 *   0x03 u8  init16[5]       real-mode init the BIOS far-calls: 0xCB (retf) + 4 x 0x00
 *   0x08 u32 magic           VMI_ROM_MAGIC "VMI!"
 *   0x0C u8  major           interface major the ROM implements
 *   0x0D u8  minor           interface minor the ROM implements
 *   0x0E u16 header_size     bytes of this header (>= VMI_ROM_HEADER_V1_SIZE)
 *   0x10 u32 features        VMI_FEAT_* offered
 *   0x14 u8  arch            enum vmi_arch of the ROM's code
 *   0x15 u8  reserved0       0
 *   0x16 u16 call_entry_size bytes per call-table entry (>= 16)
 *   0x18 u16 pci_data        standard PCI data-structure pointer: must be 0
 *   0x1A u16 pnp_header      standard PnP header pointer: must be 0
 *   0x1C u16 call_count      entries in the call table (1..VMI_ROM_MAX_CALLS)
 *   0x1E u16 reserved1       0
 *   0x20 u32 call_table_off  offset of the call table
 *   0x24 u32 init_off        offset of the VMI init entry (0 = none)
 *   0x28 u32 data_size       bytes of data area VMI init wants (0 = none)
 *   0x2C char vendor[16]     NUL-padded vendor/ROM name
 *   0x3C u32 reserved2       0
 *   ... call table, code, data ...
 *   last byte                checksum: the byte sum of the whole image is 0 mod 256
 *
 * Rules the loader enforces beyond bounds (vmi_rom_validate):
 *  - init16 is exactly 0xCB 0 0 0 0 (VMI_E_ROM_INIT16): the BIOS runs it in
 *    real mode, and a VMI ROM has nothing to do there;
 *  - reserved0/1/2 are 0 (VMI_E_ROM_RESERVED): new fields of later minors
 *    go after header_size, never into these bytes;
 *  - code lives in the code area: every stub [stub_off, +stub_len), every
 *    entry point and the init entry lie after the header, outside the call
 *    table and before the checksum byte (VMI_E_ROM_CODE_AREA), so no bytes
 *    are both data the loader reads and code a guest runs.
 *
 * The real-mode init returns at once: all VMI work happens when the guest
 * calls VMI init in protected/long mode. ROM code is position-independent;
 * the guest executes it from a RAM copy it makes at any address (the BIOS
 * locks the shadow region read-only), and hands it a data area at VMI init
 * for its mutable state (counters, deferred-update queues).
 *
 * VMI init: int init(void *data, uint32_t data_size, uint32_t guest_version)
 * in the arch's ROM-call convention (regparm(3) on i386, SysV on x86-64);
 * guest_version is (major << 8) | minor; returns 0 on success.
 */
#ifndef VMI_ROM_H
#define VMI_ROM_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/status.h"

#define VMI_ROM_MAGIC 0x21494d56u /* "VMI!" read as a little-endian u32 */
#define VMI_ROM_BLOCK 512
#define VMI_ROM_MAX_SIZE (255u * VMI_ROM_BLOCK) /* the length byte's limit */
#define VMI_ROM_MAX_CALLS 256
#define VMI_ROM_HEADER_V1_SIZE 0x40
#define VMI_ROM_CALL_V1_SIZE 16
#define VMI_ROM_VENDOR_MAX 16

/* Where guests look: 0xC0000-0xDFFFF in 2 KiB steps (SeaBIOS aligns ROMs so). */
#define VMI_ROM_SCAN_START 0xC0000u
#define VMI_ROM_SCAN_END 0xE0000u
#define VMI_ROM_SCAN_STEP 0x800u

/* Forms a site can take. */
enum vmi_form {
	VMI_FORM_IDENT = 0,  /* native instruction, padding = NOPs */
	VMI_FORM_INLINE = 1, /* ROM stub bytes copied into the site */
	VMI_FORM_CALL = 2,   /* call to the ROM entry point */
	VMI_FORM_NOP = 3,    /* NOPs only: the call does nothing on this hypervisor */
	VMI_FORM_COUNT = 4
};

struct vmi_rom_header {
	uint8_t sig[2];           /* 0x55 0xAA */
	uint8_t blocks;           /* image length / 512 */
	uint8_t init16[5];        /* real-mode init: retf */
	uint32_t magic;           /* VMI_ROM_MAGIC */
	uint8_t major;            /* interface major */
	uint8_t minor;            /* interface minor */
	uint16_t header_size;     /* >= VMI_ROM_HEADER_V1_SIZE */
	uint32_t features;        /* VMI_FEAT_* */
	uint8_t arch;             /* enum vmi_arch */
	uint8_t reserved0;        /* 0 */
	uint16_t call_entry_size; /* >= VMI_ROM_CALL_V1_SIZE */
	uint16_t pci_data;        /* 0: standard field, left free */
	uint16_t pnp_header;      /* 0: standard field, left free */
	uint16_t call_count;      /* table entries */
	uint16_t reserved1;       /* 0 */
	uint32_t call_table_off;  /* table offset */
	uint32_t init_off;        /* VMI init entry offset, 0 = none */
	uint32_t data_size;       /* data area bytes wanted */
	char vendor[VMI_ROM_VENDOR_MAX]; /* NUL-padded name */
	uint32_t reserved2;       /* 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct vmi_rom_header) == VMI_ROM_HEADER_V1_SIZE, "ROM header v1 is 0x40 bytes");

/* Call-table entry, v1 (16 bytes). */
struct vmi_rom_call_entry {
	uint16_t call_id;       /* VMI_CALL_*; ids this loader does not know are ignored */
	uint8_t form;           /* enum vmi_form the ROM prefers */
	uint8_t stub_len;       /* inline stub bytes (0 = no stub) */
	uint32_t stub_off;      /* offset of the stub bytes (0 = no stub) */
	uint32_t entry_off;     /* offset of the out-of-line entry (0 = none) */
	uint16_t stub_clobbers; /* VMI_REG_* the stub clobbers */
	uint16_t call_clobbers; /* VMI_REG_* the entry clobbers */
} __attribute__((packed));
_Static_assert(sizeof(struct vmi_rom_call_entry) == VMI_ROM_CALL_V1_SIZE, "ROM call entry v1 is 16 bytes");

/* A validated ROM (a view; the image stays in the caller's memory). */
typedef struct vmi_rom {
	const uint8_t *image;     /* ROM bytes */
	uint32_t size;            /* blocks * 512 */
	uint8_t major;            /* interface major */
	uint8_t minor;            /* interface minor */
	uint8_t arch;             /* enum vmi_arch */
	uint8_t reserved;         /* 0 */
	uint32_t features;        /* VMI_FEAT_* */
	uint16_t call_count;      /* table entries */
	uint16_t call_entry_size; /* stride */
	uint32_t call_table_off;  /* table offset */
	uint32_t init_off;        /* VMI init offset or 0 */
	uint32_t data_size;       /* data area wanted */
	uint32_t crc;             /* vmi_crc32 of the image as validated */
	char vendor[VMI_ROM_VENDOR_MAX + 1]; /* NUL-terminated */
} vmi_rom;

/* A decoded call-table entry. */
typedef struct vmi_rom_call {
	uint16_t call_id;       /* VMI_CALL_* */
	uint8_t form;           /* preferred enum vmi_form */
	uint8_t stub_len;       /* 0 = no stub */
	uint32_t stub_off;      /* 0 = no stub */
	uint32_t entry_off;     /* 0 = no entry */
	uint16_t stub_clobbers; /* VMI_REG_* */
	uint16_t call_clobbers; /* VMI_REG_* */
} vmi_rom_call;

/* Validation options (size-versioned; NULL = defaults). */
typedef struct vmi_rom_opts {
	uint32_t size;   /* sizeof(struct vmi_rom_opts) */
	uint32_t flags;  /* VMI_ROM_F_* */
	uint8_t arch;    /* expected enum vmi_arch, 0 = any */
	/* Named so VMI_OPTS zeroes them: compilers may leave padding bytes of
	 * an initialised struct undefined (clang does), and the opts check
	 * reads every byte past arch as "unknown field, must be zero". */
	uint8_t reserved[3]; /* 0 */
} vmi_rom_opts;
#define vmi_rom_opts__last_field arch
_Static_assert(sizeof(vmi_rom_opts) == 12, "vmi_rom_opts has no padding");
#define VMI_ROM_F_NO_CHECKSUM 0x1u /* skip the byte-sum check (a ROM whose BIOS init changed itself) */

/**
 * vmi_rom_validate - check a ROM image and describe it.
 * @image: bytes; @len: bytes available (may exceed the ROM's length).
 * Checks, in order: length >= header, signature, length byte, declared
 * length <= @len, checksum, magic, header size, reserved standard fields,
 * arch, entry size, count, table bounds, every entry (form, stub/entry
 * bounds, clobber masks, duplicate ids), init/data bounds.
 * Return: VMI_OK or the VMI_E_ROM_* code of the first failed check.
 */
vmi_status vmi_rom_validate(const void *image, size_t len, const vmi_rom_opts *opts, vmi_rom *out);

/**
 * vmi_rom_call_at - decode table entry @i of a validated ROM.
 */
vmi_status vmi_rom_call_at(const vmi_rom *rom, uint32_t i, vmi_rom_call *out);

/**
 * vmi_rom_find_call - the table entry for @call_id.
 * Return: VMI_OK, or VMI_E_ROM_NOT_FOUND if the ROM has no entry for it.
 */
vmi_status vmi_rom_find_call(const vmi_rom *rom, uint32_t call_id, vmi_rom_call *out);

/**
 * vmi_phys_read_fn - read @len bytes at physical address @addr into @buf.
 * Return: VMI_OK or an error (then the address is skipped).
 */
typedef vmi_status (*vmi_phys_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/**
 * vmi_rom_scan - find the first valid VMI ROM in [@start, @end) at
 * VMI_ROM_SCAN_STEP steps, skipping other option ROMs (VGA BIOS, NIC boot
 * ROMs) and invalid candidates.
 * @buf/@buf_len: caller storage the ROM is read into (VMI_ROM_MAX_SIZE
 * always suffices); on success @out->image points into @buf.
 * @found: physical address of the ROM (may be NULL).
 * Return: VMI_OK, VMI_E_ROM_NOT_FOUND, or VMI_E_NO_SPACE.
 */
vmi_status vmi_rom_scan(vmi_phys_read_fn read, void *ctx, uint64_t start, uint64_t end, void *buf,
			size_t buf_len, const vmi_rom_opts *opts, vmi_rom *out, uint64_t *found);

/**
 * vmi_rom_checksum_fix - set the last byte so the byte sum of @len bytes is 0.
 * For ROM builders (mkrom) and tests.
 */
void vmi_rom_checksum_fix(void *image, size_t len);

/** vmi_crc32 - CRC-32 (IEEE 802.3, reflected, as zlib) of @len bytes. */
uint32_t vmi_crc32(const void *buf, size_t len);

/** vmi_form_name - "ident", "inline", "call", "nop"; "?" otherwise. */
const char *vmi_form_name(uint32_t form);

#endif /* VMI_ROM_H */
