/* SPDX-License-Identifier: MIT */
/*
 * poke_latency.c - live re-patching cost: vmi_poke_batch (int3 protocol,
 * write = memcpy, sync = membarrier SYNC_CORE, else a counted no-op) over
 * N 5-byte sites, against a plain memcpy of the same bytes in the same
 * run (the single-CPU boot path). Prints the median over repetitions,
 * syncs per batch (target: 3 whatever N) and a RESULT| line.
 * Usage: poke_latency --sites N [--reps R]
 */
#include <linux/membarrier.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmi/poke.h"

static int sync_cmd;
static uint64_t nsyncs;

static vmi_status bw(void *ctx, uint64_t addr, const void *src, size_t len)
{
	(void)ctx;
	memcpy((void *)(uintptr_t)addr, src, len);
	return VMI_OK;
}

static vmi_status bs(void *ctx)
{
	(void)ctx;
	nsyncs++;
	if (sync_cmd && syscall(__NR_membarrier, sync_cmd, 0, 0) != 0)
		return VMI_E_IO;
	return VMI_OK;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint32_t n = 1000, reps = 21;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--sites"))
			n = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--reps"))
			reps = (uint32_t)strtoul(argv[i + 1], NULL, 0);
	}
	if (!n || !reps || reps > 1000) {
		fprintf(stderr, "usage: poke_latency --sites N [--reps R]\n");
		return 2;
	}
	const char *how = "no-op (membarrier SYNC_CORE unavailable)";
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0) {
		sync_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE;
		how = "membarrier SYNC_CORE";
	}
	uint8_t *text = malloc((size_t)n * 8), *forms = malloc((size_t)n * 10);
	vmi_poke_site *s[2] = { malloc(sizeof(vmi_poke_site) * n), malloc(sizeof(vmi_poke_site) * n) };
	double *t_poke = malloc(sizeof(double) * reps), *t_copy = malloc(sizeof(double) * reps);
	if (!text || !forms || !s[0] || !s[1] || !t_poke || !t_copy)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *a = forms + 10 * (size_t)i, *b = a + 5;
		a[0] = 0xe8;
		b[0] = 0xe9;
		for (int k = 1; k < 5; k++) {
			a[k] = (uint8_t)(i >> (8 * (k - 1)));
			b[k] = (uint8_t)~a[k];
		}
		memcpy(text + 8 * (size_t)i, a, 5);
		for (int f = 0; f < 2; f++)
			s[f][i] = (vmi_poke_site){ .addr = (uint64_t)(uintptr_t)(text + 8 * (size_t)i),
						   .old_bytes = f ? a : b, .new_bytes = f ? b : a,
						   .resume = 1, .len = 5 };
	}
	VMI_OPTS(vmi_poke_ops, ops, .write = bw, .sync = bs);
	int form = 0;
	for (uint32_t r = 0; r < reps; r++) {
		form ^= 1;
		uint64_t before = nsyncs;
		double t0 = now_us();
		if (vmi_poke_batch(&ops, s[form], n, NULL) != VMI_OK)
			return 1;
		t_poke[r] = now_us() - t0;
		if (nsyncs - before != 3) {
			fprintf(stderr, "poke_latency: %llu syncs in one batch\n", (unsigned long long)(nsyncs - before));
			return 1;
		}
		form ^= 1;
		t0 = now_us();
		for (uint32_t i = 0; i < n; i++)
			memcpy((void *)(uintptr_t)s[form][i].addr, s[form][i].new_bytes, 5);
		t_copy[r] = now_us() - t0;
	}
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(text + 8 * (size_t)i, s[form][i].new_bytes, 5))
			return 1;
	qsort(t_poke, reps, sizeof(double), cmp_d);
	qsort(t_copy, reps, sizeof(double), cmp_d);
	double p = t_poke[reps / 2], c = t_copy[reps / 2];
	printf("poke %u sites (%s): median %.1f us per batch (%.1f ns/site), 3 syncs/batch; plain memcpy %.1f us; %.1fx\n",
	       n, how, p, p * 1e3 / n, c, c > 0 ? p / c : 0);
	printf("RESULT|live re-patch %u sites|%.1f us/batch (%.1f ns/site), %.1f syncs/batch|plain memcpy %.1f us|%.1fx|3 syncs/batch: %s\n",
	       n, p, p * 1e3 / n, (double)nsyncs / reps, c, c > 0 ? p / c : 0, nsyncs == 3ull * reps ? "met" : "NOT met");
	free(text);
	free(forms);
	free(s[0]);
	free(s[1]);
	free(t_poke);
	free(t_copy);
	return 0;
}
