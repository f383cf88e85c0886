/* SPDX-License-Identifier: MIT */
/*
 * bench/synth.c - synthetic ROM and guest text (see synth.h).
 *
 * The ROM covers every decision path the planner takes at boot: INLINE
 * stubs that fit, CALL entries, a NOP call, a ROM-IDENT call and a call the
 * ROM does not offer. The guest mixes those calls and site lengths so the
 * planner's branches are exercised in the proportions a kernel has (many
 * irq on/off, fewer MMU and CPU calls), not one hot path.
 */
#include "synth.h"

#include "helpers/romgen.h"
#include "helpers/le.h"

#include <stdlib.h>
#include <string.h>

struct vmi_synth_call {
	uint16_t id;
	uint8_t native_len;
	uint8_t native[3];
};

/* Native encodings are the same bytes on i386 and x86-64 for these. */
static const struct vmi_synth_call vmi_synth_calls[] = {
	{ 32, 1, { 0xfa } },             /* cli */
	{ 33, 1, { 0xfb } },             /* sti */
	{ 32, 1, { 0xfa } },
	{ 33, 1, { 0xfb } },
	{ 34, 2, { 0x9c, 0x58 } },       /* pushf; pop %eax */
	{ 14, 3, { 0x0f, 0x22, 0xd8 } }, /* mov %eax,%cr3 */
	{ 18, 3, { 0x0f, 0x20, 0xd8 } }, /* mov %cr3,%eax */
	{ 70, 3, { 0x0f, 0x01, 0x38 } }, /* invlpg (%eax) */
	{ 1, 2, { 0x0f, 0xa2 } },        /* cpuid */
	{ 80, 2, { 0x0f, 0x31 } },       /* rdtsc */
	{ 60, 2, { 0xe6, 0x80 } },       /* out %al,$0x80 */
	{ 36, 1, { 0xf4 } },             /* hlt: the ROM asks IDENT */
	{ 21, 2, { 0x0f, 0x09 } },       /* wbinvd: not offered */
};
#define VMI_SYNTH_NCALLS (sizeof(vmi_synth_calls) / sizeof(vmi_synth_calls[0]))

static const uint8_t vmi_synth_lens[] = { 6, 7, 8, 9, 10, 12, 6, 8 };
/* mov %eax,%edi; mov %eax,%esi: ordinary code between sites, valid on both arches */
static const uint8_t vmi_synth_gap[] = { 0x89, 0xc7, 0x89, 0xc6 };

static const uint8_t vmi_synth_stub_cli[] = { 0x31, 0xc0, 0x89, 0xc0 };       /* xor; mov */
static const uint8_t vmi_synth_stub_sti[] = { 0xb8, 0x01, 0x00, 0x00, 0x00 }; /* mov $1,%eax */
static const uint8_t vmi_synth_stub_tsc[] = { 0x31, 0xc0, 0x31, 0xd2 };       /* xor; xor */

/* Every form the planner can pick; INLINE entries also have an entry so a
 * site the stub does not fit falls back to CALL. */
static const vmi_test_call vmi_synth_rom_calls[] = {
	{ 32, VMI_FORM_INLINE, vmi_synth_stub_cli, 4, 1, VMI_REG_AX, VMI_REG_AX },
	{ 33, VMI_FORM_INLINE, vmi_synth_stub_sti, 5, 1, VMI_REG_AX, VMI_REG_AX },
	{ 34, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
	{ 14, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
	{ 18, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
	{ 70, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
	{ 1, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
	{ 80, VMI_FORM_INLINE, vmi_synth_stub_tsc, 4, 1, VMI_REG_AX | VMI_REG_DX, VMI_REG_AX },
	{ 60, VMI_FORM_NOP, NULL, 0, 0, 0, 0 },
	{ 36, VMI_FORM_IDENT, NULL, 0, 0, 0, 0 },
};

size_t vmi_synth_rom(uint8_t arch, uint8_t *buf)
{
	return vmi_test_rom_build(buf, VMI_ROM_MAX_SIZE, VMI_INTERFACE_MAJOR, VMI_INTERFACE_MINOR,
				  VMI_FEAT_KNOWN, arch, vmi_synth_rom_calls,
				  sizeof(vmi_synth_rom_calls) / sizeof(vmi_synth_rom_calls[0]));
}

int vmi_synth_guest_make(vmi_synth_guest *g, uint8_t arch, uint32_t nsites)
{
	size_t gap = sizeof(vmi_synth_gap);
	size_t text_len = gap, native_len = 0;

	memset(g, 0, sizeof(*g));
	for (uint32_t i = 0; i < nsites; i++) {
		text_len += vmi_synth_lens[i % sizeof(vmi_synth_lens)] + gap;
		native_len += vmi_synth_calls[i % VMI_SYNTH_NCALLS].native_len;
	}
	g->arch = arch;
	g->nsites = nsites;
	g->text_len = text_len;
	g->native_len = native_len ? native_len : 1;
	g->table_len = (size_t)nsites * VMI_SITE_ENTRY_V1_SIZE;
	g->text = malloc(text_len);
	g->pristine = malloc(text_len);
	g->native = malloc(g->native_len);
	g->table = malloc(g->table_len ? g->table_len : 1);
	if (!g->text || !g->pristine || !g->native || !g->table) {
		vmi_synth_guest_free(g);
		return -1;
	}
	g->native_addr = (VMI_SYNTH_TEXT_ADDR + text_len + 7) & ~(uint64_t)7;
	g->table_addr = (g->native_addr + g->native_len + 7) & ~(uint64_t)7;

	uint16_t clobbers = arch == VMI_ARCH_I386 ? VMI_CLOBBER_CALL_I386 : VMI_CLOBBER_CALL_X86_64;
	size_t t = 0, n = 0;
	for (uint32_t i = 0; i < nsites; i++) {
		const struct vmi_synth_call *c = &vmi_synth_calls[i % VMI_SYNTH_NCALLS];
		uint8_t len = vmi_synth_lens[i % sizeof(vmi_synth_lens)];
		uint8_t *e = g->table + (size_t)i * VMI_SITE_ENTRY_V1_SIZE;
		uint64_t entry_addr = g->table_addr + (uint64_t)i * VMI_SITE_ENTRY_V1_SIZE;

		memcpy(g->text + t, vmi_synth_gap, gap);
		t += gap;
		memcpy(g->text + t, c->native, c->native_len);
		vmi_nop_fill(g->text + t + c->native_len, len - c->native_len);
		memcpy(g->native + n, c->native, c->native_len);

		vmi_test_put32(e, (uint32_t)(VMI_SYNTH_TEXT_ADDR + t - entry_addr));
		vmi_test_put32(e + 4, (uint32_t)(g->native_addr + n - (entry_addr + 4)));
		vmi_test_put16(e + 8, c->id);
		e[10] = len;
		e[11] = c->native_len;
		e[12] = 0;
		e[13] = 0;
		vmi_test_put16(e + 14, clobbers);
		t += len;
		n += c->native_len;
		g->site_bytes += len;
	}
	memcpy(g->text + t, vmi_synth_gap, gap);
	memcpy(g->pristine, g->text, text_len);

	g->guest.format_version = VMI_FORMAT_VERSION;
	g->guest.entry_size = VMI_SITE_ENTRY_V1_SIZE;
	g->guest.arch = arch;
	g->guest.req_major = VMI_INTERFACE_MAJOR;
	g->guest.req_minor = 0;
	g->regions[0] = (vmi_region){ .host = g->text, .addr = VMI_SYNTH_TEXT_ADDR,
				      .len = text_len, .flags = VMI_REGION_F_EXEC };
	g->regions[1] = (vmi_region){ .host = g->native, .addr = g->native_addr,
				      .len = g->native_len };
	return 0;
}

void vmi_synth_guest_free(vmi_synth_guest *g)
{
	free(g->text);
	free(g->pristine);
	free(g->native);
	free(g->table);
	memset(g, 0, sizeof(*g));
}
