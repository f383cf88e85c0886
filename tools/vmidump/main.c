/* SPDX-License-Identifier: MIT */
/*
 * vmidump - what an image's annotations say and what a ROM would do to
 * them: the note, every site (address, enclosing symbol, call, length) and,
 * with --rom, the decision, its reason and the site's disassembly before
 * and after (Capstone). The decisions come from the same plan vmipatch and
 * the boot path build; nothing is written.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "disasm.h"
#include "guestinfo.h"
#include "image.h"
#include "json.h"
#include "linuxpv.h"
#include "policyarg.h"
#include "report.h"
#include "romfile.h"
#include "segmap.h"
#include "symbols.h"
#include "toolplan.h"
#include "vmi/vmi.h"

#define VMI_PROG "vmidump"

typedef struct vmi_dump_args {
	const char *image;
	const char *rom;
	const char *policy;
	bool json, no_disasm;
	uint8_t arch;
} vmi_dump_args;

static void vmi_usage(FILE *f)
{
	fprintf(f,
		"usage: " VMI_PROG " [options] IMAGE\n"
		"Show the VMI note and every annotated site of IMAGE; with --rom, what the\n"
		"ROM would make of each site.\n"
		"  -r, --rom ROM       show decisions, reasons and before/after disassembly\n"
		"  -p, --policy P      policy for the decisions (as vmipatch --policy)\n"
		"  -D, --no-disasm     leave out the disassembly\n"
		"  -j, --json          machine-readable output on stdout\n"
		"  -a, --arch ARCH     require an i386 or x86_64 image\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"Exit: 0 ok, 1 bad input, 2 usage, 3 I/O error.\n");
}

static int vmi_parse_args(int argc, char **argv, vmi_dump_args *a)
{
	static const struct option opts[] = {
		{ "rom", required_argument, NULL, 'r' },  { "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },       { "no-disasm", no_argument, NULL, 'D' },
		{ "arch", required_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },    { NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:p:jDa:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->rom = optarg; break;
		case 'p': a->policy = optarg; break;
		case 'j': a->json = true; break;
		case 'D': a->no_disasm = true; break;
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
	if (a->policy && !a->rom)
		return vmi_usage_error(VMI_PROG, "%s", "--policy needs --rom");
	return VMI_EXIT_OK;
}

typedef struct vmi_dump_ctx {
	const vmi_dump_args *a;
	const vmi_image *img;
	const vmi_guestinfo *gi;
	const vmi_toolplan *tp;
	const vmi_symtab *st;
	csh cs;
} vmi_dump_ctx;

/* Current bytes of the site and, with a ROM, the bytes the plan would write. */
static void vmi_site_bytes(const vmi_dump_ctx *c, uint32_t i, const uint8_t **before, uint8_t *after)
{
	const vmi_decision *d = &c->tp->plan.decisions[i];
	uint64_t off = 0;
	uint32_t n = 0;
	vmi_segmap_offset(c->img, d->addr, d->len, &off); /* the plan checked the bounds */
	*before = c->img->buf + off;
	if (vmi_plan_site_bytes(&c->tp->plan, i, after, &n) != VMI_OK)
		memcpy(after, *before, d->len);
}

/* Where a Linux kernel's sites came from. */
static void vmi_dump_linux_text(const vmi_linuxpv *lp)
{
	printf("linux: %s records %u: sites %u, no VMI call %u, outside .text %u; pv-op map: %s\n",
	       VMI_LINUX_PV_SECTION, (unsigned)lp->records, (unsigned)lp->sites, (unsigned)lp->unmapped,
	       (unsigned)lp->outside, lp->map_from);
	if (lp->pv_ops)
		printf("linux: %u of %u sites hold the unpatched call through pv_ops at 0x%llx\n",
		       (unsigned)lp->unpatched, (unsigned)lp->sites, (unsigned long long)lp->pv_ops);
}

static void vmi_dump_linux_json(vmi_json *j, const vmi_linuxpv *lp)
{
	vmi_json_obj(j);
	vmi_json_kstr(j, "map", lp->map_from);
	vmi_json_ku64(j, "records", lp->records);
	vmi_json_ku64(j, "sites", lp->sites);
	vmi_json_ku64(j, "unmapped", lp->unmapped);
	vmi_json_ku64(j, "outside_text", lp->outside);
	vmi_json_ku64(j, "unpatched", lp->unpatched);
	vmi_json_key(j, "pv_ops");
	if (lp->pv_ops)
		vmi_json_hex(j, lp->pv_ops);
	else
		vmi_json_null(j);
	vmi_json_obj_end(j);
}

static void vmi_dump_text(const vmi_dump_ctx *c, const vmi_romfile *rf, const vmi_summary *sum,
			  const uint32_t *cats)
{
	char sym[160], nb[24], dis[512], hex[128];
	bool rom = rf != NULL;

	printf("%s: ELF%d %s, %u sites\n", c->a->image, c->img->elfclass == ELFCLASS64 ? 64 : 32,
	       vmi_arch_name(c->img->arch), (unsigned)c->tp->plan.count);
	vmi_report_guest_text(stdout, &c->gi->guest);
	if (c->gi->linux)
		vmi_dump_linux_text(c->gi->linux);
	if (c->gi->linux)
		printf("slots: none (%s)\n", c->gi->slots_why);
	else if (!c->gi->slots)
		printf("slots: none (%s): CALL sites stay native offline\n", c->gi->slots_why);
	else
		printf("slots: %s at 0x%llx\n", VMI_SLOTS_SECTION, (unsigned long long)c->gi->slots->addr);
	if (rom) {
		vmi_report_rom_text(stdout, rf->path, &rf->rom);
		if (c->a->policy)
			printf("policy: %s\n", c->a->policy);
		vmi_report_offer_text(stdout, &c->tp->offer);
	}
	printf("%6s  %-18s %-36s %-18s %3s%s\n", "site", "address", "symbol", "call", "len",
	       rom ? "  form    reason" : "");
	for (uint32_t i = 0; i < c->tp->plan.count; i++) {
		const vmi_decision *d = &c->tp->plan.decisions[i];
		const uint8_t *before;
		uint8_t after[VMI_SITE_MAX_LEN];
		printf("%6u  0x%016llx %-36s %-18s %3u", (unsigned)d->index, (unsigned long long)d->addr,
		       vmi_symtab_format(c->st, d->addr, sym, sizeof(sym)),
		       vmi_call_name_of(d->call_id, nb, sizeof(nb)), (unsigned)d->len);
		if (rom)
			printf("  %-7s %s", vmi_form_name(d->form), vmi_reason_name(d->reason));
		putchar('\n');
		if (c->a->no_disasm)
			continue;
		vmi_site_bytes(c, i, &before, after);
		vmi_disasm_text(c->cs, before, d->len, d->addr, dis, sizeof(dis));
		vmi_hex_text(before, d->len, hex, sizeof(hex));
		printf("        %s %-40s [%s]\n", rom ? "before:" : "bytes: ", dis, hex);
		if (rom) {
			vmi_disasm_text(c->cs, after, d->len, d->addr, dis, sizeof(dis));
			vmi_hex_text(after, d->len, hex, sizeof(hex));
			printf("        after:  %-40s [%s]\n", dis, hex);
		}
	}
	printf("by category:");
	for (uint32_t k = 0; k < VMI_CAT_COUNT; k++)
		printf(" %s %u%s", vmi_category_name(k), (unsigned)cats[k], k + 1 < VMI_CAT_COUNT ? "," : "");
	if (cats[VMI_CAT_COUNT])
		printf(", unknown %u", (unsigned)cats[VMI_CAT_COUNT]);
	putchar('\n');
	if (rom)
		vmi_report_summary_text(stdout, sum);
}

static void vmi_dump_json(const vmi_dump_ctx *c, const vmi_romfile *rf, const vmi_summary *sum,
			  const uint32_t *cats)
{
	vmi_json j;
	char nb[24], dis[512], hex[128];
	bool rom = rf != NULL;

	vmi_json_init(&j, stdout);
	vmi_json_obj(&j);
	vmi_json_kstr(&j, "tool", VMI_PROG);
	vmi_json_kstr(&j, "version", VMI_VERSION_STRING);
	vmi_json_kstr(&j, "image", c->a->image);
	vmi_json_kstr(&j, "arch", vmi_arch_name(c->img->arch));
	vmi_json_key(&j, "guest");
	vmi_report_guest_json(&j, &c->gi->guest);
	if (c->gi->linux) {
		vmi_json_key(&j, "linux");
		vmi_dump_linux_json(&j, c->gi->linux);
	}
	vmi_json_key(&j, "slots");
	if (c->gi->slots)
		vmi_json_hex(&j, c->gi->slots->addr);
	else
		vmi_json_null(&j);
	vmi_json_key(&j, "rom");
	if (rom)
		vmi_report_rom_json(&j, rf->path, &rf->rom);
	else
		vmi_json_null(&j);
	vmi_json_kstr(&j, "policy", c->a->policy);
	vmi_json_key(&j, "offer");
	if (rom)
		vmi_report_offer_json(&j, &c->tp->offer);
	else
		vmi_json_null(&j);
	vmi_json_key(&j, "sites");
	vmi_json_arr(&j);
	for (uint32_t i = 0; i < c->tp->plan.count; i++) {
		const vmi_decision *d = &c->tp->plan.decisions[i];
		const vmi_call_info *ci = vmi_call_lookup(d->call_id);
		const uint8_t *before;
		uint8_t after[VMI_SITE_MAX_LEN];
		uint64_t soff = 0;
		const vmi_symbol *s = vmi_symtab_find(c->st, d->addr, &soff);
		vmi_site site;
		vmi_annotations_get(&c->gi->ann, d->index, &site);
		vmi_json_obj(&j);
		vmi_json_ku64(&j, "index", d->index);
		vmi_json_khex(&j, "addr", d->addr);
		vmi_json_kstr(&j, "symbol", s ? s->name : NULL);
		vmi_json_ku64(&j, "symbol_offset", s ? soff : 0);
		vmi_json_ku64(&j, "call_id", d->call_id);
		vmi_json_kstr(&j, "call", vmi_call_name_of(d->call_id, nb, sizeof(nb)));
		vmi_json_kstr(&j, "category", ci ? vmi_category_name(ci->category) : "?");
		vmi_json_ku64(&j, "len", d->len);
		vmi_json_ku64(&j, "native_len", d->native_len);
		vmi_json_ku64(&j, "min_minor", site.min_minor);
		vmi_json_khex(&j, "flags", site.flags);
		vmi_json_khex(&j, "clobbers", site.clobbers);
		vmi_json_kstr(&j, "form", rom ? vmi_form_name(d->form) : NULL);
		vmi_json_kstr(&j, "reason", rom ? vmi_reason_name(d->reason) : NULL);
		vmi_site_bytes(c, i, &before, after);
		vmi_json_key(&j, "before");
		vmi_json_obj(&j);
		vmi_hex_text(before, d->len, hex, sizeof(hex));
		vmi_json_kstr(&j, "bytes", hex);
		vmi_disasm_text(c->cs, before, d->len, d->addr, dis, sizeof(dis));
		vmi_json_kstr(&j, "asm", c->a->no_disasm ? NULL : dis);
		vmi_json_obj_end(&j);
		vmi_json_key(&j, "after");
		if (rom) {
			vmi_json_obj(&j);
			vmi_hex_text(after, d->len, hex, sizeof(hex));
			vmi_json_kstr(&j, "bytes", hex);
			vmi_disasm_text(c->cs, after, d->len, d->addr, dis, sizeof(dis));
			vmi_json_kstr(&j, "asm", c->a->no_disasm ? NULL : dis);
			vmi_json_obj_end(&j);
		} else {
			vmi_json_null(&j);
		}
		vmi_json_obj_end(&j);
	}
	vmi_json_arr_end(&j);
	vmi_json_key(&j, "categories");
	vmi_json_obj(&j);
	for (uint32_t k = 0; k < VMI_CAT_COUNT; k++)
		vmi_json_ku64(&j, vmi_category_name(k), cats[k]);
	vmi_json_ku64(&j, "unknown", cats[VMI_CAT_COUNT]);
	vmi_json_obj_end(&j);
	vmi_json_key(&j, "summary");
	if (rom)
		vmi_report_summary_json(&j, sum);
	else
		vmi_json_null(&j);
	vmi_json_obj_end(&j);
	vmi_json_end(&j);
}

static int vmi_run(const vmi_dump_args *a, vmi_diag *d)
{
	vmi_image img;
	vmi_guestinfo gi;
	vmi_romfile rf;
	vmi_toolplan tp;
	vmi_symtab st = { 0 };
	VMI_OPTS(vmi_policy, pol);
	vmi_linuxpv lp;
	bool have_rom = false, have_plan = false, have_lp = false;
	csh cs = 0;
	int rc;

	if (a->policy) {
		rc = vmi_policy_arg(&pol, a->policy, d);
		if (rc)
			return rc;
	}
	rc = vmi_image_load(&img, a->image, a->arch, d);
	if (rc)
		return rc;
	rc = vmi_image_need_linked(&img, d);
	if (!rc && vmi_linuxpv_read_as_linux(&img)) {
		rc = vmi_linuxpv_load(&img, &lp, &gi, d);
		have_lp = !rc;
	} else if (!rc) {
		rc = vmi_guestinfo_load(&img, &gi, d);
	}
	if (!rc && a->rom) {
		rc = vmi_romfile_load(&rf, a->rom, d);
		have_rom = true;
	}
	if (!rc) {
		rc = vmi_toolplan_build(&tp, &img, &gi, a->rom ? &rf.rom : NULL, a->policy ? &pol : NULL, d);
		have_plan = true;
	}
	if (!rc)
		rc = vmi_symtab_load(&st, &img, d);
	if (!rc && !vmi_capstone_open(&cs, img.arch))
		rc = vmi_diag_set(d, VMI_EXIT_IO, a->image, "cannot set up the Capstone decoder");
	if (!rc) {
		vmi_summary sum;
		uint32_t cats[VMI_CAT_COUNT + 1] = { 0 };
		memset(&sum, 0, sizeof(sum));
		vmi_plan_summarize(&tp.plan, &sum);
		for (uint32_t i = 0; i < tp.plan.count; i++) {
			const vmi_call_info *ci = vmi_call_lookup(tp.plan.decisions[i].call_id);
			cats[ci && ci->category < VMI_CAT_COUNT ? ci->category : VMI_CAT_COUNT]++;
		}
		vmi_dump_ctx c = { .a = a, .img = &img, .gi = &gi, .tp = &tp, .st = &st, .cs = cs };
		if (a->json)
			vmi_dump_json(&c, a->rom ? &rf : NULL, &sum, cats);
		else
			vmi_dump_text(&c, a->rom ? &rf : NULL, &sum, cats);
	}
	if (cs)
		cs_close(&cs);
	vmi_symtab_free(&st);
	if (have_plan)
		vmi_toolplan_free(&tp);
	if (have_rom)
		vmi_romfile_free(&rf);
	if (have_lp)
		vmi_linuxpv_free(&lp);
	vmi_image_free(&img);
	return rc;
}

int main(int argc, char **argv)
{
	static char obuf[1 << 16];
	vmi_dump_args a;
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
