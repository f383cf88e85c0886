/* SPDX-License-Identifier: MIT */
/*
 * main.c - boot flow of the end-to-end guest: find the VMI ROM the BIOS
 * placed, copy it to RAM, run its VMI init, patch the kernel's own sites
 * with the freestanding library, run the workload and check that exactly
 * the calls the plan routed to the ROM reached it.
 *
 * Serial output, one fact per line, for tests/e2e/run.sh:
 *   cmdline: ...            rom: none | <vendor> <major>.<minor> at 0x...
 *   decisions: ...          reasons: ...          prepatched: 0|1
 *   counters: ...           RESULT: PASS | FAIL
 */
#include "vmi/blob.h"
#include "vmi/guest.h"
#include "vmi/internal/util.h"

#include "e2e.h"
#include "hypervisor.h"
#include "romdata.h"

/* Bounds from link.ld. */
extern uint8_t __vmi_e2e_text_start[], __vmi_e2e_text_end[];
extern const uint8_t __vmi_e2e_note_start[], __vmi_e2e_note_end[];

#define VMI_E2E_NOTE_HDR 16 /* namesz, descsz, type, "VMI\0" */

/* The RAM copy of the ROM, which is what the guest calls into. */
static uint8_t vmi_e2e_rom_buf[VMI_ROM_MAX_SIZE] __attribute__((aligned(16)));
static uint8_t vmi_e2e_workspace[32768] __attribute__((aligned(16)));
static uint8_t vmi_e2e_workspace2[32768] __attribute__((aligned(16)));
static vmi_boot_state vmi_e2e_st;
static vmi_plan vmi_e2e_expect_plan;
static vmi_policy vmi_e2e_policy;
static vmi_rom vmi_e2e_rom;
static int vmi_e2e_verbose;
/* `e2e-skew`: expect one more ROM entry than the plan gives, so a run must
 * FAIL; proves the counter comparison is not vacuous. */
static int vmi_e2e_skew;
/* `hypercall`: the ROM forwards to the in-guest hypervisor (hypervisor.c). */
static int vmi_e2e_hypercall;

struct vmi_e2e_mbi {
	uint32_t flags;
	uint32_t mem_lower, mem_upper, boot_device;
	uint32_t cmdline;
};

/* Physical = virtual: paging is off on i386, identity-mapped on x86-64. */
static vmi_status vmi_e2e_phys_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr + len > 0x100000u)
		return VMI_E_IO; /* only the legacy ROM area is read */
	vmi_memcpy(buf, (const void *)(uintptr_t)addr, len);
	return VMI_OK;
}

static size_t vmi_e2e_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int vmi_e2e_prefix(const char *s, size_t len, const char *p)
{
	size_t n = vmi_e2e_strlen(p);
	return len >= n && vmi_memcmp(s, p, n) == 0;
}

/* "guest.elf vmi=ident verbose e2e-skew" -> the policy and switches. Unknown words are ignored (QEMU puts the file name first). */
static int vmi_e2e_parse_cmdline(const struct vmi_e2e_mbi *mbi, const vmi_policy **pol)
{
	const char *cmd = (mbi->flags & 4) ? (const char *)(uintptr_t)mbi->cmdline : "";
	vmi_e2e_printf("cmdline: %s\n", cmd);
	vmi_e2e_policy.size = sizeof(vmi_e2e_policy);
	*pol = NULL;
	while (*cmd) {
		while (*cmd == ' ')
			cmd++;
		size_t n = 0;
		while (cmd[n] && cmd[n] != ' ')
			n++;
		if (n == 7 && vmi_e2e_prefix(cmd, n, "verbose"))
			vmi_e2e_verbose = 1;
		if (n == 9 && vmi_e2e_prefix(cmd, n, "hypercall"))
			vmi_e2e_hypercall = 1;
		if (n == 8 && vmi_e2e_prefix(cmd, n, "e2e-skew"))
			vmi_e2e_skew = 1;
		if (vmi_e2e_prefix(cmd, n, "vmi=")) {
			size_t err_at = 0;
			vmi_status s = vmi_policy_parse(&vmi_e2e_policy, cmd + 4, n - 4, &err_at);
			if (s != VMI_OK) {
				vmi_e2e_printf("policy: bad item at %u: %s\n", (unsigned)err_at, vmi_strerror(s));
				return 0;
			}
			*pol = &vmi_e2e_policy;
			vmi_e2e_printf("policy: %u bytes, hash %x\n", (unsigned)(n - 4),
				       vmi_policy_hash(&vmi_e2e_policy));
		}
		cmd += n;
	}
	return 1;
}

/*
 * Find the ROM. The library's scan skips candidates that fail validation;
 * a candidate that carries the VMI magic but was skipped is validated
 * once more here only to print why it was refused.
 */
static const vmi_rom *vmi_e2e_find_rom(uint64_t *at)
{
	VMI_OPTS(vmi_rom_opts, opts, .arch = VMI_GUEST_ARCH);
	vmi_status s = vmi_rom_scan(vmi_e2e_phys_read, NULL, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END,
				    vmi_e2e_rom_buf, sizeof(vmi_e2e_rom_buf), &opts, &vmi_e2e_rom, at);
	if (s == VMI_OK) {
		vmi_e2e_printf("rom: %s %u.%u at 0x%x size %u features 0x%x calls %u crc %x\n",
			       vmi_e2e_rom.vendor, vmi_e2e_rom.major, vmi_e2e_rom.minor, (uint32_t)*at,
			       vmi_e2e_rom.size, vmi_e2e_rom.features, vmi_e2e_rom.call_count,
			       vmi_e2e_rom.crc);
		return &vmi_e2e_rom;
	}
	for (uint32_t a = VMI_ROM_SCAN_START; a < VMI_ROM_SCAN_END; a += VMI_ROM_SCAN_STEP) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;
		if (p[0] != 0x55 || p[1] != 0xaa || vmi_le32(p + 8) != VMI_ROM_MAGIC)
			continue;
		size_t len = (size_t)p[2] * VMI_ROM_BLOCK;
		if (len > sizeof(vmi_e2e_rom_buf) || a + len > VMI_ROM_SCAN_END)
			len = VMI_ROM_SCAN_END - a < sizeof(vmi_e2e_rom_buf) ? VMI_ROM_SCAN_END - a
									     : sizeof(vmi_e2e_rom_buf);
		vmi_memcpy(vmi_e2e_rom_buf, p, len);
		vmi_rom r;
		vmi_status v = vmi_rom_validate(vmi_e2e_rom_buf, len, &opts, &r);
		vmi_e2e_printf("rom: none (candidate at 0x%x rejected: %s)\n", a, vmi_strerror(v));
		return NULL;
	}
	vmi_e2e_printf("rom: none (%s)\n", vmi_strerror(s));
	return NULL;
}

static void vmi_e2e_print_summary(const vmi_plan *plan)
{
	vmi_summary sum;
	vmi_plan_summarize(plan, &sum);
	vmi_e2e_printf("decisions: sites %u call %u inline %u nop %u ident %u\n", sum.sites,
		       sum.forms[VMI_FORM_CALL], sum.forms[VMI_FORM_INLINE], sum.forms[VMI_FORM_NOP],
		       sum.forms[VMI_FORM_IDENT]);
	vmi_e2e_printf("reasons:");
	for (uint32_t i = 0; i < VMI_REASON_COUNT; i++)
		if (sum.reasons[i])
			vmi_e2e_printf(" %s=%u", vmi_reason_name(i), sum.reasons[i]);
	vmi_e2e_printf("\n");
}

/* One line per changed site (every site with `verbose`): the plan as the guest sees it. */
static void vmi_e2e_print_sites(const vmi_plan *plan)
{
	for (uint32_t i = 0; i < plan->count; i++) {
		const vmi_decision *d = &plan->decisions[i];
		if (d->form == VMI_FORM_IDENT && !vmi_e2e_verbose)
			continue;
		const vmi_call_info *ci = vmi_call_lookup(d->call_id);
		vmi_e2e_printf("site %x %s %s %s\n", (uint32_t)d->addr, ci ? ci->name : "?",
			       vmi_form_name(d->form), vmi_reason_name(d->reason));
	}
}

/*
 * The bytes in memory must be what the plan says, and every slot an
 * indirect CALL goes through must be filled (a pre-patched image gets only
 * its slots written at boot).
 */
static unsigned vmi_e2e_verify_sites(const vmi_plan *plan)
{
	unsigned bad = 0;
	for (uint32_t i = 0; i < plan->count; i++) {
		const vmi_decision *d = &plan->decisions[i];
		const uint8_t *site = (const uint8_t *)(uintptr_t)d->addr;
		uint8_t want[VMI_SITE_MAX_LEN];
		uint32_t len = 0;
		int ok = vmi_plan_site_bytes(plan, i, want, &len) == VMI_OK && len == d->len &&
			 vmi_memcmp(site, want, len) == 0;
		if (ok && (d->encoding == VMI_ENC_CALL_ABS || d->encoding == VMI_ENC_CALL_RIP))
			ok = *(const uint64_t *)(uintptr_t)(__start_vmi_slots + d->call_id * VMI_SLOT_SIZE) != 0;
		if (!ok) {
			bad++;
			vmi_e2e_printf("site %x (call %u, %s, encoding %u): bytes differ from the plan\n",
				       (uint32_t)d->addr, d->call_id, vmi_form_name(d->form), d->encoding);
		}
	}
	return bad;
}

/* ROM counters against the plan: each site runs once in the workload. */
static unsigned vmi_e2e_check_counters(const vmi_plan *plan)
{
	uint32_t want[VMI_CALL_ID_LIMIT];
	unsigned bad = 0, calls = 0;
	vmi_memset(want, 0, sizeof(want));
	for (uint32_t i = 0; i < plan->count; i++)
		if (plan->decisions[i].form == VMI_FORM_CALL && plan->decisions[i].call_id < VMI_CALL_ID_LIMIT)
			want[plan->decisions[i].call_id]++;
	for (uint32_t i = 0; vmi_e2e_skew && i < plan->count; i++)
		if (plan->decisions[i].form == VMI_FORM_CALL) {
			vmi_e2e_printf("e2e-skew: expecting one entry too many for call %u\n",
				       plan->decisions[i].call_id);
			want[plan->decisions[i].call_id]++;
			break;
		}
	vmi_e2e_printf("counters:");
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++) {
		uint32_t got = vmi_e2e_rom_count(id);
		if (got || want[id]) {
			const vmi_call_info *ci = vmi_call_lookup(id);
			vmi_e2e_printf(" %s=%u/%u", ci ? ci->name : "?", got, want[id]);
		}
		calls += got;
		if (got != want[id])
			bad++;
	}
	vmi_e2e_printf(" (got/want)\n");
	if (bad)
		vmi_e2e_printf("counters: %u call ids differ from the plan\n", bad);
	vmi_e2e_printf("counters: total %u\n", calls);
	return bad;
}

/* Without a usable ROM nothing may change: every site stays native. */
static unsigned vmi_e2e_check_all_ident(const vmi_plan *plan)
{
	unsigned bad = 0;
	for (uint32_t i = 0; i < plan->count; i++)
		bad += plan->decisions[i].form != VMI_FORM_IDENT;
	if (bad)
		vmi_e2e_printf("no ROM, yet %u sites are not IDENT\n", bad);
	return bad;
}

/* Every hypercall the ROM counted arrived, and each was one the stand-in knows. */
static unsigned vmi_e2e_check_hypercalls(void)
{
	uint32_t entries, batched, unknown, rom = vmi_e2e_rom_hypercalls();
	vmi_e2e_hv_report(&entries, &batched, &unknown);
	vmi_e2e_printf("hypercalls: rom %u, hypervisor %u (%u operations in batches), unhandled %u\n", rom,
		       entries, batched, unknown);
	return (rom != entries) + (unknown != 0) + (entries == 0);
}

/* vmi_boot_patch and its report; a planning error ends the boot (FAIL). */
static vmi_boot_state *vmi_e2e_patch(const vmi_boot_args *args)
{
	vmi_boot_state *st = &vmi_e2e_st;
	vmi_status s = vmi_boot_patch(args, st);
	if (s != VMI_OK) {
		vmi_e2e_printf("boot-patch: %s (site index %u)\n", vmi_strerror(s), st->plan.error_index);
		vmi_e2e_exit(0);
	}
	vmi_e2e_printf("guest: requires %u.%u, stamp %u (rom %u.%u crc %x)\n", st->guest.req_major,
		       st->guest.req_minor, st->guest.stamp_state, st->guest.stamp_major,
		       st->guest.stamp_minor, st->guest.stamp_rom_crc);
	vmi_e2e_printf("offer: %s minor %u features 0x%x\n", vmi_reason_name(st->offer.global_reason),
		       st->offer.minor, st->offer.features);
	if (args->rom && st->rom_status != VMI_OK)
		vmi_e2e_printf("rom-status: %s\n", vmi_strerror(st->rom_status));
	return st;
}

/* Called by boot.S (i386) or boot64.S (x86-64, in long mode) with the
 * multiboot registers; the info block lies below 4 GiB on both. */
__attribute__((noreturn)) void vmi_e2e_main(uint32_t magic, uint32_t mbi_addr);

void vmi_e2e_main(uint32_t magic, uint32_t mbi_addr)
{
	const struct vmi_e2e_mbi *mbi = (const struct vmi_e2e_mbi *)(uintptr_t)mbi_addr;
	/* No IDT: keep every PIC line masked before the workload's sti. */
	vmi_e2e_outb(0x21, 0xff);
	vmi_e2e_outb(0xa1, 0xff);
	vmi_e2e_console_init();
	vmi_e2e_printf("vmi-e2e: %s guest up (multiboot magic %x)\n", VMI_E2E_ARCH_NAME, magic);
	if (magic != 0x2badb002u)
		vmi_e2e_exit(0);

	const vmi_policy *pol;
	if (!vmi_e2e_parse_cmdline(mbi, &pol))
		vmi_e2e_exit(0);

	uint64_t at = 0;
	const vmi_rom *rom = vmi_e2e_find_rom(&at);

	VMI_OPTS(vmi_boot_args, args, .note = __vmi_e2e_note_start + VMI_E2E_NOTE_HDR,
		 .note_len = (size_t)(__vmi_e2e_note_end - __vmi_e2e_note_start) - VMI_E2E_NOTE_HDR,
		 .sites = __start_vmi_sites, .sites_len = (size_t)(__stop_vmi_sites - __start_vmi_sites),
		 .native = __start_vmi_native,
		 .native_len = (size_t)(__stop_vmi_native - __start_vmi_native),
		 .text = __vmi_e2e_text_start,
		 .text_len = (size_t)(__vmi_e2e_text_end - __vmi_e2e_text_start),
		 .slots = __start_vmi_slots, .slots_len = (size_t)(__stop_vmi_slots - __start_vmi_slots),
		 .rom = rom ? vmi_e2e_rom_buf : NULL, .rom_len = rom ? rom->size : 0, .policy = pol,
		 .workspace = vmi_e2e_workspace, .workspace_len = sizeof(vmi_e2e_workspace));
	/*
	 * Patch before VMI init: init stores its data pointer inside the ROM
	 * copy, after which the copy no longer matches the checksum and CRC the
	 * validator and an offline stamp expect. Nothing calls the ROM until
	 * the workload runs, and a ROM whose init fails is patched out again.
	 */
	vmi_boot_state *st = vmi_e2e_patch(&args);
	int use_rom = rom && st->rom_status == VMI_OK && st->offer.global_reason == VMI_REASON_OK;
	if (use_rom) {
		vmi_status s = vmi_e2e_rom_init(rom, vmi_e2e_rom_buf, vmi_e2e_hypercall);
		vmi_e2e_printf("vmi-init: %s\n", s == VMI_OK ? "ok" : vmi_strerror(s));
		if (s != VMI_OK) {
			vmi_e2e_printf("fallback: VMI init failed, every site back to native\n");
			args.rom = NULL;
			args.rom_len = 0;
			st = vmi_e2e_patch(&args);
			use_rom = 0;
		}
	} else if (rom) {
		vmi_e2e_printf("vmi-init: skipped (%s)\n", vmi_reason_name(st->offer.global_reason));
	}
	vmi_status s;

	/*
	 * A pre-patched boot builds no plan. Plan again (without applying) the
	 * way the offline tool does - calls through the slots, ROM address
	 * unknown - to learn what the image must hold and which calls must
	 * reach the ROM.
	 */
	const vmi_plan *plan = &st->plan;
	if (st->prepatched) {
		VMI_OPTS(vmi_patch_opts, popts, .flags = VMI_PATCH_F_INDIRECT, .regions = st->regions,
			 .nregions = 1, .slots_addr = (uintptr_t)__start_vmi_slots);
		st->regions[0].host = args.text;
		st->regions[0].addr = (uintptr_t)args.text;
		st->regions[0].len = args.text_len;
		st->regions[0].flags = VMI_REGION_F_EXEC;
		st->regions[1].host = (uint8_t *)(uintptr_t)args.native;
		st->regions[1].addr = (uintptr_t)args.native;
		st->regions[1].len = args.native_len;
		popts.nregions = 2;
		s = vmi_plan_build(&vmi_e2e_expect_plan, &st->ann, &st->offer, &popts, vmi_e2e_workspace2,
				   sizeof(vmi_e2e_workspace2));
		if (s != VMI_OK) {
			vmi_e2e_printf("expect-plan: %s\n", vmi_strerror(s));
			vmi_e2e_exit(0);
		}
		plan = &vmi_e2e_expect_plan;
	}
	vmi_e2e_print_summary(plan);
	vmi_e2e_printf("prepatched: %u\n", st->prepatched);
	vmi_e2e_print_sites(plan);

	unsigned bad_sites = vmi_e2e_verify_sites(plan);
	vmi_e2e_rom_reset_counts();
	struct vmi_e2e_results res = { 0, 0 };
	vmi_e2e_workload(&res);
	vmi_e2e_printf("checks: %u of %u passed\n", res.checks - res.failures, res.checks);
	unsigned bad_counts = use_rom ? vmi_e2e_check_counters(plan) : vmi_e2e_check_all_ident(plan);
	if (use_rom)
		vmi_e2e_rom_print();
	unsigned bad_hv = use_rom && vmi_e2e_hypercall ? vmi_e2e_check_hypercalls() : 0;
	vmi_e2e_exit(res.failures == 0 && bad_sites == 0 && bad_counts == 0 && bad_hv == 0);
}
