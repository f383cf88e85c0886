/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/bench.c - what each form costs, measured side by side in one
 * run: the same one-site loop of the guest object, patched four ways
 * (nothing: trap-and-emulate; the ROM with no-inline: CALL; the ROM as it
 * prefers: INLINE where it offers a stub; and native where user mode can
 * run the instruction itself). Median of several repetitions after a
 * warm-up; ratios are trap-and-emulate time over the form's time.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmirun.h"

#define VMI_BENCH_REPS 5
#define VMI_BENCH_TARGET_NS 2000000.0 /* per repetition */

struct vmi_bench_op {
	const char *fn;    /* vmi_bn_<fn> */
	uint16_t call_id;  /* the site that decides the cost */
	uint8_t native;    /* 1: user mode can run the native instruction */
	const char *note;
};

static const struct vmi_bench_op vmi_bench_ops[] = {
	{ "cli", VMI_CALL_DisableInterrupts, 0, NULL },
	{ "sti", VMI_CALL_EnableInterrupts, 0, NULL },
	{ "save_flags", VMI_CALL_GetInterruptMask, 1, "pushf never traps: the hole" },
	{ "restore_flags", VMI_CALL_SetInterruptMask, 1, "popf never traps: the hole" },
	{ "read_cr0", VMI_CALL_GetCR0, 0, NULL },
	{ "write_cr4", VMI_CALL_SetCR4, 0, NULL },
	{ "rdmsr", VMI_CALL_RDMSR, 0, NULL },
	{ "inb", VMI_CALL_INB, 0, NULL },
	{ "outb", VMI_CALL_OUTB, 0, NULL },
	{ "set_pxe", VMI_RUN_CALL_SETPXE, 1, "native: unprotected store" },
	{ "set_pxe_deferred", VMI_RUN_CALL_SETPXE, 0, "in deferred mode, flushed every 64" },
	{ "invlpg", VMI_CALL_InvalPage, 0, NULL },
	{ "flush_tlb", VMI_CALL_FlushTLB, 0, NULL },
	{ "rdtsc", VMI_CALL_GetCycleCounter, 1, "trap column: rdtsc made to fault" },
	{ "io_delay", VMI_CALL_IODelay, 0, NULL },
	{ "cycle_freq", VMI_CALL_GetCycleFrequency, 1, "native form (xor) never traps" },
};
#define VMI_BENCH_NOPS (sizeof(vmi_bench_ops) / sizeof(vmi_bench_ops[0]))

enum { VMI_COL_TRAP, VMI_COL_CALL, VMI_COL_INLINE, VMI_COL_NATIVE, VMI_COL_COUNT };

static double vmi_bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int vmi_bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ns per iteration; TSC faulting only inside the timed loop (the clock
 * itself reads the TSC through the vDSO). */
static double vmi_bench_measure(vmi_bn_fn fn, const struct vmi_wl_env *env, bool trap_tsc)
{
	unsigned long n = 16;
	double t;
	for (;;) {
		double t0 = vmi_bench_now();
		vmi_trap_set_tsc(trap_tsc);
		fn(env, n);
		vmi_trap_set_tsc(false);
		t = vmi_bench_now() - t0;
		if (t > VMI_BENCH_TARGET_NS / 4 || n > (1ul << 26))
			break;
		n *= 4;
	}
	n = (unsigned long)((double)n * VMI_BENCH_TARGET_NS / (t > 1 ? t : 1)) + 1;
	double v[VMI_BENCH_REPS];
	for (int r = 0; r < VMI_BENCH_REPS; r++) {
		double t0 = vmi_bench_now();
		vmi_trap_set_tsc(trap_tsc);
		fn(env, n);
		vmi_trap_set_tsc(false);
		v[r] = (vmi_bench_now() - t0) / (double)n;
	}
	qsort(v, VMI_BENCH_REPS, sizeof(v[0]), vmi_bench_cmp);
	return v[VMI_BENCH_REPS / 2];
}

/* The form the site of @call_id inside function @fn got. */
static int vmi_bench_form(const vmi_boot_state *st, void *fn, uint16_t call_id)
{
	Dl_info di;
	const ElfW(Sym) *sym = NULL;
	if (!dladdr1(fn, &di, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		return -1;
	uint64_t lo = (uintptr_t)fn, hi = lo + sym->st_size;
	for (uint32_t i = 0; i < st->plan.count; i++) {
		const vmi_decision *d = &st->plan.decisions[i];
		if (d->addr >= lo && d->addr < hi && d->call_id == call_id)
			return d->form;
	}
	return -1;
}

struct vmi_bench_cell {
	double ns;  /* < 0: not measured */
	int form;
};

static int vmi_bench_column(struct vmi_run_ctx *ctx, const char *rom, const char *policy, int col,
			    struct vmi_bench_cell cells[][VMI_COL_COUNT])
{
	struct vmi_run_config cfg = { .rom_path = rom, .policy = policy };
	struct vmi_run_rom r;
	vmi_boot_state st;
	void *ws;
	int code = vmi_run_setup(ctx, &cfg, &r, &st, &ws);
	if (code != VMI_RUN_EXIT_OK)
		return code;
	struct vmi_wl_env env = vmi_run_env(0);
	for (size_t i = 0; i < VMI_BENCH_NOPS; i++) {
		const struct vmi_bench_op *op = &vmi_bench_ops[i];
		char name[64];
		snprintf(name, sizeof(name), "vmi_bn_%s", op->fn);
		vmi_bn_fn fn = (vmi_bn_fn)vmi_guest_sym(&ctx->guest, name);
		struct vmi_bench_cell *c = &cells[i][col];
		c->ns = -1;
		void *fnp;
		memcpy(&fnp, &fn, sizeof(fnp));
		c->form = fn ? vmi_bench_form(&st, fnp, op->call_id) : -1;
		if (!fn || c->form < 0)
			continue;
		if (col == VMI_COL_CALL && c->form != VMI_FORM_CALL)
			continue;
		if (col == VMI_COL_INLINE && c->form != VMI_FORM_INLINE && c->form != VMI_FORM_NOP)
			continue;
		if (col == VMI_COL_NATIVE && !op->native)
			continue;
		bool trap_tsc = op->call_id == VMI_CALL_GetCycleCounter && col == VMI_COL_TRAP;
		vmi_mmu_protect(col != VMI_COL_NATIVE);
		c->ns = vmi_bench_measure(fn, &env, trap_tsc);
		vmi_mmu_protect(true);
	}
	vmi_run_teardown(ctx, &r, &ws);
	return VMI_RUN_EXIT_OK;
}

static void vmi_bench_print_cell(const struct vmi_bench_cell *c, double trap, bool json, bool last)
{
	const char *mark = c->form == VMI_FORM_NOP ? "n" : " ";
	if (json) {
		if (c->ns < 0)
			printf("null%s", last ? "" : ", ");
		else
			printf("%.2f%s", c->ns, last ? "" : ", ");
		return;
	}
	if (c->ns < 0)
		printf(" %9s %7s", "-", "");
	else if (trap > 0)
		printf(trap / c->ns < 9.95 ? " %8.1f%s %6.1fx" : " %8.1f%s %6.0fx", c->ns, mark, trap / c->ns);
	else
		printf(" %8.1f%s %7s", c->ns, mark, "");
}

int vmi_bench(struct vmi_run_ctx *ctx, const char *const *roms, unsigned nroms, bool json)
{
	static struct vmi_bench_cell cells[VMI_BENCH_NOPS][VMI_COL_COUNT];
	struct vmi_bench_cell trap[VMI_BENCH_NOPS][VMI_COL_COUNT], native[VMI_BENCH_NOPS][VMI_COL_COUNT];
	int code = vmi_bench_column(ctx, NULL, NULL, VMI_COL_TRAP, trap);
	if (code == VMI_RUN_EXIT_OK)
		code = vmi_bench_column(ctx, NULL, NULL, VMI_COL_NATIVE, native);
	if (code != VMI_RUN_EXIT_OK)
		return code;
	if (json)
		printf("{\"unit\": \"ns/op\", \"columns\": [\"trap\", \"call\", \"inline\", \"native\"], \"roms\": [\n");
	for (unsigned r = 0; r < nroms; r++) {
		if ((code = vmi_bench_column(ctx, roms[r], "no-inline", VMI_COL_CALL, cells)) != VMI_RUN_EXIT_OK ||
		    (code = vmi_bench_column(ctx, roms[r], NULL, VMI_COL_INLINE, cells)) != VMI_RUN_EXIT_OK)
			return code;
		const char *base = strrchr(roms[r], '/') ? strrchr(roms[r], '/') + 1 : roms[r];
		if (json)
			printf("  {\"rom\": \"%s\", \"ops\": [\n", base);
		else
			printf("\nROM %s: ns/op (median of %d), and how many times cheaper than trap-and-emulate\n"
			       "%-18s %-20s %9s %9s %7s %9s %7s %9s %7s\n",
			       base, VMI_BENCH_REPS, "operation", "call", "trap+emul", "CALL", "ratio", "INLINE", "ratio",
			       "native", "ratio");
		for (size_t i = 0; i < VMI_BENCH_NOPS; i++) {
			const struct vmi_bench_op *op = &vmi_bench_ops[i];
			const vmi_call_info *ci = vmi_call_lookup(op->call_id);
			cells[i][VMI_COL_TRAP] = trap[i][VMI_COL_TRAP];
			cells[i][VMI_COL_NATIVE] = native[i][VMI_COL_NATIVE];
			double t = cells[i][VMI_COL_TRAP].ns;
			if (json) {
				printf("    {\"op\": \"%s\", \"call\": \"%s\", \"ns\": [", op->fn, ci ? ci->name : "?");
				for (int c = 0; c < VMI_COL_COUNT; c++)
					vmi_bench_print_cell(&cells[i][c], t, true, c == VMI_COL_COUNT - 1);
				printf("]}%s\n", i + 1 < VMI_BENCH_NOPS ? "," : "");
				continue;
			}
			printf("%-18s %-20s %9.1f", op->fn, ci ? ci->name : "?", t);
			for (int c = VMI_COL_CALL; c < VMI_COL_COUNT; c++)
				vmi_bench_print_cell(&cells[i][c], t, false, false);
			printf("%s%s\n", op->note ? "  " : "", op->note ? op->note : "");
		}
		if (json)
			printf("  ]}%s\n", r + 1 < nroms ? "," : "");
	}
	if (json)
		printf("]}\n");
	else
		printf("\n'-': the ROM does not give this site that form, or user mode cannot run it natively;\n"
		       "'n': the INLINE column holds a NOP site (the ROM made the call nothing at all).\n"
		       "CALL sites whose ROM code makes a hypercall pay one exit, as a trap does: only what the\n"
		       "ROM does without the hypervisor (interrupt flag, CR shadows, batching) is cheaper.\n"
		       "GetInterruptMask/SetInterruptMask under trap-and-emulate run natively and are WRONG (pushf/popf\n"
		       "do not trap in user mode): that is the virtualization hole, not a fast path.\n");
	return VMI_RUN_EXIT_OK;
}
