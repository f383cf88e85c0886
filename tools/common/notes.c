/* SPDX-License-Identifier: MIT */
#include "notes.h"

#include <elf.h>
#include <string.h>

#include "vmi/annotations.h"

static uint32_t vmi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t vmi_pad4(uint64_t n)
{
	return (n + 3) & ~3ull;
}

bool vmi_notes_locate(const uint8_t *notes, uint64_t len, uint32_t type, uint64_t *off, uint32_t *dlen)
{
	uint64_t p = 0;
	while (len - p >= 12) {
		uint32_t namesz = vmi_rd32(notes + p), descsz = vmi_rd32(notes + p + 4);
		uint64_t name = p + 12, desc = name + vmi_pad4(namesz);
		if (desc > len || descsz > len - desc)
			return false;
		if (vmi_rd32(notes + p + 8) == type && namesz == sizeof(VMI_NOTE_NAME) &&
		    memcmp(notes + name, VMI_NOTE_NAME, sizeof(VMI_NOTE_NAME)) == 0) {
			*off = desc;
			*dlen = descsz;
			return true;
		}
		p = desc + vmi_pad4(descsz);
		if (p > len)
			return false;
	}
	return false;
}

bool vmi_image_note_find(const vmi_image *img, uint32_t type, const vmi_image_section **sec, uint64_t *off,
			 uint32_t *dlen)
{
	for (size_t i = 0; i < img->nsecs; i++) {
		const vmi_image_section *s = &img->secs[i];
		uint64_t o;
		if (s->type != SHT_NOTE || !vmi_notes_locate(img->buf + s->offset, s->size, type, &o, dlen))
			continue;
		*sec = s;
		*off = s->offset + o;
		return true;
	}
	return false;
}
