/* SPDX-License-Identifier: MIT */
/*
 * test_apply.c - apply, unpatch, re-apply and re-plan on real text bytes;
 * the x86-64 range rules with a ROM 3 GiB away; slot filling.
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
#include "helpers/x86check.h"
#include "vmi/internal/util.h"
#include "vmi/patcher.h"

static const uint64_t text_base[3] = { 0, 0xc1000000u, 0xffffffff81000000ull };
static const uint64_t near_rom[3] = { 0, 0x00100000u, 0xffffffff81400000ull };

static uint8_t rom_img[8192];
static uint8_t ws[4096] __attribute__((aligned(8)));

/* A text with one site of every form: CALL (SetCR3), INLINE (cli), NOP
 * (FlushDeferredCalls is a notification; use AllocatePage), IDENT (WBINVD,
 * not offered), plus an INLINE-preferred call whose stub does not fit. */
static void build(vmi_test_img *img, int arch, vmi_rom *rom)
{
	static const uint8_t cr3[2][3] = { { 0x0f, 0x22, 0xd8 }, { 0x0f, 0x22, 0xdf } };
	static const uint8_t cli[] = { 0xfa }, wbinvd[] = { 0x0f, 0x09 }, sti[] = { 0xfb };
	vmi_test_img_init(img, (uint8_t)arch, text_base[arch], 512);
	vmi_test_img_site(img, 16, 8, cr3[arch - 1], 3, VMI_CALL_SetCR3, 0, 0, 0x7);
	vmi_test_img_site(img, 40, 6, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
	vmi_test_img_site(img, 64, 12, NULL, 0, VMI_CALL_AllocatePage, 0, 0, 0x7);
	vmi_test_img_site(img, 100, 6, wbinvd, 2, VMI_CALL_WBINVD, 0, 0, 0x7);
	vmi_test_img_site(img, 130, 6, sti, 1, VMI_CALL_EnableInterrupts, 0, 0, 0x7);
	vmi_test_img_finish(img, 1, 3);

	static const uint8_t stub1[] = { 0x90 };
	static const uint8_t stub9[9] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = 1 },
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub1, .stub_len = 1 },
		{ .id = VMI_CALL_AllocatePage, .form = VMI_FORM_NOP },
		{ .id = VMI_CALL_EnableInterrupts, .form = VMI_FORM_INLINE, .stub = stub9, .stub_len = 9,
		  .has_entry = 1 },
	};
	size_t n = vmi_test_rom_build(rom_img, sizeof(rom_img), 1, 3, 0, (uint8_t)arch, calls, 4);
	assert_true(n > 0);
	assert_int_equal(vmi_rom_validate(rom_img, n, NULL, rom), VMI_OK);
}

static void plan_apply(vmi_test_img *img, const vmi_offer *of, const vmi_patch_opts *o, vmi_plan *plan)
{
	assert_int_equal(vmi_plan_build(plan, &img->ann, of, o, ws, sizeof(ws)), VMI_OK);
	assert_int_equal(vmi_plan_apply(plan), VMI_OK);
}

static void test_apply_unpatch_reapply(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		vmi_test_img img;
		vmi_rom rom;
		vmi_offer of, none;
		vmi_patch_opts o;
		vmi_plan plan;
		build(&img, arch, &rom);
		uint8_t *orig = malloc(img.size), *once = malloc(img.size);
		memcpy(orig, img.mem, img.size);
		assert_int_equal(vmi_negotiate(&img.guest, &rom, NULL, &of), VMI_OK);
		vmi_test_img_opts(&img, &o, near_rom[arch], 0);

		assert_int_equal(vmi_plan_unpatch(&(vmi_plan){ 0 }), VMI_E_STATE);
		assert_int_equal(vmi_plan_build(&plan, &img.ann, &of, &o, ws, sizeof(ws)), VMI_OK);
		assert_int_equal(vmi_plan_unpatch(&plan), VMI_E_STATE); /* not applied yet */
		assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
		vmi_summary sum;
		assert_int_equal(vmi_plan_summarize(&plan, &sum), VMI_OK);
		assert_int_equal(sum.sites, 5);
		assert_int_equal(sum.forms[VMI_FORM_CALL], 2);
		assert_int_equal(sum.forms[VMI_FORM_INLINE], 1);
		assert_int_equal(sum.forms[VMI_FORM_NOP], 1);
		assert_int_equal(sum.forms[VMI_FORM_IDENT], 1);
		assert_int_equal(sum.reasons[VMI_REASON_CALL_FALLBACK], 1);
		assert_int_equal(sum.reasons[VMI_REASON_NOT_OFFERED], 1);
		/* IDENT and the NOP site (already NOPs) did not change. */
		assert_int_equal(sum.changed, 3);
		memcpy(once, img.mem, img.size);
		assert_memory_not_equal(once, orig, img.size);

		/* The sites: decoded, not compared with the encoder's output. */
		int kind;
		uint64_t target;
		assert_int_equal(vmi_x86_decode_call(arch, img.mem + 16, 8, img.base + 16, &kind, &target), 5);
		assert_int_equal(target, near_rom[arch] + vmi_test_rom_entry_off(rom_img, VMI_CALL_SetCR3));
		assert_true(vmi_x86_only_nops(arch, img.mem + 21, 3));
		assert_int_equal(img.mem[40], 0x90);
		assert_true(vmi_x86_only_nops(arch, img.mem + 64, 12));
		assert_memory_equal(img.mem + 100, orig + 100, 6);
		assert_int_equal(vmi_x86_decode_call(arch, img.mem + 130, 6, img.base + 130, &kind, &target), 5);
		assert_int_equal(target, near_rom[arch] + vmi_test_rom_entry_off(rom_img, VMI_CALL_EnableInterrupts));

		/* Apply twice == apply once. */
		assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
		assert_memory_equal(img.mem, once, img.size);

		/* Unpatch restores every byte. */
		assert_int_equal(vmi_plan_unpatch(&plan), VMI_OK);
		assert_memory_equal(img.mem, orig, img.size);
		assert_int_equal(vmi_plan_unpatch(&plan), VMI_E_STATE);

		/* A fresh plan on already-patched text gives the same bytes again. */
		plan_apply(&img, &of, &o, &plan);
		plan_apply(&img, &of, &o, &plan);
		assert_memory_equal(img.mem, once, img.size);
		assert_int_equal(vmi_plan_summarize(&plan, &sum), VMI_OK);
		assert_int_equal(sum.changed, 0);

		/* Migration to bare hardware: re-plan without a ROM restores the
		 * native bytes from the copies, whatever the text holds now. */
		assert_int_equal(vmi_negotiate(&img.guest, NULL, NULL, &none), VMI_OK);
		plan_apply(&img, &none, &o, &plan);
		assert_memory_equal(img.mem, orig, img.size);

		free(orig);
		free(once);
		vmi_test_img_free(&img);
	}
}

/* x86-64, ROM 3 GiB above the text: rel32 cannot reach it. */
static void test_apply_out_of_range(void **state)
{
	(void)state;
	vmi_test_img img;
	vmi_rom rom;
	vmi_offer of;
	vmi_patch_opts o;
	vmi_plan plan;
	const uint64_t far_rom = text_base[2] - 0xc0000000ull;
	build(&img, 2, &rom);
	uint8_t *orig = malloc(img.size);
	memcpy(orig, img.mem, img.size);
	assert_int_equal(vmi_negotiate(&img.guest, &rom, NULL, &of), VMI_OK);

	/* No slot table: IDENT out-of-range, native bytes kept. */
	vmi_test_img_opts(&img, &o, far_rom, 0);
	plan_apply(&img, &of, &o, &plan);
	assert_int_equal(plan.decisions[0].form, VMI_FORM_IDENT);
	assert_int_equal(plan.decisions[0].reason, VMI_REASON_OUT_OF_RANGE);
	assert_memory_equal(img.mem + 16, orig + 16, 8);
	assert_int_equal(plan.decisions[1].form, VMI_FORM_INLINE); /* unaffected */

	/* With slots: call *disp32(%rip) to the slot, the slot holds the entry. */
	vmi_test_img_opts(&img, &o, far_rom, 1);
	plan_apply(&img, &of, &o, &plan);
	assert_int_equal(plan.decisions[0].form, VMI_FORM_CALL);
	assert_int_equal(plan.decisions[0].reason, VMI_REASON_OK);
	assert_int_equal(plan.decisions[0].encoding, VMI_ENC_CALL_RIP);
	int kind;
	uint64_t target;
	assert_int_equal(vmi_x86_decode_call(2, img.mem + 16, 8, img.base + 16, &kind, &target), 6);
	assert_int_equal(kind, 2);
	assert_int_equal(target, img.base + img.slots_off + 8u * VMI_CALL_SetCR3);
	assert_true(vmi_x86_only_nops(2, img.mem + 22, 2));
	uint32_t entry = vmi_test_rom_entry_off(rom_img, VMI_CALL_SetCR3);
	assert_int_equal(vmi_le64(img.mem + img.slots_off + 8u * VMI_CALL_SetCR3), far_rom + entry);
	/* The call-fallback site went through its slot too. */
	assert_int_equal(vmi_le64(img.mem + img.slots_off + 8u * VMI_CALL_EnableInterrupts),
			 far_rom + vmi_test_rom_entry_off(rom_img, VMI_CALL_EnableInterrupts));
	/* Nothing else in the slot table was written. */
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++)
		if (id != VMI_CALL_SetCR3 && id != VMI_CALL_EnableInterrupts)
			assert_int_equal(vmi_le64(img.mem + img.slots_off + 8u * id), 0);
	free(orig);
	vmi_test_img_free(&img);
}

/* Offline images: VMI_PATCH_F_INDIRECT makes every CALL a slot call. */
static void test_apply_indirect(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		vmi_test_img img;
		vmi_rom rom;
		vmi_offer of;
		vmi_patch_opts o;
		vmi_plan plan;
		build(&img, arch, &rom);
		assert_int_equal(vmi_negotiate(&img.guest, &rom, NULL, &of), VMI_OK);
		vmi_test_img_opts(&img, &o, 0, 1);
		o.flags = VMI_PATCH_F_INDIRECT;
		o.slots = NULL; /* offline: the slots are filled at boot */
		plan_apply(&img, &of, &o, &plan);
		int kind;
		uint64_t target;
		assert_int_equal(vmi_x86_decode_call(arch, img.mem + 16, 8, img.base + 16, &kind, &target), 6);
		assert_int_equal(kind, 2);
		assert_int_equal(target, img.base + img.slots_off + 8u * VMI_CALL_SetCR3);
		assert_int_equal(plan.decisions[0].encoding, arch == 1 ? VMI_ENC_CALL_ABS : VMI_ENC_CALL_RIP);
		for (size_t i = 0; i < VMI_CALL_ID_LIMIT * 8u; i++)
			assert_int_equal(img.mem[img.slots_off + i], 0);

		/* Boot of the pre-patched image: only the slots. */
		uint8_t slots[VMI_CALL_ID_LIMIT * 8];
		memset(slots, 0xee, sizeof(slots));
		assert_int_equal(vmi_slots_fill(&of, 0x5000000, slots, sizeof(slots) - 1), VMI_E_NO_SPACE);
		assert_int_equal(vmi_slots_fill(&of, 0x5000000, slots, sizeof(slots)), VMI_OK);
		assert_int_equal(vmi_le64(slots + 8 * VMI_CALL_SetCR3),
				 0x5000000 + vmi_test_rom_entry_off(rom_img, VMI_CALL_SetCR3));
		assert_int_equal(vmi_le64(slots + 8 * VMI_CALL_EnableInterrupts),
				 0x5000000 + vmi_test_rom_entry_off(rom_img, VMI_CALL_EnableInterrupts));
		assert_int_equal(vmi_le64(slots + 8 * VMI_CALL_DisableInterrupts), 0); /* stub only */
		assert_int_equal(vmi_le64(slots + 8 * VMI_CALL_WBINVD), 0);
		vmi_test_img_free(&img);
	}
}

/* Offline (indirect) and the slot call cannot be used: never a direct call
 * to a ROM address that means nothing yet. */
static void test_apply_indirect_refusals(void **state)
{
	(void)state;
	static const uint8_t cr3[3] = { 0x0f, 0x22, 0xd8 };
	vmi_test_img img;
	vmi_rom rom;
	vmi_offer of;
	vmi_patch_opts o;
	vmi_plan plan;
	build(&img, 1, &rom);
	/* A second image: one 5-byte i386 site (the guest macros' default). */
	vmi_test_img small;
	vmi_test_img_init(&small, 1, text_base[1], 64);
	vmi_test_img_site(&small, 8, 5, cr3, 3, VMI_CALL_SetCR3, 0, 0, 0x7);
	vmi_test_img_finish(&small, 1, 0);
	uint8_t before[64];
	memcpy(before, small.mem, sizeof(before));
	assert_int_equal(vmi_negotiate(&small.guest, &rom, NULL, &of), VMI_OK);
	vmi_test_img_opts(&small, &o, near_rom[1], 1);
	o.flags = VMI_PATCH_F_INDIRECT;
	plan_apply(&small, &of, &o, &plan);
	assert_int_equal(plan.decisions[0].form, VMI_FORM_IDENT);
	assert_int_equal(plan.decisions[0].reason, VMI_REASON_DOES_NOT_FIT);
	assert_memory_equal(small.mem, before, sizeof(before));
	/* The same site at boot (direct): call rel32 fits in 5 bytes. */
	o.flags = 0;
	plan_apply(&small, &of, &o, &plan);
	assert_int_equal(plan.decisions[0].form, VMI_FORM_CALL);
	assert_int_equal(plan.decisions[0].encoding, VMI_ENC_CALL_REL32);
	vmi_test_img_free(&small);

	/* Indirect without a slot table: nothing can reach the ROM. */
	assert_int_equal(vmi_negotiate(&img.guest, &rom, NULL, &of), VMI_OK);
	vmi_test_img_opts(&img, &o, near_rom[1], 0);
	o.flags = VMI_PATCH_F_INDIRECT;
	plan_apply(&img, &of, &o, &plan);
	assert_int_equal(plan.decisions[0].form, VMI_FORM_IDENT);
	assert_int_equal(plan.decisions[0].reason, VMI_REASON_OUT_OF_RANGE);
	assert_int_equal(plan.decisions[1].form, VMI_FORM_INLINE); /* stubs need no address */
	vmi_test_img_free(&img);
}

/* i386 wraps rel32 mod 2^32: a ROM below the text is reached backwards. */
static void test_apply_i386_wrap(void **state)
{
	(void)state;
	vmi_test_img img;
	vmi_rom rom;
	vmi_offer of;
	vmi_patch_opts o;
	vmi_plan plan;
	build(&img, 1, &rom);
	assert_int_equal(vmi_negotiate(&img.guest, &rom, NULL, &of), VMI_OK);
	vmi_test_img_opts(&img, &o, 0x1000, 0);
	plan_apply(&img, &of, &o, &plan);
	int kind;
	uint64_t target;
	assert_int_equal(vmi_x86_decode_call(1, img.mem + 16, 8, img.base + 16, &kind, &target), 5);
	assert_int_equal(target, 0x1000 + vmi_test_rom_entry_off(rom_img, VMI_CALL_SetCR3));
	vmi_test_img_free(&img);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vmi_reason_name(VMI_REASON_OK), "ok");
	assert_string_equal(vmi_reason_name(VMI_REASON_ROM_MINOR), "rom-minor-too-old");
	assert_string_equal(vmi_reason_name(VMI_REASON_OUT_OF_RANGE), "out-of-range");
	assert_string_equal(vmi_reason_name(VMI_REASON_ARCH), "arch");
	assert_string_equal(vmi_reason_name(VMI_REASON_COUNT), "?");
	for (uint32_t r = 0; r < VMI_REASON_COUNT; r++)
		for (uint32_t s = 0; s < r; s++)
			assert_string_not_equal(vmi_reason_name(r), vmi_reason_name(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_unpatch_reapply),
		cmocka_unit_test(test_apply_out_of_range),
		cmocka_unit_test(test_apply_indirect),
		cmocka_unit_test(test_apply_indirect_refusals),
		cmocka_unit_test(test_apply_i386_wrap),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
