/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/rom.c - the ROM as a guest kernel handles it: read and
 * validate the image, copy it to RAM at a random address (near the guest
 * text so direct calls reach it, or far so they must go through slots),
 * hand it a data area whose hypercall field points at the model's
 * hypercall stub, and call VMI init.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "fileio.h"
#include "vmirun.h"

const struct vmi_run_rom *vmi_run_active_rom;

static uint8_t *vmi_rom_read(const char *path, size_t *len, const char **why)
{
	FILE *f = vmi_fopen_input(path, why);
	if (!f)
		return NULL;
	size_t cap = VMI_ROM_MAX_SIZE + 1, n = 0;
	uint8_t *buf = malloc(cap);
	if (buf)
		n = fread(buf, 1, cap, f);
	if (!buf || ferror(f)) {
		*why = strerror(buf ? errno : ENOMEM);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

bool vmi_rom_open(struct vmi_run_rom *r, const char *path, int *exit_code)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	const char *why = "";
	r->file = vmi_rom_read(path, &r->file_len, &why);
	if (!r->file) {
		fprintf(stderr, "vmirun: %s: cannot read: %s\n", path, why);
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	if (r->file_len > VMI_ROM_MAX_SIZE) {
		fprintf(stderr, "vmirun: %s: larger than the largest option ROM (%u bytes)\n", path, VMI_ROM_MAX_SIZE);
		*exit_code = VMI_RUN_EXIT_INPUT;
		return false;
	}
	VMI_OPTS(vmi_rom_opts, opts, .arch = VMI_RUN_ARCH);
	vmi_status s = vmi_rom_validate(r->file, r->file_len, &opts, &r->info);
	if (s != VMI_OK) {
		fprintf(stderr, "vmirun: %s: ROM rejected: %s\n", path, vmi_strerror(s));
		*exit_code = VMI_RUN_EXIT_INPUT;
		return false;
	}
	if (r->info.init_off && r->info.data_size < VMI_ROM_DATA_SIZE) {
		fprintf(stderr, "vmirun: %s: data area of %u bytes is smaller than struct vmi_rom_data (%u)\n", path,
			r->info.data_size, VMI_ROM_DATA_SIZE);
		*exit_code = VMI_RUN_EXIT_INPUT;
		return false;
	}
	return true;
}

/* A random page-aligned address within [lo, hi) where nothing is mapped yet. */
static void *vmi_rom_place(uint64_t lo, uint64_t hi, size_t len)
{
	for (int tries = 0; tries < 64; tries++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint64_t)rand() * 0x9e3779b97f4a7c15ull;
		uint64_t span = (hi - lo) >> 12;
		uint64_t at = lo + (rnd % span << 12);
		void *p = mmap((void *)(uintptr_t)at, len, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED)
			return p;
	}
	return NULL;
}

bool vmi_rom_map(struct vmi_run_rom *r, uint64_t near, bool far)
{
	size_t len = (r->info.size + 4095u) & ~(size_t)4095u;
	uint64_t lo, hi;
#if defined(__x86_64__)
	const uint64_t gib = 1ull << 30, user_top = (1ull << 47) - (1ull << 32);
	if (!far) {
		/* +-1 GiB keeps every site within rel32 reach of every ROM byte. */
		lo = near > gib + (1ull << 24) ? near - gib : (1ull << 24);
		hi = near + gib;
	} else {
		/* Beyond +-4 GiB of the text: no rel32 call can reach it. */
		lo = near > 64 * gib ? (1ull << 24) : near + 8 * gib;
		hi = near > 64 * gib ? near - 8 * gib : near + 64 * gib;
	}
	if (hi > user_top)
		hi = user_top;
#else
	/* rel32 wraps around a 32-bit address space: every address is in
	 * reach, so "far" cannot exist and is refused by the caller. */
	(void)near;
	(void)far;
	lo = 1ull << 24;
	hi = 0xf0000000ull;
#endif
	if (hi <= lo + len)
		return false;
	r->copy = vmi_rom_place(lo, hi, len);
	if (!r->copy)
		return false;
	r->copy_len = len;
	memcpy(r->copy, r->file, r->info.size);
	vmi_run_active_rom = r;
	return true;
}

bool vmi_rom_init(struct vmi_run_rom *r, uint32_t guest_version)
{
	size_t size = r->info.data_size > VMI_ROM_DATA_SIZE ? r->info.data_size : VMI_ROM_DATA_SIZE;
	r->data = calloc(1, size);
	if (!r->data)
		return false;
	r->data->hypercall = (uintptr_t)vmi_run_hc_entry;
	if (r->info.init_off) {
#if defined(__i386__)
		/* ROM entries use the ROM-call convention: regparm(3) on i386. */
		int (*init)(void *, uint32_t, uint32_t) __attribute__((regparm(3)));
#else
		int (*init)(void *, uint32_t, uint32_t);
#endif
		void *entry = r->copy + r->info.init_off;
		memcpy(&init, &entry, sizeof(init));
		int rc = init(r->data, (uint32_t)size, guest_version);
		if (rc != 0) {
			fprintf(stderr, "vmirun: %s: VMI init returned %d\n", r->path, rc);
			return false;
		}
	}
	/* The ROM's own static pointer is written; from here the copy is code only. */
	mprotect(r->copy, r->copy_len, PROT_READ | PROT_EXEC);
	/* The data area becomes the vCPU's shared page: the hypervisor side
	 * publishes the current flag and control registers into it. */
	vmi_run_shared = r->data;
	vmi_run_shared->vif = vmi_run_cpu.if_flag;
	for (unsigned n = 0; n < 5; n++)
		vmi_run_shared->cr[n] = vmi_run_cpu.cr[n];
	return true;
}

void vmi_rom_unmap(struct vmi_run_rom *r)
{
	if (vmi_run_shared == r->data && r->data) {
		vmi_run_cpu.if_flag = r->data->vif != 0;
		vmi_run_shared = NULL;
	}
	if (vmi_run_active_rom == r)
		vmi_run_active_rom = NULL;
	if (r->copy)
		munmap(r->copy, r->copy_len);
	free(r->data);
	r->copy = NULL;
	r->data = NULL;
}

void vmi_rom_close(struct vmi_run_rom *r)
{
	vmi_rom_unmap(r);
	free(r->file);
	r->file = NULL;
}
