/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/guest.c - the guest object: load it, find its note and
 * annotation sections, keep a pristine copy of its text, and patch the text
 * through patcher.bin exactly as a booting kernel patches itself.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "vmirun.h"

struct vmi_guest_scan {
	uintptr_t base;
	struct vmi_run_guest *g;
	bool found;
	vmi_status note_status;
};

static int vmi_guest_phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct vmi_guest_scan *s = arg;
	(void)size;
	if (info->dlpi_addr != s->base)
		return 0;
	s->found = true;
	s->note_status = VMI_E_ANN_NOTE;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint8_t *at = (uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && !s->g->text) {
			uintptr_t lo = (uintptr_t)at & ~(uintptr_t)4095, hi = ((uintptr_t)at + ph->p_memsz + 4095) & ~(uintptr_t)4095;
			s->g->text = (uint8_t *)lo;
			s->g->text_len = hi - lo;
		} else if (ph->p_type == PT_NOTE && s->note_status != VMI_OK) {
			/* Walk the notes to the VMI one; vmi_note_find decodes it. */
			const uint8_t *p = at, *end = at + ph->p_memsz;
			while (p + 12 <= end) {
				uint32_t nsz, dsz, type;
				memcpy(&nsz, p, 4);
				memcpy(&dsz, p + 4, 4);
				memcpy(&type, p + 8, 4);
				size_t name_pad = (nsz + 3u) & ~3u, desc_pad = (dsz + 3u) & ~3u;
				if ((size_t)(end - p) < 12 + name_pad + desc_pad)
					break;
				if (type == VMI_NOTE_TYPE_GUEST && nsz == 4 && !memcmp(p + 12, "VMI", 4)) {
					s->g->note = p + 12 + name_pad;
					s->g->note_len = dsz;
					s->note_status = vmi_note_parse(s->g->note, dsz, &s->g->info);
					break;
				}
				p += 12 + name_pad + desc_pad;
			}
		}
	}
	return 1;
}

static bool vmi_guest_bad(const char *path, int *exit_code, const char *what)
{
	fprintf(stderr, "vmirun: %s: %s\n", path, what);
	*exit_code = VMI_RUN_EXIT_INPUT;
	return false;
}

bool vmi_guest_open(struct vmi_run_guest *g, const char *path, int *exit_code)
{
	memset(g, 0, sizeof(*g));
	g->path = path;
	/* A FIFO or a device would make dlopen wait or read garbage: only a
	 * regular file is loaded. dlopen needs a slash to take a relative
	 * path as a file. */
	struct stat st;
	const char *why = "";
	int fd = vmi_open_input(path, &st, &why);
	if (fd >= 0)
		close(fd);
	char *full = fd >= 0 ? realpath(path, NULL) : NULL;
	if (!full) {
		fprintf(stderr, "vmirun: %s: cannot read guest object: %s\n", path, fd >= 0 ? strerror(errno) : why);
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	g->handle = dlopen(full, RTLD_NOW | RTLD_LOCAL);
	free(full);
	if (!g->handle) {
		char msg[512];
		snprintf(msg, sizeof(msg), "not a loadable guest object: %s", dlerror());
		return vmi_guest_bad(path, exit_code, msg);
	}
	struct link_map *lm = NULL;
	if (dlinfo(g->handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
		return vmi_guest_bad(path, exit_code, "cannot find its load address");
	struct vmi_guest_scan s = { .base = lm->l_addr, .g = g };
	dl_iterate_phdr(vmi_guest_phdr_cb, &s);
	if (!s.found || !g->text)
		return vmi_guest_bad(path, exit_code, "no executable segment");
	if (s.note_status != VMI_OK) {
		char msg[256];
		snprintf(msg, sizeof(msg), "no usable VMI note (%s): the guest carries no annotations",
			 vmi_strerror(s.note_status));
		return vmi_guest_bad(path, exit_code, msg);
	}
	if (g->info.arch != VMI_RUN_ARCH)
		return vmi_guest_bad(path, exit_code, "note says the guest is not " VMI_RUN_ARCH_NAME);
	vmi_wl_sections_fn sec = (vmi_wl_sections_fn)vmi_guest_sym(g, VMI_WL_SECTIONS_SYM);
	if (!sec)
		return vmi_guest_bad(path, exit_code, "does not export " VMI_WL_SECTIONS_SYM);
	sec(&g->sec);
	if (!g->sec.sites || g->sec.sites_end < g->sec.sites || g->sec.native_end < g->sec.native)
		return vmi_guest_bad(path, exit_code, "annotation section bounds are inconsistent");
	if (g->sec.sites == g->sec.sites_end)
		return vmi_guest_bad(path, exit_code, "no annotated sites (vmi_sites is empty)");
	g->pristine = malloc(g->text_len);
	if (!g->pristine) {
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	memcpy(g->pristine, g->text, g->text_len);
	return true;
}

void *vmi_guest_sym(struct vmi_run_guest *g, const char *name)
{
	return dlsym(g->handle, name);
}

bool vmi_guest_restore(struct vmi_run_guest *g)
{
	if (mprotect(g->text, g->text_len, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
		return false;
	memcpy(g->text, g->pristine, g->text_len);
	if (g->sec.slots && g->sec.slots_end > g->sec.slots)
		memset(g->sec.slots, 0, (size_t)(g->sec.slots_end - g->sec.slots));
	return mprotect(g->text, g->text_len, PROT_READ | PROT_EXEC) == 0;
}

bool vmi_guest_patch(struct vmi_run_guest *g, const struct vmi_run_blob *b, const struct vmi_run_rom *rom,
		     const vmi_policy *policy, vmi_boot_state *st, void **ws)
{
	size_t nsites = (size_t)(g->sec.sites_end - g->sec.sites) / VMI_SITE_ENTRY_V1_SIZE;
	size_t ws_len = nsites * (sizeof(vmi_decision) + VMI_SITE_MAX_LEN) + 64;
	*ws = calloc(1, ws_len);
	if (!*ws)
		return false;
	VMI_OPTS(vmi_boot_args, args, .note = g->note, .note_len = g->note_len, .sites = g->sec.sites,
		 .sites_len = (size_t)(g->sec.sites_end - g->sec.sites), .native = g->sec.native,
		 .native_len = (size_t)(g->sec.native_end - g->sec.native), .text = g->text, .text_len = g->text_len,
		 .slots = g->sec.slots, .slots_len = (size_t)(g->sec.slots_end - g->sec.slots),
		 .rom = rom ? rom->copy : NULL, .rom_len = rom ? rom->info.size : 0, .policy = policy,
		 .workspace = *ws, .workspace_len = ws_len);
	if (mprotect(g->text, g->text_len, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
		return false;
	vmi_status s = b->boot(&args, st);
	mprotect(g->text, g->text_len, PROT_READ | PROT_EXEC);
	if (s != VMI_OK) {
		fprintf(stderr, "vmirun: %s: patcher.bin refused the guest: %s\n", g->path, b->strerror(s));
		return false;
	}
	if (rom && st->rom_status != VMI_OK) {
		fprintf(stderr, "vmirun: %s: patcher.bin rejected the ROM copy: %s\n", rom->path, b->strerror(st->rom_status));
		return false;
	}
	return true;
}
