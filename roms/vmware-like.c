/* SPDX-License-Identifier: MIT */
/*
 * roms/vmware-like.c - a ROM in the style of the original VMI hypervisor:
 * interrupt state virtualised in the data area (no exit for cli/sti/
 * pushf/popf), CR reads served from shadows, CR writes and MMU updates
 * forwarded by hypercall, and a deferred mode in which page-table updates
 * and TLB operations are queued and handed over as one batch on
 * FlushDeferredCalls. Cheap calls are INLINE or NOP.
 *
 * The same source builds the interface-evolution test ROMs (see
 * roms/module.mk): VMI_SAMPLE_MINOR=0 keeps only minor-0 calls,
 * VMI_SAMPLE_FUTURE adds calls 125..127 that no catalog knows yet,
 * VMI_SAMPLE_MAJOR changes the major.
 */
#include "rom_common.h"

#ifndef VMI_SAMPLE_VENDOR
#define VMI_SAMPLE_VENDOR "vmware-like"
#endif

#define VMW_FEATURES (VMI_FEAT_DEFERRED | VMI_FEAT_PAE | VMI_FEAT_LONGMODE | VMI_FEAT_APIC | VMI_FEAT_TIMER)
#define VMW_CYCLE_HZ 2000000000u /* what GetCycleFrequency reports */
#define VMW_FLAGS_FIXED 0x2ul    /* EFLAGS bit 1 always reads 1 */
#define VMW_FLAGS_IF 0x200ul

VMI_ROM_DECLARE(VMI_SAMPLE_VENDOR, VMI_SAMPLE_MAJOR, VMI_SAMPLE_MINOR, VMW_FEATURES);
VMI_ROM_INIT(vmi_rom_init);

/* ---- interrupt control: the virtual IF lives in the data area ---- */

static void vmw_cli(void)
{
	vmi_rom_count(VMI_CALL_DisableInterrupts);
	vmi_rd->vif = 0;
	if (!vmi_rom_have_hv())
		__asm__ volatile("cli" ::: "memory");
}

static void vmw_sti(void)
{
	vmi_rom_count(VMI_CALL_EnableInterrupts);
	vmi_rd->vif = 1;
	if (!vmi_rom_have_hv())
		__asm__ volatile("sti" ::: "memory");
}

static unsigned long vmw_save_flags(void)
{
	vmi_rom_count(VMI_CALL_GetInterruptMask);
	if (!vmi_rom_have_hv()) {
		unsigned long f;
		__asm__ volatile("pushf\n\tpop %0" : "=r"(f) : : "memory");
		return f;
	}
	return VMW_FLAGS_FIXED | (vmi_rd->vif ? VMW_FLAGS_IF : 0);
}

static void vmw_restore_flags(unsigned long f)
{
	vmi_rom_count(VMI_CALL_SetInterruptMask);
	vmi_rd->vif = (f & VMW_FLAGS_IF) ? 1 : 0;
	if (!vmi_rom_have_hv())
		__asm__ volatile("push %0\n\tpopf" : : "r"(f) : "memory", "cc");
}

static void vmw_halt(void)
{
	vmi_rom_count(VMI_CALL_Halt);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_Halt, 0, 0);
	else
		__asm__ volatile("hlt" ::: "memory");
}

static void vmw_safe_halt(void)
{
	vmi_rom_count(VMI_CALL_SafeHalt);
	vmi_rd->vif = 1;
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_SafeHalt, 0, 0);
	else
		__asm__ volatile("sti; hlt" ::: "memory");
}

VMI_ROM_CALL(DisableInterrupts, vmw_cli);
VMI_ROM_CALL(EnableInterrupts, vmw_sti);
VMI_ROM_CALL(GetInterruptMask, vmw_save_flags);
VMI_ROM_CALL(SetInterruptMask, vmw_restore_flags);
VMI_ROM_CALL(Halt, vmw_halt);
VMI_ROM_CALL(SafeHalt, vmw_safe_halt);

/* ---- control registers: reads from shadows, writes forwarded ---- */

#define VMW_CR(n)                                                                                  \
	static unsigned long vmw_get_cr##n(void)                                                   \
	{                                                                                          \
		vmi_rom_count(VMI_CALL_GetCR##n);                                                  \
		if (!vmi_rom_have_hv())                                                            \
			return vmi_native_read_cr(n);                                              \
		return (unsigned long)vmi_rd->cr[n];                                               \
	}                                                                                          \
	static void vmw_set_cr##n(unsigned long v)                                                 \
	{                                                                                          \
		vmi_rom_count(VMI_CALL_SetCR##n);                                                  \
		vmi_rd->cr[n] = v;                                                                 \
		if (vmi_rom_have_hv())                                                             \
			vmi_rom_hc(VMI_CALL_SetCR##n, v, 0);                                       \
		else                                                                               \
			vmi_native_write_cr(n, v);                                                 \
	}                                                                                          \
	VMI_ROM_CALL(GetCR##n, vmw_get_cr##n);                                                     \
	VMI_ROM_CALL(SetCR##n, vmw_set_cr##n)
VMW_CR(0);
VMW_CR(3);
VMW_CR(4);

/* CLTS changes CR0 too: left native it would make the CR0 shadow stale. */
static void vmw_clts(void)
{
	vmi_rom_count(VMI_CALL_CLTS);
	vmi_rd->cr[0] &= ~(uint64_t)0x8; /* CR0.TS */
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_CLTS, 0, 0);
	else
		__asm__ volatile("clts" ::: "memory");
}
VMI_ROM_CALL(CLTS, vmw_clts);

/* CR2 is written by the hardware on a page fault: a shadow would go stale. */
static unsigned long vmw_get_cr2(void)
{
	vmi_rom_count(VMI_CALL_GetCR2);
	return vmi_rom_have_hv() ? vmi_rom_hc(VMI_CALL_GetCR2, 0, 0) : vmi_native_read_cr(2);
}
VMI_ROM_CALL(GetCR2, vmw_get_cr2);

/* ---- MMU: forwarded one by one, or queued in deferred mode ---- */

static void vmw_mmu(uint32_t op, uint64_t a0, uint64_t a1)
{
	if (vmi_rd->deferred) {
		vmi_rom_enqueue(op, a0, a1);
	} else if (!vmi_rom_have_hv()) {
		vmi_native_op(op, a0, a1);
	} else if (sizeof(unsigned long) < sizeof(uint64_t) && (a1 >> 32)) {
		/* A PAE entry does not fit a 32-bit hypercall argument: batch of one. */
		vmi_rom_enqueue(op, a0, a1);
		vmi_rom_flush();
	} else {
		vmi_rom_hc(op, (unsigned long)a0, (unsigned long)a1);
	}
}

#define VMW_MMU2(name, id)                                                                         \
	static void vmw_##name(unsigned long ptep, unsigned long pte)                              \
	{                                                                                          \
		vmi_rom_count(id);                                                                 \
		vmw_mmu(id, ptep, pte);                                                            \
	}
VMW_MMU2(set_pte, VMI_CALL_SetPTE)
VMW_MMU2(update_pte, VMI_CALL_UpdatePTE)
VMI_ROM_CALL(SetPTE, vmw_set_pte);
VMI_ROM_CALL(UpdatePTE, vmw_update_pte);

static void vmw_invlpg(unsigned long addr)
{
	vmi_rom_count(VMI_CALL_InvalPage);
	vmw_mmu(VMI_CALL_InvalPage, addr, 0);
}

static void vmw_flush_tlb(void)
{
	vmi_rom_count(VMI_CALL_FlushTLB);
	vmw_mmu(VMI_CALL_FlushTLB, 0, 0);
}

static void vmw_page_note(uint32_t id, unsigned long pfn, unsigned long level)
{
	vmi_rom_count(id);
	if (vmi_rom_have_hv())
		vmi_rom_hc(id, pfn, level);
}
static void vmw_alloc_page(unsigned long pfn, unsigned long level) { vmw_page_note(VMI_CALL_AllocatePage, pfn, level); }
static void vmw_release_page(unsigned long pfn, unsigned long level) { vmw_page_note(VMI_CALL_ReleasePage, pfn, level); }

VMI_ROM_CALL(InvalPage, vmw_invlpg);
VMI_ROM_CALL(FlushTLB, vmw_flush_tlb);
VMI_ROM_CALL(AllocatePage, vmw_alloc_page);
VMI_ROM_CALL(ReleasePage, vmw_release_page);

#if VMI_SAMPLE_MINOR >= 1
static void vmw_set_pxe(uint64_t pte, uint64_t *ptep)
{
	vmi_rom_count(VMI_CALL_SetPxE);
	vmw_mmu(VMI_CALL_SetPxE, (uintptr_t)ptep, pte);
}
static void vmw_update_pxe(uint64_t pte, uint64_t *ptep)
{
	vmi_rom_count(VMI_CALL_UpdatePxE);
	vmw_mmu(VMI_CALL_UpdatePxE, (uintptr_t)ptep, pte);
}
VMI_ROM_CALL(SetPxE, vmw_set_pxe);
VMI_ROM_CALL(UpdatePxE, vmw_update_pxe);

/* ---- deferred mode ---- */

static void vmw_set_deferred(unsigned long mode)
{
	vmi_rom_count(VMI_CALL_SetDeferredMode);
	vmi_rd->deferred = mode ? 1 : 0;
	/* Leaving deferred mode must not leave updates behind. */
	if (!mode)
		vmi_rom_flush();
}

static void vmw_flush_deferred(void)
{
	vmi_rom_count(VMI_CALL_FlushDeferredCalls);
	vmi_rom_flush();
}
VMI_ROM_CALL(SetDeferredMode, vmw_set_deferred);
VMI_ROM_CALL(FlushDeferredCalls, vmw_flush_deferred);

/* ---- timer ---- */

static void vmw_set_alarm(unsigned long when, unsigned long period)
{
	vmi_rom_count(VMI_CALL_SetAlarm);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_SetAlarm, when, period);
}
static void vmw_cancel_alarm(void)
{
	vmi_rom_count(VMI_CALL_CancelAlarm);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_CancelAlarm, 0, 0);
}
VMI_ROM_CALL(SetAlarm, vmw_set_alarm);
VMI_ROM_CALL(CancelAlarm, vmw_cancel_alarm);
#endif

#if VMI_SAMPLE_MINOR >= 2
#define VMW_MMU_LONG(name, id)                                                                     \
	static void vmw_##name(unsigned long ptep, uint64_t pte)                                   \
	{                                                                                          \
		vmi_rom_count(id);                                                                 \
		vmw_mmu(id, ptep, pte);                                                            \
	}
VMW_MMU_LONG(set_pxe_long, VMI_CALL_SetPxELong)
VMW_MMU_LONG(update_pxe_long, VMI_CALL_UpdatePxELong)
VMI_ROM_CALL(SetPxELong, vmw_set_pxe_long);
VMI_ROM_CALL(UpdatePxELong, vmw_update_pxe_long);

/* ---- APIC ---- */

static void vmw_apic_write(unsigned long reg, unsigned long v)
{
	vmi_rom_count(VMI_CALL_APICWrite);
	if (vmi_rom_have_hv())
		vmi_rom_hc(VMI_CALL_APICWrite, reg, v);
	else
		*(volatile uint32_t *)reg = (uint32_t)v;
}
static unsigned long vmw_apic_read(unsigned long reg)
{
	vmi_rom_count(VMI_CALL_APICRead);
	if (vmi_rom_have_hv())
		return (uint32_t)vmi_rom_hc(VMI_CALL_APICRead, reg, 0);
	return *(volatile uint32_t *)reg;
}
VMI_ROM_CALL(APICWrite, vmw_apic_write);
VMI_ROM_CALL(APICRead, vmw_apic_read);
#endif

/* ---- port I/O: forwarded (register thunks come from the SDK) ---- */

#define VMW_IN(name, id, type, insn)                                                               \
	static uint32_t vmw_##name(uint32_t port)                                                  \
	{                                                                                          \
		vmi_rom_count(id);                                                                 \
		if (vmi_rom_have_hv())                                                             \
			return (type)vmi_rom_hc(id, port, 0);                                      \
		type v;                                                                            \
		__asm__ volatile(insn : "=a"(v) : "d"((uint16_t)port));                            \
		return v;                                                                          \
	}
#define VMW_OUT(name, id, type, insn)                                                              \
	static void vmw_##name(uint32_t value, uint32_t port)                                      \
	{                                                                                          \
		vmi_rom_count(id);                                                                 \
		if (vmi_rom_have_hv())                                                             \
			vmi_rom_hc(id, port, (type)value);                                         \
		else                                                                               \
			__asm__ volatile(insn : : "a"((type)value), "d"((uint16_t)port));          \
	}
VMW_IN(inb, VMI_CALL_INB, uint8_t, "inb %%dx,%%al")
VMW_IN(inw, VMI_CALL_INW, uint16_t, "inw %%dx,%%ax")
VMW_IN(inl, VMI_CALL_INL, uint32_t, "inl %%dx,%%eax")
VMW_OUT(outb, VMI_CALL_OUTB, uint8_t, "outb %%al,%%dx")
VMW_OUT(outw, VMI_CALL_OUTW, uint16_t, "outw %%ax,%%dx")
VMW_OUT(outl, VMI_CALL_OUTL, uint32_t, "outl %%eax,%%dx")
VMI_ROM_CALL(INB, vmw_inb);
VMI_ROM_CALL(INW, vmw_inw);
VMI_ROM_CALL(INL, vmw_inl);
VMI_ROM_CALL(OUTB, vmw_outb);
VMI_ROM_CALL(OUTW, vmw_outw);
VMI_ROM_CALL(OUTL, vmw_outl);

/* ---- time ---- */

static uint64_t vmw_rdtsc(void)
{
	vmi_rom_count(VMI_CALL_GetCycleCounter);
	if (vmi_rom_have_hv())
		return vmi_rom_hc(VMI_CALL_GetCycleCounter, 0, 0);
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
VMI_ROM_CALL(GetCycleCounter, vmw_rdtsc);

/* A constant: INLINE where the site has room, this entry where it has not. */
static uint64_t vmw_cycle_hz(void)
{
	vmi_rom_count(VMI_CALL_GetCycleFrequency);
	return VMW_CYCLE_HZ;
}
VMI_ROM_CALL(GetCycleFrequency, vmw_cycle_hz);
#if defined(__x86_64__)
VMI_ROM_INLINE(GetCycleFrequency, VMI_REG_AX, "movl $2000000000,%%eax");
#else
VMI_ROM_INLINE(GetCycleFrequency, VMI_REG_AX | VMI_REG_DX, "movl $2000000000,%%eax\n\txorl %%edx,%%edx");
#endif

/* The I/O delay is pointless on a virtual bus. */
VMI_ROM_NOP(IODelay);

/* Cheap to trap or harmless: left native on purpose (listed, so tools show it). */
VMI_ROM_IDENT(CPUID);
VMI_ROM_IDENT(RDMSR);
VMI_ROM_IDENT(WRMSR);

#ifdef VMI_SAMPLE_FUTURE
/* Calls of an interface minor no catalog knows yet: a guest must ignore them. */
static void vmw_future(void)
{
	vmi_rom_count(125);
}
VMI_ROM_CALL_RAW(125, vmw_future, VMI_ROM_CLOBBER_C, VMI_ROM_DECL_F_UNKNOWN_OK);
VMI_ROM_CALL_RAW(126, vmw_future, VMI_ROM_CLOBBER_C, VMI_ROM_DECL_F_UNKNOWN_OK);
VMI_ROM_CALL_RAW(127, vmw_future, VMI_ROM_CLOBBER_C, VMI_ROM_DECL_F_UNKNOWN_OK);
#endif
