/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/run.c - configurations and workloads: bring the machine to
 * its reset state, map and initialise the ROM, patch the guest, run one
 * workload, and print the canonical state every form must agree on
 * ("state" lines) and what it cost ("stats" lines, which may differ).
 */
#include <stdlib.h>
#include <string.h>

#include "vmirun.h"

const char *const vmi_run_workloads[] = {
	"irq", "irq-hole", "cr", "msr", "io", "pt", "pt-deferred", "tlb", "tsc", "emul", NULL,
};

struct vmi_wl_env vmi_run_env(uint32_t n)
{
	struct vmi_wl_env env = {
		.pt = vmi_mmu_guest_view(), .pt_gpa = VMI_RUN_PT_GPA, .pt_pages = VMI_RUN_PT_PAGES, .n = n,
	};
	return env;
}

int vmi_run_setup(struct vmi_run_ctx *ctx, const struct vmi_run_config *cfg, struct vmi_run_rom *rom,
		  vmi_boot_state *st, void **ws)
{
	int code = VMI_RUN_EXIT_OK;
	static vmi_policy pol;
	memset(&pol, 0, sizeof(pol));
	pol.size = sizeof(pol);
	if (cfg->policy) {
		size_t at = 0;
		if (vmi_policy_parse(&pol, cfg->policy, strlen(cfg->policy), &at) != VMI_OK) {
			fprintf(stderr, "vmirun: policy '%s': bad item at offset %zu\n", cfg->policy, at);
			return VMI_RUN_EXIT_USAGE;
		}
	}
	vmi_vcpu_reset();
	vmi_dev_reset();
	vmi_mmu_reset();
	memset(rom, 0, sizeof(*rom));
	*ws = NULL;
	if (!vmi_guest_restore(&ctx->guest)) {
		fprintf(stderr, "vmirun: %s: cannot make the text writable\n", ctx->guest.path);
		return VMI_RUN_EXIT_IO;
	}
	if (cfg->rom_path) {
		if (!vmi_rom_open(rom, cfg->rom_path, &code))
			return code;
		if (!vmi_rom_map(rom, (uintptr_t)ctx->guest.text, cfg->far)) {
			fprintf(stderr, "vmirun: %s: no free address for the ROM copy\n", cfg->rom_path);
			vmi_rom_close(rom);
			return VMI_RUN_EXIT_IO;
		}
	}
	if (!vmi_guest_patch(&ctx->guest, &ctx->blob, cfg->rom_path ? rom : NULL, cfg->policy ? &pol : NULL, st, ws)) {
		vmi_rom_close(rom);
		return VMI_RUN_EXIT_INPUT;
	}
	if (cfg->rom_path &&
	    !vmi_rom_init(rom, ((uint32_t)ctx->guest.info.req_major << 8) | ctx->guest.info.req_minor)) {
		vmi_rom_close(rom);
		return VMI_RUN_EXIT_INPUT;
	}
	return VMI_RUN_EXIT_OK;
}

void vmi_run_teardown(struct vmi_run_ctx *ctx, struct vmi_run_rom *rom, void **ws)
{
	(void)ctx;
	vmi_rom_close(rom);
	free(*ws);
	*ws = NULL;
}

static void vmi_run_stats(FILE *f, const vmi_boot_state *st, const struct vmi_run_rom *rom)
{
	const struct vmi_run_stats *s = &vmi_run_cpu.st;
	fprintf(f, "stats entries=%llu traps=%llu hypercalls=%llu batches=%llu batched-ops=%llu\n",
		(unsigned long long)(s->traps + s->hypercalls), (unsigned long long)s->traps,
		(unsigned long long)s->hypercalls, (unsigned long long)s->batches, (unsigned long long)s->batched_ops);
	fprintf(f, "stats pt-traps=%llu pt-writes=%llu tlb-flushes=%llu invlpgs=%llu halts=%llu wbinvd=%llu\n",
		(unsigned long long)s->pt_traps, (unsigned long long)s->pt_writes, (unsigned long long)s->tlb_flushes,
		(unsigned long long)s->invlpgs, (unsigned long long)s->halts, (unsigned long long)vmi_run_cpu.wbinvds);
	fprintf(f, "stats delay-writes=%llu\n", (unsigned long long)vmi_dev_delay_writes());
	if (!vmi_run_cpu.win.open && (vmi_run_cpu.win.entries || vmi_run_cpu.win.pt_writes))
		fprintf(f, "stats window entries=%llu batches=%llu batched-ops=%llu pt-writes=%llu\n",
			(unsigned long long)vmi_run_cpu.win.entries, (unsigned long long)vmi_run_cpu.win.batches,
			(unsigned long long)vmi_run_cpu.win.batched_ops, (unsigned long long)vmi_run_cpu.win.pt_writes);
	fprintf(f, "stats forms ident=%u inline=%u call=%u nop=%u\n", st->summary.forms[VMI_FORM_IDENT],
		st->summary.forms[VMI_FORM_INLINE], st->summary.forms[VMI_FORM_CALL], st->summary.forms[VMI_FORM_NOP]);
	unsigned rel32 = 0, slot = 0;
	for (uint32_t i = 0; i < st->plan.count; i++) {
		rel32 += st->plan.decisions[i].encoding == VMI_ENC_CALL_REL32;
		slot += st->plan.decisions[i].encoding == VMI_ENC_CALL_RIP;
	}
	fprintf(f, "stats calls rel32=%u slot=%u\n", rel32, slot);
	struct vmi_run_result res;
	vmi_run_forms(st, &res);
	for (unsigned id = 0; id < VMI_CALL_ID_LIMIT; id++) {
		const vmi_call_info *ci = vmi_call_lookup(id);
		if (res.call_form[id] != VMI_RUN_FORM_NONE)
			fprintf(f, "stats form %s=%s\n", ci ? ci->name : "?",
				res.call_form[id] == VMI_RUN_FORM_MIXED ? "mixed" : vmi_form_name(res.call_form[id]));
	}
	for (unsigned id = 0; id < VMI_CALL_ID_LIMIT; id++) {
		const vmi_call_info *ci = vmi_call_lookup(id);
		if (s->hc_by_call[id])
			fprintf(f, "stats hypercall %s=%llu\n", ci ? ci->name : "?", (unsigned long long)s->hc_by_call[id]);
		if (rom->data && rom->data->counts[id])
			fprintf(f, "stats rom-entries %s=%u\n", ci ? ci->name : "?", rom->data->counts[id]);
	}
}

void vmi_run_forms(const vmi_boot_state *st, struct vmi_run_result *res)
{
	memset(res->call_form, VMI_RUN_FORM_NONE, sizeof(res->call_form));
	for (uint32_t i = 0; i < st->plan.count; i++) {
		const vmi_decision *d = &st->plan.decisions[i];
		if (d->call_id >= VMI_CALL_ID_LIMIT)
			continue;
		uint8_t *f = &res->call_form[d->call_id];
		*f = *f == VMI_RUN_FORM_NONE || *f == d->form ? d->form : VMI_RUN_FORM_MIXED;
	}
}

static void vmi_run_symbol(const char *workload, char *buf, size_t len)
{
	snprintf(buf, len, "vmi_wl_%s", workload);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

int vmi_run_one(struct vmi_run_ctx *ctx, const struct vmi_run_config *cfg, const char *workload, FILE *state,
		FILE *stats, struct vmi_run_result *res)
{
	char sym[64];
	vmi_run_symbol(workload, sym, sizeof(sym));
	vmi_wl_fn fn = (vmi_wl_fn)vmi_guest_sym(&ctx->guest, sym);
	if (!fn) {
		fprintf(stderr, "vmirun: %s: no workload '%s' (symbol %s)\n", ctx->guest.path, workload, sym);
		return VMI_RUN_EXIT_USAGE;
	}
	struct vmi_run_rom rom;
	void *ws;
	vmi_boot_state st;
	int code = vmi_run_setup(ctx, cfg, &rom, &st, &ws);
	if (code != VMI_RUN_EXIT_OK)
		return code;
	struct vmi_wl_env env = vmi_run_env(ctx->iterations);
	fflush(NULL);
	vmi_trap_set_tsc(true);
	fn(&env);
	vmi_trap_set_tsc(false);
	if (state) {
		vmi_vcpu_dump(state);
		vmi_dev_dump(state);
		vmi_mmu_dump(state);
	}
	if (stats)
		vmi_run_stats(stats, &st, &rom);
	if (res)
		vmi_run_forms(&st, res);
	vmi_run_teardown(ctx, &rom, &ws);
	return VMI_RUN_EXIT_OK;
}
