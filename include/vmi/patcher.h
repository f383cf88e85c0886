/* SPDX-License-Identifier: MIT */
/*
 * vmi/patcher.h - negotiation, policy, and the two-phase patcher.
 *
 * Flow: vmi_negotiate() turns (guest note, ROM or none, policy) into an
 * offer; vmi_plan_build() decides every site and validates the whole
 * annotation set (bounds, overlaps, lengths) before a single byte is
 * written; vmi_plan_apply() writes; vmi_plan_unpatch() restores the bytes
 * the sites held before apply. The patcher never allocates: the caller
 * gives a workspace of vmi_plan_workspace_size() bytes. Stack: about
 * 5.3 KiB at most (vmi_plan_build's frame ~4.5 KiB, most of it the
 * per-call decision memo); the freestanding build fails if any frame
 * passes 5 KiB.
 *
 * Error convention: every call returns vmi_status. When planning fails the
 * plan records the entry index of the first bad site (vmi_plan.error_index).
 *
 * Opts structs start with a uint32_t size that the caller sets to
 * sizeof(the struct it was compiled with) (VMI_OPTS does it). A library
 * reading a shorter struct uses defaults for the missing fields; a longer
 * one is accepted only if the bytes this version does not know are zero
 * (VMI_E_OPTS_UNKNOWN otherwise), the libbpf scheme.
 */
#ifndef VMI_PATCHER_H
#define VMI_PATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"
#include "vmi/status.h"

/** VMI_OPTS - declare a zeroed opts struct with its size set. */
#define VMI_OPTS(type, name, ...) type name = { .size = sizeof(type), __VA_ARGS__ }

/* Why a site got its form. Wire-stable numbers (reports, boot log). */
enum vmi_reason {
	VMI_REASON_OK = 0,             /* "ok": the ROM's preferred form */
	VMI_REASON_CALL_FALLBACK = 1,  /* "call-fallback": inline stub did not fit or was refused; CALL used */
	VMI_REASON_NO_ROM = 2,         /* "no-rom": no ROM, run native */
	VMI_REASON_ROM_MAJOR = 3,      /* "rom-major": ROM major differs from the guest's */
	VMI_REASON_ROM_MINOR = 4,      /* "rom-minor-too-old": site needs a newer minor */
	VMI_REASON_FEATURE = 5,        /* "feature-missing": ROM lacks the call's feature bit */
	VMI_REASON_NOT_OFFERED = 6,    /* "not-offered": ROM has no entry for the call (it traps) */
	VMI_REASON_ROM_IDENT = 7,      /* "rom-ident": ROM asks for the native form */
	VMI_REASON_UNKNOWN_CALL = 8,   /* "unknown-call": call id not in this catalog */
	VMI_REASON_UNKNOWN_FLAG = 9,   /* "unknown-flag": unknown must-understand site flag */
	VMI_REASON_CLOBBERS = 10,      /* "clobbers": replacement clobbers more than the site allows */
	VMI_REASON_DOES_NOT_FIT = 11,  /* "does-not-fit": replacement longer than the site */
	VMI_REASON_OUT_OF_RANGE = 12,  /* "out-of-range": no direct or slot call reaches the ROM */
	VMI_REASON_POLICY = 13,        /* "policy": forced IDENT (call, category, all, feature, minor cap) */
	VMI_REASON_NO_CALL = 14,       /* "no-call": site forbids a CALL (VMI_SITE_F_NO_CALL) */
	VMI_REASON_ARCH = 15,          /* "arch": ROM code is for another arch */
	VMI_REASON_COUNT = 16
};

/* How a CALL form is encoded. */
enum vmi_encoding {
	VMI_ENC_NONE = 0,       /* not a call */
	VMI_ENC_CALL_REL32 = 1, /* E8 rel32 */
	VMI_ENC_CALL_RIP = 2,   /* x86-64: FF 15 disp32 -> call *slot(%rip) */
	VMI_ENC_CALL_ABS = 3,   /* i386: FF 15 abs32 -> call *slot */
};

/* Policy (size-versioned; zero-initialised = no restriction). */
#define VMI_POLICY_F_ALL_IDENT 0x1u /* every site IDENT */
#define VMI_POLICY_F_MAX_MINOR 0x2u /* max_minor below is valid */
#define VMI_POLICY_F_NO_INLINE 0x4u /* never INLINE: CALL where the ROM has an entry */
#define VMI_POLICY_F_NO_NOP 0x8u    /* never NOP: IDENT instead */
typedef struct vmi_policy {
	uint32_t size;             /* sizeof(struct vmi_policy) */
	uint32_t flags;            /* VMI_POLICY_F_* */
	uint32_t ident_categories; /* bit (1 << enum vmi_category): forced IDENT */
	uint32_t deny_features;    /* VMI_FEAT_* the guest must not use */
	uint8_t max_minor;         /* cap on the effective minor (with VMI_POLICY_F_MAX_MINOR) */
	uint8_t reserved[3];       /* 0 */
	uint8_t ident_calls[VMI_CALL_ID_LIMIT / 8];     /* bitmap by call id: forced IDENT */
	uint8_t no_inline_calls[VMI_CALL_ID_LIMIT / 8]; /* bitmap by call id: never INLINE */
} vmi_policy;
#define vmi_policy__last_field no_inline_calls
/* Opts structs have no padding: the opts check reads every byte past the
 * last known field, and padding of an initialised struct may be garbage. */
_Static_assert(offsetof(vmi_policy, no_inline_calls) + VMI_CALL_ID_LIMIT / 8 == sizeof(vmi_policy),
	       "vmi_policy has no tail padding");

/**
 * vmi_policy_parse - parse a policy string (kernel command line, tool flag).
 * Grammar: items separated by ',' (no spaces):
 *   ident             every site IDENT
 *   ident:NAME        NAME is a category (cpu irq io mmu time defer apic
 *                     lock shootdown) or a call name (SetCR3)
 *   no-inline         never INLINE
 *   no-inline:CALL    never INLINE for that call
 *   no-nop            never NOP
 *   max-minor:N       use at most interface minor N (0..255)
 *   no-feature:NAME   never use that feature (deferred pae longmode apic
 *                     timer locks tlb-shootdown)
 * @pol must be initialised (size set); parsed items are added to it.
 * @err_at: if not NULL, receives the byte offset of the bad item.
 * Return: VMI_OK or VMI_E_INVALID_ARG.
 */
vmi_status vmi_policy_parse(vmi_policy *pol, const char *text, size_t len, size_t *err_at);

/** vmi_policy_hash - FNV-1a of the policy's meaning (0 for NULL/empty). */
uint32_t vmi_policy_hash(const vmi_policy *pol);

/* The outcome of negotiation. Produced by vmi_negotiate, read by the planner. */
typedef struct vmi_offer {
	const vmi_rom *rom;        /* NULL = no ROM */
	const vmi_policy *policy;  /* NULL = no policy; must outlive the offer */
	uint8_t arch;              /* guest arch */
	uint8_t global_reason;     /* VMI_REASON_OK, or why every site stays IDENT (NO_ROM, ROM_MAJOR, ARCH, POLICY) */
	uint8_t minor;             /* effective minor: min(ROM minor, policy cap) */
	uint8_t minor_capped;      /* 1 if the policy lowered the minor */
	uint32_t features;         /* effective features: ROM's minus denied */
	uint32_t denied_features;  /* ROM features the policy removed */
	uint16_t call_slot[VMI_CALL_ID_LIMIT]; /* 1 + ROM table index per call id; 0 = no entry */
} vmi_offer;

/**
 * vmi_negotiate - match a guest against a ROM (or none) under a policy.
 * Never fails for a mismatch: a wrong major or arch leaves every site IDENT
 * with that reason (the guest still boots).
 * Return: VMI_OK, VMI_E_INVALID_ARG, VMI_E_OPTS_UNKNOWN (policy).
 */
vmi_status vmi_negotiate(const vmi_guest *guest, const vmi_rom *rom, const vmi_policy *policy,
			 vmi_offer *out);

/**
 * vmi_stamp_matches - did an offline patch already produce exactly what a
 * boot with this offer would? True when @g is stamped patched for the
 * offer's ROM (CRC and major), its effective minor and features, and
 * @policy's hash. A guest that boots on a matching stamp only fills its
 * slots; on any other it restores the native copies and patches again.
 * Return: 1 or 0.
 */
int vmi_stamp_matches(const vmi_guest *g, const vmi_offer *offer, const vmi_policy *policy);

/* A range of target memory the patcher may read (and write, for sites). */
#define VMI_REGION_F_EXEC 0x1u /* sites may live here */
typedef struct vmi_region {
	uint8_t *host;  /* the bytes, in the caller's memory */
	uint64_t addr;  /* their address in the target */
	uint64_t len;   /* length */
	uint32_t flags; /* VMI_REGION_F_* */
	uint32_t reserved; /* 0 */
} vmi_region;

/* Patch options (size-versioned; required: regions). */
/* VMI_PATCH_F_INDIRECT: the ROM address is not known (offline images), so
 * CALL sites go only through slots (rom_addr is ignored for them): a site
 * too short for the 6-byte slot call stays IDENT "does-not-fit", and
 * without a reachable slot table IDENT "out-of-range". Without the flag,
 * calls are direct (rel32) and slots serve only as the x86-64 fallback
 * when the ROM is beyond +-2 GiB. */
#define VMI_PATCH_F_INDIRECT 0x1u
typedef struct vmi_patch_opts {
	uint32_t size;              /* sizeof(struct vmi_patch_opts) */
	uint32_t flags;             /* VMI_PATCH_F_* */
	const vmi_region *regions;  /* sorted by addr, non-overlapping */
	uint32_t nregions;          /* count */
	uint32_t reserved;          /* 0 */
	uint64_t rom_addr;          /* target address the ROM runs at (direct calls) */
	uint64_t slots_addr;        /* target address of vmi_slots, 0 = none */
	uint8_t *slots;             /* host view of vmi_slots, VMI_CALL_ID_LIMIT * 8 bytes
	                             * (apply writes the slots its CALL sites use), may be NULL */
} vmi_patch_opts;
#define vmi_patch_opts__last_field slots
_Static_assert(offsetof(vmi_patch_opts, slots) + sizeof(uint8_t *) == sizeof(vmi_patch_opts),
	       "vmi_patch_opts has no tail padding");

/* One planned site; the workspace holds an array of these, then for each
 * site its original bytes followed by its final bytes: 24 bytes + twice
 * the site length per site. call_id, len and native_len are in the order
 * of the site entry's bytes 8..11, which the planner stores as read. */
typedef struct vmi_decision {
	uint64_t addr;     /* site address in the target */
	uint32_t index;    /* entry index in the site table */
	uint32_t orig_off; /* offset of the saved original bytes in the pool (final bytes follow) */
	uint16_t call_id;  /* VMI_CALL_* */
	uint8_t len;       /* site length */
	uint8_t native_len;/* native length */
	uint8_t form;      /* enum vmi_form */
	uint8_t reason;    /* enum vmi_reason */
	uint8_t encoding;  /* enum vmi_encoding for CALL */
	uint8_t region;    /* index of the region holding the site */
} vmi_decision;

/* Per-form and per-reason counts. */
typedef struct vmi_summary {
	uint32_t sites;                      /* total */
	uint32_t forms[VMI_FORM_COUNT];      /* by enum vmi_form */
	uint32_t reasons[VMI_REASON_COUNT];  /* by enum vmi_reason */
	uint32_t changed;                    /* sites whose bytes apply changes */
} vmi_summary;

enum vmi_plan_state { VMI_PLAN_EMPTY = 0, VMI_PLAN_PLANNED, VMI_PLAN_APPLIED, VMI_PLAN_UNPATCHED };

typedef struct vmi_plan {
	vmi_decision *decisions;  /* in address order */
	uint32_t count;           /* sites */
	uint8_t state;            /* enum vmi_plan_state */
	uint8_t arch;             /* enum vmi_arch */
	uint16_t reserved;
	uint8_t *pool;            /* per site (at vmi_decision.orig_off): the original bytes saved at
	                             plan time, then the final bytes */
	size_t pool_len;
	const vmi_annotations *ann; /* must outlive the plan */
	const vmi_offer *offer;     /* must outlive the plan */
	vmi_patch_opts opts;        /* copy */
	vmi_status error;           /* status of the failed plan, VMI_OK otherwise */
	uint32_t error_index;       /* entry index of the first bad site (overlap: the lower index) */
	uint32_t error_other;       /* for overlaps: the other (higher) site index */
} vmi_plan;

/**
 * vmi_plan_workspace_size - bytes of workspace vmi_plan_build needs.
 * Exactly count * sizeof(vmi_decision) + (2 * sum of site lengths,
 * rounded up to 8): the original bytes (for unpatch) and the final bytes
 * (rendered at plan time, so apply only copies). No hidden growth.
 */
vmi_status vmi_plan_workspace_size(const vmi_annotations *ann, size_t *bytes);

/**
 * vmi_plan_build - phase one: decide every site, validate the set.
 * Reads sites and saves their current bytes; writes nothing to the target.
 * Per site, in order: inside one VMI_REGION_F_EXEC region (SITE_BOUNDS),
 * at least the arch minimum (SITE_TOO_SHORT), at most VMI_SITE_MAX_LEN
 * (SITE_TOO_LONG), native_len <= len (NATIVE_TOO_LONG), native copy inside
 * a region (NATIVE_BOUNDS); then, sorted by address, no overlap.
 * Decision order: docs/design-notes.md. An INLINE-preferred call that falls
 * back to CALL and cannot be called either keeps the CALL's reason
 * (no-call, clobbers, out-of-range). @ws must be aligned for vmi_decision.
 * VMI_E_INVALID_ARG: unsorted/overlapping regions, annotations of another
 * arch than the offer, misaligned workspace.
 * Return: VMI_OK or a VMI_E_SITE_* / VMI_E_NATIVE_* code with
 * plan->error_index set; VMI_E_NO_SPACE if @ws_len is too small.
 */
vmi_status vmi_plan_build(vmi_plan *plan, const vmi_annotations *ann, const vmi_offer *offer,
			  const vmi_patch_opts *opts, void *ws, size_t ws_len);

/**
 * vmi_plan_apply - phase two: write every site, in address order, each
 * built in a local buffer and written with one copy. Also fills the slot
 * table for indirect calls when opts.slots is set. Applying to a text that
 * already holds the result changes nothing; a plan may be applied again
 * after apply or unpatch.
 * Return: VMI_OK or VMI_E_STATE (not planned).
 */
vmi_status vmi_plan_apply(vmi_plan *plan);

/**
 * vmi_plan_unpatch - restore the bytes each site held at plan time.
 * Return: VMI_OK or VMI_E_STATE (not applied).
 */
vmi_status vmi_plan_unpatch(vmi_plan *plan);

/**
 * vmi_plan_site_bytes - the bytes decision @i writes (its final form).
 * @out: at least VMI_SITE_MAX_LEN bytes; @len receives the site length.
 */
vmi_status vmi_plan_site_bytes(const vmi_plan *plan, uint32_t i, uint8_t *out, uint32_t *len);

/** vmi_plan_summarize - counts per form and reason. */
vmi_status vmi_plan_summarize(const vmi_plan *plan, vmi_summary *out);

/**
 * vmi_slots_fill - write the ROM entry address of every offered CALL into
 * a slot table (VMI_CALL_ID_LIMIT * 8 bytes): what a pre-patched image
 * needs at boot instead of re-patching. Calls without an out-of-line entry,
 * and every call when the offer has a global reason, get 0.
 * Return: VMI_OK, VMI_E_INVALID_ARG, VMI_E_NO_SPACE (@len too small).
 */
vmi_status vmi_slots_fill(const vmi_offer *offer, uint64_t rom_addr, uint8_t *slots, size_t len);

/**
 * vmi_nop_fill - write the optimal multi-byte NOP sequence for @len bytes
 * (largest first, up to 8-byte NOPs; the same bytes the guest macros emit).
 */
void vmi_nop_fill(uint8_t *buf, size_t len);

/** vmi_reason_name - "ok", "rom-minor-too-old", ...; "?" otherwise. */
const char *vmi_reason_name(uint32_t reason);

#endif /* VMI_PATCHER_H */
