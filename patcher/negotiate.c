/* SPDX-License-Identifier: MIT */
/*
 * patcher/negotiate.c - guest x ROM x policy -> offer.
 *
 * A mismatch is never an error: it becomes a global reason that leaves
 * every site IDENT, so a guest always boots (native) whatever ROM it meets.
 */
#include "internal.h"
#include "vmi/internal/util.h"

vmi_status vmi_negotiate(const vmi_guest *guest, const vmi_rom *rom, const vmi_policy *policy,
			 vmi_offer *out)
{
	if (!guest || !out)
		return VMI_E_INVALID_ARG;
	if (policy && !VMI_OPTS_VALID(policy, vmi_policy))
		return VMI_E_OPTS_UNKNOWN;
	vmi_memset(out, 0, sizeof(*out));
	out->rom = rom;
	out->policy = policy;
	out->arch = guest->arch;

	if (!rom)
		out->global_reason = VMI_REASON_NO_ROM;
	else if (rom->arch != guest->arch)
		out->global_reason = VMI_REASON_ARCH;
	else if (rom->major != guest->req_major)
		out->global_reason = VMI_REASON_ROM_MAJOR;
	else if (vmi_pol_flags(policy) & VMI_POLICY_F_ALL_IDENT)
		out->global_reason = VMI_REASON_POLICY;
	if (!rom)
		return VMI_OK;

	uint32_t cap = vmi_pol_max_minor(policy);
	out->minor = rom->minor;
	if (cap < rom->minor) {
		out->minor = (uint8_t)cap;
		out->minor_capped = 1;
	}
	out->denied_features = rom->features & vmi_pol_deny_features(policy);
	out->features = rom->features & ~out->denied_features;

	for (uint32_t i = 0; i < rom->call_count; i++) {
		vmi_rom_call c;
		if (vmi_rom_call_at(rom, i, &c) != VMI_OK)
			return VMI_E_INVALID_ARG; /* not a validated ROM */
		if (c.call_id < VMI_CALL_ID_LIMIT)
			out->call_slot[c.call_id] = (uint16_t)(i + 1);
	}
	return VMI_OK;
}
