/* SPDX-License-Identifier: MIT */
/*
 * A ROM whose DisableInterrupts makes a hypercall no hypervisor defines
 * (nr 99). vmirun must end the run with one line naming the hypercall and
 * the ROM address, exit 6, and not guess.
 */
#include "rom_common.h"

VMI_ROM_DECLARE("bad-hc", VMI_SAMPLE_MAJOR, VMI_SAMPLE_MINOR, 0);
VMI_ROM_INIT(vmi_rom_init);

static void bad_cli(void)
{
	vmi_rom_hc(99, 0x1234, 0);
}
VMI_ROM_CALL(DisableInterrupts, bad_cli);
