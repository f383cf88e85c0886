/* SPDX-License-Identifier: MIT */
#include "toolplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linuxpv.h"
#include "segmap.h"
#include "sitecheck.h"

const char *vmi_call_name_of(uint32_t id, char *buf, size_t len)
{
	const vmi_call_info *ci = vmi_call_lookup(id);
	if (ci)
		return ci->name;
	snprintf(buf, len, "call#%u", (unsigned)id);
	return buf;
}

static const char *vmi_plan_error_text(vmi_status st)
{
	switch (st) {
	case VMI_E_SITE_BOUNDS: return "site lies outside every loadable executable segment";
	case VMI_E_NATIVE_BOUNDS: return "native copy lies outside every loadable segment";
	case VMI_E_SITE_OVERLAP: return "site overlaps another site";
	default: return vmi_strerror(st);
	}
}

/*
 * Offline there is no ROM address: a direct `call rel32` (which the planner
 * picks when a site is too short for the 6-byte slot call, e.g. the 5-byte
 * i386 sites, or when the image has no slot table) would jump to rom_addr
 * 0 + entry offset. Such sites stay native: "does-not-fit" when the slot
 * call is too long for the site, "out-of-range" when there are no slots.
 */
static void vmi_toolplan_offline_only(vmi_toolplan *tp)
{
	for (uint32_t i = 0; i < tp->plan.count; i++) {
		vmi_decision *d = &tp->plan.decisions[i];
		if (d->form == VMI_FORM_CALL && d->encoding == VMI_ENC_CALL_REL32) {
			d->form = VMI_FORM_IDENT;
			d->reason = tp->opts.slots_addr ? VMI_REASON_DOES_NOT_FIT : VMI_REASON_OUT_OF_RANGE;
			d->encoding = VMI_ENC_NONE;
		}
	}
}

int vmi_toolplan_build(vmi_toolplan *tp, const vmi_image *img, const vmi_guestinfo *gi,
		       const vmi_rom *rom, const vmi_policy *pol, vmi_diag *d)
{
	vmi_status st;

	memset(tp, 0, sizeof(*tp));
	st = vmi_negotiate(&gi->guest, rom, pol, &tp->offer);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "negotiation failed: %s", vmi_strerror(st));
	tp->opts.size = sizeof(tp->opts);
	if (gi->linux) {
		/* As the booting kernel plans: its text and native copies, direct
		 * calls to the ROM copy in its module area, no slots. */
		tp->opts.regions = gi->linux->regions;
		tp->opts.nregions = 2;
		tp->opts.rom_addr = gi->linux->rom_addr;
	} else {
		tp->regions = vmi_segmap_regions(img, &tp->nregions);
		if (!tp->regions)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "too many loadable segments (%zu)",
					    img->nloads);
		if (!tp->nregions)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no loadable segments");
		tp->opts.flags = VMI_PATCH_F_INDIRECT;
		tp->opts.regions = tp->regions;
		tp->opts.nregions = tp->nregions;
		tp->opts.slots_addr = gi->slots ? gi->slots->addr : 0;
		tp->opts.slots = NULL; /* offline: slots stay zero in the file, the guest fills them */
	}

	size_t need = 0;
	st = vmi_plan_workspace_size(&gi->ann, &need);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", VMI_SITES_SECTION,
				    vmi_strerror(st));
	tp->ws = aligned_alloc(16, (need + 15) & ~(size_t)15);
	if (!tp->ws && need)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory for the plan (%zu bytes)", need);
	/* The planner fills the workspace front to back: ~5 ms of the 64 MiB
	 * benchmark image's 100,000 sites went to one page fault at a time. */
	vmi_prefault(tp->ws, need);
	st = vmi_plan_build(&tp->plan, &gi->ann, &tp->offer, &tp->opts, tp->ws, need);
	if (st != VMI_OK) {
		vmi_site s;
		char nb[24];
		if (vmi_annotations_get(&gi->ann, tp->plan.error_index, &s) != VMI_OK)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "planning failed: %s", vmi_strerror(st));
		if (st == VMI_E_SITE_OVERLAP)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "site %u at 0x%llx (%s) overlaps site %u", (unsigned)s.index,
					    (unsigned long long)s.addr, vmi_call_name_of(s.call_id, nb, sizeof(nb)),
					    (unsigned)tp->plan.error_other);
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "site %u at 0x%llx (%s): %s",
				    (unsigned)s.index,
				    (unsigned long long)(st == VMI_E_NATIVE_BOUNDS ? s.native_addr : s.addr),
				    vmi_call_name_of(s.call_id, nb, sizeof(nb)), vmi_plan_error_text(st));
	}
	if (gi->linux)
		return VMI_EXIT_OK; /* the kernel's own records: linuxpv.c checked them */
	vmi_toolplan_offline_only(tp);
	return vmi_sitecheck(img, gi, d);
}

void vmi_toolplan_free(vmi_toolplan *tp)
{
	free(tp->regions);
	free(tp->ws);
	tp->regions = NULL;
	tp->ws = NULL;
}
