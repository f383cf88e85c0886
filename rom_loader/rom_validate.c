/* SPDX-License-Identifier: MIT */
/*
 * rom_validate.c - check a VMI option ROM before a single byte of it is
 * trusted, in the order vmi/rom.h documents, each failure with its own
 * status so tools can say exactly what is wrong.
 *
 * Every offset+length sum is formed in 64 bits from 32-bit fields, so no
 * field value can wrap a bound check.
 */
#include "vmi/annotations.h"
#include "rom_internal.h"

/* Is [off, off+len) inside a ROM of @size bytes? */
static int vmi_rom_inside(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* The parts of a ROM that are data, not code: header, call table, checksum. */
typedef struct vmi_rom_layout {
	uint32_t size, header_size, table_off, table_len;
} vmi_rom_layout;

/*
 * [off, off+len) inside the ROM (VMI_E_ROM_ENTRY_BOUNDS), and inside the
 * code area: after the header, outside the table, before the checksum byte.
 */
static vmi_status vmi_rom_check_code(const vmi_rom_layout *l, uint64_t off, uint64_t len)
{
	if (!vmi_rom_inside(off, len, l->size))
		return VMI_E_ROM_ENTRY_BOUNDS;
	if (off < l->header_size || off + len > (uint64_t)l->size - 1 ||
	    (off < (uint64_t)l->table_off + l->table_len && off + len > l->table_off))
		return VMI_E_ROM_CODE_AREA;
	return VMI_OK;
}

static vmi_status vmi_rom_check_call(const vmi_rom_layout *l, const vmi_rom_call *c)
{
	int has_stub = c->stub_off != 0;

	if (c->form >= VMI_FORM_COUNT)
		return VMI_E_ROM_FORM;
	/* A non-zero offset is a promise that something lives there. */
	if (has_stub)
		VMI_CHECK(vmi_rom_check_code(l, c->stub_off, c->stub_len ? c->stub_len : 1u));
	if (c->entry_off)
		VMI_CHECK(vmi_rom_check_code(l, c->entry_off, 1));
	if (c->form == VMI_FORM_INLINE &&
	    (!has_stub || c->stub_len == 0 || c->stub_len > VMI_SITE_MAX_LEN))
		return VMI_E_ROM_FORM;
	if (c->form == VMI_FORM_CALL && !c->entry_off)
		return VMI_E_ROM_FORM;
	/* A replacement that clobbers the stack pointer can never be used. */
	if ((c->stub_clobbers | c->call_clobbers) & VMI_REG_SP)
		return VMI_E_ROM_FORM;
	return VMI_OK;
}

vmi_status vmi_rom_validate(const void *image, size_t len, const vmi_rom_opts *opts, vmi_rom *out)
{
	const uint8_t *rom = (const uint8_t *)image;
	uint32_t flags, size, table_off, init_off;
	uint16_t header_size, entry_size, count;
	uint8_t arch, want_arch;

	if (!rom || !out)
		return VMI_E_INVALID_ARG;
	if (opts && VMI_OPTS_SZ(opts) < sizeof(uint32_t))
		return VMI_E_INVALID_ARG;
	if (!VMI_OPTS_VALID(opts, vmi_rom_opts))
		return VMI_E_OPTS_UNKNOWN;
	flags = VMI_OPTS_GET(opts, vmi_rom_opts, flags, 0u);
	want_arch = VMI_OPTS_GET(opts, vmi_rom_opts, arch, (uint8_t)VMI_ARCH_NONE);

	if (len < VMI_ROM_HEADER_V1_SIZE)
		return VMI_E_ROM_TRUNCATED;
	if (rom[0] != 0x55 || rom[1] != 0xAA)
		return VMI_E_ROM_SIGNATURE;
	size = (uint32_t)rom[VMI_RH_BLOCKS] * VMI_ROM_BLOCK;
	if (size == 0 || size > VMI_ROM_MAX_SIZE)
		return VMI_E_ROM_LENGTH;
	if ((uint64_t)size > (uint64_t)len)
		return VMI_E_ROM_TRUNCATED;
	if (!(flags & VMI_ROM_F_NO_CHECKSUM)) {
		uint8_t sum = 0;
		for (uint32_t i = 0; i < size; i++)
			sum = (uint8_t)(sum + rom[i]);
		if (sum)
			return VMI_E_ROM_CHECKSUM;
	}
	if (vmi_le32(rom + VMI_RH_MAGIC) != VMI_ROM_MAGIC)
		return VMI_E_ROM_MAGIC;
	header_size = vmi_le16(rom + VMI_RH_HEADER_SIZE);
	if (header_size < VMI_ROM_HEADER_V1_SIZE || header_size > size)
		return VMI_E_ROM_HEADER_SIZE;
	if (vmi_le16(rom + VMI_RH_PCI_DATA) || vmi_le16(rom + VMI_RH_PNP_HEADER) || rom[VMI_RH_RESERVED0] ||
	    vmi_le16(rom + VMI_RH_RESERVED1) || vmi_le32(rom + VMI_RH_RESERVED2))
		return VMI_E_ROM_RESERVED;
	if (rom[VMI_RH_INIT16] != 0xCB || rom[VMI_RH_INIT16 + 1] || rom[VMI_RH_INIT16 + 2] ||
	    rom[VMI_RH_INIT16 + 3] || rom[VMI_RH_INIT16 + 4])
		return VMI_E_ROM_INIT16;
	arch = rom[VMI_RH_ARCH];
	if ((arch != VMI_ARCH_I386 && arch != VMI_ARCH_X86_64) ||
	    (want_arch != VMI_ARCH_NONE && arch != want_arch))
		return VMI_E_ROM_ARCH;
	entry_size = vmi_le16(rom + VMI_RH_CALL_ENTRY_SIZE);
	if (entry_size < VMI_ROM_CALL_V1_SIZE)
		return VMI_E_ROM_ENTRY_SIZE;
	count = vmi_le16(rom + VMI_RH_CALL_COUNT);
	if (count == 0 || count > VMI_ROM_MAX_CALLS)
		return VMI_E_ROM_COUNT;
	table_off = vmi_le32(rom + VMI_RH_CALL_TABLE_OFF);
	/* The table lives after the header: entries decoded from header bytes
	 * would be nonsense that only happened to validate. */
	if (table_off < header_size ||
	    !vmi_rom_inside(table_off, (uint64_t)count * entry_size, size))
		return VMI_E_ROM_TABLE_BOUNDS;

	vmi_rom_layout l = { size, header_size, table_off, (uint32_t)count * entry_size };
	for (uint32_t i = 0; i < count; i++) {
		vmi_rom_call c;
		vmi_rom_decode_call(rom + table_off + (size_t)i * entry_size, &c);
		VMI_CHECK(vmi_rom_check_call(&l, &c));
		/* Quadratic, but count <= 256 and it needs no workspace. */
		for (uint32_t j = 0; j < i; j++)
			if (vmi_le16(rom + table_off + (size_t)j * entry_size + VMI_RC_CALL_ID) == c.call_id)
				return VMI_E_ROM_DUP_CALL;
	}
	init_off = vmi_le32(rom + VMI_RH_INIT_OFF);
	if (init_off)
		VMI_CHECK(vmi_rom_check_code(&l, init_off, 1));

	vmi_memset(out, 0, sizeof(*out));
	out->image = rom;
	out->size = size;
	out->major = rom[VMI_RH_MAJOR];
	out->minor = rom[VMI_RH_MINOR];
	out->arch = arch;
	out->features = vmi_le32(rom + VMI_RH_FEATURES);
	out->call_count = count;
	out->call_entry_size = entry_size;
	out->call_table_off = table_off;
	out->init_off = init_off;
	out->data_size = vmi_le32(rom + VMI_RH_DATA_SIZE);
	out->crc = vmi_crc32(rom, size);
	vmi_memcpy(out->vendor, rom + VMI_RH_VENDOR, VMI_ROM_VENDOR_MAX);
	out->vendor[VMI_ROM_VENDOR_MAX] = '\0';
	return VMI_OK;
}
