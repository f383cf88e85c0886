/* SPDX-License-Identifier: GPL-2.0 */
/* Linux as a VMI guest (CONFIG_VMI): the hooks the core kernel calls. */
#ifndef _ASM_X86_VMI_H
#define _ASM_X86_VMI_H

#ifdef CONFIG_VMI
/* setup_arch(), once the direct map covers the ISA range: find the ROM. */
void __init vmi_probe_rom(void);
/*
 * Around Linux's own apply_paravirt() at boot: /proc/vmi and make
 * linux-bench compare its cost with vmipatch's on the same sites. Before
 * it, a vmlinux that vmipatch patched offline is checked against the ROM
 * found: it keeps its pre-applied sites, or gets its native bytes back.
 */
void __init vmi_linux_pass_begin(void);
void __init vmi_linux_pass_end(void);
/* alternative_instructions(), after Linux's own paravirt and alternatives passes. */
void __init vmi_patch_kernel(void);
/*
 * Linux's paravirt and alternatives passes skip a site that vmipatch
 * patched offline (the stamp matched the ROM): rewriting it would undo the
 * pre-applied plan.
 */
bool vmi_site_preapplied(const u8 *instr, unsigned int len);
#else
static inline void vmi_probe_rom(void) { }
static inline void vmi_linux_pass_begin(void) { }
static inline void vmi_linux_pass_end(void) { }
static inline void vmi_patch_kernel(void) { }
static inline bool vmi_site_preapplied(const u8 *instr, unsigned int len) { return false; }
#endif

#endif /* _ASM_X86_VMI_H */
