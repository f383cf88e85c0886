/* SPDX-License-Identifier: MIT */
#include "reloc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmi/annotations.h"

int vmi_rel_check_kind(const char *path, vmi_diag *d)
{
	unsigned char m[20] = { 0 };
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return VMI_EXIT_OK; /* the loader says why */
	ssize_t n = read(fd, m, sizeof(m));
	close(fd);
	if (n >= 8 && !memcmp(m, "!<arch>\n", 8))
		return vmi_diag_set(d, VMI_EXIT_INPUT, path,
				    "an ar archive, not an object: lint its members (ar x) or the linked image");
	if (n >= 4 && (!memcmp(m, "BC\xc0\xde", 4) || !memcmp(m, "\xde\xc0\x17\x0b", 4)))
		return vmi_diag_set(d, VMI_EXIT_INPUT, path,
				    "LLVM bitcode (LTO), no machine code: lint the final link or build without -flto");
	if (n >= 18 && !memcmp(m, ELFMAG, SELFMAG) && m[EI_DATA] == ELFDATA2LSB && m[16] == ET_CORE && !m[17])
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "an ELF core dump, not a program or object");
	return VMI_EXIT_OK;
}

int vmi_rel_is_object(const vmi_image *img)
{
	GElf_Ehdr eh;
	return gelf_getehdr(img->elf, &eh) && eh.e_type == ET_REL;
}

/* GCC's LTO objects carry only .gnu.lto_* sections (and no code) unless fat. */
static int vmi_rel_lto_only(const vmi_image *img)
{
	int lto = 0;
	for (size_t i = 0; i < img->nsecs; i++) {
		const vmi_image_section *s = &img->secs[i];
		if (!strncmp(s->name, ".gnu.lto_", 9))
			lto = 1;
		else if ((s->flags & SHF_EXECINSTR) && s->size)
			return 0;
	}
	return lto;
}

/* A raw symbol's section index and value, for either class (byte offsets of Elf32_Sym / Elf64_Sym). */
static void vmi_rel_sym(const vmi_image *img, const uint8_t *p, uint16_t *shndx, uint64_t *value)
{
	int c64 = img->elfclass == ELFCLASS64;
	uint32_t v32;
	memcpy(shndx, p + (c64 ? offsetof(Elf64_Sym, st_shndx) : offsetof(Elf32_Sym, st_shndx)), sizeof(*shndx));
	if (c64)
		memcpy(value, p + offsetof(Elf64_Sym, st_value), sizeof(*value));
	else
		memcpy(&v32, p + offsetof(Elf32_Sym, st_value), sizeof(v32)), *value = v32;
}

/* Rebase the defined symbols of @sym (a SHT_SYMTAB) by their section's address. */
static int vmi_rel_symbols(vmi_image *img, const vmi_image_section *sym, const uint64_t *base, vmi_diag *d)
{
	int c64 = img->elfclass == ELFCLASS64;
	size_t esz = c64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (sym->entsize != esz)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: symbol size %llu, want %zu", sym->name,
				    (unsigned long long)sym->entsize, esz);
	for (uint64_t off = 0; off + esz <= sym->size; off += esz) {
		uint8_t *p = img->buf + sym->offset + off;
		uint16_t shndx;
		uint64_t v;
		vmi_rel_sym(img, p, &shndx, &v);
		if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= img->nsecs)
			continue;
		v += base[shndx];
		if (c64) {
			memcpy(p + offsetof(Elf64_Sym, st_value), &v, sizeof(v));
		} else {
			uint32_t v32 = (uint32_t)v;
			memcpy(p + offsetof(Elf32_Sym, st_value), &v32, sizeof(v32));
		}
	}
	return VMI_EXIT_OK;
}

/* Bytes a relocation writes and whether it is PC-relative; 0 = a kind vmilint need not apply. */
static unsigned vmi_rel_kind(uint8_t arch, uint32_t type, int *pcrel)
{
	*pcrel = 0;
	if (arch == VMI_ARCH_X86_64) {
		switch (type) {
		case R_X86_64_64: return 8;
		case R_X86_64_32: case R_X86_64_32S: return 4;
		case R_X86_64_PC32: case R_X86_64_PLT32: *pcrel = 1; return 4;
		case R_X86_64_PC64: *pcrel = 1; return 8;
		default: return 0;
		}
	}
	switch (type) {
	case R_386_32: return 4;
	case R_386_PC32: case R_386_PLT32: *pcrel = 1; return 4;
	default: return 0;
	}
}

static int vmi_rel_section(vmi_image *img, const vmi_image_section *rs, vmi_rel_info *ri, vmi_diag *d)
{
	int rela = rs->type == SHT_RELA, c64 = img->elfclass == ELFCLASS64;
	size_t esz = c64 ? (rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel)) : (rela ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
	GElf_Shdr rsh;
	if (!gelf_getshdr(elf_getscn(img->elf, rs->index), &rsh))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", rs->name, elf_errmsg(-1));
	if (rsh.sh_info >= img->nsecs || rs->link >= img->nsecs || img->secs[rs->link].type != SHT_SYMTAB)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: bad target or symbol table index",
				    rs->name);
	const vmi_image_section *t = &img->secs[rsh.sh_info], *sym = &img->secs[rs->link];
	if (!(t->flags & SHF_ALLOC) || t->type == SHT_NOBITS)
		return VMI_EXIT_OK; /* debug info: libdw relocates it itself */
	int strict = !strcmp(t->name, VMI_SITES_SECTION) || !strcmp(t->name, VMI_NOTE_SECTION);
	if (rs->entsize != esz)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: entry size %llu, want %zu", rs->name,
				    (unsigned long long)rs->entsize, esz);
	size_t symsz = c64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	for (uint64_t off = 0; off + esz <= rs->size; off += esz) {
		const uint8_t *p = img->buf + rs->offset + off;
		uint64_t where, symi, type;
		int64_t addend = 0;
		if (c64) {
			Elf64_Rela r = { 0 };
			memcpy(&r, p, esz);
			where = r.r_offset, symi = ELF64_R_SYM(r.r_info), type = ELF64_R_TYPE(r.r_info);
			addend = rela ? r.r_addend : 0;
		} else {
			Elf32_Rela r = { 0 };
			memcpy(&r, p, esz);
			where = r.r_offset, symi = ELF32_R_SYM(r.r_info), type = ELF32_R_TYPE(r.r_info);
			addend = rela ? r.r_addend : 0;
		}
		int pcrel;
		unsigned n = vmi_rel_kind(img->arch, (uint32_t)type, &pcrel);
		if (!n) {
			if (strict)
				return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
						    "section %s: relocation %llu has type %llu, which vmilint cannot apply "
						    "to %s", rs->name, (unsigned long long)(off / esz),
						    (unsigned long long)type, t->name);
			ri->skipped++;
			continue;
		}
		if (where > t->size || t->size - where < n || (symi + 1) * symsz > sym->size)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "section %s: relocation %llu at 0x%llx (symbol %llu) lies outside %s or its "
					    "symbol table", rs->name, (unsigned long long)(off / esz),
					    (unsigned long long)where, (unsigned long long)symi, t->name);
		uint8_t *loc = img->buf + t->offset + where;
		uint64_t s; /* rebased by vmi_rel_symbols */
		uint16_t shndx;
		vmi_rel_sym(img, img->buf + sym->offset + symi * symsz, &shndx, &s);
		if (!rela) { /* REL: the addend is what the field holds */
			int32_t a32;
			int64_t a64;
			if (n == 4)
				memcpy(&a32, loc, 4), addend = a32;
			else
				memcpy(&a64, loc, 8), addend = a64;
		}
		uint64_t v = s + (uint64_t)addend - (pcrel ? ri->base[t->index] + where : 0);
		if (n == 4) {
			uint32_t v32 = (uint32_t)v;
			memcpy(loc, &v32, 4);
		} else {
			memcpy(loc, &v, 8);
		}
		ri->applied++;
	}
	return VMI_EXIT_OK;
}

int vmi_rel_prepare(vmi_image *img, vmi_rel_info *ri, vmi_diag *d)
{
	uint64_t next = 0;

	memset(ri, 0, sizeof(*ri));
	if (vmi_rel_lto_only(img))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "a GCC LTO object (only .gnu.lto_* sections), no machine code: lint the final "
				    "link or build with -ffat-lto-objects");
	ri->base = calloc(img->nsecs ? img->nsecs : 1, sizeof(*ri->base));
	if (!ri->base)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory");
	for (size_t i = 0; i < img->nsecs; i++) {
		vmi_image_section *s = &img->secs[i];
		GElf_Shdr sh;
		if (!(s->flags & SHF_ALLOC))
			continue;
		if (s->flags & SHF_COMPRESSED)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "section %s is compressed (SHF_COMPRESSED); decompress it with objcopy "
					    "--decompress-debug-sections first", s->name);
		if (!gelf_getshdr(elf_getscn(img->elf, i), &sh))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: %s", s->name, elf_errmsg(-1));
		uint64_t align = sh.sh_addralign > 1 ? sh.sh_addralign : 1;
		if (align & (align - 1))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %s: alignment %llu is not a power of two",
					    s->name, (unsigned long long)align);
		next = (next + align - 1) & ~(align - 1);
		ri->base[i] = s->addr = next;
		next += s->size;
	}
	for (size_t i = 0; i < img->nsecs; i++)
		if (img->secs[i].type == SHT_SYMTAB) {
			int rc = vmi_rel_symbols(img, &img->secs[i], ri->base, d);
			if (rc)
				return rc;
		}
	for (size_t i = 0; i < img->nsecs; i++)
		if (img->secs[i].type == SHT_RELA || img->secs[i].type == SHT_REL) {
			int rc = vmi_rel_section(img, &img->secs[i], ri, d);
			if (rc)
				return rc;
		}
	return VMI_EXIT_OK;
}

void vmi_rel_free(vmi_rel_info *ri)
{
	free(ri->base);
	ri->base = NULL;
}
