/* SPDX-License-Identifier: MIT */
/*
 * tools/common/policyarg.h - the --policy argument of vmipatch and vmidump:
 * parsed by the library (vmi_policy_parse, as the boot path parses vmi=),
 * and on a refusal a message that names the offending item and says why.
 */
#ifndef VMI_TOOL_POLICYARG_H
#define VMI_TOOL_POLICYARG_H

#include "diag.h"
#include "vmi/patcher.h"

/**
 * vmi_policy_arg - parse @text into @pol (VMI_OPTS-initialised).
 * Return: VMI_EXIT_OK, or VMI_EXIT_USAGE with @d holding one line such as
 * "--policy: item 'ident:nonsense' (at offset 6): unknown category or
 * call 'nonsense' (categories: cpu, irq, ...; or a call name)".
 */
int vmi_policy_arg(vmi_policy *pol, const char *text, vmi_diag *d);

#endif /* VMI_TOOL_POLICYARG_H */
