/* SPDX-License-Identifier: MIT */
/*
 * patcher/boot.c - the one call a booting guest (or patcher.bin's loader)
 * makes: note -> sites -> ROM -> offer -> plan -> apply.
 *
 * Running inside the guest, host and target addresses are the same, so
 * every address below is the pointer itself.
 */
#include "vmi/blob.h"
#include "internal.h"
#include "vmi/internal/util.h"

#define VMI_ARG(a, f) VMI_OPTS_GET(a, vmi_boot_args, f, 0)

int vmi_stamp_matches(const vmi_guest *g, const vmi_offer *offer, const vmi_policy *policy)
{
	if (!g || !offer)
		return 0;
	const vmi_rom *rom = offer->rom;
	return g->stamp_state == VMI_STAMP_PATCHED && rom && offer->global_reason == VMI_REASON_OK &&
	       g->stamp_rom_crc == rom->crc && g->stamp_policy == vmi_policy_hash(policy) &&
	       g->stamp_major == rom->major && g->stamp_minor == offer->minor &&
	       g->stamp_features == offer->features;
}

/* Text (sites) and native copies as regions, sorted; native copies that
 * lie inside the text need no region of their own. */
static vmi_status vmi_boot_regions(vmi_boot_state *st, uint8_t *text, size_t text_len,
				   const void *native, size_t native_len, uint32_t *n)
{
	vmi_region t = { .host = text, .addr = (uintptr_t)text, .len = text_len, .flags = VMI_REGION_F_EXEC };
	vmi_region nv = { .host = (uint8_t *)(uintptr_t)native, .addr = (uintptr_t)native, .len = native_len };
	uint64_t t_end = t.addr + t.len, n_end = nv.addr + nv.len;

	vmi_memcpy(&st->regions[0], &t, sizeof(t));
	*n = 1;
	if (!native || !native_len || (nv.addr >= t.addr && n_end <= t_end))
		return VMI_OK;
	if (nv.addr < t_end && t.addr < n_end)
		return VMI_E_INVALID_ARG; /* partial overlap: no sane image has it */
	if (nv.addr < t.addr) {
		vmi_memcpy(&st->regions[1], &st->regions[0], sizeof(t));
		vmi_memcpy(&st->regions[0], &nv, sizeof(nv));
	} else {
		vmi_memcpy(&st->regions[1], &nv, sizeof(nv));
	}
	*n = 2;
	return VMI_OK;
}

vmi_status vmi_boot_patch(const vmi_boot_args *args, vmi_boot_state *st)
{
	if (!args || !st)
		return VMI_E_INVALID_ARG;
	if (!VMI_OPTS_VALID(args, vmi_boot_args))
		return VMI_E_OPTS_UNKNOWN;
	vmi_memset(st, 0, sizeof(*st));

	const void *note = (const void *)VMI_ARG(args, note);
	const void *sites = (const void *)VMI_ARG(args, sites);
	const void *native = (const void *)VMI_ARG(args, native);
	const void *rom = (const void *)VMI_ARG(args, rom);
	const vmi_policy *policy = (const vmi_policy *)VMI_ARG(args, policy);
	uint8_t *text = (uint8_t *)VMI_ARG(args, text);
	uint8_t *slots = (uint8_t *)VMI_ARG(args, slots);
	size_t slots_len = VMI_ARG(args, slots_len);
	uint32_t flags = VMI_ARG(args, flags);
	if (!note || !text)
		return VMI_E_INVALID_ARG;

	VMI_CHECK(vmi_note_parse(note, VMI_ARG(args, note_len), &st->guest));
	VMI_CHECK(vmi_annotations_init(&st->ann, &st->guest, sites, (uintptr_t)sites,
				       VMI_ARG(args, sites_len)));

	const vmi_rom *romp = NULL;
	if (rom) {
		VMI_OPTS(vmi_rom_opts, ropts, .arch = st->guest.arch);
		st->rom_status = vmi_rom_validate(rom, VMI_ARG(args, rom_len), &ropts, &st->rom);
		if (st->rom_status == VMI_OK)
			romp = &st->rom;
	}
	VMI_CHECK(vmi_negotiate(&st->guest, romp, policy, &st->offer));

	if (vmi_stamp_matches(&st->guest, &st->offer, policy)) {
		if (slots)
			VMI_CHECK(vmi_slots_fill(&st->offer, (uintptr_t)rom, slots, slots_len));
		st->prepatched = 1;
		return VMI_OK;
	}

	uint32_t nregions;
	VMI_CHECK(vmi_boot_regions(st, text, VMI_ARG(args, text_len), native, VMI_ARG(args, native_len),
				   &nregions));
	bool have_slots = slots && slots_len >= (size_t)VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE;
	/* Direct calls: the ROM's address is known now. Slots serve only as the
	 * fallback for an x86-64 ROM copy beyond +-2 GiB of the text. */
	VMI_OPTS(vmi_patch_opts, popts, .regions = st->regions, .nregions = nregions,
		 .rom_addr = (uintptr_t)rom, .slots_addr = have_slots ? (uintptr_t)slots : 0,
		 .slots = have_slots ? slots : NULL);
	VMI_CHECK(vmi_plan_build(&st->plan, &st->ann, &st->offer, &popts, VMI_ARG(args, workspace),
				 VMI_ARG(args, workspace_len)));
	if (!(flags & VMI_BOOT_F_DRY_RUN))
		VMI_CHECK(vmi_plan_apply(&st->plan));
	return vmi_plan_summarize(&st->plan, &st->summary);
}
