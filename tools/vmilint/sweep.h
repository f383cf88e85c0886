/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/sweep.h - the linear sweep of one executable section:
 * every instruction decoded with Zydis, classified, and checked against
 * the annotated sites; on several threads for a large section.
 *
 * A linear sweep cannot simply be cut in pieces: a piece starting at an
 * arbitrary byte may start inside an instruction. Each piece after the
 * first notes where it resumed decoding in its first bytes; the piece
 * before it sweeps on past its end until it resumes at one of those
 * places (x86 decoding falls back into step within a few instructions),
 * and from there both sweeps are the same, so the result is exactly the
 * one-thread sweep. A piece that never falls into step (data in the
 * text) makes the section sweep again on one thread.
 */
#ifndef VMI_LINT_SWEEP_H
#define VMI_LINT_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "classify.h"

typedef struct vmi_span {
	uint64_t start, end; /* [start, end) of one annotated site */
} vmi_span;

typedef struct vmi_finding {
	uint64_t addr;
	uint16_t mnemonic; /* ZydisMnemonic */
	uint8_t kind;      /* enum vmi_lint_kind */
	uint8_t len;
	uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
} vmi_finding;

/* What a sweep counted and found, findings in address order. */
typedef struct vmi_tally {
	uint64_t insns, bad_bytes, covered;
	vmi_finding *found;
	size_t nfound, capfound;
} vmi_tally;

/* Called for every decoded instruction (--cross-check); forces one thread. */
typedef void (*vmi_insn_hook)(void *ctx, const ZydisDecodedInstruction *in, const uint8_t *code, size_t left,
			      uint64_t addr);

typedef struct vmi_sweep_job {
	const ZydisDecoder *dec;
	const vmi_span *spans; /* sorted by start */
	size_t nspans;
	const uint8_t *base;   /* the section's bytes */
	uint64_t addr;         /* its address */
	size_t size;
	vmi_insn_hook hook;    /* or NULL */
	void *hook_ctx;
} vmi_sweep_job;

/**
 * vmi_sweep - sweep @job's section on up to @threads threads and add what
 * it counted and found to @t (findings appended in address order).
 * Return: 0, or -1 when out of memory or a thread could not start.
 */
int vmi_sweep(const vmi_sweep_job *job, unsigned threads, vmi_tally *t);

/** vmi_tally_free - release @t's findings. */
void vmi_tally_free(vmi_tally *t);

#endif /* VMI_LINT_SWEEP_H */
