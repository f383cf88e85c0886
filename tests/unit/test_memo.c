/* SPDX-License-Identifier: MIT */
/*
 * test_memo.c - the planner remembers the last decision per call and
 * reuses it for the next site of that call (patcher/plan.c). Reuse must
 * never change an outcome: every site of a large mixed table must get the
 * same form, reason, encoding and bytes as when it is planned alone.
 * Sites vary in length (up to the longest, so both of the fast loop's
 * copy widths run), native length, flags, clobbers and minor, and on
 * x86-64 the ROM sits so that only part of the text reaches it with a
 * rel32 call. Apply and unpatch then write exactly the planned bytes and
 * the originals, and nothing between the sites.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/romgen.h"
#include "helpers/sitegen.h"
#include "vmi/patcher.h"

#define NSITES 240
#define VMI_CALL_REL32_LEN_TEST 5 /* E8 rel32: the call ends 5 bytes after the site */
#define STRIDE 40 /* > VMI_SITE_MAX_LEN: sites never touch */

static uint8_t rom_img[8192];

typedef struct site_spec {
	uint16_t id;
	uint8_t len, native_len, flags, minor;
	uint16_t clobbers;
} site_spec;

static const uint16_t ids[] = { VMI_CALL_DisableInterrupts, VMI_CALL_SetCR3, VMI_CALL_IODelay,
				VMI_CALL_GetCR3, VMI_CALL_WBINVD, VMI_CALL_CLTS, VMI_CALL_SetPxELong };
static const uint8_t flag_set[] = { 0, VMI_SITE_F_NO_CALL, 0x04, 0x20, VMI_SITE_F_HOT };
static const uint16_t clob_set[] = { 0x7, 0x0, 0x1, 0xfff };

static void rom_build(uint8_t arch, vmi_rom *rom)
{
	static const uint8_t stub3[] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t stub8[] = { 0xb8, 1, 2, 3, 4, 0x31, 0xd2, 0x90 };
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub3, .stub_len = 3,
		  .has_entry = 1, .call_clobbers = 0x1 },
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = 0x1 },
		{ .id = VMI_CALL_IODelay, .form = VMI_FORM_NOP },
		/* fits only sites of 8 bytes or more, else falls back to the call */
		{ .id = VMI_CALL_GetCR3, .form = VMI_FORM_INLINE, .stub = stub8, .stub_len = 8,
		  .has_entry = 1, .stub_clobbers = 0x5, .call_clobbers = 0x7 },
		{ .id = VMI_CALL_WBINVD, .form = VMI_FORM_IDENT },
		{ .id = VMI_CALL_SetPxELong, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = 0x7 },
	};
	size_t n = vmi_test_rom_build(rom_img, sizeof(rom_img), 1, 3, VMI_FEAT_LONGMODE, arch, calls,
				      sizeof(calls) / sizeof(calls[0]));
	assert_true(n > 0);
	assert_int_equal(vmi_rom_validate(rom_img, n, NULL, rom), VMI_OK);
}

static void add_site(vmi_test_img *img, uint32_t i, const site_spec *sp)
{
	/* Any bytes: only copied. */
	static const uint8_t native[VMI_SITE_MAX_LEN] = { 0x0f, 0x09, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
							  0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	vmi_test_img_site(img, (size_t)i * STRIDE, sp->len, native, sp->native_len, sp->id, sp->minor,
			  sp->flags, sp->clobbers);
}

/* @uniform: every site the same call and key, so the memo is hit at every
 * site and must still redo the reach of each call (x86-64). */
static void check_arch(uint8_t arch, uint64_t base, uint64_t rom_addr, int slots, int uniform)
{
	site_spec spec[NSITES];
	uint32_t seed = 12345u + arch * 7u + (uint32_t)slots;
	for (uint32_t i = 0; i < NSITES; i++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t r = seed >> 8;
		spec[i].id = ids[r % (sizeof(ids) / sizeof(ids[0]))];
		spec[i].len = (uint8_t)((r >> 4) % 4 ? 6 : 6 + (r >> 6) % (VMI_SITE_MAX_LEN - 5));
		/* Mostly 2; sometimes none, sometimes the whole site (up to 12). */
		spec[i].native_len = (uint8_t)((r >> 20) % 4 ? 2 : (r >> 22) % 13);
		if (spec[i].native_len > spec[i].len)
			spec[i].native_len = spec[i].len;
		/* Mostly the common key, so the memo is hit often, sometimes not. */
		spec[i].flags = (r >> 8) % 4 ? 0 : flag_set[(r >> 10) % sizeof(flag_set)];
		spec[i].minor = (uint8_t)((r >> 12) % 4 == 3 ? 3 : 0);
		spec[i].clobbers = (r >> 16) % 4 ? 0x7 : clob_set[(r >> 18) % 4];
		if (uniform)
			spec[i] = (site_spec){ .id = VMI_CALL_SetCR3, .len = 6, .native_len = 2, .clobbers = 0x7 };
	}

	vmi_rom rom;
	rom_build(arch, &rom);
	vmi_guest g = { .format_version = VMI_FORMAT_VERSION, .entry_size = 16, .arch = arch,
			.req_major = 1, .req_minor = 3 };
	vmi_offer of;
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);

	vmi_test_img all;
	vmi_test_img_init(&all, arch, base, (size_t)NSITES * STRIDE);
	for (uint32_t i = 0; i < NSITES; i++)
		add_site(&all, i, &spec[i]);
	vmi_test_img_finish(&all, 1, 3);
	vmi_patch_opts o;
	vmi_test_img_opts(&all, &o, rom_addr, slots);
	size_t need;
	assert_int_equal(vmi_plan_workspace_size(&all.ann, &need), VMI_OK);
	void *ws = aligned_alloc(8, (need + 7) & ~(size_t)7);
	vmi_plan plan;
	assert_int_equal(vmi_plan_build(&plan, &all.ann, &of, &o, ws, need), VMI_OK);

	uint32_t forms[VMI_FORM_COUNT] = { 0 };
	for (uint32_t k = 0; k < plan.count; k++) {
		const vmi_decision *d = &plan.decisions[k];
		uint32_t i = d->index;
		vmi_test_img one;
		vmi_test_img_init(&one, arch, base, (size_t)NSITES * STRIDE);
		add_site(&one, i, &spec[i]);
		vmi_test_img_finish(&one, 1, 3);
		vmi_patch_opts o1;
		vmi_test_img_opts(&one, &o1, rom_addr, slots);
		uint8_t ws1[256] __attribute__((aligned(8)));
		vmi_plan p1;
		assert_int_equal(vmi_plan_build(&p1, &one.ann, &of, &o1, ws1, sizeof(ws1)), VMI_OK);
		const vmi_decision *e = &p1.decisions[0];
		if (d->form != e->form || d->reason != e->reason || d->encoding != e->encoding)
			fail_msg("arch %u slots %d site %u (call %u len %u flags %#x clob %#x minor %u): "
				 "table gives %s/%s/%u, alone %s/%s/%u", arch, slots, i, spec[i].id, spec[i].len,
				 spec[i].flags, spec[i].clobbers, spec[i].minor, vmi_form_name(d->form),
				 vmi_reason_name(d->reason), d->encoding, vmi_form_name(e->form),
				 vmi_reason_name(e->reason), e->encoding);
		uint8_t a[VMI_SITE_MAX_LEN], b[VMI_SITE_MAX_LEN];
		uint32_t la, lb;
		assert_int_equal(vmi_plan_site_bytes(&plan, k, a, &la), VMI_OK);
		assert_int_equal(vmi_plan_site_bytes(&p1, 0, b, &lb), VMI_OK);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		forms[d->form]++;
		vmi_test_img_free(&one);
	}
	/* The table really mixes every form (else the test proves little). */
	for (uint32_t f = 0; f < VMI_FORM_COUNT && !uniform; f++)
		assert_true(forms[f] > 0);

	/* Apply writes each site's planned bytes and nothing else; unpatch
	 * restores the text as it was (the originals the plan saved). */
	uint8_t *before = malloc(all.text_len), *want = malloc(all.text_len);
	assert_non_null(before);
	assert_non_null(want);
	memcpy(before, all.mem, all.text_len);
	memcpy(want, all.mem, all.text_len);
	for (uint32_t k = 0; k < plan.count; k++) {
		uint32_t len;
		assert_int_equal(vmi_plan_site_bytes(&plan, k, want + (plan.decisions[k].addr - base), &len), VMI_OK);
	}
	assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
	assert_memory_equal(all.mem, want, all.text_len);
	assert_int_equal(vmi_plan_unpatch(&plan), VMI_OK);
	assert_memory_equal(all.mem, before, all.text_len);
	free(before);
	free(want);
	free(ws);
	vmi_test_img_free(&all);
}

static void test_memo_i386(void **state)
{
	(void)state;
	check_arch(VMI_ARCH_I386, 0xc1000000u, 0x00100000u, 0, 0);
	check_arch(VMI_ARCH_I386, 0xc1000000u, 0x00100000u, 1, 0);
}

/* rom_addr chosen so that half of the text is out of rel32 reach: first
 * the first half (a remembered rel32 call meets sites that reach), then
 * the second half (a remembered rel32 call meets sites that do not: reuse
 * without the reach test would write calls that miss the ROM). */
static void test_memo_x86_64(void **state)
{
	(void)state;
	const uint64_t base = 0xffffffff81000000ull;
	const uint64_t half = base + (NSITES / 2) * STRIDE;
	const uint64_t roms[] = { half + 0x7fffffffull, half - 0x80000000ull + VMI_CALL_REL32_LEN_TEST };
	for (size_t k = 0; k < sizeof(roms) / sizeof(roms[0]); k++) {
		check_arch(VMI_ARCH_X86_64, base, roms[k], 0, 0);
		check_arch(VMI_ARCH_X86_64, base, roms[k], 1, 0);
		check_arch(VMI_ARCH_X86_64, base, roms[k], 0, 1);
		check_arch(VMI_ARCH_X86_64, base, roms[k], 1, 1);
	}
}

/*
 * The fast loop reads sites, native copies and ROM stubs in fixed pieces
 * past their ends (patcher/plan.c): never past the end of a region or of
 * the ROM image. Here each ends exactly where its allocation does, with
 * a remembered site right at the end, so a read past it is a heap
 * overflow for AddressSanitizer (make check SAN=1); without it the bytes
 * must still come out right.
 */
static void test_fast_reads_stay_inside(void **state)
{
	(void)state;
	static const uint8_t stub3[] = { 0x0f, 0x01, 0xc1 };
	static uint8_t filler[VMI_SITE_MAX_LEN];
	const uint8_t arch = VMI_ARCH_X86_64;
	const uint64_t base = 0xffffffff81000000ull;
	/* Push the tested stub (DisableInterrupts) to the ROM's last 8 bytes
	 * with filler stubs in front of it, so even the first word past it
	 * lies wholly outside (AddressSanitizer checks a word by its start). */
	vmi_rom rom;
	size_t rom_len = 0;
	uint32_t stub_off = 0;
	for (uint8_t flen = 1; flen <= VMI_SITE_MAX_LEN && !rom_len; flen++) {
		for (uint8_t nfill = 1; nfill <= 12 && !rom_len; nfill++) {
			vmi_test_call calls[13] = { { .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE,
						      .stub = stub3, .stub_len = 3 } };
			for (uint8_t k = 1; k <= nfill; k++)
				calls[k] = (vmi_test_call){ .id = (uint16_t)(VMI_CALL_CLTS + k - 1),
							    .form = VMI_FORM_INLINE, .stub = filler,
							    .stub_len = k == nfill ? flen : VMI_SITE_MAX_LEN };
			/* The tested stub goes last. */
			vmi_test_call t = calls[0];
			calls[0] = calls[nfill];
			calls[nfill] = t;
			size_t n = vmi_test_rom_build(rom_img, sizeof(rom_img), 1, 3, VMI_FEAT_LONGMODE, arch, calls,
						      (size_t)nfill + 1);
			uint32_t off = vmi_test_rom_stub_off(rom_img, VMI_CALL_DisableInterrupts);
			if (n && off + 8 >= n) {
				rom_len = n;
				stub_off = off;
			}
		}
	}
	assert_true(rom_len > 0);
	uint8_t *rom_exact = malloc(rom_len);
	assert_non_null(rom_exact);
	memcpy(rom_exact, rom_img, rom_len);
	assert_int_equal(vmi_rom_validate(rom_exact, rom_len, NULL, &rom), VMI_OK);
	assert_true(stub_off + 3 <= rom_len);

	/* Sites back to back up to the text's end, INLINE (the stub) and
	 * IDENT (GetCR3, which the ROM does not offer) in turn. The IDENT ones
	 * of the first half have native copies, so the last copy ends the
	 * copies' region; the rest have none, so their only bounds are the
	 * text's. */
	enum { N = 24, LEN = 6 };
	static const uint8_t native[LEN] = { 0x0f, 0x09, 0x0f, 0x1f, 0x00, 0x90 };
	vmi_test_img img;
	vmi_test_img_init(&img, arch, base, (size_t)N * LEN);
	for (uint32_t i = 0; i < N; i++) {
		int ident = i % 2, copy = ident && i < N / 2;
		vmi_test_img_site(&img, (size_t)i * LEN, LEN, native, copy ? LEN : 0,
				  ident ? VMI_CALL_GetCR3 : VMI_CALL_DisableInterrupts, 0, 0, 0x7);
	}
	vmi_test_img_finish(&img, 1, 3);
	vmi_guest g = img.guest;
	vmi_offer of;
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	vmi_patch_opts o;
	vmi_test_img_opts(&img, &o, base + 0x1000000, 0);
	vmi_region regions[2] = { img.regions[0], img.regions[1] };
	regions[0].len = (size_t)N * LEN;
	regions[1].len = img.native_used;
	uint8_t *text = malloc(regions[0].len), *copies = malloc(regions[1].len);
	assert_non_null(text);
	assert_non_null(copies);
	memcpy(text, regions[0].host, regions[0].len);
	memcpy(copies, regions[1].host, regions[1].len);
	regions[0].host = text;
	regions[1].host = copies;
	o.regions = regions;

	size_t need;
	assert_int_equal(vmi_plan_workspace_size(&img.ann, &need), VMI_OK);
	void *ws = aligned_alloc(8, (need + 7) & ~(size_t)7);
	assert_non_null(ws);
	vmi_plan plan;
	assert_int_equal(vmi_plan_build(&plan, &img.ann, &of, &o, ws, need), VMI_OK);
	assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
	static const uint8_t nop6[] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const uint8_t nop3[] = { 0x0f, 0x1f, 0x00 };
	for (uint32_t i = 0; i < N; i++) {
		const uint8_t *site = text + (size_t)i * LEN;
		if (i % 2) {
			assert_memory_equal(site, i < N / 2 ? native : nop6, LEN);
		} else {
			assert_memory_equal(site, stub3, sizeof(stub3));
			assert_memory_equal(site + sizeof(stub3), nop3, sizeof(nop3));
		}
	}
	free(ws);
	free(text);
	free(copies);
	free(rom_exact);
	vmi_test_img_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_i386),
		cmocka_unit_test(test_memo_x86_64),
		cmocka_unit_test(test_fast_reads_stay_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
