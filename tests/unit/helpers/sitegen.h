/* SPDX-License-Identifier: MIT */
/*
 * sitegen.h - a guest image in memory for the patcher tests: text with
 * real native instructions at chosen offsets, their native copies, and a
 * v1 site table written from the wire layout in vmi/annotations.h.
 *
 * Target addresses are free: the image's bytes live in one host buffer
 * but may claim any target base (i386 below 4 GiB, x86-64 kernel space),
 * so range rules can be tested without mapping anything there.
 */
#ifndef VMI_TEST_SITEGEN_H
#define VMI_TEST_SITEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/patcher.h"

#define VMI_TEST_MAX_SITES 256
#define VMI_TEST_NATIVE_CAP 4096

typedef struct vmi_test_img {
	uint8_t *mem;        /* text | native copies | site table | slots */
	uint64_t base;       /* target address of mem[0] */
	size_t text_len;
	size_t native_off, native_used;
	size_t table_off;
	size_t slots_off;    /* VMI_CALL_ID_LIMIT * 8 bytes */
	size_t size;
	uint32_t count;
	uint8_t arch;
	vmi_guest guest;
	vmi_annotations ann;
	vmi_region regions[2]; /* text (EXEC), native copies */
} vmi_test_img;

/* Allocate an image of @text_len text bytes filled with int3 (0xCC). */
void vmi_test_img_init(vmi_test_img *img, uint8_t arch, uint64_t base, size_t text_len);
void vmi_test_img_free(vmi_test_img *img);

/* Put a site at text offset @off: the native bytes padded with NOPs to
 * @len in the text, a native copy, and a table entry. Returns its index. */
uint32_t vmi_test_img_site(vmi_test_img *img, size_t off, uint8_t len, const uint8_t *native,
			   uint8_t native_len, uint16_t id, uint8_t min_minor, uint8_t flags,
			   uint16_t clobbers);

/* Raw entry writer (tests that corrupt entries on purpose). */
void vmi_test_entry_put(uint8_t *entry, uint64_t entry_addr, uint64_t site_addr, uint64_t native_addr,
			uint16_t id, uint8_t len, uint8_t native_len, uint8_t min_minor, uint8_t flags,
			uint16_t clobbers);

/* Build guest + annotations view (guest req major/minor given). */
void vmi_test_img_finish(vmi_test_img *img, uint8_t req_major, uint8_t req_minor);

/* Patch opts covering text and native copies; @slots: use the slot table. */
void vmi_test_img_opts(vmi_test_img *img, vmi_patch_opts *o, uint64_t rom_addr, int slots);

/* Target address / host pointer helpers. */
static inline uint64_t vmi_test_addr(const vmi_test_img *img, size_t off) { return img->base + off; }

#endif /* VMI_TEST_SITEGEN_H */
