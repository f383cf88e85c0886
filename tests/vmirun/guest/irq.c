/* SPDX-License-Identifier: MIT */
/* Interrupt-flag workloads. */
#include "wl.h"

/*
 * Disable/enable pairs and save/restore pairs that do not change the flag
 * between save and restore: correct under every form, including pure
 * trap-and-emulate (where pushf/popf never reach the hypervisor). Ends
 * with interrupts disabled, so a lost cli shows in the final state.
 */
VMI_WL_DECL(irq)
{
	for (uint32_t i = 0; i < env->n; i++) {
		vmi_cli();
		vmi_sti();
		unsigned long f = vmi_save_flags();
		vmi_restore_flags(f);
		vmi_cli();
		f = vmi_save_flags();
		vmi_restore_flags(f);
		vmi_sti();
		vmi_halt(); /* with interrupts on: the model wakes it at once */
		vmi_outl(1, VMI_WL_PORT_COUNTER);
	}
	vmi_safe_halt();
	vmi_cli();
}

/*
 * The virtualization hole: save the flags with interrupts disabled, enable
 * them, restore. The restore must disable interrupts again. Natively popf
 * in user mode ignores IF without trapping, so under trap-and-emulate the
 * hypervisor never sees it and the virtual IF stays 1 (wrong); patched
 * Get/SetInterruptMask sites make it 0.
 */
VMI_WL_DECL(irq_hole)
{
	(void)env;
	vmi_sti();
	vmi_cli();
	unsigned long f = vmi_save_flags();
	vmi_sti();
	vmi_restore_flags(f);
}
