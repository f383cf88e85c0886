/* SPDX-License-Identifier: MIT */
#include "sweep.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

/* Bytes at the start of a piece where its resume points are noted: x86
 * decoding falls back into step within a few instructions. */
#define VMI_SYNC_BYTES 4096
/* No piece smaller than this: threads cost more than they save. */
#define VMI_MIN_PIECE (512u * 1024)
#define VMI_MAX_PIECES 8

/* A tally's counts at one resume point of a piece. */
typedef struct vmi_mark {
	uint64_t insns, bad_bytes, covered;
	size_t nfound;
} vmi_mark;

/* The counts at a piece's start: merging from here takes all of it. */
static const vmi_mark vmi_mark_start;

typedef struct vmi_piece {
	const vmi_sweep_job *job;
	size_t start, stop; /* decode from start; stop at the first resume point >= stop */
	size_t pos;         /* the next resume point */
	size_t sp;          /* first span ending after the current address */
	vmi_tally t;
	bool record;        /* note resume points in [start, start + VMI_SYNC_BYTES) */
	uint8_t *resumed;   /* [VMI_SYNC_BYTES]: 1 where the sweep resumed */
	vmi_mark *mark;     /* [VMI_SYNC_BYTES]: the tally there */
	int err;
} vmi_piece;

static int vmi_tally_add(vmi_tally *t, uint64_t addr, const ZydisDecodedInstruction *in, const uint8_t *p,
			 enum vmi_lint_kind kind)
{
	if (t->nfound == t->capfound) {
		size_t cap = t->capfound ? t->capfound * 2 : 256;
		vmi_finding *n = realloc(t->found, cap * sizeof(*n));
		if (!n)
			return -1;
		t->found = n;
		t->capfound = cap;
	}
	vmi_finding *f = &t->found[t->nfound++];
	f->addr = addr;
	f->mnemonic = (uint16_t)in->mnemonic;
	f->kind = (uint8_t)kind;
	f->len = in->length;
	memcpy(f->bytes, p, in->length);
	return 0;
}

void vmi_tally_free(vmi_tally *t)
{
	free(t->found);
	memset(t, 0, sizeof(*t));
}

/* First span that ends after @addr. */
static size_t vmi_span_seek(const vmi_sweep_job *j, uint64_t addr)
{
	return vmi_count_upto(j->spans, j->nspans, sizeof(*j->spans), offsetof(vmi_span, end), addr);
}

/* Decode at p->pos and move past it (one byte if nothing decodes there). */
static void vmi_piece_step(vmi_piece *p)
{
	const vmi_sweep_job *j = p->job;
	size_t pos = p->pos;
	uint64_t addr = j->addr + pos;
	ZydisDecodedInstruction in;

	if (p->record && pos - p->start < VMI_SYNC_BYTES) {
		p->resumed[pos - p->start] = 1;
		p->mark[pos - p->start] = (vmi_mark){ p->t.insns, p->t.bad_bytes, p->t.covered, p->t.nfound };
	}
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(j->dec, NULL, j->base + pos, j->size - pos, &in))) {
		p->t.bad_bytes++;
		p->pos++;
		return;
	}
	p->t.insns++;
	if (j->hook)
		j->hook(j->hook_ctx, &in, j->base + pos, j->size - pos, addr);
	enum vmi_lint_kind k = vmi_lint_classify(&in);
	if (k != VMI_LINT_NONE) {
		while (p->sp < j->nspans && j->spans[p->sp].end <= addr)
			p->sp++;
		if (p->sp < j->nspans && j->spans[p->sp].start <= addr)
			p->t.covered++;
		else if (vmi_tally_add(&p->t, addr, &in, j->base + pos, k) != 0)
			p->err = -1;
	}
	p->pos += in.length;
}

static void *vmi_piece_run(void *arg)
{
	vmi_piece *p = arg;
	while (p->pos < p->stop && !p->err)
		vmi_piece_step(p);
	return NULL;
}

/* Add @p's tally from its resume point @from (a mark) on to @t. */
static int vmi_tally_merge(vmi_tally *t, const vmi_tally *p, const vmi_mark *from)
{
	size_t n = p->nfound - from->nfound;
	if (t->nfound + n > t->capfound) {
		size_t cap = t->nfound + n;
		vmi_finding *f = realloc(t->found, (cap ? cap : 1) * sizeof(*f));
		if (!f)
			return -1;
		t->found = f;
		t->capfound = cap;
	}
	if (n)
		memcpy(t->found + t->nfound, p->found + from->nfound, n * sizeof(*p->found));
	t->nfound += n;
	t->insns += p->insns - from->insns;
	t->bad_bytes += p->bad_bytes - from->bad_bytes;
	t->covered += p->covered - from->covered;
	return 0;
}

static void vmi_pieces_free(vmi_piece *pc, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		vmi_tally_free(&pc[k].t);
		free(pc[k].resumed);
		free(pc[k].mark);
	}
}

static int vmi_sweep_one(const vmi_sweep_job *job, vmi_tally *t)
{
	vmi_piece p = { .job = job, .stop = job->size, .sp = vmi_span_seek(job, job->addr) };
	vmi_piece_run(&p);
	int rc = p.err ? -1 : vmi_tally_merge(t, &p.t, &vmi_mark_start);
	vmi_tally_free(&p.t);
	return rc;
}

int vmi_sweep(const vmi_sweep_job *job, unsigned threads, vmi_tally *t)
{
	unsigned n = threads;
	if (job->hook || n < 2)
		n = 1;
	if (n > job->size / VMI_MIN_PIECE)
		n = (unsigned)(job->size / VMI_MIN_PIECE);
	if (n > VMI_MAX_PIECES)
		n = VMI_MAX_PIECES;
	if (n < 2)
		return vmi_sweep_one(job, t);

	vmi_piece pc[VMI_MAX_PIECES];
	pthread_t tid[VMI_MAX_PIECES];
	bool started[VMI_MAX_PIECES] = { false };
	memset(pc, 0, sizeof(pc));
	for (unsigned k = 0; k < n; k++) {
		vmi_piece *p = &pc[k];
		p->job = job;
		p->start = p->pos = job->size / n * k;
		p->stop = k + 1 < n ? job->size / n * (k + 1) : job->size;
		p->sp = vmi_span_seek(job, job->addr + p->start);
		p->record = k > 0;
		if (p->record) {
			p->resumed = calloc(VMI_SYNC_BYTES, 1);
			p->mark = calloc(VMI_SYNC_BYTES, sizeof(*p->mark));
			if (!p->resumed || !p->mark) {
				vmi_pieces_free(pc, n);
				return -1;
			}
		}
	}
	int rc = 0;
	for (unsigned k = 1; k < n; k++) {
		started[k] = pthread_create(&tid[k], NULL, vmi_piece_run, &pc[k]) == 0;
		if (!started[k])
			rc = -1;
	}
	vmi_piece_run(&pc[0]);
	for (unsigned k = 1; k < n; k++)
		if (started[k])
			pthread_join(tid[k], NULL);
	for (unsigned k = 0; k < n; k++)
		if (pc[k].err)
			rc = -1;
	if (rc) {
		vmi_pieces_free(pc, n);
		return rc;
	}

	/* Each piece sweeps on into the next until it resumes where that one
	 * did; sync[k] is that place, the next piece's results count from it. */
	size_t sync[VMI_MAX_PIECES];
	for (unsigned k = 0; k + 1 < n; k++) {
		vmi_piece *p = &pc[k], *q = &pc[k + 1];
		p->record = false;
		for (;;) {
			size_t rel = p->pos - q->start;
			if (p->pos >= job->size || rel >= VMI_SYNC_BYTES || p->err) {
				/* Never in step (or out of memory): one thread. */
				vmi_pieces_free(pc, n);
				return p->err ? -1 : vmi_sweep_one(job, t);
			}
			if (q->resumed[rel])
				break;
			vmi_piece_step(p);
		}
		sync[k] = p->pos;
	}
	rc = vmi_tally_merge(t, &pc[0].t, &vmi_mark_start);
	for (unsigned k = 1; !rc && k < n; k++) {
		/* Piece k from sync[k-1] up to where it stopped (its own sync). */
		rc = vmi_tally_merge(t, &pc[k].t, &pc[k].mark[sync[k - 1] - pc[k].start]);
	}
	vmi_pieces_free(pc, n);
	return rc;
}
