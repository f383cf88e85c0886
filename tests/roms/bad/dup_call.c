/* SPDX-License-Identifier: MIT */
/* Bad spec: the same call implemented twice.
 * expect: call SetCR3 is declared twice */
#include "vmi/rom_sdk.h"

static void bad_set_cr3_a(unsigned long v) { (void)v; }
static void bad_set_cr3_b(unsigned long v) { (void)v; }

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL(SetCR3, bad_set_cr3_a);
VMI_ROM_CALL(SetCR3, bad_set_cr3_b);
