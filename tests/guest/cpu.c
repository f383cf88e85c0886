/* SPDX-License-Identifier: MIT */
/* CPU control sites: control registers, CLTS, WBINVD, SMSW, MSRs. */
#include "sample.h"

#define VMI_SAMPLE_CPU_FN(n)                                                                       \
	VMI_SAMPLE_FN void vmi_sample_cr_##n(void);                                                \
	VMI_SAMPLE_FN void vmi_sample_cr_##n(void)                                                 \
	{                                                                                          \
		vmi_write_cr0(vmi_read_cr0() | n);                                                 \
		vmi_write_cr2(vmi_read_cr2());                                                     \
		vmi_write_cr3(vmi_read_cr3() + n);                                                 \
		vmi_write_cr4(vmi_read_cr4());                                                     \
		vmi_clts();                                                                        \
		vmi_wbinvd();                                                                      \
		vmi_sample_sink = vmi_smsw();                                                      \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_msr_##n(void);                                               \
	VMI_SAMPLE_FN void vmi_sample_msr_##n(void)                                                \
	{                                                                                          \
		vmi_wrmsr(0xc0000080u + n, vmi_rdmsr(0x1b) | 1);                                   \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_CPU_FN)

/*
 * Sites longer than the macros' default (8 bytes): long enough for the
 * 6-byte slot call on i386 too, whose default 5-byte sites only fit a
 * direct call (which an offline patcher cannot encode).
 */
#define VMI_SAMPLE_LONG_SITE_(id, native)                                                          \
	__asm__ volatile(VMI_SITE_ASM(native)                                                      \
			 : VMI_OUTS_                                                               \
			 : VMI_SITE_IMM(id, 0, 0, VMI_GUEST_CLOBBERS, 8)                           \
			 : VMI_CLOB_)
#define VMI_SAMPLE_LONG_FN(n)                                                                      \
	VMI_SAMPLE_FN unsigned long vmi_sample_long_##n(void);                                     \
	VMI_SAMPLE_FN unsigned long vmi_sample_long_##n(void)                                      \
	{                                                                                          \
		VMI_REGS_(0, 0, 0x1b + n, 0, 0);                                                   \
		VMI_SAMPLE_LONG_SITE_(VMI_CALL_GetCR3, VMI_NAT_("movl %%cr3,%%eax", "movq %%cr3,%%rax")); \
		VMI_SAMPLE_LONG_SITE_(VMI_CALL_RDMSR, "rdmsr");                                    \
		return vmi_a_;                                                                     \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_LONG_FN)
