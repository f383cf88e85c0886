/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <string.h>

#include "fileio.h"
#include "image.h"

const char *vmi_features_text(uint32_t features, char *buf, size_t len)
{
	size_t pos = 0;
	buf[0] = 0;
	for (uint32_t b = 0; b < 32; b++) {
		if (!(features & (1u << b)))
			continue;
		int w = snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "", vmi_feature_name(1u << b));
		if (w < 0 || (size_t)w >= len - pos)
			break;
		pos += (size_t)w;
	}
	if (!pos)
		snprintf(buf, len, "none");
	return buf;
}

static void vmi_features_json(vmi_json *j, const char *key, uint32_t features)
{
	vmi_json_key(j, key);
	vmi_json_arr(j);
	for (uint32_t b = 0; b < 32; b++)
		if (features & (1u << b))
			vmi_json_str(j, vmi_feature_name(1u << b));
	vmi_json_arr_end(j);
}

void vmi_report_guest_text(FILE *f, const vmi_guest *g)
{
	char fb[128];
	fprintf(f, "note: format %u.%u, entry size %u, arch %s, requires interface %u.%u\n",
		(unsigned)(g->format_version >> 8), (unsigned)(g->format_version & 0xff),
		(unsigned)g->entry_size, vmi_arch_name(g->arch), (unsigned)g->req_major,
		(unsigned)g->req_minor);
	if (g->stamp_state == VMI_STAMP_PATCHED)
		fprintf(f, "stamp: patched for ROM %u.%u, features %s, ROM crc 0x%08x, policy hash 0x%08x\n",
			(unsigned)g->stamp_major, (unsigned)g->stamp_minor,
			vmi_features_text(g->stamp_features, fb, sizeof(fb)), (unsigned)g->stamp_rom_crc,
			(unsigned)g->stamp_policy);
	else if (g->stamp_state == VMI_STAMP_NATIVE)
		fprintf(f, "stamp: native (not patched offline)\n");
	else
		fprintf(f, "stamp: unknown state %u (not one this vmipatch writes)\n", (unsigned)g->stamp_state);
}

void vmi_report_guest_json(vmi_json *j, const vmi_guest *g)
{
	vmi_json_obj(j);
	vmi_json_ku64(j, "format_major", g->format_version >> 8);
	vmi_json_ku64(j, "format_minor", g->format_version & 0xff);
	vmi_json_ku64(j, "entry_size", g->entry_size);
	vmi_json_kstr(j, "arch", vmi_arch_name(g->arch));
	vmi_json_ku64(j, "req_major", g->req_major);
	vmi_json_ku64(j, "req_minor", g->req_minor);
	vmi_json_key(j, "stamp");
	vmi_json_obj(j);
	vmi_json_kstr(j, "state", vmi_stamp_state_name(g->stamp_state));
	vmi_json_ku64(j, "major", g->stamp_major);
	vmi_json_ku64(j, "minor", g->stamp_minor);
	vmi_features_json(j, "features", g->stamp_features);
	vmi_json_khex(j, "rom_crc", g->stamp_rom_crc);
	vmi_json_khex(j, "policy_hash", g->stamp_policy);
	vmi_json_obj_end(j);
	vmi_json_obj_end(j);
}

const char *vmi_stamp_state_name(uint32_t state)
{
	return state == VMI_STAMP_NATIVE ? "native" : state == VMI_STAMP_PATCHED ? "patched" : "unknown";
}

void vmi_report_rom_text(FILE *f, const char *path, const vmi_rom *rom)
{
	char fb[128], vb[VMI_ESCAPED_SIZE(VMI_ROM_VENDOR_MAX)];
	vmi_text_escape(rom->vendor, VMI_ROM_VENDOR_MAX, vb, sizeof(vb));
	fprintf(f, "rom: %s \"%s\" interface %u.%u, arch %s, features %s, %u calls, crc 0x%08x\n", path,
		vb, (unsigned)rom->major, (unsigned)rom->minor, vmi_arch_name(rom->arch),
		vmi_features_text(rom->features, fb, sizeof(fb)), (unsigned)rom->call_count,
		(unsigned)rom->crc);
}

void vmi_report_rom_json(vmi_json *j, const char *path, const vmi_rom *rom)
{
	vmi_json_obj(j);
	vmi_json_kstr(j, "file", path);
	vmi_json_kstr(j, "vendor", rom->vendor);
	vmi_json_ku64(j, "major", rom->major);
	vmi_json_ku64(j, "minor", rom->minor);
	vmi_json_kstr(j, "arch", vmi_arch_name(rom->arch));
	vmi_features_json(j, "features", rom->features);
	vmi_json_ku64(j, "calls", rom->call_count);
	vmi_json_khex(j, "crc", rom->crc);
	vmi_json_obj_end(j);
}

void vmi_report_offer_text(FILE *f, const vmi_offer *o)
{
	char fb[128];
	fprintf(f, "offer: %s, effective minor %u%s, features %s\n", vmi_reason_name(o->global_reason),
		(unsigned)o->minor, o->minor_capped ? " (capped by policy)" : "",
		vmi_features_text(o->features, fb, sizeof(fb)));
}

void vmi_report_offer_json(vmi_json *j, const vmi_offer *o)
{
	vmi_json_obj(j);
	vmi_json_kstr(j, "global_reason", vmi_reason_name(o->global_reason));
	vmi_json_ku64(j, "minor", o->minor);
	vmi_json_kbool(j, "minor_capped", o->minor_capped != 0);
	vmi_features_json(j, "features", o->features);
	vmi_features_json(j, "denied_features", o->denied_features);
	vmi_json_obj_end(j);
}

void vmi_report_summary_text(FILE *f, const vmi_summary *s)
{
	fprintf(f, "sites: %u, changed: %u\nforms:", (unsigned)s->sites, (unsigned)s->changed);
	for (uint32_t i = 0; i < VMI_FORM_COUNT; i++)
		fprintf(f, " %s %u%s", vmi_form_name(i), (unsigned)s->forms[i], i + 1 < VMI_FORM_COUNT ? "," : "");
	fprintf(f, "\nreasons:");
	const char *sep = "";
	for (uint32_t i = 0; i < VMI_REASON_COUNT; i++) {
		if (!s->reasons[i])
			continue;
		fprintf(f, "%s %s %u", sep, vmi_reason_name(i), (unsigned)s->reasons[i]);
		sep = ",";
	}
	fputc('\n', f);
}

void vmi_report_summary_json(vmi_json *j, const vmi_summary *s)
{
	vmi_json_obj(j);
	vmi_json_ku64(j, "sites", s->sites);
	vmi_json_ku64(j, "changed", s->changed);
	vmi_json_key(j, "forms");
	vmi_json_obj(j);
	for (uint32_t i = 0; i < VMI_FORM_COUNT; i++)
		vmi_json_ku64(j, vmi_form_name(i), s->forms[i]);
	vmi_json_obj_end(j);
	vmi_json_key(j, "reasons");
	vmi_json_obj(j);
	for (uint32_t i = 0; i < VMI_REASON_COUNT; i++)
		vmi_json_ku64(j, vmi_reason_name(i), s->reasons[i]);
	vmi_json_obj_end(j);
	vmi_json_obj_end(j);
}
