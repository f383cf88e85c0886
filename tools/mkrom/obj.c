/* SPDX-License-Identifier: MIT */
#include "obj.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "vmi/annotations.h"

/* Names end up in error messages: a hostile object must not put control
 * bytes on the user's terminal, so such names are replaced by a copy with
 * '?' for every byte outside printable ASCII. */
static const char *vmi_obj_clean_name(vmi_obj *o, const char *name)
{
	if (!name)
		return "";
	const char *p = name;
	while (*p >= 0x20 && *p < 0x7f)
		p++;
	if (!*p)
		return name;
	char **list = realloc(o->owned_, (o->nowned_ + 1) * sizeof(*list));
	char *copy = strdup(name);
	if (!list || !copy) {
		free(copy);
		if (list)
			o->owned_ = list;
		return "?";
	}
	o->owned_ = list;
	for (char *q = copy; *q; q++)
		if (*q < 0x20 || *q >= 0x7f)
			*q = '?';
	o->owned_[o->nowned_++] = copy;
	return copy;
}

static int vmi_obj_bad(vmi_obj *o, vmi_diag *d, const char *what)
{
	return vmi_diag_set(d, VMI_EXIT_INPUT, o->path, "%s", what);
}

static int vmi_obj_read_symtab(vmi_obj *o, Elf_Scn *scn, const GElf_Shdr *sh, vmi_diag *d)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize || sh->sh_size % sh->sh_entsize)
		return vmi_obj_bad(o, d, "malformed symbol table");
	o->nsyms = sh->sh_size / sh->sh_entsize;
	o->syms = calloc(o->nsyms ? o->nsyms : 1, sizeof(*o->syms));
	if (!o->syms)
		return vmi_diag_set(d, VMI_EXIT_IO, o->path, "out of memory");
	for (size_t i = 0; i < o->nsyms; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s))
			return vmi_obj_bad(o, d, "malformed symbol table");
		o->syms[i].name = vmi_obj_clean_name(o, elf_strptr(o->elf_, sh->sh_link, s.st_name));
		o->syms[i].shndx = s.st_shndx;
		o->syms[i].value = s.st_value;
		o->syms[i].type = (uint8_t)GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_XINDEX)
			return vmi_obj_bad(o, d, "extended section indices are not supported");
		if (s.st_shndx != SHN_UNDEF && s.st_shndx < SHN_LORESERVE && s.st_shndx >= o->nsecs)
			return vmi_diag_set(d, VMI_EXIT_INPUT, o->path,
					    "symbol '%s' refers to section %u, which does not exist",
					    o->syms[i].name, (unsigned)s.st_shndx);
	}
	return VMI_EXIT_OK;
}

static int vmi_obj_read_rels(vmi_obj *o, Elf_Scn *scn, const GElf_Shdr *sh, vmi_diag *d)
{
	if (sh->sh_info == 0 || sh->sh_info >= o->nsecs)
		return vmi_obj_bad(o, d, "relocation section applies to no valid section");
	vmi_obj_sec *t = &o->secs[sh->sh_info];
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize || sh->sh_size % sh->sh_entsize)
		return vmi_obj_bad(o, d, "malformed relocation section");
	size_t n = sh->sh_size / sh->sh_entsize;
	vmi_obj_rel *r = realloc(t->rels, (t->nrels + n + 1) * sizeof(*r));
	if (!r)
		return vmi_diag_set(d, VMI_EXIT_IO, o->path, "out of memory");
	t->rels = r;
	for (size_t i = 0; i < n; i++) {
		vmi_obj_rel *x = &t->rels[t->nrels + i];
		uint64_t info;
		if (sh->sh_type == SHT_RELA) {
			GElf_Rela ra;
			if (!gelf_getrela(data, (int)i, &ra))
				return vmi_obj_bad(o, d, "malformed relocation section");
			x->offset = ra.r_offset;
			x->addend = ra.r_addend;
			info = ra.r_info;
		} else {
			GElf_Rel rl;
			if (!gelf_getrel(data, (int)i, &rl))
				return vmi_obj_bad(o, d, "malformed relocation section");
			x->offset = rl.r_offset;
			x->addend = 0;
			info = rl.r_info;
		}
		x->type = (uint32_t)GELF_R_TYPE(info);
		x->sym = (uint32_t)GELF_R_SYM(info);
		if (x->sym >= o->nsyms)
			return vmi_diag_set(d, VMI_EXIT_INPUT, o->path, "relocation in %s names symbol %u of %zu",
					    t->name, (unsigned)x->sym, o->nsyms);
		/* Every type mkrom accepts patches 4 bytes, except the 8-byte PC64. */
		uint64_t width = (o->arch == VMI_ARCH_X86_64 && x->type == R_X86_64_PC64) ? 8 : 4;
		if (x->type != 0 && (x->offset > t->size || t->size - x->offset < width))
			return vmi_diag_set(d, VMI_EXIT_INPUT, o->path,
					    "relocation at 0x%llx lies outside %s (%llu bytes)",
					    (unsigned long long)x->offset, t->name, (unsigned long long)t->size);
		if (sh->sh_type == SHT_REL && x->type != 0 && t->data) {
			const uint8_t *p = t->data + x->offset;
			x->addend = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
					      (uint32_t)p[3] << 24);
		}
	}
	t->nrels += n;
	return VMI_EXIT_OK;
}

int vmi_obj_open(vmi_obj *o, const char *path, vmi_diag *d)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fd_ = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "libelf: %s", elf_errmsg(-1));
	struct stat st;
	const char *why = NULL;
	o->fd_ = vmi_open_input(path, &st, &why);
	if (o->fd_ < 0)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open: %s", why);
	Elf *e = elf_begin(o->fd_, ELF_C_READ, NULL);
	o->elf_ = e;
	if (!e || elf_kind(e) != ELF_K_ELF)
		return vmi_obj_bad(o, d, "not an ELF file");
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh))
		return vmi_obj_bad(o, d, "malformed ELF header");
	if (eh.e_type != ET_REL)
		return vmi_obj_bad(o, d, "not a relocatable object (compile with -c)");
	if (eh.e_machine == EM_386 && eh.e_ident[EI_CLASS] == ELFCLASS32)
		o->arch = VMI_ARCH_I386;
	else if (eh.e_machine == EM_X86_64 && eh.e_ident[EI_CLASS] == ELFCLASS64)
		o->arch = VMI_ARCH_X86_64;
	else
		return vmi_obj_bad(o, d, "not an i386 or x86-64 object");
	size_t nsecs, shstrndx;
	if (elf_getshdrnum(e, &nsecs) != 0 || elf_getshdrstrndx(e, &shstrndx) != 0)
		return vmi_obj_bad(o, d, "malformed section table");
	o->nsecs = nsecs;
	o->secs = calloc(nsecs ? nsecs : 1, sizeof(*o->secs));
	if (!o->secs)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
	/* Contents first: relocations read their REL addends from them. */
	for (size_t i = 1; i < nsecs; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return vmi_obj_bad(o, d, "malformed section table");
		vmi_obj_sec *s = &o->secs[i];
		s->name = vmi_obj_clean_name(o, elf_strptr(e, shstrndx, sh.sh_name));
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->align = sh.sh_addralign ? sh.sh_addralign : 1;
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL && sh.sh_size) {
			Elf_Data *data = elf_getdata(scn, NULL);
			if (!data || data->d_size != sh.sh_size || !data->d_buf)
				return vmi_diag_set(d, VMI_EXIT_INPUT, path, "section %s: contents unreadable",
						    s->name);
			s->data = data->d_buf;
		}
	}
	for (size_t i = 1; i < nsecs; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		if (sh.sh_type == SHT_SYMTAB) {
			if (o->syms)
				return vmi_obj_bad(o, d, "more than one symbol table");
			int rc = vmi_obj_read_symtab(o, scn, &sh, d);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 1; i < nsecs; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA)
			continue;
		if (!o->syms)
			return vmi_obj_bad(o, d, "relocations but no symbol table");
		int rc = vmi_obj_read_rels(o, scn, &sh, d);
		if (rc)
			return rc;
	}
	return VMI_EXIT_OK;
}

void vmi_obj_close(vmi_obj *o)
{
	for (size_t i = 0; o->secs && i < o->nsecs; i++)
		free(o->secs[i].rels);
	free(o->secs);
	free(o->syms);
	for (size_t i = 0; i < o->nowned_; i++)
		free(o->owned_[i]);
	free(o->owned_);
	if (o->elf_)
		elf_end(o->elf_);
	if (o->fd_ >= 0)
		close(o->fd_);
	memset(o, 0, sizeof(*o));
	o->fd_ = -1;
}

const char *vmi_obj_sym_name(const vmi_obj *o, uint32_t sym)
{
	if (sym >= o->nsyms)
		return "?";
	const vmi_obj_sym *s = &o->syms[sym];
	if (s->type == STT_SECTION && s->shndx < o->nsecs)
		return o->secs[s->shndx].name;
	return s->name;
}

const char *vmi_obj_reloc_name(uint8_t arch, uint32_t type)
{
	if (arch == VMI_ARCH_I386) {
		switch (type) {
		case R_386_NONE: return "R_386_NONE";
		case R_386_32: return "R_386_32";
		case R_386_PC32: return "R_386_PC32";
		case R_386_GOT32: return "R_386_GOT32";
		case R_386_PLT32: return "R_386_PLT32";
		case R_386_GOTOFF: return "R_386_GOTOFF";
		case R_386_GOTPC: return "R_386_GOTPC";
		case R_386_16: return "R_386_16";
		case R_386_PC16: return "R_386_PC16";
		case R_386_8: return "R_386_8";
		case R_386_PC8: return "R_386_PC8";
		case R_386_TLS_LE: return "R_386_TLS_LE";
		case R_386_GOT32X: return "R_386_GOT32X";
		}
		return NULL;
	}
	switch (type) {
	case R_X86_64_NONE: return "R_X86_64_NONE";
	case R_X86_64_64: return "R_X86_64_64";
	case R_X86_64_PC32: return "R_X86_64_PC32";
	case R_X86_64_GOT32: return "R_X86_64_GOT32";
	case R_X86_64_PLT32: return "R_X86_64_PLT32";
	case R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
	case R_X86_64_32: return "R_X86_64_32";
	case R_X86_64_32S: return "R_X86_64_32S";
	case R_X86_64_16: return "R_X86_64_16";
	case R_X86_64_PC16: return "R_X86_64_PC16";
	case R_X86_64_8: return "R_X86_64_8";
	case R_X86_64_PC8: return "R_X86_64_PC8";
	case R_X86_64_PC64: return "R_X86_64_PC64";
	case R_X86_64_GOTOFF64: return "R_X86_64_GOTOFF64";
	case R_X86_64_GOTPC32: return "R_X86_64_GOTPC32";
	case R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
	case R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
	case R_X86_64_TPOFF32: return "R_X86_64_TPOFF32";
	}
	return NULL;
}
