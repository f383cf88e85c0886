/* SPDX-License-Identifier: MIT */
/*
 * vmipatch - patch a kernel image offline for a given VMI ROM, with the
 * same negotiation, planning and apply code the boot path runs.
 *
 * Every input (policy, ROM, output path, image, annotations and the plan
 * they give) is checked first, on a private mapping of the image, before
 * anything is created. Then the image is copied once, into the temporary
 * file that will replace the output (holes kept), and patched there (sites
 * only, and the note's stamp); the copy is renamed over the output only
 * when everything succeeded. Every other byte is the input's byte.
 * "-o -" writes the patched image to standard output (the report then
 * goes to standard error).
 */
#include <elf.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "diag.h"
#include "guestinfo.h"
#include "image.h"
#include "linuxpv.h"
#include "json.h"
#include "policyarg.h"
#include "prepare.h"
#include "report.h"
#include "romfile.h"
#include "segmap.h"
#include "toolplan.h"
#include "verify.h"
#include "vmi/vmi.h"

#define VMI_PROG "vmipatch"

typedef struct vmi_patch_args {
	const char *image;
	const char *rom;
	const char *out;
	const char *policy;
	bool in_place, dry_run, json, restore, verify, no_sync, prepare;
	uint8_t arch;
} vmi_patch_args;

static void vmi_usage(FILE *f)
{
	fprintf(f,
		"usage: " VMI_PROG " --rom ROM [-o OUT | --in-place] [options] IMAGE\n"
		"       " VMI_PROG " --restore [-o OUT | --in-place] [options] IMAGE\n"
		"       " VMI_PROG " --prepare [-o OUT | --in-place] [--no-sync] VMLINUX\n"
		"Patch the annotated sites of an ELF kernel image for a VMI ROM.\n"
		"  -r, --rom ROM        ROM image to patch for\n"
		"  -o, --output OUT     write the result to OUT (atomically; a symbolic link's\n"
		"                       target; - for standard output; no device or FIFO)\n"
		"  -i, --in-place       replace IMAGE (atomically; keeps owner, mode, links)\n"
		"  -n, --dry-run        print the plan, write nothing\n"
		"  -j, --json           machine-readable output on stdout\n"
		"  -R, --restore        write the native form of every site, stamp native\n"
		"  -p, --policy P       force IDENT etc. (ident, ident:NAME, no-inline[:CALL],\n"
		"                       no-nop, max-minor:N, no-feature:NAME; comma-separated)\n"
		"  -P, --prepare        fill the site table a CONFIG_VMI Linux kernel reserves\n"
		"                       from its .parainstructions (a kernel build step)\n"
		"  -V, --verify         decode every site with Zydis and check it before writing\n"
		"  -a, --arch ARCH      require an i386 or x86_64 image\n"
		"      --no-sync        do not fsync the output (still a temporary file and a\n"
		"                       rename; a machine crash soon after may lose it)\n"
		"  -h, --help           this text\n"
		"      --version        print the version\n"
		"Exit: 0 ok, 1 bad input, 2 usage, 3 I/O error, 5 verification failed.\n");
}

static int vmi_parse_args(int argc, char **argv, vmi_patch_args *a)
{
	static const struct option opts[] = {
		{ "rom", required_argument, NULL, 'r' },   { "output", required_argument, NULL, 'o' },
		{ "in-place", no_argument, NULL, 'i' },    { "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },        { "restore", no_argument, NULL, 'R' },
		{ "policy", required_argument, NULL, 'p' },{ "verify", no_argument, NULL, 'V' },
		{ "arch", required_argument, NULL, 'a' },  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },     { "no-sync", no_argument, NULL, 'S' },
		{ "prepare", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:o:injRPp:Va:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->rom = optarg; break;
		case 'o': a->out = optarg; break;
		case 'i': a->in_place = true; break;
		case 'n': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'R': a->restore = true; break;
		case 'P': a->prepare = true; break;
		case 'p': a->policy = optarg; break;
		case 'V': a->verify = true; break;
		case 'S': a->no_sync = true; break;
		case 'a':
			if (!(a->arch = vmi_arch_parse(optarg)))
				return vmi_usage_error(VMI_PROG, "--arch: unknown architecture '%s'", optarg);
			break;
		case 'h': vmi_usage(stdout); exit(VMI_EXIT_OK);
		case 'v': printf(VMI_PROG " " VMI_VERSION_STRING "\n"); exit(VMI_EXIT_OK);
		default:
			return vmi_usage_error(VMI_PROG, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return vmi_usage_error(VMI_PROG, "%s", optind >= argc ? "no IMAGE given" : "more than one IMAGE given");
	a->image = argv[optind];
	if (a->prepare && (a->rom || a->policy || a->restore || a->json || a->verify))
		return vmi_usage_error(VMI_PROG, "%s",
				       "--prepare takes none of --rom, --policy, --restore, --json, --verify");
	if (a->restore && (a->rom || a->policy))
		return vmi_usage_error(VMI_PROG, "%s", "--restore takes neither --rom nor --policy");
	if (!a->restore && !a->prepare && !a->rom)
		return vmi_usage_error(VMI_PROG, "%s", "--rom ROM is required (or --restore)");
	if (a->in_place && a->out)
		return vmi_usage_error(VMI_PROG, "%s", "give -o OUT or --in-place, not both");
	if (!a->dry_run && !a->in_place && !a->out)
		return vmi_usage_error(VMI_PROG, "%s", "give -o OUT, --in-place or --dry-run");
	return VMI_EXIT_OK;
}

static void vmi_print_sites_text(FILE *f, const vmi_image *img, const vmi_toolplan *tp)
{
	char nb[24];
	fprintf(f, "  %5s  %-18s %-8s %-20s %3s  %-6s %s\n", "site", "address", "offset", "call", "len", "form",
	       "reason");
	for (uint32_t i = 0; i < tp->plan.count; i++) {
		const vmi_decision *d = &tp->plan.decisions[i];
		uint64_t off = 0;
		vmi_segmap_offset(img, d->addr, d->len, &off);
		fprintf(f, "  %5u  0x%016llx %-8llx %-20s %3u  %-6s %s\n", (unsigned)d->index,
		       (unsigned long long)d->addr, (unsigned long long)off,
		       vmi_call_name_of(d->call_id, nb, sizeof(nb)), (unsigned)d->len, vmi_form_name(d->form),
		       vmi_reason_name(d->reason));
	}
}

static const char *vmi_encoding_name(uint32_t e)
{
	switch (e) {
	case VMI_ENC_CALL_REL32: return "rel32";
	case VMI_ENC_CALL_RIP: return "rip-slot";
	case VMI_ENC_CALL_ABS: return "abs-slot";
	default: return "none";
	}
}

static void vmi_print_json(FILE *f, const vmi_patch_args *a, const vmi_image *img, const vmi_guestinfo *gi,
			   const vmi_romfile *rf, const vmi_toolplan *tp, const vmi_summary *sum,
			   const vmi_guest *stamp, int verified, uint32_t vfailed)
{
	vmi_json j;
	char nb[24];

	vmi_json_init(&j, f);
	vmi_json_obj(&j);
	vmi_json_kstr(&j, "tool", VMI_PROG);
	vmi_json_kstr(&j, "version", VMI_VERSION_STRING);
	vmi_json_kstr(&j, "image", a->image);
	vmi_json_kstr(&j, "arch", vmi_arch_name(img->arch));
	vmi_json_kstr(&j, "mode", a->restore ? "restore" : "patch");
	vmi_json_kbool(&j, "dry_run", a->dry_run);
	vmi_json_kstr(&j, "output", a->dry_run ? NULL : a->in_place ? a->image : a->out);
	vmi_json_key(&j, "guest");
	vmi_report_guest_json(&j, &gi->guest);
	vmi_json_key(&j, "rom");
	if (rf)
		vmi_report_rom_json(&j, rf->path, &rf->rom);
	else
		vmi_json_null(&j);
	vmi_json_kstr(&j, "policy", a->policy);
	vmi_json_key(&j, "offer");
	vmi_report_offer_json(&j, &tp->offer);
	vmi_json_kstr(&j, "slots", gi->slots ? VMI_SLOTS_SECTION : NULL);
	vmi_json_key(&j, "stamp");
	vmi_json_obj(&j);
	vmi_json_kstr(&j, "state", vmi_stamp_state_name(stamp->stamp_state));
	vmi_json_ku64(&j, "major", stamp->stamp_major);
	vmi_json_ku64(&j, "minor", stamp->stamp_minor);
	vmi_json_khex(&j, "features", stamp->stamp_features);
	vmi_json_khex(&j, "rom_crc", stamp->stamp_rom_crc);
	vmi_json_khex(&j, "policy_hash", stamp->stamp_policy);
	vmi_json_obj_end(&j);
	vmi_json_key(&j, "summary");
	vmi_report_summary_json(&j, sum);
	vmi_json_key(&j, "verify");
	if (verified) {
		vmi_json_obj(&j);
		vmi_json_ku64(&j, "checked", tp->plan.count);
		vmi_json_ku64(&j, "failed", vfailed);
		vmi_json_obj_end(&j);
	} else {
		vmi_json_null(&j);
	}
	vmi_json_key(&j, "sites");
	vmi_json_arr(&j);
	for (uint32_t i = 0; i < tp->plan.count; i++) {
		const vmi_decision *d = &tp->plan.decisions[i];
		const vmi_call_info *ci = vmi_call_lookup(d->call_id);
		uint64_t off = 0;
		vmi_segmap_offset(img, d->addr, d->len, &off);
		vmi_json_obj(&j);
		vmi_json_ku64(&j, "index", d->index);
		vmi_json_khex(&j, "addr", d->addr);
		vmi_json_ku64(&j, "offset", off);
		vmi_json_ku64(&j, "call_id", d->call_id);
		vmi_json_kstr(&j, "call", vmi_call_name_of(d->call_id, nb, sizeof(nb)));
		vmi_json_kstr(&j, "category", ci ? vmi_category_name(ci->category) : "?");
		vmi_json_ku64(&j, "len", d->len);
		vmi_json_ku64(&j, "native_len", d->native_len);
		vmi_json_kstr(&j, "form", vmi_form_name(d->form));
		vmi_json_kstr(&j, "reason", vmi_reason_name(d->reason));
		vmi_json_kstr(&j, "encoding", vmi_encoding_name(d->encoding));
		vmi_json_obj_end(&j);
	}
	vmi_json_arr_end(&j);
	vmi_json_obj_end(&j);
	vmi_json_end(&j);
}

/* What a run holds; vmi_run_free releases what was set up. */
typedef struct vmi_patch_run {
	vmi_image img;
	vmi_guestinfo gi;
	vmi_romfile rf;
	vmi_toolplan tp;
	vmi_policy *pol;
	vmi_prepare_result prep; /* --prepare */
	bool have_img, have_rom, have_plan;
} vmi_patch_run;

static void vmi_run_free_image(vmi_patch_run *r)
{
	if (r->have_plan)
		vmi_toolplan_free(&r->tp);
	if (r->have_img)
		vmi_image_free(&r->img);
	r->have_plan = r->have_img = false;
}

/*
 * The image's annotations and the plan for them, on r->img: every check
 * an input can fail (ELF type, note, sites, the ROM's arch, each site's
 * bounds) runs here.
 */
static int vmi_plan_image(const vmi_patch_args *a, vmi_patch_run *r, vmi_diag *d)
{
	int rc = vmi_image_need_linked(&r->img, d);
	if (rc == VMI_EXIT_OK && a->prepare)
		return vmi_prepare_linux(&r->img, &r->prep, d);
	if (rc == VMI_EXIT_OK && vmi_guestinfo_present(&r->img) && vmi_linuxpv_present(&r->img))
		rc = vmi_prepare_check(&r->img, d); /* a CONFIG_VMI kernel: its table must be filled */
	if (rc == VMI_EXIT_OK && !vmi_guestinfo_present(&r->img) && vmi_linuxpv_present(&r->img))
		/* Linux patches these sites itself at boot; an offline patch
		 * needs the sites and their native copies in the file. */
		return vmi_diag_set(d, VMI_EXIT_INPUT, r->img.path,
				    "a Linux kernel with paravirt sites (%s) but no VMI site table: "
				    "vmipatch needs sections %s and %s (a CONFIG_VMI kernel patches "
				    "itself at boot; vmidump shows its plan)",
				    VMI_LINUX_PV_SECTION, VMI_NOTE_SECTION, VMI_SITES_SECTION);
	if (rc == VMI_EXIT_OK)
		rc = vmi_guestinfo_load(&r->img, &r->gi, d);
	if (rc)
		return rc;
	/* At boot a ROM for the other arch only means "run native"; asked
	 * for offline it is a mistake, and the output would be a copy. */
	if (r->have_rom && r->rf.rom.arch != r->gi.guest.arch)
		return vmi_diag_set(d, VMI_EXIT_INPUT, a->rom, "ROM is for %s but %s is %s",
				    vmi_arch_name(r->rf.rom.arch), a->image, vmi_arch_name(r->gi.guest.arch));
	rc = vmi_toolplan_build(&r->tp, &r->img, &r->gi, r->have_rom ? &r->rf.rom : NULL, r->pol, d);
	r->have_plan = true;
	return rc;
}

/*
 * The image to patch into a file. IMAGE is copied to the temporary file
 * that will replace the output (inside the kernel, as cp copies, holes
 * kept), and the image is a shared mapping of that copy: patching writes
 * the new file's pages where they lie, and the bytes no site covers never
 * pass through this process. A failure later discards the copy; nothing
 * is written until the commit's rename.
 */
static int vmi_load_copy(const vmi_patch_args *a, vmi_patch_run *r, vmi_outfile *of, vmi_diag *d)
{
	int fd = -1;
	struct stat st;
	int rc = vmi_image_open(a->image, &fd, &st, d);
	if (rc)
		return rc;
	if (st.st_size <= 0) { /* nothing to map: the loader says what is wrong */
		close(fd);
		rc = vmi_image_load(&r->img, a->image, a->arch, d);
		r->have_img = rc == VMI_EXIT_OK;
		return rc ? rc : vmi_diag_set(d, VMI_EXIT_INPUT, a->image, "the file is empty now");
	}
	size_t len = (size_t)st.st_size;
	uint8_t *buf = NULL;
	rc = vmi_outfile_create(of, a->in_place ? a->image : a->out, d);
	if (rc == VMI_EXIT_OK && a->in_place)
		vmi_outfile_keep_owner(of, st.st_uid, st.st_gid);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_copy(of, fd, len, d);
	close(fd);
	if (rc == VMI_EXIT_OK)
		rc = vmi_outfile_map(of, len, &buf, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_image_load_buffer(&r->img, a->image, buf, len, st.st_mode, a->arch, d);
	if (rc) {
		vmi_outfile_discard(of);
		return rc;
	}
	r->have_img = true;
	/* The sites live in the executable segments and most of their pages
	 * will change: fault them in as one batch, not one page per site.
	 * Not in a sparse file: that would fill the holes of those segments. */
	bool sparse = (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
	for (size_t i = 0; i < r->img.nloads && !sparse; i++)
		if (r->img.loads[i].flags & PF_X)
			vmi_image_prefault(&r->img, r->img.loads[i].offset, r->img.loads[i].filesz);
	return VMI_EXIT_OK;
}

static int vmi_run(const vmi_patch_args *a, vmi_diag *d)
{
	vmi_outfile of = { .fd = -1 }; /* none yet: discarding it is a no-op */
	vmi_patch_run r = { 0 };
	VMI_OPTS(vmi_policy, pol);
	const char *out = a->dry_run ? NULL : a->in_place ? a->image : a->out;
	bool to_stdout = out && vmi_outfile_is_stdout(out) && !a->in_place;
	/* The report goes where the image does not. */
	FILE *rep = to_stdout ? stderr : stdout;
	int rc;

	/* Every input first, before anything is created: policy, ROM, the
	 * image (a private mapping), the output path, then the plan. */
	if (a->policy) {
		rc = vmi_policy_arg(&pol, a->policy, d);
		if (rc)
			return rc;
		r.pol = &pol;
	}
	if (a->rom) {
		rc = vmi_romfile_load(&r.rf, a->rom, d);
		if (rc) {
			vmi_romfile_free(&r.rf);
			return rc;
		}
		r.have_rom = true;
	}
	rc = vmi_image_load(&r.img, a->image, a->arch, d);
	r.have_img = rc == VMI_EXIT_OK;
	if (rc == VMI_EXIT_OK && out && !to_stdout)
		rc = vmi_outfile_check(out, d);
	if (rc == VMI_EXIT_OK)
		rc = vmi_plan_image(a, &r, d);
	/* All valid: the image again, as the copy that becomes the output. */
	if (rc == VMI_EXIT_OK && out && !to_stdout) {
		vmi_run_free_image(&r);
		rc = vmi_load_copy(a, &r, &of, d);
		if (rc == VMI_EXIT_OK)
			rc = vmi_plan_image(a, &r, d);
	}
	if (rc)
		goto out;
	if (a->prepare) {
		fprintf(rep, "%s: prepare%s: %u sites from %u %s records into %s (room for %u), "
			"%llu bytes of native copies (room for %llu)\n", a->image,
			a->dry_run ? " (dry run, nothing written)" : "", (unsigned)r.prep.sites,
			(unsigned)r.prep.records, VMI_LINUX_PV_SECTION, VMI_SITES_SECTION,
			(unsigned)r.prep.capacity, (unsigned long long)r.prep.native_len,
			(unsigned long long)r.prep.native_room);
		goto write;
	}

	/* Apply to the in-memory copy; a dry run does too, so --verify and the
	 * summary see the real result, but nothing is written. */
	vmi_image *img = &r.img;
	vmi_guestinfo *gi = &r.gi;
	vmi_toolplan *tp = &r.tp;
	vmi_status st = vmi_plan_apply(&tp->plan);
	if (st != VMI_OK) {
		rc = vmi_diag_set(d, VMI_EXIT_INPUT, a->image, "apply failed: %s", vmi_strerror(st));
		goto out;
	}
	vmi_guest stamp = gi->guest;
	if (a->restore) {
		stamp.stamp_state = VMI_STAMP_NATIVE;
		stamp.stamp_major = stamp.stamp_minor = 0;
		stamp.stamp_features = stamp.stamp_rom_crc = stamp.stamp_policy = 0;
	} else {
		stamp.stamp_state = VMI_STAMP_PATCHED;
		stamp.stamp_major = r.rf.rom.major;
		stamp.stamp_minor = tp->offer.minor;
		stamp.stamp_features = tp->offer.features;
		stamp.stamp_rom_crc = r.rf.rom.crc;
		stamp.stamp_policy = vmi_policy_hash(r.pol);
	}
	st = vmi_note_write_stamp(img->buf + gi->desc_off, gi->desc_len, &stamp);
	if (st != VMI_OK) {
		rc = vmi_diag_set(d, VMI_EXIT_INPUT, a->image, "cannot write the stamp: %s", vmi_strerror(st));
		goto out;
	}

	vmi_summary sum;
	memset(&sum, 0, sizeof(sum));
	vmi_plan_summarize(&tp->plan, &sum);
	uint32_t vfailed = a->verify ? vmi_verify_image(VMI_PROG, img, gi, tp) : 0;

	if (a->json) {
		vmi_print_json(rep, a, img, gi, r.have_rom ? &r.rf : NULL, tp, &sum, &stamp, a->verify, vfailed);
	} else {
		fprintf(rep, "%s: %s%s\n", a->image, a->restore ? "restore native form" : "patch",
			a->dry_run ? " (dry run, nothing written)" : "");
		vmi_report_guest_text(rep, &gi->guest);
		if (r.have_rom)
			vmi_report_rom_text(rep, r.rf.path, &r.rf.rom);
		if (a->policy)
			fprintf(rep, "policy: %s (hash 0x%08x)\n", a->policy, (unsigned)vmi_policy_hash(r.pol));
		vmi_report_offer_text(rep, &tp->offer);
		if (!gi->slots && sum.forms[VMI_FORM_CALL] == 0 && r.have_rom)
			fprintf(rep, "note: CALL sites stay native: %s\n", gi->slots_why);
		if (a->dry_run)
			vmi_print_sites_text(rep, img, tp);
		vmi_report_summary_text(rep, &sum);
		if (a->verify)
			fprintf(rep, "verify: %u sites decoded, %u not as intended\n", (unsigned)tp->plan.count,
				(unsigned)vfailed);
	}
	fflush(rep);
	if (vfailed) {
		rc = vmi_diag_set(d, VMI_EXIT_VERIFY, a->image, "verification failed for %u of %u sites%s",
				  (unsigned)vfailed, (unsigned)tp->plan.count, a->dry_run ? "" : "; nothing written");
		goto out;
	}
write:
	if (to_stdout) {
		rc = vmi_write_stdout(img->buf, img->len, d);
	} else if (out) {
		/* The image is the new file already: patched where it lies. */
		rc = vmi_outfile_commit(&of, img->mode, a->no_sync ? VMI_WRITE_NO_SYNC : 0, d);
		if (rc == VMI_EXIT_OK && !a->json)
			printf("wrote %s\n", out);
	}
out:
	vmi_run_free_image(&r);
	if (r.have_rom)
		vmi_romfile_free(&r.rf);
	vmi_outfile_discard(&of); /* after a commit: nothing left to remove */
	return rc;
}

int main(int argc, char **argv)
{
	vmi_patch_args a;
	vmi_diag d = { 0 };
	int rc = vmi_parse_args(argc, argv, &a);
	if (rc)
		return rc;
	rc = vmi_run(&a, &d);
	vmi_diag_print(VMI_PROG, &d);
	return rc;
}
