/* SPDX-License-Identifier: MIT */
/* Bad spec: an inline stub longer than any site (VMI_SITE_MAX_LEN = 32).
 * expect: inline stub for Halt is 40 bytes, longer than the 32 a site may have */
#include "vmi/rom_sdk.h"

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_INLINE(Halt, 0, ".fill 40, 1, 0x90");
