/* SPDX-License-Identifier: MIT */
/*
 * inmem_demo.c - the patcher on a real annotated function, in memory.
 *
 * vmi_demo_sample() below is compiled with the guest macros, so the
 * compiler and assembler produce real sites, vmi_sites entries and native
 * copies. It is never called (its instructions are privileged). The demo
 * copies its bytes into a buffer and patches that copy against hand-made
 * ROM offers, so the process' own text is never modified; the copy keeps
 * the function's real addresses as its target addresses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/romgen.h"
#include "vmi/guest.h"
#include "vmi/patcher.h"

#define VMI_DEMO_TEXT __attribute__((section("vmi_demo_text"), noinline, used))

extern const uint8_t __start_vmi_demo_text[], __stop_vmi_demo_text[];

void vmi_demo_sample(unsigned long cr3, volatile void *lock);

VMI_DEMO_TEXT void vmi_demo_sample(unsigned long cr3, volatile void *lock)
{
	vmi_cli();
	vmi_write_cr3(cr3);
	(void)vmi_rdtsc();
	vmi_flush_deferred();
	vmi_spin_wait(lock);
	vmi_wbinvd();
	vmi_sti();
}

/* A hypervisor's ROM offer: hypercall stubs for the interrupt flag, out of
 * line entries for CR3, TSC and the spin lock, and a no-op flush. */
static uint8_t rom_buf[8192];
static const uint8_t stub_cli[] = { 0x0f, 0x01, 0xc1 }; /* vmcall */
static const uint8_t stub_sti[] = { 0x0f, 0x01, 0xd9 }; /* vmmcall */

static size_t make_rom(uint8_t major, uint8_t minor, uint32_t features)
{
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub_cli, .stub_len = 3 },
		{ .id = VMI_CALL_EnableInterrupts, .form = VMI_FORM_INLINE, .stub = stub_sti, .stub_len = 3 },
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = VMI_REG_AX },
		{ .id = VMI_CALL_GetCycleCounter, .form = VMI_FORM_CALL, .has_entry = 1,
		  .call_clobbers = VMI_REG_AX | VMI_REG_DX },
		{ .id = VMI_CALL_FlushDeferredCalls, .form = VMI_FORM_NOP },
		{ .id = VMI_CALL_SpinWait, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = VMI_REG_AX },
	};
	return vmi_test_rom_build(rom_buf, sizeof(rom_buf), major, minor, features, VMI_ARCH_X86_64, calls,
				  sizeof(calls) / sizeof(calls[0]));
}

static void hex(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		printf("%02x%s", b[i], i + 1 < n ? " " : "");
}

static int scenario(const char *title, int with_rom, uint8_t major, uint8_t minor, uint32_t features)
{
	size_t text_len = (size_t)(__stop_vmi_demo_text - __start_vmi_demo_text);
	uint8_t *text = malloc(text_len);
	memcpy(text, __start_vmi_demo_text, text_len);

	/* The guest's note, as VMI_GUEST_NOTE(1, 3) would describe it. */
	vmi_guest guest = { .format_version = VMI_FORMAT_VERSION, .entry_size = VMI_SITE_ENTRY_V1_SIZE,
			    .arch = VMI_ARCH_X86_64, .req_major = 1, .req_minor = 3 };
	vmi_annotations ann;
	size_t sites_len = (size_t)(__stop_vmi_sites - __start_vmi_sites);
	vmi_status st = vmi_annotations_init(&ann, &guest, __start_vmi_sites, (uintptr_t)__start_vmi_sites,
					     sites_len);

	vmi_rom rom;
	const vmi_rom *romp = NULL;
	printf("\n== %s: ", title);
	if (with_rom) {
		size_t n = make_rom(major, minor, features);
		if (st == VMI_OK)
			st = vmi_rom_validate(rom_buf, n, NULL, &rom);
		romp = &rom;
		printf("ROM %u.%u, features 0x%02x\n", major, minor, features);
	} else {
		printf("no ROM (bare hardware)\n");
	}
	vmi_offer offer;
	if (st == VMI_OK)
		st = vmi_negotiate(&guest, romp, NULL, &offer);

	/* Target addresses are the function's real ones; its bytes are the copy. */
	const vmi_region regions[2] = {
		{ .host = text, .addr = (uintptr_t)__start_vmi_demo_text, .len = text_len,
		  .flags = VMI_REGION_F_EXEC },
		{ .host = (uint8_t *)(uintptr_t)__start_vmi_native, .addr = (uintptr_t)__start_vmi_native,
		  .len = (size_t)(__stop_vmi_native - __start_vmi_native) },
	};
	const vmi_region *r0 = regions[0].addr < regions[1].addr ? &regions[0] : &regions[1];
	const vmi_region sorted[2] = { *r0, r0 == &regions[0] ? regions[1] : regions[0] };
	VMI_OPTS(vmi_patch_opts, opts, .regions = sorted, .nregions = 2, .rom_addr = (uintptr_t)rom_buf);
	size_t ws_len = 0;
	if (st == VMI_OK)
		st = vmi_plan_workspace_size(&ann, &ws_len);
	void *ws = malloc(ws_len ? ws_len : 1);
	vmi_plan plan;
	if (st == VMI_OK)
		st = vmi_plan_build(&plan, &ann, &offer, &opts, ws, ws_len);
	if (st == VMI_OK)
		st = vmi_plan_apply(&plan);
	if (st != VMI_OK) {
		fprintf(stderr, "inmem_demo: %s: %s\n", title, vmi_strerror(st));
		free(ws);
		free(text);
		return 1;
	}

	printf("  %-18s %-7s %-18s %s\n", "call", "form", "reason", "bytes before -> after");
	for (uint32_t i = 0; i < plan.count; i++) {
		const vmi_decision *d = &plan.decisions[i];
		const vmi_call_info *ci = vmi_call_lookup(d->call_id);
		const uint8_t *after = text + (d->addr - (uintptr_t)__start_vmi_demo_text);
		printf("  %-18s %-7s %-18s ", ci ? ci->name : "?", vmi_form_name(d->form),
		       vmi_reason_name(d->reason));
		hex(plan.pool + d->orig_off, d->len);
		printf(" -> ");
		hex(after, d->len);
		printf("\n");
	}
	vmi_summary sum;
	vmi_plan_summarize(&plan, &sum);
	printf("  %u sites: %u ident, %u inline, %u call, %u nop; %u changed\n", sum.sites,
	       sum.forms[VMI_FORM_IDENT], sum.forms[VMI_FORM_INLINE], sum.forms[VMI_FORM_CALL],
	       sum.forms[VMI_FORM_NOP], sum.changed);
	/* Unpatch must give back the function's bytes exactly. */
	vmi_plan_unpatch(&plan);
	int bad = memcmp(text, __start_vmi_demo_text, text_len) != 0;
	if (bad)
		fprintf(stderr, "inmem_demo: %s: unpatch did not restore the text\n", title);
	free(ws);
	free(text);
	return bad;
}

int main(void)
{
	const uint32_t all = VMI_FEAT_DEFERRED | VMI_FEAT_LOCKS;
	int bad = 0;
	printf("inmem_demo: patching a copy of vmi_demo_sample() (%zu bytes at %p)\n",
	       (size_t)(__stop_vmi_demo_text - __start_vmi_demo_text), (const void *)__start_vmi_demo_text);
	bad |= scenario("no ROM", 0, 0, 0, 0);
	bad |= scenario("old minor", 1, 1, 0, all);
	bad |= scenario("new minor", 1, 1, 3, all);
	bad |= scenario("wrong major", 1, 2, 3, all);
	bad |= scenario("feature missing", 1, 1, 3, 0);
	return bad;
}
