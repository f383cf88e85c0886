/* SPDX-License-Identifier: MIT */
/* Bad spec: a call "implemented" by a data object.
 * expect: declaration of Halt points at data in .rodata, not at code
 */
#include "vmi/rom_sdk.h"

static const uint32_t bad_not_code[4] = { 1, 2, 3, 4 };

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL_ASM(Halt, bad_not_code, 0);
