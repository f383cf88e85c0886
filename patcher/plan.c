/* SPDX-License-Identifier: MIT */
/*
 * patcher/plan.c - phase one: decide and validate every site, save the
 * bytes the sites hold, and nothing else. No byte of the target is written
 * here, so a bad annotation set leaves the text exactly as it was.
 */
#include "internal.h"
#include "vmi/internal/util.h"
#include "vmi/internal/site_wire.h"

/*
 * The fast loop copies a site's bytes in fixed pieces of 16 bytes (32 for
 * a site longer than 16) and lets each write run past the bytes it owns:
 * the site's next write, the next site's, or the rare path's exact one
 * covers them. That takes the branches on each length out of the loop
 * (one on 16 or 32 stays). So the fast loop reads up to VMI_FAST_SPAN
 * bytes at each source (its window tests and the ROM stub test allow for
 * that) and keeps VMI_FAST_SLACK bytes of pool free past a site's place:
 * its final bytes start at most SPAN in, after the originals, and its
 * furthest write, the padding's, ends at most 2 x SPAN past them.
 */
#define VMI_FAST_SPAN VMI_SITE_MAX_LEN
#define VMI_FAST_SLACK (3 * VMI_FAST_SPAN)

/* Is [addr, addr+len) not wholly inside [base, base+size)? Both tests
 * always run (no short circuit: one branch at the caller); the second is
 * meaningful only when the first fails. An addr below base wraps to an
 * offset past any size (regions_check keeps base + size in range). */
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
 * what the call's field counts from): an IDENT for a length-independent reason or a
 * NOP holds for any length, an INLINE for any length at least the
 * remembered one (the stub still fits), a CALL likewise as long as its
 * encoding still reaches from the new address; a CALL that was a fallback
 * from a stub that did not fit holds only for the same length.
 */
/* 32 bytes, so the memo (one per call id) stays small on a boot stack. */
typedef struct vmi_outcome {
	uint32_t key;       /* the entry's min_minor, flags, clobbers (wire bytes 12..15) */
	uint32_t lens;      /* bit (n & 31): holds for a site of n bytes (n is 5..32, so 32 is bit 0); 0: none */
	uint32_t fre;       /* form | reason << 8 | encoding << 16: the decision's bytes 20..22 */
	uint32_t reach_hi;  /* holds where (next - addr + 2^31) >> 32 <= reach_hi: 0 (a rel32 must reach), ~0 (anywhere) */
	uint64_t next;      /* CALL: vmi_call_base() of its destination */
	uint32_t stub_off;  /* INLINE: stub offset in the ROM image */
	uint8_t stub_len;   /* INLINE */
	uint8_t reserved[3];
} vmi_outcome;
_Static_assert(sizeof(vmi_outcome) == 32, "vmi_outcome: 32 bytes");

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

static inline uint32_t vmi_len_bit(uint32_t len)
{
	return 1u << (len & 31);
}

/* Site lengths from @lo up to VMI_SITE_MAX_LEN as vmi_outcome.lens bits. */
static uint32_t vmi_lens_from(uint32_t lo)
{
	uint32_t bits = 0;
	for (uint32_t n = lo; n <= VMI_SITE_MAX_LEN; n++)
		bits |= vmi_len_bit(n);
	return bits;
}
_Static_assert(VMI_SITE_MAX_LEN == 32 && VMI_SITE_MIN_LEN_I386 > 0, "vmi_outcome.lens: one bit per site length");

/* Does remembered outcome @m hold for a site of @key and @len at @addr? */
static inline bool vmi_outcome_holds(const vmi_outcome *m, uint32_t key, uint32_t len, uint64_t addr)
{
	return m->key == key && ((m->lens >> (len & 31)) & 1) &&
	       (m->next - addr + 0x80000000ull) >> 32 <= m->reach_hi;
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
	*m = (vmi_outcome){ .key = vmi_site_key(s), .reach_hi = UINT32_MAX };
	m->fre = (uint32_t)d.form | (uint32_t)d.reason << 8 | (uint32_t)d.encoding << 16;
	uint64_t dest = 0;
	if (d.form == VMI_FORM_INLINE || d.form == VMI_FORM_CALL) {
		/* Decided only for a call the ROM's table has: the entry exists. */
		vmi_rom_call rc;
		vmi_rom_call_at_fast(offer->rom, (uint32_t)offer->call_slot[s->call_id] - 1, &rc);
		m->stub_off = rc.stub_off;
		m->stub_len = (uint8_t)rc.stub_len;
		dest = d.encoding == VMI_ENC_CALL_REL32 ? opts->rom_addr + rc.entry_off : vmi_slot_addr(opts, s->call_id);
	}
	m->next = vmi_call_base(d.encoding, dest);
	bool recheck = false;
	if (d.form == VMI_FORM_CALL && offer->arch == VMI_ARCH_X86_64) {
		/* An x86-64 displacement must reach from each site; an i386 one
		 * wraps around, and an absolute slot address needs no reach. */
		if (d.encoding == VMI_ENC_CALL_REL32 || (opts->flags & VMI_PATCH_F_INDIRECT))
			m->reach_hi = 0;
		else
			/* Direct mode took the slot only because rel32 missed: at
			 * another address rel32 may win, so decide afresh. */
			recheck = true;
	}
	if (s->call_id >= VMI_CALL_ID_LIMIT || recheck)
		return; /* not remembered (lens stays 0) */
	/* The fast loop reads VMI_FAST_SPAN bytes of a stub: one that close
	 * to the ROM's end is rendered the exact way, site by site. */
	if (d.form == VMI_FORM_INLINE && m->stub_off + (uint64_t)VMI_FAST_SPAN > offer->rom->size)
		return;
	if (d.form == VMI_FORM_NOP || (d.form == VMI_FORM_IDENT && vmi_reason_len_free(d.reason)))
		m->lens = vmi_lens_from(1);
	else if (d.form == VMI_FORM_INLINE || (d.form == VMI_FORM_CALL && d.reason == VMI_REASON_OK))
		m->lens = vmi_lens_from(s->len);
	else if (d.form == VMI_FORM_CALL)
		m->lens = vmi_len_bit(s->len);
}

/* The final bytes of a site at @addr of @len bytes with outcome @m.
 * @native: host view of its native copy. Exact writes: nothing past
 * out[len - 1]. The rare path's; vmi_fast_emit() writes the same bytes
 * in fixed-size pieces for the fast loop (a form added here goes there
 * too: tests/unit/test_memo.c compares the two site by site). */
static inline void vmi_render(const uint8_t *rom_image, const vmi_outcome *m, uint64_t addr, uint32_t len,
			      const uint8_t *native, uint32_t native_len, uint8_t *out)
{
	uint32_t n = 0;

	switch ((uint8_t)m->fre) {
	case VMI_FORM_IDENT:
		vmi_copy_upto32(out, native, native_len);
		n = native_len;
		break;
	case VMI_FORM_INLINE:
		vmi_copy_upto32(out, rom_image + m->stub_off, m->stub_len);
		n = m->stub_len;
		break;
	case VMI_FORM_CALL:
		n = vmi_encode_call(out, (uint8_t)(m->fre >> 16), addr, m->next);
		break;
	default:
		break;
	}
	vmi_nop_pad(out + n, len - n);
}

/*
 * A window on one region: the fast loop's bounds test without a lookup.
 * Addresses are taken from the host address of the entry's offset field,
 * so the window carries the sums that turn that address plus the offset
 * into the offset in the window (@woff) and into a host address (@host).
 * @shut: the one-compare test below cannot be used (no region yet, or
 * one shorter than the fast loop's reads); the fast loop does not run on
 * it.
 */
typedef struct vmi_window {
	uint64_t woff;     /* window offset = field's host address + offset + woff */
	uint64_t last;     /* last window offset a VMI_FAST_SPAN-byte read may start at */
	uintptr_t host;    /* host address = field's host address + offset + host */
	uint64_t region;   /* region index << 56, its place in decision word 2 */
	uint32_t shut;     /* 1: not usable by the fast loop */
} vmi_window;

/* @tbias: target address of a table byte minus its host address. */
static inline vmi_window vmi_window_of(const vmi_patch_opts *o, int region, uint64_t tbias)
{
	if (region < 0)
		return (vmi_window){ .shut = 1 };
	const vmi_region *r = &o->regions[region];
	return (vmi_window){ .woff = tbias - r->addr,
			     .last = r->len - VMI_FAST_SPAN,
			     .host = (uintptr_t)r->host + (uintptr_t)(tbias - r->addr),
			     .region = (uint64_t)region << 56,
			     .shut = r->len < VMI_FAST_SPAN };
}

/* Does a VMI_FAST_SPAN-byte read at window offset @off (so any site or
 * native copy starting there) miss an open window? One compare: an offset
 * below the window wraps past last. */
static inline bool vmi_window_misses(const vmi_window *w, uint64_t off)
{
	return off > w->last;
}

/* The decision's bytes 8..23 as two words: one store each instead of
 * eight. Bytes 16..19 are the entry's bytes 8..11 (call id, length,
 * native length) as read. The field layout is pinned below; a
 * big-endian host stores field by field. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VMI_DEC_PACKED 1
_Static_assert(offsetof(vmi_decision, index) == 8 && offsetof(vmi_decision, orig_off) == 12 &&
		       offsetof(vmi_decision, call_id) == 16 && offsetof(vmi_decision, len) == 18 &&
		       offsetof(vmi_decision, native_len) == 19 && offsetof(vmi_decision, form) == 20 &&
		       offsetof(vmi_decision, reason) == 21 && offsetof(vmi_decision, encoding) == 22 &&
		       offsetof(vmi_decision, region) == 23 && sizeof(vmi_decision) == 24,
	       "vmi_decision layout the planner stores as words");
#endif
_Static_assert(VMI_SE_CALL_ID == 8 && VMI_SE_SITE_LEN == 10 && VMI_SE_NATIVE_LEN == 11,
	       "entry bytes 8..11: call id, length, native length");

/* The entry's bytes 8..11 as one word (vmi_decision's bytes 16..19). */
static inline uint32_t vmi_ident_of(uint32_t call_id, uint32_t len, uint32_t native_len)
{
	return call_id | len << 16 | native_len << 24;
}

/* @ident: the entry's bytes 8..11 (vmi_ident_of); @fre and @region come
 * shifted to their places in word 2 (vmi_outcome, vmi_window). */
static inline void vmi_dec_put(vmi_decision *d, uint64_t addr, uint32_t index, uint32_t orig_off, uint32_t ident,
			       uint64_t fre, uint64_t region)
{
#ifdef VMI_DEC_PACKED
	uint64_t w1 = (uint64_t)index | (uint64_t)orig_off << 32;
	uint64_t w2 = (uint64_t)ident | fre | region;
	d->addr = addr;
	__builtin_memcpy((uint8_t *)d + 8, &w1, 8);
	__builtin_memcpy((uint8_t *)d + 16, &w2, 8);
#else
	d->addr = addr;
	d->index = index;
	d->orig_off = orig_off;
	d->call_id = (uint16_t)ident;
	d->len = (uint8_t)(ident >> 16);
	d->native_len = (uint8_t)(ident >> 24);
	d->form = (uint8_t)(fre >> 32);
	d->reason = (uint8_t)(fre >> 40);
	d->encoding = (uint8_t)(fre >> 48);
	d->region = (uint8_t)(region >> 56);
#endif
}

/* Copy @span (16 or 32) bytes as words. */
static inline void vmi_move_span(uint8_t *d, const uint8_t *s, const uint32_t span)
{
	uint64_t w0, w1, w2, w3;
	VMI_MOVE_(&w0, s, 8);
	VMI_MOVE_(&w1, s + 8, 8);
	if (span > 16) {
		VMI_MOVE_(&w2, s + 16, 8);
		VMI_MOVE_(&w3, s + 24, 8);
		VMI_MOVE_(d + 16, &w2, 8);
		VMI_MOVE_(d + 24, &w3, 8);
	}
	VMI_MOVE_(d, &w0, 8);
	VMI_MOVE_(d + 8, &w1, 8);
}

/* vmi_nop_pad's bytes for @k <= @span bytes at @p (8-byte NOPs, then the
 * last NOP, which overwrites any 8-byte one past it), writing up to @span
 * bytes, each a word move of a vmi_nop_rows row. */
static inline void vmi_nop_pad_over(uint8_t *p, uint32_t k, const uint32_t span)
{
	uint32_t last = (k - (k != 0)) & ~7u; /* where the last NOP starts */
	VMI_MOVE_(p, vmi_nop_rows[7], 8);
	if (span > 16) {
		VMI_MOVE_(p + 8, vmi_nop_rows[7], 8);
		VMI_MOVE_(p + 16, vmi_nop_rows[7], 8);
	}
	/* k - last is 1..8 (the row of that NOP); for k = 0 any row past p. */
	VMI_MOVE_(p + last, vmi_nop_rows[(k - last - 1) & 7], 8);
}

/*
 * The fast loop's record of a site of @len <= @span bytes (16 or 32): its
 * original bytes from @host, then its final bytes (vmi_render()'s, in
 * fixed-size pieces: one function for both measured 5% slower), each
 * write free to run up to VMI_FAST_SLACK bytes past @out. @native: the native copy, or any
 * @span readable bytes when @native_len is 0.
 */
static inline __attribute__((always_inline)) void vmi_fast_emit(uint8_t *out, const uint8_t *host, uint32_t len,
								const vmi_outcome *m, uint64_t addr,
								const uint8_t *native, uint32_t native_len,
								const uint8_t *rom_image, const uint32_t span)
{
	uint8_t *fin = out + len;
	uint32_t n;
	vmi_move_span(out, host, span);
	switch ((uint8_t)m->fre) {
	case VMI_FORM_IDENT:
		vmi_move_span(fin, native, span);
		n = native_len;
		break;
	case VMI_FORM_INLINE:
		vmi_move_span(fin, rom_image + m->stub_off, span);
		n = m->stub_len;
		break;
	case VMI_FORM_CALL:
		n = vmi_encode_call_word(fin, (uint8_t)(m->fre >> 16), addr, m->next);
		break;
	default:
		n = 0;
		break;
	}
	vmi_nop_pad_over(fin + n, len - n, span);
}

/*
 * What the per-site loop carries. Kept in one place so the rare path can
 * be a function of its own: the fast loop then makes no call, and its
 * values stay in registers instead of being saved around one.
 */
typedef struct vmi_planner {
	const vmi_annotations *ann;
	const vmi_offer *offer;
	const vmi_patch_opts *o;   /* the plan's full-size copy */
	const uint8_t *rom_image;  /* NULL without a ROM */
	vmi_decision *dec;
	uint8_t *pool;
	size_t pool_cap;           /* pool bytes available */
	size_t pool_off;           /* pool bytes used */
	uint64_t tbias;            /* target address of a table byte minus its host address */
	uint64_t prev_end;         /* end of the previous site */
	uint32_t irregular;        /* a site started before the previous one ended */
	uint32_t min_len;          /* the arch's shortest site */
	int region, native_region; /* of the last site the full checks saw */
	vmi_window win, nwin;      /* on those regions */
	/* The last outcome per call id; the extra slot stands for ids past
	 * the limit and never holds. */
	vmi_outcome memo[VMI_CALL_ID_LIMIT + 1];
} vmi_planner;

/* The rare path's record of site @i: its decision, its original bytes,
 * its final bytes, each written exactly. */
static inline __attribute__((always_inline)) void vmi_plan_emit(const vmi_planner *p, uint32_t i, size_t pool_off,
								const vmi_outcome *m, uint64_t addr, uint32_t ident,
								uint64_t region, const uint8_t *host, const uint8_t *native)
{
	uint8_t *out = p->pool + pool_off;
	uint32_t len = (ident >> 16) & 0xff, native_len = ident >> 24;
	vmi_dec_put(&p->dec[i], addr, i, (uint32_t)pool_off, ident, (uint64_t)m->fre << 32, region);
	vmi_copy_upto32(out, host, len);
	vmi_render(p->rom_image, m, addr, len, native, native_len, out + len);
}

/*
 * The rare path for site @i: the full checks (and the error of a bad
 * site), new windows, the full decision when the remembered one does not
 * hold, and the site's record.
 */
static __attribute__((noinline)) vmi_status vmi_plan_slow(vmi_planner *p, uint32_t i)
{
	vmi_site s;
	vmi_site_decode(p->ann, i, &s);
	vmi_status st = vmi_site_check(p->o, p->ann->arch, &s, &p->region, &p->native_region);
	if (st != VMI_OK)
		return st;
	p->win = vmi_window_of(p->o, p->region, p->tbias);
	p->nwin = vmi_window_of(p->o, p->native_region, p->tbias);
	if (2u * s.len > p->pool_cap - p->pool_off)
		return VMI_E_NO_SPACE;
	p->irregular |= (uint32_t)(s.addr < p->prev_end);
	p->prev_end = s.addr + s.len;
	vmi_outcome *m = &p->memo[s.call_id < VMI_CALL_ID_LIMIT ? s.call_id : VMI_CALL_ID_LIMIT];
	if (!vmi_outcome_holds(m, vmi_site_key(&s), s.len, s.addr))
		vmi_outcome_decide(p->offer, p->o, &s, m);
	const vmi_region *r = &p->o->regions[p->region];
	const uint8_t *host = r->host + (s.addr - r->addr), *native = NULL;
	if (s.native_len) {
		const vmi_region *nr = &p->o->regions[p->native_region];
		native = nr->host + (s.native_addr - nr->addr);
	}
	vmi_plan_emit(p, i, p->pool_off, m, s.addr, vmi_ident_of(s.call_id, s.len, s.native_len), p->win.region,
		      host, native);
	p->pool_off += 2u * s.len;
	return VMI_OK;
}

/*
 * The fast path: sites from @i on while each is inside the current
 * windows, of a valid length, in address order after the previous one,
 * fits the pool and its call's remembered outcome holds. Returns the
 * first site it did not take (the table's count when done). The entry is
 * read in place at its wire offsets. Each test is its own branch, never
 * taken on a good table, which costs less than combining them.
 */
static inline __attribute__((always_inline)) uint32_t vmi_plan_fast_esz(vmi_planner *p, uint32_t i,
									 const uint32_t esz)
{
	const uint32_t count = p->ann->count;
	/* The pool test below keeps VMI_FAST_SLACK bytes free past each site. */
	if (p->win.shut || p->pool_cap < VMI_FAST_SLACK)
		return i;
	const size_t pool_last = p->pool_cap - VMI_FAST_SLACK;
	uint8_t *const pool = p->pool;
	vmi_decision *const dec = p->dec;
	const uint8_t *const rom_image = p->rom_image;
	/* Without a native window yet (no site had a native copy), test
	 * native copies against the site's own region: one inside it is in a
	 * region, which is all the full checks ask. */
	const vmi_window win = p->win, nwin = p->nwin.shut ? p->win : p->nwin;
	/* Sites below this prefetch the text of a site VMI_PREFETCH_SITES ahead. */
	const uint32_t ahead_end = count > VMI_PREFETCH_SITES ? count - VMI_PREFETCH_SITES : 0;
	const uint32_t min_len = p->min_len;
	const uint64_t tbias = p->tbias;
	const vmi_outcome *memo = p->memo;
	size_t pool_off = p->pool_off;
	uint64_t prev_end = p->prev_end;
	const uint8_t *e = p->ann->table + (size_t)i * esz;

	for (; i < count; i++, e += esz) {
		/* A kernel's sites are far apart in text that is not in the
		 * cache (an image just read, a kernel just loaded): ask for the
		 * text of a site a few entries ahead, so the misses overlap
		 * instead of stalling one by one. Integer arithmetic: the address
		 * may be anywhere, and a prefetch never faults. */
		if (i < ahead_end) {
			const uint8_t *ahead = e + (size_t)VMI_PREFETCH_SITES * esz;
			__builtin_prefetch((const void *)((uintptr_t)ahead + win.host +
							  (uintptr_t)(int32_t)vmi_le32(ahead + VMI_SE_SITE_OFF)));
		}
		/* Unsigned 64-bit sums: a hostile offset wraps (defined) and
		 * then fails the bounds test. Each offset counts from its own
		 * field (site_off is the entry's first). */
		const uint64_t at = (uint64_t)(uintptr_t)e;
		const uint64_t site = at + (uint64_t)(int64_t)(int32_t)vmi_le32(e + VMI_SE_SITE_OFF);
		const uint64_t nat = at + VMI_SE_NATIVE_OFF + (uint64_t)(int64_t)(int32_t)vmi_le32(e + VMI_SE_NATIVE_OFF);
		const uint32_t ident = vmi_le32(e + VMI_SE_CALL_ID);
		const uint32_t call_id = ident & 0xffff, len = (ident >> 16) & 0xff, native_len = ident >> 24;
		const uint64_t addr = site + tbias;
		/* Lengths first: the window tests need len <= VMI_SITE_MAX_LEN. */
		if (len - min_len > VMI_SITE_MAX_LEN - min_len || native_len > len)
			break;
		if (vmi_window_misses(&win, site + win.woff))
			break;
		if (native_len && vmi_window_misses(&nwin, nat + nwin.woff))
			break;
		/* Out of order or overlapping: the rare path notes it. */
		if (addr < prev_end || pool_off > pool_last)
			break;
		const vmi_outcome *m = &memo[call_id < VMI_CALL_ID_LIMIT ? call_id : VMI_CALL_ID_LIMIT];
		if (!vmi_outcome_holds(m, vmi_le32(e + VMI_SE_MIN_MINOR), len, addr))
			break;
		prev_end = addr + len;
		const uint8_t *host = (const uint8_t *)(win.host + (uintptr_t)site);
		/* No native copy: a harmless read of the site's own bytes. */
		const uint8_t *native = native_len ? (const uint8_t *)(nwin.host + (uintptr_t)nat) : host;
		vmi_dec_put(&dec[i], addr, i, (uint32_t)pool_off, ident, (uint64_t)m->fre << 32, win.region);
		if (len <= 16)
			vmi_fast_emit(pool + pool_off, host, len, m, addr, native, native_len, rom_image, 16);
		else
			vmi_fast_emit(pool + pool_off, host, len, m, addr, native, native_len, rom_image, 32);
		pool_off += 2u * len;
	}
	p->pool_off = pool_off;
	p->prev_end = prev_end;
	return i;
}

/* Entries of today's size get a loop where the size is a constant (the
 * entry fields are then fixed offsets from one pointer); a table from a
 * newer guest with longer entries gets the general one. */
static uint32_t vmi_plan_fast(vmi_planner *p, uint32_t i)
{
	if (p->ann->entry_size == VMI_SITE_ENTRY_V1_SIZE)
		return vmi_plan_fast_esz(p, i, VMI_SITE_ENTRY_V1_SIZE);
	return vmi_plan_fast_esz(p, i, p->ann->entry_size);
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
	const uint32_t count = ann->count;
	size_t dec_bytes = (size_t)count * sizeof(vmi_decision);
	if (ws_len < dec_bytes)
		return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);
	/* Pool offsets are 32-bit (vmi_decision.orig_off). */
	size_t pool_cap = ws_len - dec_bytes < UINT32_MAX ? ws_len - dec_bytes : UINT32_MAX;

	vmi_planner p = {
		.ann = ann,
		.offer = offer,
		.o = &plan->opts,
		.rom_image = offer->rom ? offer->rom->image : NULL,
		.dec = (vmi_decision *)ws,
		/* An empty table may come with no workspace at all: no NULL arithmetic. */
		.pool = ws ? (uint8_t *)ws + dec_bytes : NULL,
		.pool_cap = pool_cap,
		.tbias = ann->table_addr - (uint64_t)(uintptr_t)ann->table,
		.min_len = ann->arch == VMI_ARCH_I386 ? VMI_SITE_MIN_LEN_I386 : VMI_SITE_MIN_LEN_X86_64,
		.region = -1,
		.native_region = -1,
	};
	/* Nothing remembered yet (lens 0), no window open yet: the first site
	 * takes the rare path. */
	p.win = p.nwin = vmi_window_of(p.o, -1, p.tbias);
	/* Linkers emit tables in address order, so the loop only notes a site
	 * that starts before the previous one ends (out of order, or an
	 * overlap); such a table is sorted and checked after the loop. */
	for (uint32_t i = 0; (i = vmi_plan_fast(&p, i)) < count; i++) {
		st = vmi_plan_slow(&p, i);
		if (st == VMI_E_NO_SPACE)
			return vmi_plan_fail(plan, st, 0, 0);
		if (st != VMI_OK)
			return vmi_plan_fail(plan, st, i, i);
	}
	size_t pool_len = count ? p.pool_off : 0;
	if (ws_len < vmi_ws_bytes(count, pool_len))
		return vmi_plan_fail(plan, VMI_E_NO_SPACE, 0, 0);

	vmi_decision *dec = p.dec;
	if (p.irregular) {
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
	plan->count = count;
	plan->arch = ann->arch;
	plan->pool = p.pool;
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
