/* SPDX-License-Identifier: MIT */
/*
 * patcher/plan.c - phase one: decide and validate every site, save the
 * bytes the sites hold, and nothing else. No byte of the target is written
 * here, so a bad annotation set leaves the text exactly as it was.
 */
#include "internal.h"
#include "vmi/internal/util.h"
#include "vmi/internal/site_wire.h"

/* Does region @r wholly hold [addr, addr+len) and have the @need flags? */
static bool vmi_region_holds(const vmi_region *r, uint64_t addr, uint64_t len, uint32_t need)
{
	if ((r->flags & need) != need || addr < r->addr)
		return false;
	uint64_t off = addr - r->addr;
	return off <= r->len && len <= r->len - off;
}

/*
 * Index of the region that wholly holds [addr, addr+len), or -1. *hint is
 * the previous answer and is tried first: neighbouring sites share a
 * region, and so do the native copies, which sit together in one section.
 */
static int vmi_region_scan(const vmi_patch_opts *o, uint64_t addr, uint64_t len, uint32_t need)
{
	for (uint32_t i = 0; i < o->nregions; i++)
		if (vmi_region_holds(&o->regions[i], addr, len, need))
			return (int)i;
	return -1;
}

/* The hint test is what runs per site: keep it inline, the scan out of line. */
static inline int vmi_region_find(const vmi_patch_opts *o, uint64_t addr, uint64_t len, uint32_t need,
				  int *hint)
{
	if (*hint >= 0 && vmi_region_holds(&o->regions[*hint], addr, len, need))
		return *hint;
	return *hint = vmi_region_scan(o, addr, len, need);
}

static vmi_status vmi_regions_check(const vmi_patch_opts *o)
{
	if (!o->regions || !o->nregions || o->nregions > 255)
		return VMI_E_INVALID_ARG;
	for (uint32_t i = 0; i < o->nregions; i++) {
		const vmi_region *r = &o->regions[i];
		if ((r->len && !r->host) || r->addr + r->len < r->addr)
			return VMI_E_INVALID_ARG;
		if (i && r->addr < o->regions[i - 1].addr + o->regions[i - 1].len)
			return VMI_E_INVALID_ARG; /* unsorted or overlapping */
	}
	return VMI_OK;
}

/* Decisions, then per site its original bytes followed by its final bytes. */
static size_t vmi_ws_bytes(uint32_t count, size_t pool)
{
	return (size_t)count * sizeof(vmi_decision) + ((pool + 7) & ~(size_t)7);
}

vmi_status vmi_plan_workspace_size(const vmi_annotations *ann, size_t *bytes)
{
	if (!ann || !bytes)
		return VMI_E_INVALID_ARG;
	if (!ann->table && ann->count)
		return VMI_E_INVALID_ARG;
	/* Only the length byte matters here: read it in place rather than
	 * decoding every entry (the caller runs this over the whole table). */
	size_t site_bytes = 0;
	for (uint32_t i = 0; i < ann->count; i++)
		site_bytes += ann->table[(size_t)i * ann->entry_size + offsetof(struct vmi_site_entry, site_len)];
	*bytes = vmi_ws_bytes(ann->count, 2 * site_bytes);
	return VMI_OK;
}

/* Heap order: by address, ties by entry index (so overlaps report stably). */
static bool vmi_dec_less(const vmi_decision *a, const vmi_decision *b)
{
	return a->addr < b->addr || (a->addr == b->addr && a->index < b->index);
}

static void vmi_dec_swap(vmi_decision *a, vmi_decision *b)
{
	/* Plain struct moves: 24 bytes the compiler copies in registers. */
	vmi_decision t = *a;
	*a = *b;
	*b = t;
}

static void vmi_sift_down(vmi_decision *d, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t big = root, l = 2 * root + 1, r = l + 1;
		if (l < n && vmi_dec_less(&d[big], &d[l]))
			big = l;
		if (r < n && vmi_dec_less(&d[big], &d[r]))
			big = r;
		if (big == root)
			return;
		vmi_dec_swap(&d[root], &d[big]);
		root = big;
	}
}

/* In place, no allocation, O(n log n) even for a hostile table (a
 * linker-made table is already sorted and never gets here). */
static void vmi_dec_sort(vmi_decision *d, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		vmi_sift_down(d, i, n);
	for (uint32_t end = n; end > 1; end--) {
		vmi_dec_swap(&d[0], &d[end - 1]);
		vmi_sift_down(d, 0, end - 1);
	}
}

static vmi_status vmi_plan_fail(vmi_plan *plan, vmi_status st, uint32_t index, uint32_t other)
{
	plan->error = st;
	plan->error_index = index;
	plan->error_other = other;
	plan->state = VMI_PLAN_EMPTY;
	plan->count = 0;
	return st;
}

/* Check one site against the regions and the length rules. */
static vmi_status vmi_site_check(const vmi_patch_opts *o, uint32_t arch, const vmi_site *s, int *region,
				 int *native_region)
{
	uint32_t min = arch == VMI_ARCH_I386 ? VMI_SITE_MIN_LEN_I386 : VMI_SITE_MIN_LEN_X86_64;
	if (vmi_region_find(o, s->addr, s->len ? s->len : 1, VMI_REGION_F_EXEC, region) < 0)
		return VMI_E_SITE_BOUNDS;
	if (s->len < min)
		return VMI_E_SITE_TOO_SHORT;
	if (s->len > VMI_SITE_MAX_LEN)
		return VMI_E_SITE_TOO_LONG;
	if (s->native_len > s->len)
		return VMI_E_NATIVE_TOO_LONG;
	if (s->native_len && vmi_region_find(o, s->native_addr, s->native_len, 0, native_region) < 0)
		return VMI_E_NATIVE_BOUNDS;
	return VMI_OK;
}

/*
 * A site's decision depends on its call, flags, minor, clobbers and length,
 * and on its address only through the reach of a call. Sites of one call
 * mostly agree on all but the address, so the last decision per call is
 * remembered: an IDENT for a length-independent reason or a NOP holds for
 * any length, an INLINE for any length at least the remembered one (the
 * stub still fits), a CALL likewise but with its encoding and reach redone
 * for the new address; a CALL that was a fallback from a stub that did not
 * fit holds only for the same length.
 */
enum { VMI_MEMO_NONE = 0, VMI_MEMO_MIN_LEN, VMI_MEMO_EXACT_LEN };
typedef struct vmi_memo {
	uint16_t clobbers;  /* key: site clobbers */
	uint16_t slot;      /* ROM table index of a CALL (to redo its encoding) */
	uint8_t len;        /* key: length (see kind) */
	uint8_t flags;      /* key: site flags */
	uint8_t min_minor;  /* key: site minor */
	uint8_t kind;       /* VMI_MEMO_* */
	uint8_t form, reason, encoding, reserved;
} vmi_memo;

static bool vmi_reason_len_free(uint32_t reason)
{
	return reason != VMI_REASON_DOES_NOT_FIT && reason != VMI_REASON_CLOBBERS &&
	       reason != VMI_REASON_NO_CALL && reason != VMI_REASON_OUT_OF_RANGE;
}

static bool vmi_memo_hit(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
			 const vmi_memo *m, vmi_decision *d)
{
	if (m->kind == VMI_MEMO_NONE || m->flags != s->flags || m->min_minor != s->min_minor ||
	    m->clobbers != s->clobbers)
		return false;
	if (m->kind == VMI_MEMO_EXACT_LEN ? s->len != m->len : s->len < m->len)
		return false;
	d->form = m->form;
	d->reason = m->reason;
	d->encoding = m->encoding;
	if (m->form != VMI_FORM_CALL)
		return true;
	vmi_rom_call rc;
	uint32_t enc;
	vmi_rom_call_at_fast(offer->rom, m->slot, &rc);
	if (vmi_try_call(offer, opts, s, &rc, &enc) != VMI_REASON_OK)
		return false; /* out of reach here: the full decision says why */
	d->encoding = (uint8_t)enc;
	return true;
}

static void vmi_decide_memo(const vmi_offer *offer, const vmi_patch_opts *opts, const vmi_site *s,
			    vmi_decision *d, vmi_memo *memo)
{
	vmi_memo *m = s->call_id < VMI_CALL_ID_LIMIT ? &memo[s->call_id] : NULL;
	if (m && vmi_memo_hit(offer, opts, s, m, d))
		return;
	vmi_decide_site(offer, opts, s, d);
	if (!m)
		return;
	uint8_t kind = VMI_MEMO_NONE, len = 0;
	if (d->form == VMI_FORM_NOP || (d->form == VMI_FORM_IDENT && vmi_reason_len_free(d->reason))) {
		kind = VMI_MEMO_MIN_LEN;
	} else if (d->form == VMI_FORM_INLINE || (d->form == VMI_FORM_CALL && d->reason == VMI_REASON_OK)) {
		kind = VMI_MEMO_MIN_LEN;
		len = s->len;
	} else if (d->form == VMI_FORM_CALL) {
		kind = VMI_MEMO_EXACT_LEN;
		len = s->len;
	}
	m->kind = kind;
	if (kind == VMI_MEMO_NONE)
		return;
	m->clobbers = s->clobbers;
	m->slot = d->form == VMI_FORM_CALL ? (uint16_t)(offer->call_slot[s->call_id] - 1u) : 0;
	m->len = len;
	m->flags = s->flags;
	m->min_minor = s->min_minor;
	m->form = d->form;
	m->reason = d->reason;
	m->encoding = d->encoding;
}

/* The final bytes of a decided site. @native: host view of its native copy. */
static void vmi_render(const vmi_offer *of, const vmi_patch_opts *o, const vmi_decision *d,
		       const uint8_t *native, uint8_t *out)
{
	uint32_t n = 0;
	vmi_rom_call rc;

	/* The planner decided INLINE/CALL only for a call the ROM's table
	 * has, so the entry exists. */
	if (d->form == VMI_FORM_INLINE || d->form == VMI_FORM_CALL)
		vmi_rom_call_at_fast(of->rom, (uint32_t)of->call_slot[d->call_id] - 1, &rc);
	switch (d->form) {
	case VMI_FORM_IDENT:
		vmi_memcpy(out, native, d->native_len);
		n = d->native_len;
		break;
	case VMI_FORM_INLINE:
		vmi_memcpy(out, of->rom->image + rc.stub_off, rc.stub_len);
		n = rc.stub_len;
		break;
	case VMI_FORM_CALL: {
		uint64_t dest = d->encoding == VMI_ENC_CALL_REL32 ? o->rom_addr + rc.entry_off
								   : vmi_slot_addr(o, d->call_id);
		n = vmi_encode_call(out, d->encoding, d->addr, dest);
		break;
	}
	default:
		break;
	}
	vmi_nop_fill(out + n, d->len - n);
}

vmi_status vmi_plan_build(vmi_plan *plan, const vmi_annotations *ann, const vmi_offer *offer,
			  const vmi_patch_opts *opts, void *ws, size_t ws_len)
{
	if (!plan)
		return VMI_E_INVALID_ARG;
	vmi_memset(plan, 0, sizeof(*plan));
	if (!ann || !offer || !opts || (!ws && ws_len))
		return vmi_plan_fail(plan, VMI_E_INVALID_ARG, 0, 0);
	if (!VMI_OPTS_VALID(opts, vmi_patch_opts) || VMI_OPTS_SZ(opts) < sizeof(uint32_t))
		return vmi_plan_fail(plan, VMI_E_OPTS_UNKNOWN, 0, 0);
	/* Older callers' shorter opts: the missing fields stay zero (defaults). */
	size_t osz = VMI_OPTS_SZ(opts) < sizeof(vmi_patch_opts) ? VMI_OPTS_SZ(opts) : sizeof(vmi_patch_opts);
	vmi_memcpy(&plan->opts, opts, osz);
	plan->opts.size = sizeof(vmi_patch_opts);
	/* The view may be filled by hand: decoding below trusts these. */
	if ((!ann->table && ann->count) || ann->entry_size < VMI_SITE_ENTRY_V1_SIZE)
		return vmi_plan_fail(plan, VMI_E_INVALID_ARG, 0, 0);
	if (ann->arch != offer->arch ||
	    (ann->arch != VMI_ARCH_I386 && ann->arch != VMI_ARCH_X86_64) ||
	    ((uintptr_t)ws % _Alignof(vmi_decision)))
		return vmi_plan_fail(plan, VMI_E_INVALID_ARG, 0, 0);
	vmi_status st = vmi_regions_check(&plan->opts);
	if (st != VMI_OK)
		return vmi_plan_fail(plan, st, 0, 0);

	/* The workspace is checked as it fills (so the table is read once)
	 * and against the documented size at the end; nothing outside it is
	 * written either way. */
	size_t dec_bytes = (size_t)ann->count * sizeof(vmi_decision);
	if (ws_len < dec_bytes)
		return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);
	size_t pool_cap = ws_len - dec_bytes;

	vmi_decision *dec = (vmi_decision *)ws;
	/* An empty table may come with no workspace at all: no NULL arithmetic. */
	uint8_t *pool = ws ? (uint8_t *)ws + dec_bytes : NULL;
	size_t pool_off = 0;
	int region = -1, native_region = -1;
	vmi_memo memo[VMI_CALL_ID_LIMIT];
	vmi_memset(memo, 0, sizeof(memo));
	/* Linkers emit tables in address order: check order and overlaps of
	 * neighbours on the way, and sort only a table that is not. */
	bool sorted = true, overlap = false;
	uint32_t ov_lo = 0, ov_hi = 0;
	uint64_t prev_addr = 0, prev_end = 0;
	for (uint32_t i = 0; i < ann->count; i++) {
		vmi_site s;
		vmi_site_decode(ann, i, &s); /* i < count of a table init accepted */
		st = vmi_site_check(&plan->opts, ann->arch, &s, &region, &native_region);
		if (st != VMI_OK)
			return vmi_plan_fail(plan, st, i, i);
		if (2u * (size_t)s.len > pool_cap - pool_off || pool_off + 2u * s.len > UINT32_MAX)
			return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);

		if (i && s.addr < prev_addr)
			sorted = false;
		else if (i && sorted && !overlap && prev_end > s.addr) {
			overlap = true;
			ov_lo = i - 1;
			ov_hi = i;
		}
		prev_addr = s.addr;
		prev_end = s.addr + s.len;

		vmi_decision *d = &dec[i]; /* every field is set below or by the decision */
		d->addr = s.addr;
		d->index = i;
		d->orig_off = (uint32_t)pool_off;
		d->call_id = s.call_id;
		d->len = s.len;
		d->region = (uint8_t)region;
		d->native_len = s.native_len;
		vmi_decide_memo(offer, &plan->opts, &s, d, memo);

		const vmi_region *r = &plan->opts.regions[region];
		vmi_copy_small(pool + pool_off, r->host + (s.addr - r->addr), s.len); /* len >= 5 checked */
		const uint8_t *native = NULL;
		if (s.native_len) {
			const vmi_region *nr = &plan->opts.regions[native_region];
			native = nr->host + (s.native_addr - nr->addr);
		}
		vmi_render(offer, &plan->opts, d, native, pool + pool_off + s.len);
		pool_off += 2u * s.len;
	}
	if (ws_len < vmi_ws_bytes(ann->count, pool_off))
		return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);

	if (!sorted) {
		vmi_dec_sort(dec, ann->count);
		for (uint32_t k = 1; k < ann->count && !overlap; k++) {
			const vmi_decision *a = &dec[k - 1], *b = &dec[k];
			if (a->addr + a->len > b->addr) {
				overlap = true;
				ov_lo = a->index < b->index ? a->index : b->index;
				ov_hi = a->index < b->index ? b->index : a->index;
			}
		}
	}
	if (overlap)
		return vmi_plan_fail(plan, VMI_E_SITE_OVERLAP, ov_lo, ov_hi);

	plan->decisions = dec;
	plan->count = ann->count;
	plan->arch = ann->arch;
	plan->pool = pool;
	plan->pool_len = pool_off;
	plan->ann = ann;
	plan->offer = offer;
	plan->error = VMI_OK;
	plan->state = VMI_PLAN_PLANNED;
	return VMI_OK;
}

vmi_status vmi_plan_site_bytes(const vmi_plan *plan, uint32_t i, uint8_t *out, uint32_t *len)
{
	if (!plan || !out || plan->state == VMI_PLAN_EMPTY || i >= plan->count)
		return VMI_E_INVALID_ARG;
	const vmi_decision *d = &plan->decisions[i];
	vmi_memcpy(out, vmi_dec_final(plan, d), d->len);
	if (len)
		*len = d->len;
	return VMI_OK;
}

vmi_status vmi_plan_summarize(const vmi_plan *plan, vmi_summary *out)
{
	if (!plan || !out)
		return VMI_E_INVALID_ARG;
	vmi_memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < plan->count; i++) {
		const vmi_decision *d = &plan->decisions[i];
		out->sites++;
		if (d->form < VMI_FORM_COUNT)
			out->forms[d->form]++;
		if (d->reason < VMI_REASON_COUNT)
			out->reasons[d->reason]++;
		if (vmi_memcmp(vmi_dec_final(plan, d), vmi_dec_orig(plan, d), d->len))
			out->changed++;
	}
	return VMI_OK;
}
