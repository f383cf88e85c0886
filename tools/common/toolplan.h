/* SPDX-License-Identifier: MIT */
/*
 * tools/common/toolplan.h - negotiate and plan an image exactly as the boot
 * path does (vmi_negotiate, vmi_plan_build), with the offline choices:
 * regions are the image's PT_LOAD segments in the file buffer, CALL sites
 * go through the image's vmi_slots (VMI_PATCH_F_INDIRECT), and the slots
 * themselves stay zero in the file (they are filled at boot). A site too
 * short for a slot call stays IDENT (reason does-not-fit): a direct call
 * needs the ROM's run-time address, which an offline tool cannot know.
 */
#ifndef VMI_TOOL_TOOLPLAN_H
#define VMI_TOOL_TOOLPLAN_H

#include "guestinfo.h"
#include "image.h"
#include "vmi/patcher.h"

typedef struct vmi_toolplan {
	vmi_offer offer;          /* negotiation result */
	vmi_region *regions;      /* one per PT_LOAD (owned) */
	uint32_t nregions;
	vmi_patch_opts opts;      /* what the plan was built with */
	vmi_plan plan;            /* decisions, in address order */
	void *ws;                 /* plan workspace (owned) */
} vmi_toolplan;

/**
 * vmi_toolplan_build - negotiate (@rom may be NULL: plan the native form)
 * and plan every site. Writes nothing.
 * Then vmi_sitecheck: the site table must describe the image's code.
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT with @d naming the first bad
 * site (index, address, call) and the planner's or the check's reason.
 */
int vmi_toolplan_build(vmi_toolplan *tp, const vmi_image *img, const vmi_guestinfo *gi,
		       const vmi_rom *rom, const vmi_policy *pol, vmi_diag *d);

void vmi_toolplan_free(vmi_toolplan *tp);

/** vmi_call_name_of - catalog name of @id, or "call#<id>" for ids the catalog lacks. */
const char *vmi_call_name_of(uint32_t id, char *buf, size_t len);

#endif /* VMI_TOOL_TOOLPLAN_H */
