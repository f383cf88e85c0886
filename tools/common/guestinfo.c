/* SPDX-License-Identifier: MIT */
#include "guestinfo.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "vmi/calls.h"

static uint32_t vmi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Where the VMI note's descriptor starts inside a note section. */
static bool vmi_note_locate(const uint8_t *notes, uint64_t len, uint64_t *off, uint32_t *dlen)
{
	uint64_t p = 0;
	while (len - p >= 12) {
		uint32_t namesz = vmi_rd32(notes + p), descsz = vmi_rd32(notes + p + 4);
		uint32_t type = vmi_rd32(notes + p + 8);
		uint64_t name = p + 12, desc = name + (((uint64_t)namesz + 3) & ~3ull);
		if (desc > len || descsz > len - desc)
			return false;
		if (type == VMI_NOTE_TYPE_GUEST && namesz == sizeof(VMI_NOTE_NAME) &&
		    memcmp(notes + name, VMI_NOTE_NAME, sizeof(VMI_NOTE_NAME)) == 0) {
			*off = desc;
			*dlen = descsz;
			return true;
		}
		p = desc + (((uint64_t)descsz + 3) & ~3ull);
		if (p > len)
			return false;
	}
	return false;
}

bool vmi_guestinfo_present(const vmi_image *img)
{
	return vmi_image_section_by_name(img, VMI_NOTE_SECTION) ||
	       vmi_image_section_by_name(img, VMI_SITES_SECTION);
}

/* SHF_WRITE, and every PT_LOAD byte of it in a PF_W segment. */
static bool vmi_slots_writable(const vmi_image *img, const vmi_image_section *s)
{
	if (!(s->flags & SHF_WRITE) || !(s->flags & SHF_ALLOC))
		return false;
	for (size_t i = 0; i < img->nloads; i++) {
		const vmi_image_segment *g = &img->loads[i];
		if (s->addr < g->vaddr + g->memsz && g->vaddr < s->addr + s->size && !(g->flags & PF_W))
			return false;
	}
	return true;
}

/* SHF_EXECINSTR, or overlapping an allocated executable section. */
static bool vmi_slots_in_code(const vmi_image *img, const vmi_image_section *s)
{
	if (s->flags & SHF_EXECINSTR)
		return true;
	for (size_t i = 0; i < img->nsecs; i++) {
		const vmi_image_section *x = &img->secs[i];
		if ((x->flags & SHF_EXECINSTR) && (x->flags & SHF_ALLOC) && s->addr < x->addr + x->size &&
		    x->addr < s->addr + s->size)
			return true;
	}
	/* Not the segment's PF_X: small kernels (multiboot guests) load
	 * everything in one RWX segment, and data there is still data. */
	return false;
}

int vmi_guestinfo_load(const vmi_image *img, vmi_guestinfo *gi, vmi_diag *d)
{
	const vmi_image_section *note = vmi_image_section_by_name(img, VMI_NOTE_SECTION);
	vmi_status st;

	memset(gi, 0, sizeof(*gi));
	if (!note || note->type != SHT_NOTE)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no annotations: section %s %s",
				    VMI_NOTE_SECTION, note ? "is not SHT_NOTE" : "is missing");
	const uint8_t *nb = img->buf + note->offset;
	st = vmi_note_find(nb, note->size, &gi->guest);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", VMI_NOTE_SECTION,
				    vmi_strerror(st));
	uint64_t doff;
	if (!vmi_note_locate(nb, note->size, &doff, &gi->desc_len))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: malformed note", VMI_NOTE_SECTION);
	gi->desc_off = note->offset + doff;
	if (gi->guest.arch != img->arch)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "note says %s code but the ELF file is %s",
				    vmi_arch_name(gi->guest.arch), vmi_arch_name(img->arch));

	gi->sites = vmi_image_section_by_name(img, VMI_SITES_SECTION);
	if (!gi->sites || gi->sites->type == SHT_NOBITS)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no annotations: section %s is missing",
				    VMI_SITES_SECTION);
	st = vmi_annotations_init(&gi->ann, &gi->guest, img->buf + gi->sites->offset, gi->sites->addr,
				  gi->sites->size);
	if (st == VMI_E_ANN_SECTION_SIZE)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: length %llu is not a multiple of the entry size %u",
				    VMI_SITES_SECTION, (unsigned long long)gi->sites->size,
				    (unsigned)gi->guest.entry_size);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", VMI_SITES_SECTION,
				    vmi_strerror(st));

	gi->native = vmi_image_section_by_name(img, VMI_NATIVE_SECTION);
	gi->slots = vmi_image_section_by_name(img, VMI_SLOTS_SECTION);
	if (!gi->slots) {
		snprintf(gi->slots_why, sizeof(gi->slots_why), "the image has no %s section", VMI_SLOTS_SECTION);
	} else if (gi->slots->type == SHT_NOBITS || gi->slots->size < (uint64_t)VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE) {
		snprintf(gi->slots_why, sizeof(gi->slots_why), "section %s holds %llu bytes, not %u",
			 VMI_SLOTS_SECTION, (unsigned long long)gi->slots->size,
			 VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE);
		gi->slots = NULL;
	} else if (!vmi_slots_writable(img, gi->slots)) {
		/* The guest fills its slots at boot: they must be data it can write. */
		snprintf(gi->slots_why, sizeof(gi->slots_why), "section %s is not writable data",
			 VMI_SLOTS_SECTION);
		gi->slots = NULL;
	} else if (vmi_slots_in_code(img, gi->slots)) {
		/* Slots in text would be code that a table write rewrites. */
		snprintf(gi->slots_why, sizeof(gi->slots_why), "section %s lies inside executable code",
			 VMI_SLOTS_SECTION);
		gi->slots = NULL;
	}
	return VMI_EXIT_OK;
}
