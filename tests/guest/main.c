/* SPDX-License-Identifier: MIT */
/*
 * The note and slot table of the sample guest, its entry point, and the
 * deliberate lint findings: vmi_sample_unannotated holds a raw sgdt (a
 * non-trapping sensitive instruction) and a raw pushf that no annotation
 * covers, so vmilint has exactly these two findings to report. Built with
 * -DVMI_SAMPLE_CLEAN they are left out: an input on which vmilint finds
 * nothing.
 */
#include "sample.h"

VMI_GUEST_NOTE(1, 3);

volatile unsigned long vmi_sample_sink;

VMI_SAMPLE_FN void vmi_sample_unannotated(void);
VMI_SAMPLE_FN void vmi_sample_unannotated(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		unsigned long base;
	} gdtr;
	unsigned long flags;

#if defined(VMI_SAMPLE_CLEAN)
	/* The clean variant: the same image without the two findings. */
	gdtr.base = 0;
	flags = vmi_sample_sink;
#else
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
#if defined(__x86_64__)
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
#else
	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
#endif
#endif
	vmi_sample_sink = gdtr.base + flags;
}

void _start(void);
__attribute__((noreturn)) void _start(void)
{
	for (;;)
		vmi_sample_unannotated();
}
