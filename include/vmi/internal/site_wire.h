/* SPDX-License-Identifier: MIT */
/*
 * vmi/internal/site_wire.h - wire offsets of a site-table entry
 * (vmi/annotations.h) and its decoder, shared by the annotation reader
 * (vmi_annotations_get, which checks its arguments) and the planner's hot
 * loop (which has checked the table once). Not installed.
 *
 * Entries are read field by field at their wire offsets (never through a
 * struct pointer), so a table at any alignment and with a larger entry
 * size from a newer guest reads the same; the appended fields are skipped.
 */
#ifndef VMI_INTERNAL_SITE_WIRE_H
#define VMI_INTERNAL_SITE_WIRE_H

#include <stddef.h>

#include "vmi/annotations.h"
#include "vmi/internal/util.h"

/* Wire offsets of struct vmi_site_entry. */
#define VMI_SE_SITE_OFF 0
#define VMI_SE_NATIVE_OFF 4
#define VMI_SE_CALL_ID 8
#define VMI_SE_SITE_LEN 10
#define VMI_SE_NATIVE_LEN 11
#define VMI_SE_MIN_MINOR 12
#define VMI_SE_FLAGS 13
#define VMI_SE_CLOBBERS 14

_Static_assert(VMI_SE_CLOBBERS == offsetof(struct vmi_site_entry, clobbers), "site entry layout");
_Static_assert(VMI_SE_NATIVE_OFF == offsetof(struct vmi_site_entry, native_off), "site entry layout");

/* Entry @index of a table vmi_annotations_init accepted (@index < count). */
static inline void vmi_site_decode(const vmi_annotations *a, uint32_t index, vmi_site *out)
{
	const uint8_t *e = a->table + (size_t)index * a->entry_size;
	/* Unsigned 64-bit sums: a hostile offset wraps (defined) instead of
	 * overflowing; the planner bounds-checks the resulting addresses. */
	uint64_t entry_addr = a->table_addr + (uint64_t)index * a->entry_size;
	int32_t site_off = (int32_t)vmi_le32(e + VMI_SE_SITE_OFF);
	int32_t native_off = (int32_t)vmi_le32(e + VMI_SE_NATIVE_OFF);

	out->addr = entry_addr + VMI_SE_SITE_OFF + (uint64_t)(int64_t)site_off;
	out->native_addr = entry_addr + VMI_SE_NATIVE_OFF + (uint64_t)(int64_t)native_off;
	out->index = index;
	out->call_id = vmi_le16(e + VMI_SE_CALL_ID);
	out->len = e[VMI_SE_SITE_LEN];
	out->native_len = e[VMI_SE_NATIVE_LEN];
	out->min_minor = e[VMI_SE_MIN_MINOR];
	out->flags = e[VMI_SE_FLAGS];
	out->clobbers = vmi_le16(e + VMI_SE_CLOBBERS);
}

#endif /* VMI_INTERNAL_SITE_WIRE_H */
