/* SPDX-License-Identifier: MIT */
#include "segmap.h"

#include <elf.h>
#include <stdlib.h>

#include "search.h"
bool vmi_segmap_offset(const vmi_image *img, uint64_t addr, uint64_t len, uint64_t *off)
{
	/* The last segment starting at or below addr. */
	size_t lo = vmi_count_upto(img->loads, img->nloads, sizeof(*img->loads), offsetof(vmi_image_segment, vaddr),
				   addr);
	if (!lo)
		return false;
	const vmi_image_segment *g = &img->loads[lo - 1];
	uint64_t rel = addr - g->vaddr;
	if (rel > g->filesz || len > g->filesz - rel)
		return false;
	*off = g->offset + rel;
	return true;
}

vmi_region *vmi_segmap_regions(const vmi_image *img, uint32_t *n)
{
	if (img->nloads > 255)
		return NULL;
	vmi_region *r = calloc(img->nloads ? img->nloads : 1, sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < img->nloads; i++) {
		const vmi_image_segment *g = &img->loads[i];
		r[i].host = img->buf + g->offset;
		r[i].addr = g->vaddr;
		r[i].len = g->filesz;
		r[i].flags = (g->flags & PF_X) ? VMI_REGION_F_EXEC : 0;
	}
	*n = (uint32_t)img->nloads;
	return r;
}
