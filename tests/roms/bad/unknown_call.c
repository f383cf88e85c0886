/* SPDX-License-Identifier: MIT */
/* Bad spec: a call id the catalog does not know, without the
 * "newer interface" flag. (A misspelt call NAME does not even compile: see
 * misspelt_call.c.)
 * expect: unknown call id 99 */
#include "vmi/rom_sdk.h"

static void bad_fn(void) {}

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL_RAW(99, bad_fn, VMI_ROM_CLOBBER_C, 0);
