/* SPDX-License-Identifier: MIT */
/*
 * tools/mkrom/obj.h - a relocatable ELF object (ET_REL, i386 or x86-64)
 * read with libelf into plain arrays: sections, symbols and relocations
 * (REL and RELA alike, with the implicit REL addend already read).
 */
#ifndef VMI_MKROM_OBJ_H
#define VMI_MKROM_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef struct vmi_obj_rel {
	uint64_t offset; /* place, relative to the target section */
	uint32_t type;   /* R_386_* / R_X86_64_* */
	uint32_t sym;    /* symbol index */
	int64_t addend;  /* explicit (RELA) or read from the place (REL) */
} vmi_obj_rel;

typedef struct vmi_obj_sec {
	const char *name;     /* section name ("" if none) */
	uint32_t type;        /* SHT_* */
	uint64_t flags;       /* SHF_* */
	uint64_t size;        /* bytes */
	uint64_t align;       /* sh_addralign, at least 1 */
	const uint8_t *data;  /* contents, NULL for SHT_NOBITS */
	vmi_obj_rel *rels;    /* relocations that apply to this section */
	size_t nrels;
} vmi_obj_sec;

typedef struct vmi_obj_sym {
	const char *name; /* symbol name ("" if none) */
	uint32_t shndx;   /* section index or SHN_UNDEF/ABS/COMMON */
	uint64_t value;   /* offset within the section */
	uint8_t type;     /* STT_* */
} vmi_obj_sym;

typedef struct vmi_obj {
	const char *path;   /* as given (not owned) */
	uint8_t arch;       /* enum vmi_arch */
	size_t nsecs;
	vmi_obj_sec *secs;  /* indexed like the ELF section table */
	size_t nsyms;
	vmi_obj_sym *syms;  /* indexed like .symtab */
	void *elf_;         /* libelf handle (owns the strings and data) */
	char **owned_;      /* printable copies of names that had other bytes */
	size_t nowned_;
	int fd_;
} vmi_obj;

/**
 * vmi_obj_open - read @path. Rejects anything but an ELF relocatable object
 * for i386 or x86-64, and malformed symbol/relocation tables.
 * Return: VMI_EXIT_OK, VMI_EXIT_IO or VMI_EXIT_INPUT (with @d filled).
 */
int vmi_obj_open(vmi_obj *o, const char *path, vmi_diag *d);

void vmi_obj_close(vmi_obj *o);

/** vmi_obj_sym_name - a symbol's name for messages; section symbols give the section name. */
const char *vmi_obj_sym_name(const vmi_obj *o, uint32_t sym);

/** vmi_obj_reloc_name - "R_X86_64_PC32", ...; NULL for a type mkrom has no name for. */
const char *vmi_obj_reloc_name(uint8_t arch, uint32_t type);

#endif /* VMI_MKROM_OBJ_H */
