/* SPDX-License-Identifier: MIT */
/*
 * test_matrix.c - the exhaustive compatibility matrix.
 *
 * guest major x site minor x ROM major x ROM minor x feature offered x site
 * flags x call id x ROM form x arch x encoding (direct / through slots),
 * plus no ROM. The expected form and reason come from oracle() below, a
 * restatement of the rules in DESIGN.md ("Interface evolution") and
 * docs/design-notes.md ("Decision order"); it shares no code with the
 * patcher. Every result is checked on the bytes the patcher wrote, decoded
 * with Zydis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/romgen.h"
#include "helpers/sitegen.h"
#include "helpers/x86check.h"
#include "vmi/patcher.h"

#define SITE_LEN 7
#define UNKNOWN_ID 126

/* The test's own view of the two catalog rows it uses. */
struct known_call {
	uint16_t id;
	uint8_t minor;
	uint32_t feature;
	uint8_t native[2][8]; /* [arch-1] */
	uint8_t native_len[2];
};
static const struct known_call calls[] = {
	/* mov %eax,%cr3 / mov %rdi,%cr3 */
	{ 14, 0, 0, { { 0x0f, 0x22, 0xd8 }, { 0x0f, 0x22, 0xdf } }, { 3, 3 } },
	/* SetPxE: mov %eax,(%ecx); mov %edx,4(%ecx) / mov %rsi,(%rdi) */
	{ 66, 1, 1u << 1, { { 0x89, 0x01, 0x89, 0x51, 0x04 }, { 0x48, 0x89, 0x37 } }, { 5, 3 } },
	/* an id from a newer catalog: cli as its "native" */
	{ UNKNOWN_ID, 0, 0, { { 0xfa }, { 0xfa } }, { 1, 1 } },
};
static const uint8_t stub[3] = { 0x31, 0xc0, 0x90 }; /* xor %eax,%eax; nop */
static const uint8_t site_flags[] = { 0, 0x01 /* HOT */, 0x04 /* unknown info */,
				      0x10 /* NO_CALL */, 0x20 /* unknown MU */ };

static const uint64_t text_base[3] = { 0, 0xc1000000u, 0xffffffff81000000ull };
static const uint64_t rom_addr[3] = { 0, 0x00100000u, 0xffffffff81400000ull };

struct expect {
	int form, reason;
};

/* The rules, restated. @rom_major == 0: no ROM. */
static struct expect oracle(int gmaj, int minor, int rom_major, int rom_minor, int feat_on, int flags,
			    const struct known_call *c, int rom_form)
{
	const int I = VMI_FORM_IDENT;
	if (c->id == UNKNOWN_ID)
		return (struct expect){ I, VMI_REASON_UNKNOWN_CALL };
	if (flags & 0xe0) /* must-understand bits other than NO_CALL */
		return (struct expect){ I, VMI_REASON_UNKNOWN_FLAG };
	if (!rom_major)
		return (struct expect){ I, VMI_REASON_NO_ROM };
	if (rom_major != gmaj)
		return (struct expect){ I, VMI_REASON_ROM_MAJOR };
	int need = minor > c->minor ? minor : c->minor;
	if (need > rom_minor)
		return (struct expect){ I, VMI_REASON_ROM_MINOR };
	if (c->feature && !feat_on)
		return (struct expect){ I, VMI_REASON_FEATURE };
	switch (rom_form) {
	case VMI_FORM_IDENT:
		return (struct expect){ I, VMI_REASON_ROM_IDENT };
	case VMI_FORM_NOP:
		return (struct expect){ VMI_FORM_NOP, VMI_REASON_OK };
	case VMI_FORM_INLINE: /* the stub always fits and clobbers nothing here */
		return (struct expect){ VMI_FORM_INLINE, VMI_REASON_OK };
	default:
		if (flags & 0x10)
			return (struct expect){ I, VMI_REASON_NO_CALL };
		return (struct expect){ VMI_FORM_CALL, VMI_REASON_OK };
	}
}

static uint8_t rom_img[8192];

static size_t build_rom(int arch, int major, int minor, int feat_on, int form)
{
	vmi_test_call tc[3];
	memset(tc, 0, sizeof(tc));
	for (int i = 0; i < 3; i++) {
		tc[i].id = calls[i].id;
		tc[i].form = (uint8_t)form;
		if (form == VMI_FORM_INLINE) {
			tc[i].stub = stub;
			tc[i].stub_len = sizeof(stub);
		}
		tc[i].has_entry = form == VMI_FORM_CALL;
		tc[i].call_clobbers = VMI_REG_AX;
	}
	size_t n = vmi_test_rom_build(rom_img, sizeof(rom_img), (uint8_t)major, (uint8_t)minor,
				      feat_on ? calls[1].feature : 0, (uint8_t)arch, tc, 3);
	assert_true(n > 0);
	return n;
}

/* Check the bytes at the site against the expected form. */
static void check_bytes(int arch, const uint8_t *got, uint64_t addr, const struct known_call *c,
			struct expect e, uint32_t entry_off, uint64_t slot, const uint8_t *slot_host)
{
	int nl = c->native_len[arch - 1];
	switch (e.form) {
	case VMI_FORM_IDENT:
		assert_memory_equal(got, c->native[arch - 1], nl);
		assert_true(vmi_x86_only_nops(arch, got + nl, SITE_LEN - nl));
		break;
	case VMI_FORM_INLINE:
		assert_memory_equal(got, stub, sizeof(stub));
		assert_true(vmi_x86_only_nops(arch, got + sizeof(stub), SITE_LEN - sizeof(stub)));
		break;
	case VMI_FORM_NOP:
		assert_true(vmi_x86_only_nops(arch, got, SITE_LEN));
		break;
	case VMI_FORM_CALL: {
		int kind;
		uint64_t target;
		size_t n = vmi_x86_decode_call(arch, got, SITE_LEN, addr, &kind, &target);
		if (!slot) { /* direct: call rel32 to the ROM entry */
			assert_int_equal(n, 5);
			assert_int_equal(kind, 1);
			assert_int_equal(target, rom_addr[arch] + entry_off);
		} else { /* through the slot: call *slot (abs32 / rip-relative), slot = entry */
			assert_int_equal(n, 6);
			assert_int_equal(kind, 2);
			assert_int_equal(target, slot);
			uint64_t v = 0;
			for (int i = 7; i >= 0; i--)
				v = v << 8 | slot_host[i];
			assert_int_equal(v, rom_addr[arch] + entry_off);
		}
		assert_true(vmi_x86_only_nops(arch, got + n, SITE_LEN - n));
		break;
	}
	default:
		fail();
	}
}

static void test_matrix(void **state)
{
	(void)state;
	unsigned long checked = 0, by_form[VMI_FORM_COUNT] = { 0 };
	uint8_t ws[256] __attribute__((aligned(8)));

	for (int arch = VMI_ARCH_I386; arch <= VMI_ARCH_X86_64; arch++)
	for (int gmaj = 1; gmaj <= 2; gmaj++)
	for (int minor = 0; minor <= 3; minor++)
	for (size_t fi = 0; fi < sizeof(site_flags); fi++)
	for (size_t ci = 0; ci < 3; ci++) {
		const struct known_call *c = &calls[ci];
		vmi_test_img img;
		vmi_test_img_init(&img, (uint8_t)arch, text_base[arch], 64);
		const size_t off = 16;
		vmi_test_img_site(&img, off, SITE_LEN, c->native[arch - 1], c->native_len[arch - 1], c->id,
				  (uint8_t)minor, site_flags[fi], VMI_REG_AX | VMI_REG_CX | VMI_REG_DX);
		vmi_test_img_finish(&img, (uint8_t)gmaj, (uint8_t)minor);
		uint8_t orig[64];
		memcpy(orig, img.mem, sizeof(orig));
		vmi_patch_opts opts;
		vmi_test_img_opts(&img, &opts, rom_addr[arch], 1);
		size_t need;
		assert_int_equal(vmi_plan_workspace_size(&img.ann, &need), VMI_OK);
		assert_true(need <= sizeof(ws));

		/* rom_major 0 = no ROM (one pass); then every ROM variant; each
		 * encoded direct and through slots (VMI_PATCH_F_INDIRECT). */
		for (int ind = 0; ind <= 1; ind++)
		for (int rmaj = 0; rmaj <= 2; rmaj++)
		for (int rmin = 0; rmin <= (rmaj ? 4 : 0); rmin++)
		for (int feat = 0; feat <= (rmaj ? 1 : 0); feat++)
		for (int form = 0; form < (rmaj ? VMI_FORM_COUNT : 1); form++) {
			vmi_rom rom;
			const vmi_rom *romp = NULL;
			uint32_t entry_off = 0;
			if (rmaj) {
				size_t n = build_rom(arch, rmaj, rmin, feat, form);
				VMI_OPTS(vmi_rom_opts, ro, .arch = (uint8_t)arch);
				assert_int_equal(vmi_rom_validate(rom_img, n, &ro, &rom), VMI_OK);
				romp = &rom;
				entry_off = vmi_test_rom_entry_off(rom_img, c->id);
			}
			vmi_offer of;
			vmi_plan plan;
			assert_int_equal(vmi_negotiate(&img.guest, romp, NULL, &of), VMI_OK);
			opts.flags = ind ? VMI_PATCH_F_INDIRECT : 0;
			memset(img.mem + img.slots_off, 0, VMI_CALL_ID_LIMIT * 8u);
			assert_int_equal(vmi_plan_build(&plan, &img.ann, &of, &opts, ws, need), VMI_OK);
			struct expect e = oracle(gmaj, minor, rmaj, rmin, feat, site_flags[fi], c, form);
			if (plan.decisions[0].form != e.form || plan.decisions[0].reason != e.reason)
				fail_msg("arch %d gmaj %d minor %d flags %#x call %u rom %d.%d feat %d form %d: "
					 "got %d/%s want %d/%s", arch, gmaj, minor, site_flags[fi], c->id, rmaj,
					 rmin, feat, form, plan.decisions[0].form,
					 vmi_reason_name(plan.decisions[0].reason), e.form,
					 vmi_reason_name((uint32_t)e.reason));
			assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
			size_t slot_off = img.slots_off + 8u * c->id;
			check_bytes(arch, img.mem + off, vmi_test_addr(&img, off), c, e, entry_off,
				    ind ? vmi_test_addr(&img, slot_off) : 0, img.mem + slot_off);
			/* Only a CALL through a slot writes one. */
			for (size_t b = 0; b < VMI_CALL_ID_LIMIT * 8u; b++)
				if (img.mem[img.slots_off + b] && !(ind && e.form == VMI_FORM_CALL &&
								    b / 8 == c->id))
					fail_msg("slot byte %zu written", b);
			/* Nothing outside the site moved. */
			assert_memory_equal(img.mem, orig, off);
			assert_memory_equal(img.mem + off + SITE_LEN, orig + off + SITE_LEN,
					    sizeof(orig) - off - SITE_LEN);
			assert_int_equal(vmi_plan_unpatch(&plan), VMI_OK);
			assert_memory_equal(img.mem, orig, sizeof(orig));
			checked++;
			by_form[e.form]++;
		}
		vmi_test_img_free(&img);
	}
	printf("matrix: %lu combinations checked, direct and through slots (ident %lu, inline %lu, call %lu, nop %lu)\n", checked,
	       by_form[0], by_form[1], by_form[2], by_form[3]);
	/* 2 arches x 2 majors x 4 minors x 5 flags x 3 calls x 2 encodings
	 * x (1 no-ROM + 2 majors x 5 minors x 2 feature x 4 forms ROMs) */
	assert_int_equal(checked, 2ul * 2 * 4 * 5 * 3 * 2 * (1 + 2 * 5 * 2 * 4));
	assert_true(by_form[1] > 0 && by_form[2] > 0 && by_form[3] > 0);
}

/* ---- the edges of the decision rules, one scenario each ---- */

struct edge {
	const char *what;
	int arch;
	uint8_t site_len, flags, min_minor;
	uint16_t site_clobbers;
	uint16_t id;
	/* ROM entry for @id */
	uint8_t form, stub_len, has_entry;
	uint16_t stub_clobbers, call_clobbers;
	uint8_t rom_minor;
	uint32_t rom_feat;
	const char *policy;
	int want_form, want_reason;
};

static const struct edge edges[] = {
	{ "stub too long, entry", 2, 6, 0, 0, 0x7, 14, VMI_FORM_INLINE, 8, 1, 0, 1, 3, 0, "",
	  VMI_FORM_CALL, VMI_REASON_CALL_FALLBACK },
	{ "stub too long, no entry", 2, 6, 0, 0, 0x7, 14, VMI_FORM_INLINE, 8, 0, 0, 0, 3, 0, "",
	  VMI_FORM_IDENT, VMI_REASON_DOES_NOT_FIT },
	{ "stub clobbers, no entry", 1, 8, 0, 0, VMI_REG_AX, 14, VMI_FORM_INLINE, 3, 0, VMI_REG_DX, 0, 3, 0,
	  "", VMI_FORM_IDENT, VMI_REASON_CLOBBERS },
	{ "stub clobbers, entry", 1, 8, 0, 0, VMI_REG_AX, 14, VMI_FORM_INLINE, 3, 1, VMI_REG_DX, VMI_REG_AX,
	  3, 0, "", VMI_FORM_CALL, VMI_REASON_CALL_FALLBACK },
	{ "stub too long, entry, no-call site", 1, 5, 0x10, 0, 0x7, 14, VMI_FORM_INLINE, 8, 1, 0, 0, 3, 0,
	  "", VMI_FORM_IDENT, VMI_REASON_NO_CALL },
	{ "call clobbers", 2, 6, 0, 0, VMI_REG_AX, 14, VMI_FORM_CALL, 0, 1, 0, VMI_REG_AX | VMI_REG_R11, 3,
	  0, "", VMI_FORM_IDENT, VMI_REASON_CLOBBERS },
	{ "inline fits on a no-call site", 2, 6, 0x10, 0, 0x7, 14, VMI_FORM_INLINE, 3, 1, 0, 0, 3, 0, "",
	  VMI_FORM_INLINE, VMI_REASON_OK },
	{ "no-inline, entry", 1, 6, 0, 0, 0x7, 14, VMI_FORM_INLINE, 3, 1, 0, 0, 3, 0, "no-inline",
	  VMI_FORM_CALL, VMI_REASON_CALL_FALLBACK },
	{ "no-inline:SetCR3, no entry", 1, 6, 0, 0, 0x7, 14, VMI_FORM_INLINE, 3, 0, 0, 0, 3, 0,
	  "no-inline:SetCR3", VMI_FORM_IDENT, VMI_REASON_POLICY },
	{ "no-inline:GetCR3 leaves SetCR3", 1, 6, 0, 0, 0x7, 14, VMI_FORM_INLINE, 3, 0, 0, 0, 3, 0,
	  "no-inline:GetCR3", VMI_FORM_INLINE, VMI_REASON_OK },
	{ "no-nop", 2, 6, 0, 0, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0, "no-nop", VMI_FORM_IDENT,
	  VMI_REASON_POLICY },
	{ "ident:SetCR3", 2, 6, 0, 0, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0, "ident:SetCR3",
	  VMI_FORM_IDENT, VMI_REASON_POLICY },
	{ "ident:cpu", 2, 6, 0, 0, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0, "ident:cpu", VMI_FORM_IDENT,
	  VMI_REASON_POLICY },
	{ "ident:mmu leaves cpu", 2, 6, 0, 0, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0, "ident:mmu",
	  VMI_FORM_NOP, VMI_REASON_OK },
	{ "ident (all)", 2, 6, 0, 0, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0, "ident", VMI_FORM_IDENT,
	  VMI_REASON_POLICY },
	{ "max-minor below a ROM that had it", 2, 6, 0, 1, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0,
	  "max-minor:0", VMI_FORM_IDENT, VMI_REASON_POLICY },
	{ "max-minor and a ROM too old anyway", 2, 6, 0, 2, 0x7, 14, VMI_FORM_NOP, 0, 0, 0, 0, 1, 0,
	  "max-minor:0", VMI_FORM_IDENT, VMI_REASON_ROM_MINOR },
	{ "no-feature:pae, ROM has it", 1, 6, 0, 0, 0x7, 66, VMI_FORM_NOP, 0, 0, 0, 0, 3, 1u << 1,
	  "no-feature:pae", VMI_FORM_IDENT, VMI_REASON_POLICY },
	{ "no-feature:pae, ROM lacks it", 1, 6, 0, 0, 0x7, 66, VMI_FORM_NOP, 0, 0, 0, 0, 3, 0,
	  "no-feature:pae", VMI_FORM_IDENT, VMI_REASON_FEATURE },
	{ "not offered", 1, 6, 0, 0, 0x7, 15 /* SetCR4; the ROM only has SetCR3 */, VMI_FORM_NOP, 0, 0,
	  0, 0, 3, 0, "", VMI_FORM_IDENT, VMI_REASON_NOT_OFFERED },
};

static void test_decision_edges(void **state)
{
	(void)state;
	static const uint8_t long_stub[8] = { 0x31, 0xc0, 0x31, 0xc9, 0x31, 0xd2, 0x90, 0x90 };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const struct edge *t = &edges[i];
		vmi_test_img img;
		static const uint8_t native[3] = { 0x0f, 0x22, 0xd8 };
		vmi_test_img_init(&img, (uint8_t)t->arch, text_base[t->arch], 64);
		vmi_test_img_site(&img, 8, t->site_len, native, 3, t->id, t->min_minor, t->flags,
				  t->site_clobbers);
		vmi_test_img_finish(&img, 1, 0);
		vmi_test_call tc = { .id = t->id == 15 ? 14 : t->id, .form = t->form, .stub = long_stub,
				     .stub_len = t->stub_len, .has_entry = t->has_entry,
				     .stub_clobbers = t->stub_clobbers, .call_clobbers = t->call_clobbers };
		if (!t->stub_len)
			tc.stub = NULL;
		size_t n = vmi_test_rom_build(rom_img, sizeof(rom_img), 1, t->rom_minor, t->rom_feat,
					      (uint8_t)t->arch, &tc, 1);
		assert_true(n > 0);
		vmi_rom rom;
		assert_int_equal(vmi_rom_validate(rom_img, n, NULL, &rom), VMI_OK);
		vmi_policy pol;
		memset(&pol, 0, sizeof(pol));
		pol.size = sizeof(pol);
		assert_int_equal(vmi_policy_parse(&pol, t->policy, strlen(t->policy), NULL), VMI_OK);
		vmi_offer of;
		assert_int_equal(vmi_negotiate(&img.guest, &rom, &pol, &of), VMI_OK);
		vmi_patch_opts opts;
		vmi_test_img_opts(&img, &opts, rom_addr[t->arch], 0);
		uint8_t ws[128] __attribute__((aligned(8)));
		vmi_plan plan;
		assert_int_equal(vmi_plan_build(&plan, &img.ann, &of, &opts, ws, sizeof(ws)), VMI_OK);
		if (plan.decisions[0].form != t->want_form || plan.decisions[0].reason != t->want_reason)
			fail_msg("%s: got %d/%s want %d/%s", t->what, plan.decisions[0].form,
				 vmi_reason_name(plan.decisions[0].reason), t->want_form,
				 vmi_reason_name((uint32_t)t->want_reason));
		assert_int_equal(vmi_plan_apply(&plan), VMI_OK);
		const uint8_t *got = img.mem + 8;
		if (t->want_form == VMI_FORM_CALL) {
			int kind;
			uint64_t target;
			assert_int_equal(vmi_x86_decode_call(t->arch, got, t->site_len, vmi_test_addr(&img, 8),
							     &kind, &target), 5);
			assert_int_equal(target, rom_addr[t->arch] + vmi_test_rom_entry_off(rom_img, tc.id));
		} else if (t->want_form == VMI_FORM_IDENT) {
			assert_memory_equal(got, native, 3);
			assert_true(vmi_x86_only_nops(t->arch, got + 3, t->site_len - 3u));
		}
		vmi_test_img_free(&img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_decision_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
