/* SPDX-License-Identifier: MIT */
#include "classify.h"

enum vmi_lint_kind vmi_lint_classify(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: case ZYDIS_MNEMONIC_PUSHFQ:
	case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ:
	case ZYDIS_MNEMONIC_SGDT: case ZYDIS_MNEMONIC_SIDT: case ZYDIS_MNEMONIC_SLDT:
	case ZYDIS_MNEMONIC_SMSW: case ZYDIS_MNEMONIC_STR:
	case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_STI:
	case ZYDIS_MNEMONIC_IN: case ZYDIS_MNEMONIC_OUT:
	case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
	case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
	case ZYDIS_MNEMONIC_CPUID: case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_RDTSCP:
	case ZYDIS_MNEMONIC_RDPMC:
		/* A privileged form of these (if Zydis says so) is still reported as privileged. */
		return (in->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) ? VMI_LINT_PRIVILEGED : VMI_LINT_SENSITIVE;
	default:
		return (in->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED) ? VMI_LINT_PRIVILEGED : VMI_LINT_NONE;
	}
}

const char *vmi_lint_kind_name(enum vmi_lint_kind k)
{
	switch (k) {
	case VMI_LINT_PRIVILEGED: return "privileged";
	case VMI_LINT_SENSITIVE: return "sensitive";
	default: return "none";
	}
}
