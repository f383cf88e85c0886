/* SPDX-License-Identifier: MIT */
/*
 * sites.c - the vmi_sites table: a checked view over the caller's bytes and
 * the decoding of one entry into absolute target addresses.
 *
 * Entries are read field by field at their wire offsets (never through a
 * struct pointer), so a table at any alignment and with a larger entry
 * size from a newer guest reads the same; the appended fields are skipped.
 */
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

vmi_status vmi_annotations_init(vmi_annotations *a, const vmi_guest *guest, const void *table,
				uint64_t table_addr, size_t len)
{
	size_t count;

	if (!a || !guest || (!table && len))
		return VMI_E_INVALID_ARG;
	/* The guest may be filled by hand rather than by vmi_note_parse. */
	if (guest->entry_size < VMI_SITE_ENTRY_V1_SIZE || guest->entry_size > VMI_SITE_ENTRY_MAX)
		return VMI_E_ANN_ENTRY_SIZE;
	/* size_t arithmetic: on i386 a 64-bit division would need libgcc. */
	if (len % guest->entry_size)
		return VMI_E_ANN_SECTION_SIZE;
	count = len / guest->entry_size;
	if (count != (uint32_t)count)
		return VMI_E_ANN_SECTION_SIZE;

	a->table = (const uint8_t *)table;
	a->table_addr = table_addr;
	a->count = (uint32_t)count;
	a->entry_size = guest->entry_size;
	a->arch = guest->arch;
	return VMI_OK;
}

vmi_status vmi_annotations_get(const vmi_annotations *a, uint32_t index, vmi_site *out)
{
	const uint8_t *e;
	uint64_t entry_addr;
	int32_t site_off, native_off;

	if (!a || !out || (!a->table && a->count))
		return VMI_E_INVALID_ARG;
	if (index >= a->count)
		return VMI_E_ANN_INDEX;

	e = a->table + (size_t)index * a->entry_size;
	/* Unsigned 64-bit sums: a hostile offset wraps (defined) instead of
	 * overflowing; the planner bounds-checks the resulting addresses. */
	entry_addr = a->table_addr + (uint64_t)index * a->entry_size;
	site_off = (int32_t)vmi_le32(e + VMI_SE_SITE_OFF);
	native_off = (int32_t)vmi_le32(e + VMI_SE_NATIVE_OFF);

	out->addr = entry_addr + VMI_SE_SITE_OFF + (uint64_t)(int64_t)site_off;
	out->native_addr = entry_addr + VMI_SE_NATIVE_OFF + (uint64_t)(int64_t)native_off;
	out->index = index;
	out->call_id = vmi_le16(e + VMI_SE_CALL_ID);
	out->len = e[VMI_SE_SITE_LEN];
	out->native_len = e[VMI_SE_NATIVE_LEN];
	out->min_minor = e[VMI_SE_MIN_MINOR];
	out->flags = e[VMI_SE_FLAGS];
	out->clobbers = vmi_le16(e + VMI_SE_CLOBBERS);
	return VMI_OK;
}
