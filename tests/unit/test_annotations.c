/* SPDX-License-Identifier: MIT */
/*
 * test_annotations.c - the note and site-table readers.
 *
 * Hand-built tables check the offset arithmetic against values computed
 * here; the test binary also carries real sites emitted by vmi/guest.h
 * (never executed: they are privileged), which are decoded from its own
 * vmi_sites section and compared with the bytes in .text.
 */
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/le.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/guest.h"

/* ------------------------------------------------------------------ */
/* Real sites in this binary. */

VMI_GUEST_NOTE(1, 3);

void vmi_ta_guest_code(unsigned long *v, uint64_t *pte);
__attribute__((used, noinline)) void vmi_ta_guest_code(unsigned long *v, uint64_t *pte)
{
	vmi_cli();
	v[0] = vmi_read_cr3();
	vmi_write_cr3(v[1]);
	vmi_wrmsr((uint32_t)v[2], v[3]);
	v[4] = (unsigned long)vmi_rdtsc();
	v[5] = vmi_inb((uint16_t)v[6]);
	vmi_flush_tlb();
	vmi_allocate_page(v[7], 1);
	v[8] = vmi_save_flags();
	vmi_safe_halt();
#if defined(__x86_64__)
	vmi_set_pxe_long(pte, v[9]);
#else
	vmi_set_pxe_pae(pte, v[9]);
#endif
	vmi_sti();
}

struct ta_expect {
	uint16_t id;
	uint8_t minor;
	uint8_t n;
	uint8_t bytes[12];
	int seen;
};

/* Native encodings, from the instruction set reference (not from the build). */
static struct ta_expect expect[] = {
	{ VMI_CALL_DisableInterrupts, 0, 1, { 0xFA }, 0 },
	{ VMI_CALL_EnableInterrupts, 0, 1, { 0xFB }, 0 },
	{ VMI_CALL_GetCR3, 0, 3, { 0x0F, 0x20, 0xD8 }, 0 },              /* mov %cr3,%(e/r)ax */
#if defined(__x86_64__)
	{ VMI_CALL_SetCR3, 0, 3, { 0x0F, 0x22, 0xDF }, 0 },              /* mov %rdi,%cr3 */
	{ VMI_CALL_GetInterruptMask, 0, 2, { 0x9C, 0x58 }, 0 },          /* pushfq; pop %rax */
	{ VMI_CALL_SetPxELong, 2, 3, { 0x48, 0x89, 0x37 }, 0 },          /* mov %rsi,(%rdi) */
#else
	{ VMI_CALL_SetCR3, 0, 3, { 0x0F, 0x22, 0xD8 }, 0 },              /* mov %eax,%cr3 */
	{ VMI_CALL_GetInterruptMask, 0, 2, { 0x9C, 0x58 }, 0 },          /* pushfl; pop %eax */
	{ VMI_CALL_SetPxE, 1, 5, { 0x89, 0x51, 0x04, 0x89, 0x01 }, 0 },  /* mov %edx,4(%ecx); mov %eax,(%ecx) */
#endif
	{ VMI_CALL_WRMSR, 0, 2, { 0x0F, 0x30 }, 0 },
	{ VMI_CALL_GetCycleCounter, 0, 2, { 0x0F, 0x31 }, 0 },
	{ VMI_CALL_INB, 0, 1, { 0xEC }, 0 },                             /* in (%dx),%al */
	{ VMI_CALL_FlushTLB, 0, 6, { 0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8 }, 0 },
	{ VMI_CALL_AllocatePage, 0, 0, { 0 }, 0 },                       /* notification: no native */
	{ VMI_CALL_SafeHalt, 0, 2, { 0xFB, 0xF4 }, 0 },
};
#define N_EXPECT (sizeof(expect) / sizeof(expect[0]))

/* The recommended multi-byte NOPs (Intel SDM, NOP instruction). */
static const uint8_t nops[9][8] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0F, 0x1F, 0x00 },
	{ 0x0F, 0x1F, 0x40, 0x00 },
	{ 0x0F, 0x1F, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 },
	{ 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

struct ta_note_hunt {
	vmi_guest g;
	int found;
	const uint8_t *desc;
};

/* Look for the VMI note in the PT_NOTE segments of the main program. */
static int ta_phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct ta_note_hunt *h = data;
	(void)size;
	if (h->found || (info->dlpi_name && info->dlpi_name[0]))
		return 0; /* only the executable itself (empty name) */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		if (ph->p_type != PT_NOTE)
			continue;
		if (vmi_note_find(p, ph->p_memsz, &h->g) == VMI_OK) {
			h->found = 1;
			return 1;
		}
	}
	return 0;
}

static void test_own_note(void **state)
{
	struct ta_note_hunt h;
	(void)state;
	memset(&h, 0, sizeof(h));
	dl_iterate_phdr(ta_phdr_cb, &h);
	assert_true(h.found);
	assert_int_equal(h.g.format_version, 0x100);
	assert_int_equal(h.g.entry_size, 16);
	assert_int_equal(h.g.arch, VMI_GUEST_ARCH);
	assert_int_equal(h.g.req_major, 1);
	assert_int_equal(h.g.req_minor, 3);
	assert_int_equal(h.g.stamp_state, VMI_STAMP_NATIVE);
	assert_int_equal(h.g.stamp_rom_crc, 0);
}

static void test_own_sites(void **state)
{
	vmi_guest g = { .format_version = VMI_FORMAT_VERSION, .entry_size = 16, .arch = VMI_GUEST_ARCH };
	vmi_annotations a;
	size_t len = (size_t)(__stop_vmi_sites - __start_vmi_sites);
	uint64_t fn = (uint64_t)(uintptr_t)&vmi_ta_guest_code;
	(void)state;

	assert_int_equal(vmi_annotations_init(&a, &g, __start_vmi_sites, (uintptr_t)__start_vmi_sites, len),
			 VMI_OK);
	assert_true(a.count >= N_EXPECT);
	for (uint32_t i = 0; i < a.count; i++) {
		vmi_site s;
		const uint8_t *site, *native;
		struct ta_expect *e = NULL;
		size_t pad;

		assert_int_equal(vmi_annotations_get(&a, i, &s), VMI_OK);
		assert_int_equal(s.index, i);
		for (size_t k = 0; k < N_EXPECT; k++)
			if (expect[k].id == s.call_id)
				e = &expect[k];
		if (!e)
			fail_msg("site %u has unexpected call id %u", i, s.call_id);
		e->seen++;
		/* The site lies in the function that holds it; the copy in vmi_native. */
		assert_true(s.addr >= fn && s.addr < fn + 1024);
		assert_true(s.native_addr >= (uintptr_t)__start_vmi_native &&
			    s.native_addr + s.native_len <= (uintptr_t)__stop_vmi_native);
		site = (const uint8_t *)(uintptr_t)s.addr;
		native = (const uint8_t *)(uintptr_t)s.native_addr;
		assert_int_equal(s.native_len, e->n);
		if (e->n) {
			assert_memory_equal(native, e->bytes, e->n);
			assert_memory_equal(site, native, e->n);
		}
		assert_int_equal(s.len, e->n > VMI_GUEST_SITE_LEN ? e->n : VMI_GUEST_SITE_LEN);
		assert_int_equal(s.min_minor, e->minor);
		assert_int_equal(s.flags, 0);
		assert_int_equal(s.clobbers, VMI_GUEST_CLOBBERS);
		/* Padding: largest-first chunks of at most 8 bytes. */
		pad = s.len - s.native_len;
		for (const uint8_t *p = site + s.native_len; pad;) {
			size_t k = pad > 8 ? 8 : pad;
			assert_memory_equal(p, nops[k], k);
			p += k;
			pad -= k;
		}
	}
	for (size_t k = 0; k < N_EXPECT; k++)
		if (!expect[k].seen)
			fail_msg("no site for call %u", expect[k].id);
}

/* ------------------------------------------------------------------ */
/* Notes built by hand. */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Append one ELF note record; returns the new length. */
static size_t add_note(uint8_t *buf, size_t at, const char *name, uint32_t namesz, uint32_t type,
		       const uint8_t *desc, uint32_t descsz)
{
	vmi_test_put32(buf + at, namesz);
	vmi_test_put32(buf + at + 4, descsz);
	vmi_test_put32(buf + at + 8, type);
	at += 12;
	memset(buf + at, 0, pad4(namesz));
	memcpy(buf + at, name, namesz);
	at += pad4(namesz);
	memset(buf + at, 0, pad4(descsz));
	memcpy(buf + at, desc, descsz);
	return at + pad4(descsz);
}

static void make_desc(uint8_t *d, uint16_t format, uint16_t entry_size, uint8_t arch)
{
	memset(d, 0, 28);
	vmi_test_put16(d, format);
	vmi_test_put16(d + 2, entry_size);
	d[4] = arch;
	d[5] = 1;  /* req major */
	d[6] = 2;  /* req minor */
	d[8] = VMI_STAMP_PATCHED;
	d[9] = 1;
	d[10] = 1;
	vmi_test_put32(d + 12, 0x0000000Bu);
	vmi_test_put32(d + 16, 0xCBF43926u);
	vmi_test_put32(d + 20, 0xDEADBEEFu);
}

/* Format 1.1: site_count, the part of a reserved table in use. */
static void test_note_site_count(void **state)
{
	uint8_t d[40];
	uint32_t n = 7;
	(void)state;
	make_desc(d, 0x100, 16, VMI_ARCH_X86_64);
	memset(d + 28, 0xEE, 12);
	/* 1.0: no count field, even when the descriptor is longer. */
	assert_int_equal(vmi_note_site_count(d, 40, 123, &n), VMI_OK);
	assert_int_equal(n, 123);
	assert_int_equal(vmi_note_write_site_count(d, 40, 5), VMI_E_ANN_NOTE);
	assert_int_equal(d[28], 0xEE);
	/* 1.1: the field, bounded by the section. */
	vmi_test_put16(d, 0x101);
	assert_int_equal(vmi_note_write_site_count(d, 32, 604), VMI_OK);
	assert_int_equal(d[28] | d[29] << 8 | d[30] << 16 | d[31] << 24, 604);
	assert_int_equal(d[32], 0xEE);
	assert_int_equal(vmi_note_site_count(d, 32, 2048, &n), VMI_OK);
	assert_int_equal(n, 604);
	assert_int_equal(vmi_note_site_count(d, 32, 604, &n), VMI_OK);
	assert_int_equal(vmi_note_site_count(d, 32, 603, &n), VMI_E_ANN_SECTION_SIZE);
	assert_int_equal(vmi_note_write_site_count(d, 32, 0), VMI_OK);
	assert_int_equal(vmi_note_site_count(d, 32, 2048, &n), VMI_OK);
	assert_int_equal(n, 0);
	/* A 1.1 descriptor too short for the field is truncated. */
	for (size_t len = 0; len < 32; len++) {
		assert_int_equal(vmi_note_site_count(d, len, 2048, &n), VMI_E_ANN_NOTE);
		assert_int_equal(vmi_note_write_site_count(d, len, 1), VMI_E_ANN_NOTE);
	}
	assert_int_equal(vmi_note_site_count(NULL, 32, 1, &n), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_note_site_count(d, 32, 1, NULL), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_note_write_site_count(NULL, 32, 1), VMI_E_INVALID_ARG);
}

static void test_note_parse(void **state)
{
	uint8_t d[40];
	vmi_guest g;
	(void)state;
	make_desc(d, 0x100, 16, VMI_ARCH_X86_64);
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_OK);
	assert_int_equal(g.format_version, 0x100);
	assert_int_equal(g.entry_size, 16);
	assert_int_equal(g.arch, VMI_ARCH_X86_64);
	assert_int_equal(g.req_major, 1);
	assert_int_equal(g.req_minor, 2);
	assert_int_equal(g.stamp_state, VMI_STAMP_PATCHED);
	assert_int_equal(g.stamp_major, 1);
	assert_int_equal(g.stamp_minor, 1);
	assert_int_equal(g.stamp_features, 0xB);
	assert_int_equal(g.stamp_rom_crc, 0xCBF43926u);
	assert_int_equal(g.stamp_policy, 0xDEADBEEFu);
	/* Longer descriptor (a newer format minor): accepted. */
	memset(d + 28, 0xEE, 12);
	assert_int_equal(vmi_note_parse(d, 40, &g), VMI_OK);
	vmi_test_put16(d, 0x1FF);
	assert_int_equal(vmi_note_parse(d, 40, &g), VMI_OK);
	assert_int_equal(g.format_version, 0x1FF);
	/* Short, unknown major, bad entry sizes, bad arch. */
	vmi_test_put16(d, 0x100);
	for (size_t n = 0; n < 28; n++)
		assert_int_equal(vmi_note_parse(d, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put16(d, 0x200);
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_E_ANN_VERSION);
	vmi_test_put16(d, 0x0001);
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_E_ANN_VERSION);
	vmi_test_put16(d, 0x100);
	static const uint16_t bad_sizes[] = { 0, 8, 15, 257, 0x1000, 0xFFFF };
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		vmi_test_put16(d + 2, bad_sizes[i]);
		assert_int_equal(vmi_note_parse(d, 28, &g), VMI_E_ANN_ENTRY_SIZE);
	}
	vmi_test_put16(d + 2, 256);
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_OK);
	vmi_test_put16(d + 2, 24);
	d[4] = 0;
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_E_ANN_ARCH);
	d[4] = 3;
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_E_ANN_ARCH);
	d[4] = VMI_ARCH_I386;
	assert_int_equal(vmi_note_parse(d, 28, &g), VMI_OK);
	assert_int_equal(vmi_note_parse(NULL, 28, &g), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_note_parse(d, 28, NULL), VMI_E_INVALID_ARG);
}

static void test_note_find(void **state)
{
	uint8_t notes[256], d[32], gnu[20];
	vmi_guest g;
	size_t n;
	(void)state;
	memset(gnu, 0x11, sizeof(gnu));
	make_desc(d, 0x100, 24, VMI_ARCH_I386);
	/* A build-id note first, a note with a 5-byte name, then ours. */
	n = add_note(notes, 0, "GNU", 4, 3, gnu, sizeof(gnu));
	n = add_note(notes, n, "Linux", 6, 0x564d01, gnu, 5);
	size_t vmi_at = n;
	n = add_note(notes, n, "VMI", 4, VMI_NOTE_TYPE_GUEST, d, 28);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_OK);
	assert_int_equal(g.entry_size, 24);
	assert_int_equal(g.arch, VMI_ARCH_I386);
	/* Every truncation fails cleanly. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(vmi_note_find(notes, k, &g), VMI_E_ANN_NOTE);
	/* Wrong type, wrong name: not ours. */
	vmi_test_put32(notes + vmi_at + 8, VMI_NOTE_TYPE_GUEST + 1);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put32(notes + vmi_at + 8, VMI_NOTE_TYPE_GUEST);
	notes[vmi_at + 12 + 2] = 'J';
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	notes[vmi_at + 12 + 2] = 'I';
	vmi_test_put32(notes + vmi_at, 3); /* "VMI" without its NUL */
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put32(notes + vmi_at, 4);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_OK);
	/* Our note with a short descriptor is truncated. */
	vmi_test_put32(notes + vmi_at + 4, 27);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put32(notes + vmi_at + 4, 28);
	/* The decoded note's errors pass through. */
	notes[vmi_at + 16 + 1] = 2; /* format major 2 */
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_VERSION);
	notes[vmi_at + 16 + 1] = 1;
	/* Huge sizes in an earlier record must not wrap the walk. */
	vmi_test_put32(notes + 0, 0xFFFFFFFFu);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put32(notes + 0, 4);
	vmi_test_put32(notes + 4, 0xFFFFFFFDu);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_E_ANN_NOTE);
	vmi_test_put32(notes + 4, 20);
	assert_int_equal(vmi_note_find(notes, n, &g), VMI_OK);
	assert_int_equal(vmi_note_find(notes, 0, &g), VMI_E_ANN_NOTE);
	assert_int_equal(vmi_note_find(NULL, n, &g), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_note_find(notes, n, NULL), VMI_E_INVALID_ARG);
}

static void test_note_stamp(void **state)
{
	uint8_t d[28], before[28];
	vmi_guest g, back;
	(void)state;
	make_desc(d, 0x100, 16, VMI_ARCH_I386);
	d[7] = 0x5A;  /* reserved0 */
	d[11] = 0xA5; /* reserved1 */
	vmi_test_put32(d + 24, 0x01020304); /* reserved2 */
	memcpy(before, d, sizeof(d));
	memset(&g, 0, sizeof(g));
	g.stamp_state = VMI_STAMP_NATIVE;
	g.stamp_major = 7;
	g.stamp_minor = 9;
	g.stamp_features = 0x55;
	g.stamp_rom_crc = 0x12345678;
	g.stamp_policy = 0x9ABCDEF0;
	g.entry_size = 99; /* not a stamp field: must not be written */
	assert_int_equal(vmi_note_write_stamp(d, sizeof(d), &g), VMI_OK);
	assert_memory_equal(d, before, 8);
	assert_int_equal(d[11], 0xA5);
	assert_memory_equal(d + 24, before + 24, 4);
	assert_int_equal(d[8], VMI_STAMP_NATIVE);
	assert_int_equal(d[12], 0x55);
	assert_int_equal(d[16], 0x78);
	assert_int_equal(d[19], 0x12);
	assert_int_equal(vmi_note_parse(d, sizeof(d), &back), VMI_OK);
	assert_int_equal(back.entry_size, 16);
	assert_int_equal(back.stamp_major, 7);
	assert_int_equal(back.stamp_minor, 9);
	assert_int_equal(back.stamp_features, 0x55);
	assert_int_equal(back.stamp_rom_crc, 0x12345678);
	assert_int_equal(back.stamp_policy, 0x9ABCDEF0);
	assert_int_equal(vmi_note_write_stamp(d, 27, &g), VMI_E_ANN_NOTE);
	assert_int_equal(vmi_note_write_stamp(NULL, 28, &g), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_note_write_stamp(d, 28, NULL), VMI_E_INVALID_ARG);
}

/* ------------------------------------------------------------------ */
/* Site tables built by hand. */

static void put_entry(uint8_t *e, int32_t site_off, int32_t native_off, uint16_t id, uint8_t len, uint8_t nlen,
		      uint8_t minor, uint8_t flags, uint16_t clob)
{
	vmi_test_put32(e, (uint32_t)site_off);
	vmi_test_put32(e + 4, (uint32_t)native_off);
	vmi_test_put16(e + 8, id);
	e[10] = len;
	e[11] = nlen;
	e[12] = minor;
	e[13] = flags;
	vmi_test_put16(e + 14, clob);
}

static void check_tables(uint16_t esize)
{
	/* +1: the table starts at an odd address, as in a file buffer. */
	uint8_t raw[3 * 24 + 1];
	uint8_t *t = raw + 1;
	vmi_guest g = { .format_version = 0x100, .entry_size = esize, .arch = VMI_ARCH_I386 };
	vmi_annotations a;
	vmi_site s;
	const uint64_t base = 0xC0100000u;

	memset(raw, 0xEE, sizeof(raw)); /* appended fields: skipped */
	put_entry(t, 0x200, -0x100, VMI_CALL_SetCR3, 6, 3, 0, VMI_SITE_F_HOT, VMI_REG_AX);
	put_entry(t + esize, -0x20, 0x7FFFFFFF, VMI_CALL_Halt, 5, 1, 2, VMI_SITE_F_NO_CALL | 0x80, 0xFFEF);
	put_entry(t + 2 * esize, INT32_MIN, 0, 0xBEEF, 32, 32, 255, 0xFF, 0);

	assert_int_equal(vmi_annotations_init(&a, &g, t, base, 3 * (size_t)esize), VMI_OK);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.entry_size, esize);
	assert_int_equal(a.arch, VMI_ARCH_I386);

	assert_int_equal(vmi_annotations_get(&a, 0, &s), VMI_OK);
	assert_int_equal(s.addr, base + 0x200);
	assert_int_equal(s.native_addr, base + 4 - 0x100);
	assert_int_equal(s.index, 0);
	assert_int_equal(s.call_id, VMI_CALL_SetCR3);
	assert_int_equal(s.len, 6);
	assert_int_equal(s.native_len, 3);
	assert_int_equal(s.min_minor, 0);
	assert_int_equal(s.flags, VMI_SITE_F_HOT);
	assert_int_equal(s.clobbers, VMI_REG_AX);

	assert_int_equal(vmi_annotations_get(&a, 1, &s), VMI_OK);
	assert_int_equal(s.addr, base + esize - 0x20);
	assert_int_equal(s.native_addr, base + esize + 4 + 0x7FFFFFFFu);
	assert_int_equal(s.index, 1);
	assert_int_equal(s.call_id, VMI_CALL_Halt);
	assert_int_equal(s.min_minor, 2);
	assert_int_equal(s.flags, VMI_SITE_F_NO_CALL | 0x80);
	assert_int_equal(s.clobbers, 0xFFEF);

	assert_int_equal(vmi_annotations_get(&a, 2, &s), VMI_OK);
	assert_int_equal(s.addr, base + 2u * esize - 0x80000000u);
	assert_int_equal(s.native_addr, base + 2u * esize + 4);
	assert_int_equal(s.call_id, 0xBEEF); /* unknown ids decode; the planner decides */
	assert_int_equal(s.len, 32);
	assert_int_equal(s.min_minor, 255);

	assert_int_equal(vmi_annotations_get(&a, 3, &s), VMI_E_ANN_INDEX);
	assert_int_equal(vmi_annotations_get(&a, UINT32_MAX, &s), VMI_E_ANN_INDEX);
}

static void test_sites_v1(void **state)
{
	(void)state;
	check_tables(16);
}

static void test_sites_v2_wider(void **state)
{
	(void)state;
	check_tables(24);
}

static void test_sites_wrap(void **state)
{
	uint8_t t[32];
	vmi_guest g = { .format_version = 0x100, .entry_size = 16, .arch = VMI_ARCH_X86_64 };
	vmi_annotations a;
	vmi_site s;
	(void)state;
	/* A table near address 0 pointing below it, and one at the top pointing above. */
	put_entry(t, -0x1000, -8, 1, 6, 2, 0, 0, 0);
	put_entry(t + 16, 0x7FFFFFFF, 0x7FFFFFFF, 1, 6, 2, 0, 0, 0);
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x10, sizeof(t)), VMI_OK);
	assert_int_equal(vmi_annotations_get(&a, 0, &s), VMI_OK);
	assert_int_equal(s.addr, (uint64_t)0x10 - 0x1000);
	assert_int_equal(s.native_addr, (uint64_t)0x14 - 8);
	assert_int_equal(vmi_annotations_init(&a, &g, t, UINT64_MAX - 0x1F, sizeof(t)), VMI_OK);
	assert_int_equal(vmi_annotations_get(&a, 1, &s), VMI_OK);
	assert_int_equal(s.addr, UINT64_MAX - 0xF + 0x7FFFFFFFull);
	assert_int_equal(s.native_addr, UINT64_MAX - 0xF + 4 + 0x7FFFFFFFull);
}

static void test_sites_bad(void **state)
{
	uint8_t t[256 * 3];
	vmi_guest g = { .format_version = 0x100, .entry_size = 16, .arch = VMI_ARCH_I386 };
	vmi_annotations a;
	vmi_site s;
	(void)state;
	memset(t, 0, sizeof(t));
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 30), VMI_E_ANN_SECTION_SIZE);
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 17), VMI_E_ANN_SECTION_SIZE);
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 15), VMI_E_ANN_SECTION_SIZE);
	g.entry_size = 24;
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 32), VMI_E_ANN_SECTION_SIZE);
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 48), VMI_OK);
	assert_int_equal(a.count, 2);
	g.entry_size = 256;
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 768), VMI_OK);
	assert_int_equal(a.count, 3);
	static const uint16_t bad_sizes[] = { 0, 8, 15, 257, 0xFFFF };
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		g.entry_size = bad_sizes[i];
		assert_int_equal(vmi_annotations_init(&a, &g, t, 0x1000, 48), VMI_E_ANN_ENTRY_SIZE);
	}
	g.entry_size = 16;
	/* An empty table is valid and has no entries. */
	assert_int_equal(vmi_annotations_init(&a, &g, NULL, 0, 0), VMI_OK);
	assert_int_equal(a.count, 0);
	assert_int_equal(vmi_annotations_get(&a, 0, &s), VMI_E_ANN_INDEX);
	/* NULL arguments. */
	assert_int_equal(vmi_annotations_init(NULL, &g, t, 0, 16), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_annotations_init(&a, NULL, t, 0, 16), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_annotations_init(&a, &g, NULL, 0, 16), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_annotations_init(&a, &g, t, 0, 16), VMI_OK);
	assert_int_equal(vmi_annotations_get(NULL, 0, &s), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_annotations_get(&a, 0, NULL), VMI_E_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_note),    cmocka_unit_test(test_own_sites),
		cmocka_unit_test(test_note_parse),
		cmocka_unit_test(test_note_site_count),  cmocka_unit_test(test_note_find),
		cmocka_unit_test(test_note_stamp),  cmocka_unit_test(test_sites_v1),
		cmocka_unit_test(test_sites_v2_wider), cmocka_unit_test(test_sites_wrap),
		cmocka_unit_test(test_sites_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
