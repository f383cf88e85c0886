/* SPDX-License-Identifier: MIT */
/*
 * patcher/decide.c - the form of one site and why.
 *
 * The rules, in order; the first that matches wins (DESIGN.md "Interface
 * evolution", docs/design-notes.md "Decision order"):
 *   1. call id not in the catalog                  IDENT unknown-call
 *   2. unknown must-understand site flag           IDENT unknown-flag
 *   3. global reason (no ROM, arch, major, all)    IDENT <that reason>
 *   4. policy forces IDENT for the call/category   IDENT policy
 *   5. site or call needs a newer minor            IDENT rom-minor-too-old
 *                                                  (policy if only the cap refused)
 *   6. the call's feature bit is not offered       IDENT feature-missing
 *                                                  (policy if it was denied)
 *   7. the ROM has no entry for the call           IDENT not-offered
 *   8. the ROM's preferred form: IDENT -> rom-ident; NOP -> NOP (IDENT
 *      policy under no-nop); INLINE -> stub if it fits and clobbers only
 *      what the site allows, else CALL (call-fallback) when the ROM has an
 *      entry, else IDENT does-not-fit / clobbers; CALL -> see vmi_try_call.
 */
#include "internal.h"

static void vmi_set(vmi_decision *d, uint32_t form, uint32_t reason, uint32_t enc)
{
	d->form = (uint8_t)form;
	d->reason = (uint8_t)reason;
	d->encoding = (uint8_t)enc;
}

/* Pick the CALL encoding; VMI_REASON_OK with *enc set, or why none works. */
uint32_t vmi_try_call(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
		      const vmi_rom_call *rc, uint32_t *enc)
{
	if (s->flags & VMI_SITE_F_NO_CALL)
		return VMI_REASON_NO_CALL;
	if (rc->call_clobbers & ~s->clobbers)
		return VMI_REASON_CLOBBERS;

	uint64_t slot = vmi_slot_addr(opts, s->call_id);
	uint64_t target = opts->rom_addr + rc->entry_off;
	bool ind_fits = s->len >= VMI_CALL_IND_LEN;
	bool rel_fits = s->len >= VMI_CALL_REL32_LEN;

	bool slot_ok, slot_reach;
	if (offer->arch == VMI_ARCH_I386)
		slot_reach = slot && slot + VMI_SLOT_SIZE <= 0x100000000ull;
	else
		slot_reach = slot && vmi_rel32_reaches(s->addr + VMI_CALL_IND_LEN, slot);
	slot_ok = slot_reach && ind_fits;

	if (opts->flags & VMI_PATCH_F_INDIRECT) {
		/* The ROM's address is not known (an offline image): a direct
		 * call would jump to rom_addr, which means nothing yet. */
		if (slot_ok) {
			*enc = offer->arch == VMI_ARCH_I386 ? VMI_ENC_CALL_ABS : VMI_ENC_CALL_RIP;
			return VMI_REASON_OK;
		}
		return slot_reach ? VMI_REASON_DOES_NOT_FIT : VMI_REASON_OUT_OF_RANGE;
	}
	if (offer->arch == VMI_ARCH_I386) {
		if (!rel_fits)
			return VMI_REASON_DOES_NOT_FIT;
		*enc = VMI_ENC_CALL_REL32; /* rel32 wraps mod 2^32: always reaches */
		return VMI_REASON_OK;
	}
	if (!rel_fits)
		return VMI_REASON_DOES_NOT_FIT;
	if (vmi_rel32_reaches(s->addr + VMI_CALL_REL32_LEN, target)) {
		*enc = VMI_ENC_CALL_REL32;
		return VMI_REASON_OK;
	}
	if (slot_ok) {
		*enc = VMI_ENC_CALL_RIP;
		return VMI_REASON_OK;
	}
	return VMI_REASON_OUT_OF_RANGE;
}

void vmi_decide_site(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
		     vmi_decision *d)
{
	const vmi_policy *pol = offer->policy;
	const vmi_call_info *ci = vmi_call_lookup(s->call_id);
	vmi_rom_call rc;
	uint32_t enc = VMI_ENC_NONE, why;

	vmi_set(d, VMI_FORM_IDENT, VMI_REASON_OK, VMI_ENC_NONE);
	if (!ci) {
		d->reason = VMI_REASON_UNKNOWN_CALL;
		return;
	}
	if (s->flags & VMI_SITE_F_MU_MASK & ~VMI_SITE_F_KNOWN) {
		d->reason = VMI_REASON_UNKNOWN_FLAG;
		return;
	}
	if (offer->global_reason != VMI_REASON_OK) {
		d->reason = offer->global_reason;
		return;
	}
	if (vmi_pol_ident_call(pol, s->call_id) ||
	    (vmi_pol_ident_categories(pol) >> ci->category) & 1) {
		d->reason = VMI_REASON_POLICY;
		return;
	}
	uint32_t need = s->min_minor > ci->minor ? s->min_minor : ci->minor;
	if (need > offer->minor) {
		bool rom_had_it = offer->rom && offer->rom->minor >= need;
		d->reason = offer->minor_capped && rom_had_it ? VMI_REASON_POLICY : VMI_REASON_ROM_MINOR;
		return;
	}
	if (ci->feature && !(offer->features & ci->feature)) {
		d->reason = offer->denied_features & ci->feature ? VMI_REASON_POLICY : VMI_REASON_FEATURE;
		return;
	}
	uint32_t slot = s->call_id < VMI_CALL_ID_LIMIT ? offer->call_slot[s->call_id] : 0;
	/* call_slot entries come from the validated table (negotiate.c). */
	if (!slot || !offer->rom || slot > offer->rom->call_count) {
		d->reason = VMI_REASON_NOT_OFFERED;
		return;
	}
	vmi_rom_call_at_fast(offer->rom, slot - 1u, &rc);

	switch (rc.form) {
	case VMI_FORM_NOP:
		if (vmi_pol_flags(pol) & VMI_POLICY_F_NO_NOP)
			d->reason = VMI_REASON_POLICY;
		else
			vmi_set(d, VMI_FORM_NOP, VMI_REASON_OK, VMI_ENC_NONE);
		return;
	case VMI_FORM_INLINE: {
		bool refused = (vmi_pol_flags(pol) & VMI_POLICY_F_NO_INLINE) ||
			       vmi_pol_no_inline_call(pol, s->call_id);
		if (!refused && rc.stub_len <= s->len && !(rc.stub_clobbers & ~s->clobbers)) {
			vmi_set(d, VMI_FORM_INLINE, VMI_REASON_OK, VMI_ENC_NONE);
			return;
		}
		if (!rc.entry_off) {
			d->reason = refused ? VMI_REASON_POLICY
				    : rc.stub_len > s->len ? VMI_REASON_DOES_NOT_FIT
							   : VMI_REASON_CLOBBERS;
			return;
		}
		why = vmi_try_call(offer, opts, s, &rc, &enc);
		if (why == VMI_REASON_OK)
			vmi_set(d, VMI_FORM_CALL, VMI_REASON_CALL_FALLBACK, enc);
		else
			d->reason = (uint8_t)why;
		return;
	}
	case VMI_FORM_CALL:
		why = vmi_try_call(offer, opts, s, &rc, &enc);
		if (why == VMI_REASON_OK)
			vmi_set(d, VMI_FORM_CALL, VMI_REASON_OK, enc);
		else
			d->reason = (uint8_t)why;
		return;
	default:
		d->reason = VMI_REASON_ROM_IDENT;
		return;
	}
}
