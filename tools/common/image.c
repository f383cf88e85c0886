/* SPDX-License-Identifier: MIT */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "vmi/annotations.h"

const char *vmi_arch_name(uint32_t arch)
{
	switch (arch) {
	case VMI_ARCH_I386: return "i386";
	case VMI_ARCH_X86_64: return "x86_64";
	default: return "none";
	}
}

int vmi_image_open(const char *path, int *fd_out, struct stat *st, vmi_diag *d)
{
	const char *why = NULL;
	int fd = vmi_open_input(path, st, &why);
	if (fd < 0)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open: %s", why);
	*fd_out = fd;
	return VMI_EXIT_OK;
}

static int vmi_image_read(vmi_image *img, vmi_diag *d)
{
	int fd = -1;
	struct stat st;
	int rc = vmi_image_open(img->path, &fd, &st, d);
	if (rc)
		return rc;
	img->mode = st.st_mode & 07777;
	img->len = (size_t)st.st_size;
	/* A private mapping: no copy at load, only the pages the tool reads
	 * are faulted in, and only the pages a patch touches become private
	 * copies, so peak memory stays near what is used. */
	if (img->len) {
		void *m = mmap(NULL, img->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			close(fd);
			img->buf = m;
			img->owned = true;
			img->mapped = true;
			return VMI_EXIT_OK;
		}
	}
	img->buf = malloc(img->len ? img->len : 1);
	img->owned = img->buf != NULL;
	if (!img->buf) {
		close(fd);
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory for %zu bytes", img->len);
	}
	size_t got = 0;
	while (got < img->len) {
		ssize_t n = read(fd, img->buf + got, img->len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : 0;
			close(fd);
			return vmi_diag_set(d, VMI_EXIT_IO, img->path, "read failed: %s",
					    e ? strerror(e) : "file shrank while reading");
		}
		got += (size_t)n;
	}
	close(fd);
	return VMI_EXIT_OK;
}

/* [off, off+size) inside the file, without overflow. */
static int vmi_in_file(const vmi_image *img, uint64_t off, uint64_t size)
{
	return off <= img->len && size <= img->len - off;
}

static int vmi_seg_cmp(const void *a, const void *b)
{
	const vmi_image_segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int vmi_image_headers(vmi_image *img, uint8_t want_arch, vmi_diag *d)
{
	GElf_Ehdr eh;

	if (img->len < EI_NIDENT || memcmp(img->buf, ELFMAG, SELFMAG) != 0)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "not an ELF file");
	size_t ehdr_size = img->buf[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (img->len < ehdr_size)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "truncated ELF header (%zu bytes)", img->len);
	img->elf = elf_memory((char *)img->buf, img->len);
	if (!img->elf || elf_kind(img->elf) != ELF_K_ELF)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "not an ELF file");
	img->elfclass = gelf_getclass(img->elf);
	if (!gelf_getehdr(img->elf, &eh))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "truncated ELF header (%zu bytes)", img->len);
	img->type = eh.e_type;
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "not a little-endian ELF file");
	if (img->elfclass == ELFCLASS32 && eh.e_machine == EM_386)
		img->arch = VMI_ARCH_I386;
	else if (img->elfclass == ELFCLASS64 && eh.e_machine == EM_X86_64)
		img->arch = VMI_ARCH_X86_64;
	else
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "unsupported ELF class %d / machine %u (want ELF32 i386 or ELF64 x86-64)",
				    img->elfclass == ELFCLASS32 ? 32 : 64, (unsigned)eh.e_machine);
	if (want_arch && want_arch != img->arch)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "wrong ELF class: image is %s, --arch says %s",
				    vmi_arch_name(img->arch), vmi_arch_name(want_arch));

	size_t shnum = 0, phnum = 0, shstrndx = 0;
	if (elf_getshdrnum(img->elf, &shnum) != 0 || elf_getphdrnum(img->elf, &phnum) != 0)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "truncated: %s", elf_errmsg(-1));
	/* Checked on the raw header fields: libelf reports a section table past
	 * the end of the file as "no sections", which would pass as an empty image. */
	size_t shdr_size = img->elfclass == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t phdr_size = img->elfclass == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if ((eh.e_shoff && eh.e_shentsize != shdr_size) || (eh.e_phnum && eh.e_phentsize != phdr_size))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "bad ELF header: header entry size %u/%u",
				    (unsigned)eh.e_shentsize, (unsigned)eh.e_phentsize);
	if ((eh.e_shoff && !vmi_in_file(img, eh.e_shoff, (uint64_t)(shnum > eh.e_shnum ? shnum : eh.e_shnum ? eh.e_shnum : 1) * shdr_size)) ||
	    (eh.e_shnum && shnum != eh.e_shnum) ||
	    (phnum && !vmi_in_file(img, eh.e_phoff, (uint64_t)phnum * phdr_size)) ||
	    (eh.e_phnum && !vmi_in_file(img, eh.e_phoff, (uint64_t)eh.e_phnum * phdr_size)))
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "truncated: section or program headers lie past the end of the file (%zu bytes)",
				    img->len);
	if (shnum && elf_getshdrstrndx(img->elf, &shstrndx) != 0)
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "no section name table: %s", elf_errmsg(-1));
	/* Without names no section can be found: say why, instead of the
	 * first missing section the tool looks for. */
	if (shnum && shstrndx != SHN_UNDEF) {
		GElf_Shdr ssh;
		Elf_Scn *sscn = shstrndx < shnum ? elf_getscn(img->elf, shstrndx) : NULL;
		if (!sscn || !gelf_getshdr(sscn, &ssh))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "bad ELF header: e_shstrndx %zu names no section (the file has %zu)",
					    shstrndx, shnum);
		if (ssh.sh_type != SHT_STRTAB)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "bad ELF header: e_shstrndx %zu names section %zu of type %u, not a string table",
					    shstrndx, shstrndx, (unsigned)ssh.sh_type);
	}

	img->secs = calloc(shnum ? shnum : 1, sizeof(*img->secs));
	img->loads = calloc(phnum ? phnum : 1, sizeof(*img->loads));
	if (!img->secs || !img->loads)
		return vmi_diag_set(d, VMI_EXIT_IO, img->path, "out of memory");
	for (size_t i = 0; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(img->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "section %zu: %s", i, elf_errmsg(-1));
		vmi_image_section *s = &img->secs[img->nsecs++];
		s->name = elf_strptr(img->elf, shstrndx, sh.sh_name);
		if (!s->name)
			s->name = "";
		s->type = sh.sh_type;
		s->link = sh.sh_link;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->entsize = sh.sh_entsize;
		s->index = i;
		if (s->type != SHT_NOBITS && s->type != SHT_NULL && !vmi_in_file(img, s->offset, s->size))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "truncated: section %s [0x%llx, +0x%llx) lies past the end of the file (%zu bytes)",
					    s->name, (unsigned long long)s->offset, (unsigned long long)s->size,
					    img->len);
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(img->elf, (int)i, &ph))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "program header %zu: %s", i,
					    elf_errmsg(-1));
		if (ph.p_type != PT_LOAD)
			continue;
		if (!vmi_in_file(img, ph.p_offset, ph.p_filesz))
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "truncated: segment %zu [0x%llx, +0x%llx) lies past the end of the file (%zu bytes)",
					    i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
					    img->len);
		/* memsz is what a loader reserves: less than filesz, or past the
		 * top of the address space, is a header no loader can follow. */
		bool wraps = img->elfclass == ELFCLASS32 ? ph.p_vaddr + ph.p_memsz > UINT64_C(1) << 32
							  : ph.p_vaddr + ph.p_memsz < ph.p_vaddr;
		if (ph.p_memsz < ph.p_filesz || wraps)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
					    "segment %zu at 0x%llx: memory size 0x%llx is %s", i,
					    (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_memsz,
					    ph.p_memsz < ph.p_filesz ? "smaller than its file size"
								     : "past the end of the address space");
		vmi_image_segment *g = &img->loads[img->nloads++];
		g->offset = ph.p_offset;
		g->vaddr = ph.p_vaddr;
		g->filesz = ph.p_filesz;
		g->memsz = ph.p_memsz;
		g->flags = ph.p_flags;
	}
	qsort(img->loads, img->nloads, sizeof(*img->loads), vmi_seg_cmp);
	for (size_t i = 1; i < img->nloads; i++)
		if (img->loads[i].vaddr < img->loads[i - 1].vaddr + img->loads[i - 1].filesz)
			return vmi_diag_set(d, VMI_EXIT_INPUT, img->path, "loadable segments overlap at 0x%llx",
					    (unsigned long long)img->loads[i].vaddr);
	return VMI_EXIT_OK;
}

/* The ELF view of img->buf; on failure everything the image holds is freed. */
static int vmi_image_parse(vmi_image *img, uint8_t want_arch, vmi_diag *d)
{
	int rc;
	if (elf_version(EV_CURRENT) == EV_NONE)
		rc = vmi_diag_set(d, VMI_EXIT_IO, img->path, "libelf: %s", elf_errmsg(-1));
	else
		rc = vmi_image_headers(img, want_arch, d);
	if (rc != VMI_EXIT_OK)
		vmi_image_free(img);
	return rc;
}

int vmi_image_load(vmi_image *img, const char *path, uint8_t want_arch, vmi_diag *d)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	int rc = vmi_image_read(img, d);
	if (rc != VMI_EXIT_OK) {
		vmi_image_free(img);
		return rc;
	}
	return vmi_image_parse(img, want_arch, d);
}

int vmi_image_load_buffer(vmi_image *img, const char *path, uint8_t *buf, size_t len, mode_t mode,
			  uint8_t want_arch, vmi_diag *d)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	img->buf = buf;
	img->len = len;
	img->mode = mode & 07777;
	return vmi_image_parse(img, want_arch, d);
}

void vmi_prefault(void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0 || !p || !len)
		return;
	/* The whole pages inside [p, p+len): the ends may share a page with
	 * memory that is not ours to touch (a heap neighbour). */
	uintptr_t lo = ((uintptr_t)p + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
	/* Advice only (Linux 5.14): an older kernel faults the pages in later. */
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

void vmi_image_prefault(vmi_image *img, uint64_t off, uint64_t len)
{
	if (off <= img->len && len <= img->len - off)
		vmi_prefault(img->buf + off, (size_t)len);
}

int vmi_image_need_linked(const vmi_image *img, vmi_diag *d)
{
	switch (img->type) {
	case ET_EXEC:
	case ET_DYN:
		return VMI_EXIT_OK;
	case ET_REL:
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "relocatable object (ET_REL: a .o or .ko); %s needs a linked executable "
				    "(ET_EXEC or ET_DYN, e.g. vmlinux)",
				    program_invocation_short_name);
	case ET_CORE:
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "core file (ET_CORE); %s needs a linked executable (ET_EXEC or ET_DYN)",
				    program_invocation_short_name);
	default:
		return vmi_diag_set(d, VMI_EXIT_INPUT, img->path,
				    "ELF type %u; %s needs a linked executable (ET_EXEC or ET_DYN)",
				    (unsigned)img->type, program_invocation_short_name);
	}
}

void vmi_image_free(vmi_image *img)
{
	if (img->elf)
		elf_end(img->elf);
	free(img->secs);
	free(img->loads);
	if (img->owned && img->mapped)
		munmap(img->buf, img->len);
	else if (img->owned)
		free(img->buf);
	img->owned = false;
	img->mapped = false;
	img->elf = NULL;
	img->secs = NULL;
	img->loads = NULL;
	img->buf = NULL;
}

const vmi_image_section *vmi_image_section_by_name(const vmi_image *img, const char *name)
{
	for (size_t i = 0; i < img->nsecs; i++)
		if (strcmp(img->secs[i].name, name) == 0)
			return &img->secs[i];
	return NULL;
}
