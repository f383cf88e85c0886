/* SPDX-License-Identifier: MIT */
/* MMU sites: 2-level and PAE page tables on i386, long mode on x86-64,
 * TLB flushes and page notifications. */
#include "sample.h"

#if defined(__i386__)
#define VMI_SAMPLE_PT_(n)                                                                          \
	VMI_SAMPLE_FN void vmi_sample_pt2_##n(uint32_t *pte, uint32_t v);                          \
	VMI_SAMPLE_FN void vmi_sample_pt2_##n(uint32_t *pte, uint32_t v)                           \
	{                                                                                          \
		vmi_set_pte(pte, v | n);                                                           \
		vmi_update_pte(pte + 1, v);                                                        \
	}                                                                                          \
	VMI_SAMPLE_FN void vmi_sample_pae_##n(uint64_t *pte, uint64_t v);                          \
	VMI_SAMPLE_FN void vmi_sample_pae_##n(uint64_t *pte, uint64_t v)                           \
	{                                                                                          \
		vmi_set_pxe_pae(pte, v | n);                                                       \
	}
#else
#define VMI_SAMPLE_PT_(n)                                                                          \
	VMI_SAMPLE_FN void vmi_sample_pt4_##n(uint64_t *pte, uint64_t v);                          \
	VMI_SAMPLE_FN void vmi_sample_pt4_##n(uint64_t *pte, uint64_t v)                           \
	{                                                                                          \
		vmi_set_pxe_long(pte, v | n);                                                      \
		vmi_update_pxe_long(pte + 1, v);                                                   \
	}
#endif

#define VMI_SAMPLE_MMU_FN(n)                                                                       \
	VMI_SAMPLE_PT_(n)                                                                          \
	VMI_SAMPLE_FN void vmi_sample_tlb_##n(const void *addr);                                   \
	VMI_SAMPLE_FN void vmi_sample_tlb_##n(const void *addr)                                    \
	{                                                                                          \
		vmi_allocate_page(0x1000 + n, 1);                                                  \
		vmi_invlpg(addr);                                                                  \
		vmi_flush_tlb();                                                                   \
		vmi_release_page(0x1000 + n, 1);                                                   \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_MMU_FN)
