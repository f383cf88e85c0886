/* SPDX-License-Identifier: MIT */
/*
 * roms/xen-like.c - a ROM in the style of a paravirtual hypervisor with
 * multicalls: every page-table update and TLB operation becomes a queued
 * multicall entry (op = VMI call id); the queue is handed over as one
 * VMI_HC_BATCH hypercall on FlushDeferredCalls, when it fills, or at once
 * when the guest is not in deferred mode (a batch of one). Lock and
 * shootdown extensions go to the hypervisor; there is no APIC or timer
 * paravirtualisation (those sites stay native and trap).
 */
#include "rom_common.h"

#define XEN_FEATURES (VMI_FEAT_DEFERRED | VMI_FEAT_PAE | VMI_FEAT_LONGMODE | VMI_FEAT_LOCKS | \
		      VMI_FEAT_TLB_SHOOTDOWN)
#define XEN_FLAGS_FIXED 0x2ul
#define XEN_FLAGS_IF 0x200ul

VMI_ROM_DECLARE("xen-like", VMI_SAMPLE_MAJOR, VMI_SAMPLE_MINOR, XEN_FEATURES);
VMI_ROM_INIT(vmi_rom_init);

/* ---- event-channel style interrupt mask, kept in the data area ---- */

static void xen_cli(void)
{
	vmi_rom_count(VMI_CALL_DisableInterrupts);
	vmi_rd->vif = 0;
	if (!vmi_rom_have_hv())
		__asm__ volatile("cli" ::: "memory");
}

static void xen_sti(void)
{
	vmi_rom_count(VMI_CALL_EnableInterrupts);
	vmi_rd->vif = 1;
	if (!vmi_rom_have_hv())
		__asm__ volatile("sti" ::: "memory");
}

static unsigned long xen_save_flags(void)
{
	vmi_rom_count(VMI_CALL_GetInterruptMask);
	if (!vmi_rom_have_hv()) {
		unsigned long f;
		__asm__ volatile("pushf\n\tpop %0" : "=r"(f) : : "memory");
		return f;
	}
	return XEN_FLAGS_FIXED | (vmi_rd->vif ? XEN_FLAGS_IF : 0);
}

static void xen_restore_flags(unsigned long f)
{
	vmi_rom_count(VMI_CALL_SetInterruptMask);
	vmi_rd->vif = (f & XEN_FLAGS_IF) ? 1 : 0;
	if (!vmi_rom_have_hv())
		__asm__ volatile("push %0\n\tpopf" : : "r"(f) : "memory", "cc");
}

VMI_ROM_CALL(DisableInterrupts, xen_cli);
VMI_ROM_CALL(EnableInterrupts, xen_sti);
VMI_ROM_CALL(GetInterruptMask, xen_save_flags);
VMI_ROM_CALL(SetInterruptMask, xen_restore_flags);

/* ---- multicall queue ---- */

/*
 * The queue in the data area is shared by every CPU: outside deferred mode
 * (a batch of one) the lock word after the fixed layout, when the guest
 * gave room for it, keeps two CPUs from appending at once, which lost or
 * replayed page-table writes (Linux on two CPUs: "Bad page map"). Deferred
 * mode is entered and flushed by one CPU around its batch.
 */
static void xen_multicall(uint32_t op, uint64_t a0, uint64_t a1)
{
	int *lock = vmi_rd->size >= VMI_ROM_DATA_LOCK_OFF + sizeof(int)
			    ? (int *)((char *)vmi_rd + VMI_ROM_DATA_LOCK_OFF) : NULL;

	if (vmi_rd->deferred) {
		vmi_rom_enqueue(op, a0, a1);
		return;
	}
	while (lock && __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	vmi_rom_enqueue(op, a0, a1);
	vmi_rom_flush();
	if (lock)
		__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

#define XEN_MMU(name, id, ptype, vtype)                                                            \
	static void xen_##name(ptype ptep, vtype pte)                                              \
	{                                                                                          \
		vmi_rom_count(id);                                                                 \
		xen_multicall(id, (uintptr_t)ptep, pte);                                           \
	}
XEN_MMU(set_pte, VMI_CALL_SetPTE, unsigned long, unsigned long)
XEN_MMU(update_pte, VMI_CALL_UpdatePTE, unsigned long, unsigned long)
XEN_MMU(set_pxe_long, VMI_CALL_SetPxELong, unsigned long, uint64_t)
XEN_MMU(update_pxe_long, VMI_CALL_UpdatePxELong, unsigned long, uint64_t)
VMI_ROM_CALL(SetPTE, xen_set_pte);
VMI_ROM_CALL(UpdatePTE, xen_update_pte);
VMI_ROM_CALL(SetPxELong, xen_set_pxe_long);
VMI_ROM_CALL(UpdatePxELong, xen_update_pxe_long);

/* PAE calls take the entry first (edx:eax on i386) and the pointer second. */
static void xen_set_pxe(uint64_t pte, uint64_t *ptep)
{
	vmi_rom_count(VMI_CALL_SetPxE);
	xen_multicall(VMI_CALL_SetPxE, (uintptr_t)ptep, pte);
}
static void xen_update_pxe(uint64_t pte, uint64_t *ptep)
{
	vmi_rom_count(VMI_CALL_UpdatePxE);
	xen_multicall(VMI_CALL_UpdatePxE, (uintptr_t)ptep, pte);
}
VMI_ROM_CALL(SetPxE, xen_set_pxe);
VMI_ROM_CALL(UpdatePxE, xen_update_pxe);

static void xen_invlpg(unsigned long addr)
{
	vmi_rom_count(VMI_CALL_InvalPage);
	xen_multicall(VMI_CALL_InvalPage, addr, 0);
}
static void xen_flush_tlb(void)
{
	vmi_rom_count(VMI_CALL_FlushTLB);
	xen_multicall(VMI_CALL_FlushTLB, 0, 0);
}
VMI_ROM_CALL(InvalPage, xen_invlpg);
VMI_ROM_CALL(FlushTLB, xen_flush_tlb);

/* A new page-table base must see every queued update first. */
static void xen_set_cr3(unsigned long v)
{
	vmi_rom_count(VMI_CALL_SetCR3);
	vmi_rd->cr[3] = v;
	vmi_rom_flush();
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_SetCR3, v, 0);
	else
		vmi_native_write_cr(3, v);
}
static unsigned long xen_get_cr3(void)
{
	vmi_rom_count(VMI_CALL_GetCR3);
	return vmi_rom_have_hv() ? (unsigned long)vmi_rd->cr[3] : vmi_native_read_cr(3);
}
VMI_ROM_CALL(SetCR3, xen_set_cr3);
VMI_ROM_CALL(GetCR3, xen_get_cr3);

static void xen_set_deferred(unsigned long mode)
{
	vmi_rom_count(VMI_CALL_SetDeferredMode);
	vmi_rd->deferred = mode ? 1 : 0;
	if (!mode)
		vmi_rom_flush();
}
static void xen_flush_deferred(void)
{
	vmi_rom_count(VMI_CALL_FlushDeferredCalls);
	vmi_rom_flush();
}
VMI_ROM_CALL(SetDeferredMode, xen_set_deferred);
VMI_ROM_CALL(FlushDeferredCalls, xen_flush_deferred);

/* ---- locks and shootdown: the hypervisor does the waiting ---- */

static void xen_spin_wait(unsigned long lock)
{
	vmi_rom_count(VMI_CALL_SpinWait);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_SpinWait, lock, 0);
	else
		__asm__ volatile("pause" ::: "memory");
}
static void xen_spin_kick(unsigned long lock)
{
	vmi_rom_count(VMI_CALL_SpinKick);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_SpinKick, lock, 0);
}
static void xen_flush_tlb_others(unsigned long cpumask, unsigned long addr)
{
	vmi_rom_count(VMI_CALL_FlushTLBOthers);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_FlushTLBOthers, cpumask, addr);
}
VMI_ROM_CALL(SpinWait, xen_spin_wait);
VMI_ROM_CALL(SpinKick, xen_spin_kick);
VMI_ROM_CALL(FlushTLBOthers, xen_flush_tlb_others);

/* ---- cheap ones ---- */
VMI_ROM_NOP(IODelay);
VMI_ROM_NOP(AllocatePage);
VMI_ROM_NOP(ReleasePage);
#if defined(__x86_64__)
VMI_ROM_INLINE(GetCycleFrequency, VMI_REG_AX, "movl $1000000000,%%eax");
#else
VMI_ROM_INLINE(GetCycleFrequency, VMI_REG_AX | VMI_REG_DX, "movl $1000000000,%%eax\n\txorl %%edx,%%edx");
#endif
VMI_ROM_IDENT(CPUID);
VMI_ROM_IDENT(GetCycleCounter);
