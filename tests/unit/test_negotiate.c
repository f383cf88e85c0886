/* SPDX-License-Identifier: MIT */
/* test_negotiate.c - global reasons, the minor cap and feature denial. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/romgen.h"
#include "vmi/patcher.h"

static uint8_t rom_buf[8192];

static void mk_rom(vmi_rom *rom, uint8_t major, uint8_t minor, uint32_t feat, uint8_t arch)
{
	static const uint8_t stub[] = { 0xfa };
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub, .stub_len = 1 },
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = VMI_REG_AX },
		{ .id = VMI_CALL_FlushDeferredCalls, .form = VMI_FORM_NOP },
	};
	size_t n = vmi_test_rom_build(rom_buf, sizeof(rom_buf), major, minor, feat, arch, calls, 3);
	assert_true(n > 0);
	VMI_OPTS(vmi_rom_opts, o, .arch = arch);
	assert_int_equal(vmi_rom_validate(rom_buf, n, &o, rom), VMI_OK);
}

static void mk_guest(vmi_guest *g, uint8_t arch, uint8_t major, uint8_t minor)
{
	memset(g, 0, sizeof(*g));
	g->format_version = VMI_FORMAT_VERSION;
	g->entry_size = VMI_SITE_ENTRY_V1_SIZE;
	g->arch = arch;
	g->req_major = major;
	g->req_minor = minor;
}

static void test_negotiate_global_reasons(void **state)
{
	(void)state;
	vmi_guest g;
	vmi_rom rom;
	vmi_offer of;
	VMI_OPTS(vmi_policy, all, .flags = VMI_POLICY_F_ALL_IDENT);

	mk_guest(&g, VMI_ARCH_X86_64, 1, 0);
	assert_int_equal(vmi_negotiate(&g, NULL, NULL, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_NO_ROM);
	assert_null(of.rom);

	mk_rom(&rom, 1, 2, 0, VMI_ARCH_X86_64);
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_OK);
	assert_int_equal(of.minor, 2);
	assert_int_equal(of.minor_capped, 0);
	assert_int_equal(of.call_slot[VMI_CALL_DisableInterrupts], 1);
	assert_int_equal(of.call_slot[VMI_CALL_SetCR3], 2);
	assert_int_equal(of.call_slot[VMI_CALL_FlushDeferredCalls], 3);
	assert_int_equal(of.call_slot[VMI_CALL_EnableInterrupts], 0);

	/* Arch is checked before the major: an i386 ROM of any version is useless. */
	mk_rom(&rom, 2, 0, 0, VMI_ARCH_I386);
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_ARCH);

	mk_rom(&rom, 2, 0, 0, VMI_ARCH_X86_64);
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_ROM_MAJOR);
	mk_guest(&g, VMI_ARCH_X86_64, 2, 0);
	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_OK);

	assert_int_equal(vmi_negotiate(&g, &rom, &all, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_POLICY);

	/* A wrong major outranks the policy: the log should say why first. */
	mk_guest(&g, VMI_ARCH_X86_64, 1, 0);
	assert_int_equal(vmi_negotiate(&g, &rom, &all, &of), VMI_OK);
	assert_int_equal(of.global_reason, VMI_REASON_ROM_MAJOR);
}

static void test_negotiate_minor_cap(void **state)
{
	(void)state;
	vmi_guest g;
	vmi_rom rom;
	vmi_offer of;
	mk_guest(&g, VMI_ARCH_I386, 1, 3);
	mk_rom(&rom, 1, 3, 0, VMI_ARCH_I386);

	VMI_OPTS(vmi_policy, cap1, .flags = VMI_POLICY_F_MAX_MINOR, .max_minor = 1);
	assert_int_equal(vmi_negotiate(&g, &rom, &cap1, &of), VMI_OK);
	assert_int_equal(of.minor, 1);
	assert_int_equal(of.minor_capped, 1);

	VMI_OPTS(vmi_policy, cap9, .flags = VMI_POLICY_F_MAX_MINOR, .max_minor = 9);
	assert_int_equal(vmi_negotiate(&g, &rom, &cap9, &of), VMI_OK);
	assert_int_equal(of.minor, 3);
	assert_int_equal(of.minor_capped, 0);

	/* max_minor without its flag is no cap. */
	VMI_OPTS(vmi_policy, noflag, .max_minor = 0);
	assert_int_equal(vmi_negotiate(&g, &rom, &noflag, &of), VMI_OK);
	assert_int_equal(of.minor, 3);
}

static void test_negotiate_features(void **state)
{
	(void)state;
	vmi_guest g;
	vmi_rom rom;
	vmi_offer of;
	mk_guest(&g, VMI_ARCH_X86_64, 1, 0);
	mk_rom(&rom, 1, 3, VMI_FEAT_DEFERRED | VMI_FEAT_LOCKS, VMI_ARCH_X86_64);

	assert_int_equal(vmi_negotiate(&g, &rom, NULL, &of), VMI_OK);
	assert_int_equal(of.features, VMI_FEAT_DEFERRED | VMI_FEAT_LOCKS);
	assert_int_equal(of.denied_features, 0);

	VMI_OPTS(vmi_policy, deny, .deny_features = VMI_FEAT_LOCKS | VMI_FEAT_APIC);
	assert_int_equal(vmi_negotiate(&g, &rom, &deny, &of), VMI_OK);
	assert_int_equal(of.features, VMI_FEAT_DEFERRED);
	/* Only what the ROM had counts as denied. */
	assert_int_equal(of.denied_features, VMI_FEAT_LOCKS);
}

static void test_negotiate_bad_args(void **state)
{
	(void)state;
	vmi_guest g;
	vmi_offer of;
	mk_guest(&g, VMI_ARCH_X86_64, 1, 0);
	assert_int_equal(vmi_negotiate(NULL, NULL, NULL, &of), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_negotiate(&g, NULL, NULL, NULL), VMI_E_INVALID_ARG);
	/* A newer caller's longer policy with a non-zero unknown tail. */
	struct {
		vmi_policy p;
		uint32_t extra;
	} big;
	memset(&big, 0, sizeof(big));
	big.p.size = sizeof(big);
	big.extra = 1;
	assert_int_equal(vmi_negotiate(&g, NULL, &big.p, &of), VMI_E_OPTS_UNKNOWN);
	big.extra = 0;
	assert_int_equal(vmi_negotiate(&g, NULL, &big.p, &of), VMI_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate_global_reasons),
		cmocka_unit_test(test_negotiate_minor_cap),
		cmocka_unit_test(test_negotiate_features),
		cmocka_unit_test(test_negotiate_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
