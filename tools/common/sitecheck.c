/* SPDX-License-Identifier: MIT */
#include "sitecheck.h"

#include <elf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "segmap.h"
#include "toolplan.h"

/* The allocated executable sections, copied and sorted by address (few: .text, .init.text, ...). */
typedef struct vmi_execmap {
	vmi_image_section *secs;
	size_t n;
} vmi_execmap;

static int vmi_sec_cmp(const void *a, const void *b)
{
	const vmi_image_section *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool vmi_execmap_build(vmi_execmap *m, const vmi_image *img)
{
	m->n = 0;
	m->secs = calloc(img->nsecs ? img->nsecs : 1, sizeof(*m->secs));
	if (!m->secs)
		return false;
	for (size_t i = 0; i < img->nsecs; i++) {
		const vmi_image_section *s = &img->secs[i];
		if ((s->flags & (SHF_ALLOC | SHF_EXECINSTR)) == (SHF_ALLOC | SHF_EXECINSTR) &&
		    s->type != SHT_NOBITS && s->size)
			m->secs[m->n++] = *s;
	}
	qsort(m->secs, m->n, sizeof(*m->secs), vmi_sec_cmp);
	return true;
}

/* Is [addr, addr + len) inside one of the sections? */
static bool vmi_execmap_holds(const vmi_execmap *m, uint64_t addr, uint64_t len)
{
	/* The last section starting at or below addr. */
	size_t lo = vmi_count_upto(m->secs, m->n, sizeof(*m->secs), offsetof(vmi_image_section, addr), addr);
	if (!lo)
		return false;
	const vmi_image_section *s = &m->secs[lo - 1];
	uint64_t rel = addr - s->addr;
	return rel < s->size && len <= s->size - rel;
}

int vmi_sitecheck(const vmi_image *img, const vmi_guestinfo *gi, vmi_diag *d)
{
	vmi_execmap m;
	char nb[24];
	int rc = VMI_EXIT_OK;

	if (!vmi_execmap_build(&m, img))
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory for %zu sections", img->nsecs);
	/* No section headers (a stripped layout): the planner's executable
	 * segments are all there is to check against. */
	bool by_section = img->nsecs > 0;
	bool native = gi->guest.stamp_state == VMI_STAMP_NATIVE;
	for (uint32_t i = 0; i < gi->ann.count && rc == VMI_EXIT_OK; i++) {
		vmi_site s;
		uint64_t so, no;
		if (vmi_annotations_get(&gi->ann, i, &s) != VMI_OK)
			break; /* the planner read every entry: cannot happen */
		if (by_section && !vmi_execmap_holds(&m, s.addr, s.len)) {
			rc = vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					  "site %u at 0x%llx (%s) is not inside an executable section; "
					  "the site table does not describe this image's code",
					  (unsigned)s.index, (unsigned long long)s.addr,
					  vmi_call_name_of(s.call_id, nb, sizeof(nb)));
		} else if (native && vmi_segmap_offset(img, s.addr, s.len, &so) &&
			   vmi_segmap_offset(img, s.native_addr, s.native_len, &no) &&
			   memcmp(img->buf + so, img->buf + no, s.native_len) != 0) {
			rc = vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					  "site %u at 0x%llx (%s) does not hold its native copy at 0x%llx "
					  "(%u bytes) although the image is stamped native: wrong site "
					  "offset or native copy",
					  (unsigned)s.index, (unsigned long long)s.addr,
					  vmi_call_name_of(s.call_id, nb, sizeof(nb)),
					  (unsigned long long)s.native_addr, (unsigned)s.native_len);
		}
	}
	free(m.secs);
	return rc;
}
