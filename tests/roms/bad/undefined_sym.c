/* SPDX-License-Identifier: MIT */
/* Bad spec: the implementation is not in the object.
 * expect: undefined symbol 'bad_elsewhere' */
#include "vmi/rom_sdk.h"

extern void bad_elsewhere(unsigned long v);

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL(SetCR0, bad_elsewhere);
