/* SPDX-License-Identifier: MIT */
/* rom_call.c - reading the call table of a ROM that vmi_rom_validate accepted. */
#include "rom_internal.h"

vmi_status vmi_rom_call_at(const vmi_rom *rom, uint32_t i, vmi_rom_call *out)
{
	if (!rom || !rom->image || !out || i >= rom->call_count)
		return VMI_E_INVALID_ARG;
	vmi_rom_decode_call(rom->image + rom->call_table_off + (size_t)i * rom->call_entry_size, out);
	return VMI_OK;
}

vmi_status vmi_rom_find_call(const vmi_rom *rom, uint32_t call_id, vmi_rom_call *out)
{
	if (!rom || !rom->image || !out)
		return VMI_E_INVALID_ARG;
	for (uint32_t i = 0; i < rom->call_count; i++) {
		const uint8_t *e = rom->image + rom->call_table_off + (size_t)i * rom->call_entry_size;
		if (vmi_le16(e + VMI_RC_CALL_ID) == call_id) {
			vmi_rom_decode_call(e, out);
			return VMI_OK;
		}
	}
	return VMI_E_ROM_NOT_FOUND;
}
