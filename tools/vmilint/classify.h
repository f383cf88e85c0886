/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/classify.h - which instructions a VMI guest must annotate.
 *
 *   privileged  Zydis says the instruction needs CPL 0
 *               (ZYDIS_ATTRIB_IS_PRIVILEGED: mov to/from CRn/DRn, lgdt,
 *               wrmsr, hlt, invlpg, ...): it traps when the kernel is
 *               deprivileged, which is slow but correct.
 *   sensitive   runs at any CPL without trapping but reads or changes
 *               state the hypervisor virtualizes, so it silently gives the
 *               wrong answer unless annotated: pushf/popf (all widths),
 *               sgdt, sidt, sldt, smsw, str; the IOPL-sensitive cli, sti,
 *               in/out/ins/outs and iret (all widths); and cpuid, rdtsc,
 *               rdtscp, rdpmc, which the VMI call catalog virtualizes
 *               (CPUID, GetCycleCounter, RDPMC).
 */
#ifndef VMI_LINT_CLASSIFY_H
#define VMI_LINT_CLASSIFY_H

#include <Zydis/Zydis.h>

enum vmi_lint_kind {
	VMI_LINT_NONE = 0,       /* nothing to annotate */
	VMI_LINT_PRIVILEGED = 1, /* traps at CPL > 0 */
	VMI_LINT_SENSITIVE = 2,  /* does not trap: wrong results unless annotated */
};

/** vmi_lint_classify - the kind of one decoded instruction. */
enum vmi_lint_kind vmi_lint_classify(const ZydisDecodedInstruction *in);

/** vmi_lint_kind_name - "privileged", "sensitive", "none". */
const char *vmi_lint_kind_name(enum vmi_lint_kind k);

#endif /* VMI_LINT_CLASSIFY_H */
