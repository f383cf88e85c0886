/* SPDX-License-Identifier: MIT */
/*
 * tools/common/image.h - an ELF image held in memory, read once.
 *
 * The whole file is mapped privately (or read) into one buffer, or the
 * caller gives the buffer (vmipatch: a shared mapping of the copy it is
 * about to replace the output with, so it patches the new file where it
 * lies); libelf (elf_memory) reads the headers from that buffer, and every
 * section and segment is checked to lie inside it. Bytes a tool does not
 * touch stay exactly as they were (libelf never lays the file out).
 */
#ifndef VMI_TOOL_IMAGE_H
#define VMI_TOOL_IMAGE_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "diag.h"

typedef struct vmi_image_section {
	const char *name;  /* section name (in the file's string table) */
	uint32_t type;     /* SHT_* */
	uint32_t link;     /* sh_link */
	uint64_t flags;    /* SHF_* */
	uint64_t addr;     /* sh_addr */
	uint64_t offset;   /* sh_offset; offset + size <= file length unless SHT_NOBITS */
	uint64_t size;     /* sh_size */
	uint64_t entsize;  /* sh_entsize */
	size_t index;      /* section index */
} vmi_image_section;

typedef struct vmi_image_segment {
	uint64_t offset;   /* p_offset; offset + filesz <= file length */
	uint64_t vaddr;    /* p_vaddr */
	uint64_t filesz;   /* p_filesz */
	uint64_t memsz;    /* p_memsz */
	uint32_t flags;    /* PF_* */
} vmi_image_segment;

typedef struct vmi_image {
	const char *path;            /* as given (not owned) */
	uint8_t *buf;                /* the file's bytes: a private mapping, a heap copy, or the caller's */
	bool owned;                  /* buf is freed by vmi_image_free (else the caller's) */
	bool mapped;                 /* an owned buf is a private mapping (munmap), else malloc'd */
	size_t len;                  /* file length */
	mode_t mode;                 /* permission bits, kept by an in-place rewrite */
	Elf *elf;                    /* libelf view of buf */
	int elfclass;                /* ELFCLASS32 / ELFCLASS64 */
	uint16_t type;               /* e_type: ET_EXEC, ET_DYN, ET_REL, ... */
	uint8_t arch;                /* enum vmi_arch from class and machine */
	vmi_image_section *secs;     /* every section, in index order (owned) */
	size_t nsecs;
	vmi_image_segment *loads;    /* PT_LOAD segments sorted by vaddr (owned) */
	size_t nloads;
} vmi_image;

/**
 * vmi_image_load - read @path and check its ELF structure.
 * @want_arch: enum vmi_arch the caller requires, 0 = any x86 image.
 * Return: VMI_EXIT_OK, or an exit code with @d filled (not ELF, truncated,
 * wrong class or machine, section or segment outside the file).
 */
int vmi_image_load(vmi_image *img, const char *path, uint8_t want_arch, vmi_diag *d);

/**
 * vmi_image_open - open @path for reading and check it is a regular file
 * (vmi_open_input: a FIFO or a device is refused, never waited on).
 * Return: VMI_EXIT_OK with *@fd and *@st set, or VMI_EXIT_IO with @d filled.
 */
int vmi_image_open(const char *path, int *fd, struct stat *st, vmi_diag *d);

/**
 * vmi_image_load_buffer - as vmi_image_load, for @len bytes the caller
 * holds at @buf (not freed by vmi_image_free; must outlive the image).
 * @path names the image in messages; @mode is kept for the output.
 */
int vmi_image_load_buffer(vmi_image *img, const char *path, uint8_t *buf, size_t len, mode_t mode,
			  uint8_t want_arch, vmi_diag *d);

/**
 * vmi_image_prefault - fault in the pages holding file bytes [off,
 * off+len) for writing, in one call, for a tool about to patch most of
 * them (a kernel's text): one batch instead of a fault per page while
 * patching. Only advice; the bytes do not change.
 */
void vmi_image_prefault(vmi_image *img, uint64_t off, uint64_t len);

/**
 * vmi_prefault - fault in the whole pages inside [@p, @p+@len) for
 * writing, in one call: for fresh memory a tool is about to fill (the
 * plan's workspace), one batch instead of a fault per page. Only advice.
 */
void vmi_prefault(void *p, size_t len);

/**
 * vmi_image_need_linked - refuse an image that is not a linked executable
 * (ET_EXEC or ET_DYN): a relocatable object (.o, .ko) or a core file, with
 * a message that says so, for a tool that works on a kernel's segments.
 * Return: VMI_EXIT_OK or VMI_EXIT_INPUT with @d filled.
 */
int vmi_image_need_linked(const vmi_image *img, vmi_diag *d);

/** vmi_image_free - release everything vmi_image_load allocated. */
void vmi_image_free(vmi_image *img);

/** vmi_image_section_by_name - the first section called @name, or NULL. */
const vmi_image_section *vmi_image_section_by_name(const vmi_image *img, const char *name);

/** vmi_arch_name - "i386", "x86_64" or "none". */
const char *vmi_arch_name(uint32_t arch);

#endif /* VMI_TOOL_IMAGE_H */
