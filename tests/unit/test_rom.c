/* SPDX-License-Identifier: MIT */
/*
 * test_rom.c - vmi_rom_validate accepts a well-formed ROM (built by romgen
 * from the documented layout) and rejects each kind of damage with its own
 * status; the call-table readers, the checksum fixer and the CRC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/romgen.h"
#include "helpers/le.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"

#define ROM_CAP (64 * 1024)
static uint8_t rom[ROM_CAP];
static size_t rom_size;

static const uint8_t stub_cli[] = { 0xFA };
static const uint8_t stub_mov[] = { 0x0F, 0x20, 0xD8 }; /* mov %cr3,%eax */

/* A ROM that exercises every form and an id this catalog does not know. */
static const vmi_test_call good_calls[] = {
	{ VMI_CALL_DisableInterrupts, VMI_FORM_INLINE, stub_cli, sizeof(stub_cli), 0, 0, 0 },
	{ VMI_CALL_SetCR3, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX | VMI_REG_CX | VMI_REG_DX },
	{ VMI_CALL_GetCR3, VMI_FORM_INLINE, stub_mov, sizeof(stub_mov), 1, VMI_REG_AX, VMI_REG_AX },
	{ VMI_CALL_Halt, VMI_FORM_NOP, NULL, 0, 0, 0, 0 },
	{ VMI_CALL_CPUID, VMI_FORM_IDENT, NULL, 0, 0, 0, 0 },
	{ 127, VMI_FORM_CALL, NULL, 0, 1, 0, 0 }, /* unknown id: a newer ROM */
};
#define GOOD_N (sizeof(good_calls) / sizeof(good_calls[0]))

/* Bit-at-a-time CRC-32, independent of the table-driven one under test. */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int setup_good(void **state)
{
	(void)state;
	rom_size = vmi_test_rom_build(rom, sizeof(rom), 1, 3, VMI_FEAT_DEFERRED | VMI_FEAT_PAE, VMI_ARCH_I386,
				      good_calls, GOOD_N);
	assert_int_equal(rom_size, 512);
	return 0;
}

/* Entry @i's field at @off. */
static uint8_t *entry(size_t i, size_t off)
{
	return rom + VMI_TEST_ROM_TABLE_OFF + i * 16 + off;
}

static vmi_status validate(void)
{
	vmi_rom r;
	return vmi_rom_validate(rom, rom_size, NULL, &r);
}

/* Edit, fix the sum (so the edit is what gets reported), validate. */
static vmi_status validate_fixed(void)
{
	vmi_test_rom_fix_sum(rom, rom_size);
	return validate();
}

static void test_crc32(void **state)
{
	uint8_t buf[1000];
	(void)state;
	assert_int_equal(vmi_crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(vmi_crc32("", 0), 0);
	assert_int_equal(vmi_crc32("a", 1), 0xE8B7BE43u);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t n = 0; n <= sizeof(buf); n += 37)
		assert_int_equal(vmi_crc32(buf, n), ref_crc32(buf, n));
}

static void test_good_rom(void **state)
{
	vmi_rom r;
	(void)state;
	memset(&r, 0xA5, sizeof(r));
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	assert_ptr_equal(r.image, rom);
	assert_int_equal(r.size, 512);
	assert_int_equal(r.major, 1);
	assert_int_equal(r.minor, 3);
	assert_int_equal(r.arch, VMI_ARCH_I386);
	assert_int_equal(r.features, VMI_FEAT_DEFERRED | VMI_FEAT_PAE);
	assert_int_equal(r.call_count, GOOD_N);
	assert_int_equal(r.call_entry_size, 16);
	assert_int_equal(r.call_table_off, 0x40);
	assert_int_equal(r.init_off, 0);
	assert_int_equal(r.data_size, 0);
	assert_string_equal(r.vendor, "romgen");
	assert_int_equal(r.crc, ref_crc32(rom, 512));

	/* A buffer longer than the ROM: only the declared length counts. */
	memset(rom + 512, 0x77, 512);
	assert_int_equal(vmi_rom_validate(rom, 1024, NULL, &r), VMI_OK);
	assert_int_equal(r.size, 512);
	assert_int_equal(r.crc, ref_crc32(rom, 512));

	/* A vendor name filling all 16 bytes is still NUL-terminated. */
	memcpy(rom + 0x2C, "0123456789abcdef", 16);
	vmi_test_rom_fix_sum(rom, rom_size);
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	assert_string_equal(r.vendor, "0123456789abcdef");

	/* Non-zero init offset and data size inside the ROM are fine. */
	vmi_test_put32(rom + 0x24, 0x1F0);
	vmi_test_put32(rom + 0x28, 0x12345678);
	vmi_test_rom_fix_sum(rom, rom_size);
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	assert_int_equal(r.init_off, 0x1F0);
	assert_int_equal(r.data_size, 0x12345678);
}

static void test_truncated(void **state)
{
	vmi_rom r;
	(void)state;
	assert_int_equal(vmi_rom_validate(rom, 0, NULL, &r), VMI_E_ROM_TRUNCATED);
	assert_int_equal(vmi_rom_validate(rom, 0x3F, NULL, &r), VMI_E_ROM_TRUNCATED);
	assert_int_equal(vmi_rom_validate(rom, 0x40, NULL, &r), VMI_E_ROM_TRUNCATED);
	assert_int_equal(vmi_rom_validate(rom, rom_size - 1, NULL, &r), VMI_E_ROM_TRUNCATED);
	/* Length byte claims more than the buffer holds. */
	rom[2] = 2;
	assert_int_equal(validate(), VMI_E_ROM_TRUNCATED);
}

static void test_signature_length_checksum(void **state)
{
	(void)state;
	rom[0] = 0x54;
	assert_int_equal(validate(), VMI_E_ROM_SIGNATURE);
	rom[0] = 0x55;
	rom[1] = 0xAB;
	assert_int_equal(validate(), VMI_E_ROM_SIGNATURE);
	rom[1] = 0xAA;
	rom[2] = 0;
	assert_int_equal(validate(), VMI_E_ROM_LENGTH);
	rom[2] = 1;
	assert_int_equal(validate(), VMI_OK);
	rom[200] ^= 0x10;
	assert_int_equal(validate(), VMI_E_ROM_CHECKSUM);
	rom[511] ^= 0x01;
	rom[200] ^= 0x10;
	assert_int_equal(validate(), VMI_E_ROM_CHECKSUM);
}

static void test_no_checksum_flag(void **state)
{
	vmi_rom_opts o = { .size = sizeof(o), .flags = VMI_ROM_F_NO_CHECKSUM };
	vmi_rom r;
	(void)state;
	rom[0x30] ^= 0x5A; /* inside the vendor name: sum broken, nothing else */
	assert_int_equal(validate(), VMI_E_ROM_CHECKSUM);
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_OK);
	assert_int_equal(r.crc, ref_crc32(rom, 512));
	/* It skips only the checksum: every later check still runs. */
	rom[0x08] = 'W';
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_E_ROM_MAGIC);
	rom[0x08] = 'V';
	vmi_test_put16(rom + 0x18, 0x1C);
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_E_ROM_RESERVED);
	vmi_test_put16(rom + 0x18, 0);
	*entry(0, 2) = 9;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_E_ROM_FORM);
	/* ...and the signature check still comes first. */
	rom[0] = 0;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_E_ROM_SIGNATURE);
}

static void test_magic_header_reserved(void **state)
{
	(void)state;
	rom[0x0B] = '?';
	assert_int_equal(validate_fixed(), VMI_E_ROM_MAGIC);
	rom[0x0B] = '!';
	vmi_test_put16(rom + 0x0E, 0x3F);
	assert_int_equal(validate_fixed(), VMI_E_ROM_HEADER_SIZE);
	vmi_test_put16(rom + 0x0E, 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_HEADER_SIZE);
	vmi_test_put16(rom + 0x0E, 513);
	assert_int_equal(validate_fixed(), VMI_E_ROM_HEADER_SIZE);
	vmi_test_put16(rom + 0x0E, 0xFFFF);
	assert_int_equal(validate_fixed(), VMI_E_ROM_HEADER_SIZE);
	/* A longer header (newer minor) is fine while the table follows it. */
	vmi_test_put16(rom + 0x0E, 0x40);
	assert_int_equal(validate_fixed(), VMI_OK);
	vmi_test_put16(rom + 0x18, 0x1C);
	assert_int_equal(validate_fixed(), VMI_E_ROM_RESERVED);
	vmi_test_put16(rom + 0x18, 0);
	vmi_test_put16(rom + 0x1A, 0x40);
	assert_int_equal(validate_fixed(), VMI_E_ROM_RESERVED);
	vmi_test_put16(rom + 0x1A, 0x0100);
	assert_int_equal(validate_fixed(), VMI_E_ROM_RESERVED);
}

static void test_arch(void **state)
{
	vmi_rom_opts o = { .size = sizeof(o), .arch = VMI_ARCH_X86_64 };
	vmi_rom r;
	(void)state;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_E_ROM_ARCH);
	o.arch = VMI_ARCH_I386;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_OK);
	o.arch = VMI_ARCH_NONE;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &o, &r), VMI_OK);
	rom[0x14] = 0;
	assert_int_equal(validate_fixed(), VMI_E_ROM_ARCH);
	rom[0x14] = 3;
	assert_int_equal(validate_fixed(), VMI_E_ROM_ARCH);
	rom[0x14] = VMI_ARCH_X86_64;
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_entry_size_and_count(void **state)
{
	(void)state;
	vmi_test_put16(rom + 0x16, 15);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_SIZE);
	vmi_test_put16(rom + 0x16, 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_SIZE);
	vmi_test_put16(rom + 0x16, 16);
	vmi_test_put16(rom + 0x1C, 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_COUNT);
	vmi_test_put16(rom + 0x1C, 257);
	assert_int_equal(validate_fixed(), VMI_E_ROM_COUNT);
	vmi_test_put16(rom + 0x1C, 0xFFFF);
	assert_int_equal(validate_fixed(), VMI_E_ROM_COUNT);
}

static void test_max_calls(void **state)
{
	static vmi_test_call calls[VMI_ROM_MAX_CALLS];
	vmi_rom r;
	vmi_rom_call c;
	(void)state;
	for (size_t i = 0; i < VMI_ROM_MAX_CALLS; i++)
		calls[i] = (vmi_test_call){ .id = (uint16_t)(1000 + i), .form = VMI_FORM_NOP };
	rom_size = vmi_test_rom_build(rom, sizeof(rom), 1, 0, 0, VMI_ARCH_X86_64, calls, VMI_ROM_MAX_CALLS);
	assert_true(rom_size > 0);
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	assert_int_equal(r.call_count, 256);
	assert_int_equal(vmi_rom_find_call(&r, 1255, &c), VMI_OK);
	assert_int_equal(c.form, VMI_FORM_NOP);
	/* The last of 256 entries duplicated into the first. */
	vmi_test_put16(entry(0, 0), 1255);
	assert_int_equal(validate_fixed(), VMI_E_ROM_DUP_CALL);
}

static void test_table_bounds(void **state)
{
	(void)state;
	vmi_test_put32(rom + 0x20, 512);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	vmi_test_put32(rom + 0x20, 513);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	/* offset + count*size one past the end */
	vmi_test_put32(rom + 0x20, 512 - GOOD_N * 16 + 1);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	/* Sums that wrap 32 bits must not pass. */
	vmi_test_put32(rom + 0x20, 0xFFFFFFF0u);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	vmi_test_put32(rom + 0x20, 0xFFFFFFFFu);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	/* A table inside the header. */
	vmi_test_put32(rom + 0x20, 0x20);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	vmi_test_put32(rom + 0x20, 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	/* A huge stride makes the table larger than the ROM. */
	vmi_test_put32(rom + 0x20, 0x40);
	vmi_test_put16(rom + 0x16, 0xFFFF);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
	vmi_test_put16(rom + 0x16, 16);
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_entry_bounds(void **state)
{
	uint32_t stub = vmi_test_rom_stub_off(rom, VMI_CALL_GetCR3);
	(void)state;
	assert_int_equal(stub, 0x40 + GOOD_N * 16 + 1);
	/* Entry 2 (GetCR3): 3-byte stub. */
	vmi_test_put32(entry(2, 4), 510);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(2, 4), 509); /* its last byte would be the checksum */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(2, 4), 508);
	assert_int_equal(validate_fixed(), VMI_OK);
	vmi_test_put32(entry(2, 4), 0xFFFFFFFFu);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(2, 4), 0xFFFFFFFEu);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(2, 4), stub);
	/* Entry 1 (SetCR3): out-of-line entry. */
	vmi_test_put32(entry(1, 8), 512);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(1, 8), 0xFFFFFFFFu);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(1, 8), 511);
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(1, 8), 510);
	assert_int_equal(validate_fixed(), VMI_OK);
	/* A stray entry offset on a NOP entry is still checked. */
	vmi_test_put32(entry(3, 8), 4096);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(entry(3, 8), 0);
	/* The VMI init offset. */
	vmi_test_put32(rom + 0x24, 512);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(rom + 0x24, 0xFFFFFFFFu);
	assert_int_equal(validate_fixed(), VMI_E_ROM_ENTRY_BOUNDS);
	vmi_test_put32(rom + 0x24, 0);
	assert_int_equal(validate_fixed(), VMI_OK);
}

/* Code lives after the header, outside the call table, before the checksum. */
static void test_code_area(void **state)
{
	uint32_t stub = vmi_test_rom_stub_off(rom, VMI_CALL_GetCR3);
	uint32_t table_end = 0x40 + GOOD_N * 16;
	(void)state;
	vmi_test_put32(entry(2, 4), 0x10); /* a stub inside the header */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(2, 4), 0x3E); /* one that starts in it and runs into the table */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(2, 4), 0x40 + 16 + 4); /* inside entry 1 */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(2, 4), table_end - 2); /* the table's last two bytes */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(2, 4), table_end); /* right after it */
	assert_int_equal(validate_fixed(), VMI_OK);
	vmi_test_put32(entry(2, 4), stub);
	vmi_test_put32(entry(1, 8), 0x08); /* an entry point on the magic */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(1, 8), 0x40); /* on the table's first byte */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(entry(1, 8), table_end);
	assert_int_equal(validate_fixed(), VMI_OK);
	vmi_test_put32(rom + 0x24, 0x03); /* VMI init on the real-mode init */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(rom + 0x24, 511); /* on the checksum byte */
	assert_int_equal(validate_fixed(), VMI_E_ROM_CODE_AREA);
	vmi_test_put32(rom + 0x24, table_end);
	assert_int_equal(validate_fixed(), VMI_OK);
}

/* init16 is retf and four zeros; the reserved header bytes are zero. */
static void test_init16_reserved(void **state)
{
	static const uint8_t reserved[] = { 0x15, 0x1E, 0x1F, 0x3C, 0x3D, 0x3E, 0x3F };
	(void)state;
	assert_int_equal(rom[3], 0xCB);
	rom[3] = 0xC3; /* near ret: wrong in a far-called init */
	assert_int_equal(validate_fixed(), VMI_E_ROM_INIT16);
	rom[3] = 0xCB;
	for (int i = 4; i < 8; i++) {
		rom[i] = 0x90;
		assert_int_equal(validate_fixed(), VMI_E_ROM_INIT16);
		rom[i] = 0;
	}
	for (size_t i = 0; i < sizeof(reserved); i++) {
		rom[reserved[i]] = 1;
		assert_int_equal(validate_fixed(), VMI_E_ROM_RESERVED);
		rom[reserved[i]] = 0;
	}
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_forms(void **state)
{
	(void)state;
	*entry(3, 2) = VMI_FORM_COUNT;
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	*entry(3, 2) = 0xFF;
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	*entry(3, 2) = VMI_FORM_NOP;
	/* INLINE without a stub: no length, or no offset. */
	*entry(0, 3) = 0;
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	*entry(0, 3) = 1;
	vmi_test_put32(entry(0, 4), 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	/* INLINE whose stub cannot fit any site. */
	vmi_test_put32(entry(0, 4), 0x100);
	*entry(0, 3) = VMI_SITE_MAX_LEN;
	assert_int_equal(validate_fixed(), VMI_OK);
	*entry(0, 3) = VMI_SITE_MAX_LEN + 1;
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	*entry(0, 3) = 1;
	/* CALL without an entry point. */
	vmi_test_put32(entry(1, 8), 0);
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	/* An IDENT entry that carries a stub and an entry is fine. */
	*entry(1, 2) = VMI_FORM_IDENT;
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_sp_clobber(void **state)
{
	(void)state;
	vmi_test_put16(entry(2, 12), VMI_REG_AX | VMI_REG_SP);
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	vmi_test_put16(entry(2, 12), VMI_REG_AX);
	vmi_test_put16(entry(1, 14), VMI_REG_SP);
	assert_int_equal(validate_fixed(), VMI_E_ROM_FORM);
	vmi_test_put16(entry(1, 14), 0xFFFF & ~VMI_REG_SP);
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_duplicate(void **state)
{
	(void)state;
	vmi_test_put16(entry(5, 0), VMI_CALL_DisableInterrupts);
	assert_int_equal(validate_fixed(), VMI_E_ROM_DUP_CALL);
	vmi_test_put16(entry(5, 0), VMI_CALL_Halt);
	assert_int_equal(validate_fixed(), VMI_E_ROM_DUP_CALL);
	vmi_test_put16(entry(5, 0), VMI_CALL_CPUID); /* the entry just before */
	assert_int_equal(validate_fixed(), VMI_E_ROM_DUP_CALL);
	vmi_test_put16(entry(5, 0), 127);
	vmi_test_put16(entry(1, 0), VMI_CALL_DisableInterrupts); /* the first two */
	assert_int_equal(validate_fixed(), VMI_E_ROM_DUP_CALL);
	vmi_test_put16(entry(1, 0), VMI_CALL_SetCR3);
	vmi_test_put16(entry(5, 0), 0);
	assert_int_equal(validate_fixed(), VMI_OK);
}

static void test_opts(void **state)
{
	struct {
		vmi_rom_opts o;
		uint8_t tail[8];
	} big;
	vmi_rom r;
	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.size = sizeof(big);
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_OK);
	big.tail[5] = 1;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_E_OPTS_UNKNOWN);
	/* A caller built before .arch existed: size 8; the arch bytes are not read. */
	memset(&big, 0, sizeof(big));
	big.o.size = 8;
	big.o.arch = VMI_ARCH_X86_64;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_OK);
	big.o.size = sizeof(vmi_rom_opts);
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_E_ROM_ARCH);
	/* flags only (size 8) still takes effect. */
	memset(&big, 0, sizeof(big));
	big.o.size = 8;
	big.o.flags = VMI_ROM_F_NO_CHECKSUM;
	rom[0x31] ^= 1;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_OK);
	big.o.size = 4; /* flags absent: default checks the sum */
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_E_ROM_CHECKSUM);
	big.o.size = 0;
	assert_int_equal(vmi_rom_validate(rom, rom_size, &big.o, &r), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_validate(NULL, rom_size, NULL, &r), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, NULL), VMI_E_INVALID_ARG);
}

static void test_call_table(void **state)
{
	vmi_rom r;
	vmi_rom_call c;
	(void)state;
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	for (uint32_t i = 0; i < GOOD_N; i++) {
		const vmi_test_call *t = &good_calls[i];
		assert_int_equal(vmi_rom_call_at(&r, i, &c), VMI_OK);
		assert_int_equal(c.call_id, t->id);
		assert_int_equal(c.form, t->form);
		assert_int_equal(c.stub_len, t->stub_len);
		assert_int_equal(c.stub_clobbers, t->stub_clobbers);
		assert_int_equal(c.call_clobbers, t->call_clobbers);
		assert_int_equal(c.entry_off, vmi_test_rom_entry_off(rom, t->id));
		if (t->stub) {
			assert_true(c.stub_off >= 0x40 + GOOD_N * 16 && c.stub_off + c.stub_len <= r.size);
			assert_memory_equal(rom + c.stub_off, t->stub, t->stub_len);
		} else {
			assert_int_equal(c.stub_off, 0);
		}
		if (t->has_entry) {
			assert_true(c.entry_off > 0 && c.entry_off < r.size);
			assert_int_equal(rom[c.entry_off], 0xC3);
		}
		memset(&c, 0, sizeof(c));
		assert_int_equal(vmi_rom_find_call(&r, t->id, &c), VMI_OK);
		assert_int_equal(c.call_id, t->id);
		assert_int_equal(c.form, t->form);
	}
	assert_int_equal(vmi_rom_call_at(&r, GOOD_N, &c), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_call_at(&r, UINT32_MAX, &c), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_find_call(&r, VMI_CALL_SetCR0, &c), VMI_E_ROM_NOT_FOUND);
	assert_int_equal(vmi_rom_find_call(&r, 0x10000 + VMI_CALL_Halt, &c), VMI_E_ROM_NOT_FOUND);
	assert_int_equal(vmi_rom_find_call(NULL, 1, &c), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_rom_call_at(&r, 0, NULL), VMI_E_INVALID_ARG);
}

/* A ROM with 24-byte call entries (a newer format): the readers use the stride. */
static void test_wider_entries(void **state)
{
	uint8_t t[GOOD_N * 16];
	vmi_rom r;
	vmi_rom_call c;
	(void)state;
	memcpy(t, rom + 0x40, sizeof(t));
	memset(rom + 0x40, 0, sizeof(t));
	for (size_t i = 0; i < GOOD_N; i++) {
		memcpy(rom + 0x100 + i * 24, t + i * 16, 16);
		memset(rom + 0x100 + i * 24 + 16, 0xEE, 8); /* appended field */
	}
	vmi_test_put16(rom + 0x16, 24);
	vmi_test_put32(rom + 0x20, 0x100);
	assert_int_equal(validate_fixed(), VMI_OK);
	assert_int_equal(vmi_rom_validate(rom, rom_size, NULL, &r), VMI_OK);
	assert_int_equal(r.call_entry_size, 24);
	for (uint32_t i = 0; i < GOOD_N; i++) {
		assert_int_equal(vmi_rom_call_at(&r, i, &c), VMI_OK);
		assert_int_equal(c.call_id, good_calls[i].id);
		assert_int_equal(c.call_clobbers, good_calls[i].call_clobbers);
	}
	assert_int_equal(vmi_rom_find_call(&r, 127, &c), VMI_OK);
	assert_int_equal(c.form, VMI_FORM_CALL);
	/* Moved so the 24-byte entries end one byte past the ROM. */
	vmi_test_put32(rom + 0x20, 512 - GOOD_N * 24 + 1);
	assert_int_equal(validate_fixed(), VMI_E_ROM_TABLE_BOUNDS);
}

static void test_checksum_fix(void **state)
{
	uint8_t buf[777];
	unsigned sum = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	vmi_rom_checksum_fix(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		sum += buf[i];
	assert_int_equal(sum & 0xff, 0);
	for (size_t i = 0; i + 1 < sizeof(buf); i++)
		assert_int_equal(buf[i], (uint8_t)(i * 7 + 3)); /* only the last byte changes */
	vmi_rom_checksum_fix(buf, 0); /* no-op, no crash */
	vmi_rom_checksum_fix(NULL, 10);
}

static void test_form_names(void **state)
{
	(void)state;
	assert_string_equal(vmi_form_name(VMI_FORM_IDENT), "ident");
	assert_string_equal(vmi_form_name(VMI_FORM_INLINE), "inline");
	assert_string_equal(vmi_form_name(VMI_FORM_CALL), "call");
	assert_string_equal(vmi_form_name(VMI_FORM_NOP), "nop");
	assert_string_equal(vmi_form_name(VMI_FORM_COUNT), "?");
	assert_string_equal(vmi_form_name(UINT32_MAX), "?");
}

#define T(f) cmocka_unit_test_setup(f, setup_good)
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		T(test_good_rom),
		T(test_truncated),
		T(test_signature_length_checksum),
		T(test_no_checksum_flag),
		T(test_magic_header_reserved),
		T(test_arch),
		T(test_entry_size_and_count),
		T(test_max_calls),
		T(test_table_bounds),
		T(test_entry_bounds),
		T(test_code_area),
		T(test_init16_reserved),
		T(test_forms),
		T(test_sp_clobber),
		T(test_duplicate),
		T(test_opts),
		T(test_call_table),
		T(test_wider_entries),
		cmocka_unit_test(test_checksum_fix),
		cmocka_unit_test(test_form_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
