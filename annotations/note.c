/* SPDX-License-Identifier: MIT */
/*
 * note.c - the .note.vmi descriptor: find it among ELF notes, decode it,
 * and rewrite its patch stamp in place.
 *
 * Input comes from an image that may be corrupt or hostile: every length
 * is checked against what is left of the buffer before it is used, in
 * 64-bit arithmetic so no sum of 32-bit fields can wrap.
 */
#include "vmi/annotations.h"
#include "vmi/internal/util.h"

/* Offsets in struct vmi_note_desc (wire format, vmi/annotations.h). */
#define VMI_ND_FORMAT 0
#define VMI_ND_ENTRY_SIZE 2
#define VMI_ND_ARCH 4
#define VMI_ND_REQ_MAJOR 5
#define VMI_ND_REQ_MINOR 6
#define VMI_ND_STAMP_STATE 8
#define VMI_ND_STAMP_MAJOR 9
#define VMI_ND_STAMP_MINOR 10
#define VMI_ND_STAMP_FEATURES 12
#define VMI_ND_STAMP_CRC 16
#define VMI_ND_STAMP_POLICY 20
#define VMI_ND_V1_SIZE 28

_Static_assert(VMI_ND_V1_SIZE == sizeof(struct vmi_note_desc), "note desc layout");
_Static_assert(VMI_ND_STAMP_POLICY == offsetof(struct vmi_note_desc, stamp_policy), "note desc layout");

#define VMI_NOTE_HDR 12   /* namesz, descsz, type */
#define VMI_NOTE_ALIGN 4u /* ELF notes pad name and descriptor to 4 bytes */

vmi_status vmi_note_parse(const void *desc, size_t len, vmi_guest *out)
{
	const uint8_t *d = (const uint8_t *)desc;
	uint16_t format, entry_size;
	uint8_t arch;

	if (!d || !out)
		return VMI_E_INVALID_ARG;
	if (len < VMI_ND_V1_SIZE)
		return VMI_E_ANN_NOTE;
	format = vmi_le16(d + VMI_ND_FORMAT);
	entry_size = vmi_le16(d + VMI_ND_ENTRY_SIZE);
	arch = d[VMI_ND_ARCH];
	if ((format >> 8) != VMI_FORMAT_MAJOR)
		return VMI_E_ANN_VERSION;
	if (entry_size < VMI_SITE_ENTRY_V1_SIZE || entry_size > VMI_SITE_ENTRY_MAX)
		return VMI_E_ANN_ENTRY_SIZE;
	if (arch != VMI_ARCH_I386 && arch != VMI_ARCH_X86_64)
		return VMI_E_ANN_ARCH;

	vmi_memset(out, 0, sizeof(*out));
	out->format_version = format;
	out->entry_size = entry_size;
	out->arch = arch;
	out->req_major = d[VMI_ND_REQ_MAJOR];
	out->req_minor = d[VMI_ND_REQ_MINOR];
	out->stamp_state = d[VMI_ND_STAMP_STATE];
	out->stamp_major = d[VMI_ND_STAMP_MAJOR];
	out->stamp_minor = d[VMI_ND_STAMP_MINOR];
	out->stamp_features = vmi_le32(d + VMI_ND_STAMP_FEATURES);
	out->stamp_rom_crc = vmi_le32(d + VMI_ND_STAMP_CRC);
	out->stamp_policy = vmi_le32(d + VMI_ND_STAMP_POLICY);
	return VMI_OK;
}

static uint64_t vmi_note_pad(uint64_t n)
{
	return (n + (VMI_NOTE_ALIGN - 1)) & ~(uint64_t)(VMI_NOTE_ALIGN - 1);
}

vmi_status vmi_note_find(const void *notes, size_t len, vmi_guest *out)
{
	static const char want[4] = VMI_NOTE_NAME;
	const uint8_t *p = (const uint8_t *)notes;
	uint64_t pos = 0;

	if (!p || !out)
		return VMI_E_INVALID_ARG;
	while ((uint64_t)len - pos >= VMI_NOTE_HDR) {
		uint64_t namesz = vmi_le32(p + pos);
		uint64_t descsz = vmi_le32(p + pos + 4);
		uint32_t type = vmi_le32(p + pos + 8);
		uint64_t name_at = pos + VMI_NOTE_HDR;
		uint64_t desc_at = name_at + vmi_note_pad(namesz);
		uint64_t next = desc_at + vmi_note_pad(descsz);

		/* A record that claims more than is left is a truncated or
		 * corrupt buffer: nothing after it can be trusted either. */
		if (desc_at > len || descsz > (uint64_t)len - desc_at)
			return VMI_E_ANN_NOTE;
		if (namesz == sizeof(want) && type == VMI_NOTE_TYPE_GUEST &&
		    vmi_memcmp(p + name_at, want, sizeof(want)) == 0)
			return vmi_note_parse(p + desc_at, (size_t)descsz, out);
		if (next >= len)
			break;
		pos = next;
	}
	return VMI_E_ANN_NOTE;
}

vmi_status vmi_note_write_stamp(void *desc, size_t len, const vmi_guest *g)
{
	uint8_t *d = (uint8_t *)desc;

	if (!d || !g)
		return VMI_E_INVALID_ARG;
	if (len < VMI_ND_V1_SIZE)
		return VMI_E_ANN_NOTE;
	d[VMI_ND_STAMP_STATE] = g->stamp_state;
	d[VMI_ND_STAMP_MAJOR] = g->stamp_major;
	d[VMI_ND_STAMP_MINOR] = g->stamp_minor;
	vmi_put_le32(d + VMI_ND_STAMP_FEATURES, g->stamp_features);
	vmi_put_le32(d + VMI_ND_STAMP_CRC, g->stamp_rom_crc);
	vmi_put_le32(d + VMI_ND_STAMP_POLICY, g->stamp_policy);
	return VMI_OK;
}

/* A descriptor that says it is 1.1 or later carries site_count; one that
 * says so and is too short for it is truncated, not 1.0. */
static vmi_status vmi_note_count_field(const uint8_t *d, size_t len, int *has)
{
	if (len < VMI_ND_V1_SIZE)
		return VMI_E_ANN_NOTE;
	*has = (vmi_le16(d + VMI_ND_FORMAT) & 0xff) >= VMI_FORMAT_MINOR_SITE_COUNT;
	if (*has && len < VMI_NOTE_DESC_V11_SIZE)
		return VMI_E_ANN_NOTE;
	return VMI_OK;
}

vmi_status vmi_note_site_count(const void *desc, size_t len, uint32_t whole, uint32_t *count)
{
	const uint8_t *d = (const uint8_t *)desc;
	int has = 0;

	if (!d || !count)
		return VMI_E_INVALID_ARG;
	VMI_CHECK(vmi_note_count_field(d, len, &has));
	if (!has) {
		*count = whole;
		return VMI_OK;
	}
	uint32_t n = vmi_le32(d + VMI_NOTE_DESC_SITE_COUNT_OFF);
	if (n > whole)
		return VMI_E_ANN_SECTION_SIZE;
	*count = n;
	return VMI_OK;
}

vmi_status vmi_note_write_site_count(void *desc, size_t len, uint32_t count)
{
	uint8_t *d = (uint8_t *)desc;
	int has = 0;

	if (!d)
		return VMI_E_INVALID_ARG;
	VMI_CHECK(vmi_note_count_field(d, len, &has));
	if (!has)
		return VMI_E_ANN_NOTE;
	vmi_put_le32(d + VMI_NOTE_DESC_SITE_COUNT_OFF, count);
	return VMI_OK;
}
