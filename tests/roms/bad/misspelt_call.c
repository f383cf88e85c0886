/* SPDX-License-Identifier: MIT */
/* Bad spec: a misspelt call name must not compile (the test expects the
 * compiler to name VMI_CALL_SetCR5).
 * expect-compile-error: SetCR5 */
#include "vmi/rom_sdk.h"

static void bad_fn(unsigned long v) { (void)v; }

VMI_ROM_DECLARE("bad", 1, 3, 0);
VMI_ROM_CALL(SetCR5, bad_fn);
