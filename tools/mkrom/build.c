/* SPDX-License-Identifier: MIT */
#include "build.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubcheck.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"
#include "vmi/rom_sdk.h"

/* One declaration record, decoded. */
typedef struct vmi_decl {
	uint8_t kind, flags, stub_len, major, minor;
	uint16_t call_id, clobbers;
	uint32_t value;
	char vendor[VMI_ROM_VENDOR_MAX + 1];
	int has_target;
	uint32_t sym;     /* target symbol */
	int64_t addend;   /* target addend */
	uint64_t target;  /* resolved image offset */
} vmi_decl;

/* One call-table entry being assembled from one or two declarations. */
typedef struct vmi_entry {
	uint16_t id;
	uint8_t form;
	uint8_t stub_len;
	uint32_t stub_off, entry_off;
	uint16_t stub_clobbers, call_clobbers;
	int call_decl, stub_decl; /* indices of the CALL / INLINE declarations, -1 = none */
} vmi_entry;

typedef struct vmi_build {
	const vmi_obj *o;
	vmi_diag *d;
	vmi_decl *decls;
	size_t ndecls;
	vmi_entry *entries;
	size_t nentries;
	int header, init;        /* declaration indices, -1 = none */
	uint64_t *sec_off;       /* image offset per section, UINT64_MAX = not placed */
	uint64_t end;            /* end of the laid-out contents */
	uint8_t *img;
	size_t size;
} vmi_build;

#define VMI_NOT_PLACED UINT64_MAX

static uint16_t vmi_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t vmi_rd32(const uint8_t *p) { return (uint32_t)vmi_rd16(p) | (uint32_t)vmi_rd16(p + 2) << 16; }
static void vmi_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void vmi_wr32(uint8_t *p, uint32_t v) { vmi_wr16(p, (uint16_t)v); vmi_wr16(p + 2, (uint16_t)(v >> 16)); }
static void vmi_wr64(uint8_t *p, uint64_t v) { vmi_wr32(p, (uint32_t)v); vmi_wr32(p + 4, (uint32_t)(v >> 32)); }

static int vmi_fail(vmi_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vmi_fail(vmi_build *b, const char *fmt, ...)
{
	char msg[VMI_DIAG_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path, "%s", msg);
}

/* A call's name for messages: the catalog name, or "call id N". */
static const char *vmi_call_label(uint16_t id, char *buf, size_t len)
{
	const vmi_call_info *ci = vmi_call_lookup(id);
	if (ci)
		snprintf(buf, len, "%s", ci->name);
	else
		snprintf(buf, len, "call id %u", (unsigned)id);
	return buf;
}

static int vmi_find_section(const vmi_obj *o, const char *name)
{
	for (size_t i = 1; i < o->nsecs; i++)
		if (!strcmp(o->secs[i].name, name))
			return (int)i;
	return -1;
}

/* ---- declarations ---- */

static int vmi_read_decls(vmi_build *b)
{
	const vmi_obj *o = b->o;
	int si = vmi_find_section(o, VMI_ROM_DECL_SECTION);
	if (si < 0 || !o->secs[si].data)
		return vmi_fail(b, "no ROM declarations (section %s is missing: use VMI_ROM_DECLARE)",
				VMI_ROM_DECL_SECTION);
	const vmi_obj_sec *s = &o->secs[si];
	if (s->size % VMI_ROM_DECL_SIZE)
		return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
				    "section %s: length %llu is not a multiple of the record size %d",
				    VMI_ROM_DECL_SECTION, (unsigned long long)s->size, VMI_ROM_DECL_SIZE);
	b->ndecls = s->size / VMI_ROM_DECL_SIZE;
	b->decls = calloc(b->ndecls ? b->ndecls : 1, sizeof(*b->decls));
	if (!b->decls)
		return vmi_diag_set(b->d, VMI_EXIT_IO, o->path, "out of memory");
	for (size_t i = 0; i < b->ndecls; i++) {
		const uint8_t *r = s->data + i * VMI_ROM_DECL_SIZE;
		vmi_decl *x = &b->decls[i];
		if (vmi_rd32(r) != VMI_ROM_DECL_MAGIC)
			return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
					    "section %s: record %zu has a bad magic", VMI_ROM_DECL_SECTION, i);
		x->kind = r[4];
		x->flags = r[5];
		x->call_id = vmi_rd16(r + 6);
		x->clobbers = vmi_rd16(r + 8);
		x->stub_len = r[10];
		x->major = r[11];
		x->minor = r[12];
		x->value = vmi_rd32(r + 16);
		memcpy(x->vendor, r + 32, VMI_ROM_VENDOR_MAX);
		for (size_t k = 0; k < s->nrels; k++) {
			const vmi_obj_rel *rel = &s->rels[k];
			if (rel->offset != i * VMI_ROM_DECL_SIZE + 0x18 || rel->type == 0)
				continue;
			int ok = o->arch == VMI_ARCH_X86_64 ? rel->type == R_X86_64_64 : rel->type == R_386_32;
			if (!ok)
				return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
						    "section %s: record %zu: unexpected relocation type %u",
						    VMI_ROM_DECL_SECTION, i, (unsigned)rel->type);
			x->has_target = 1;
			x->sym = rel->sym;
			x->addend = rel->addend;
		}
		if (x->kind < VMI_ROM_DECL_HEADER || x->kind > VMI_ROM_DECL_IDENT)
			return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
					    "section %s: record %zu has unknown kind %u", VMI_ROM_DECL_SECTION, i,
					    (unsigned)x->kind);
	}
	return VMI_EXIT_OK;
}

static vmi_entry *vmi_entry_get(vmi_build *b, uint16_t id)
{
	for (size_t i = 0; i < b->nentries; i++)
		if (b->entries[i].id == id)
			return &b->entries[i];
	vmi_entry *e = &b->entries[b->nentries++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->form = 0xff;
	e->call_decl = e->stub_decl = -1;
	return e;
}

static int vmi_cmp_entry(const void *a, const void *c)
{
	const vmi_entry *x = a, *y = c;
	return (int)x->id - (int)y->id;
}

/* Check the declarations against each other and the catalog; build the entries. */
static int vmi_plan_entries(vmi_build *b)
{
	char nb[48];
	b->header = b->init = -1;
	b->entries = calloc(b->ndecls ? b->ndecls : 1, sizeof(*b->entries));
	if (!b->entries)
		return vmi_diag_set(b->d, VMI_EXIT_IO, b->o->path, "out of memory");
	for (size_t i = 0; i < b->ndecls; i++) {
		vmi_decl *x = &b->decls[i];
		if (x->kind == VMI_ROM_DECL_HEADER || x->kind == VMI_ROM_DECL_INIT) {
			int *slot = x->kind == VMI_ROM_DECL_HEADER ? &b->header : &b->init;
			if (*slot >= 0)
				return vmi_fail(b, "%s declared twice",
						x->kind == VMI_ROM_DECL_HEADER ? "VMI_ROM_DECLARE" : "VMI_ROM_INIT");
			if (x->kind == VMI_ROM_DECL_INIT && !x->has_target)
				return vmi_fail(b, "VMI_ROM_INIT names no function");
			*slot = (int)i;
			continue;
		}
		const vmi_call_info *ci = vmi_call_lookup(x->call_id);
		vmi_call_label(x->call_id, nb, sizeof(nb));
		if (!ci && !(x->flags & VMI_ROM_DECL_F_UNKNOWN_OK))
			return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path, "unknown call id %u",
					    (unsigned)x->call_id);
		if ((x->kind == VMI_ROM_DECL_CALL || x->kind == VMI_ROM_DECL_INLINE) && !x->has_target)
			return vmi_fail(b, "declaration of %s names no code", nb);
		if (x->clobbers & VMI_REG_SP)
			return vmi_fail(b, "%s declares the stack pointer clobbered", nb);
		if (x->kind == VMI_ROM_DECL_INLINE) {
			if (x->stub_len == 0)
				return vmi_fail(b, "inline stub for %s is empty (declare it VMI_ROM_NOP)", nb);
			if (x->stub_len > VMI_SITE_MAX_LEN)
				return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path,
						    "inline stub for %s is %u bytes, longer than the %u a site may have",
						    nb, (unsigned)x->stub_len, (unsigned)VMI_SITE_MAX_LEN);
		}
		vmi_entry *e = vmi_entry_get(b, x->call_id);
		/* INLINE + CALL is the one allowed pair: the entry is the fallback
		 * for sites the stub does not fit. Anything else is a mistake. */
		int dup;
		if (x->kind == VMI_ROM_DECL_CALL)
			dup = e->call_decl >= 0 || (e->form != 0xff && e->form != VMI_FORM_INLINE);
		else if (x->kind == VMI_ROM_DECL_INLINE)
			dup = e->stub_decl >= 0 || (e->form != 0xff && e->form != VMI_FORM_CALL);
		else
			dup = e->form != 0xff;
		if (dup)
			return vmi_fail(b, "call %s is declared twice", nb);
		switch (x->kind) {
		case VMI_ROM_DECL_CALL:
			e->call_decl = (int)i;
			e->call_clobbers = x->clobbers;
			if (e->form == 0xff)
				e->form = VMI_FORM_CALL;
			break;
		case VMI_ROM_DECL_INLINE:
			e->stub_decl = (int)i;
			e->stub_clobbers = x->clobbers;
			e->stub_len = x->stub_len;
			e->form = VMI_FORM_INLINE;
			break;
		case VMI_ROM_DECL_NOP:
			e->form = VMI_FORM_NOP;
			break;
		default:
			e->form = VMI_FORM_IDENT;
			break;
		}
	}
	if (b->header < 0)
		return vmi_fail(b, "no VMI_ROM_DECLARE in the object");
	const vmi_decl *h = &b->decls[b->header];
	if (!h->vendor[0])
		return vmi_fail(b, "VMI_ROM_DECLARE has an empty vendor name");
	for (const char *v = h->vendor; *v; v++)
		if (*v < 0x20 || *v >= 0x7f)
			return vmi_fail(b, "VMI_ROM_DECLARE: the vendor name has a non-printable byte");
	if (b->nentries == 0 || b->nentries > VMI_ROM_MAX_CALLS)
		return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path, "the ROM declares %zu calls (1..%u allowed)",
				    b->nentries, (unsigned)VMI_ROM_MAX_CALLS);
	for (size_t i = 0; i < b->nentries; i++) {
		const vmi_entry *e = &b->entries[i];
		const vmi_call_info *ci = vmi_call_lookup(e->id);
		if (!ci)
			continue;
		if (ci->minor > h->minor)
			return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path,
					    "call %s needs interface minor %u but the ROM declares minor %u", ci->name,
					    (unsigned)ci->minor, (unsigned)h->minor);
		/* Code for a call whose feature is not offered could never run. */
		if (ci->feature && !(ci->feature & h->value) &&
		    (e->form == VMI_FORM_CALL || e->form == VMI_FORM_INLINE))
			return vmi_diag_set(b->d, VMI_EXIT_INPUT, b->o->path,
					    "call %s needs feature %s, which the ROM does not declare", ci->name,
					    vmi_feature_name(ci->feature));
	}
	qsort(b->entries, b->nentries, sizeof(*b->entries), vmi_cmp_entry);
	return VMI_EXIT_OK;
}

/* ---- layout ---- */

/* Placement class of a section: 0..4 in image order, -1 = not copied. */
static int vmi_sec_class(const vmi_obj_sec *s, vmi_build *b, int *err)
{
	*err = 0;
	if (!(s->flags & SHF_ALLOC) || s->size == 0)
		return -1;
	if (!strcmp(s->name, VMI_ROM_DECL_SECTION) ||
	    !strncmp(s->name, VMI_ROM_DISCARD_SECTION, strlen(VMI_ROM_DISCARD_SECTION)) ||
	    !strcmp(s->name, ".eh_frame") || s->type == SHT_NOTE)
		return -1;
	if (s->flags & SHF_TLS) {
		*err = vmi_fail(b, "section %s holds thread-local data, which a ROM cannot have", s->name);
		return -1;
	}
	if (s->type != SHT_PROGBITS && s->type != SHT_NOBITS) {
		*err = vmi_fail(b, "section %s has a type a ROM cannot hold (constructors or unwind tables?)",
				s->name);
		return -1;
	}
	if (!strcmp(s->name, VMI_ROM_STUB_SECTION))
		return 0;
	if (s->type == SHT_NOBITS)
		return 4;
	if (s->flags & SHF_EXECINSTR)
		return 1;
	return (s->flags & SHF_WRITE) ? 3 : 2;
}

static int vmi_layout(vmi_build *b)
{
	const vmi_obj *o = b->o;
	b->sec_off = malloc((o->nsecs ? o->nsecs : 1) * sizeof(*b->sec_off));
	if (!b->sec_off)
		return vmi_diag_set(b->d, VMI_EXIT_IO, o->path, "out of memory");
	for (size_t i = 0; i < o->nsecs; i++)
		b->sec_off[i] = VMI_NOT_PLACED;
	uint64_t pos = VMI_ROM_HEADER_V1_SIZE + (uint64_t)b->nentries * VMI_ROM_CALL_V1_SIZE;
	for (int cls = 0; cls <= 4; cls++) {
		for (size_t i = 1; i < o->nsecs; i++) {
			int err;
			if (vmi_sec_class(&o->secs[i], b, &err) != cls) {
				if (err)
					return err;
				continue;
			}
			uint64_t al = o->secs[i].align;
			if (al & (al - 1) || al > VMI_ROM_BLOCK)
				return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
						    "section %s wants alignment %llu (at most %u, a power of two)",
						    o->secs[i].name, (unsigned long long)al, (unsigned)VMI_ROM_BLOCK);
			pos = (pos + al - 1) & ~(al - 1);
			b->sec_off[i] = pos;
			pos += o->secs[i].size;
			if (pos > VMI_ROM_MAX_SIZE)
				break;
		}
	}
	b->end = pos;
	/* +1: the checksum byte must not overlap contents. */
	uint64_t size = (pos + 1 + VMI_ROM_BLOCK - 1) / VMI_ROM_BLOCK * VMI_ROM_BLOCK;
	if (size > VMI_ROM_MAX_SIZE)
		return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
				    "the ROM would be %llu bytes, more than the %u an option ROM can have",
				    (unsigned long long)size, (unsigned)VMI_ROM_MAX_SIZE);
	b->size = (size_t)size;
	b->img = calloc(1, b->size);
	if (!b->img)
		return vmi_diag_set(b->d, VMI_EXIT_IO, o->path, "out of memory");
	for (size_t i = 1; i < o->nsecs; i++)
		if (b->sec_off[i] != VMI_NOT_PLACED && o->secs[i].data)
			memcpy(b->img + b->sec_off[i], o->secs[i].data, o->secs[i].size);
	return VMI_EXIT_OK;
}

/* ---- relocation ---- */

static int vmi_resolve(vmi_build *b, uint32_t symi, uint64_t *out)
{
	const vmi_obj *o = b->o;
	const char *name = vmi_obj_sym_name(o, symi);
	if (symi == 0 || symi >= o->nsyms)
		return vmi_fail(b, "relocation without a symbol");
	const vmi_obj_sym *s = &o->syms[symi];
	if (s->shndx == SHN_UNDEF)
		return vmi_fail(b, "undefined symbol '%s'", name);
	if (s->shndx == SHN_ABS)
		return vmi_fail(b, "symbol '%s' is absolute and cannot be position-independent", name);
	if (s->shndx == SHN_COMMON)
		return vmi_fail(b, "common symbol '%s' (compile with -fno-common)", name);
	if (s->shndx >= o->nsecs || b->sec_off[s->shndx] == VMI_NOT_PLACED)
		return vmi_fail(b, "'%s' is in section %s, which does not go into the ROM", name,
				s->shndx < o->nsecs ? o->secs[s->shndx].name : "?");
	*out = b->sec_off[s->shndx] + s->value;
	return VMI_EXIT_OK;
}

enum { VMI_R_SKIP, VMI_R_PC32, VMI_R_PC64, VMI_R_GOTPC32, VMI_R_GOTOFF32, VMI_R_GOTOFF64, VMI_R_ABS, VMI_R_BAD };

static int vmi_reloc_kind(uint8_t arch, uint32_t t)
{
	if (arch == VMI_ARCH_I386) {
		switch (t) {
		case R_386_NONE: return VMI_R_SKIP;
		case R_386_PC32: case R_386_PLT32: return VMI_R_PC32;
		case R_386_GOTPC: return VMI_R_GOTPC32;
		case R_386_GOTOFF: return VMI_R_GOTOFF32;
		case R_386_32: case R_386_16: case R_386_8: case R_386_GOT32: case R_386_GOT32X: return VMI_R_ABS;
		}
		return VMI_R_BAD;
	}
	switch (t) {
	case R_X86_64_NONE: return VMI_R_SKIP;
	case R_X86_64_PC32: case R_X86_64_PLT32: return VMI_R_PC32;
	case R_X86_64_PC64: return VMI_R_PC64;
	case R_X86_64_GOTPC32: return VMI_R_GOTPC32;
	case R_X86_64_GOTOFF64: return VMI_R_GOTOFF64;
	case R_X86_64_64: case R_X86_64_32: case R_X86_64_32S: case R_X86_64_16: case R_X86_64_8:
	case R_X86_64_GOT32: case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX:
		return VMI_R_ABS;
	}
	return VMI_R_BAD;
}

static int vmi_relocate(vmi_build *b)
{
	const vmi_obj *o = b->o;
	for (size_t si = 1; si < o->nsecs; si++) {
		const vmi_obj_sec *s = &o->secs[si];
		if (b->sec_off[si] == VMI_NOT_PLACED)
			continue;
		for (size_t k = 0; k < s->nrels; k++) {
			const vmi_obj_rel *r = &s->rels[k];
			int kind = vmi_reloc_kind(o->arch, r->type);
			const char *rn = vmi_obj_reloc_name(o->arch, r->type);
			char tn[32];
			if (!rn) {
				snprintf(tn, sizeof(tn), "type %u", (unsigned)r->type);
				rn = tn;
			}
			if (kind == VMI_R_SKIP)
				continue;
			if (kind == VMI_R_ABS || kind == VMI_R_BAD)
				return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
						    "%s relocation %s against '%s' in %s %s",
						    kind == VMI_R_ABS ? "absolute" : "unsupported", rn,
						    vmi_obj_sym_name(o, r->sym), s->name,
						    kind == VMI_R_ABS ? "cannot be position-independent"
								      : "cannot be resolved by mkrom");
			uint64_t P = b->sec_off[si] + r->offset, S = 0;
			/* GOTPC names _GLOBAL_OFFSET_TABLE_, which is the ROM start (0). */
			if (kind != VMI_R_GOTPC32) {
				int rc = vmi_resolve(b, r->sym, &S);
				if (rc)
					return rc;
			}
			int64_t v;
			switch (kind) {
			case VMI_R_PC32: case VMI_R_PC64: v = (int64_t)S + r->addend - (int64_t)P; break;
			case VMI_R_GOTPC32: v = r->addend - (int64_t)P; break;
			default: v = (int64_t)S + r->addend; break; /* GOTOFF: GOT = 0 */
			}
			if (kind == VMI_R_PC64 || kind == VMI_R_GOTOFF64) {
				vmi_wr64(b->img + P, (uint64_t)v);
				continue;
			}
			if (v < INT32_MIN || v > INT32_MAX)
				return vmi_diag_set(b->d, VMI_EXIT_INPUT, o->path,
						    "relocation %s against '%s' in %s overflows 32 bits", rn,
						    vmi_obj_sym_name(o, r->sym), s->name);
			vmi_wr32(b->img + P, (uint32_t)(int32_t)v);
		}
	}
	return VMI_EXIT_OK;
}

/* Resolve each declaration's target and check it points at what its kind needs. */
static int vmi_resolve_decls(vmi_build *b)
{
	char nb[48];
	for (size_t i = 0; i < b->ndecls; i++) {
		vmi_decl *x = &b->decls[i];
		if (!x->has_target)
			continue;
		uint64_t off;
		int rc = vmi_resolve(b, x->sym, &off);
		if (rc)
			return rc;
		x->target = off + (uint64_t)x->addend;
		uint64_t need = x->kind == VMI_ROM_DECL_INLINE ? x->stub_len : 1;
		const char *what = x->kind == VMI_ROM_DECL_INIT ? "VMI_ROM_INIT"
								: vmi_call_label(x->call_id, nb, sizeof(nb));
		/* Code and stubs must lie inside one executable section. */
		const vmi_obj_sec *in = NULL;
		for (size_t si = 1; si < b->o->nsecs && !in; si++) {
			uint64_t so = b->sec_off[si];
			if (so != VMI_NOT_PLACED && x->target >= so && x->target - so < b->o->secs[si].size &&
			    b->o->secs[si].size - (x->target - so) >= need)
				in = &b->o->secs[si];
		}
		if (!in)
			return vmi_fail(b, "declaration of %s points outside the ROM contents", what);
		if (!(in->flags & SHF_EXECINSTR))
			return vmi_fail(b, "declaration of %s points at data in %s, not at code", what, in->name);
	}
	for (size_t i = 0; i < b->nentries; i++) {
		vmi_entry *e = &b->entries[i];
		if (e->call_decl >= 0)
			e->entry_off = (uint32_t)b->decls[e->call_decl].target;
		if (e->stub_decl >= 0)
			e->stub_off = (uint32_t)b->decls[e->stub_decl].target;
	}
	return VMI_EXIT_OK;
}

static void vmi_write_header(vmi_build *b)
{
	const vmi_decl *h = &b->decls[b->header];
	uint8_t *p = b->img;
	p[0] = 0x55;
	p[1] = 0xAA;
	p[2] = (uint8_t)(b->size / VMI_ROM_BLOCK);
	p[3] = 0xCB; /* retf: the real-mode init has nothing to do */
	vmi_wr32(p + 0x08, VMI_ROM_MAGIC);
	p[0x0C] = h->major;
	p[0x0D] = h->minor;
	vmi_wr16(p + 0x0E, VMI_ROM_HEADER_V1_SIZE);
	vmi_wr32(p + 0x10, h->value);
	p[0x14] = b->o->arch;
	vmi_wr16(p + 0x16, VMI_ROM_CALL_V1_SIZE);
	vmi_wr16(p + 0x1C, (uint16_t)b->nentries);
	vmi_wr32(p + 0x20, VMI_ROM_HEADER_V1_SIZE);
	if (b->init >= 0) {
		vmi_wr32(p + 0x24, (uint32_t)b->decls[b->init].target);
		vmi_wr32(p + 0x28, b->decls[b->init].value);
	}
	memcpy(p + 0x2C, h->vendor, VMI_ROM_VENDOR_MAX);
	for (size_t i = 0; i < b->nentries; i++) {
		const vmi_entry *e = &b->entries[i];
		uint8_t *t = p + VMI_ROM_HEADER_V1_SIZE + i * VMI_ROM_CALL_V1_SIZE;
		vmi_wr16(t, e->id);
		t[2] = e->form;
		t[3] = e->stub_len;
		vmi_wr32(t + 4, e->stub_off);
		vmi_wr32(t + 8, e->entry_off);
		vmi_wr16(t + 12, e->stub_clobbers);
		vmi_wr16(t + 14, e->call_clobbers);
	}
	vmi_rom_checksum_fix(b->img, b->size);
}

int vmi_mkrom_build(const vmi_obj *o, uint8_t want_arch, uint8_t **image, size_t *len, vmi_diag *d)
{
	vmi_build b;
	memset(&b, 0, sizeof(b));
	b.o = o;
	b.d = d;
	int rc = VMI_EXIT_OK;
	if (want_arch && want_arch != o->arch)
		rc = vmi_diag_set(d, VMI_EXIT_INPUT, o->path, "object is for %s, not for %s",
				  o->arch == VMI_ARCH_I386 ? "i386" : "x86_64",
				  want_arch == VMI_ARCH_I386 ? "i386" : "x86_64");
	if (!rc)
		rc = vmi_read_decls(&b);
	if (!rc)
		rc = vmi_plan_entries(&b);
	if (!rc)
		rc = vmi_layout(&b);
	if (!rc)
		rc = vmi_relocate(&b);
	if (!rc)
		rc = vmi_resolve_decls(&b);
	if (!rc) {
		vmi_write_header(&b);
		/* The guest's own checks: a ROM mkrom writes is one the guest accepts. */
		vmi_rom_opts opts = { .size = sizeof(opts), .arch = o->arch };
		vmi_rom rom;
		vmi_status st = vmi_rom_validate(b.img, b.size, &opts, &rom);
		char why[200];
		if (st != VMI_OK)
			rc = vmi_diag_set(d, VMI_EXIT_INPUT, o->path, "the built ROM fails validation: %s",
					  vmi_strerror(st));
		else if (!vmi_rom_stubs_check(&rom, why, sizeof(why))) /* as every tool reading it will */
			rc = vmi_diag_set(d, VMI_EXIT_INPUT, o->path, "the built ROM cannot be inlined: %s", why);
	}
	free(b.decls);
	free(b.entries);
	free(b.sec_off);
	if (rc) {
		free(b.img);
		return rc;
	}
	*image = b.img;
	*len = b.size;
	return VMI_EXIT_OK;
}
