// SPDX-License-Identifier: GPL-2.0
/*
 * Linux as a VMI guest: the kernel's side of vmipatch.
 *
 * setup_arch() finds and validates the hypervisor's VMI option ROM with
 * vmipatch's rom_loader. After Linux's own paravirt and alternatives
 * passes have left every .parainstructions site in its native form,
 * vmi_patch_kernel() copies the ROM into executable memory within +-2 GiB
 * of the kernel text, runs its VMI init, turns every paravirt record whose
 * pv-op has a VMI call into a vmipatch site (the bytes Linux just wrote are
 * the site's native copy, so IDENT means exactly Linux's native result),
 * and lets libvmipatch negotiate, plan and apply. Records with no VMI call
 * keep Linux's patching. Every outcome boots: without a usable ROM the
 * kernel says why in one line and keeps its native pv-ops.
 *
 * The same kernel can be patched offline: its link step (vmipatch
 * --prepare) fills a site table it reserves (vmi_sites, vmi_native, the
 * guest note's site count), and `vmipatch --rom R vmlinux` patches those
 * sites through call slots (section vmi_slots) and stamps the note. At boot, before
 * Linux's passes, vmi_linux_pass_begin() checks the stamp against the ROM
 * found and the policy: a match fills the slots and makes Linux's passes
 * skip every site the offline plan changed (vmi_site_preapplied); anything
 * else writes every site's native copy back first, and the boot goes on as
 * for an unpatched kernel.
 *
 * /proc/vmi shows the ROM, the plan (every site's form and reason) and the
 * per-call counters the ROM keeps in its data area.
 */
#define pr_fmt(fmt) "vmi: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sync_core.h>
#include <linux/timex.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include <asm/paravirt_types.h>
#include <asm/pgtable.h>
#include <asm/sections.h>
#include <asm/text-patching.h>
#include <asm/tsc.h>
#include <asm/unaligned.h>
#include <asm/vmi.h>

#include "vmi/linux_pv.h"
#include "vmi/patcher.h"
#include "vmi/rom_sdk.h"

/*
 * pv-op -> VMI call, as the note vmi/linux_pv.h describes: the kernel reads
 * its sites through this table and vmidump / vmilint read the same bytes
 * from vmlinux's .notes, so both build the same sites. Only ops whose Linux
 * calling convention is the VMI call's x86-64 convention (SysV arguments,
 * result in rax) are mapped; docs/linux-guest.md of vmipatch has the table
 * and the reasons. The fields are immediates (PARAVIRT_PATCH() is a
 * constant the assembler cannot compute), emitted by asm statements that
 * append, in order, to one note.
 */
#define VMI_PV_SECTION ".pushsection .note.vmi.linux,\"a\",@note\n"
#define VMI_PV(op, call)                                                          \
	asm volatile(VMI_PV_SECTION ".short %c0, %c1\n.popsection"                 \
		     : : "i"(PARAVIRT_PATCH(op)), "i"(VMI_CALL_##call))

/*
 * The map, once: X(op, call) for the op whose pv_ops entry also backs the
 * call's slot before the ROM is known (below), Y(op, call) for further ops
 * of the same call (set_pmd's native store is set_pte's).
 */
#define VMI_PV_MAP(X, Y)                                                        \
	X(cpu.io_delay, IODelay) X(cpu.read_cr0, GetCR0) X(cpu.write_cr0, SetCR0) \
	X(cpu.write_cr4, SetCR4) X(cpu.wbinvd, WBINVD)                            \
	X(irq.save_fl.func, GetInterruptMask) X(irq.irq_disable.func, DisableInterrupts) \
	X(irq.irq_enable.func, EnableInterrupts) X(irq.safe_halt, SafeHalt)      \
	X(irq.halt, Halt) X(mmu.read_cr2.func, GetCR2) X(mmu.write_cr2, SetCR2)   \
	X(mmu.read_cr3, GetCR3) X(mmu.write_cr3, SetCR3)                          \
	X(mmu.flush_tlb_user, FlushTLB) X(mmu.flush_tlb_one_user, InvalPage)      \
	X(mmu.set_pte, SetPxELong) Y(mmu.set_pmd, SetPxELong)

/*
 * A kernel patched offline runs its CALL sites (`call *slot(%rip)`) from
 * its first instruction, long before it has found the ROM and checked the
 * stamp. Until then each slot holds a thunk that jumps through the pv_ops
 * entry the site replaced, so those calls are the unpatched kernel's; a
 * matching stamp then points the slots at the ROM, any other outcome
 * restores the sites' native bytes.
 */
#define VMI_EARLY_THUNK(op, call)                                               \
	asm volatile(".pushsection .text.unlikely,\"ax\"\n.balign 8\n"          \
		     ".type vmi_early_" #call ", @function\nvmi_early_" #call ":\n"   \
		     "jmp *pv_ops+%c0(%%rip)\n"                                       \
		     ".size vmi_early_" #call ", . - vmi_early_" #call "\n.popsection" \
		     : : "i"(sizeof(void *) * PARAVIRT_PATCH(op)));
#define VMI_EARLY_DECL(op, call) extern const u8 vmi_early_##call[];
#define VMI_EARLY_SLOT(op, call) [VMI_CALL_##call] = (unsigned long)vmi_early_##call,
#define VMI_PV_ENTRY(op, call) VMI_PV(op, call);
#define VMI_PV_NONE(op, call)
VMI_PV_MAP(VMI_EARLY_DECL, VMI_PV_NONE)

/* The VMI_REG_* bits of Linux's CLBR bit @i (x86_64). */
#define VMI_CLBR_REG(i)                                                  \
	((1 << (i)) == CLBR_RAX ? VMI_REG_AX : (1 << (i)) == CLBR_RCX ? VMI_REG_CX : \
	 (1 << (i)) == CLBR_RDX ? VMI_REG_DX : (1 << (i)) == CLBR_RDI ? VMI_REG_DI : \
	 (1 << (i)) == CLBR_RSI ? VMI_REG_SI : (1 << (i)) == CLBR_R8 ? VMI_REG_R8 :  \
	 (1 << (i)) == CLBR_R9 ? VMI_REG_R9 : (1 << (i)) == CLBR_R10 ? VMI_REG_R10 : \
	 (1 << (i)) == CLBR_R11 ? VMI_REG_R11 : 0)

/*
 * A .parainstructions record as _paravirt_alt() emits it: the CLBR_* mask
 * of the registers the site lets a replacement clobber follows the length
 * (struct paravirt_patch_site of 6.1 leaves it in its padding).
 */
struct vmi_pv_record {
	u8 *instr;
	u8 type;
	u8 len;
	u16 clobbers;
};

/* The note's descriptor and its map, as emitted below. */
extern const vmi_linux_pv_desc vmi_pv_desc;
extern const vmi_linux_pv_entry vmi_pv_desc_map[], vmi_pv_desc_end[];

static void __used vmi_pv_note(void)
{
	asm volatile(VMI_PV_SECTION
		     ".balign 4\n.long 4, .Lvmi_pv_end - vmi_pv_desc, %c0\n.asciz \"VMI\"\n"
		     "vmi_pv_desc:\n.long %c1\n.short %c2\n.byte %c3, %c4, %c5, %c6\n"
		     ".short (.Lvmi_pv_end - vmi_pv_desc_map) / 4\n.popsection"
		     : : "i"(VMI_NOTE_TYPE_LINUX_PV), "i"(VMI_LINUX_PV_VERSION),
		       "i"(sizeof(struct paravirt_patch_site)),
		       "i"(sizeof(((struct vmi_pv_record *)0)->instr)),
		       "i"(offsetof(struct vmi_pv_record, type)),
		       "i"(offsetof(struct vmi_pv_record, len)),
		       "i"(offsetof(struct vmi_pv_record, clobbers)));
	asm volatile(VMI_PV_SECTION
		     ".short %c0, %c1, %c2, %c3, %c4, %c5, %c6, %c7\n"
		     ".short %c8, %c9, %c10, %c11, %c12, %c13, %c14, %c15\n"
		     "vmi_pv_desc_map:\n.popsection"
		     : : "i"(VMI_CLBR_REG(0)), "i"(VMI_CLBR_REG(1)), "i"(VMI_CLBR_REG(2)),
		       "i"(VMI_CLBR_REG(3)), "i"(VMI_CLBR_REG(4)), "i"(VMI_CLBR_REG(5)),
		       "i"(VMI_CLBR_REG(6)), "i"(VMI_CLBR_REG(7)), "i"(VMI_CLBR_REG(8)),
		       "i"(VMI_CLBR_REG(9)), "i"(VMI_CLBR_REG(10)), "i"(VMI_CLBR_REG(11)),
		       "i"(VMI_CLBR_REG(12)), "i"(VMI_CLBR_REG(13)), "i"(VMI_CLBR_REG(14)),
		       "i"(VMI_CLBR_REG(15)));
	VMI_PV_MAP(VMI_PV_ENTRY, VMI_PV_ENTRY)
	VMI_PV_MAP(VMI_EARLY_THUNK, VMI_PV_NONE)
	asm volatile(VMI_PV_SECTION "vmi_pv_desc_end:\n.Lvmi_pv_end:\n.balign 4\n.popsection");
}

/*
 * The guest note (format 1.1: with a site count), in .notes with the map.
 * The offline tools read it from vmlinux; vmipatch writes its stamp and
 * --prepare its site count. Emitted as bytes the compiler cannot see, so
 * the stamp is read as the file holds it.
 */
extern const u8 vmi_guest_desc[VMI_NOTE_DESC_V11_SIZE];

static void __used vmi_guest_note(void)
{
	asm volatile(".pushsection .note.vmi,\"a\",@note\n"
		     ".balign 4\n.long 4, %c0, %c1\n.asciz \"VMI\"\n"
		     "vmi_guest_desc:\n.short %c2, %c3\n.byte %c4, %c5, %c6, 0\n"
		     ".fill %c7, 1, 0\n.popsection"
		     : : "i"(VMI_NOTE_DESC_V11_SIZE), "i"(VMI_NOTE_TYPE_GUEST),
		       "i"((VMI_FORMAT_MAJOR << 8) | VMI_FORMAT_MINOR_SITE_COUNT),
		       "i"(sizeof(struct vmi_site_entry)), "i"(VMI_ARCH_X86_64),
		       "i"(VMI_INTERFACE_MAJOR), "i"(VMI_INTERFACE_MINOR),
		       "i"(VMI_NOTE_DESC_V11_SIZE - 8));
}

/*
 * The room --prepare fills after the link (the sites are known only then)
 * and the slots the offline CALL forms jump through. Not static: nothing
 * in this file writes the table, and the compiler must not assume it is
 * zero. The slots stay after boot: patched sites call through them.
 */
#define VMI_OFFLINE_NATIVE_PER_SITE 16
struct vmi_site_entry vmi_offline_sites[CONFIG_VMI_OFFLINE_SITES] __section("vmi_sites") __aligned(16);
u8 vmi_offline_native[CONFIG_VMI_OFFLINE_SITES * VMI_OFFLINE_NATIVE_PER_SITE] __section("vmi_native");
u64 vmi_slot_table[VMI_CALL_ID_LIMIT] __section("vmi_slots") __aligned(8) = {
	VMI_PV_MAP(VMI_EARLY_SLOT, VMI_PV_NONE)
};

static char vmi_cmdline[256] __initdata;
static bool vmi_cmdline_set __initdata;

static int __init vmi_setup(char *arg)
{
	if (!arg)
		return -EINVAL;
	strscpy(vmi_cmdline, arg, sizeof(vmi_cmdline));
	vmi_cmdline_set = true;
	return 0;
}
early_param("vmi", vmi_setup);

/* The ROM as the BIOS left it, found in setup_arch(). */
static u8 vmi_rom_found[VMI_ROM_MAX_SIZE] __initdata __aligned(16);
static u64 vmi_rom_phys;
static char vmi_status_line[256];

/* Everything /proc/vmi reports; it stays after boot. */
static struct vmi_state {
	bool rom_used;            /* VMI init ran: sites may call the ROM */
	u8 *rom;                  /* executable RAM copy */
	vmi_rom desc;             /* the validated copy */
	vmi_guest guest;
	vmi_offer offer;
	vmi_policy policy;
	bool have_policy;
	vmi_annotations ann;
	vmi_plan plan;
	vmi_summary summary;
	bool parsed;              /* guest note and command line read */
	bool cmdline_ok;          /* ... and the policy, if any, parsed */
	bool attached;            /* vmi_attach_rom() ran; attach_result is its result */
	const vmi_rom *attach_result;
	bool preapplied;          /* offline stamp matched: the plan is the file's */
	u32 restored;             /* offline-patched sites written back to native */
	u32 records, unmapped, outside;  /* .parainstructions: all, no VMI call, not in .text */
	/*
	 * TSC cycles, two comparisons on the same records. First use, text
	 * written: Linux's real apply_paravirt() at boot (linux_boot) against
	 * vmipatch's first plan plus its apply (build_cold + apply); both run
	 * their code for the first time (under TCG that includes translating
	 * it, and a write to translated text costs a retranslation). Steady
	 * planning, nothing written: vmipatch's second plan (build) against
	 * Linux's pass replayed into a scratch buffer (linux_replay, best of
	 * two).
	 */
	u64 linux_boot_cycles, build_cold_cycles, build_cycles, apply_cycles, linux_replay_cycles;
} vmi;

static union {
	struct vmi_rom_data d;
	u8 bytes[2 * PAGE_SIZE];
} vmi_data __aligned(PAGE_SIZE);

#define vmi_say(...) snprintf(vmi_status_line, sizeof(vmi_status_line), __VA_ARGS__)

static vmi_status __init vmi_phys_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	if (addr + len > 0x100000)
		return VMI_E_IO;
	memcpy(buf, phys_to_virt(addr), len);
	return VMI_OK;
}

/* Why a candidate with the VMI magic was refused: the scan skips it silently. */
static void __init vmi_explain_refusal(const vmi_rom_opts *opts, vmi_status scan)
{
	for (u32 a = VMI_ROM_SCAN_START; a < VMI_ROM_SCAN_END; a += VMI_ROM_SCAN_STEP) {
		const u8 *p = phys_to_virt(a);
		size_t len = VMI_ROM_SCAN_END - a;
		vmi_rom r;

		if (p[0] != 0x55 || p[1] != 0xaa || get_unaligned_le32(p + 8) != VMI_ROM_MAGIC)
			continue;
		if (len > sizeof(vmi_rom_found))
			len = sizeof(vmi_rom_found);
		memcpy(vmi_rom_found, p, len);
		vmi_say("ROM at 0x%x refused (%s): running native", a,
			 vmi_strerror(vmi_rom_validate(vmi_rom_found, len, opts, &r)));
		return;
	}
	vmi_say("no VMI ROM in 0x%x-0x%x (%s): running native", VMI_ROM_SCAN_START,
		 VMI_ROM_SCAN_END - 1, vmi_strerror(scan));
}

void __init vmi_probe_rom(void)
{
	VMI_OPTS(vmi_rom_opts, opts, .arch = VMI_ARCH_X86_64);
	vmi_rom r;
	vmi_status s;

	if (vmi_cmdline_set && !strcmp(vmi_cmdline, "off")) {
		vmi_say("disabled by vmi=off: running native");
		return;
	}
	s = vmi_rom_scan(vmi_phys_read, NULL, VMI_ROM_SCAN_START, VMI_ROM_SCAN_END, vmi_rom_found,
			 sizeof(vmi_rom_found), &opts, &r, &vmi_rom_phys);
	if (s != VMI_OK) {
		vmi_rom_phys = 0;
		vmi_explain_refusal(&opts, s);
	}
}

/* Within +-2 GiB of the kernel text (the module area): a site reaches the
 * ROM with call rel32, and the site table's 32-bit offsets reach the text. */
static void *__init vmi_alloc_near(size_t len, pgprot_t prot)
{
	return __vmalloc_node_range(PAGE_ALIGN(len), PAGE_SIZE, MODULES_VADDR, MODULES_END,
				    GFP_KERNEL | __GFP_ZERO, prot, 0, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

typedef int (*vmi_init_fn)(void *data, u32 size, u32 guest_version);

/* Copy the ROM into executable RAM, validate the copy (the view points
 * into it) and negotiate; VMI init runs only when negotiation leaves the
 * ROM usable. */
static const vmi_rom *__init vmi_attach_rom_once(void)
{
	VMI_OPTS(vmi_rom_opts, opts, .arch = VMI_ARCH_X86_64);
	u32 len = vmi_rom_found[2] * VMI_ROM_BLOCK;
	vmi_offer probe;
	vmi_init_fn init;
	int rc;

	if (!vmi_rom_phys)
		return NULL;
	vmi.rom = vmi_alloc_near(len, PAGE_KERNEL_EXEC);
	if (!vmi.rom) {
		vmi_say("no memory for the ROM copy: running native");
		return NULL;
	}
	memcpy(vmi.rom, vmi_rom_found, len);
	if (vmi_rom_validate(vmi.rom, len, &opts, &vmi.desc) != VMI_OK)
		return NULL; /* cannot happen: the same bytes passed the scan */
	if (vmi_negotiate(&vmi.guest, &vmi.desc, NULL, &probe) != VMI_OK ||
	    probe.global_reason != VMI_REASON_OK) {
		vmi_say("ROM %s %u.%u at 0x%llx: %s (the kernel implements %u.%u): running native",
			 vmi.desc.vendor, vmi.desc.major, vmi.desc.minor, vmi_rom_phys,
			 vmi_reason_name(probe.global_reason), VMI_INTERFACE_MAJOR,
			 VMI_INTERFACE_MINOR);
		return &vmi.desc; /* negotiated again below: every site IDENT, with that reason */
	}
	if (!vmi.desc.init_off || vmi.desc.data_size > sizeof(vmi_data)) {
		vmi_say("ROM %s: no VMI init or a data area of %u bytes: running native",
			 vmi.desc.vendor, vmi.desc.data_size);
		return NULL;
	}
	init = (vmi_init_fn)(vmi.rom + vmi.desc.init_off);
	rc = init(&vmi_data, sizeof(vmi_data), (VMI_INTERFACE_MAJOR << 8) | VMI_INTERFACE_MINOR);
	if (rc != VMI_ROM_INIT_OK || vmi_data.d.magic != VMI_ROM_DATA_MAGIC) {
		vmi_say("ROM %s: VMI init returned %d: running native", vmi.desc.vendor, rc);
		return NULL;
	}
	vmi.rom_used = true;
	return &vmi.desc;
}

static const vmi_rom *__init vmi_attach_rom(void)
{
	if (!vmi.attached)
		vmi.attach_result = vmi_attach_rom_once();
	vmi.attached = true;
	return vmi.attach_result;
}

static u16 __init vmi_clobbers(u16 clbr)
{
	u16 regs = 0;

	for (int i = 0; i < VMI_LINUX_PV_CLBR_BITS; i++)
		if (clbr & (1u << i))
			regs |= vmi_pv_desc.clbr_regs[i];
	return regs;
}

/*
 * One vmipatch site per paravirt record that has a VMI call and lies in
 * the kernel's permanent text (init text is freed; Linux keeps it). The
 * table and the native copies sit near the text: entries hold 32-bit
 * offsets.
 */
static void __init vmi_call_map(u16 call_of[256])
{
	for (const vmi_linux_pv_entry *m = vmi_pv_desc_map; m < vmi_pv_desc_end; m++)
		call_of[m->type & 0xff] = m->call_id;
}

/* The records /proc/vmi counts: all, without a VMI call, outside .text;
 * returns the sites and their bytes. */
static size_t __init vmi_count_records(const u16 *call_of, size_t *nat_len)
{
	const struct vmi_pv_record *p, *end = (const void *)__parainstructions_end;
	size_t n = 0;

	BUILD_BUG_ON(sizeof(*p) != sizeof(struct paravirt_patch_site));
	vmi.records = vmi.unmapped = vmi.outside = 0;
	*nat_len = 0;
	for (p = (const void *)__parainstructions; p < end; p++) {
		vmi.records++;
		if (!call_of[p->type])
			vmi.unmapped++;
		else if (p->instr < (u8 *)_stext || p->instr + p->len > (u8 *)_etext)
			vmi.outside++;
		else {
			n++;
			*nat_len += p->len;
		}
	}
	return n;
}

static int __init vmi_build_sites(struct vmi_site_entry **tabp, u8 **nativep, size_t *native_len)
{
	u16 call_of[256] = { 0 };
	const struct vmi_pv_record *p, *end = (const void *)__parainstructions_end;
	struct vmi_site_entry *tab;
	size_t nat_off, n;
	u8 *nat;

	vmi_call_map(call_of);
	n = vmi_count_records(call_of, &nat_off);
	tab = vmi_alloc_near(n * sizeof(*tab) + 1, PAGE_KERNEL);
	nat = vmi_alloc_near(nat_off + 1, PAGE_KERNEL);
	if (!tab || !nat) {
		vfree(tab);
		vfree(nat);
		return -ENOMEM;
	}
	n = 0;
	nat_off = 0;
	for (p = (const void *)__parainstructions; p < end; p++) {
		u16 call = call_of[p->type];
		const vmi_call_info *ci = vmi_call_lookup(call);
		struct vmi_site_entry *e = &tab[n];

		if (!call || p->instr < (u8 *)_stext || p->instr + p->len > (u8 *)_etext)
			continue;
		memcpy(nat + nat_off, p->instr, p->len);
		e->site_off = (s32)((long)p->instr - (long)&e->site_off);
		e->native_off = (s32)((long)(nat + nat_off) - (long)&e->native_off);
		e->call_id = call;
		e->site_len = p->len;
		e->native_len = p->len;
		e->min_minor = ci ? ci->minor : 0;
		e->flags = 0;
		e->clobbers = vmi_clobbers(p->clobbers);
		nat_off += p->len;
		n++;
	}
	*tabp = tab;
	*nativep = nat;
	*native_len = nat_off;
	return n;
}

/* What Linux's own paravirt pass costs on the same records (measured
 * into a scratch buffer: the text already holds its result). */
static u64 __init vmi_time_linux_pass(void)
{
	struct paravirt_patch_site *p;
	u8 buf[32];
	u64 t0 = rdtsc_ordered();

	for (p = __parainstructions; p < __parainstructions_end; p++) {
		if (p->len > sizeof(buf))
			continue;
		memcpy(buf, p->instr, p->len);
		paravirt_patch(p->type, buf, (unsigned long)p->instr, p->len);
	}
	return rdtsc_ordered() - t0;
}

static void __init vmi_offline_boot(void);

void __init vmi_linux_pass_begin(void)
{
	vmi_offline_boot();
	vmi.linux_boot_cycles = rdtsc_ordered();
}

void __init vmi_linux_pass_end(void)
{
	vmi.linux_boot_cycles = rdtsc_ordered() - vmi.linux_boot_cycles;
}

static void __init vmi_report(void)
{
	const vmi_summary *s = &vmi.summary;

	char policy[24] = "";

	if (vmi.have_policy)
		snprintf(policy, sizeof(policy), " policy %08x", vmi_policy_hash(&vmi.policy));
	if (!vmi_status_line[0])
		vmi_say("ROM %s %u.%u at 0x%llx features 0x%x%s: %u sites: call %u inline %u nop %u ident %u",
			 vmi.desc.vendor, vmi.desc.major, vmi.desc.minor, vmi_rom_phys,
			 vmi.offer.features, policy, s->sites, s->forms[VMI_FORM_CALL],
			 s->forms[VMI_FORM_INLINE], s->forms[VMI_FORM_NOP], s->forms[VMI_FORM_IDENT]);
	if (vmi.restored) {
		char line[sizeof(vmi_status_line)];

		strscpy(line, vmi_status_line, sizeof(line));
		vmi_say("offline plan (ROM crc %08x) does not match this boot: %u sites restored; %s",
			vmi.guest.stamp_rom_crc, vmi.restored, line);
	}
	pr_info("%s\n", vmi_status_line);
}

/* The guest note and the command line's policy, read once; false (with the
 * status line saying why) when the kernel must run native. */
static bool __init vmi_read_setup(void)
{
	vmi_status st;

	if (vmi.parsed)
		return vmi.cmdline_ok;
	vmi.parsed = true;
	vmi.policy.size = sizeof(vmi.policy);
	if (vmi_cmdline_set && strcmp(vmi_cmdline, "off")) {
		size_t err_at = 0;

		st = vmi_policy_parse(&vmi.policy, vmi_cmdline, strlen(vmi_cmdline), &err_at);
		if (st != VMI_OK) {
			const char *item = vmi_cmdline + min(err_at, strlen(vmi_cmdline));

			vmi_say("vmi=%s: bad policy item \"%.*s\" at offset %zu: running native",
				vmi_cmdline, (int)strcspn(item, ","), item, err_at);
			return false;
		}
		vmi.have_policy = true;
	}
	if (vmi_note_parse(vmi_guest_desc, sizeof(vmi_guest_desc), &vmi.guest) != VMI_OK) {
		vmi_say("bad guest note: running native");
		return false;
	}
	vmi.cmdline_ok = true;
	return true;
}

/*
 * A vmlinux patched offline. Its stamp names the ROM, minor, features and
 * policy it was patched for: when this boot negotiates exactly that, the
 * plan is the one in the file (planned again here over the same table,
 * through the slots, to report it and to know which sites Linux's passes
 * must skip) and only the slots are filled. Otherwise every site gets its
 * native copy back before Linux's passes run, and the boot continues as for
 * an unpatched kernel.
 */
static void __init vmi_offline_boot(void)
{
	VMI_OPTS(vmi_patch_opts, popts);
	const vmi_rom *rom;
	vmi_region regions[2];
	vmi_annotations ann;
	size_t ws_len;
	u32 count, i;
	void *ws;
	bool ok;

	if (vmi_note_parse(vmi_guest_desc, sizeof(vmi_guest_desc), &vmi.guest) != VMI_OK ||
	    vmi.guest.stamp_state != VMI_STAMP_PATCHED)
		return;
	if (vmi_note_site_count(vmi_guest_desc, sizeof(vmi_guest_desc), CONFIG_VMI_OFFLINE_SITES,
				&count) != VMI_OK ||
	    vmi_annotations_init(&ann, &vmi.guest, vmi_offline_sites, (unsigned long)vmi_offline_sites,
				 count * sizeof(struct vmi_site_entry)) != VMI_OK) {
		/* A stamped kernel whose table cannot be read cannot be restored
		 * either: say so loudly; its sites call through zero slots. */
		panic("vmi: offline-patched kernel with an unreadable site table");
	}
	ok = vmi_read_setup();
	rom = ok && vmi_rom_phys ? vmi_attach_rom() : NULL;
	ok = ok && vmi.rom_used &&
	     vmi_negotiate(&vmi.guest, rom, vmi.have_policy ? &vmi.policy : NULL, &vmi.offer) == VMI_OK &&
	     vmi_stamp_matches(&vmi.guest, &vmi.offer, vmi.have_policy ? &vmi.policy : NULL) &&
	     vmi_plan_workspace_size(&ann, &ws_len) == VMI_OK;
	ws = ok ? vmalloc(ws_len + 8) : NULL;
	if (ws) {
		regions[0] = (vmi_region){ .host = (u8 *)_stext, .addr = (unsigned long)_stext,
					   .len = _etext - _stext, .flags = VMI_REGION_F_EXEC };
		regions[1] = (vmi_region){ .host = vmi_offline_native, .addr = (unsigned long)vmi_offline_native,
					   .len = sizeof(vmi_offline_native) };
		popts.flags = VMI_PATCH_F_INDIRECT;
		popts.regions = regions;
		popts.nregions = 2;
		popts.slots_addr = (unsigned long)vmi_slot_table;
		if (vmi_plan_build(&vmi.plan, &ann, &vmi.offer, &popts, ws, ws_len + 8) == VMI_OK &&
		    vmi_slots_fill(&vmi.offer, (unsigned long)vmi.rom, (u8 *)vmi_slot_table,
				   sizeof(vmi_slot_table)) == VMI_OK) {
			u16 call_of[256] = { 0 };
			size_t nat_len;

			vmi_call_map(call_of);
			vmi_count_records(call_of, &nat_len);
			vmi.ann = ann;
			vmi_plan_summarize(&vmi.plan, &vmi.summary);
			vmi.preapplied = true;
			return;
		}
		vfree(ws);
		vmi.plan.count = 0;
	}
	for (i = 0; i < count; i++) {
		vmi_site site;

		if (vmi_annotations_get(&ann, i, &site) == VMI_OK) {
			text_poke_early((void *)(unsigned long)site.addr,
					(const void *)(unsigned long)site.native_addr, site.native_len);
			vmi.restored++;
		}
	}
}

bool vmi_site_preapplied(const u8 *instr, unsigned int len)
{
	unsigned long a = (unsigned long)instr;
	u32 lo = 0, hi = vmi.plan.count;

	if (!vmi.preapplied)
		return false;
	while (lo < hi) { /* the first decision that ends after @instr */
		u32 mid = lo + (hi - lo) / 2;

		if (vmi.plan.decisions[mid].addr + vmi.plan.decisions[mid].len <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < vmi.plan.count && vmi.plan.decisions[lo].addr < a + len; lo++)
		if (vmi.plan.decisions[lo].form != VMI_FORM_IDENT)
			return true;
	return false;
}

static void __init vmi_report_preapplied(void)
{
	const vmi_summary *s = &vmi.summary;

	vmi_say("ROM %s %u.%u at 0x%llx features 0x%x: %u sites pre-applied offline: call %u inline %u nop %u ident %u",
		vmi.desc.vendor, vmi.desc.major, vmi.desc.minor, vmi_rom_phys, vmi.offer.features,
		s->sites, s->forms[VMI_FORM_CALL], s->forms[VMI_FORM_INLINE], s->forms[VMI_FORM_NOP],
		s->forms[VMI_FORM_IDENT]);
	pr_info("%s\n", vmi_status_line);
}

void __init vmi_patch_kernel(void)
{
	VMI_OPTS(vmi_patch_opts, popts);
	struct vmi_site_entry *tab;
	vmi_region regions[2];
	const vmi_rom *rom;
	size_t native_len, ws_len;
	u8 *native;
	void *ws;
	u64 t0;
	vmi_status st;
	int n;

	if (vmi.preapplied) {
		vmi_report_preapplied();
		return;
	}
	if (!vmi_read_setup())
		goto out;
	vmi.linux_replay_cycles = min(vmi_time_linux_pass(), vmi_time_linux_pass());
	n = vmi_build_sites(&tab, &native, &native_len);
	if (n < 0) {
		vmi_say("no memory for %u site records: running native", vmi.records);
		goto out;
	}
	rom = vmi_rom_phys ? vmi_attach_rom() : NULL;
	if (vmi_annotations_init(&vmi.ann, &vmi.guest, tab, (unsigned long)tab, n * sizeof(*tab)) ||
	    vmi_negotiate(&vmi.guest, vmi.rom_used || rom ? rom : NULL,
			  vmi.have_policy ? &vmi.policy : NULL, &vmi.offer) ||
	    vmi_plan_workspace_size(&vmi.ann, &ws_len)) {
		vmi_say("bad site table: running native");
		goto out;
	}
	ws = vmalloc(ws_len + 8);
	if (!ws) {
		vmi_say("no memory for the plan (%zu bytes): running native", ws_len);
		goto out;
	}
	/* The text and the native copies, in address order. */
	regions[0] = (vmi_region){ .host = (u8 *)_stext, .addr = (unsigned long)_stext,
				   .len = _etext - _stext, .flags = VMI_REGION_F_EXEC };
	regions[1] = (vmi_region){ .host = native, .addr = (unsigned long)native, .len = native_len };
	if (regions[1].addr < regions[0].addr)
		swap(regions[0], regions[1]);
	popts.regions = regions;
	popts.nregions = 2;
	popts.rom_addr = (unsigned long)vmi.rom;

	t0 = rdtsc_ordered();
	st = vmi_plan_build(&vmi.plan, &vmi.ann, &vmi.offer, &popts, ws, ws_len + 8);
	vmi.build_cold_cycles = rdtsc_ordered() - t0;
	if (st == VMI_OK) {
		t0 = rdtsc_ordered();
		st = vmi_plan_build(&vmi.plan, &vmi.ann, &vmi.offer, &popts, ws, ws_len + 8);
		vmi.build_cycles = rdtsc_ordered() - t0;
	}
	t0 = rdtsc_ordered();
	if (st == VMI_OK && vmi.rom_used)
		st = vmi_plan_apply(&vmi.plan);
	vmi.apply_cycles = rdtsc_ordered() - t0;
	sync_core();
	if (st != VMI_OK) {
		vmi_say("plan refused at site %u (%s): running native", vmi.plan.error_index,
			vmi_strerror(st));
		vmi.plan.count = 0;
		goto out;
	}
	vmi_plan_summarize(&vmi.plan, &vmi.summary);
out:
	vmi_report();
}

static int vmi_proc_show(struct seq_file *m, void *v)
{
	const vmi_summary *s = &vmi.summary;

	seq_printf(m, "status: %s\n", vmi_status_line);
	if (vmi.rom)
		seq_printf(m, "rom: %s %u.%u at 0x%llx size %u crc %08x features 0x%x\n",
			   vmi.desc.vendor, vmi.desc.major, vmi.desc.minor, vmi_rom_phys,
			   vmi.desc.size, vmi.desc.crc, vmi.desc.features);
	else
		seq_puts(m, "rom: none\n");
	seq_printf(m, "offer: reason %s minor %u features 0x%x policy %08x\n",
		   vmi_reason_name(vmi.offer.global_reason), vmi.offer.minor, vmi.offer.features,
		   vmi.have_policy ? vmi_policy_hash(&vmi.policy) : 0);
	if (vmi.guest.stamp_state == VMI_STAMP_PATCHED)
		seq_printf(m, "offline: stamp rom-crc %08x major %u minor %u features 0x%x policy %08x: %s %u\n",
			   vmi.guest.stamp_rom_crc, vmi.guest.stamp_major, vmi.guest.stamp_minor,
			   vmi.guest.stamp_features, vmi.guest.stamp_policy,
			   vmi.preapplied ? "pre-applied" : "restored",
			   vmi.preapplied ? vmi.plan.count : vmi.restored);
	else
		seq_puts(m, "offline: none\n");
	seq_printf(m, "records: %u mapped %u unmapped %u outside-text %u\n", vmi.records,
		   vmi.records - vmi.unmapped - vmi.outside, vmi.unmapped, vmi.outside);
	seq_printf(m, "forms: call %u inline %u nop %u ident %u\n", s->forms[VMI_FORM_CALL],
		   s->forms[VMI_FORM_INLINE], s->forms[VMI_FORM_NOP], s->forms[VMI_FORM_IDENT]);
	seq_puts(m, "reasons:");
	for (u32 i = 0; i < VMI_REASON_COUNT; i++)
		if (s->reasons[i])
			seq_printf(m, " %s=%u", vmi_reason_name(i), s->reasons[i]);
	seq_printf(m, "\ntime: tsc-khz %u sites %u build-cold %llu apply %llu build %llu records %u linux-boot %llu linux-replay %llu\n",
		   tsc_khz, vmi.plan.count, vmi.build_cold_cycles, vmi.apply_cycles,
		   vmi.build_cycles, vmi.records, vmi.linux_boot_cycles, vmi.linux_replay_cycles);
	seq_puts(m, "counters:");
	if (vmi.rom_used)
		for (u32 id = vmi_call_next(0); id; id = vmi_call_next(id))
			if (vmi_data.d.counts[id])
				seq_printf(m, " %s=%u", vmi_call_lookup(id)->name,
					   vmi_data.d.counts[id]);
	seq_puts(m, "\n");
	for (u32 i = 0; i < vmi.plan.count; i++) {
		const vmi_decision *d = &vmi.plan.decisions[i];

		seq_printf(m, "site %llx %s %s %s\n", d->addr, vmi_call_lookup(d->call_id)->name,
			   vmi_form_name(d->form), vmi_reason_name(d->reason));
	}
	return 0;
}

static int __init vmi_proc_init(void)
{
	proc_create_single("vmi", 0444, NULL, vmi_proc_show);
	return 0;
}
fs_initcall(vmi_proc_init);
