/* SPDX-License-Identifier: MIT */
/*
 * hypervisor.c - a stand-in hypervisor inside the guest, for the
 * `hypercall` switch: its address goes into data->hypercall before VMI
 * init, so the ROM forwards operations here instead of executing them.
 * It performs each one with the native instruction (plain inline asm, not
 * an annotated site) and counts what it receives, so the guest can check
 * the ROM's hypercall path end to end: every forwarded operation took
 * effect, and the ROM's `hypercalls` count matches what arrived here.
 */
#include "vmi/rom_sdk.h"

#include "native_ops.h" /* roms/ */

#include "e2e.h"
#include "hypervisor.h"

static uint32_t vmi_e2e_hv_entries;
static uint32_t vmi_e2e_hv_batched;
static uint32_t vmi_e2e_hv_unknown;

static unsigned long vmi_e2e_hv_dispatch(unsigned long nr, unsigned long a0, unsigned long a1)
{
	uint16_t port = (uint16_t)a0;
	switch (nr) {
	case VMI_HC_BATCH: {
		const struct vmi_rom_queue_entry *q = (const struct vmi_rom_queue_entry *)a0;
		for (unsigned long i = 0; i < a1; i++) {
			if (!vmi_native_op(q[i].op, q[i].a0, q[i].a1))
				vmi_e2e_hv_unknown++;
			vmi_e2e_hv_batched++;
		}
		return 0;
	}
	case VMI_CALL_GetCR0: return vmi_native_read_cr(0);
	case VMI_CALL_GetCR2: return vmi_native_read_cr(2);
	case VMI_CALL_GetCR3: return vmi_native_read_cr(3);
	case VMI_CALL_GetCR4: return vmi_native_read_cr(4);
	case VMI_CALL_SetCR0: vmi_native_write_cr(0, a0); return 0;
	case VMI_CALL_SetCR2: vmi_native_write_cr(2, a0); return 0;
	case VMI_CALL_SetCR3: vmi_native_write_cr(3, a0); return 0;
	case VMI_CALL_SetCR4: vmi_native_write_cr(4, a0); return 0;
	case VMI_CALL_CLTS: __asm__ volatile("clts" ::: "memory"); return 0;
	case VMI_CALL_Halt:
	case VMI_CALL_SafeHalt:
	case VMI_CALL_SetAlarm:
	case VMI_CALL_CancelAlarm:
		return 0; /* no timer is armed in this guest: nothing to wait for */
	case VMI_CALL_INB: { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(port)); return v; }
	case VMI_CALL_INW: { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(port)); return v; }
	case VMI_CALL_INL: { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(port)); return v; }
	case VMI_CALL_OUTB: __asm__ volatile("outb %0,%1" : : "a"((uint8_t)a1), "Nd"(port)); return 0;
	case VMI_CALL_OUTW: __asm__ volatile("outw %0,%1" : : "a"((uint16_t)a1), "Nd"(port)); return 0;
	case VMI_CALL_OUTL: __asm__ volatile("outl %0,%1" : : "a"((uint32_t)a1), "Nd"(port)); return 0;
	case VMI_CALL_APICWrite: *(volatile uint32_t *)a0 = (uint32_t)a1; return 0;
	case VMI_CALL_APICRead: return *(volatile uint32_t *)a0;
	case VMI_CALL_GetCycleCounter: {
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		return (unsigned long)(((uint64_t)hi << 32) | lo);
	}
	case VMI_CALL_SpinWait: __asm__ volatile("pause"); return 0;
	case VMI_CALL_SpinKick:
	case VMI_CALL_FlushTLBOthers:
		return 0; /* one CPU: nobody to wake or shoot down */
	}
	if (vmi_native_op((uint32_t)nr, a0, a1))
		return 0;
	vmi_e2e_hv_unknown++;
	vmi_e2e_printf("hypervisor: call %u is not handled\n", (unsigned)nr);
	return 0;
}

VMI_E2E_HV_ABI unsigned long vmi_e2e_hypervisor(unsigned long nr, unsigned long a0, unsigned long a1)
{
	vmi_e2e_hv_entries++;
	return vmi_e2e_hv_dispatch(nr, a0, a1);
}

void vmi_e2e_hv_report(uint32_t *entries, uint32_t *batched, uint32_t *unknown)
{
	*entries = vmi_e2e_hv_entries;
	*batched = vmi_e2e_hv_batched;
	*unknown = vmi_e2e_hv_unknown;
}
