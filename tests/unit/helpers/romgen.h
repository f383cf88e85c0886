/* SPDX-License-Identifier: MIT */
/*
 * romgen.h - build VMI option-ROM images in memory for the unit tests.
 *
 * The builder is written from the layout in vmi/rom.h alone (it does not
 * call the loader it helps to test), so a loader bug cannot hide behind a
 * matching builder bug.
 */
#ifndef VMI_TEST_ROMGEN_H
#define VMI_TEST_ROMGEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct vmi_test_call {
	uint16_t id;         /* call id */
	uint8_t form;        /* enum vmi_form */
	const uint8_t *stub; /* inline stub bytes or NULL */
	uint8_t stub_len;    /* bytes of @stub (0 = no stub) */
	int has_entry;       /* 1: emit an out-of-line entry (a `ret`, 0xC3, padded) and set entry_off */
	uint16_t stub_clobbers, call_clobbers; /* VMI_REG_* */
} vmi_test_call;

/* Where romgen puts things (tests that corrupt a ROM on purpose use these). */
#define VMI_TEST_ROM_TABLE_OFF 0x40u /* call table follows the v1 header */
#define VMI_TEST_ROM_ENTRY_ALIGN 16u /* out-of-line entries start 16-byte aligned */

/*
 * vmi_test_rom_build - lay out header (0x40) + table + stubs + entries, pad
 * to 512*n, fix the checksum. The vendor is "romgen", init_off and
 * data_size are 0.
 * Return: the ROM size, or 0 if @cap is too small (or the image would
 * exceed 255 blocks).
 */
size_t vmi_test_rom_build(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor, uint32_t features,
			  uint8_t arch, const vmi_test_call *calls, size_t n);

/* Entry offset of call @id in a ROM built above (0 if none). */
uint32_t vmi_test_rom_entry_off(const uint8_t *rom, uint16_t id);

/* Stub offset of call @id in a ROM built above (0 if none). */
uint32_t vmi_test_rom_stub_off(const uint8_t *rom, uint16_t id);

/* Re-fix the checksum byte (the last byte) after a test edited a ROM. */
void vmi_test_rom_fix_sum(uint8_t *rom, size_t size);

#endif /* VMI_TEST_ROMGEN_H */
