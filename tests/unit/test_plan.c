/* SPDX-License-Identifier: MIT */
/*
 * test_plan.c - a bad annotation set is refused as a whole: each defect
 * gets its own status and names the entry, and neither the text nor the
 * slot table changes by a single byte.
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

static const uint8_t mov_cr3[2][3] = { { 0x0f, 0x22, 0xd8 }, { 0x0f, 0x22, 0xdf } };
static const uint8_t cli[1] = { 0xfa };
static const uint64_t text_base[3] = { 0, 0xc1000000u, 0xffffffff81000000ull };
static const uint64_t rom_addr[3] = { 0, 0x00100000u, 0xffffffff81400000ull };

struct fixture {
	vmi_test_img img;
	uint8_t rom_img[4096];
	vmi_rom rom;
	vmi_offer of;
	vmi_patch_opts opts;
	uint8_t *before; /* whole image copy: text, natives, table, slots */
	uint8_t ws[4096] __attribute__((aligned(8)));
};

/* Two good sites (a CALL that would fill a slot, and an INLINE) first. */
static void fx_start(struct fixture *f, int arch)
{
	vmi_test_img_init(&f->img, (uint8_t)arch, text_base[arch], 256);
	vmi_test_img_site(&f->img, 0, 8, mov_cr3[arch - 1], 3, VMI_CALL_SetCR3, 0, 0, 0x7);
	vmi_test_img_site(&f->img, 64, 8, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
}

static void fx_finish(struct fixture *f)
{
	static const uint8_t stub[1] = { 0x90 };
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1 },
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub, .stub_len = 1 },
	};
	vmi_test_img_finish(&f->img, 1, 0);
	size_t n = vmi_test_rom_build(f->rom_img, sizeof(f->rom_img), 1, 3, 0, f->img.arch, calls, 2);
	assert_true(n > 0);
	assert_int_equal(vmi_rom_validate(f->rom_img, n, NULL, &f->rom), VMI_OK);
	assert_int_equal(vmi_negotiate(&f->img.guest, &f->rom, NULL, &f->of), VMI_OK);
	/* Indirect: every CALL goes through a slot, so a stray slot write would show. */
	vmi_test_img_opts(&f->img, &f->opts, rom_addr[f->img.arch], 1);
	f->opts.flags = VMI_PATCH_F_INDIRECT;
	f->before = malloc(f->img.size);
	memcpy(f->before, f->img.mem, f->img.size);
}

static void fx_expect_fail(struct fixture *f, vmi_status want, uint32_t index, uint32_t other)
{
	vmi_plan plan;
	size_t need;
	vmi_status st = vmi_plan_workspace_size(&f->img.ann, &need);
	assert_int_equal(st, VMI_OK);
	assert_true(need <= sizeof(f->ws));
	st = vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, need);
	if (st != want)
		fail_msg("got %s, want %s", vmi_strerror(st), vmi_strerror(want));
	assert_int_equal(plan.error, want);
	if (want != VMI_E_NO_SPACE && want != VMI_E_INVALID_ARG) {
		assert_int_equal(plan.error_index, index);
		if (want == VMI_E_SITE_OVERLAP)
			assert_int_equal(plan.error_other, other);
	}
	/* A failed plan cannot be applied. */
	assert_int_equal(vmi_plan_apply(&plan), VMI_E_STATE);
	assert_memory_equal(f->img.mem, f->before, f->img.size);
	free(f->before);
	vmi_test_img_free(&f->img);
}

static void test_plan_site_outside_text(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		struct fixture *f = calloc(1, sizeof(*f));
		fx_start(f, arch);
		/* Straddles the end of the text. */
		vmi_test_img_site(&f->img, 252, 8, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_BOUNDS, 2, 0);

		/* Inside the native copies: readable but not executable. */
		fx_start(f, arch);
		uint32_t i = vmi_test_img_site(&f->img, 100, 8, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
		size_t eoff = f->img.table_off + (size_t)i * VMI_SITE_ENTRY_V1_SIZE;
		vmi_test_entry_put(f->img.mem + eoff, f->img.base + eoff, f->img.base + f->img.native_off,
				   f->img.base + f->img.native_off, VMI_CALL_DisableInterrupts, 8, 1, 0, 0, 7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_BOUNDS, 2, 0);

		/* Far below the text (negative offset). */
		fx_start(f, arch);
		i = vmi_test_img_site(&f->img, 100, 8, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
		eoff = f->img.table_off + (size_t)i * VMI_SITE_ENTRY_V1_SIZE;
		vmi_test_entry_put(f->img.mem + eoff, f->img.base + eoff, f->img.base - 0x1000,
				   f->img.base + f->img.native_off, VMI_CALL_DisableInterrupts, 8, 1, 0, 0, 7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_BOUNDS, 2, 0);
		free(f);
	}
}

static void test_plan_overlap(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		struct fixture *f = calloc(1, sizeof(*f));
		fx_start(f, arch);
		vmi_test_img_site(&f->img, 128, 8, cli, 1, VMI_CALL_EnableInterrupts, 0, 0, 0x7);  /* 2 */
		vmi_test_img_site(&f->img, 32, 8, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);             /* 3 */
		vmi_test_img_site(&f->img, 124, 8, cli, 1, VMI_CALL_SafeHalt, 0, 0, 0x7);        /* 4 */
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_OVERLAP, 2, 4);

		/* Two entries for the same site. */
		fx_start(f, arch);
		vmi_test_img_site(&f->img, 0, 8, mov_cr3[arch - 1], 3, VMI_CALL_SetCR3, 0, 0, 0x7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_OVERLAP, 0, 2);

		/* A table in address order with two overlaps: the first one in
		 * entry order is reported, not the later one. */
		fx_start(f, arch);
		vmi_test_img_site(&f->img, 68, 8, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);        /* 2: over 1 */
		vmi_test_img_site(&f->img, 96, 8, cli, 1, VMI_CALL_SafeHalt, 0, 0, 0x7);    /* 3 */
		vmi_test_img_site(&f->img, 100, 8, cli, 1, VMI_CALL_SafeHalt, 0, 0, 0x7);   /* 4: over 3 */
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_OVERLAP, 1, 2);

		/* Adjacent is fine. */
		fx_start(f, arch);
		vmi_test_img_site(&f->img, 8, 8, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		fx_finish(f);
		vmi_plan plan;
		assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, sizeof(f->ws)), VMI_OK);
		free(f->before);
		vmi_test_img_free(&f->img);
		free(f);
	}
}

static void test_plan_lengths(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		struct fixture *f = calloc(1, sizeof(*f));
		uint8_t min = arch == 1 ? VMI_SITE_MIN_LEN_I386 : VMI_SITE_MIN_LEN_X86_64;

		fx_start(f, arch);
		vmi_test_img_site(&f->img, 100, (uint8_t)(min - 1), cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_TOO_SHORT, 2, 0);

		fx_start(f, arch);
		vmi_test_img_site(&f->img, 100, VMI_SITE_MAX_LEN + 1, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_SITE_TOO_LONG, 2, 0);

		/* The minimum and the maximum themselves are fine. */
		fx_start(f, arch);
		vmi_test_img_site(&f->img, 100, min, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		vmi_test_img_site(&f->img, 128, VMI_SITE_MAX_LEN, cli, 1, VMI_CALL_SafeHalt, 0, 0, 0x7);
		fx_finish(f);
		vmi_plan plan;
		assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, sizeof(f->ws)), VMI_OK);
		free(f->before);
		vmi_test_img_free(&f->img);

		/* Native longer than the site. */
		fx_start(f, arch);
		uint32_t i = vmi_test_img_site(&f->img, 100, 8, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		size_t eoff = f->img.table_off + (size_t)i * VMI_SITE_ENTRY_V1_SIZE;
		f->img.mem[eoff + 11] = 9; /* native_len */
		fx_finish(f);
		fx_expect_fail(f, VMI_E_NATIVE_TOO_LONG, 2, 0);

		/* Native copy outside every region. */
		fx_start(f, arch);
		i = vmi_test_img_site(&f->img, 100, 8, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
		eoff = f->img.table_off + (size_t)i * VMI_SITE_ENTRY_V1_SIZE;
		vmi_test_entry_put(f->img.mem + eoff, f->img.base + eoff, f->img.base + 100,
				   f->img.base + f->img.native_off + VMI_TEST_NATIVE_CAP, VMI_CALL_Halt, 8, 1, 0, 0, 7);
		fx_finish(f);
		fx_expect_fail(f, VMI_E_NATIVE_BOUNDS, 2, 0);
		free(f);
	}
}

static void test_plan_workspace(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof(*f));
	fx_start(f, 2);
	vmi_test_img_site(&f->img, 100, 13, cli, 1, VMI_CALL_Halt, 0, 0, 0x7);
	fx_finish(f);
	size_t need;
	assert_int_equal(vmi_plan_workspace_size(&f->img.ann, &need), VMI_OK);
	/* 3 decisions + (8 + 8 + 13 bytes rounded up to 8) twice: the
	 * original bytes and the final bytes. */
	assert_int_equal(need, 3 * sizeof(vmi_decision) + 2 * 32);
	vmi_plan plan;
	assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, need - 1), VMI_E_NO_SPACE);
	assert_int_equal(vmi_plan_apply(&plan), VMI_E_STATE);
	assert_memory_equal(f->img.mem, f->before, f->img.size);
	/* Exactly the documented size suffices; nothing past it is touched. */
	memset(f->ws, 0xa5, sizeof(f->ws));
	assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, need), VMI_OK);
	for (size_t i = need; i < sizeof(f->ws); i++)
		assert_int_equal(f->ws[i], 0xa5);
	free(f->before);
	vmi_test_img_free(&f->img);
	free(f);
}

static void test_plan_unsorted_table(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof(*f));
	vmi_test_img_init(&f->img, 2, text_base[2], 256);
	/* Entries in descending address order. */
	for (int k = 7; k >= 0; k--)
		vmi_test_img_site(&f->img, (size_t)k * 16, 8, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
	fx_finish(f);
	vmi_plan plan;
	assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, f->ws, sizeof(f->ws)), VMI_OK);
	assert_int_equal(plan.count, 8);
	for (uint32_t i = 0; i < plan.count; i++) {
		assert_int_equal(plan.decisions[i].addr, f->img.base + i * 16);
		assert_int_equal(plan.decisions[i].index, 7 - i);
		assert_int_equal(plan.decisions[i].form, VMI_FORM_INLINE);
	}
	assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
	for (int k = 0; k < 8; k++)
		assert_int_equal(f->img.mem[k * 16], 0x90);
	free(f->before);
	vmi_test_img_free(&f->img);
	free(f);
}

static void test_plan_bad_regions(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof(*f));
	fx_start(f, 2);
	fx_finish(f);
	vmi_region swapped[2] = { f->img.regions[1], f->img.regions[0] };
	f->opts.regions = swapped;
	fx_expect_fail(f, VMI_E_INVALID_ARG, 0, 0);

	fx_start(f, 2);
	fx_finish(f);
	vmi_region overlap[2] = { f->img.regions[0], f->img.regions[1] };
	overlap[0].len = f->img.native_off + 1;
	f->opts.regions = overlap;
	fx_expect_fail(f, VMI_E_INVALID_ARG, 0, 0);

	/* Annotations for another arch than the offer. */
	fx_start(f, 2);
	fx_finish(f);
	f->img.ann.arch = VMI_ARCH_I386;
	fx_expect_fail(f, VMI_E_INVALID_ARG, 0, 0);
	free(f);
}

/* No sites at all: a valid (empty) plan with no workspace. */
static void test_plan_empty(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof(*f));
	vmi_test_img_init(&f->img, 1, text_base[1], 64);
	fx_finish(f);
	size_t need = 1;
	assert_int_equal(vmi_plan_workspace_size(&f->img.ann, &need), VMI_OK);
	assert_int_equal(need, 0);
	vmi_plan plan;
	assert_int_equal(vmi_plan_build(&plan, &f->img.ann, &f->of, &f->opts, NULL, 0), VMI_OK);
	assert_int_equal(plan.count, 0);
	assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
	assert_memory_equal(f->img.mem, f->before, f->img.size);
	free(f->before);
	vmi_test_img_free(&f->img);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_site_outside_text),
		cmocka_unit_test(test_plan_overlap),
		cmocka_unit_test(test_plan_lengths),
		cmocka_unit_test(test_plan_workspace),
		cmocka_unit_test(test_plan_unsorted_table),
		cmocka_unit_test(test_plan_bad_regions),
		cmocka_unit_test(test_plan_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
