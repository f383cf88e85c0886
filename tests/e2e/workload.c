/* SPDX-License-Identifier: MIT */
/*
 * workload.c - the only annotated code of the guest. Every wrapper below
 * appears once and runs once, straight-line, so a site that the plan made
 * a CALL reaches the ROM exactly once: the per-call counters of the ROM
 * can then be checked against the plan without knowing the ROM's internals.
 *
 * The checks are about what the guest can observe, whatever form a site
 * took: the interrupt flag it reads back, the control-register values,
 * port read-backs, the page-table entries after a deferred batch is
 * flushed, a cycle counter that moves forward.
 */
#include "vmi/guest.h"

#include "e2e.h"
#include "romdata.h"

VMI_GUEST_NOTE(1, 3);

#define VMI_E2E_IF 0x200u
#define VMI_E2E_CR0_TS 0x8u
#define VMI_E2E_MSR_SYSENTER_ESP 0x175u
#define VMI_E2E_APIC_BASE 0xfee00000u

/* Page tables the MMU calls write into; paging itself stays off. */
#if defined(__i386__)
static uint32_t vmi_e2e_pd[1024] __attribute__((aligned(4096)));
static uint32_t vmi_e2e_pt[1024] __attribute__((aligned(4096)));
#endif
static uint64_t vmi_e2e_pae[512] __attribute__((aligned(4096)));
static volatile uint32_t vmi_e2e_lock;

void vmi_e2e_check(struct vmi_e2e_results *r, int ok, const char *what, uint32_t got, uint32_t want)
{
	r->checks++;
	if (!ok) {
		r->failures++;
		vmi_e2e_printf("check FAILED: %s (got 0x%x, want 0x%x)\n", what, got, want);
	}
}

#define CHECK(r, cond, what, got, want) vmi_e2e_check((r), (cond), (what), (uint32_t)(got), (uint32_t)(want))

static void vmi_e2e_irq(struct vmi_e2e_results *r)
{
	unsigned long f0 = vmi_save_flags();
	vmi_cli();
	unsigned long f1 = vmi_save_flags();
	vmi_sti();
	unsigned long f2 = vmi_save_flags();
	vmi_restore_flags(f1);
	unsigned long f3 = vmi_save_flags();
	/* f0 is not checked: a ROM's virtual IF may start out enabled. */
	(void)f0;
	CHECK(r, !(f1 & VMI_E2E_IF), "IF clear after cli", f1, 0);
	CHECK(r, (f2 & VMI_E2E_IF) != 0, "IF set after sti", f2, VMI_E2E_IF);
	CHECK(r, !(f3 & VMI_E2E_IF), "IF clear after restore_flags", f3, 0);
}

static void vmi_e2e_cpu(struct vmi_e2e_results *r)
{
	unsigned long cr0 = vmi_read_cr0();
	vmi_write_cr0(cr0 | VMI_E2E_CR0_TS);
	vmi_clts();
	unsigned long msw = vmi_smsw();
	unsigned long cr0b = vmi_read_cr0();
	CHECK(r, (cr0 & 1) != 0, "CR0.PE set", cr0, 1);
	CHECK(r, !(msw & VMI_E2E_CR0_TS), "TS clear after clts (smsw)", msw, 0);
	CHECK(r, cr0b == (cr0 & ~(unsigned long)VMI_E2E_CR0_TS), "CR0 after write+clts", cr0b, cr0);

	vmi_write_cr2(0x12345000u);
	unsigned long cr2 = vmi_read_cr2();
	CHECK(r, cr2 == 0x12345000u, "CR2 read back", cr2, 0x12345000u);

#if defined(__x86_64__)
	/* Paging is on in long mode: reload the tables boot64.S built. */
	unsigned long cr3_want = vmi_e2e_boot_cr3();
#else
	/* Paging stays off: any page-aligned address is a harmless CR3. */
	unsigned long cr3_want = (unsigned long)(uintptr_t)vmi_e2e_pd;
#endif
	vmi_write_cr3(cr3_want);
	unsigned long cr3 = vmi_read_cr3();
	CHECK(r, cr3 == cr3_want, "CR3 read back", cr3, cr3_want);

	unsigned long cr4 = vmi_read_cr4();
	vmi_write_cr4(cr4);
	vmi_wbinvd();

	vmi_wrmsr(VMI_E2E_MSR_SYSENTER_ESP, 0x00c0ffeeu);
	uint64_t msr = vmi_rdmsr(VMI_E2E_MSR_SYSENTER_ESP);
	CHECK(r, msr == 0x00c0ffeeu, "MSR SYSENTER_ESP read back", msr, 0x00c0ffeeu);
}

static void vmi_e2e_io(struct vmi_e2e_results *r)
{
	/* COM1 scratch register: a byte that reads back what was written. */
	vmi_outb(0x5a, VMI_E2E_COM1 + 7);
	uint8_t b = vmi_inb(VMI_E2E_COM1 + 7);
	CHECK(r, b == 0x5a, "outb/inb COM1 scratch", b, 0x5a);
	/* A word at COM1+6 splits into MSR (ignored on write) and scratch. */
	vmi_outw(0xa500, VMI_E2E_COM1 + 6);
	uint16_t w = vmi_inw(VMI_E2E_COM1 + 6);
	CHECK(r, (w >> 8) == 0xa5, "outw/inw COM1 MSR:scratch", w >> 8, 0xa5);
	/* PCI configuration address: latches a dword. */
	vmi_outl(0x80000000u, 0xcf8);
	uint32_t l = vmi_inl(0xcf8);
	CHECK(r, l == 0x80000000u, "outl/inl PCI config address", l, 0x80000000u);
	vmi_io_delay();
}

static void vmi_e2e_mmu(struct vmi_e2e_results *r)
{
	vmi_set_deferred_mode(1);
#if defined(__x86_64__)
	uint64_t *pt = vmi_e2e_pae;
	vmi_set_pxe_long(&pt[1], 0x00001003u);
	vmi_update_pxe_long(&pt[2], 0x00002063u);
#else
	uint32_t *pt = vmi_e2e_pt;
	vmi_set_pte(&pt[1], 0x00001003u);
	vmi_update_pte(&pt[2], 0x00002063u);
	vmi_set_pxe_pae(&vmi_e2e_pae[3], 0x8000000123456003ull);
#endif
	vmi_allocate_page(0x123, 1);
	vmi_release_page(0x123, 1);
	/* A ROM that really defers holds the updates in its queue until the flush. */
	uint32_t queued = vmi_e2e_rom_queued();
	uint32_t before = (uint32_t)pt[1];
	vmi_flush_deferred();
	vmi_e2e_printf("deferred: %u queued before flush\n", queued);
	if (queued)
		CHECK(r, before == 0, "deferred entry not written before the flush", before, 0);
	vmi_set_deferred_mode(0);
	CHECK(r, pt[1] == 0x00001003u, "set entry after flush", pt[1], 0x00001003u);
	CHECK(r, pt[2] == 0x00002063u, "update entry after flush", pt[2], 0x00002063u);
#if defined(__i386__)
	CHECK(r, vmi_e2e_pae[3] == 0x8000000123456003ull, "SetPxE (PAE) low half after flush",
	      vmi_e2e_pae[3], 0x23456003u);
	CHECK(r, (vmi_e2e_pae[3] >> 32) == 0x80000001u, "SetPxE (PAE) high half after flush",
	      vmi_e2e_pae[3] >> 32, 0x80000001u);
#endif
	CHECK(r, pt[0] == 0 && pt[3] == 0, "neighbour entries untouched", pt[0] | pt[3], 0);
	vmi_invlpg(&pt[0]);
	vmi_flush_tlb();
}

/*
 * GetCycleFrequency has no guest.h wrapper: two hand-made sites, one with
 * room for a ROM's inline stub and one of the default length, where an
 * i386 stub (7 bytes) does not fit and the ROM's entry is the fallback.
 * Natively the result is 0.
 */
#define VMI_E2E_HZ_SITE(len)                                                                       \
	do {                                                                                       \
		VMI_REGS_(0, 0, 0, 0, 0);                                                          \
		__asm__ volatile(VMI_SITE_ASM(VMI_NAT_("xorl %%eax,%%eax; xorl %%edx,%%edx",       \
						       "xorl %%eax,%%eax"))                         \
				 : VMI_OUTS_                                                       \
				 : VMI_SITE_IMM(VMI_CALL_GetCycleFrequency, 0, 0, VMI_GUEST_CLOBBERS, len) \
				 : VMI_CLOB_);                                                     \
		hz = (uint32_t)vmi_a_;                                                             \
	} while (0)

static void vmi_e2e_cycle_hz(struct vmi_e2e_results *r)
{
	uint32_t hz, hz_long, hz_short;
	VMI_E2E_HZ_SITE(12);
	hz_long = hz;
	VMI_E2E_HZ_SITE(VMI_GUEST_SITE_LEN);
	hz_short = hz;
	vmi_e2e_printf("cycle-hz: %u (long site) %u (short site)\n", hz_long, hz_short);
	CHECK(r, !hz_long || !hz_short || hz_long == hz_short, "both GetCycleFrequency sites agree",
	      hz_short, hz_long);
}

static void vmi_e2e_time(struct vmi_e2e_results *r)
{
	uint64_t t0 = vmi_rdtsc();
	uint64_t wall = vmi_get_wallclock();
	uint64_t t1 = vmi_rdtsc();
	CHECK(r, t1 > t0, "cycle counter moves forward", (uint32_t)(t1 - t0), 1);
	vmi_e2e_printf("time: cycles %llx..%llx wallclock %llx\n", (unsigned long long)t0,
		       (unsigned long long)t1, (unsigned long long)wall);
}

static void vmi_e2e_apic_locks(struct vmi_e2e_results *r)
{
	volatile uint32_t *ver = (volatile uint32_t *)(uintptr_t)(VMI_E2E_APIC_BASE + 0x30);
	volatile uint32_t *tpr = (volatile uint32_t *)(uintptr_t)(VMI_E2E_APIC_BASE + 0x80);
	vmi_apic_write(tpr, 0x20);
	uint32_t t = vmi_apic_read(tpr);
	uint32_t v = vmi_apic_read(ver);
	vmi_apic_write(tpr, 0);
	CHECK(r, (t & 0xf0) == 0x20, "APIC TPR read back", t, 0x20);
	CHECK(r, (v & 0xff) != 0, "APIC version register", v, 0x14);

	vmi_spin_wait(&vmi_e2e_lock);
	vmi_spin_kick(&vmi_e2e_lock);
	vmi_flush_tlb_others(0, 0);
}

void vmi_e2e_workload(struct vmi_e2e_results *r)
{
	vmi_e2e_irq(r);
	vmi_e2e_cpu(r);
	vmi_e2e_io(r);
	vmi_e2e_mmu(r);
	vmi_e2e_time(r);
	vmi_e2e_cycle_hz(r);
	vmi_e2e_apic_locks(r);
}
