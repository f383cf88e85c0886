/* SPDX-License-Identifier: MIT */
/* Time, deferred mode, APIC and the optional extensions (locks, TLB
 * shootdown): the calls gated by minors and feature bits. */
#include "sample.h"

#define VMI_SAMPLE_MISC_FN(n)                                                                      \
	VMI_SAMPLE_FN void vmi_sample_time_##n(void);                                              \
	VMI_SAMPLE_FN void vmi_sample_time_##n(void)                                               \
	{                                                                                          \
		vmi_sample_sink = (unsigned long)(vmi_rdtsc() + vmi_get_wallclock() + n);          \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_defer_##n(void);                                             \
	VMI_SAMPLE_FN void vmi_sample_defer_##n(void)                                              \
	{                                                                                          \
		vmi_set_deferred_mode(1);                                                          \
		vmi_sample_sink = n;                                                               \
		vmi_flush_deferred();                                                              \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_apic_##n(volatile uint32_t *apic);                           \
	VMI_SAMPLE_FN void vmi_sample_apic_##n(volatile uint32_t *apic)                            \
	{                                                                                          \
		vmi_apic_write(apic + 0x2c, vmi_apic_read(apic + 0x8) + n);                        \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_lock_##n(volatile void *lock);                               \
	VMI_SAMPLE_FN void vmi_sample_lock_##n(volatile void *lock)                                \
	{                                                                                          \
		vmi_spin_wait(lock);                                                               \
		vmi_spin_kick(lock);                                                               \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_shootdown_##n(unsigned long mask);                           \
	VMI_SAMPLE_FN void vmi_sample_shootdown_##n(unsigned long mask)                            \
	{                                                                                          \
		vmi_flush_tlb_others(mask, 0x400000ul * n);                                        \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_MISC_FN)
