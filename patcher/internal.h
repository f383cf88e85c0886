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
#include "vmi/internal/util.h"
#include "encode.h"

/* Policy accessors: a caller compiled against an older header may pass a
 * shorter vmi_policy, so every field is read through its size (policy.c). */
uint32_t vmi_pol_flags(const vmi_policy *p);
uint32_t vmi_pol_ident_categories(const vmi_policy *p);
uint32_t vmi_pol_deny_features(const vmi_policy *p);
uint32_t vmi_pol_max_minor(const vmi_policy *p);
bool vmi_pol_ident_call(const vmi_policy *p, uint32_t id);
bool vmi_pol_no_inline_call(const vmi_policy *p, uint32_t id);

/* Can site @s become a CALL of ROM entry @rc? VMI_REASON_OK with *enc set,
 * or why not (decide.c). */
uint32_t vmi_try_call(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
		      const vmi_rom_call *rc, uint32_t *enc);

/* Decision of one site (decide.c). @opts is the plan's full-size copy. */
void vmi_decide_site(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *site,
		     vmi_decision *d);

/* How many sites ahead plan and apply prefetch a site's text: far enough
 * to cover a miss to memory at their per-site speed. Costs ~8% on text
 * already in the cache; saves ~25% of an offline run over 16 MiB of text
 * that is not (bench/RESULTS.md). */
#define VMI_PREFETCH_SITES 8

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

/*
 * The canonical NOP padding for @len bytes: 8-byte NOPs, then one shorter
 * NOP for the rest (Intel SDM recommended forms). The bytes must stay
 * identical to the padding the guest macros emit (include/vmi/guest.h): an
 * IDENT site and a never-patched site are then byte-identical, which is
 * what lets an offline restore reproduce the input image exactly. Inline
 * because the planner pads every site; a 2-D byte array rather than
 * pointers, so nothing in it needs relocation.
 */
static const uint8_t vmi_nop_rows[8][8] = { /* row n-1: the n-byte NOP */
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static inline void vmi_nop_pad(uint8_t *buf, size_t len)
{
	for (; len > 8; len -= 8, buf += 8)
		__builtin_memcpy(buf, vmi_nop_rows[7], 8);
	vmi_copy_upto32(buf, vmi_nop_rows[len ? len - 1 : 0], len);
}

/*
 * The one primitive vmi_plan_apply/unpatch write patched text with: one
 * plain copy of at most VMI_SITE_MAX_LEN bytes, correct for a single CPU
 * at boot (or an offline image). Text other CPUs may be running is
 * rewritten with vmi_poke_batch (vmi/poke.h, the int3 protocol, one batch
 * for all sites) instead; a re-patch API over plans does not use it yet.
 */
static inline void vmi_text_poke(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	vmi_copy_upto32(dst, src, len);
}

#endif /* VMI_PATCHER_INTERNAL_H */
