/* SPDX-License-Identifier: MIT */
/*
 * rom_scan.c - find the VMI ROM among the option ROMs the BIOS placed in
 * 0xC0000-0xDFFFF (VGA BIOS, NIC boot ROMs, ...), in 2 KiB steps.
 *
 * Reads stay small until a candidate looks like ours: 3 bytes to see an
 * option ROM at all, the v1 header to see the VMI magic, and only then the
 * whole declared length, which is what gets validated.
 */
#include "rom_internal.h"

vmi_status vmi_rom_scan(vmi_phys_read_fn read, void *ctx, uint64_t start, uint64_t end, void *buf,
			size_t buf_len, const vmi_rom_opts *opts, vmi_rom *out, uint64_t *found)
{
	uint8_t *b = (uint8_t *)buf;
	int short_buf = 0;

	if (!read || !b || !out)
		return VMI_E_INVALID_ARG;
	if (opts && VMI_OPTS_SZ(opts) < sizeof(uint32_t))
		return VMI_E_INVALID_ARG;
	if (!VMI_OPTS_VALID(opts, vmi_rom_opts))
		return VMI_E_OPTS_UNKNOWN;
	if (buf_len < VMI_ROM_HEADER_V1_SIZE)
		return VMI_E_NO_SPACE;

	/* addr >= start: stop if the step wraps past the top of the address space. */
	for (uint64_t addr = start; addr < end && addr >= start; addr += VMI_ROM_SCAN_STEP) {
		uint32_t size;

		if (read(ctx, addr, b, 3) != VMI_OK || b[0] != 0x55 || b[1] != 0xAA)
			continue;
		size = (uint32_t)b[VMI_RH_BLOCKS] * VMI_ROM_BLOCK;
		if (size < VMI_ROM_HEADER_V1_SIZE)
			continue;
		if (read(ctx, addr, b, VMI_ROM_HEADER_V1_SIZE) != VMI_OK ||
		    vmi_le32(b + VMI_RH_MAGIC) != VMI_ROM_MAGIC)
			continue; /* another vendor's ROM */
		if (size > buf_len) {
			/* Keep looking: a later candidate may fit; report the
			 * shortage only if nothing else is found. */
			short_buf = 1;
			continue;
		}
		if (read(ctx, addr, b, size) != VMI_OK)
			continue;
		if (vmi_rom_validate(b, size, opts, out) != VMI_OK)
			continue; /* corrupt or foreign-arch candidate */
		if (found)
			*found = addr;
		return VMI_OK;
	}
	return short_buf ? VMI_E_NO_SPACE : VMI_E_ROM_NOT_FOUND;
}
