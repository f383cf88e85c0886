/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/reloc.h - relocatable objects (.o, .ko) made readable.
 *
 * In an ET_REL object every section starts at address 0 and the fields
 * that point elsewhere (a site's site_off and native_off, a call's target,
 * a symbol's value) are zero plus a relocation. Read as they are, every
 * annotated site points at the wrong bytes and vmilint reports the
 * instructions they cover as findings. vmi_rel_prepare lays the SHF_ALLOC
 * sections out one after the other (aligned, from 0, as `ld -r` and
 * libdwfl's offline layout do), rebases symbol values, and applies the
 * relocations of every allocated section with libelf's view of the
 * headers, in the image's private copy of the file (the file itself is
 * never written). Afterwards the image reads like a linked one.
 */
#ifndef VMI_LINT_RELOC_H
#define VMI_LINT_RELOC_H

#include <stdint.h>

#include "diag.h"
#include "image.h"

typedef struct vmi_rel_info {
	uint64_t *base;      /* per section index: its assigned address (owned) */
	uint64_t applied;    /* relocations applied */
	uint64_t skipped;    /* relocations of kinds that do not change what vmilint reads */
} vmi_rel_info;

/**
 * vmi_rel_check_kind - refuse, with a message naming the kind, files that
 * are no ELF program or object vmilint can read: ar archives (lint the
 * members or the linked image), LLVM bitcode and GCC LTO objects (no
 * machine code), core dumps. Reads only the first bytes of @path.
 * Return: VMI_EXIT_OK (anything else is left to the image loader).
 */
int vmi_rel_check_kind(const char *path, vmi_diag *d);

/** vmi_rel_is_object - is @img an ET_REL object? */
int vmi_rel_is_object(const vmi_image *img);

/**
 * vmi_rel_prepare - lay out and relocate the ET_REL image @img in place
 * (img->secs[].addr, symbol values and relocated fields in img->buf).
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT naming the section and the
 * relocation that cannot be applied (unknown type in an annotation
 * section, field outside its section, compressed sections).
 */
int vmi_rel_prepare(vmi_image *img, vmi_rel_info *ri, vmi_diag *d);

void vmi_rel_free(vmi_rel_info *ri);

#endif /* VMI_LINT_RELOC_H */
