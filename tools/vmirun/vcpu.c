/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/vcpu.c - the software vCPU: interrupt flag, control and
 * debug registers, a small MSR file and the TSC.
 *
 * While a ROM runs, its data area is the shared page of the model (as
 * Xen's vcpu_info): the interrupt flag and the CR shadows live there, so a
 * ROM that flips vif without a hypercall and an emulated cli agree on one
 * value. Every write from the hypervisor side goes to both places.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmirun.h"

struct vmi_vcpu vmi_run_cpu;
struct vmi_rom_data *vmi_run_shared;

/* Long mode, paging on: PG AM WP NE ET MP PE; CR4: PAE. */
#define VMI_VCPU_CR0_RESET 0x80050033ull
#define VMI_VCPU_CR4_RESET 0x20ull
#define VMI_VCPU_CR0_PG (1ull << 31)
#define VMI_VCPU_CR0_PE 1ull
#define VMI_VCPU_CR4_PAE (1ull << 5)

/* EFER: an x86-64 guest runs in long mode (LME LMA), an i386 guest in
 * PAE protected mode (neither). */
#if defined(__x86_64__)
#define VMI_VCPU_EFER_RESET 0x500ull
#define VMI_VCPU_EFER_FIXED 0x400ull
#else
#define VMI_VCPU_EFER_RESET 0ull
#define VMI_VCPU_EFER_FIXED 0ull
#endif

static const struct {
	uint32_t index;
	uint64_t reset;
} vmi_vcpu_msrs[] = {
	{ 0x1b, 0xfee00900ull },       /* IA32_APIC_BASE: BSP, enabled */
	{ 0x174, 0 },                  /* SYSENTER_CS */
	{ 0x175, 0 },                  /* SYSENTER_ESP */
	{ 0x176, 0 },                  /* SYSENTER_EIP */
	{ 0xc0000080u, VMI_VCPU_EFER_RESET },
	{ 0xc0000081u, 0 },            /* STAR */
	{ 0xc0000082u, 0 },            /* LSTAR */
	{ 0xc0000084u, 0 },            /* FMASK */
	{ VMI_WL_MSR_SCRATCH0 + 0, 0 },
	{ VMI_WL_MSR_SCRATCH0 + 1, 0 },
	{ VMI_WL_MSR_SCRATCH0 + 2, 0 },
	{ VMI_WL_MSR_SCRATCH0 + 3, 0 },
};
#define VMI_VCPU_NMSRS (sizeof(vmi_vcpu_msrs) / sizeof(vmi_vcpu_msrs[0]))
_Static_assert(VMI_VCPU_NMSRS <= VMI_RUN_MSR_MAX, "MSR file too small");

void vmi_vcpu_reset(void)
{
	memset(&vmi_run_cpu, 0, sizeof(vmi_run_cpu));
	vmi_run_cpu.if_flag = true;
	vmi_run_cpu.cr[0] = VMI_VCPU_CR0_RESET;
	vmi_run_cpu.cr[4] = VMI_VCPU_CR4_RESET;
	vmi_run_cpu.dr[6] = 0xffff0ff0ull;
	vmi_run_cpu.dr[7] = 0x400ull;
	for (size_t i = 0; i < VMI_VCPU_NMSRS; i++) {
		vmi_run_cpu.msr_index[i] = vmi_vcpu_msrs[i].index;
		vmi_run_cpu.msr_value[i] = vmi_vcpu_msrs[i].reset;
	}
	vmi_run_cpu.nmsr = VMI_VCPU_NMSRS;
	vmi_run_shared = NULL;
}

bool vmi_vcpu_get_if(void)
{
	return vmi_run_shared ? vmi_run_shared->vif != 0 : vmi_run_cpu.if_flag;
}

void vmi_vcpu_set_if(bool on)
{
	vmi_run_cpu.if_flag = on;
	if (vmi_run_shared)
		vmi_run_shared->vif = on;
}

bool vmi_vcpu_write_cr(unsigned n, uint64_t v)
{
	switch (n) {
	case 0:
		/* Leaving paging or protected mode in long mode is a #GP. */
		if (!(v & VMI_VCPU_CR0_PG) || !(v & VMI_VCPU_CR0_PE) || (v >> 32))
			return false;
		break;
	case 2:
		break;
	case 3:
		vmi_mmu_flush();
		break;
	case 4:
		if (!(v & VMI_VCPU_CR4_PAE) || (v >> 32))
			return false;
		if ((v ^ vmi_run_cpu.cr[4]) & 0x80) /* PGE toggles flush everything */
			vmi_mmu_flush();
		break;
	default:
		return false;
	}
	vmi_run_cpu.cr[n] = v;
	if (vmi_run_shared)
		vmi_run_shared->cr[n] = v;
	return true;
}

bool vmi_vcpu_read_cr(unsigned n, uint64_t *v)
{
	if (n != 0 && n != 2 && n != 3 && n != 4)
		return false;
	*v = vmi_run_cpu.cr[n];
	return true;
}

static unsigned vmi_vcpu_dr_index(unsigned n)
{
	return n == 4 ? 6 : n == 5 ? 7 : n;
}

bool vmi_vcpu_write_dr(unsigned n, uint64_t v)
{
	if (n > 7)
		return false;
	n = vmi_vcpu_dr_index(n);
	if (n == 6)
		v = (v & 0xe00full) | 0xffff0ff0ull;
	else if (n == 7)
		v = (v & 0xffff2fffull) | 0x400ull;
	vmi_run_cpu.dr[n] = v;
	return true;
}

bool vmi_vcpu_read_dr(unsigned n, uint64_t *v)
{
	if (n > 7)
		return false;
	*v = vmi_run_cpu.dr[vmi_vcpu_dr_index(n)];
	return true;
}

static int vmi_vcpu_msr_slot(uint32_t index)
{
	for (uint32_t i = 0; i < vmi_run_cpu.nmsr; i++)
		if (vmi_run_cpu.msr_index[i] == index)
			return (int)i;
	return -1;
}

bool vmi_vcpu_rdmsr(uint32_t index, uint64_t *v)
{
	if (index == 0x10) { /* IA32_TSC */
		*v = vmi_vcpu_tsc();
		return true;
	}
	int i = vmi_vcpu_msr_slot(index);
	if (i < 0)
		return false;
	*v = vmi_run_cpu.msr_value[i];
	return true;
}

bool vmi_vcpu_wrmsr(uint32_t index, uint64_t v)
{
	int i = vmi_vcpu_msr_slot(index);
	if (i < 0)
		return false;
	if (index == 0xc0000080u) {
		/* EFER: SCE, LME, NXE writable; LMA is read-only and keeps its mode. */
		if (v & ~0x0d01ull)
			return false;
		v = (v & ~0x400ull) | VMI_VCPU_EFER_FIXED;
	}
	vmi_run_cpu.msr_value[i] = v;
	return true;
}

/* A virtual TSC at 1 GHz from the monotonic clock. Through the system call,
 * not the vDSO: the vDSO reads the TSC itself, and while the guest's rdtsc
 * is made to fault so would the handler's. */
uint64_t vmi_vcpu_tsc(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmi_vcpu_dump(FILE *f)
{
	fprintf(f, "state if=%d\n", vmi_vcpu_get_if());
	fprintf(f, "state cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx\n", (unsigned long long)vmi_run_cpu.cr[0],
		(unsigned long long)vmi_run_cpu.cr[2], (unsigned long long)vmi_run_cpu.cr[3],
		(unsigned long long)vmi_run_cpu.cr[4]);
	fprintf(f, "state dr0=0x%llx dr1=0x%llx dr2=0x%llx dr3=0x%llx dr6=0x%llx dr7=0x%llx\n",
		(unsigned long long)vmi_run_cpu.dr[0], (unsigned long long)vmi_run_cpu.dr[1],
		(unsigned long long)vmi_run_cpu.dr[2], (unsigned long long)vmi_run_cpu.dr[3],
		(unsigned long long)vmi_run_cpu.dr[6], (unsigned long long)vmi_run_cpu.dr[7]);
	for (uint32_t i = 0; i < vmi_run_cpu.nmsr; i++)
		fprintf(f, "state msr[0x%x]=0x%llx\n", vmi_run_cpu.msr_index[i],
			(unsigned long long)vmi_run_cpu.msr_value[i]);
}
