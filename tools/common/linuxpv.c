/* SPDX-License-Identifier: MIT */
#include "linuxpv.h"
#include "notes.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"

#define VMI_PAGE 4096ull

/*
 * The map of Linux 6.1 x86_64 with CONFIG_PARAVIRT_XXL, X86_IOPL_IOPERM and
 * 5-level paging (Debian's amd64 kernels), for kernels without the note.
 * The types are PARAVIRT_PATCH(op): the op's word index in struct
 * paravirt_patch_template. make linux-e2e checks that the CONFIG_VMI
 * kernel's note holds exactly this table.
 */
static const vmi_linux_pv_entry vmi_linux61_map[] = {
	{ 0, VMI_CALL_IODelay },            /* cpu.io_delay */
	{ 3, VMI_CALL_GetCR0 },             /* cpu.read_cr0 */
	{ 4, VMI_CALL_SetCR0 },             /* cpu.write_cr0 */
	{ 5, VMI_CALL_SetCR4 },             /* cpu.write_cr4 */
	{ 21, VMI_CALL_WBINVD },            /* cpu.wbinvd */
	{ 30, VMI_CALL_GetInterruptMask },  /* irq.save_fl */
	{ 31, VMI_CALL_DisableInterrupts }, /* irq.irq_disable */
	{ 32, VMI_CALL_EnableInterrupts },  /* irq.irq_enable */
	{ 33, VMI_CALL_SafeHalt },          /* irq.safe_halt */
	{ 34, VMI_CALL_Halt },              /* irq.halt */
	{ 42, VMI_CALL_GetCR2 },            /* mmu.read_cr2 */
	{ 43, VMI_CALL_SetCR2 },            /* mmu.write_cr2 */
	{ 44, VMI_CALL_GetCR3 },            /* mmu.read_cr3 */
	{ 45, VMI_CALL_SetCR3 },            /* mmu.write_cr3 */
	{ 35, VMI_CALL_FlushTLB },          /* mmu.flush_tlb_user */
	{ 37, VMI_CALL_InvalPage },         /* mmu.flush_tlb_one_user */
	{ 58, VMI_CALL_SetPxELong },        /* mmu.set_pte */
	{ 59, VMI_CALL_SetPxELong },        /* mmu.set_pmd */
};

static const vmi_linux_pv_desc vmi_linux61_desc = {
	.version = VMI_LINUX_PV_VERSION,
	.record_size = 16,
	.instr_size = 8,
	.type_off = 8,
	.len_off = 9,
	.clobbers_off = 10,
	.count = sizeof(vmi_linux61_map) / sizeof(vmi_linux61_map[0]),
	/* CLBR_RAX RCX RDX RDI RSI R8 R9 R10 R11 = bits 0..8 */
	.clbr_regs = { VMI_REG_AX, VMI_REG_CX, VMI_REG_DX, VMI_REG_DI, VMI_REG_SI, VMI_REG_R8,
		       VMI_REG_R9, VMI_REG_R10, VMI_REG_R11 },
};

static uint16_t vmi_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t vmi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t vmi_le64(const uint8_t *p)
{
	return vmi_le32(p) | ((uint64_t)vmi_le32(p + 4) << 32);
}

static uint64_t vmi_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

bool vmi_linuxpv_present(const vmi_image *img)
{
	return vmi_image_section_by_name(img, VMI_LINUX_PV_SECTION) != NULL;
}

bool vmi_linuxpv_read_as_linux(const vmi_image *img)
{
	const vmi_image_section *s;
	uint64_t off;
	uint32_t len;
	vmi_guest g;
	if (!vmi_linuxpv_present(img))
		return false;
	if (!vmi_image_note_find(img, VMI_NOTE_TYPE_GUEST, &s, &off, &len))
		return true;
	return vmi_note_parse(img->buf + off, len, &g) != VMI_OK || g.stamp_state != VMI_STAMP_PATCHED;
}

/* The descriptor of the note "VMI"/VMI_NOTE_TYPE_LINUX_PV in any SHT_NOTE section. */
static const uint8_t *vmi_pv_note_find(const vmi_image *img, uint32_t *len, const char **sec)
{
	const vmi_image_section *s;
	uint64_t off;
	if (!vmi_image_note_find(img, VMI_NOTE_TYPE_LINUX_PV, &s, &off, len))
		return NULL;
	*sec = s->name;
	return img->buf + off;
}

/* Decode and check the note's descriptor into lp->desc / lp->map. */
static int vmi_pv_note_decode(const vmi_image *img, vmi_linuxpv *lp, const uint8_t *b, uint32_t len,
			      const char *sec, vmi_diag *d)
{
	vmi_linux_pv_desc *h = &lp->desc;
	if (len < VMI_LINUX_PV_HEADER_SIZE)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "%s: Linux pv-op note truncated (%u bytes, the header alone is %u)", sec,
				    (unsigned)len, VMI_LINUX_PV_HEADER_SIZE);
	h->version = vmi_le32(b);
	h->record_size = vmi_le16(b + 4);
	h->instr_size = b[6];
	h->type_off = b[7];
	h->len_off = b[8];
	h->clobbers_off = b[9];
	h->count = vmi_le16(b + 10);
	for (int i = 0; i < VMI_LINUX_PV_CLBR_BITS; i++)
		h->clbr_regs[i] = vmi_le16(b + 12 + 2 * i);
	if (h->version != VMI_LINUX_PV_VERSION)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "%s: Linux pv-op note version %u (this tool reads %u)", sec,
				    (unsigned)h->version, VMI_LINUX_PV_VERSION);
	if (h->count > VMI_LINUX_PV_MAX_ENTRIES || len != VMI_LINUX_PV_HEADER_SIZE + 4u * h->count)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "%s: Linux pv-op note of %u bytes does not hold its %u map entries", sec,
				    (unsigned)len, (unsigned)h->count);
	if (h->instr_size != 8 || h->record_size < 12 || h->record_size > 64 ||
	    h->type_off < 8 || h->len_off < 8 || h->clobbers_off < 8 || h->type_off >= h->record_size ||
	    h->len_off >= h->record_size || h->clobbers_off + 2u > h->record_size)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "%s: Linux pv-op note describes an impossible record (size %u, address %u "
				    "bytes, type at %u, length at %u, clobbers at %u)",
				    sec, (unsigned)h->record_size, (unsigned)h->instr_size, (unsigned)h->type_off,
				    (unsigned)h->len_off, (unsigned)h->clobbers_off);
	for (int i = 0; i < VMI_LINUX_PV_CLBR_BITS; i++)
		if (h->clbr_regs[i] & VMI_REG_SP)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "%s: Linux pv-op note maps CLBR bit %d to the stack pointer", sec, i);
	bool seen[VMI_LINUX_PV_MAX_ENTRIES] = { false };
	for (uint32_t i = 0; i < h->count; i++) {
		lp->map[i].type = vmi_le16(b + VMI_LINUX_PV_HEADER_SIZE + 4 * i);
		lp->map[i].call_id = vmi_le16(b + VMI_LINUX_PV_HEADER_SIZE + 4 * i + 2);
		if (lp->map[i].type >= VMI_LINUX_PV_MAX_ENTRIES || seen[lp->map[i].type])
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "%s: Linux pv-op note entry %u: type %u is %s", sec, (unsigned)i,
					    (unsigned)lp->map[i].type,
					    lp->map[i].type >= VMI_LINUX_PV_MAX_ENTRIES ? "not a byte" : "mapped twice");
		seen[lp->map[i].type] = true;
	}
	lp->map_from = "note";
	return VMI_EXIT_OK;
}

static uint16_t vmi_pv_clobbers(const vmi_linuxpv *lp, uint16_t clbr)
{
	uint16_t regs = 0;
	for (int i = 0; i < VMI_LINUX_PV_CLBR_BITS; i++)
		if (clbr & (1u << i))
			regs |= lp->desc.clbr_regs[i];
	return regs;
}

/* Does the record's site lie inside .text (the kernel's _stext.._etext)? */
static bool vmi_pv_in_text(const vmi_image_section *text, uint64_t at, uint8_t len)
{
	return at >= text->addr && at + len >= at && at + len <= text->addr + text->size;
}

/* The call a record's type becomes, 0 if none. */
static uint16_t vmi_pv_call(const uint16_t *call_of, uint8_t type)
{
	return call_of[type];
}

/* Linux's unpatched site is `call *disp32(%rip)` into pv_ops[type]: learn
 * pv_ops from the first, count the sites that agree. */
static void vmi_pv_ops_learn(vmi_linuxpv *lp, const uint8_t *site, uint64_t addr, uint8_t len, uint8_t type)
{
	if (len < 6 || site[0] != 0xff || site[1] != 0x15)
		return;
	uint64_t base = addr + 6 + (uint64_t)(int64_t)(int32_t)vmi_le32(site + 2) - 8ull * type;
	if (!lp->pv_ops)
		lp->pv_ops = base;
	if (base == lp->pv_ops)
		lp->unpatched++;
}

int vmi_linuxpv_load(const vmi_image *img, vmi_linuxpv *lp, vmi_guestinfo *gi, vmi_diag *d)
{
	const vmi_image_section *pv = vmi_image_section_by_name(img, VMI_LINUX_PV_SECTION);
	const vmi_image_section *text = vmi_image_section_by_name(img, ".text");
	const char *sec = NULL;
	uint32_t nlen = 0;
	int rc;

	memset(lp, 0, sizeof(*lp));
	memset(gi, 0, sizeof(*gi));
	if (!pv || pv->type == SHT_NOBITS)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no paravirt sites: section %s is %s",
				    VMI_LINUX_PV_SECTION, pv ? "SHT_NOBITS" : "missing");
	if (img->arch != VMI_ARCH_X86_64)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: only x86_64 Linux kernels are read, this one is %s",
				    VMI_LINUX_PV_SECTION, vmi_arch_name(img->arch));
	if (!text || text->type != SHT_PROGBITS || !(text->flags & SHF_EXECINSTR))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section .text is %s: the paravirt sites need the kernel text",
				    text ? "not executable PROGBITS" : "missing");
	const uint8_t *note = vmi_pv_note_find(img, &nlen, &sec);
	if (note) {
		rc = vmi_pv_note_decode(img, lp, note, nlen, sec, d);
		if (rc)
			return rc;
	} else {
		lp->desc = vmi_linux61_desc;
		memcpy(lp->map, vmi_linux61_map, sizeof(vmi_linux61_map));
		lp->map_from = "built-in Linux 6.1 x86_64";
	}
	uint32_t rs = lp->desc.record_size;
	if (pv->size % rs)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: length %llu is not a multiple of the record size %u",
				    VMI_LINUX_PV_SECTION, (unsigned long long)pv->size, (unsigned)rs);

	uint16_t call_of[VMI_LINUX_PV_MAX_ENTRIES] = { 0 };
	for (uint32_t i = 0; i < lp->desc.count; i++)
		call_of[lp->map[i].type] = lp->map[i].call_id;

	/* Pass 1: count, as the kernel does before it allocates. */
	const uint8_t *rec = img->buf + pv->offset;
	uint64_t nat_len = 0;
	lp->records = (uint32_t)(pv->size / rs);
	if (pv->size / rs > UINT32_MAX / 2)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %llu records is too many",
				    VMI_LINUX_PV_SECTION, (unsigned long long)(pv->size / rs));
	for (uint32_t i = 0; i < lp->records; i++) {
		const uint8_t *r = rec + (uint64_t)i * rs;
		uint64_t at = vmi_le64(r);
		uint8_t len = r[lp->desc.len_off];
		if (!vmi_pv_call(call_of, r[lp->desc.type_off]))
			lp->unmapped++;
		else if (!vmi_pv_in_text(text, at, len))
			lp->outside++;
		else
			nat_len += len;
	}
	lp->sites = lp->records - lp->unmapped - lp->outside;

	uint64_t end = 0;
	for (size_t i = 0; i < img->nloads; i++)
		if (img->loads[i].vaddr + img->loads[i].memsz > end)
			end = img->loads[i].vaddr + img->loads[i].memsz;
	uint64_t table_addr = vmi_align_up(end, VMI_PAGE);
	uint64_t table_len = (uint64_t)lp->sites * sizeof(struct vmi_site_entry);
	uint64_t native_addr = vmi_align_up(table_addr + table_len + 1, VMI_PAGE);
	lp->rom_addr = vmi_align_up(native_addr + nat_len + 1, VMI_PAGE);
	if (table_addr < end || lp->rom_addr + VMI_ROM_MAX_SIZE - text->addr > 0x7fffffffull)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "the kernel's segments end at 0x%llx, too far from .text at 0x%llx for "
				    "the 32-bit offsets of a site table", (unsigned long long)end,
				    (unsigned long long)text->addr);
	lp->table = calloc(1, table_len + 1);
	lp->native = calloc(1, nat_len + 1);
	if (!lp->table || !lp->native) {
		vmi_linuxpv_free(lp);
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory for %u paravirt sites",
				    (unsigned)lp->sites);
	}

	/* Pass 2: the entries, in record order (the planner sorts by address). */
	uint64_t noff = 0;
	uint32_t n = 0;
	const uint8_t *tbytes = img->buf + text->offset;
	for (uint32_t i = 0; i < lp->records; i++) {
		const uint8_t *r = rec + (uint64_t)i * rs;
		uint64_t at = vmi_le64(r);
		uint8_t len = r[lp->desc.len_off];
		uint16_t call = vmi_pv_call(call_of, r[lp->desc.type_off]);
		const uint8_t *site = tbytes + (at - text->addr);
		if (!call || !vmi_pv_in_text(text, at, len))
			continue;
		vmi_pv_ops_learn(lp, site, at, len, r[lp->desc.type_off]);
		const vmi_call_info *ci = vmi_call_lookup(call);
		uint64_t e_addr = table_addr + (uint64_t)n * sizeof(struct vmi_site_entry);
		struct vmi_site_entry e = {
			.site_off = (int32_t)(at - e_addr),
			.native_off = (int32_t)(native_addr + noff - (e_addr + 4)),
			.call_id = call,
			.site_len = len,
			.native_len = len,
			.min_minor = ci ? ci->minor : 0,
			.clobbers = vmi_pv_clobbers(lp, vmi_le16(r + lp->desc.clobbers_off)),
		};
		memcpy(lp->table + (uint64_t)n * sizeof(e), &e, sizeof(e));
		memcpy(lp->native + noff, site, len);
		noff += len;
		n++;
	}

	struct vmi_note_desc nd = {
		.format_version = VMI_FORMAT_VERSION,
		.entry_size = sizeof(struct vmi_site_entry),
		.arch = VMI_ARCH_X86_64,
		.req_major = VMI_INTERFACE_MAJOR,
		.req_minor = VMI_INTERFACE_MINOR,
	};
	vmi_status st = vmi_note_parse(&nd, sizeof(nd), &gi->guest);
	if (st == VMI_OK)
		st = vmi_annotations_init(&gi->ann, &gi->guest, lp->table, table_addr, table_len);
	if (st != VMI_OK) {
		vmi_linuxpv_free(lp);
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", VMI_LINUX_PV_SECTION,
				    vmi_strerror(st));
	}
	lp->regions[0] = (vmi_region){ .host = img->buf + text->offset, .addr = text->addr,
				       .len = text->size, .flags = VMI_REGION_F_EXEC };
	lp->regions[1] = (vmi_region){ .host = lp->native, .addr = native_addr, .len = nat_len };
	snprintf(gi->slots_why, sizeof(gi->slots_why),
		 "a Linux kernel calls the ROM directly, from its module area");
	gi->linux = lp;
	return VMI_EXIT_OK;
}

void vmi_linuxpv_free(vmi_linuxpv *lp)
{
	free(lp->table);
	free(lp->native);
	lp->table = lp->native = NULL;
}
