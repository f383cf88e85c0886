/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/hypercall.c - the hypercall entry a ROM calls, and the
 * hypervisor side of every operation a ROM may forward.
 *
 * The entry is a two-instruction stub, `hlt; ret`: the hlt faults in user
 * mode, so each hypercall costs a real exit into the "hypervisor" (the
 * signal handler), exactly as each trapped instruction does. The handler
 * recognises the stub by address and calls vmi_hc_service with the
 * argument registers of the ROM-call convention (SysV on x86-64,
 * regparm(3) on i386). Arguments follow the C signatures of the ROM SDK
 * (vmi/rom_sdk.h): a ROM forwards what its C implementation received.
 */
#include <stdio.h>

#include "vmirun.h"

__asm__(".text\n"
	".globl vmi_run_hc_entry\n"
	".type vmi_run_hc_entry,@function\n"
	"vmi_run_hc_entry:\n"
	".globl vmi_run_hc_hlt\n"
	"vmi_run_hc_hlt:\n\t"
	"hlt\n\t"
	"ret\n"
	".size vmi_run_hc_entry, .-vmi_run_hc_entry\n");

#define VMI_HC_FLAGS_IF 0x200ull
#define VMI_HC_FLAGS_FIXED 0x2ull /* bit 1 of RFLAGS always reads 1 */

static bool vmi_hc_fail(char *err, size_t errlen, const char *fmt, uint64_t a, uint64_t b)
{
	snprintf(err, errlen, fmt, (unsigned long long)a, (unsigned long long)b);
	return false;
}

static bool vmi_hc_apply(uint32_t op, uint64_t a0, uint64_t a1, uint64_t *ret, char *err, size_t errlen)
{
	*ret = 0;
	switch (op) {
	case VMI_CALL_DisableInterrupts:
		vmi_vcpu_set_if(false);
		return true;
	case VMI_CALL_EnableInterrupts:
		vmi_vcpu_set_if(true);
		return true;
	case VMI_CALL_GetInterruptMask:
		*ret = (vmi_vcpu_get_if() ? VMI_HC_FLAGS_IF : 0) | VMI_HC_FLAGS_FIXED;
		return true;
	case VMI_CALL_SetInterruptMask:
		vmi_vcpu_set_if(a0 & VMI_HC_FLAGS_IF);
		return true;
	case VMI_CALL_SafeHalt:
		vmi_vcpu_set_if(true);
		/* fall through */
	case VMI_CALL_Halt:
		vmi_run_cpu.st.halts++;
		return true;
	case VMI_CALL_SetCR0:
	case VMI_CALL_SetCR2:
	case VMI_CALL_SetCR3:
	case VMI_CALL_SetCR4: {
		unsigned n = op == VMI_CALL_SetCR0 ? 0 : op - VMI_CALL_SetCR0 + 1;
		return vmi_vcpu_write_cr(n, a0) ||
		       vmi_hc_fail(err, errlen, "guest #GP: SetCR hypercall with 0x%llx (cr%llu)", a0, n);
	}
	case VMI_CALL_GetCR0:
	case VMI_CALL_GetCR2:
	case VMI_CALL_GetCR3:
	case VMI_CALL_GetCR4:
		return vmi_vcpu_read_cr(op == VMI_CALL_GetCR0 ? 0 : op - VMI_CALL_GetCR0 + 1, ret);
	case VMI_CALL_CLTS:
		return vmi_vcpu_write_cr(0, vmi_run_cpu.cr[0] & ~8ull);
	case VMI_CALL_WBINVD:
	case VMI_CALL_INVD:
		vmi_run_cpu.wbinvds++;
		return true;
	case VMI_CALL_SetDR:
		return vmi_vcpu_write_dr((unsigned)a1, a0) ||
		       vmi_hc_fail(err, errlen, "guest #GP: SetDR hypercall with 0x%llx to dr%llu", a0, a1);
	case VMI_CALL_GetDR:
		return vmi_vcpu_read_dr((unsigned)a1, ret) ||
		       vmi_hc_fail(err, errlen, "guest #GP: GetDR hypercall (a0=0x%llx) of dr%llu", a0, a1);
	case VMI_CALL_RDMSR:
		return vmi_vcpu_rdmsr((uint32_t)a0, ret) ||
		       vmi_hc_fail(err, errlen, "guest #GP: RDMSR hypercall of unknown MSR 0x%llx (a1=0x%llx)", a0, a1);
	case VMI_CALL_WRMSR:
		return vmi_vcpu_wrmsr((uint32_t)a0, a1) ||
		       vmi_hc_fail(err, errlen, "guest #GP: WRMSR hypercall to MSR 0x%llx of 0x%llx", a0, a1);
	case VMI_CALL_RDPMC:
		return true;
	case VMI_CALL_INB:
	case VMI_CALL_INW:
	case VMI_CALL_INL:
		*ret = vmi_dev_in((uint16_t)a0, 1u << (op - VMI_CALL_INB));
		return true;
	case VMI_CALL_OUTB:
	case VMI_CALL_OUTW:
	case VMI_CALL_OUTL:
		vmi_dev_out((uint16_t)a0, 1u << (op - VMI_CALL_OUTB), (uint32_t)a1);
		return true;
	case VMI_CALL_IODelay:
		vmi_dev_out(VMI_WL_PORT_DELAY, 1, 0);
		return true;
	case VMI_CALL_SetPTE:
	case VMI_CALL_UpdatePTE:
		return vmi_mmu_write(a0, a1, 4) ||
		       vmi_hc_fail(err, errlen, "page-table write hypercall to 0x%llx (value 0x%llx) outside the "
				   "page-table area", a0, a1);
	case VMI_CALL_SetPxE:
	case VMI_CALL_UpdatePxE:
	case VMI_CALL_SetPxELong:
	case VMI_CALL_UpdatePxELong:
		return vmi_mmu_write(a0, a1, 8) ||
		       vmi_hc_fail(err, errlen, "page-table write hypercall to 0x%llx (value 0x%llx) outside the "
				   "page-table area", a0, a1);
	case VMI_CALL_InvalPage:
		vmi_mmu_invlpg(a0);
		return true;
	case VMI_CALL_FlushTLB:
		vmi_mmu_flush();
		return true;
	case VMI_CALL_GetCycleCounter:
		*ret = vmi_vcpu_tsc();
		return true;
	case VMI_CALL_FlushTLBOthers:
		return true; /* one vCPU: there are no other TLBs */
	case VMI_CALL_AllocatePage:
	case VMI_CALL_ReleasePage:
	case VMI_CALL_SetAlarm:
	case VMI_CALL_CancelAlarm:
	case VMI_CALL_SpinWait:
	case VMI_CALL_SpinKick:
	case VMI_CALL_SetDeferredMode:
	case VMI_CALL_FlushDeferredCalls:
		return true; /* notifications: nothing for this model to track */
	default:
		return vmi_hc_fail(err, errlen, "ROM made hypercall %llu (a0=0x%llx), which the model does not know",
				   op, a0);
	}
}

static bool vmi_hc_batch(uint64_t queue, uint64_t count, char *err, size_t errlen)
{
	struct vmi_rom_data *d = vmi_run_shared;
	if (!d || queue != (uintptr_t)&d->queue[0] || count > VMI_ROM_QUEUE_MAX)
		return vmi_hc_fail(err, errlen, "batch hypercall with queue 0x%llx, count %llu: not the data area's queue",
				   queue, count);
	vmi_run_cpu.st.batches++;
	for (uint64_t i = 0; i < count; i++) {
		const struct vmi_rom_queue_entry *e = &d->queue[i];
		uint64_t ret;
		if (!vmi_hc_apply(e->op, e->a0, e->a1, &ret, err, errlen))
			return false;
		vmi_run_cpu.st.batched_ops++;
	}
	return true;
}

bool vmi_hc_service(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t *ret, char *err, size_t errlen)
{
	*ret = 0;
	if (nr == VMI_HC_BATCH)
		return vmi_hc_batch(a0, a1, err, errlen);
	if (nr >= VMI_CALL_ID_LIMIT)
		return vmi_hc_fail(err, errlen, "ROM made hypercall %llu (a0=0x%llx), which the model does not know", nr, a0);
	vmi_run_cpu.st.hc_by_call[nr]++;
	return vmi_hc_apply((uint32_t)nr, a0, a1, ret, err, errlen);
}
