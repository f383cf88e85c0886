/* SPDX-License-Identifier: MIT */
/*
 * vmi/internal/rom_wire.h - wire offsets of a ROM call-table entry
 * (vmi/rom.h) and its decoder, shared by the rom_loader (which validates
 * the table) and the patcher (which reads validated entries on its hot
 * path without a function call). Not installed.
 */
#ifndef VMI_INTERNAL_ROM_WIRE_H
#define VMI_INTERNAL_ROM_WIRE_H

#include <stddef.h>

#include "vmi/rom.h"
#include "vmi/internal/util.h"

#define VMI_RC_CALL_ID 0
#define VMI_RC_FORM 2
#define VMI_RC_STUB_LEN 3
#define VMI_RC_STUB_OFF 4
#define VMI_RC_ENTRY_OFF 8
#define VMI_RC_STUB_CLOBBERS 12
#define VMI_RC_CALL_CLOBBERS 14

_Static_assert(VMI_RC_CALL_CLOBBERS == offsetof(struct vmi_rom_call_entry, call_clobbers), "ROM call layout");

/* Decode one call entry from its wire bytes (bounds already checked). */
static inline void vmi_rom_decode_call(const uint8_t *e, vmi_rom_call *out)
{
	out->call_id = vmi_le16(e + VMI_RC_CALL_ID);
	out->form = e[VMI_RC_FORM];
	out->stub_len = e[VMI_RC_STUB_LEN];
	out->stub_off = vmi_le32(e + VMI_RC_STUB_OFF);
	out->entry_off = vmi_le32(e + VMI_RC_ENTRY_OFF);
	out->stub_clobbers = vmi_le16(e + VMI_RC_STUB_CLOBBERS);
	out->call_clobbers = vmi_le16(e + VMI_RC_CALL_CLOBBERS);
}

/* Entry @i of a ROM vmi_rom_validate accepted (@i < call_count). */
static inline void vmi_rom_call_at_fast(const vmi_rom *rom, uint32_t i, vmi_rom_call *out)
{
	vmi_rom_decode_call(rom->image + rom->call_table_off + (size_t)i * rom->call_entry_size, out);
}

#endif /* VMI_INTERNAL_ROM_WIRE_H */
