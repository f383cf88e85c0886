/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/main.c - the command line of vmirun (docs/vmirun.1).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vmirun.h"
#include "matrix.h"

#ifndef VMI_RUN_DEFAULT_PATCHER
#define VMI_RUN_DEFAULT_PATCHER "patcher.bin"
#endif
#ifndef VMI_RUN_DEFAULT_GUEST
#define VMI_RUN_DEFAULT_GUEST "vmirun-guest.so"
#endif
#define VMI_RUN_MAX_ROMS 16

static void vmi_run_usage(FILE *f)
{
	fprintf(f,
		"usage: vmirun [--guest FILE] [--patcher FILE] [--rom FILE] [--policy TEXT] [--far]\n"
		"              [--workload NAME|all] [--iterations N] [--stats]\n"
		"       vmirun --matrix [--rom FILE]... [--workload NAME|all]\n"
		"       vmirun --bench [--json] [--rom FILE]...\n"
		"       vmirun --list | --help | --version\n"
		"Runs guest code against a software vCPU: privileged instructions trap and are\n"
		"emulated; with --rom the guest is patched by patcher.bin for that ROM first.\n"
		"  --guest FILE      guest workload object (default %s)\n"
		"  --patcher FILE    " VMI_RUN_ARCH_NAME " patcher.bin (default %s)\n"
		"  --rom FILE        VMI ROM (repeat for --matrix and --bench); none = trap-and-emulate\n"
		"  --policy TEXT     patch policy, e.g. no-inline,ident:irq\n"
		"  --far             place the ROM copy out of rel32 reach (calls go through slots)\n"
		"  --workload NAME   one of --list, or all (default all)\n"
		"  --iterations N    iterations per workload (default 64)\n"
		"  --stats           also print what the run cost (hypervisor entries, forms)\n"
		"  --matrix          compare every workload's final state across configurations\n"
		"  --bench           print ns per operation for each form, and ratios\n"
		"  --json            with --bench: JSON output\n"
		"Exit: 0 ok, 1 bad input, 2 usage, 3 I/O, 6 guest fault/unhandled instruction,\n"
		"7 --matrix found a different state.\n",
		VMI_RUN_DEFAULT_GUEST, VMI_RUN_DEFAULT_PATCHER);
}

int main(int argc, char **argv)
{
	enum { O_GUEST = 256, O_PATCHER, O_ROM, O_POLICY, O_FAR, O_WORKLOAD, O_ITER, O_STATS, O_MATRIX, O_BENCH,
	       O_JSON, O_LIST, O_HELP, O_VERSION };
	static const struct option longopts[] = {
		{ "guest", required_argument, NULL, O_GUEST },     { "patcher", required_argument, NULL, O_PATCHER },
		{ "rom", required_argument, NULL, O_ROM },         { "policy", required_argument, NULL, O_POLICY },
		{ "far", no_argument, NULL, O_FAR },               { "workload", required_argument, NULL, O_WORKLOAD },
		{ "iterations", required_argument, NULL, O_ITER }, { "stats", no_argument, NULL, O_STATS },
		{ "matrix", no_argument, NULL, O_MATRIX },         { "bench", no_argument, NULL, O_BENCH },
		{ "json", no_argument, NULL, O_JSON },             { "list", no_argument, NULL, O_LIST },
		{ "help", no_argument, NULL, O_HELP },             { "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *guest = VMI_RUN_DEFAULT_GUEST, *patcher = VMI_RUN_DEFAULT_PATCHER, *workload = "all";
	const char *roms[VMI_RUN_MAX_ROMS];
	unsigned nroms = 0;
	struct vmi_run_config cfg = { .rom_path = NULL };
	bool stats = false, matrix = false, bench = false, json = false;
	unsigned long iterations = 64;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case O_GUEST: guest = optarg; break;
		case O_PATCHER: patcher = optarg; break;
		case O_ROM:
			if (nroms == VMI_RUN_MAX_ROMS) {
				fprintf(stderr, "vmirun: at most %d --rom\n", VMI_RUN_MAX_ROMS);
				return VMI_RUN_EXIT_USAGE;
			}
			roms[nroms++] = optarg;
			break;
		case O_POLICY: cfg.policy = optarg; break;
		case O_FAR:
#if defined(__i386__)
			fprintf(stderr, "vmirun: --far: every address is within rel32 reach on i386\n");
			return VMI_RUN_EXIT_USAGE;
#endif
			cfg.far = true;
			break;
		case O_WORKLOAD: workload = optarg; break;
		case O_ITER:
			iterations = strtoul(optarg, &end, 0);
			if (*end || !*optarg || iterations == 0 || iterations > 1000000) {
				fprintf(stderr, "vmirun: --iterations: '%s' is not a number in 1..1000000\n", optarg);
				return VMI_RUN_EXIT_USAGE;
			}
			break;
		case O_STATS: stats = true; break;
		case O_MATRIX: matrix = true; break;
		case O_BENCH: bench = true; break;
		case O_JSON: json = true; break;
		case O_LIST:
			for (unsigned i = 0; vmi_run_workloads[i]; i++)
				printf("%s\n", vmi_run_workloads[i]);
			return VMI_RUN_EXIT_OK;
		case O_HELP: vmi_run_usage(stdout); return VMI_RUN_EXIT_OK;
		case O_VERSION: printf("vmirun %s\n", VMI_VERSION_STRING); return VMI_RUN_EXIT_OK;
		default: vmi_run_usage(stderr); return VMI_RUN_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmirun: unexpected argument '%s'\n", argv[optind]);
		return VMI_RUN_EXIT_USAGE;
	}
	if (matrix + bench > 1 || (!matrix && !bench && nroms > 1) || (json && !bench)) {
		fprintf(stderr, "vmirun: use --matrix or --bench (not both) for several --rom; --json needs --bench\n");
		return VMI_RUN_EXIT_USAGE;
	}
	if (workload && strcmp(workload, "all")) {
		bool known = false;
		for (unsigned i = 0; vmi_run_workloads[i]; i++)
			known |= !strcmp(vmi_run_workloads[i], workload);
		if (!known) {
			fprintf(stderr, "vmirun: unknown workload '%s' (see --list)\n", workload);
			return VMI_RUN_EXIT_USAGE;
		}
	}

	static struct vmi_run_ctx ctx;
	int code = VMI_RUN_EXIT_OK;
	ctx.iterations = (uint32_t)iterations;
	/* Validate every ROM before anything runs: a bad one is one clear line. */
	for (unsigned i = 0; i < nroms; i++) {
		struct vmi_run_rom r;
		bool ok = vmi_rom_open(&r, roms[i], &code);
		vmi_rom_close(&r);
		if (!ok)
			return code;
	}
	if (!vmi_blob_load(&ctx.blob, patcher, &code) || !vmi_guest_open(&ctx.guest, guest, &code))
		return code;
	if (!vmi_mmu_init() || !vmi_trap_install()) {
		fprintf(stderr, "vmirun: cannot set up the machine model (memfd, signals)\n");
		return VMI_RUN_EXIT_IO;
	}
	if (matrix)
		return vmi_matrix(&ctx, roms, nroms, workload);
	if (bench)
		return vmi_bench(&ctx, roms, nroms, json);

	cfg.rom_path = nroms ? roms[0] : NULL;
	for (unsigned i = 0; vmi_run_workloads[i]; i++) {
		if (strcmp(workload, "all") && strcmp(workload, vmi_run_workloads[i]))
			continue;
		printf("workload %s\n", vmi_run_workloads[i]);
		code = vmi_run_one(&ctx, &cfg, vmi_run_workloads[i], stdout, stats ? stdout : NULL, NULL);
		if (code != VMI_RUN_EXIT_OK)
			return code;
	}
	return VMI_RUN_EXIT_OK;
}
