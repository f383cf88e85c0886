/* SPDX-License-Identifier: MIT */
/*
 * tools/common/notes.h - find a "VMI" ELF note of a given type in an
 * image's note sections. An annotated guest keeps its guest note in its
 * own .note.vmi; a Linux kernel's linker script gathers every .note.* into
 * .notes, where its guest note and its pv-op map note end up.
 */
#ifndef VMI_TOOL_NOTES_H
#define VMI_TOOL_NOTES_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"

/**
 * vmi_notes_locate - the descriptor of the first "VMI" note of @type in a
 * buffer of ELF notes: its offset in @notes and its length. False when
 * there is none or a note record runs past the buffer.
 */
bool vmi_notes_locate(const uint8_t *notes, uint64_t len, uint32_t type, uint64_t *off, uint32_t *dlen);

/**
 * vmi_image_note_find - the same over every SHT_NOTE section of @img, in
 * section order: @sec receives the section, @off the descriptor's file
 * offset.
 */
bool vmi_image_note_find(const vmi_image *img, uint32_t type, const vmi_image_section **sec, uint64_t *off,
			 uint32_t *dlen);

#endif /* VMI_TOOL_NOTES_H */
