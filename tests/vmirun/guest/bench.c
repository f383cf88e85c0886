/* SPDX-License-Identifier: MIT */
/* Benchmark loops: one annotated site per loop, so its form alone decides
 * what an iteration costs. */
#include "wl.h"

VMI_BN_DECL(cli) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_cli(); }
VMI_BN_DECL(sti) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_sti(); }
VMI_BN_DECL(save_flags)
{
	(void)env;
	unsigned long acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_save_flags();
	__asm__ volatile("" : : "r"(acc));
}
VMI_BN_DECL(restore_flags)
{
	(void)env;
	for (unsigned long i = 0; i < n; i++)
		vmi_restore_flags(0x202);
}
VMI_BN_DECL(read_cr0)
{
	(void)env;
	unsigned long acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_read_cr0();
	__asm__ volatile("" : : "r"(acc));
}
VMI_BN_DECL(write_cr4) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_write_cr4(0x6a0); }
VMI_BN_DECL(rdmsr)
{
	(void)env;
	uint64_t acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_rdmsr(VMI_WL_MSR_SCRATCH0);
	__asm__ volatile("" : : "r"(acc));
}
VMI_BN_DECL(inb)
{
	(void)env;
	unsigned acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_inb(VMI_WL_PORT_SERIAL_LSR);
	__asm__ volatile("" : : "r"(acc));
}
VMI_BN_DECL(outb) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_outb(0, VMI_WL_PORT_DELAY); }
VMI_BN_DECL(set_pxe)
{
	uint64_t *e = vmi_wl_leaf(env, 0);
	for (unsigned long i = 0; i < n; i++)
		vmi_wl_set_pxe(e + (i & 7), (VMI_WL_DATA_GPA + (i & 7) * 4096u) | VMI_WL_PTE_P);
}
/* Deferred mode: the whole loop is one batch (when the ROM offers it). */
VMI_BN_DECL(set_pxe_deferred)
{
	uint64_t *e = vmi_wl_leaf(env, 0);
	vmi_set_deferred_mode(1);
	for (unsigned long i = 0; i < n; i++) {
		vmi_wl_set_pxe(e + (i & 7), (VMI_WL_DATA_GPA + (i & 7) * 4096u) | VMI_WL_PTE_P);
		if ((i & 63) == 63)
			vmi_flush_deferred();
	}
	vmi_flush_deferred();
	vmi_set_deferred_mode(0);
}
VMI_BN_DECL(invlpg)
{
	(void)env;
	for (unsigned long i = 0; i < n; i++)
		vmi_invlpg((const void *)(uintptr_t)(VMI_WL_VA_BASE + (i & 7) * 4096u));
}
VMI_BN_DECL(flush_tlb) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_flush_tlb(); }
VMI_BN_DECL(rdtsc)
{
	(void)env;
	uint64_t acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_rdtsc();
	__asm__ volatile("" : : "r"(acc));
}
VMI_BN_DECL(io_delay) { (void)env; for (unsigned long i = 0; i < n; i++) vmi_io_delay(); }
VMI_BN_DECL(cycle_freq)
{
	(void)env;
	uint64_t acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += vmi_wl_cycle_freq();
	__asm__ volatile("" : : "r"(acc));
}
