/* SPDX-License-Identifier: MIT */
#include "sitegen.h"

#include <stdlib.h>
#include <string.h>

void vmi_test_img_init(vmi_test_img *img, uint8_t arch, uint64_t base, size_t text_len)
{
	memset(img, 0, sizeof(*img));
	img->arch = arch;
	img->base = base;
	img->text_len = text_len;
	img->native_off = (text_len + 15) & ~(size_t)15;
	img->table_off = img->native_off + VMI_TEST_NATIVE_CAP;
	img->slots_off = img->table_off + VMI_TEST_MAX_SITES * VMI_SITE_ENTRY_V1_SIZE;
	img->size = img->slots_off + VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE;
	img->mem = aligned_alloc(4096, (img->size + 4095) & ~(size_t)4095);
	if (!img->mem)
		abort();
	memset(img->mem, 0, img->size);
	memset(img->mem, 0xcc, text_len);
}

void vmi_test_img_free(vmi_test_img *img)
{
	free(img->mem);
	img->mem = NULL;
}

static void vmi_test_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void vmi_test_entry_put(uint8_t *e, uint64_t entry_addr, uint64_t site_addr, uint64_t native_addr,
			uint16_t id, uint8_t len, uint8_t native_len, uint8_t min_minor, uint8_t flags,
			uint16_t clobbers)
{
	vmi_test_le(e + 0, site_addr - entry_addr, 4);
	vmi_test_le(e + 4, native_addr - (entry_addr + 4), 4);
	vmi_test_le(e + 8, id, 2);
	e[10] = len;
	e[11] = native_len;
	e[12] = min_minor;
	e[13] = flags;
	vmi_test_le(e + 14, clobbers, 2);
}

uint32_t vmi_test_img_site(vmi_test_img *img, size_t off, uint8_t len, const uint8_t *native,
			   uint8_t native_len, uint16_t id, uint8_t min_minor, uint8_t flags,
			   uint16_t clobbers)
{
	if (img->count >= VMI_TEST_MAX_SITES || img->native_used + native_len > VMI_TEST_NATIVE_CAP)
		abort();
	if (off + len <= img->text_len) {
		if (native_len)
			memcpy(img->mem + off, native, native_len < len ? native_len : len);
		if (native_len < len)
			vmi_nop_fill(img->mem + off + native_len, len - native_len);
	}
	size_t noff = img->native_off + img->native_used;
	if (native_len)
		memcpy(img->mem + noff, native, native_len);
	img->native_used += native_len;
	size_t eoff = img->table_off + (size_t)img->count * VMI_SITE_ENTRY_V1_SIZE;
	vmi_test_entry_put(img->mem + eoff, img->base + eoff, img->base + off, img->base + noff, id, len,
			   native_len, min_minor, flags, clobbers);
	return img->count++;
}

void vmi_test_img_finish(vmi_test_img *img, uint8_t req_major, uint8_t req_minor)
{
	memset(&img->guest, 0, sizeof(img->guest));
	img->guest.format_version = VMI_FORMAT_VERSION;
	img->guest.entry_size = VMI_SITE_ENTRY_V1_SIZE;
	img->guest.arch = img->arch;
	img->guest.req_major = req_major;
	img->guest.req_minor = req_minor;
	if (vmi_annotations_init(&img->ann, &img->guest, img->mem + img->table_off, img->base + img->table_off,
				 (size_t)img->count * VMI_SITE_ENTRY_V1_SIZE) != VMI_OK)
		abort();
	img->regions[0] = (vmi_region){ .host = img->mem, .addr = img->base, .len = img->text_len,
					.flags = VMI_REGION_F_EXEC };
	img->regions[1] = (vmi_region){ .host = img->mem + img->native_off, .addr = img->base + img->native_off,
					.len = VMI_TEST_NATIVE_CAP };
}

void vmi_test_img_opts(vmi_test_img *img, vmi_patch_opts *o, uint64_t rom_addr, int slots)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->regions = img->regions;
	o->nregions = 2;
	o->rom_addr = rom_addr;
	if (slots) {
		o->slots_addr = img->base + img->slots_off;
		o->slots = img->mem + img->slots_off;
	}
}
