/* SPDX-License-Identifier: MIT */
/*
 * tools/common/segmap.h - target addresses to file offsets, and the
 * patcher's regions, both from the PT_LOAD segments of an image.
 *
 * A loadable segment's file bytes [p_offset, p_offset + p_filesz) are what
 * the loader maps at [p_vaddr, p_vaddr + p_filesz), so a site's file offset
 * is p_offset + (addr - p_vaddr). One vmi_region per PT_LOAD, pointing into
 * the image buffer: applying a plan patches the buffer, i.e. the file.
 */
#ifndef VMI_TOOL_SEGMAP_H
#define VMI_TOOL_SEGMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "vmi/patcher.h"

/**
 * vmi_segmap_offset - file offset of [@addr, @addr + @len) if one PT_LOAD
 * segment's file bytes hold all of it.
 * Return: true and *@off set, or false.
 */
bool vmi_segmap_offset(const vmi_image *img, uint64_t addr, uint64_t len, uint64_t *off);

/**
 * vmi_segmap_regions - one region per PT_LOAD (sorted by address), with
 * VMI_REGION_F_EXEC for PF_X segments; host pointers into img->buf.
 * Return: a malloc'd array (*@n entries), or NULL if out of memory or the
 * image has more segments than a plan can index (255).
 */
vmi_region *vmi_segmap_regions(const vmi_image *img, uint32_t *n);

#endif /* VMI_TOOL_SEGMAP_H */
