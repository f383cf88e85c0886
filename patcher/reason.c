/* SPDX-License-Identifier: MIT */
/*
 * patcher/reason.c - names of the decision reasons (reports, boot log).
 */
#include "vmi/patcher.h"

/* Fixed-width rows instead of a table of string pointers: a pointer table
 * would need absolute relocations, which the relocatable patcher forbids.
 * Index = enum vmi_reason (wire-stable). */
static const char vmi_reason_names[VMI_REASON_COUNT][20] = {
	"ok",           "call-fallback", "no-rom",    "rom-major",         "rom-minor-too-old",
	"feature-missing", "not-offered", "rom-ident", "unknown-call",     "unknown-flag",
	"clobbers",     "does-not-fit",  "out-of-range", "policy",         "no-call",
	"arch",
};

const char *vmi_reason_name(uint32_t reason)
{
	if (reason >= VMI_REASON_COUNT)
		return "?";
	return vmi_reason_names[reason];
}
