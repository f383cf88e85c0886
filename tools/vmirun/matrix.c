/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/matrix.c - the equivalence check: every workload under pure
 * trap-and-emulate and under each ROM with policies that force mixes of
 * IDENT, INLINE and CALL, near and far; each run's canonical state must
 * equal the trap-and-emulate run's. The irq-hole workload is the one known
 * exception and is reported as such.
 */
#include <stdlib.h>
#include <string.h>

#include "vmirun.h"
#include "matrix.h"

static const char *const vmi_matrix_policies[] = {
	NULL, "no-inline", "ident:irq", "ident:mmu", "ident:io,no-inline:GetCycleFrequency", "ident:cpu", NULL,
};
#define VMI_MATRIX_NPOL 6
/* The extra far configuration exists only where rel32 has a limited reach. */
#if defined(__x86_64__)
#define VMI_MATRIX_NFAR 1
#else
#define VMI_MATRIX_NFAR 0
#endif

/* Run and keep only the state lines. */
static int vmi_matrix_state(struct vmi_run_ctx *ctx, const struct vmi_run_config *cfg, const char *wl, char **out,
			    struct vmi_run_result *res)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	if (!f)
		return VMI_RUN_EXIT_IO;
	int code = vmi_run_one(ctx, cfg, wl, f, NULL, res);
	fclose(f);
	return code;
}

static const char *vmi_matrix_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void vmi_matrix_first_diff(const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
		if (la != lb || memcmp(a, b, la)) {
			printf("      expected: %.*s\n      got:      %.*s\n", (int)la, a, (int)lb, b);
			return;
		}
		a += la + (ea != NULL);
		b += lb + (eb != NULL);
	}
}

int vmi_matrix(struct vmi_run_ctx *ctx, const char *const *roms, unsigned nroms, const char *only)
{
	int result = VMI_RUN_EXIT_OK;
	unsigned runs = 0, diffs = 0;
	for (unsigned w = 0; vmi_run_workloads[w]; w++) {
		const char *wl = vmi_run_workloads[w];
		if (only && strcmp(only, "all") && strcmp(only, wl))
			continue;
		bool hole = !strcmp(wl, "irq-hole");
		struct vmi_run_config ref = { .rom_path = NULL };
		char *ref_state = NULL;
		int code = vmi_matrix_state(ctx, &ref, wl, &ref_state, NULL);
		if (code != VMI_RUN_EXIT_OK)
			return code;
		printf("%-12s trap-and-emulate%s\n", wl, hole ? (strstr(ref_state, "state if=1\n") ?
			"  if=1: the restore was lost (hole shown)" : "  if=0: hole NOT shown") : "  (reference)");
		for (unsigned r = 0; r < nroms; r++) {
			for (unsigned p = 0; p < VMI_MATRIX_NPOL + VMI_MATRIX_NFAR; p++) {
				struct vmi_run_config cfg = { .rom_path = roms[r] };
				if (p < VMI_MATRIX_NPOL)
					cfg.policy = vmi_matrix_policies[p];
				else
					cfg.far = true;
				char *state = NULL;
				struct vmi_run_result res;
				code = vmi_matrix_state(ctx, &cfg, wl, &state, &res);
				if (code != VMI_RUN_EXIT_OK) {
					free(ref_state);
					return code;
				}
				runs++;
				const char *verdict;
				bool same = !strcmp(state, ref_state);
				if (hole) {
					/* With patched Get/SetInterruptMask the restore must land;
					 * with either site native, the hole must still show. */
					bool fixed = strstr(state, "state if=0\n") != NULL;
					bool patched = res.call_form[VMI_CALL_GetInterruptMask] != VMI_FORM_IDENT &&
						       res.call_form[VMI_CALL_SetInterruptMask] != VMI_FORM_IDENT;
					verdict = fixed && patched ? "if=0: fixed by the patched sites"
						  : !fixed && !patched ? "if=1: hole (Get/SetInterruptMask left native)"
						  : fixed ? "if=0 although the sites are native: WRONG"
							  : "if=1 although the sites are patched: NOT fixed";
					if (fixed != patched)
						diffs++, result = VMI_RUN_EXIT_MISMATCH;
				} else {
					verdict = same ? "same state" : "DIFFERENT STATE";
					if (!same)
						diffs++, result = VMI_RUN_EXIT_MISMATCH;
				}
				printf("  %-28s %-36s %s\n", vmi_matrix_base(roms[r]),
				       cfg.far ? "(far: slot calls)" : cfg.policy ? cfg.policy : "(default policy)", verdict);
				if (!hole && !same)
					vmi_matrix_first_diff(ref_state, state);
				free(state);
			}
		}
		free(ref_state);
	}
	printf("matrix: %u runs compared, %u mismatches\n", runs, diffs);
	return result;
}
