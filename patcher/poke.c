/* SPDX-License-Identifier: MIT */
/*
 * patcher/poke.c - the int3 cross-modification protocol (vmi/poke.h).
 *
 * Three passes over the sites, each followed by at most one sync, so a
 * batch of any size costs at most three syncs (the expensive part: each is
 * an IPI to every CPU). Freestanding: no state, no allocation, and the
 * only bytes it writes itself are a 0xCC on its own stack.
 */
#include <stdbool.h>

#include "vmi/poke.h"
#include "vmi/internal/util.h"

/* Do the site's old and new bytes differ in [from, len)? */
static bool vmi_poke_differs(const vmi_poke_site *s, uint32_t from)
{
	for (uint32_t i = from; i < s->len; i++)
		if (s->old_bytes[i] != s->new_bytes[i])
			return true;
	return false;
}

/* Everything checked before the first write: a bad batch must leave the
 * text untouched, not half-trapped. */
static vmi_status vmi_poke_validate(const vmi_poke_ops *ops, const vmi_poke_site *sites, uint32_t n)
{
	if (!ops || VMI_OPTS_SZ(ops) < offsetof(vmi_poke_ops, sync) + sizeof(ops->sync))
		return VMI_E_INVALID_ARG; /* both hooks are required */
	if (!VMI_OPTS_VALID(ops, vmi_poke_ops))
		return VMI_E_OPTS_UNKNOWN;
	if (!ops->write || !ops->sync || (!sites && n))
		return VMI_E_INVALID_ARG;
	for (uint32_t i = 0; i < n; i++) {
		const vmi_poke_site *s = &sites[i];
		if (!s->old_bytes || !s->new_bytes || s->len == 0 || s->len > VMI_POKE_MAX_LEN ||
		    s->addr + s->len < s->addr)
			return VMI_E_INVALID_ARG;
		/* Sorted and disjoint: what makes the trap lookup a binary
		 * search, and two sites never fight over one byte. */
		if (i && sites[i - 1].addr + sites[i - 1].len > s->addr)
			return VMI_E_INVALID_ARG;
	}
	return VMI_OK;
}

vmi_status vmi_poke_batch(const vmi_poke_ops *ops, const vmi_poke_site *sites, uint32_t n,
			  uint32_t *syncs_out)
{
	const uint8_t int3 = VMI_POKE_INT3;
	uint32_t syncs = 0;
	bool wrote = false;
	vmi_status st = vmi_poke_validate(ops, sites, n);
	if (st != VMI_OK)
		goto out;

	/* Phase 1: int3 on the first byte of every changing site. After the
	 * sync no CPU can start running a site without trapping first. Sites
	 * that change only in their tail need the int3 too: a CPU could
	 * otherwise run old first bytes with a torn tail. */
	for (uint32_t i = 0; i < n; i++) {
		if (!vmi_poke_differs(&sites[i], 0))
			continue;
		if ((st = ops->write(ops->ctx, sites[i].addr, &int3, 1)) != VMI_OK)
			goto out;
		wrote = true;
	}
	if (!wrote)
		goto out; /* nothing changes: no int3, no sync */
	if ((st = ops->sync(ops->ctx)) != VMI_OK)
		goto out;
	syncs++;

	/* Phase 2: the new tails, unreachable behind the int3s, so they may
	 * tear. The sync makes sure no CPU sees the new first byte (phase 3)
	 * before the tail it belongs to. Equal tails are not rewritten; if no
	 * tail changes, the sync is skipped (nothing to order). */
	wrote = false;
	for (uint32_t i = 0; i < n; i++) {
		const vmi_poke_site *s = &sites[i];
		if (s->len < 2 || !vmi_poke_differs(s, 1))
			continue;
		if ((st = ops->write(ops->ctx, s->addr + 1, s->new_bytes + 1, s->len - 1u)) != VMI_OK)
			goto out;
		wrote = true;
	}
	if (wrote) {
		if ((st = ops->sync(ops->ctx)) != VMI_OK)
			goto out;
		syncs++;
	}

	/* Phase 3: replace each int3 by the new first byte: a single-byte
	 * store, so a CPU sees int3 or the complete new site. The final sync
	 * guarantees no CPU still runs into an int3 of this batch once we
	 * return (the caller may then reuse the site array and resume code).
	 * Written even when the first byte did not change: the int3 is there. */
	for (uint32_t i = 0; i < n; i++) {
		const vmi_poke_site *s = &sites[i];
		if (!vmi_poke_differs(s, 0))
			continue;
		if ((st = ops->write(ops->ctx, s->addr, s->new_bytes, 1)) != VMI_OK)
			goto out;
	}
	if ((st = ops->sync(ops->ctx)) == VMI_OK)
		syncs++;
out:
	if (syncs_out)
		*syncs_out = syncs;
	return st;
}

vmi_status vmi_poke_trap_target(const vmi_poke_site *sites, uint32_t n, uint64_t trap_addr,
				uint64_t *resume_addr)
{
	if (!resume_addr || (!sites && n))
		return VMI_E_INVALID_ARG;
	/* Sites are sorted (vmi_poke_batch checked it): binary search for
	 * the one starting at trap_addr. */
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sites[mid].addr < trap_addr) {
			lo = mid + 1;
		} else if (sites[mid].addr > trap_addr) {
			hi = mid;
		} else {
			/* An unchanged site got no int3: the trap is not ours. */
			if (!vmi_poke_differs(&sites[mid], 0))
				return VMI_E_INVALID_ARG;
			*resume_addr = sites[mid].resume;
			return VMI_OK;
		}
	}
	return VMI_E_INVALID_ARG;
}
