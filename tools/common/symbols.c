/* SPDX-License-Identifier: MIT */
#include "symbols.h"

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "search.h"

static int vmi_sym_cmp(const void *a, const void *b)
{
	const vmi_symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* At one address prefer the sized symbol (a function over a label). */
	return (x->size < y->size) - (x->size > y->size);
}

int vmi_symtab_load(vmi_symtab *t, const vmi_image *img, vmi_diag *d)
{
	const vmi_image_section *sec = NULL;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < img->nsecs && !sec; i++)
		if (img->secs[i].type == SHT_SYMTAB)
			sec = &img->secs[i];
	for (size_t i = 0; i < img->nsecs && !sec; i++)
		if (img->secs[i].type == SHT_DYNSYM)
			sec = &img->secs[i];
	if (!sec)
		return VMI_EXIT_OK;
	Elf_Scn *scn = elf_getscn(img->elf, sec->index);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data || !sec->entsize)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: unreadable symbol table", sec->name);
	size_t n = sec->size / sec->entsize;
	t->syms = calloc(n ? n : 1, sizeof(*t->syms));
	if (!t->syms)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory");
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s))
			break;
		int type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_NOTYPE) || s.st_shndx == SHN_UNDEF ||
		    s.st_shndx >= SHN_LORESERVE || !s.st_name)
			continue;
		const char *name = elf_strptr(img->elf, sec->link, s.st_name);
		if (!name || !*name)
			continue;
		t->syms[t->count].addr = s.st_value;
		t->syms[t->count].size = s.st_size;
		t->syms[t->count].name = name;
		t->count++;
	}
	qsort(t->syms, t->count, sizeof(*t->syms), vmi_sym_cmp);
	return VMI_EXIT_OK;
}

void vmi_symtab_free(vmi_symtab *t)
{
	free(t->syms);
	free(t->names);
	t->syms = NULL;
	t->names = NULL;
	t->count = 0;
}

int vmi_symtab_load_map(vmi_symtab *t, const char *path, vmi_diag *d)
{
	const char *why = NULL;
	long size;

	memset(t, 0, sizeof(*t));
	FILE *f = vmi_fopen_input(path, &why);
	if (!f)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open symbol map: %s", why);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot read symbol map");
	}
	t->names = malloc((size_t)size + 1);
	size_t got = t->names ? fread(t->names, 1, (size_t)size, f) : 0;
	fclose(f);
	if (!t->names || got != (size_t)size)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot read symbol map");
	t->names[size] = 0;
	size_t lines = 1;
	for (long i = 0; i < size; i++)
		lines += t->names[i] == '\n';
	t->syms = calloc(lines, sizeof(*t->syms));
	if (!t->syms)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
	/* Parse in place: each name is NUL-terminated where its line ended. */
	for (char *line = t->names, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *end, type, *name;
		unsigned long long addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			continue;
		type = end[1];
		name = end + 3;
		name[strcspn(name, " \t\r")] = 0;
		if (!*name || type == 'U' || type == 'u' || type == 'w' || type == 'v')
			continue;
		t->syms[t->count].addr = addr;
		t->syms[t->count].name = name;
		t->count++;
	}
	if (!t->count)
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "no symbols in the map (want lines \"ADDR TYPE NAME\")");
	qsort(t->syms, t->count, sizeof(*t->syms), vmi_sym_cmp);
	return VMI_EXIT_OK;
}

const vmi_symbol *vmi_symtab_find(const vmi_symtab *t, uint64_t addr, uint64_t *off)
{
	size_t lo = vmi_count_upto(t->syms, t->count, sizeof(*t->syms), offsetof(vmi_symbol, addr), addr);
	if (!lo)
		return NULL;
	/* Back up over the later, unsized duplicates at the same address. */
	size_t i = lo - 1;
	while (i > 0 && t->syms[i - 1].addr == t->syms[i].addr)
		i--;
	const vmi_symbol *s = &t->syms[i];
	if (s->size && addr - s->addr >= s->size) {
		/* Past the end of a sized symbol: a later label may still enclose it. */
		s = &t->syms[lo - 1];
		if (s->size && addr - s->addr >= s->size)
			return NULL;
	}
	*off = addr - s->addr;
	return s;
}

const char *vmi_symtab_format(const vmi_symtab *t, uint64_t addr, char *buf, size_t len)
{
	uint64_t off = 0;
	const vmi_symbol *s = vmi_symtab_find(t, addr, &off);
	if (!s)
		snprintf(buf, len, "?");
	else if (off)
		snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", s->name);
	return buf;
}
