/* SPDX-License-Identifier: MIT */
/* Control registers, debug registers, MSRs and the TSC. */
#include "wl.h"

/* guest.h has no debug-register wrapper: these sites are plain
 * (unannotated) instructions that always trap. */
static inline void vmi_wl_write_dr(int n, unsigned long v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0,%%dr0" : : "r"(v)); break;
	case 1: __asm__ volatile("mov %0,%%dr1" : : "r"(v)); break;
	case 2: __asm__ volatile("mov %0,%%dr2" : : "r"(v)); break;
	case 3: __asm__ volatile("mov %0,%%dr3" : : "r"(v)); break;
	default: __asm__ volatile("mov %0,%%dr7" : : "r"(v)); break;
	}
}
static inline unsigned long vmi_wl_read_dr(int n)
{
	unsigned long v;
	switch (n) {
	case 0: __asm__ volatile("mov %%dr0,%0" : "=r"(v)); break;
	case 1: __asm__ volatile("mov %%dr1,%0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%dr2,%0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%dr3,%0" : "=r"(v)); break;
	case 6: __asm__ volatile("mov %%dr6,%0" : "=r"(v)); break;
	default: __asm__ volatile("mov %%dr7,%0" : "=r"(v)); break;
	}
	return v;
}

VMI_WL_DECL(cr)
{
	unsigned long cr0 = vmi_read_cr0();
	vmi_wl_result(cr0);
	for (uint32_t i = 0; i < env->n; i++) {
		vmi_write_cr0(cr0 | 0x8); /* TS */
		vmi_wl_result(vmi_read_cr0());
		vmi_clts();
		vmi_wl_result(vmi_read_cr0());
		vmi_write_cr2(0xdead0000ul + i * 0x1000ul);
		vmi_write_cr4(vmi_read_cr4() ^ 0x80); /* toggle PGE */
	}
	vmi_wl_result(vmi_read_cr2());
	vmi_wl_result(vmi_read_cr4());
	vmi_write_cr3(env->pt_gpa);
	vmi_wl_result(vmi_read_cr3());
	vmi_wbinvd();
	for (int d = 0; d < 4; d++)
		vmi_wl_write_dr(d, 0x1000ul * (unsigned long)(d + 1));
	vmi_wl_write_dr(7, 0x455);
	for (int d = 0; d < 8; d++)
		if (d != 4 && d != 5)
			vmi_wl_result(vmi_wl_read_dr(d));
}

VMI_WL_DECL(msr)
{
	vmi_wl_result(vmi_rdmsr(0x1b)); /* APIC base */
	uint64_t efer = vmi_rdmsr(0xc0000080u);
	vmi_wrmsr(0xc0000080u, efer | (1u << 11)); /* NXE */
	vmi_wl_result(vmi_rdmsr(0xc0000080u));
	for (uint32_t i = 0; i < env->n; i++) {
		uint32_t m = VMI_WL_MSR_SCRATCH0 + i % VMI_WL_MSR_SCRATCH_COUNT;
		vmi_wrmsr(m, vmi_rdmsr(m) * 31 + i + 0x100000000ull);
	}
	for (uint32_t k = 0; k < VMI_WL_MSR_SCRATCH_COUNT; k++)
		vmi_wl_result(vmi_rdmsr(VMI_WL_MSR_SCRATCH0 + k));
	vmi_wrmsr(0x174, 0x10); /* SYSENTER_CS */
	vmi_wl_result(vmi_rdmsr(0x174));
}

/* The TSC runs; what every form must agree on is that it does not go back. */
VMI_WL_DECL(tsc)
{
	uint64_t prev = vmi_rdtsc();
	uint32_t backwards = 0;
	for (uint32_t i = 0; i < env->n; i++) {
		uint64_t t = vmi_rdtsc();
		backwards += t < prev;
		prev = t;
	}
	vmi_wl_result(backwards);
}
