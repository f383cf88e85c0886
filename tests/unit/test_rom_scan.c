/* SPDX-License-Identifier: MIT */
/*
 * test_rom_scan.c - vmi_rom_scan over a fake 0xC0000-0xDFFFF laid out as
 * QEMU/SeaBIOS leaves it (shared/notes/qemu-option-rom.md): a VGA BIOS at
 * 0xC0000, a NIC boot ROM at 0xCA000, then the option ROMs added later.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/romgen.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"

#define MEM_BASE 0xC0000u
#define MEM_SIZE 0x20000u

struct fake_mem {
	uint8_t bytes[MEM_SIZE];
	uint64_t fail_addr[4];     /* reads at these addresses fail */
	size_t fail_n;
	uint64_t fail_big_addr;    /* reads of more than 3 bytes fail here (0 = none) */
	size_t max_read_at_vga;    /* longest read at 0xC0000 */
	unsigned reads;
};

static struct fake_mem mem;

static vmi_status fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	m->reads++;
	for (size_t i = 0; i < m->fail_n; i++)
		if (addr == m->fail_addr[i])
			return VMI_E_IO;
	if (m->fail_big_addr && addr == m->fail_big_addr && len > 3)
		return VMI_E_IO;
	if (addr < MEM_BASE || addr > MEM_BASE + MEM_SIZE || len > MEM_BASE + MEM_SIZE - addr)
		return VMI_E_IO;
	if (addr == MEM_BASE && len > m->max_read_at_vga)
		m->max_read_at_vga = len;
	memcpy(buf, m->bytes + (addr - MEM_BASE), len);
	return VMI_OK;
}

static uint8_t *at(uint64_t addr)
{
	return mem.bytes + (addr - MEM_BASE);
}

/* A foreign option ROM: valid signature and sum, PCI data pointer, no VMI magic. */
static void put_foreign_rom(uint64_t addr, uint8_t blocks, uint8_t seed)
{
	uint8_t *r = at(addr);
	size_t n = (size_t)blocks * 512;
	for (size_t i = 0; i < n; i++)
		r[i] = (uint8_t)(i * seed + 1);
	r[0] = 0x55;
	r[1] = 0xAA;
	r[2] = blocks;
	r[0x18] = 0x1C;
	r[0x19] = 0;
	vmi_test_rom_fix_sum(r, n);
}

static const uint8_t stub_sti[] = { 0xFB };
static const vmi_test_call calls[] = {
	{ VMI_CALL_EnableInterrupts, VMI_FORM_INLINE, stub_sti, 1, 0, 0, 0 },
	{ VMI_CALL_SetCR3, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
};

static size_t put_vmi_rom(uint64_t addr, uint8_t minor, uint8_t arch)
{
	size_t n = vmi_test_rom_build(at(addr), MEM_BASE + MEM_SIZE - addr, 1, minor, 0, arch, calls, 2);
	assert_true(n > 0);
	return n;
}

/* QEMU's default machine: VGA, iPXE, a corrupt VMI ROM, then a good one. */
static int setup_qemu_like(void **state)
{
	(void)state;
	memset(&mem, 0, sizeof(mem));
	put_foreign_rom(0xC0000, 78, 3); /* 39 KiB VGA BIOS */
	put_foreign_rom(0xCA000, 7, 5);  /* 3.5 KiB NIC boot ROM */
	put_vmi_rom(0xCB000, 1, VMI_ARCH_I386);
	at(0xCB000)[0x30] ^= 0xFF; /* checksum now wrong */
	put_vmi_rom(0xCB800, 2, VMI_ARCH_I386);
	return 0;
}

static uint8_t buf[VMI_ROM_MAX_SIZE];

static void test_finds_good_rom_after_others(void **state)
{
	vmi_rom r;
	uint64_t found = 0;
	(void)state;
	/* The first VMI candidate really is corrupt; the scan must go past it. */
	assert_int_equal(vmi_rom_validate(at(0xCB000), 512, NULL, &r), VMI_E_ROM_CHECKSUM);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      NULL, &r, &found),
			 VMI_OK);
	assert_int_equal(found, 0xCB800);
	assert_int_equal(r.minor, 2);
	assert_ptr_equal(r.image, buf);
	assert_memory_equal(buf, at(0xCB800), r.size);
	assert_int_equal(r.crc, vmi_crc32(at(0xCB800), 512));
	/* The VGA ROM (no VMI magic) was never read past its header. */
	assert_true(mem.max_read_at_vga <= VMI_ROM_HEADER_V1_SIZE);
	/* found may be NULL. */
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      NULL, &r, NULL),
			 VMI_OK);
}

static void test_nothing_found(void **state)
{
	vmi_rom r;
	uint64_t found = 0x1234;
	(void)state;
	memset(at(0xCB000), 0, 0x1000);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      NULL, &r, &found),
			 VMI_E_ROM_NOT_FOUND);
	assert_int_equal(found, 0x1234);
	/* Every 2 KiB step was looked at, nothing more than a few times each. */
	assert_true(mem.reads >= MEM_SIZE / VMI_ROM_SCAN_STEP);
	assert_true(mem.reads <= 3 * MEM_SIZE / VMI_ROM_SCAN_STEP);
}

static void test_range_limits(void **state)
{
	vmi_rom r;
	uint64_t found = 0;
	(void)state;
	/* The good ROM lies before the range. */
	assert_int_equal(vmi_rom_scan(fake_read, &mem, 0xCC000, VMI_ROM_SCAN_END, buf, sizeof(buf), NULL, &r,
				      &found),
			 VMI_E_ROM_NOT_FOUND);
	/* ...or at the (exclusive) end. */
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, 0xCB800, buf, sizeof(buf), NULL, &r,
				      &found),
			 VMI_E_ROM_NOT_FOUND);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, 0xCB800, 0xCB801, buf, sizeof(buf), NULL, &r, &found),
			 VMI_OK);
	assert_int_equal(found, 0xCB800);
	/* A range at the top of the address space ends instead of wrapping. */
	mem.reads = 0;
	assert_int_equal(vmi_rom_scan(fake_read, &mem, UINT64_MAX - 0xFFF, UINT64_MAX, buf, sizeof(buf), NULL, &r,
				      &found),
			 VMI_E_ROM_NOT_FOUND);
	assert_int_equal(mem.reads, 2);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, 0xD0000, 0xC0000, buf, sizeof(buf), NULL, &r, &found),
			 VMI_E_ROM_NOT_FOUND);
}

static void test_read_failures(void **state)
{
	vmi_rom r;
	uint64_t found = 0;
	(void)state;
	put_vmi_rom(0xD0000, 3, VMI_ARCH_I386);
	/* The good ROM cannot be read at all: the next one is found. */
	mem.fail_addr[mem.fail_n++] = 0xCB800;
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      NULL, &r, &found),
			 VMI_OK);
	assert_int_equal(found, 0xD0000);
	assert_int_equal(r.minor, 3);
	/* Its header reads but the full read fails: skipped as well. */
	mem.fail_n = 0;
	mem.fail_big_addr = 0xCB800;
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      NULL, &r, &found),
			 VMI_OK);
	assert_int_equal(found, 0xD0000);
	/* Every read fails in a range: not found, no crash. */
	mem.fail_big_addr = 0;
	mem.fail_addr[mem.fail_n++] = 0xD0000;
	mem.fail_addr[mem.fail_n++] = 0xCB800;
	assert_int_equal(vmi_rom_scan(fake_read, &mem, 0xCB800, 0xD0800, buf, sizeof(buf), NULL, &r, &found),
			 VMI_E_ROM_NOT_FOUND);
}

static void test_arch_filter(void **state)
{
	vmi_rom_opts o = { .size = sizeof(o), .arch = VMI_ARCH_X86_64 };
	vmi_rom r;
	uint64_t found = 0;
	(void)state;
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf), &o,
				      &r, &found),
			 VMI_E_ROM_NOT_FOUND);
	put_vmi_rom(0xD8000, 1, VMI_ARCH_X86_64);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf), &o,
				      &r, &found),
			 VMI_OK);
	assert_int_equal(found, 0xD8000);
	assert_int_equal(r.arch, VMI_ARCH_X86_64);
	/* Options with an unknown non-zero tail are refused up front. */
	struct {
		vmi_rom_opts o;
		uint32_t extra;
	} big = { .o = { .size = sizeof(big) }, .extra = 1 };
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf),
				      &big.o, &r, &found),
			 VMI_E_OPTS_UNKNOWN);
}

static void test_buffer_too_small(void **state)
{
	vmi_rom r;
	uint64_t found = 0;
	(void)state;
	/* 511 bytes cannot hold the 512-byte VMI ROMs. */
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, 511, NULL, &r,
				      &found),
			 VMI_E_NO_SPACE);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, 16, NULL, &r,
				      &found),
			 VMI_E_NO_SPACE);
	/* Large enough for the VMI ROM though not for the VGA BIOS: fine. */
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, 512, NULL, &r,
				      &found),
			 VMI_OK);
	assert_int_equal(found, 0xCB800);
	/* A bigger VMI ROM that does not fit, then a small one that does. */
	static vmi_test_call many[100];
	for (size_t i = 0; i < 100; i++)
		many[i] = (vmi_test_call){ .id = (uint16_t)(200 + i), .form = VMI_FORM_CALL, .has_entry = 1 };
	assert_true(vmi_test_rom_build(at(0xCB800), 0x4000, 1, 0, 0, VMI_ARCH_I386, many, 100) > 512);
	put_vmi_rom(0xD0000, 3, VMI_ARCH_I386);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, 512, NULL, &r,
				      &found),
			 VMI_OK);
	assert_int_equal(found, 0xD0000);
}

static void test_bad_args(void **state)
{
	vmi_rom r;
	(void)state;
	assert_int_equal(vmi_rom_scan(NULL, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf), NULL, &r,
				      NULL),
			 VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, NULL, sizeof(buf), NULL,
				      &r, NULL),
			 VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_scan(fake_read, &mem, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, buf, sizeof(buf), NULL,
				      NULL, NULL),
			 VMI_E_INVALID_ARG);
}

#define T(f) cmocka_unit_test_setup(f, setup_qemu_like)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_finds_good_rom_after_others), T(test_nothing_found), T(test_range_limits),
		T(test_read_failures),               T(test_arch_filter),   T(test_buffer_too_small),
		T(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
