/* SPDX-License-Identifier: MIT */
/*
 * roms/native.c - the identity ROM: every call of the catalog listed as
 * IDENT. Patching a guest against it must leave every site native; it is
 * the control case for the other ROMs.
 */
#include "rom_common.h"

VMI_ROM_DECLARE("native", VMI_SAMPLE_MAJOR, VMI_SAMPLE_MINOR, 0);
VMI_ROM_INIT(vmi_rom_init);

/* One explicit IDENT entry per catalog row, generated from the catalog itself. */
#define NATIVE_IDENT_(id, name, cat, minor, feat, nargs, ret, native) VMI_ROM_IDENT(name);
VMI_CALLS(NATIVE_IDENT_)
