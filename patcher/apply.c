/* SPDX-License-Identifier: MIT */
/*
 * patcher/apply.c - phase two: write the planned bytes; and the way back.
 *
 * Every write to patched text goes through vmi_text_poke() (internal.h,
 * where the SMP caveat is). Sites are written in address
 * order (the plan sorted them), so a scan of the text never meets a later
 * site patched before an earlier one; tools and the boot log rely on it.
 */
#include "internal.h"
#include "vmi/internal/util.h"

/*
 * Write every site's planned bytes (@final) or the bytes it held at plan
 * time, where the text does not hold them already. Host address = target
 * address + bias within one region; sites come in address order, so the
 * region rarely changes. Integer sums, so a prefetch guess in another
 * region is only a wasted prefetch. Inlined into both callers, so @final
 * is a constant in each loop.
 */
static inline __attribute__((always_inline)) void vmi_poke_sites(const vmi_plan *plan, bool final)
{
	const vmi_decision *dec = plan->decisions;
	const uint32_t count = plan->count;
	uint32_t region = UINT32_MAX;
	uintptr_t bias = 0;
	for (uint32_t i = 0; i < count; i++) {
		const vmi_decision *d = &dec[i];
		if (d->region != region) {
			const vmi_region *r = &plan->opts.regions[d->region];
			region = d->region;
			bias = (uintptr_t)r->host - (uintptr_t)r->addr;
		}
		uint8_t *host = (uint8_t *)((uintptr_t)d->addr + bias);
		/* The text may have left the cache since planning: overlap the
		 * misses, as the planner does (a prefetch never faults). */
		if (i + VMI_PREFETCH_SITES < count)
			__builtin_prefetch((const void *)((uintptr_t)dec[i + VMI_PREFETCH_SITES].addr + bias), 1);
		const uint8_t *src = final ? vmi_dec_final(plan, d) : vmi_dec_orig(plan, d);
		if (!vmi_same_upto32(host, src, d->len))
			vmi_text_poke(host, src, d->len);
	}
}

vmi_status vmi_plan_apply(vmi_plan *plan)
{
	if (!plan)
		return VMI_E_INVALID_ARG;
	if (plan->state == VMI_PLAN_EMPTY)
		return VMI_E_STATE;
	/* vmi_plan_build rendered every site's final bytes into the
	 * workspace: apply only copies them, so it cannot fail half-way. */
	vmi_poke_sites(plan, true);
	if (plan->opts.slots && plan->offer->rom) {
		for (uint32_t i = 0; i < plan->count; i++) {
			const vmi_decision *d = &plan->decisions[i];
			vmi_rom_call rc;
			if (d->form != VMI_FORM_CALL || d->encoding == VMI_ENC_CALL_REL32)
				continue;
			VMI_CHECK(vmi_rom_call_at(plan->offer->rom, plan->offer->call_slot[d->call_id] - 1, &rc));
			vmi_put_le64(plan->opts.slots + (size_t)VMI_SLOT_SIZE * d->call_id,
				     plan->opts.rom_addr + rc.entry_off);
		}
	}
	plan->state = VMI_PLAN_APPLIED;
	return VMI_OK;
}

vmi_status vmi_plan_unpatch(vmi_plan *plan)
{
	if (!plan)
		return VMI_E_INVALID_ARG;
	if (plan->state != VMI_PLAN_APPLIED)
		return VMI_E_STATE;
	vmi_poke_sites(plan, false);
	plan->state = VMI_PLAN_UNPATCHED;
	return VMI_OK;
}
