/* SPDX-License-Identifier: MIT */
/*
 * vmilint - find privileged and sensitive instructions that no annotation
 * covers. A linear sweep of every executable section with Zydis (no
 * operand decoding: lengths, mnemonics and attributes are enough; on
 * several threads for a large section, sweep.c), a moving cursor over the
 * sorted sites, and a binary search in the symbol table per finding, so
 * tens of MB of text take seconds.
 */
#include <elf.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "crosscheck.h"
#include "diag.h"
#include "decoder.h"
#include "disasm.h"
#include "guestinfo.h"
#include "image.h"
#include "json.h"
#include "sweep.h"
#include "symbols.h"
#include "vmi/vmi.h"

#define VMI_PROG "vmilint"
#define VMI_LINT_XC_MAX_LISTED 50

typedef struct vmi_lint_args {
	const char *image;
	const char *symbols; /* System.map for a stripped image, or NULL */
	bool cross_check, strict, json;
	uint8_t arch;
	unsigned jobs; /* threads for a large section */
} vmi_lint_args;

typedef struct vmi_xc_item {
	uint64_t addr;
	char why[120];
} vmi_xc_item;

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
} vmi_lint;

static void vmi_usage(FILE *f)
{
	fprintf(f,
		"usage: " VMI_PROG " [options] IMAGE\n"
		"Report privileged and sensitive instructions no VMI annotation covers.\n"
		"  -c, --cross-check   decode with Capstone too; report length/mnemonic disagreements\n"
		"  -s, --strict        exit 4 when there are findings (for CI)\n"
		"  -j, --json          machine-readable output on stdout\n"
		"  -a, --arch ARCH     require an i386 or x86_64 image\n"
		"  -S, --symbols MAP   symbols from a System.map/nm listing (stripped images)\n"
		"      --jobs N        threads for a large section (default: the online CPUs,\n"
		"                      at most 8; the result is the same for any N)\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"Exit: 0 ok (findings are reported but not an error), 1 bad input, 2 usage,\n"
		"3 I/O error, 4 findings with --strict.\n");
}

static int vmi_parse_args(int argc, char **argv, vmi_lint_args *a)
{
	static const struct option opts[] = {
		{ "cross-check", no_argument, NULL, 'c' }, { "strict", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },        { "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },        { "version", no_argument, NULL, 'v' },
		{ "symbols", required_argument, NULL, 'S' }, { "jobs", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "csja:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->cross_check = true; break;
		case 's': a->strict = true; break;
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

static int vmi_lint_spans(vmi_lint *l, const vmi_image *img, vmi_diag *d)
{
	vmi_guestinfo gi;

	if (!vmi_guestinfo_present(img))
		return VMI_EXIT_OK; /* an unannotated kernel: every finding counts */
	int rc = vmi_guestinfo_load(img, &gi, d);
	if (rc)
		return rc;
	l->spans = calloc(gi.ann.count ? gi.ann.count : 1, sizeof(*l->spans));
	if (!l->spans)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory");
	for (uint32_t i = 0; i < gi.ann.count; i++) {
		vmi_site s;
		if (vmi_annotations_get(&gi.ann, i, &s) != VMI_OK)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: entry %u unreadable",
					    VMI_SITES_SECTION, (unsigned)i);
		l->spans[l->nspans].start = s.addr;
		l->spans[l->nspans].end = s.addr + s.len;
		l->nspans++;
	}
	qsort(l->spans, l->nspans, sizeof(*l->spans), vmi_span_cmp);
	return VMI_EXIT_OK;
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

static void vmi_lint_print_text(const vmi_lint_args *a, const vmi_lint *l, const vmi_symtab *st, csh pr)
{
	char sym[160], hex[64], dis[160];
	const char *prev = NULL;
	size_t group = 0;

	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_finding *f = &l->t.found[i];
		vmi_hex_text(f->bytes, f->len, hex, sizeof(hex));
		vmi_disasm_text(pr, f->bytes, f->len, f->addr, dis, sizeof(dis));
		printf("%s: 0x%llx %s: %s (%s) [%s]\n", a->image, (unsigned long long)f->addr,
		       vmi_symtab_format(st, f->addr, sym, sizeof(sym)), dis, vmi_lint_kind_name(f->kind), hex);
	}
	if (l->t.nfound) {
		printf("by symbol:\n");
		for (size_t i = 0; i <= l->t.nfound; i++) {
			uint64_t off;
			const vmi_symbol *s = i < l->t.nfound ? vmi_symtab_find(st, l->t.found[i].addr, &off) : NULL;
			const char *name = i < l->t.nfound ? (s ? s->name : "?") : NULL;
			if (i && (!name || !prev || strcmp(name, prev) != 0)) {
				printf("  %-40s %zu\n", prev ? prev : "?", group);
				group = 0;
			}
			prev = name;
			group++;
		}
	}
	if (a->cross_check) {
		for (uint64_t i = 0; i < l->xc_disagree && i < VMI_LINT_XC_MAX_LISTED; i++)
			printf("%s: 0x%llx %s: decoders disagree: %s\n", a->image,
			       (unsigned long long)l->xc_items[i].addr,
			       vmi_symtab_format(st, l->xc_items[i].addr, sym, sizeof(sym)), l->xc_items[i].why);
		printf("cross-check: %llu instructions compared, %llu disagreements\n",
		       (unsigned long long)l->xc_compared, (unsigned long long)l->xc_disagree);
	}
	uint64_t priv = 0;
	for (size_t i = 0; i < l->t.nfound; i++)
		priv += l->t.found[i].kind == VMI_LINT_PRIVILEGED;
	printf("%s: %llu sections, %llu bytes, %llu instructions, %llu undecodable bytes; %zu annotated sites "
	       "cover %llu; findings: %zu (%llu privileged, %llu sensitive)\n",
	       a->image, (unsigned long long)l->sections, (unsigned long long)l->text_bytes,
	       (unsigned long long)l->t.insns, (unsigned long long)l->t.bad_bytes, l->nspans,
	       (unsigned long long)l->t.covered, l->t.nfound, (unsigned long long)priv,
	       (unsigned long long)(l->t.nfound - priv));
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
	vmi_json_kstr(&j, "tool", VMI_PROG);
	vmi_json_kstr(&j, "version", VMI_VERSION_STRING);
	vmi_json_kstr(&j, "image", a->image);
	vmi_json_kstr(&j, "arch", vmi_arch_name(img->arch));
	vmi_json_ku64(&j, "sections", l->sections);
	vmi_json_ku64(&j, "text_bytes", l->text_bytes);
	vmi_json_ku64(&j, "instructions", l->t.insns);
	vmi_json_ku64(&j, "undecodable_bytes", l->t.bad_bytes);
	vmi_json_ku64(&j, "sites", l->nspans);
	vmi_json_ku64(&j, "covered", l->t.covered);
	vmi_json_key(&j, "summary");
	vmi_json_obj(&j);
	vmi_json_ku64(&j, "findings", l->t.nfound);
	vmi_json_ku64(&j, "privileged", priv);
	vmi_json_ku64(&j, "sensitive", l->t.nfound - priv);
	vmi_json_obj_end(&j);
	vmi_json_key(&j, "findings");
	vmi_json_arr(&j);
	for (size_t i = 0; i < l->t.nfound; i++) {
		const vmi_finding *f = &l->t.found[i];
		uint64_t off = 0;
		const vmi_symbol *s = vmi_symtab_find(st, f->addr, &off);
		vmi_hex_text(f->bytes, f->len, hex, sizeof(hex));
		vmi_json_obj(&j);
		vmi_json_khex(&j, "addr", f->addr);
		vmi_json_kstr(&j, "symbol", s ? s->name : NULL);
		vmi_json_ku64(&j, "symbol_offset", s ? off : 0);
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

static int vmi_run(const vmi_lint_args *a, vmi_diag *d)
{
	vmi_image img;
	vmi_symtab st = { 0 };
	vmi_lint *l = calloc(1, sizeof(*l));
	ZydisDecoder dec;
	csh cs = 0, pr = 0;
	cs_insn *csi = NULL;
	int rc;

	if (!l)
		return vmi_diag_set(d, VMI_EXIT_IO, a->image, "out of memory");
	rc = vmi_image_load(&img, a->image, a->arch, d);
	if (rc) {
		free(l);
		return rc;
	}
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
	if (!rc) {
		if (a->json)
			vmi_lint_print_json(a, &img, l, &st, pr);
		else
			vmi_lint_print_text(a, l, &st, pr);
		fflush(stdout);
		if (a->strict && l->t.nfound)
			rc = vmi_diag_set(d, VMI_EXIT_FINDINGS, a->image,
					  "%zu unannotated privileged or sensitive instructions (--strict)", l->t.nfound);
	}
	if (csi)
		cs_free(csi, 1);
	if (cs)
		cs_close(&cs);
	if (pr)
		cs_close(&pr);
	vmi_symtab_free(&st);
	free(l->spans);
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
