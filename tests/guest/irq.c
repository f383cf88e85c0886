/* SPDX-License-Identifier: MIT */
/* Interrupt control sites: cli/sti, halt, flags save/restore. */
#include "sample.h"

#define VMI_SAMPLE_IRQ_FN(n)                                                                       \
	VMI_SAMPLE_FN void vmi_sample_irq_##n(void);                                               \
	VMI_SAMPLE_FN void vmi_sample_irq_##n(void)                                                \
	{                                                                                          \
		unsigned long f = vmi_save_flags();                                                \
		vmi_cli();                                                                         \
		vmi_sample_sink = f + n;                                                           \
		vmi_sti();                                                                         \
		if (vmi_sample_sink & 1)                                                           \
			vmi_safe_halt();                                                           \
		else                                                                               \
			vmi_halt();                                                                \
		vmi_restore_flags(f);                                                              \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_IRQ_FN)
