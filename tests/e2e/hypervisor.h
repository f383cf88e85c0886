/* SPDX-License-Identifier: MIT */
/* hypervisor.h - the in-guest stand-in hypervisor (see hypervisor.c). */
#ifndef VMI_E2E_HYPERVISOR_H
#define VMI_E2E_HYPERVISOR_H

#include <stdint.h>

/* The ROM-call convention of the arch: regparm(3) on i386, SysV on x86-64. */
#if defined(__i386__)
#define VMI_E2E_HV_ABI __attribute__((regparm(3)))
#else
#define VMI_E2E_HV_ABI
#endif

VMI_E2E_HV_ABI unsigned long vmi_e2e_hypervisor(unsigned long nr, unsigned long a0, unsigned long a1);
/* What arrived so far: entries, operations inside batches, unhandled ones. */
void vmi_e2e_hv_report(uint32_t *entries, uint32_t *batched, uint32_t *unknown);

#endif /* VMI_E2E_HYPERVISOR_H */
