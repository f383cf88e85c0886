/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_rom.c - the ROM parser and negotiation on arbitrary bytes.
 *
 * The input is a ROM image as a guest would find it. It is validated twice
 * (with and without the checksum, so mutations that break the byte sum
 * still reach the table checks), every entry is decoded, every call id is
 * looked up, the ROM is negotiated against guests of both arches with and
 * without a policy, and the input is also scanned as a slice of the
 * 0xC0000 option-ROM area. Invariants checked beyond "no crash": a
 * validated ROM's entries lie inside it, and lookup agrees with the table.
 */
#include <string.h>

#include "fuzz_common.h"
#include "synth.h"
#include "vmi/vmi.h"

typedef struct vmi_fuzz_mem {
	const uint8_t *data;
	size_t size;
	uint64_t base;
} vmi_fuzz_mem;

static vmi_status vmi_fuzz_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const vmi_fuzz_mem *m = ctx;
	if (addr < m->base || addr - m->base > m->size || len > m->size - (addr - m->base))
		return VMI_E_IO;
	memcpy(buf, m->data + (addr - m->base), len);
	return VMI_OK;
}

static void vmi_fuzz_rom_checks(const vmi_rom *rom, size_t size)
{
	VMI_FUZZ_ASSERT(rom->size <= size && rom->size <= VMI_ROM_MAX_SIZE);
	for (uint32_t i = 0; i < rom->call_count; i++) {
		vmi_rom_call c, found;
		if (vmi_rom_call_at(rom, i, &c) != VMI_OK)
			continue;
		VMI_FUZZ_ASSERT(c.stub_off + c.stub_len <= rom->size);
		VMI_FUZZ_ASSERT(c.entry_off < rom->size || c.entry_off == 0);
		if (vmi_rom_find_call(rom, c.call_id, &found) == VMI_OK)
			VMI_FUZZ_ASSERT(found.call_id == c.call_id);
	}
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT + 2; id++) {
		vmi_rom_call c;
		(void)vmi_rom_find_call(rom, id, &c);
	}
	(void)vmi_form_name(rom->call_count);

	static const uint8_t arches[] = { VMI_ARCH_I386, VMI_ARCH_X86_64 };
	for (size_t a = 0; a < sizeof(arches); a++) {
		vmi_guest g = { .format_version = VMI_FORMAT_VERSION, .entry_size = VMI_SITE_ENTRY_V1_SIZE,
				.arch = arches[a], .req_major = VMI_INTERFACE_MAJOR,
				.req_minor = VMI_INTERFACE_MINOR };
		vmi_offer offer;
		VMI_OPTS(vmi_policy, pol, .flags = VMI_POLICY_F_MAX_MINOR | VMI_POLICY_F_NO_INLINE,
			 .max_minor = 1, .deny_features = VMI_FEAT_PAE);
		if (vmi_negotiate(&g, rom, NULL, &offer) == VMI_OK) {
			for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++)
				VMI_FUZZ_ASSERT(offer.call_slot[id] <= rom->call_count);
		}
		(void)vmi_negotiate(&g, rom, &pol, &offer);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vmi_rom rom;
	VMI_OPTS(vmi_rom_opts, nosum, .flags = VMI_ROM_F_NO_CHECKSUM);

	if (vmi_rom_validate(data, size, NULL, &rom) == VMI_OK)
		vmi_fuzz_rom_checks(&rom, size);
	if (vmi_rom_validate(data, size, &nosum, &rom) == VMI_OK)
		vmi_fuzz_rom_checks(&rom, size);

	/* The same bytes as the option-ROM area a guest scans. */
	static uint8_t buf[VMI_ROM_MAX_SIZE];
	vmi_fuzz_mem mem = { data, size, VMI_ROM_SCAN_START };
	uint64_t at;
	if (vmi_rom_scan(vmi_fuzz_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_START + size, buf,
			 sizeof(buf), NULL, &rom, &at) == VMI_OK) {
		VMI_FUZZ_ASSERT(at >= VMI_ROM_SCAN_START && at < VMI_ROM_SCAN_START + size);
		vmi_fuzz_rom_checks(&rom, sizeof(buf));
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("VMI_FUZZ_SEEDS");
	if (!dir)
		return 0;
	static uint8_t rom[VMI_ROM_MAX_SIZE];
	size_t n = vmi_synth_rom(VMI_ARCH_I386, rom);
	vmi_fuzz_seed(dir, "synth-i386.rom", rom, n);
	n = vmi_synth_rom(VMI_ARCH_X86_64, rom);
	vmi_fuzz_seed(dir, "synth-x86_64.rom", rom, n);
	exit(0);
}
