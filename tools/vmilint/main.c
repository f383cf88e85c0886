/* SPDX-License-Identifier: MIT */
/*
 * vmilint - find privileged and sensitive instructions that no annotation
 * covers. A linear sweep of every executable section with Zydis (no
 * operand decoding: lengths, mnemonics and attributes are enough; on
 * several threads for a large section, sweep.c), a moving cursor over the
 * sorted sites, and a binary search in the symbol table per finding, so
 * tens of MB of text take seconds.
 *
 * As a build step (like objtool): each finding is one line
 * "FILE:LINE: SEVERITY: message" (DWARF line info, else IMAGE:0xADDR);
 * sensitive instructions are errors (they silently misbehave), privileged
 * ones warnings (they trap: slow but correct). --fail-on SEVERITY makes
 * findings at or above it exit 4, --baseline FILE accepts known ones so
 * only new findings count. Relocatable objects (.o, .ko) are laid out and
 * relocated first (reloc.c).
 */
#include <elf.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "baseline.h"
#include "classify.h"
#include "crosscheck.h"
#include "diag.h"
#include "decoder.h"
#include "disasm.h"
#include "guestinfo.h"
#include "image.h"
#include "linuxpv.h"
#include "json.h"
#include "lines.h"
#include "reloc.h"
#include "sweep.h"
#include "symbols.h"
#include "vmi/vmi.h"

#define VMI_PROG "vmilint"
#define VMI_LINT_XC_MAX_LISTED 50
#define VMI_LINT_SCHEMA_VERSION 1 /* docs/schema/vmilint.schema.json */

/* Severities, in order: --fail-on S fails on findings of S or above. */
enum vmi_lint_sev { VMI_SEV_NONE = 0, VMI_SEV_WARNING = 1, VMI_SEV_ERROR = 2 };
static const char *const vmi_sev_names[] = { "none", "warning", "error" };

typedef struct vmi_lint_args {
	const char *image;
	const char *symbols; /* System.map for a stripped image, or NULL */
	const char *baseline;       /* --baseline FILE, or NULL */
	const char *write_baseline; /* --write-baseline FILE, or NULL */
	bool cross_check, json;
	int fail_on;                /* enum vmi_lint_sev; VMI_SEV_NONE = findings never fail */
	uint8_t arch;
	unsigned jobs; /* threads for a large section */
} vmi_lint_args;

typedef struct vmi_xc_item {
	uint64_t addr;
	char why[120];
} vmi_xc_item;

/* What the report says about one finding besides the sweep's record. */
typedef struct vmi_lint_view {
	const vmi_symbol *sym;   /* enclosing symbol, or NULL */
	uint64_t sym_off;
	const char *file;        /* source file from DWARF, or NULL */
	int line;
	int sev;                 /* enum vmi_lint_sev */
	bool baselined;          /* accepted by --baseline */
} vmi_lint_view;

typedef struct vmi_lint {
	vmi_span *spans;
	size_t nspans;
	vmi_tally t;             /* every section's instructions and findings */
	uint64_t sections, text_bytes;
	const char *image;       /* for the cross-check hook */
	csh cs;
	cs_insn *csi;
	uint64_t xc_compared, xc_disagree;
	vmi_xc_item xc_items[VMI_LINT_XC_MAX_LISTED];
	vmi_lint_view *views;    /* one per finding */
	size_t fresh;            /* findings not in the baseline */
	size_t failing;          /* fresh findings at or above --fail-on */
	size_t stale;            /* baseline entries that matched nothing */
	uint64_t relocs;         /* relocations applied (ET_REL) */
	bool object;             /* the input was an ET_REL object */
	const char *linux_map;   /* a Linux kernel's pv-op map (linuxpv.h), NULL if not one */
	uint32_t linux_records, linux_sites; /* its .parainstructions records, those with a VMI call */
} vmi_lint;

static void vmi_usage(FILE *f)
{
	fprintf(f,
		"usage: " VMI_PROG " [options] IMAGE\n"
		"Report privileged and sensitive instructions no VMI annotation covers.\n"
		"  -c, --cross-check   decode with Capstone too; report length/mnemonic disagreements\n"
		"  -F, --fail-on SEV   exit 4 when a finding not in the baseline is SEV or worse:\n"
		"                      warning (any; privileged instructions are warnings),\n"
		"                      error (sensitive ones only), none (default)\n"
		"  -s, --strict        the same as --fail-on warning\n"
		"  -b, --baseline FILE accepted findings (\"SYMBOL MNEMONIC\" lines); only others\n"
		"                      are printed and can fail\n"
		"      --write-baseline FILE  write this run's findings as a baseline\n"
		"  -j, --json          machine-readable output on stdout\n"
		"  -a, --arch ARCH     require an i386 or x86_64 image\n"
		"  -S, --symbols MAP   symbols from a System.map/nm listing (stripped images)\n"
		"      --jobs N        threads for a large section (default: the online CPUs,\n"
		"                      at most 8; the result is the same for any N)\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"Findings print as FILE:LINE: SEVERITY: ... (DWARF), else IMAGE:0xADDR: ...\n"
		"IMAGE may be a linked image or a relocatable object (.o, .ko).\n"
		"Exit: 0 ok (findings are reported but not an error), 1 bad input, 2 usage,\n"
		"3 I/O error, 4 findings at or above --fail-on (or --strict).\n");
}

static int vmi_parse_args(int argc, char **argv, vmi_lint_args *a)
{
	static const struct option opts[] = {
		{ "cross-check", no_argument, NULL, 'c' }, { "strict", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },        { "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },        { "version", no_argument, NULL, 'v' },
		{ "symbols", required_argument, NULL, 'S' }, { "jobs", required_argument, NULL, 'J' },
		{ "fail-on", required_argument, NULL, 'F' }, { "baseline", required_argument, NULL, 'b' },
		{ "write-baseline", required_argument, NULL, 'W' }, { NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "csja:S:F:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->cross_check = true; break;
		case 's': a->fail_on = VMI_SEV_WARNING; break;
		case 'b': a->baseline = optarg; break;
		case 'W': a->write_baseline = optarg; break;
		case 'F': {
			int k = VMI_SEV_ERROR;
			while (k >= 0 && strcmp(optarg, vmi_sev_names[k]) != 0)
				k--;
			if (k < 0)
				return vmi_usage_error(VMI_PROG, "--fail-on: want warning, error or none, got '%s'",
						       optarg);
			a->fail_on = k;
			break;
		}
		case 'j': a->json = true; break;
		case 'S': a->symbols = optarg; break;
		case 'J': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 64)
				return vmi_usage_error(VMI_PROG, "--jobs: want a number 1..64, got '%s'", optarg);
			a->jobs = (unsigned)n;
			break;
		}
		case 'a':
			if (!(a->arch = vmi_arch_parse(optarg)))
				return vmi_usage_error(VMI_PROG, "--arch: unknown architecture '%s'", optarg);
			break;
		case 'h': vmi_usage(stdout); exit(VMI_EXIT_OK);
		case 'v': printf(VMI_PROG " " VMI_VERSION_STRING "\n"); exit(VMI_EXIT_OK);
		default: return vmi_usage_error(VMI_PROG, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return vmi_usage_error(VMI_PROG, "%s", optind >= argc ? "no IMAGE given" : "more than one IMAGE given");
	a->image = argv[optind];
	if (!a->jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		a->jobs = n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
	}
	return VMI_EXIT_OK;
}

static int vmi_span_cmp(const void *x, const void *y)
{
	const vmi_span *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* One object of a guest: its sites but not the note (which one other
 * object holds); the entries are those of the headers it was built with. */
static int vmi_lint_object_sites(const vmi_image *img, vmi_guestinfo *gi, vmi_diag *d)
{
	const vmi_image_section *s = vmi_image_section_by_name(img, VMI_SITES_SECTION);
	vmi_guest g = { .format_version = VMI_FORMAT_VERSION, .entry_size = VMI_SITE_ENTRY_V1_SIZE,
			.arch = img->arch };
	vmi_status st = vmi_annotations_init(&gi->ann, &g, img->buf + s->offset, s->addr, s->size);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", VMI_SITES_SECTION,
				    vmi_strerror(st));
	return VMI_EXIT_OK;
}

static int vmi_lint_spans(vmi_lint *l, const vmi_image *img, vmi_diag *d)
{
	vmi_guestinfo gi;
	int rc;

	vmi_linuxpv lp = { 0 };
	bool have_lp = false;

	if (vmi_linuxpv_read_as_linux(img) && !l->object) {
		/* A Linux kernel: its paravirt sites are the annotated spans. */
		rc = vmi_linuxpv_load(img, &lp, &gi, d);
		if (rc)
			return rc;
		have_lp = true;
		l->linux_sites = lp.sites;
		l->linux_records = lp.records;
		l->linux_map = lp.map_from;
		goto spans;
	}
	if (!vmi_guestinfo_present(img))
		return VMI_EXIT_OK; /* an unannotated kernel: every finding counts */
	if (l->object && !vmi_image_section_by_name(img, VMI_NOTE_SECTION))
		rc = vmi_image_section_by_name(img, VMI_SITES_SECTION) ? vmi_lint_object_sites(img, &gi, d) : 0;
	else
		rc = vmi_guestinfo_load(img, &gi, d);
	if (rc || (l->object && !vmi_image_section_by_name(img, VMI_SITES_SECTION)))
		return rc;
spans:
	l->spans = calloc(gi.ann.count ? gi.ann.count : 1, sizeof(*l->spans));
	if (!l->spans)
		rc = vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory");
	for (uint32_t i = 0; !rc && i < gi.ann.count; i++) {
		vmi_site s;
		if (vmi_annotations_get(&gi.ann, i, &s) != VMI_OK) {
			rc = vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: entry %u unreadable",
					  have_lp ? VMI_LINUX_PV_SECTION : VMI_SITES_SECTION, (unsigned)i);
			break;
		}
		l->spans[l->nspans].start = s.addr;
		l->spans[l->nspans].end = s.addr + s.len;
		l->nspans++;
	}
	if (!rc)
		qsort(l->spans, l->nspans, sizeof(*l->spans), vmi_span_cmp);
	if (have_lp)
		vmi_linuxpv_free(&lp);
	return rc;
}

/* --cross-check: Capstone's view of every instruction Zydis decoded. */
static void vmi_lint_xc(void *ctx, const ZydisDecodedInstruction *in, const uint8_t *code, size_t left,
			uint64_t addr)
{
	vmi_lint *l = ctx;
	char why[120];
	l->xc_compared++;
	if (vmi_crosscheck_one(l->cs, l->csi, in, code, left, addr, why, sizeof(why)))
		return;
	if (l->xc_disagree < VMI_LINT_XC_MAX_LISTED) {
		l->xc_items[l->xc_disagree].addr = addr;
		snprintf(l->xc_items[l->xc_disagree].why, sizeof(why), "%s", why);
	}
	l->xc_disagree++;
}

static int vmi_lint_section(vmi_lint *l, const vmi_image *img, const vmi_image_section *s,
			    const ZydisDecoder *dec, unsigned jobs, vmi_diag *d)
{
	vmi_sweep_job job = {
		.dec = dec, .spans = l->spans, .nspans = l->nspans, .base = img->buf + s->offset,
		.addr = s->addr, .size = s->size, .hook = l->cs ? vmi_lint_xc : NULL, .hook_ctx = l,
	};
	l->sections++;
	l->text_bytes += s->size;
	if (vmi_sweep(&job, jobs, &l->t) != 0)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory or threads");
	return VMI_EXIT_OK;
}

/* FILE:LINE from DWARF, else IMAGE:0xADDR: where editors and CI put the message. */
static const char *vmi_lint_where(const vmi_lint_args *a, const vmi_lint_view *v, uint64_t addr, char *buf,
				  size_t len)
{
	if (v && v->file)
		snprintf(buf, len, "%s:%d", v->file, v->line);
	else
		snprintf(buf, len, "%s:0x%llx", a->image, (unsigned long long)addr);
	return buf;
}

static void vmi_lint_print_text(const vmi_lint_args *a, const vmi_lint *l, const vmi_symtab *st, csh pr)
{
	char sym[160], hex[64], dis[160], where[4200], at[32];
	const char *prev = NULL;
	size_t group = 0;

	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_finding *f = &l->t.found[i];
		const vmi_lint_view *v = &l->views[i];
		if (v->baselined)
			continue;
		vmi_hex_text(f->bytes, f->len, hex, sizeof(hex));
		vmi_disasm_text(pr, f->bytes, f->len, f->addr, dis, sizeof(dis));
		snprintf(at, sizeof(at), " at 0x%llx", (unsigned long long)f->addr);
		printf("%s: %s: %s instruction '%s' is not annotated, in %s%s [%s]\n",
		       vmi_lint_where(a, v, f->addr, where, sizeof(where)), vmi_sev_names[v->sev],
		       vmi_lint_kind_name(f->kind), dis, vmi_symtab_format(st, f->addr, sym, sizeof(sym)),
		       v->file ? at : "", hex);
	}
	if (l->fresh) {
		printf("by symbol:\n");
		for (size_t i = 0; i <= l->t.nfound; i++) {
			if (i < l->t.nfound && l->views[i].baselined)
				continue;
			const vmi_symbol *s = i < l->t.nfound ? l->views[i].sym : NULL;
			const char *name = i < l->t.nfound ? (s ? s->name : "?") : NULL;
			if (group && (!name || !prev || strcmp(name, prev) != 0)) {
				printf("  %-40s %zu\n", prev ? prev : "?", group);
				group = 0;
			}
			prev = name;
			group++;
		}
	}
	if (a->cross_check) {
		for (uint64_t i = 0; i < l->xc_disagree && i < VMI_LINT_XC_MAX_LISTED; i++)
			printf("%s: note: decoders disagree: %s, in %s\n",
			       vmi_lint_where(a, NULL, l->xc_items[i].addr, where, sizeof(where)), l->xc_items[i].why,
			       vmi_symtab_format(st, l->xc_items[i].addr, sym, sizeof(sym)));
		printf("cross-check: %llu instructions compared, %llu disagreements\n",
		       (unsigned long long)l->xc_compared, (unsigned long long)l->xc_disagree);
	}
	uint64_t priv = 0;
	for (size_t i = 0; i < l->t.nfound; i++)
		priv += l->t.found[i].kind == VMI_LINT_PRIVILEGED;
	printf("%s: %llu sections, %llu bytes, %llu instructions, %llu undecodable bytes; %zu annotated sites "
	       "cover %llu; findings: %zu (%llu privileged, %llu sensitive)",
	       a->image, (unsigned long long)l->sections, (unsigned long long)l->text_bytes,
	       (unsigned long long)l->t.insns, (unsigned long long)l->t.bad_bytes, l->nspans,
	       (unsigned long long)l->t.covered, l->t.nfound, (unsigned long long)priv,
	       (unsigned long long)(l->t.nfound - priv));
	if (a->baseline)
		printf("; new: %zu (%zu in %s, %zu of its entries match nothing)", l->fresh, l->t.nfound - l->fresh,
		       a->baseline, l->stale);
	if (l->object)
		printf("; object: %llu relocations applied", (unsigned long long)l->relocs);
	if (l->linux_map)
		printf("; linux: the sites are %u of %u %s records (pv-op map: %s)", (unsigned)l->linux_sites,
		       (unsigned)l->linux_records, VMI_LINUX_PV_SECTION, l->linux_map);
	printf("\n");
}

static void vmi_lint_print_json(const vmi_lint_args *a, const vmi_image *img, const vmi_lint *l,
				const vmi_symtab *st, csh pr)
{
	vmi_json j;
	char sym[160], hex[64], dis[160];
	uint64_t priv = 0;

	for (size_t i = 0; i < l->t.nfound; i++)
		priv += l->t.found[i].kind == VMI_LINT_PRIVILEGED;
	vmi_json_init(&j, stdout);
	vmi_json_obj(&j);
	vmi_json_ku64(&j, "schema_version", VMI_LINT_SCHEMA_VERSION);
	vmi_json_kstr(&j, "tool", VMI_PROG);
	vmi_json_kstr(&j, "version", VMI_VERSION_STRING);
	vmi_json_kstr(&j, "image", a->image);
	vmi_json_kstr(&j, "arch", vmi_arch_name(img->arch));
	vmi_json_kbool(&j, "object", l->object);
	vmi_json_ku64(&j, "relocations", l->relocs);
	vmi_json_kstr(&j, "fail_on", vmi_sev_names[a->fail_on]);
	vmi_json_key(&j, "baseline");
	if (a->baseline) {
		vmi_json_obj(&j);
		vmi_json_kstr(&j, "file", a->baseline);
		vmi_json_ku64(&j, "accepted", l->t.nfound - l->fresh);
		vmi_json_ku64(&j, "stale", l->stale);
		vmi_json_obj_end(&j);
	} else {
		vmi_json_null(&j);
	}
	vmi_json_ku64(&j, "sections", l->sections);
	vmi_json_ku64(&j, "text_bytes", l->text_bytes);
	vmi_json_ku64(&j, "instructions", l->t.insns);
	vmi_json_ku64(&j, "undecodable_bytes", l->t.bad_bytes);
	vmi_json_ku64(&j, "sites", l->nspans);
	vmi_json_ku64(&j, "covered", l->t.covered);
	vmi_json_key(&j, "linux");
	if (l->linux_map) {
		vmi_json_obj(&j);
		vmi_json_kstr(&j, "map", l->linux_map);
		vmi_json_ku64(&j, "records", l->linux_records);
		vmi_json_ku64(&j, "sites", l->linux_sites);
		vmi_json_obj_end(&j);
	} else {
		vmi_json_null(&j);
	}
	vmi_json_key(&j, "summary");
	vmi_json_obj(&j);
	vmi_json_ku64(&j, "findings", l->t.nfound);
	vmi_json_ku64(&j, "privileged", priv);
	vmi_json_ku64(&j, "sensitive", l->t.nfound - priv);
	vmi_json_ku64(&j, "new", l->fresh);
	vmi_json_ku64(&j, "failing", l->failing);
	vmi_json_obj_end(&j);
	vmi_json_key(&j, "findings");
	vmi_json_arr(&j);
	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_finding *f = &l->t.found[i];
		const vmi_lint_view *v = &l->views[i];
		vmi_hex_text(f->bytes, f->len, hex, sizeof(hex));
		vmi_json_obj(&j);
		vmi_json_khex(&j, "addr", f->addr);
		vmi_json_kstr(&j, "symbol", v->sym ? v->sym->name : NULL);
		vmi_json_ku64(&j, "symbol_offset", v->sym ? v->sym_off : 0);
		vmi_json_kstr(&j, "file", v->file);
		vmi_json_key(&j, "line");
		if (v->file)
			vmi_json_u64(&j, (uint64_t)v->line);
		else
			vmi_json_null(&j);
		vmi_json_kstr(&j, "severity", vmi_sev_names[v->sev]);
		vmi_json_kbool(&j, "baselined", v->baselined);
		vmi_json_kstr(&j, "where", vmi_symtab_format(st, f->addr, sym, sizeof(sym)));
		vmi_json_kstr(&j, "mnemonic", ZydisMnemonicGetString(f->mnemonic));
		vmi_disasm_text(pr, f->bytes, f->len, f->addr, dis, sizeof(dis));
		vmi_json_kstr(&j, "asm", dis);
		vmi_json_kstr(&j, "kind", vmi_lint_kind_name(f->kind));
		vmi_json_kstr(&j, "bytes", hex);
		vmi_json_obj_end(&j);
	}
	vmi_json_arr_end(&j);
	vmi_json_key(&j, "cross_check");
	if (a->cross_check) {
		vmi_json_obj(&j);
		vmi_json_ku64(&j, "compared", l->xc_compared);
		vmi_json_ku64(&j, "disagreements", l->xc_disagree);
		vmi_json_key(&j, "listed");
		vmi_json_arr(&j);
		for (uint64_t i = 0; i < l->xc_disagree && i < VMI_LINT_XC_MAX_LISTED; i++) {
			vmi_json_obj(&j);
			vmi_json_khex(&j, "addr", l->xc_items[i].addr);
			vmi_json_kstr(&j, "why", l->xc_items[i].why);
			vmi_json_obj_end(&j);
		}
		vmi_json_arr_end(&j);
		vmi_json_obj_end(&j);
	} else {
		vmi_json_null(&j);
	}
	vmi_json_obj_end(&j);
	vmi_json_end(&j);
}

/* Symbol, source line, severity and baseline verdict of every finding. */
static int vmi_lint_judge(const vmi_lint_args *a, vmi_lint *l, const vmi_symtab *st, vmi_lines *ln,
			  vmi_baseline *bl, vmi_diag *d)
{
	l->views = calloc(l->t.nfound ? l->t.nfound : 1, sizeof(*l->views));
	if (!l->views)
		return vmi_diag_set(d, VMI_EXIT_IO, a->image, "out of memory");
	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_finding *f = &l->t.found[i];
		vmi_lint_view *v = &l->views[i];
		char key[32];
		v->sym = vmi_symtab_find(st, f->addr, &v->sym_off);
		if (!vmi_lines_find(ln, f->addr, &v->file, &v->line))
			v->file = NULL;
		v->sev = f->kind == VMI_LINT_SENSITIVE ? VMI_SEV_ERROR : VMI_SEV_WARNING;
		snprintf(key, sizeof(key), "0x%llx", (unsigned long long)f->addr);
		v->baselined = bl && vmi_baseline_accept(bl, v->sym ? v->sym->name : key,
							 ZydisMnemonicGetString(f->mnemonic));
		l->fresh += !v->baselined;
		l->failing += !v->baselined && a->fail_on != VMI_SEV_NONE && v->sev >= a->fail_on;
	}
	l->stale = bl ? vmi_baseline_unused(bl) : 0;
	return VMI_EXIT_OK;
}

/* --write-baseline: every finding of this run as "SYMBOL MNEMONIC". */
static int vmi_lint_write_baseline(const vmi_lint_args *a, const vmi_lint *l, vmi_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return vmi_diag_set(d, VMI_EXIT_IO, a->write_baseline, "out of memory");
	fprintf(f, "# vmilint baseline of %s: accepted findings, one per line: SYMBOL MNEMONIC\n"
		   "# (written by vmilint --write-baseline; pass it back with --baseline)\n", a->image);
	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_lint_view *v = &l->views[i];
		if (v->sym)
			fprintf(f, "%s", v->sym->name);
		else
			fprintf(f, "0x%llx", (unsigned long long)l->t.found[i].addr);
		fprintf(f, " %s\n", ZydisMnemonicGetString(l->t.found[i].mnemonic));
	}
	int rc = fclose(f) ? vmi_diag_set(d, VMI_EXIT_IO, a->write_baseline, "out of memory")
			   : vmi_atomic_write(a->write_baseline, buf, len, 0644, d);
	free(buf);
	return rc;
}

static int vmi_run(const vmi_lint_args *a, vmi_diag *d)
{
	vmi_image img;
	vmi_symtab st = { 0 };
	vmi_rel_info ri = { 0 };
	vmi_baseline bl = { 0 };
	vmi_lines *ln = NULL;
	vmi_lint *l = calloc(1, sizeof(*l));
	ZydisDecoder dec;
	csh cs = 0, pr = 0;
	cs_insn *csi = NULL;
	int rc;

	if (!l)
		return vmi_diag_set(d, VMI_EXIT_IO, a->image, "out of memory");
	rc = vmi_rel_check_kind(a->image, d);
	if (!rc && a->baseline)
		rc = vmi_baseline_load(&bl, a->baseline, d);
	if (!rc)
		rc = vmi_image_load(&img, a->image, a->arch, d);
	if (rc) {
		vmi_baseline_free(&bl);
		free(l);
		return rc;
	}
	if ((l->object = vmi_rel_is_object(&img))) {
		rc = vmi_rel_prepare(&img, &ri, d);
		l->relocs = ri.applied;
	}
	if (!rc)
		rc = vmi_lint_spans(l, &img, d);
	if (!rc)
		rc = a->symbols ? vmi_symtab_load_map(&st, a->symbols, d) : vmi_symtab_load(&st, &img, d);
	if (!rc && !vmi_zydis_init(&dec, img.arch))
		rc = vmi_diag_set(d, VMI_EXIT_IO, a->image, "cannot set up the Zydis decoder");
	/* Capstone renders the findings for people; Zydis decided them. */
	if (!rc && !vmi_capstone_open(&pr, img.arch))
		rc = vmi_diag_set(d, VMI_EXIT_IO, a->image, "cannot set up the Capstone decoder");
	if (!rc && a->cross_check) {
		if (!vmi_capstone_open(&cs, img.arch) || !(csi = cs_malloc(cs)))
			rc = vmi_diag_set(d, VMI_EXIT_IO, a->image, "cannot set up the Capstone decoder");
		l->cs = cs;
		l->csi = csi;
	}
	for (size_t i = 0; !rc && i < img.nsecs; i++) {
		const vmi_image_section *s = &img.secs[i];
		if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR))
			rc = vmi_lint_section(l, &img, s, &dec, a->jobs, d);
	}
	if (!rc && !l->sections)
		rc = vmi_diag_set(d, VMI_EXIT_INPUT, a->image, "no executable sections to check");
	if (!rc && l->t.nfound)
		ln = vmi_lines_open(&img, l->object);
	if (!rc)
		rc = vmi_lint_judge(a, l, &st, ln, a->baseline ? &bl : NULL, d);
	if (!rc && a->write_baseline)
		rc = vmi_lint_write_baseline(a, l, d);
	if (!rc) {
		if (a->json)
			vmi_lint_print_json(a, &img, l, &st, pr);
		else
			vmi_lint_print_text(a, l, &st, pr);
		fflush(stdout);
		if (l->failing)
			rc = vmi_diag_set(d, VMI_EXIT_FINDINGS, a->image,
					  "%zu %sunannotated privileged or sensitive instructions at or above %s "
					  "(--fail-on %s)", l->failing, a->baseline ? "new " : "",
					  vmi_sev_names[a->fail_on], vmi_sev_names[a->fail_on]);
	}
	if (csi)
		cs_free(csi, 1);
	if (cs)
		cs_close(&cs);
	if (pr)
		cs_close(&pr);
	vmi_lines_close(ln);
	vmi_baseline_free(&bl);
	vmi_rel_free(&ri);
	vmi_symtab_free(&st);
	free(l->spans);
	free(l->views);
	vmi_tally_free(&l->t);
	free(l);
	vmi_image_free(&img);
	return rc;
}

int main(int argc, char **argv)
{
	static char obuf[1 << 16];
	vmi_lint_args a;
	vmi_diag d = { 0 };

	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	int rc = vmi_parse_args(argc, argv, &a);
	if (rc)
		return rc;
	rc = vmi_run(&a, &d);
	fflush(stdout);
	vmi_diag_print(VMI_PROG, &d);
	return rc;
}
