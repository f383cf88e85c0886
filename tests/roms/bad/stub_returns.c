/* SPDX-License-Identifier: MIT */
/* Bad spec: an inline stub that leaves the site (it returns into the
 * caller's caller). mkrom refuses it as every tool reading the ROM would.
 * expect: the built ROM cannot be inlined: inline stub of DisableInterrupts (2 bytes at */
#include "vmi/rom_sdk.h"

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_INLINE(DisableInterrupts, 0, "cli; ret");
