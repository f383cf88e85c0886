/* SPDX-License-Identifier: MIT */
#include "prepare.h"

#include <elf.h>
#include <string.h>

#include "guestinfo.h"
#include "linuxpv.h"
#include "vmi/annotations.h"

/* The reserved table, its note and the paravirt sites of @img. */
static int vmi_prepare_load(const vmi_image *img, vmi_guestinfo *gi, vmi_linuxpv *lp, vmi_guestinfo *pv,
			    vmi_diag *d)
{
	if (!vmi_linuxpv_present(img))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "not a Linux kernel with paravirt sites: section %s is missing",
				    VMI_LINUX_PV_SECTION);
	if (!vmi_guestinfo_present(img))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "a Linux kernel without a reserved VMI site table (section %s): "
				    "build it with CONFIG_VMI", VMI_SITES_SECTION);
	int rc = vmi_guestinfo_load(img, gi, d);
	if (rc)
		return rc;
	if (!gi->has_count)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "section %s: a format %u.%u guest note has no site count: the table is "
				    "not one to fill after the link", gi->note->name,
				    (unsigned)(gi->guest.format_version >> 8),
				    (unsigned)(gi->guest.format_version & 0xff));
	if (gi->guest.entry_size != sizeof(struct vmi_site_entry))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: entry size %u, not %zu",
				    VMI_SITES_SECTION, (unsigned)gi->guest.entry_size,
				    sizeof(struct vmi_site_entry));
	if (!gi->native || gi->native->type != SHT_PROGBITS)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s is %s", VMI_NATIVE_SECTION,
				    gi->native ? "not PROGBITS" : "missing");
	return vmi_linuxpv_load(img, lp, pv, d);
}

int vmi_prepare_linux(vmi_image *img, vmi_prepare_result *res, vmi_diag *d)
{
	vmi_guestinfo gi, pv;
	vmi_linuxpv lp;
	int rc = vmi_prepare_load(img, &gi, &lp, &pv, d);
	if (rc)
		return rc;
	memset(res, 0, sizeof(*res));
	res->capacity = gi.capacity;
	res->native_room = gi.native->size;
	res->records = lp.records;
	if (gi.guest.stamp_state != VMI_STAMP_NATIVE) {
		vmi_linuxpv_free(&lp);
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "the image is stamped patched: the native copies would be patched "
				    "bytes (vmipatch --restore it first)");
	}
	if (lp.sites > gi.capacity || lp.regions[1].len > gi.native->size) {
		vmi_linuxpv_free(&lp);
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "%u paravirt sites (%llu bytes) but the kernel reserves room for %u "
				    "(%s) and %llu bytes (%s): raise CONFIG_VMI_OFFLINE_SITES",
				    (unsigned)lp.sites, (unsigned long long)lp.regions[1].len,
				    (unsigned)gi.capacity, VMI_SITES_SECTION,
				    (unsigned long long)gi.native->size, VMI_NATIVE_SECTION);
	}

	/* Every offset first: an entry holds 32-bit offsets to its site and
	 * native copy, and nothing is written unless all of them fit. */
	const vmi_annotations *ann = &pv.ann;
	for (uint32_t i = 0; i < lp.sites; i++) {
		vmi_site s;
		vmi_annotations_get(ann, i, &s);
		uint64_t e = gi.sites->addr + (uint64_t)i * sizeof(struct vmi_site_entry);
		int64_t so = (int64_t)(s.addr - e);
		int64_t no = (int64_t)(gi.native->addr + (s.native_addr - lp.regions[1].addr) - (e + 4));
		if (so != (int32_t)so || no != (int32_t)no) {
			vmi_linuxpv_free(&lp);
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "site %u at 0x%llx is beyond the 32-bit reach of %s at 0x%llx", (unsigned)i,
					    (unsigned long long)s.addr, VMI_SITES_SECTION,
					    (unsigned long long)gi.sites->addr);
		}
	}

	uint8_t *tab = img->buf + gi.sites->offset;
	uint8_t *nat = img->buf + gi.native->offset;
	memset(tab, 0, gi.sites->size);
	memset(nat, 0, gi.native->size);
	for (uint32_t i = 0; i < lp.sites; i++) {
		vmi_site s;
		vmi_annotations_get(ann, i, &s);
		uint64_t e = gi.sites->addr + (uint64_t)i * sizeof(struct vmi_site_entry);
		uint64_t noff = s.native_addr - lp.regions[1].addr;
		struct vmi_site_entry ent = {
			.site_off = (int32_t)(s.addr - e),
			.native_off = (int32_t)(gi.native->addr + noff - (e + 4)),
			.call_id = s.call_id,
			.site_len = s.len,
			.native_len = s.native_len,
			.min_minor = s.min_minor,
			.flags = s.flags,
			.clobbers = s.clobbers,
		};
		memcpy(tab + (uint64_t)i * sizeof(ent), &ent, sizeof(ent));
		memcpy(nat + noff, lp.native + noff, s.native_len);
	}
	vmi_note_write_site_count(img->buf + gi.desc_off, gi.desc_len, lp.sites);
	res->sites = lp.sites;
	res->native_len = lp.regions[1].len;
	vmi_linuxpv_free(&lp);
	return VMI_EXIT_OK;
}

int vmi_prepare_check(const vmi_image *img, vmi_diag *d)
{
	vmi_guestinfo gi, pv;
	vmi_linuxpv lp;
	int rc = vmi_prepare_load(img, &gi, &lp, &pv, d);
	if (rc)
		return rc;
	if (gi.count == 0 && lp.sites) {
		vmi_linuxpv_free(&lp);
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "the VMI site table (%s) is empty: fill it from %s with vmipatch "
				    "--prepare (a CONFIG_VMI build runs it when make has VMIPATCH=)",
				    VMI_SITES_SECTION, VMI_LINUX_PV_SECTION);
	}
	for (uint32_t i = 0; i < gi.count || i < lp.sites; i++) {
		vmi_site t, p;
		if (i >= gi.count || i >= lp.sites || vmi_annotations_get(&gi.ann, i, &t) != VMI_OK ||
		    vmi_annotations_get(&pv.ann, i, &p) != VMI_OK || t.addr != p.addr || t.len != p.len ||
		    t.call_id != p.call_id || t.clobbers != p.clobbers || t.min_minor != p.min_minor) {
			vmi_linuxpv_free(&lp);
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "the VMI site table (%s, %u sites) differs from %s (%u sites) at "
					    "entry %u: run vmipatch --prepare again", VMI_SITES_SECTION,
					    (unsigned)gi.count, VMI_LINUX_PV_SECTION, (unsigned)lp.sites,
					    (unsigned)i);
		}
	}
	vmi_linuxpv_free(&lp);
	return VMI_EXIT_OK;
}
