/* SPDX-License-Identifier: MIT */
/* romgen.c - in-memory VMI ROM builder for tests (see romgen.h). */
#include "helpers/romgen.h"
#include "helpers/le.h"

#include <string.h>

static uint16_t vmi_tg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t vmi_tg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void vmi_test_rom_fix_sum(uint8_t *rom, size_t size)
{
	uint8_t sum = 0;
	if (!size)
		return;
	for (size_t i = 0; i + 1 < size; i++)
		sum = (uint8_t)(sum + rom[i]);
	rom[size - 1] = (uint8_t)(0x100 - sum);
}

size_t vmi_test_rom_build(uint8_t *buf, size_t cap, uint8_t major, uint8_t minor, uint32_t features,
			  uint8_t arch, const vmi_test_call *calls, size_t n)
{
	size_t end = VMI_TEST_ROM_TABLE_OFF + n * 16;

	/* First pass: how big will it be? */
	for (size_t i = 0; i < n; i++)
		end += calls[i].stub ? calls[i].stub_len : 0;
	for (size_t i = 0; i < n; i++)
		if (calls[i].has_entry)
			end = (end + VMI_TEST_ROM_ENTRY_ALIGN - 1) / VMI_TEST_ROM_ENTRY_ALIGN * VMI_TEST_ROM_ENTRY_ALIGN +
			      VMI_TEST_ROM_ENTRY_ALIGN;
	size_t size = (end + 1 + 511) / 512 * 512; /* +1: the checksum byte stays free */
	if (size > cap || size / 512 > 255 || n > 0xffff)
		return 0;

	memset(buf, 0, size);
	buf[0] = 0x55;
	buf[1] = 0xAA;
	buf[2] = (uint8_t)(size / 512);
	buf[3] = 0xCB; /* retf: the real-mode init returns at once */
	memcpy(buf + 0x08, "VMI!", 4);
	buf[0x0C] = major;
	buf[0x0D] = minor;
	vmi_test_put16(buf + 0x0E, 0x40);
	vmi_test_put32(buf + 0x10, features);
	buf[0x14] = arch;
	vmi_test_put16(buf + 0x16, 16);
	vmi_test_put16(buf + 0x1C, (uint16_t)n);
	vmi_test_put32(buf + 0x20, VMI_TEST_ROM_TABLE_OFF);
	memcpy(buf + 0x2C, "romgen", 6);

	size_t pos = VMI_TEST_ROM_TABLE_OFF + n * 16;
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = buf + VMI_TEST_ROM_TABLE_OFF + i * 16;
		vmi_test_put16(e + 0, calls[i].id);
		e[2] = calls[i].form;
		vmi_test_put16(e + 12, calls[i].stub_clobbers);
		vmi_test_put16(e + 14, calls[i].call_clobbers);
		if (calls[i].stub) {
			e[3] = calls[i].stub_len;
			if (calls[i].stub_len) {
				vmi_test_put32(e + 4, (uint32_t)pos);
				memcpy(buf + pos, calls[i].stub, calls[i].stub_len);
				pos += calls[i].stub_len;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!calls[i].has_entry)
			continue;
		pos = (pos + VMI_TEST_ROM_ENTRY_ALIGN - 1) / VMI_TEST_ROM_ENTRY_ALIGN * VMI_TEST_ROM_ENTRY_ALIGN;
		vmi_test_put32(buf + VMI_TEST_ROM_TABLE_OFF + i * 16 + 8, (uint32_t)pos);
		buf[pos] = 0xC3;                                     /* ret */
		memset(buf + pos + 1, 0xCC, VMI_TEST_ROM_ENTRY_ALIGN - 1); /* int3 padding */
		pos += VMI_TEST_ROM_ENTRY_ALIGN;
	}
	vmi_test_rom_fix_sum(buf, size);
	return size;
}

static const uint8_t *vmi_tg_find(const uint8_t *rom, uint16_t id)
{
	uint32_t table = vmi_tg_get32(rom + 0x20);
	uint16_t count = vmi_tg_get16(rom + 0x1C);
	uint16_t esize = vmi_tg_get16(rom + 0x16);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = rom + table + (size_t)i * esize;
		if (vmi_tg_get16(e) == id)
			return e;
	}
	return NULL;
}

uint32_t vmi_test_rom_entry_off(const uint8_t *rom, uint16_t id)
{
	const uint8_t *e = vmi_tg_find(rom, id);
	return e ? vmi_tg_get32(e + 8) : 0;
}

uint32_t vmi_test_rom_stub_off(const uint8_t *rom, uint16_t id)
{
	const uint8_t *e = vmi_tg_find(rom, id);
	return e ? vmi_tg_get32(e + 4) : 0;
}
