/* SPDX-License-Identifier: MIT */
/*
 * patcher/slots.c - fill the slot table of a pre-patched image.
 *
 * An image patched offline calls through vmi_slots; at boot only the ROM's
 * address is new, so writing each offered entry address is all it needs.
 */
#include "internal.h"
#include "vmi/internal/util.h"

vmi_status vmi_slots_fill(const vmi_offer *offer, uint64_t rom_addr, uint8_t *slots, size_t len)
{
	if (!offer || !slots)
		return VMI_E_INVALID_ARG;
	if (len < (size_t)VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE)
		return VMI_E_NO_SPACE;
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++) {
		vmi_rom_call rc;
		uint64_t v = 0;
		/* An entry the guest may not use (major, arch, policy-all) gets 0:
		 * a stale address from an earlier ROM would be worse than a crash. */
		if (offer->rom && offer->global_reason == VMI_REASON_OK && offer->call_slot[id] &&
		    vmi_rom_call_at(offer->rom, offer->call_slot[id] - 1u, &rc) == VMI_OK && rc.entry_off)
			v = rom_addr + rc.entry_off;
		vmi_put_le64(slots + (size_t)VMI_SLOT_SIZE * id, v);
	}
	return VMI_OK;
}
