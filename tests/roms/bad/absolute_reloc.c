/* SPDX-License-Identifier: MIT */
/* Bad spec: a pointer table in writable data needs the ROM's absolute
 * address, which nobody knows when the ROM is built.
 * expect: absolute relocation R_@ABS@ against '.text' in .data.rel
 */
#include "vmi/rom_sdk.h"

static void bad_a(void) {}
static void bad_b(void) {}
static void (*bad_table[2])(void) = { bad_a, bad_b };

static void bad_call(unsigned long i)
{
	bad_table[i & 1]();
}

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL(Halt, bad_call);
