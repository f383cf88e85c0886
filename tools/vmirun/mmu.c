/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/mmu.c - the page-table area, the walker and the TLB.
 *
 * The guest keeps 4-level (i386: PAE) tables in an area the model maps twice (one
 * memfd): read-only for the guest, so every native page-table write traps
 * and is emulated (the shadow-paging model), and read-write for the
 * hypervisor side, which applies trapped writes, hypercalls and batches.
 * The TLB behaves like hardware: a translation stays cached until INVLPG,
 * a CR3 write or a flush, so a guest that forgets to flush sees stale
 * translations under every form alike.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmirun.h"

#define VMI_MMU_AREA (VMI_RUN_PT_PAGES * 4096u)
#define VMI_MMU_TLB 16

static uint64_t *vmi_mmu_guest;  /* read-only view (the guest's) */
static uint64_t *vmi_mmu_hv;     /* read-write view (the hypervisor's) */
static struct {
	bool valid;
	uint64_t vpn;
	uint64_t pfn;
} vmi_mmu_tlb[VMI_MMU_TLB];
static unsigned vmi_mmu_next;    /* round-robin replacement */

bool vmi_mmu_init(void)
{
	int fd = memfd_create("vmirun-pt", 0);
	if (fd < 0)
		return false;
	if (ftruncate(fd, VMI_MMU_AREA) != 0) {
		close(fd);
		return false;
	}
	void *g = mmap(NULL, VMI_MMU_AREA, PROT_READ, MAP_SHARED, fd, 0);
	void *h = mmap(NULL, VMI_MMU_AREA, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (g == MAP_FAILED || h == MAP_FAILED)
		return false;
	vmi_mmu_guest = g;
	vmi_mmu_hv = h;
	return true;
}

void vmi_mmu_reset(void)
{
	memset(vmi_mmu_hv, 0, VMI_MMU_AREA);
	memset(vmi_mmu_tlb, 0, sizeof(vmi_mmu_tlb));
	vmi_mmu_next = 0;
	vmi_mmu_protect(true);
}

uint64_t *vmi_mmu_guest_view(void)
{
	return vmi_mmu_guest;
}

bool vmi_mmu_in_area(uint64_t addr)
{
	return addr >= (uintptr_t)vmi_mmu_guest && addr < (uintptr_t)vmi_mmu_guest + VMI_MMU_AREA;
}

void vmi_mmu_protect(bool protect)
{
	mprotect(vmi_mmu_guest, VMI_MMU_AREA, protect ? PROT_READ : PROT_READ | PROT_WRITE);
}

/* An entry is 8-byte aligned (checked below); the i386 ABI would only
 * promise 4 for a plain uint64_t, and one 8-byte store needs 8. */
typedef uint64_t vmi_mmu_entry __attribute__((aligned(8)));

bool vmi_mmu_write(uint64_t addr, uint64_t value, unsigned size)
{
	if (!vmi_mmu_in_area(addr) || (size != 8 && size != 4) || (addr & (size - 1)))
		return false;
	uint8_t *p = (uint8_t *)vmi_mmu_hv + (addr - (uintptr_t)vmi_mmu_guest);
	if (size == 8)
		__atomic_store_n((vmi_mmu_entry *)(void *)p, value, __ATOMIC_RELAXED);
	else
		__atomic_store_n((uint32_t *)(void *)p, (uint32_t)value, __ATOMIC_RELAXED);
	vmi_run_cpu.st.pt_writes++;
	return true;
}

void vmi_mmu_invlpg(uint64_t va)
{
	uint64_t vpn = (va >> 12) & 0xfffffffffull;
	for (unsigned i = 0; i < VMI_MMU_TLB; i++)
		if (vmi_mmu_tlb[i].valid && vmi_mmu_tlb[i].vpn == vpn)
			vmi_mmu_tlb[i].valid = false;
	vmi_run_cpu.st.invlpgs++;
}

void vmi_mmu_flush(void)
{
	for (unsigned i = 0; i < VMI_MMU_TLB; i++)
		vmi_mmu_tlb[i].valid = false;
	vmi_run_cpu.st.tlb_flushes++;
}

/* A table's guest-physical address to its entries in the area, or NULL. */
static const uint64_t *vmi_mmu_table(uint64_t gpa)
{
	gpa &= VMI_WL_PTE_ADDR;
	if (gpa < VMI_RUN_PT_GPA || gpa >= VMI_RUN_PT_GPA + VMI_MMU_AREA)
		return NULL;
	return vmi_mmu_hv + (gpa - VMI_RUN_PT_GPA) / 8;
}

/* Long mode: 4 levels of 512 entries. i386 guests use PAE: CR3 points at a
 * 4-entry PDPT, then a page directory and a page table of 512 entries. */
#if defined(__x86_64__)
#define VMI_MMU_LEVELS 4
#define VMI_MMU_TOP_MASK 511u
#else
#define VMI_MMU_LEVELS 3
#define VMI_MMU_TOP_MASK 3u
#endif

static bool vmi_mmu_walk(uint64_t vpn, uint64_t *pfn)
{
	uint64_t e = vmi_run_cpu.cr[3];
	for (int level = VMI_MMU_LEVELS - 1; level >= 0; level--) {
		const uint64_t *t = vmi_mmu_table(e);
		if (!t)
			return false;
		unsigned mask = level == VMI_MMU_LEVELS - 1 ? VMI_MMU_TOP_MASK : 511u;
		e = t[(vpn >> (9 * level)) & mask];
		if (!(e & VMI_WL_PTE_P))
			return false;
	}
	*pfn = (e & VMI_WL_PTE_ADDR) >> 12;
	return true;
}

uint32_t vmi_mmu_probe(uint64_t vpn)
{
	for (unsigned i = 0; i < VMI_MMU_TLB; i++)
		if (vmi_mmu_tlb[i].valid && vmi_mmu_tlb[i].vpn == vpn)
			return (uint32_t)vmi_mmu_tlb[i].pfn;
	uint64_t pfn;
	if (!vmi_mmu_walk(vpn, &pfn))
		return VMI_WL_PROBE_MISS;
	unsigned i = vmi_mmu_next++ % VMI_MMU_TLB;
	vmi_mmu_tlb[i].valid = true;
	vmi_mmu_tlb[i].vpn = vpn;
	vmi_mmu_tlb[i].pfn = pfn;
	return (uint32_t)pfn;
}

void vmi_mmu_dump(FILE *f)
{
	uint64_t h = vmi_run_fnv(VMI_RUN_FNV_INIT, vmi_mmu_hv, VMI_MMU_AREA);
	unsigned used = 0;
	for (unsigned i = 0; i < VMI_RUN_PT_PAGES * 512u; i++)
		used += vmi_mmu_hv[i] != 0;
	fprintf(f, "state page-tables entries=%u hash=%016llx\n", used, (unsigned long long)h);
	for (unsigned i = 0; i < VMI_MMU_TLB; i++)
		if (vmi_mmu_tlb[i].valid)
			fprintf(f, "state tlb[%u] vpn=0x%llx pfn=0x%llx\n", i, (unsigned long long)vmi_mmu_tlb[i].vpn,
				(unsigned long long)vmi_mmu_tlb[i].pfn);
}
