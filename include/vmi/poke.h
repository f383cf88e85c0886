/* SPDX-License-Identifier: MIT */
/*
 * vmi/poke.h - live, SMP-safe re-patching of code other CPUs may be
 * running: the int3 cross-modification protocol (Linux's
 * text_poke_bp_batch()), in the freestanding core.
 *
 * Why: vmi_plan_apply() writes each site with one plain copy, which is
 * right at boot (one CPU) or on an offline image. On a live SMP system a
 * CPU may fetch a site while it is half written and run an instruction
 * made of old and new bytes. x86 only guarantees that another CPU sees a
 * store to code it may execute consistently when the change is a single
 * byte and the CPU executes a serialising instruction before running the
 * new code (Intel SDM vol. 3, 8.1.3 "cross-modifying code"). So:
 *
 *   1. write int3 (0xCC) over the first byte of every changing site, sync:
 *      from now on a CPU entering a site traps instead of running it;
 *   2. write bytes 1..len-1 (the new tail) of every site, sync: nobody can
 *      reach the tail except through the int3, so its tearing is invisible;
 *   3. write the new first byte of every site, sync: one byte, atomic.
 *
 * "sync" is the caller's: it must return only after every CPU that may run
 * the text has executed a serialising instruction (an IPI that returns
 * through IRET in a kernel; membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_
 * SYNC_CORE) in user space). A batch costs at most three syncs whatever
 * its size, which is why the sites are given all at once.
 *
 * A CPU that hits one of the int3s while the batch runs must not execute
 * either the old or the new bytes at the site: its tail may be torn. Its
 * int3 handler calls vmi_poke_trap_target() with the trap address and
 * continues where the site says (vmi_poke_site.resume: typically an
 * out-of-line copy of the new bytes followed by a jump to the site end,
 * which the caller builds; the library never writes anything but the sites).
 *
 * Precondition the library cannot check: no CPU may be stopped at an
 * instruction boundary *inside* a site (a return address after a call in
 * the middle of the site, an interrupted context there), in either form.
 * A site that is one instruction in both forms (a 5-byte call or jmp)
 * meets it by construction; a call followed by NOP padding does not while
 * the callee may be running. Linux's text_poke_bp() has the same rule.
 *
 * Everything here is freestanding (no allocation, no libc, no state), so
 * the same code runs in a kernel and in a user-space test.
 */
#ifndef VMI_POKE_H
#define VMI_POKE_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/status.h"

#ifndef VMI_OPTS /* the same as vmi/patcher.h's */
#define VMI_OPTS(type, name, ...) type name = { .size = sizeof(type), __VA_ARGS__ }
#endif

/* The byte phase one writes over the first byte of each changing site. */
#define VMI_POKE_INT3 0xccu
/* The longest site vmi_poke_batch accepts (the patcher's VMI_SITE_MAX_LEN). */
#define VMI_POKE_MAX_LEN 32u

/*
 * How the caller's text is written and its CPUs synchronised
 * (size-versioned like every opts struct: set .size with VMI_OPTS).
 */
typedef struct vmi_poke_ops {
	uint32_t size; /* sizeof(struct vmi_poke_ops); smaller than the end of
	                * .sync is VMI_E_INVALID_ARG (both hooks are required) */
	void *ctx;     /* passed unchanged to write and sync */
	/* Write @len bytes from @src at target address @addr (the text, which
	 * other CPUs may be executing). Called with len == 1 for first bytes
	 * (phases 1 and 3; a single-byte store is what makes them atomic) and
	 * len == site length - 1 for tails. Need not be atomic beyond one
	 * byte. A status other than VMI_OK stops the batch and is returned. */
	vmi_status (*write)(void *ctx, uint64_t addr, const void *src, size_t len);
	/* Return once every CPU that may execute the text has executed a
	 * serialising instruction after the writes made so far (so none runs
	 * stale bytes). A status other than VMI_OK stops the batch. */
	vmi_status (*sync)(void *ctx);
} vmi_poke_ops;
#define vmi_poke_ops__last_field sync
_Static_assert(offsetof(vmi_poke_ops, sync) + sizeof(((vmi_poke_ops *)0)->sync) == sizeof(vmi_poke_ops),
	       "vmi_poke_ops has no tail padding");

/* One site of a batch. Sites of a batch are sorted by addr and do not
 * overlap; the array must stay unchanged while vmi_poke_batch runs and
 * while any int3 handler that may have started during it runs (the
 * handler looks sites up in it). */
typedef struct vmi_poke_site {
	uint64_t addr;            /* target address of the site's first byte */
	const uint8_t *old_bytes; /* what the site holds now, @len bytes */
	const uint8_t *new_bytes; /* what it must hold after the batch, @len bytes */
	uint64_t resume;          /* where a CPU that traps on this site's int3
	                           * continues (vmi_poke_trap_target): code with
	                           * the effect of the new bytes that then jumps to
	                           * addr + len; the caller provides it */
	uint8_t len;              /* 1..VMI_POKE_MAX_LEN bytes */
	uint8_t reserved[7];      /* 0 */
} vmi_poke_site;

/**
 * vmi_poke_batch - rewrite every site from old_bytes to new_bytes with
 * the three-phase int3 protocol (above).
 * Sites whose old and new bytes are equal are skipped (never written, no
 * int3). A phase that writes nothing does not sync: a batch where nothing
 * changes does 0 syncs; one where only first bytes change does 2; any
 * other at most 3, whatever @n.
 * Everything is validated before the first write: @ops (NULL, size too
 * small, NULL hooks: VMI_E_INVALID_ARG; unknown non-zero tail:
 * VMI_E_OPTS_UNKNOWN), @sites (NULL with n > 0, a NULL byte pointer, len 0
 * or above VMI_POKE_MAX_LEN, an address range that wraps, unsorted or
 * overlapping: VMI_E_INVALID_ARG). On a failing hook the text may hold
 * int3s: keep the handler's site array alive and run the same batch again
 * (each phase only writes its final bytes, so a rerun from any point
 * converges on the new bytes).
 * @syncs_out: if not NULL, receives the number of syncs done (also on a
 * failing hook; 0 when validation fails).
 * Return: VMI_OK, VMI_E_INVALID_ARG, VMI_E_OPTS_UNKNOWN, or a hook's status.
 */
vmi_status vmi_poke_batch(const vmi_poke_ops *ops, const vmi_poke_site *sites, uint32_t n,
			  uint32_t *syncs_out);

/**
 * vmi_poke_trap_target - what an int3 handler does with a trap during a
 * batch. @trap_addr is the address of the int3 that was hit (the trapping
 * CPU's instruction pointer minus 1: int3 reports the address after it).
 * When it is the first byte of a site of @sites whose bytes change, the
 * trapped CPU must continue at that site's .resume (*resume_addr): it must
 * run neither the site's old bytes (the tail may already be new) nor its
 * new bytes (the tail may be half written), and re-executing the int3
 * would only trap again until phase 3. Binary search: O(log n), no writes,
 * callable from a signal or exception handler. @sites as passed to
 * vmi_poke_batch (sorted; not re-validated on this path).
 * Return: VMI_OK, or VMI_E_INVALID_ARG when @trap_addr is not the start of
 * a changing site (the int3 is not the batch's: the handler must treat it
 * as any other breakpoint) or an argument is NULL.
 */
vmi_status vmi_poke_trap_target(const vmi_poke_site *sites, uint32_t n, uint64_t trap_addr,
				uint64_t *resume_addr);

#endif /* VMI_POKE_H */
