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
#include "vmi/internal/site_wire.h"

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
	if (!a || !out || (!a->table && a->count))
		return VMI_E_INVALID_ARG;
	if (index >= a->count)
		return VMI_E_ANN_INDEX;

	vmi_site_decode(a, index, out);
	return VMI_OK;
}
