/* SPDX-License-Identifier: MIT */
/*
 * tools/common/guestinfo.h - the annotations of an image: the VMI note (and
 * where its descriptor sits in the file, for the stamp), the site table
 * view, and the slot table. Decoding is the library's (vmi_note_parse,
 * vmi_annotations_init/get); this file only finds the bytes.
 */
#ifndef VMI_TOOL_GUESTINFO_H
#define VMI_TOOL_GUESTINFO_H

#include <stdbool.h>

#include "image.h"
#include "vmi/annotations.h"

typedef struct vmi_guestinfo {
	vmi_guest guest;          /* decoded note */
	const vmi_image_section *note; /* the section holding it (.note.vmi, or .notes of Linux) */
	uint64_t desc_off;        /* file offset of the note descriptor */
	uint32_t desc_len;        /* its length */
	uint32_t capacity;        /* entries vmi_sites has room for */
	uint32_t count;           /* entries in use: the note's site_count (format 1.1), else capacity */
	bool has_count;           /* the note carries site_count (a table filled after the link) */
	vmi_annotations ann;      /* view of the entries in use, in the image buffer */
	const vmi_image_section *sites;  /* vmi_sites */
	const vmi_image_section *native; /* vmi_native, or NULL */
	const vmi_image_section *slots;  /* vmi_slots, or NULL when absent or too small */
	char slots_why[96];       /* why slots is NULL ("" when present) */
	/* A Linux kernel read through .parainstructions (linuxpv.h), or NULL:
	 * then the sites are not the image's own table, and the plan is the one
	 * the booting kernel builds (direct calls, its regions). */
	const struct vmi_linuxpv *linux;
} vmi_guestinfo;

/**
 * vmi_guestinfo_load - find and check the note and the site table.
 * Return: VMI_EXIT_OK or VMI_EXIT_INPUT with @d naming the problem (no
 * annotation section, bad note, entry-size mismatch, note arch differing
 * from the ELF class).
 */
int vmi_guestinfo_load(const vmi_image *img, vmi_guestinfo *gi, vmi_diag *d);

/** vmi_guestinfo_present - does the image carry a VMI note or site table at all? */
bool vmi_guestinfo_present(const vmi_image *img);

#endif /* VMI_TOOL_GUESTINFO_H */
