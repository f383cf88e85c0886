/* SPDX-License-Identifier: MIT */
/*
 * wl.h - shared by the vmirun guest workloads: the exported entry points and
 * small helpers. Every workload reports what it observed (values read back
 * from registers, MSRs, ports, translations) to the result port, so a form
 * that returned a wrong value changes the device state vmirun compares.
 */
#ifndef VMI_WL_H
#define VMI_WL_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/guest.h"
#include "guest_abi.h"

#define VMI_WL_EXPORT __attribute__((visibility("default")))

/* Report an observed value (64 bits as two port writes). */
static inline void vmi_wl_result(uint64_t v)
{
	vmi_outl((uint32_t)v, VMI_WL_PORT_RESULT);
	vmi_outl((uint32_t)(v >> 32), VMI_WL_PORT_RESULT);
}

/* Translate a virtual page through the hypervisor's TLB (probe device). */
static inline uint32_t vmi_wl_probe(uint64_t va)
{
	vmi_outl((uint32_t)(va >> 12), VMI_WL_PORT_PROBE);
	return vmi_inl(VMI_WL_PORT_PROBE);
}

/* Page-table entry stores: long mode on x86-64; PAE on i386 (the same
 * 64-bit entries, stored as two halves natively). guest.h has no
 * UpdatePxE wrapper: the same site shape as vmi_set_pxe_pae, by hand. */
#if defined(__x86_64__)
#define vmi_wl_set_pxe vmi_set_pxe_long
#define vmi_wl_update_pxe vmi_update_pxe_long
#else
#define vmi_wl_set_pxe vmi_set_pxe_pae
static inline __attribute__((always_inline)) void vmi_wl_update_pxe(uint64_t *ptep, uint64_t pte)
{
	VMI_REGS_((uint32_t)pte, (uint32_t)(pte >> 32), ptep, 0, 0);
	VMI_SITE_(VMI_CALL_UpdatePxE, 1, "movl %%edx,4(%%ecx); movl %%eax,(%%ecx)");
}
#endif

/* Page-table layout the MMU workloads build inside env->pt:
 * page 0 PML4, page 1 PDPT, page 2 PD, pages 3.. leaf tables
 * (i386 PAE: page 0 unused, CR3 points at the PDPT in page 1). */
#define VMI_WL_VA_BASE 0x0000000040000000ull /* PML4[0] -> PDPT[1] -> PD[0..] */
#define VMI_WL_DATA_GPA 0x80000000ull        /* frames the leaf entries point at */

/* GetCycleFrequency has no guest.h wrapper: the same site shape, by hand.
 * Natively the result is 0 ("unknown"); a ROM may report its frequency. */
static inline uint64_t vmi_wl_cycle_freq(void)
{
	VMI_REGS_(0, 0, 0, 0, 0);
	VMI_SITE_(VMI_CALL_GetCycleFrequency, 0, "xorl %%eax,%%eax");
	return vmi_a_;
}

void vmi_wl_pt_build(const struct vmi_wl_env *env, unsigned leaf_tables);
uint64_t vmi_wl_va(unsigned page);
uint64_t *vmi_wl_leaf(const struct vmi_wl_env *env, unsigned page);

#define VMI_WL_DECL(name) VMI_WL_EXPORT void vmi_wl_##name(const struct vmi_wl_env *env)
#define VMI_BN_DECL(name) VMI_WL_EXPORT void vmi_bn_##name(const struct vmi_wl_env *env, unsigned long n)

VMI_WL_EXPORT void vmi_wl_get_sections(struct vmi_wl_sections *out);
VMI_WL_DECL(irq);
VMI_WL_DECL(irq_hole);
VMI_WL_DECL(cr);
VMI_WL_DECL(msr);
VMI_WL_DECL(io);
VMI_WL_DECL(pt);
VMI_WL_DECL(pt_deferred);
VMI_WL_DECL(tlb);
VMI_WL_DECL(tsc);
VMI_WL_DECL(emul);

VMI_BN_DECL(cli);
VMI_BN_DECL(sti);
VMI_BN_DECL(save_flags);
VMI_BN_DECL(restore_flags);
VMI_BN_DECL(read_cr0);
VMI_BN_DECL(write_cr4);
VMI_BN_DECL(rdmsr);
VMI_BN_DECL(inb);
VMI_BN_DECL(outb);
VMI_BN_DECL(set_pxe);
VMI_BN_DECL(set_pxe_deferred);
VMI_BN_DECL(invlpg);
VMI_BN_DECL(flush_tlb);
VMI_BN_DECL(rdtsc);
VMI_BN_DECL(io_delay);
VMI_BN_DECL(cycle_freq);

#endif /* VMI_WL_H */
