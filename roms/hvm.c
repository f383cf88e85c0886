/* SPDX-License-Identifier: MIT */
/*
 * roms/hvm.c - a ROM for hardware-assisted virtualisation: the CPU
 * virtualises privileged instructions itself, so almost every call stays
 * IDENT; only calls that are pure overhead there become NOPs.
 */
#include "rom_common.h"

VMI_ROM_DECLARE("hvm", VMI_SAMPLE_MAJOR, VMI_SAMPLE_MINOR, VMI_FEAT_APIC);
VMI_ROM_INIT(vmi_rom_init);

/* Nothing to do under hardware virtualisation. */
VMI_ROM_NOP(IODelay);
VMI_ROM_NOP(AllocatePage);
VMI_ROM_NOP(ReleasePage);
VMI_ROM_NOP(SetDeferredMode);
VMI_ROM_NOP(FlushDeferredCalls);

/* Everything else: native. */
VMI_ROM_IDENT(CPUID);
VMI_ROM_IDENT(WRMSR);
VMI_ROM_IDENT(RDMSR);
VMI_ROM_IDENT(SetGDT);
VMI_ROM_IDENT(SetIDT);
VMI_ROM_IDENT(SetLDT);
VMI_ROM_IDENT(SetTR);
VMI_ROM_IDENT(GetGDT);
VMI_ROM_IDENT(GetIDT);
VMI_ROM_IDENT(GetLDT);
VMI_ROM_IDENT(GetTR);
VMI_ROM_IDENT(SetCR0);
VMI_ROM_IDENT(SetCR2);
VMI_ROM_IDENT(SetCR3);
VMI_ROM_IDENT(SetCR4);
VMI_ROM_IDENT(GetCR0);
VMI_ROM_IDENT(GetCR2);
VMI_ROM_IDENT(GetCR3);
VMI_ROM_IDENT(GetCR4);
VMI_ROM_IDENT(CLTS);
VMI_ROM_IDENT(WBINVD);
VMI_ROM_IDENT(DisableInterrupts);
VMI_ROM_IDENT(EnableInterrupts);
VMI_ROM_IDENT(GetInterruptMask);
VMI_ROM_IDENT(SetInterruptMask);
VMI_ROM_IDENT(Halt);
VMI_ROM_IDENT(SafeHalt);
VMI_ROM_IDENT(INB);
VMI_ROM_IDENT(INW);
VMI_ROM_IDENT(INL);
VMI_ROM_IDENT(OUTB);
VMI_ROM_IDENT(OUTW);
VMI_ROM_IDENT(OUTL);
VMI_ROM_IDENT(SetPTE);
VMI_ROM_IDENT(UpdatePTE);
VMI_ROM_IDENT(SetPxE);
VMI_ROM_IDENT(UpdatePxE);
VMI_ROM_IDENT(SetPxELong);
VMI_ROM_IDENT(UpdatePxELong);
VMI_ROM_IDENT(InvalPage);
VMI_ROM_IDENT(FlushTLB);
VMI_ROM_IDENT(GetCycleCounter);
VMI_ROM_IDENT(APICWrite);
VMI_ROM_IDENT(APICRead);
