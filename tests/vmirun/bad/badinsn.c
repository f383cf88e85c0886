/* SPDX-License-Identifier: MIT */
/* A guest whose workloads do what the model cannot emulate: `ltr` (a
 * privileged instruction the emulator does not know) and wrmsr to an MSR
 * the vCPU does not have. vmirun must report address and bytes and exit
 * non-zero, never loop or skip. The one annotated site gives it a note. */
#include "wl.h"

VMI_WL_DECL(irq)
{
	(void)env;
	vmi_cli();
	__asm__ volatile("ltr %%ax" : : "a"(0x28));
}

VMI_WL_DECL(msr)
{
	(void)env;
	vmi_wrmsr(0x12345678u, 1);
}
