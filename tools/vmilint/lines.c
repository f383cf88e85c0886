/* SPDX-License-Identifier: MIT */
#include "lines.h"

#if defined(VMI_HAVE_LIBDW)
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vmi_lines {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	const vmi_image *img;
	int64_t *delta;  /* ET_REL: libdwfl's address minus ours, per section index; else NULL */
	char cwd[4096];
	size_t cwdlen;
};

static char *vmi_lines_no_debuginfo = NULL;

/* libdwfl lays an ET_REL object out its own way (from 0x10000); note how
 * far each section moved from where vmi_rel_prepare put it. */
static int vmi_lines_deltas(vmi_lines *l)
{
	Dwarf_Addr bias;
	Elf *e = dwfl_module_getelf(l->mod, &bias);
	if (!e || !(l->delta = calloc(l->img->nsecs ? l->img->nsecs : 1, sizeof(*l->delta))))
		return -1;
	for (size_t i = 0; i < l->img->nsecs; i++) {
		GElf_Shdr sh;
		if ((l->img->secs[i].flags & SHF_ALLOC) && gelf_getshdr(elf_getscn(e, i), &sh))
			l->delta[i] = (int64_t)(sh.sh_addr + bias - l->img->secs[i].addr);
	}
	return 0;
}

vmi_lines *vmi_lines_open(const vmi_image *img, int relocatable)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &vmi_lines_no_debuginfo,
	};
	vmi_lines *l = calloc(1, sizeof(*l));
	Dwarf_Addr bias;
	int fd;

	if (!l)
		return NULL;
	l->img = img;
	if (getcwd(l->cwd, sizeof(l->cwd)))
		l->cwdlen = strlen(l->cwd);
	if (!(l->dwfl = dwfl_begin(&cb)) || (fd = open(img->path, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	l->mod = dwfl_report_offline(l->dwfl, "image", img->path, fd); /* owns fd */
	dwfl_report_end(l->dwfl, NULL, NULL);
	if (!l->mod || !dwfl_module_getdwarf(l->mod, &bias))
		goto fail; /* no DWARF */
	if (relocatable && vmi_lines_deltas(l) != 0)
		goto fail;
	return l;
fail:
	vmi_lines_close(l);
	return NULL;
}

int vmi_lines_find(vmi_lines *l, uint64_t addr, const char **file, int *line)
{
	if (!l)
		return 0;
	if (l->delta)
		for (size_t i = 0; i < l->img->nsecs; i++) {
			const vmi_image_section *s = &l->img->secs[i];
			if ((s->flags & SHF_EXECINSTR) && addr >= s->addr && addr - s->addr < s->size) {
				addr += (uint64_t)l->delta[i];
				break;
			}
		}
	Dwfl_Line *dl = dwfl_module_getsrc(l->mod, addr);
	int ln = 0;
	const char *f = dl ? dwfl_lineinfo(dl, NULL, &ln, NULL, NULL, NULL) : NULL;
	if (!f) { /* no .debug_aranges (clang): the CU whose ranges hold addr */
		Dwarf_Die *cu = NULL;
		Dwarf_Addr bias;
		while ((cu = dwfl_module_nextcu(l->mod, cu, &bias)))
			if (dwarf_haspc(cu, addr - bias) == 1) {
				Dwarf_Line *src = dwarf_getsrc_die(cu, addr - bias);
				f = src ? dwarf_linesrc(src, NULL, NULL) : NULL;
				if (!f || dwarf_lineno(src, &ln) != 0)
					f = NULL;
				break;
			}
	}
	if (!f || ln <= 0)
		return 0;
	if (l->cwdlen && !strncmp(f, l->cwd, l->cwdlen) && f[l->cwdlen] == '/')
		f += l->cwdlen + 1;
	*file = f;
	*line = ln;
	return 1;
}

void vmi_lines_close(vmi_lines *l)
{
	if (!l)
		return;
	if (l->dwfl)
		dwfl_end(l->dwfl);
	free(l->delta);
	free(l);
}

#else /* no libdw: placement by address only */

vmi_lines *vmi_lines_open(const vmi_image *img, int relocatable)
{
	(void)img, (void)relocatable;
	return NULL;
}

int vmi_lines_find(vmi_lines *l, uint64_t addr, const char **file, int *line)
{
	(void)l, (void)addr, (void)file, (void)line;
	return 0;
}

void vmi_lines_close(vmi_lines *l)
{
	(void)l;
}
#endif
