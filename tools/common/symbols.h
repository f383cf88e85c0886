/* SPDX-License-Identifier: MIT */
/*
 * tools/common/symbols.h - address to enclosing symbol, by binary search
 * over the image's .symtab (or .dynsym) sorted once by address.
 */
#ifndef VMI_TOOL_SYMBOLS_H
#define VMI_TOOL_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

typedef struct vmi_symbol {
	uint64_t addr;     /* st_value */
	uint64_t size;     /* st_size, 0 if unknown */
	const char *name;  /* in the image's string table (lives as long as the image) */
} vmi_symbol;

typedef struct vmi_symtab {
	vmi_symbol *syms; /* sorted by addr (owned) */
	size_t count;
	char *names;      /* name storage for a symbol map file (owned), else NULL */
} vmi_symtab;

/** vmi_symtab_load - collect function and untyped code symbols; an image without any gives count 0. */
int vmi_symtab_load(vmi_symtab *t, const vmi_image *img, vmi_diag *d);
void vmi_symtab_free(vmi_symtab *t);

/**
 * vmi_symtab_load_map - symbols from a System.map / `nm` listing ("ADDR TYPE
 * NAME" per line), for images whose .symtab was stripped (distribution
 * kernels ship System.map beside vmlinuz). Symbols carry no size: each
 * reaches up to the next one.
 * Return: VMI_EXIT_OK, VMI_EXIT_IO (unreadable), VMI_EXIT_INPUT (no symbol lines).
 */
int vmi_symtab_load_map(vmi_symtab *t, const char *path, vmi_diag *d);

/**
 * vmi_symtab_find - the symbol enclosing @addr: the last one at or below
 * it, if @addr lies within its size (or it has none).
 * Return: the symbol and *@off = addr - symbol, or NULL.
 */
const vmi_symbol *vmi_symtab_find(const vmi_symtab *t, uint64_t addr, uint64_t *off);

/** vmi_symtab_format - "name+0x12", "name" or "?" into @buf. */
const char *vmi_symtab_format(const vmi_symtab *t, uint64_t addr, char *buf, size_t len);

#endif /* VMI_TOOL_SYMBOLS_H */
