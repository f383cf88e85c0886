/* SPDX-License-Identifier: MIT */
/* The note, the slot table, and where the annotation sections are. */
#include "wl.h"

VMI_GUEST_NOTE(1, 2);

void vmi_wl_get_sections(struct vmi_wl_sections *out)
{
	out->sites = __start_vmi_sites;
	out->sites_end = __stop_vmi_sites;
	out->native = __start_vmi_native;
	out->native_end = __stop_vmi_native;
	out->slots = __start_vmi_slots;
	out->slots_end = __stop_vmi_slots;
}
