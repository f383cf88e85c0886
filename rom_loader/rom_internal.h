/* SPDX-License-Identifier: MIT */
/*
 * rom_internal.h - wire offsets of the ROM header and call entries
 * (vmi/rom.h) shared by the rom_loader files. Fields are read at these
 * offsets with vmi_le16/vmi_le32, never through the packed structs, so a
 * ROM at any alignment is read the same way on every host.
 */
#ifndef VMI_ROM_INTERNAL_H
#define VMI_ROM_INTERNAL_H

#include <stddef.h>

#include "vmi/rom.h"
#include "vmi/internal/util.h"
#include "vmi/internal/rom_wire.h"

#define VMI_RH_BLOCKS 0x02
#define VMI_RH_INIT16 0x03
#define VMI_RH_MAGIC 0x08
#define VMI_RH_MAJOR 0x0C
#define VMI_RH_MINOR 0x0D
#define VMI_RH_HEADER_SIZE 0x0E
#define VMI_RH_FEATURES 0x10
#define VMI_RH_ARCH 0x14
#define VMI_RH_RESERVED0 0x15
#define VMI_RH_CALL_ENTRY_SIZE 0x16
#define VMI_RH_PCI_DATA 0x18
#define VMI_RH_PNP_HEADER 0x1A
#define VMI_RH_CALL_COUNT 0x1C
#define VMI_RH_RESERVED1 0x1E
#define VMI_RH_CALL_TABLE_OFF 0x20
#define VMI_RH_INIT_OFF 0x24
#define VMI_RH_DATA_SIZE 0x28
#define VMI_RH_VENDOR 0x2C
#define VMI_RH_RESERVED2 0x3C


_Static_assert(VMI_RH_VENDOR == offsetof(struct vmi_rom_header, vendor), "ROM header layout");
_Static_assert(VMI_RH_CALL_TABLE_OFF == offsetof(struct vmi_rom_header, call_table_off), "ROM header layout");

#endif /* VMI_ROM_INTERNAL_H */
