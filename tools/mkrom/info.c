/* SPDX-License-Identifier: MIT */
#include "info.h"

#include <string.h>

#include "fileio.h"
#include "json.h"
#include "report.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"

static const char *const vmi_reg_names[16] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
					       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static const char *vmi_clobber_text(uint16_t mask, char *buf, size_t len)
{
	size_t pos = 0;
	buf[0] = 0;
	for (unsigned r = 0; r < 16; r++) {
		if (!(mask & (1u << r)))
			continue;
		int w = snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "", vmi_reg_names[r]);
		if (w < 0 || (size_t)w >= len - pos)
			break;
		pos += (size_t)w;
	}
	if (!pos)
		snprintf(buf, len, "-");
	return buf;
}

static void vmi_clobber_json(vmi_json *j, const char *key, uint16_t mask)
{
	vmi_json_key(j, key);
	vmi_json_arr(j);
	for (unsigned r = 0; r < 16; r++)
		if (mask & (1u << r))
			vmi_json_str(j, vmi_reg_names[r]);
	vmi_json_arr_end(j);
}

static const char *vmi_arch_text(uint32_t arch)
{
	return arch == VMI_ARCH_I386 ? "i386" : arch == VMI_ARCH_X86_64 ? "x86_64" : "?";
}

static void vmi_stub_hex(const vmi_rom *rom, const vmi_rom_call *c, char *buf, size_t len)
{
	size_t pos = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < c->stub_len && pos + 4 < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%02x", i ? " " : "", rom->image[c->stub_off + i]);
}

/* The vendor comes from the ROM: keep control bytes off the terminal. */
static void vmi_vendor_text(const vmi_rom *rom, char *buf)
{
	vmi_text_escape(rom->vendor, VMI_ROM_VENDOR_MAX, buf, VMI_ESCAPED_SIZE(VMI_ROM_VENDOR_MAX));
}

static void vmi_info_text(FILE *f, const char *path, const vmi_rom *rom)
{
	char fb[160], cb[80], sb[80], hb[3 * 32 + 8], vb[VMI_ESCAPED_SIZE(VMI_ROM_VENDOR_MAX)];
	vmi_vendor_text(rom, vb);
	fprintf(f, "%s: VMI ROM \"%s\"\n", path, vb);
	fprintf(f, "  interface %u.%u, arch %s, features %s (0x%x)\n", (unsigned)rom->major,
		(unsigned)rom->minor, vmi_arch_text(rom->arch), vmi_features_text(rom->features, fb, sizeof(fb)),
		(unsigned)rom->features);
	fprintf(f, "  size %u bytes (%u blocks), crc32 0x%08x\n", (unsigned)rom->size,
		(unsigned)(rom->size / VMI_ROM_BLOCK), (unsigned)rom->crc);
	if (rom->init_off)
		fprintf(f, "  VMI init at 0x%x, data area %u bytes\n", (unsigned)rom->init_off,
			(unsigned)rom->data_size);
	else
		fprintf(f, "  no VMI init\n");
	fprintf(f, "  call table at 0x%x: %u entries of %u bytes\n", (unsigned)rom->call_table_off,
		(unsigned)rom->call_count, (unsigned)rom->call_entry_size);
	fprintf(f, "  %4s  %-20s %-6s %-7s %-22s %-28s %s\n", "id", "call", "form", "entry", "stub",
		"stub clobbers", "call clobbers");
	for (uint32_t i = 0; i < rom->call_count; i++) {
		vmi_rom_call c;
		if (vmi_rom_call_at(rom, i, &c) != VMI_OK)
			continue;
		const vmi_call_info *ci = vmi_call_lookup(c.call_id);
		char eb[16] = "-";
		if (c.entry_off)
			snprintf(eb, sizeof(eb), "0x%x", (unsigned)c.entry_off);
		if (c.stub_len) {
			vmi_stub_hex(rom, &c, hb, sizeof(hb));
			snprintf(sb, sizeof(sb), "0x%x+%u", (unsigned)c.stub_off, (unsigned)c.stub_len);
		} else {
			snprintf(sb, sizeof(sb), "-");
		}
		fprintf(f, "  %4u  %-20s %-6s %-7s %-22s %-28s %s\n", (unsigned)c.call_id,
			ci ? ci->name : "(unknown)", vmi_form_name(c.form), eb, sb,
			c.stub_len ? vmi_clobber_text(c.stub_clobbers, cb, sizeof(cb)) : "-",
			vmi_clobber_text(c.call_clobbers, fb, sizeof(fb)));
		if (c.stub_len)
			fprintf(f, "        stub bytes: %s\n", hb);
	}
}

static void vmi_info_json(FILE *f, const char *path, const vmi_rom *rom)
{
	vmi_json j;
	char hb[3 * 32 + 8];
	vmi_json_init(&j, f);
	vmi_json_obj(&j);
	vmi_json_kstr(&j, "file", path);
	vmi_json_kstr(&j, "vendor", rom->vendor); /* the JSON writer escapes control bytes */
	vmi_json_ku64(&j, "major", rom->major);
	vmi_json_ku64(&j, "minor", rom->minor);
	vmi_json_kstr(&j, "arch", vmi_arch_text(rom->arch));
	vmi_json_khex(&j, "features", rom->features);
	vmi_json_key(&j, "feature_names");
	vmi_json_arr(&j);
	for (unsigned b = 0; b < 32; b++)
		if (rom->features & (1u << b))
			vmi_json_str(&j, vmi_feature_name(1u << b));
	vmi_json_arr_end(&j);
	vmi_json_ku64(&j, "size", rom->size);
	vmi_json_khex(&j, "crc32", rom->crc);
	vmi_json_khex(&j, "init_off", rom->init_off);
	vmi_json_ku64(&j, "data_size", rom->data_size);
	vmi_json_khex(&j, "call_table_off", rom->call_table_off);
	vmi_json_key(&j, "calls");
	vmi_json_arr(&j);
	for (uint32_t i = 0; i < rom->call_count; i++) {
		vmi_rom_call c;
		if (vmi_rom_call_at(rom, i, &c) != VMI_OK)
			continue;
		const vmi_call_info *ci = vmi_call_lookup(c.call_id);
		vmi_json_obj(&j);
		vmi_json_ku64(&j, "id", c.call_id);
		vmi_json_kstr(&j, "name", ci ? ci->name : NULL);
		vmi_json_kstr(&j, "form", vmi_form_name(c.form));
		vmi_json_khex(&j, "entry_off", c.entry_off);
		vmi_json_khex(&j, "stub_off", c.stub_off);
		vmi_json_ku64(&j, "stub_len", c.stub_len);
		vmi_stub_hex(rom, &c, hb, sizeof(hb));
		vmi_json_kstr(&j, "stub_bytes", hb);
		vmi_clobber_json(&j, "stub_clobbers", c.stub_clobbers);
		vmi_clobber_json(&j, "call_clobbers", c.call_clobbers);
		vmi_json_obj_end(&j);
	}
	vmi_json_arr_end(&j);
	vmi_json_obj_end(&j);
	vmi_json_end(&j);
}

void vmi_mkrom_info(FILE *f, const char *path, const vmi_rom *rom, bool json)
{
	if (json)
		vmi_info_json(f, path, rom);
	else
		vmi_info_text(f, path, rom);
}
