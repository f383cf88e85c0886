/* SPDX-License-Identifier: MIT */
/*
 * patcher/internal.h - what the patcher's files share and nobody else sees.
 */
#ifndef VMI_PATCHER_INTERNAL_H
#define VMI_PATCHER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmi/patcher.h"
#include "vmi/internal/rom_wire.h"

/* Policy accessors: a caller compiled against an older header may pass a
 * shorter vmi_policy, so every field is read through its size (policy.c). */
uint32_t vmi_pol_flags(const vmi_policy *p);
uint32_t vmi_pol_ident_categories(const vmi_policy *p);
uint32_t vmi_pol_deny_features(const vmi_policy *p);
uint32_t vmi_pol_max_minor(const vmi_policy *p);
bool vmi_pol_ident_call(const vmi_policy *p, uint32_t id);
bool vmi_pol_no_inline_call(const vmi_policy *p, uint32_t id);

/* x86 call encoders (encode.c). */
#define VMI_CALL_REL32_LEN 5 /* E8 rel32 */
#define VMI_CALL_IND_LEN 6   /* FF 15 disp32 / abs32 */
/* Does @target lie within a signed 32-bit displacement of @next? */
bool vmi_rel32_reaches(uint64_t next, uint64_t target);
/* Write the call @encoding at @site to @dest (the ROM entry for REL32, the
 * slot for RIP/ABS) into @out; return its length (0 for VMI_ENC_NONE). */
uint32_t vmi_encode_call(uint8_t *out, uint32_t encoding, uint64_t site, uint64_t dest);

/* Can site @s become a CALL of ROM entry @rc? VMI_REASON_OK with *enc set,
 * or why not (decide.c). */
uint32_t vmi_try_call(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
		      const vmi_rom_call *rc, uint32_t *enc);

/* Decision of one site (decide.c). @opts is the plan's full-size copy. */
void vmi_decide_site(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *site,
		     vmi_decision *d);

/* Slot address of call @id, 0 when there is no slot table. */
static inline uint64_t vmi_slot_addr(const vmi_patch_opts *opts, uint32_t id)
{
	return opts->slots_addr ? opts->slots_addr + (uint64_t)VMI_SLOT_SIZE * id : 0;
}

/* Each site's bytes in the workspace pool: the originals saved at plan
 * time, then the final bytes the plan rendered. */
static inline const uint8_t *vmi_dec_orig(const vmi_plan *plan, const vmi_decision *d)
{
	return plan->pool + d->orig_off;
}

static inline const uint8_t *vmi_dec_final(const vmi_plan *plan, const vmi_decision *d)
{
	return plan->pool + d->orig_off + d->len;
}

/* The one primitive that writes patched text (apply.c). */
void vmi_text_poke(uint8_t *dst, const uint8_t *src, uint32_t len);

#endif /* VMI_PATCHER_INTERNAL_H */
