/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_annotations.c - the note parser, the site-table reader
 * and the planner on a fuzzed annotation set against a fixed guest text.
 *
 * Input: byte 0 selects the arch (odd = x86-64), bytes 1..28 are the note
 * descriptor, the rest is the vmi_sites table as it would sit at the
 * synthetic guest's table address. The text and native copies are those
 * of a 64-site synthetic guest (bench/synth.c), so seeds made from it are
 * valid sets the fuzzer mutates into hostile ones.
 * Invariants beyond "no crash": a failed plan wrote nothing; a plan that
 * succeeded and was applied then unpatched gives back the text byte for
 * byte; bytes outside the sites are never touched by apply.
 */
#include <string.h>

#include "fuzz_common.h"
#include "synth.h"
#include "vmi/vmi.h"

#define VMI_FUZZ_SITES 64
#define VMI_FUZZ_DESC 28

static vmi_synth_guest vmi_fuzz_g[2];
static vmi_rom vmi_fuzz_rom[2];
static uint8_t vmi_fuzz_rom_img[2][VMI_ROM_MAX_SIZE];
static uint8_t vmi_fuzz_ws[VMI_FUZZ_SITES * 64 + 64 * 1024] __attribute__((aligned(16)));

static void vmi_fuzz_setup(void)
{
	static int done;
	if (done)
		return;
	for (int a = 0; a < 2; a++) {
		uint8_t arch = a ? VMI_ARCH_X86_64 : VMI_ARCH_I386;
		size_t n = vmi_synth_rom(arch, vmi_fuzz_rom_img[a]);
		if (vmi_synth_guest_make(&vmi_fuzz_g[a], arch, VMI_FUZZ_SITES) != 0 ||
		    vmi_rom_validate(vmi_fuzz_rom_img[a], n, NULL, &vmi_fuzz_rom[a]) != VMI_OK)
			abort();
	}
	done = 1;
}

/* A raw descriptor from a decoded guest (the seed's note). */
static void vmi_fuzz_desc(const vmi_guest *g, uint8_t *d)
{
	memset(d, 0, VMI_FUZZ_DESC);
	d[0] = (uint8_t)g->format_version;
	d[1] = (uint8_t)(g->format_version >> 8);
	d[2] = (uint8_t)g->entry_size;
	d[3] = (uint8_t)(g->entry_size >> 8);
	d[4] = g->arch;
	d[5] = g->req_major;
	d[6] = g->req_minor;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vmi_guest guest;

	vmi_fuzz_setup();
	/* The whole input as a buffer of ELF notes, too. */
	(void)vmi_note_find(data, size, &guest);
	if (size < 1 + VMI_FUZZ_DESC)
		return 0;
	vmi_synth_guest *g = &vmi_fuzz_g[data[0] & 1];
	const vmi_rom *rom = &vmi_fuzz_rom[data[0] & 1];
	if (vmi_note_parse(data + 1, VMI_FUZZ_DESC, &guest) != VMI_OK)
		return 0;

	const uint8_t *table = data + 1 + VMI_FUZZ_DESC;
	size_t table_len = size - 1 - VMI_FUZZ_DESC;
	vmi_annotations ann;
	if (vmi_annotations_init(&ann, &guest, table, g->table_addr, table_len) != VMI_OK)
		return 0;
	VMI_FUZZ_ASSERT((uint64_t)ann.count * ann.entry_size <= table_len);
	for (uint32_t i = 0; i <= ann.count; i++) {
		vmi_site s;
		vmi_status st = vmi_annotations_get(&ann, i, &s);
		VMI_FUZZ_ASSERT((st == VMI_OK) == (i < ann.count));
	}

	vmi_offer offer;
	if (vmi_negotiate(&guest, rom, NULL, &offer) != VMI_OK)
		return 0;
	size_t ws_len;
	if (vmi_plan_workspace_size(&ann, &ws_len) != VMI_OK)
		return 0;
	VMI_FUZZ_ASSERT(ws_len >= (size_t)ann.count * sizeof(vmi_decision));
	if (ws_len > sizeof(vmi_fuzz_ws)) {
		vmi_plan p;
		VMI_FUZZ_ASSERT(vmi_plan_build(&p, &ann, &offer, &(vmi_patch_opts){
			.size = sizeof(vmi_patch_opts), .regions = g->regions, .nregions = 2 },
			vmi_fuzz_ws, sizeof(vmi_fuzz_ws)) != VMI_OK);
		return 0;
	}

	memcpy(g->text, g->pristine, g->text_len);
	static uint8_t slots[VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE];
	VMI_OPTS(vmi_patch_opts, opts, .regions = g->regions, .nregions = 2,
		 .rom_addr = VMI_SYNTH_ROM_ADDR, .flags = (data[0] & 2) ? VMI_PATCH_F_INDIRECT : 0,
		 .slots_addr = (data[0] & 2) ? VMI_SYNTH_TEXT_ADDR - sizeof(slots) : 0,
		 .slots = (data[0] & 2) ? slots : NULL);
	vmi_plan plan;
	if (vmi_plan_build(&plan, &ann, &offer, &opts, vmi_fuzz_ws, ws_len) != VMI_OK) {
		VMI_FUZZ_ASSERT(!memcmp(g->text, g->pristine, g->text_len));
		return 0;
	}
	vmi_summary sum;
	VMI_FUZZ_ASSERT(vmi_plan_summarize(&plan, &sum) == VMI_OK && sum.sites == ann.count);
	VMI_FUZZ_ASSERT(vmi_plan_apply(&plan) == VMI_OK);
	/* Outside the sites nothing changed (sites are sorted and disjoint). */
	uint64_t pos = VMI_SYNTH_TEXT_ADDR;
	for (uint32_t i = 0; i < plan.count; i++) {
		const vmi_decision *d = &plan.decisions[i];
		if (d->region != 0)
			continue;
		VMI_FUZZ_ASSERT(d->addr >= pos);
		VMI_FUZZ_ASSERT(!memcmp(g->text + (pos - VMI_SYNTH_TEXT_ADDR),
					g->pristine + (pos - VMI_SYNTH_TEXT_ADDR), d->addr - pos));
		pos = d->addr + d->len;
	}
	VMI_FUZZ_ASSERT(vmi_plan_unpatch(&plan) == VMI_OK);
	VMI_FUZZ_ASSERT(!memcmp(g->text, g->pristine, g->text_len));
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("VMI_FUZZ_SEEDS");
	if (!dir)
		return 0;
	vmi_fuzz_setup();
	for (int a = 0; a < 2; a++) {
		for (int ind = 0; ind < 2; ind++) {
			const vmi_synth_guest *g = &vmi_fuzz_g[a];
			size_t len = 1 + VMI_FUZZ_DESC + g->table_len;
			uint8_t *buf = malloc(len);
			char name[64];
			if (!buf)
				abort();
			buf[0] = (uint8_t)(a | (ind << 1));
			vmi_fuzz_desc(&g->guest, buf + 1);
			memcpy(buf + 1 + VMI_FUZZ_DESC, g->table, g->table_len);
			snprintf(name, sizeof(name), "synth-%s%s", a ? "x86_64" : "i386", ind ? "-indirect" : "");
			vmi_fuzz_seed(dir, name, buf, len);
			free(buf);
		}
	}
	exit(0);
}
