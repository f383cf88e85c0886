/* SPDX-License-Identifier: MIT */
/*
 * tests/roms/thunks.c - a test ROM whose C implementations only report
 * what they received, so the exec tests can check that each SDK register
 * thunk delivers the call's native registers as C arguments and the C
 * result back in the native registers (both arches). Arguments land in
 * data->cr[0] and data->cr[2]; results are fixed functions of them.
 */
#include "vmi/rom_sdk.h"

static struct vmi_rom_data *td;

static int t_init(void *data, uint32_t size, uint32_t guest_version)
{
	(void)guest_version;
	if (!data || size < VMI_ROM_DATA_SIZE)
		return VMI_ROM_INIT_TOO_SMALL;
	td = data;
	td->magic = VMI_ROM_DATA_MAGIC;
	return VMI_ROM_INIT_OK;
}

static uint32_t t_inw(uint32_t port)
{
	td->counts[VMI_CALL_INW]++;
	td->cr[0] = port;
	return port * 3 + 1;
}

static void t_outl(uint32_t value, uint32_t port)
{
	td->counts[VMI_CALL_OUTL]++;
	td->cr[0] = value;
	td->cr[2] = port;
}

static uint64_t t_rdmsr(uint32_t index)
{
	td->counts[VMI_CALL_RDMSR]++;
	td->cr[0] = index;
	return (uint64_t)index << 32 | 0x89abcdefu;
}

static void t_wrmsr(uint32_t index, uint64_t value)
{
	td->counts[VMI_CALL_WRMSR]++;
	td->cr[0] = index;
	td->cr[2] = value;
}

static uint64_t t_tsc(void)
{
	td->counts[VMI_CALL_GetCycleCounter]++;
	return 0x0123456789abcdefull;
}

static void t_cpuid(struct vmi_rom_cpuid *r)
{
	td->counts[VMI_CALL_CPUID]++;
	td->cr[0] = r->eax;
	td->cr[2] = r->ecx;
	r->eax += 1;
	r->ebx = 0xb0b0;
	r->ecx += 2;
	r->edx = 0xd0d0;
}

VMI_ROM_DECLARE("thunks", 1, 3, 0);
VMI_ROM_INIT(t_init);
VMI_ROM_CALL(INW, t_inw);
VMI_ROM_CALL(OUTL, t_outl);
VMI_ROM_CALL(RDMSR, t_rdmsr);
VMI_ROM_CALL(WRMSR, t_wrmsr);
VMI_ROM_CALL(GetCycleCounter, t_tsc);
VMI_ROM_CALL(CPUID, t_cpuid);
