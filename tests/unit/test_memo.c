/* SPDX-License-Identifier: MIT */
/*
 * test_memo.c - the planner remembers the last decision per call and
 * reuses it for the next site of that call (patcher/plan.c). Reuse must
 * never change an outcome: every site of a large mixed table must get the
 * same form, reason, encoding and bytes as when it is planned alone.
 * Sites vary in length, flags, clobbers and minor, and on x86-64 the ROM
 * sits so that only part of the text reaches it with a rel32 call.
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
#define STRIDE 16

static uint8_t rom_img[8192];

typedef struct site_spec {
	uint16_t id;
	uint8_t len, flags, minor;
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
	static const uint8_t native[] = { 0x0f, 0x09 }; /* any 2 bytes: only copied */
	vmi_test_img_site(img, (size_t)i * STRIDE, sp->len, native, 2, sp->id, sp->minor, sp->flags,
			  sp->clobbers);
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
		spec[i].len = (uint8_t)((r >> 4) % 4 ? 6 : 6 + (r >> 6) % 7);
		/* Mostly the common key, so the memo is hit often, sometimes not. */
		spec[i].flags = (r >> 8) % 4 ? 0 : flag_set[(r >> 10) % sizeof(flag_set)];
		spec[i].minor = (uint8_t)((r >> 12) % 4 == 3 ? 3 : 0);
		spec[i].clobbers = (r >> 16) % 4 ? 0x7 : clob_set[(r >> 18) % 4];
		if (uniform)
			spec[i] = (site_spec){ .id = VMI_CALL_SetCR3, .len = 6, .clobbers = 0x7 };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_i386),
		cmocka_unit_test(test_memo_x86_64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
