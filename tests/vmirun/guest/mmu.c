/* SPDX-License-Identifier: MIT */
/* Page-table updates (with and without deferred mode) and TLB flushes. */
#include "wl.h"

uint64_t vmi_wl_va(unsigned page)
{
	return VMI_WL_VA_BASE + (uint64_t)page * 4096u;
}

uint64_t *vmi_wl_leaf(const struct vmi_wl_env *env, unsigned page)
{
	return env->pt + (3u + page / 512u) * 512u + page % 512u;
}

static uint64_t vmi_wl_table(const struct vmi_wl_env *env, unsigned pg)
{
	return (env->pt_gpa + pg * 4096ull) | VMI_WL_PTE_P | VMI_WL_PTE_W;
}

/* PML4[0] -> PDPT (page 1); PDPT[1] -> PD (page 2); PD[k] -> leaf table 3+k.
 * PAE has no PML4: CR3 holds the PDPT's address, and a PDPT entry has no
 * writable bit. */
void vmi_wl_pt_build(const struct vmi_wl_env *env, unsigned leaf_tables)
{
#if defined(__x86_64__)
	vmi_write_cr3(env->pt_gpa);
	vmi_wl_set_pxe(&env->pt[0], vmi_wl_table(env, 1));
	vmi_wl_set_pxe(&env->pt[512 + 1], vmi_wl_table(env, 2));
#else
	vmi_write_cr3((unsigned long)env->pt_gpa + 4096u);
	vmi_wl_set_pxe(&env->pt[512 + 1], vmi_wl_table(env, 2) & ~VMI_WL_PTE_W);
#endif
	for (unsigned k = 0; k < leaf_tables; k++)
		vmi_wl_set_pxe(&env->pt[1024 + k], vmi_wl_table(env, 3 + k));
}

static uint64_t vmi_wl_frame(unsigned page, unsigned gen)
{
	return (VMI_WL_DATA_GPA + ((uint64_t)page + gen * 0x10000ull) * 4096u) | VMI_WL_PTE_P | VMI_WL_PTE_W;
}

static void vmi_wl_probe_all(unsigned pages)
{
	uint64_t h = 0;
	for (unsigned p = 0; p < pages; p++)
		h = h * 1000003u + vmi_wl_probe(vmi_wl_va(p));
	vmi_wl_result(h);
}

static unsigned vmi_wl_pages(const struct vmi_wl_env *env)
{
	unsigned max = (env->pt_pages - 3u) * 512u;
	return env->n < max ? env->n : max;
}

/*
 * Map, translate, remap without a flush (the TLB keeps the old
 * translations: reported), invalidate page by page, translate again.
 */
VMI_WL_DECL(pt)
{
	unsigned pages = vmi_wl_pages(env);
	vmi_wl_pt_build(env, (pages + 511u) / 512u);
	vmi_outl(0, VMI_WL_PORT_WINDOW);
	for (unsigned p = 0; p < pages; p++)
		vmi_wl_set_pxe(vmi_wl_leaf(env, p), vmi_wl_frame(p, 1));
	vmi_outl(1, VMI_WL_PORT_WINDOW);
	vmi_wl_probe_all(pages);
	for (unsigned p = 0; p < pages; p += 2)
		vmi_wl_update_pxe(vmi_wl_leaf(env, p), vmi_wl_frame(p, 2));
	vmi_wl_probe_all(pages); /* stale: nothing flushed yet */
	for (unsigned p = 0; p < pages; p += 2)
		vmi_invlpg((const void *)(uintptr_t)vmi_wl_va(p));
	vmi_wl_probe_all(pages);
}

/* The same updates batched: SetDeferredMode(1), N updates, flush. The
 * window around them is what the hypervisor-entry count is taken over. */
VMI_WL_DECL(pt_deferred)
{
	unsigned pages = vmi_wl_pages(env);
	vmi_wl_pt_build(env, (pages + 511u) / 512u);
	vmi_outl(0, VMI_WL_PORT_WINDOW);
	vmi_set_deferred_mode(1);
	for (unsigned p = 0; p < pages; p++)
		vmi_wl_set_pxe(vmi_wl_leaf(env, p), vmi_wl_frame(p, 1));
	vmi_flush_deferred();
	vmi_outl(1, VMI_WL_PORT_WINDOW);
	vmi_set_deferred_mode(0);
	vmi_flush_tlb();
	vmi_wl_probe_all(pages);
}

/* Invalidate single pages and whole TLBs between translations. */
VMI_WL_DECL(tlb)
{
	unsigned pages = 8;
	vmi_wl_pt_build(env, 1);
	for (unsigned p = 0; p < pages; p++)
		vmi_wl_set_pxe(vmi_wl_leaf(env, p), vmi_wl_frame(p, 0));
	for (uint32_t i = 0; i < env->n; i++) {
		unsigned p = i % pages;
		vmi_wl_result(vmi_wl_probe(vmi_wl_va(p)));
		vmi_wl_update_pxe(vmi_wl_leaf(env, p), vmi_wl_frame(p, i + 1));
		vmi_wl_result(vmi_wl_probe(vmi_wl_va(p))); /* stale */
		if (i % 3 == 0)
			vmi_flush_tlb();
		else
			vmi_invlpg((const void *)(uintptr_t)vmi_wl_va(p));
		vmi_wl_result(vmi_wl_probe(vmi_wl_va(p)));
	}
}
