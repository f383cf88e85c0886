/* SPDX-License-Identifier: MIT */
/*
 * roms/native_ops.h - the ring-0 forms of what a ROM may leave to the CPU:
 * control-register access and MMU updates, done the way an unpatched guest
 * does them. Shared by the sample ROMs (their fallback when there is no
 * hypervisor) and the end-to-end guest's stand-in hypervisor
 * (tests/e2e/hypervisor.c, which performs what a ROM forwards to it).
 */
#ifndef VMI_ROMS_NATIVE_OPS_H
#define VMI_ROMS_NATIVE_OPS_H

#include <stdint.h>

#include "vmi/calls.h"

static inline unsigned long vmi_native_read_cr(unsigned n)
{
	unsigned long v = 0;
	switch (n) {
	case 0: __asm__ volatile("mov %%cr0,%0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%cr2,%0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3,%0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4,%0" : "=r"(v)); break;
	}
	return v;
}

static inline void vmi_native_write_cr(unsigned n, unsigned long v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0,%%cr0" : : "r"(v) : "memory"); break;
	case 2: __asm__ volatile("mov %0,%%cr2" : : "r"(v) : "memory"); break;
	case 3: __asm__ volatile("mov %0,%%cr3" : : "r"(v) : "memory"); break;
	case 4: __asm__ volatile("mov %0,%%cr4" : : "r"(v) : "memory"); break;
	}
}

/*
 * Perform one MMU operation the way the unpatched guest would. Return 1 if
 * @op is one (page allocation notices need nothing on one CPU), 0 if not.
 */
static inline int vmi_native_op(uint32_t op, uint64_t a0, uint64_t a1)
{
	switch (op) {
	case VMI_CALL_SetPTE:
	case VMI_CALL_UpdatePTE:
		*(volatile uint32_t *)(uintptr_t)a0 = (uint32_t)a1;
		return 1;
	case VMI_CALL_SetPxE:
	case VMI_CALL_UpdatePxE: {
		/* High half first so no half-written present entry is ever visible. */
		volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)a0;
		p[1] = (uint32_t)(a1 >> 32);
		p[0] = (uint32_t)a1;
		return 1;
	}
	case VMI_CALL_SetPxELong:
	case VMI_CALL_UpdatePxELong:
		*(volatile uint64_t *)(uintptr_t)a0 = a1;
		return 1;
	case VMI_CALL_InvalPage:
		__asm__ volatile("invlpg (%0)" : : "r"((uintptr_t)a0) : "memory");
		return 1;
	case VMI_CALL_FlushTLB:
		vmi_native_write_cr(3, vmi_native_read_cr(3));
		return 1;
	case VMI_CALL_AllocatePage:
	case VMI_CALL_ReleasePage:
		return 1;
	default:
		return 0;
	}
}

#endif /* VMI_ROMS_NATIVE_OPS_H */
