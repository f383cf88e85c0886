/* SPDX-License-Identifier: MIT */
#include "guestinfo.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "notes.h"
#include "vmi/calls.h"

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

/* The guest note: in .note.vmi when there is one (an annotated guest),
 * else in any note section (a Linux kernel gathers .note.* into .notes). */
static int vmi_guestinfo_note(const vmi_image *img, vmi_guestinfo *gi, vmi_diag *d)
{
	const vmi_image_section *note = vmi_image_section_by_name(img, VMI_NOTE_SECTION);
	vmi_status st;

	if (!note && vmi_image_note_find(img, VMI_NOTE_TYPE_GUEST, &note, &gi->desc_off, &gi->desc_len)) {
		st = vmi_note_parse(img->buf + gi->desc_off, gi->desc_len, &gi->guest);
	} else if (!note || note->type != SHT_NOTE) {
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no annotations: section %s %s",
				    VMI_NOTE_SECTION, note ? "is not SHT_NOTE" : "is missing");
	} else {
		const uint8_t *nb = img->buf + note->offset;
		uint64_t doff = 0;
		st = vmi_note_find(nb, note->size, &gi->guest);
		if (st == VMI_OK && !vmi_notes_locate(nb, note->size, VMI_NOTE_TYPE_GUEST, &doff, &gi->desc_len))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: malformed note",
					    VMI_NOTE_SECTION);
		gi->desc_off = note->offset + doff;
	}
	gi->note = note;
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", note->name, vmi_strerror(st));
	return VMI_EXIT_OK;
}

int vmi_guestinfo_load(const vmi_image *img, vmi_guestinfo *gi, vmi_diag *d)
{
	vmi_status st;

	memset(gi, 0, sizeof(*gi));
	int rc = vmi_guestinfo_note(img, gi, d);
	if (rc)
		return rc;
	if (gi->guest.arch != img->arch)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "note says %s code but the ELF file is %s",
				    vmi_arch_name(gi->guest.arch), vmi_arch_name(img->arch));

	gi->sites = vmi_image_section_by_name(img, VMI_SITES_SECTION);
	if (!gi->sites || gi->sites->type == SHT_NOBITS)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no annotations: section %s is missing",
				    VMI_SITES_SECTION);
	if (gi->sites->size % gi->guest.entry_size)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: length %llu is not a multiple of the entry size %u",
				    VMI_SITES_SECTION, (unsigned long long)gi->sites->size,
				    (unsigned)gi->guest.entry_size);
	uint64_t whole = gi->sites->size / gi->guest.entry_size;
	gi->capacity = whole > UINT32_MAX ? UINT32_MAX : (uint32_t)whole;
	st = vmi_note_site_count(img->buf + gi->desc_off, gi->desc_len, gi->capacity, &gi->count);
	if (st == VMI_E_ANN_SECTION_SIZE) {
		const uint8_t *c = img->buf + gi->desc_off + VMI_NOTE_DESC_SITE_COUNT_OFF;
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: the note counts %lu sites but %s holds %u entries", gi->note->name,
				    (unsigned long)c[0] | (unsigned long)c[1] << 8 | (unsigned long)c[2] << 16 |
					    (unsigned long)c[3] << 24,
				    VMI_SITES_SECTION, (unsigned)gi->capacity);
	}
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", gi->note->name,
				    vmi_strerror(st));
	gi->has_count = (gi->guest.format_version & 0xff) >= VMI_FORMAT_MINOR_SITE_COUNT;
	st = vmi_annotations_init(&gi->ann, &gi->guest, img->buf + gi->sites->offset, gi->sites->addr,
				  (size_t)gi->count * gi->guest.entry_size);
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
