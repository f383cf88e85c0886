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
