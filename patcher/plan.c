/* SPDX-License-Identifier: MIT */
/*
 * patcher/plan.c - phase one: decide and validate every site, save the
 * bytes the sites hold, and nothing else. No byte of the target is written
 * here, so a bad annotation set leaves the text exactly as it was.
 */
#include "internal.h"
#include "vmi/internal/util.h"
#include "vmi/internal/site_wire.h"

/* Is [addr, addr+len) not wholly inside [base, base+size)? Both tests
 * always run (no short circuit, so the per-site loop has one branch); the
 * second is meaningful only when the first fails. An addr below base wraps
 * to an offset past any size (regions_check keeps base + size in range). */
static inline unsigned vmi_span_misses(uint64_t base, uint64_t size, uint64_t addr, uint64_t len)
{
	uint64_t off = addr - base;
	return (unsigned)(off > size) | (unsigned)(len > size - off);
}

/*
 * Index of the region that wholly holds [addr, addr+len) and has the
 * @need flags, or -1. Regions do not overlap, so there is at most one.
 */
static int vmi_region_scan(const vmi_patch_opts *o, uint64_t addr, uint64_t len, uint32_t need)
{
	for (uint32_t i = 0; i < o->nregions; i++) {
		const vmi_region *r = &o->regions[i];
		if ((r->flags & need) == need && !vmi_span_misses(r->addr, r->len, addr, len))
			return (int)i;
	}
	return -1;
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

/* Check one site against the regions and the length rules; on success
 * *region (and *native_region, if it has a native copy) say where it is. */
static vmi_status vmi_site_check(const vmi_patch_opts *o, uint32_t arch, const vmi_site *s, int *region,
				 int *native_region)
{
	uint32_t min = arch == VMI_ARCH_I386 ? VMI_SITE_MIN_LEN_I386 : VMI_SITE_MIN_LEN_X86_64;
	if ((*region = vmi_region_scan(o, s->addr, s->len ? s->len : 1, VMI_REGION_F_EXEC)) < 0)
		return VMI_E_SITE_BOUNDS;
	if (s->len < min)
		return VMI_E_SITE_TOO_SHORT;
	if (s->len > VMI_SITE_MAX_LEN)
		return VMI_E_SITE_TOO_LONG;
	if (s->native_len > s->len)
		return VMI_E_NATIVE_TOO_LONG;
	if (s->native_len && (*native_region = vmi_region_scan(o, s->native_addr, s->native_len, 0)) < 0)
		return VMI_E_NATIVE_BOUNDS;
	return VMI_OK;
}

/*
 * A site's decision depends on its call, flags, minor, clobbers and length,
 * and on its address only through the reach of a call. Sites of one call
 * mostly agree on all but the address, so the last outcome per call is
 * remembered, with what rendering it needs (the stub's place in the ROM,
 * the call's destination): an IDENT for a length-independent reason or a
 * NOP holds for any length, an INLINE for any length at least the
 * remembered one (the stub still fits), a CALL likewise as long as its
 * encoding still reaches from the new address; a CALL that was a fallback
 * from a stub that did not fit holds only for the same length.
 */
/* What a CALL outcome must re-check at another address. */
enum { VMI_REACH_ANY = 0, VMI_REACH_REL32, VMI_REACH_SLOT, VMI_REACH_RECHECK };
/* form and encoding are also in fre; kept apart on purpose: deriving them
 * from fre in the per-site loop cost ~5 instructions per site (callgrind). */
typedef struct vmi_outcome {
	uint32_t key;       /* the entry's min_minor, flags, clobbers (wire bytes 12..15) */
	uint8_t lo, hi;     /* site lengths it holds for; lo > hi: none */
	uint8_t form;       /* enum vmi_form */
	uint8_t reach;      /* VMI_REACH_* (CALL) */
	uint32_t fre;       /* form | reason << 8 | encoding << 16, as the decision stores them */
	uint8_t encoding;   /* enum vmi_encoding (CALL) */
	uint8_t stub_len;   /* INLINE */
	uint16_t reserved;
	uint32_t stub_off;  /* INLINE: stub offset in the ROM image */
	uint64_t dest;      /* CALL: the ROM entry (REL32) or the slot (RIP/ABS) */
} vmi_outcome;

/* The key of a site: its wire bytes 12..15 as one little-endian word. */
static inline uint32_t vmi_site_key(const vmi_site *s)
{
	return (uint32_t)s->min_minor | (uint32_t)s->flags << 8 | (uint32_t)s->clobbers << 16;
}
_Static_assert(VMI_SE_MIN_MINOR == 12 && VMI_SE_FLAGS == 13 && VMI_SE_CLOBBERS == 14,
	       "vmi_site_key reads entry bytes 12..15 as one word");

static bool vmi_reason_len_free(uint32_t reason)
{
	return reason != VMI_REASON_DOES_NOT_FIT && reason != VMI_REASON_CLOBBERS &&
	       reason != VMI_REASON_NO_CALL && reason != VMI_REASON_OUT_OF_RANGE;
}

/* Does remembered outcome @m hold for a site of @key and @len at @addr? */
static inline bool vmi_outcome_holds(const vmi_outcome *m, uint32_t key, uint32_t len, uint64_t addr)
{
	if (m->key != key || len < m->lo || len > m->hi)
		return false;
	switch (m->reach) {
	case VMI_REACH_ANY:
		return true;
	case VMI_REACH_REL32:
		return vmi_rel32_reaches(addr + VMI_CALL_REL32_LEN, m->dest);
	case VMI_REACH_SLOT:
		return vmi_rel32_reaches(addr + VMI_CALL_IND_LEN, m->dest);
	default:
		return false; /* another encoding may win here: decide afresh */
	}
}

/*
 * The full decision of @s as an outcome: form and reason, what rendering
 * needs, and for which lengths it may be reused. Out of line: the per-site
 * loop runs it only when the remembered outcome does not hold.
 */
static __attribute__((noinline)) void vmi_outcome_decide(const vmi_offer *offer, const vmi_patch_opts *opts,
							 const vmi_site *s, vmi_outcome *m)
{
	vmi_decision d;
	vmi_decide_site(offer, opts, s, &d);
	*m = (vmi_outcome){ .key = vmi_site_key(s), .lo = 1, .hi = 0 };
	m->form = d.form;
	m->encoding = d.encoding;
	m->fre = (uint32_t)d.form | (uint32_t)d.reason << 8 | (uint32_t)d.encoding << 16;
	if (d.form == VMI_FORM_INLINE || d.form == VMI_FORM_CALL) {
		/* Decided only for a call the ROM's table has: the entry exists. */
		vmi_rom_call rc;
		vmi_rom_call_at_fast(offer->rom, (uint32_t)offer->call_slot[s->call_id] - 1, &rc);
		m->stub_off = rc.stub_off;
		m->stub_len = (uint8_t)rc.stub_len;
		m->dest = d.encoding == VMI_ENC_CALL_REL32 ? opts->rom_addr + rc.entry_off
							   : vmi_slot_addr(opts, s->call_id);
	}
	if (d.form == VMI_FORM_CALL) {
		bool x64 = offer->arch == VMI_ARCH_X86_64;
		bool indirect = opts->flags & VMI_PATCH_F_INDIRECT;
		if (d.encoding == VMI_ENC_CALL_REL32)
			m->reach = x64 ? VMI_REACH_REL32 : VMI_REACH_ANY;
		else if (d.encoding == VMI_ENC_CALL_RIP)
			/* Direct mode took the slot only because rel32 missed. */
			m->reach = indirect ? VMI_REACH_SLOT : VMI_REACH_RECHECK;
	}
	if (s->call_id >= VMI_CALL_ID_LIMIT)
		return; /* not remembered: no slot per call */
	if (d.form == VMI_FORM_NOP || (d.form == VMI_FORM_IDENT && vmi_reason_len_free(d.reason))) {
		m->lo = 0;
		m->hi = UINT8_MAX;
	} else if (d.form == VMI_FORM_INLINE || (d.form == VMI_FORM_CALL && d.reason == VMI_REASON_OK)) {
		m->lo = s->len;
		m->hi = UINT8_MAX;
	} else if (d.form == VMI_FORM_CALL) {
		m->lo = m->hi = s->len;
	}
}

/* The final bytes of a site at @addr of @len bytes with outcome @m.
 * @native: host view of its native copy. Exact writes: nothing past
 * out[len - 1]. */
static inline void vmi_render(const uint8_t *rom_image, const vmi_outcome *m, uint64_t addr, uint32_t len,
			      const uint8_t *native, uint32_t native_len, uint8_t *out)
{
	uint32_t n = 0;

	switch (m->form) {
	case VMI_FORM_IDENT:
		vmi_copy_upto32(out, native, native_len);
		n = native_len;
		break;
	case VMI_FORM_INLINE:
		vmi_copy_upto32(out, rom_image + m->stub_off, m->stub_len);
		n = m->stub_len;
		break;
	case VMI_FORM_CALL:
		n = vmi_encode_call(out, m->encoding, addr, m->dest);
		break;
	default:
		break;
	}
	vmi_nop_pad(out + n, len - n);
}

/* A window on one region: the hot loop's bounds test without a lookup. */
typedef struct vmi_window {
	uint8_t *host;
	uint64_t addr, len;
} vmi_window;

static inline vmi_window vmi_window_of(const vmi_patch_opts *o, int region)
{
	/* An empty window at 1 misses every site (none has length 0). */
	if (region < 0)
		return (vmi_window){ NULL, 1, 0 };
	const vmi_region *r = &o->regions[region];
	return (vmi_window){ r->host, r->addr, r->len };
}

static inline unsigned vmi_window_misses(const vmi_window *w, uint64_t addr, uint64_t len)
{
	return vmi_span_misses(w->addr, w->len, addr, len);
}

/* The decision's bytes 8..23 as two words: one store each instead of
 * eight. The field layout is pinned below; a big-endian host stores
 * field by field. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VMI_DEC_PACKED 1
_Static_assert(offsetof(vmi_decision, index) == 8 && offsetof(vmi_decision, orig_off) == 12 &&
		       offsetof(vmi_decision, call_id) == 16 && offsetof(vmi_decision, form) == 18 &&
		       offsetof(vmi_decision, reason) == 19 && offsetof(vmi_decision, encoding) == 20 &&
		       offsetof(vmi_decision, len) == 21 && offsetof(vmi_decision, region) == 22 &&
		       offsetof(vmi_decision, native_len) == 23 && sizeof(vmi_decision) == 24,
	       "vmi_decision layout the planner stores as words");
#endif

static inline void vmi_dec_put(vmi_decision *d, uint64_t addr, uint32_t index, uint32_t orig_off,
			       uint32_t call_id, uint32_t fre, uint32_t len, uint32_t region, uint32_t native_len)
{
#ifdef VMI_DEC_PACKED
	uint64_t w1 = (uint64_t)index | (uint64_t)orig_off << 32;
	uint64_t w2 = (uint64_t)call_id | (uint64_t)fre << 16 | (uint64_t)len << 40 | (uint64_t)region << 48 |
		      (uint64_t)native_len << 56;
	d->addr = addr;
	__builtin_memcpy((uint8_t *)d + 8, &w1, 8);
	__builtin_memcpy((uint8_t *)d + 16, &w2, 8);
#else
	d->addr = addr;
	d->index = index;
	d->orig_off = orig_off;
	d->call_id = (uint16_t)call_id;
	d->form = (uint8_t)fre;
	d->reason = (uint8_t)(fre >> 8);
	d->encoding = (uint8_t)(fre >> 16);
	d->len = (uint8_t)len;
	d->region = (uint8_t)region;
	d->native_len = (uint8_t)native_len;
#endif
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
	/* Pool offsets are 32-bit (vmi_decision.orig_off). */
	size_t pool_cap = ws_len - dec_bytes < UINT32_MAX ? ws_len - dec_bytes : UINT32_MAX;

	vmi_decision *dec = (vmi_decision *)ws;
	/* An empty table may come with no workspace at all: no NULL arithmetic. */
	uint8_t *pool = ws ? (uint8_t *)ws + dec_bytes : NULL;
	uint8_t *saved = pool;
	const vmi_patch_opts *o = &plan->opts;
	const uint32_t min_len = ann->arch == VMI_ARCH_I386 ? VMI_SITE_MIN_LEN_I386 : VMI_SITE_MIN_LEN_X86_64;
	int region = -1, native_region = -1;
	vmi_window win = vmi_window_of(o, -1), nwin = win;
	vmi_outcome memo[VMI_CALL_ID_LIMIT], scratch;
	for (uint32_t k = 0; k < VMI_CALL_ID_LIMIT; k++)
		memo[k] = (vmi_outcome){ .lo = 1, .hi = 0 };
	/* Linkers emit tables in address order, so the loop only notes a site
	 * that starts before the previous one ends (out of order, or an
	 * overlap); such a table is sorted and checked after the loop. */
	bool irregular = false;
	uint64_t prev_end = 0;
	/* The entry is read in place, field by field at its wire offsets; a
	 * vmi_site is built only for the rare sites the fast tests refer to
	 * the full checks and the full decision. */
	const uint8_t *rom_image = offer->rom ? offer->rom->image : NULL;
	const uint32_t count = ann->count, esz = ann->entry_size;
	const uint8_t *e = ann->table;
	uint64_t entry_addr = ann->table_addr;
	for (uint32_t i = 0; i < count; i++, e += esz, entry_addr += esz) {
		/* A kernel's sites are far apart in text that is not in the
		 * cache (an image just read, a kernel just loaded): ask for the
		 * text of a site a few entries ahead, so the misses overlap
		 * instead of stalling one by one. Integer arithmetic: the address
		 * may be anywhere, and a prefetch never faults. */
		if (i + VMI_PREFETCH_SITES < count) {
			const uint8_t *ahead = e + (size_t)VMI_PREFETCH_SITES * esz;
			uint64_t a = entry_addr + (uint64_t)VMI_PREFETCH_SITES * esz +
				     (uint64_t)(int64_t)(int32_t)vmi_le32(ahead + VMI_SE_SITE_OFF);
			__builtin_prefetch((const void *)((uintptr_t)win.host + (uintptr_t)(a - win.addr)));
		}
		/* Unsigned 64-bit sums: a hostile offset wraps (defined) and
		 * then fails the bounds test. */
		uint64_t addr = entry_addr + VMI_SE_SITE_OFF + (uint64_t)(int64_t)(int32_t)vmi_le32(e + VMI_SE_SITE_OFF);
		uint64_t native_addr = entry_addr + VMI_SE_NATIVE_OFF +
				       (uint64_t)(int64_t)(int32_t)vmi_le32(e + VMI_SE_NATIVE_OFF);
		uint32_t len = e[VMI_SE_SITE_LEN], native_len = e[VMI_SE_NATIVE_LEN];
		/* One branch for the common case; any doubt goes to the full
		 * checks, which also give the error of a bad site. */
		unsigned odd = vmi_window_misses(&win, addr, len) |
			       (unsigned)(len - min_len > VMI_SITE_MAX_LEN - min_len) | (unsigned)(native_len > len) |
			       (native_len ? vmi_window_misses(&nwin, native_addr, native_len) : 0u);
		const uint8_t *host, *native = NULL;
		if (!odd) {
			host = win.host + (addr - win.addr);
			if (native_len)
				native = nwin.host + (native_addr - nwin.addr);
		} else {
			vmi_site s;
			vmi_site_decode(ann, i, &s);
			st = vmi_site_check(o, ann->arch, &s, &region, &native_region);
			if (st != VMI_OK)
				return vmi_plan_fail(plan, st, i, i);
			win = vmi_window_of(o, region);
			nwin = vmi_window_of(o, native_region);
			host = win.host + (addr - win.addr);
			if (native_len)
				native = nwin.host + (native_addr - nwin.addr);
		}
		size_t pool_off = (size_t)(saved - pool);
		if (2u * len > pool_cap - pool_off)
			return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);
		irregular |= addr < prev_end;
		prev_end = addr + len;

		uint32_t call_id = vmi_le16(e + VMI_SE_CALL_ID);
		vmi_outcome *m = call_id < VMI_CALL_ID_LIMIT ? &memo[call_id] : &scratch;
		if (call_id >= VMI_CALL_ID_LIMIT ||
		    !vmi_outcome_holds(m, vmi_le32(e + VMI_SE_MIN_MINOR), len, addr)) {
			vmi_site s;
			vmi_site_decode(ann, i, &s);
			vmi_outcome_decide(offer, o, &s, m);
		}

		vmi_dec_put(&dec[i], addr, i, (uint32_t)pool_off, call_id, m->fre, len, (uint32_t)region, native_len);

		vmi_copy_upto32(saved, host, len);
		vmi_render(rom_image, m, addr, len, native, native_len, saved + len);
		saved += 2u * len;
	}
	size_t pool_len = count ? (size_t)(saved - pool) : 0;
	if (ws_len < vmi_ws_bytes(count, pool_len))
		return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);

	if (irregular) {
		/* Sorted by (address, entry index): for a table in order the first
		 * overlapping neighbours are the ones the entry order meets first. */
		vmi_dec_sort(dec, count);
		for (uint32_t k = 1; k < count; k++) {
			const vmi_decision *a = &dec[k - 1], *b = &dec[k];
			if (a->addr + a->len > b->addr)
				return vmi_plan_fail(plan, VMI_E_SITE_OVERLAP, a->index < b->index ? a->index : b->index,
						     a->index < b->index ? b->index : a->index);
		}
	}

	plan->decisions = dec;
	plan->count = ann->count;
	plan->arch = ann->arch;
	plan->pool = pool;
	plan->pool_len = pool_len;
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
