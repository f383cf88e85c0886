/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/blob.c - load patcher.bin the way a kernel would: check its
 * header, copy it to a random address, make it read-only and executable,
 * and call its boot entry. vmirun never links the patcher: what it runs is
 * the very blob a booting guest runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "fileio.h"
#include "vmirun.h"

#define VMI_BLOB_MAX (4u << 20)

static bool vmi_blob_bad(const char *path, int *exit_code, const char *what)
{
	fprintf(stderr, "vmirun: %s: not a usable " VMI_RUN_ARCH_NAME " patcher.bin: %s\n", path, what);
	*exit_code = VMI_RUN_EXIT_INPUT;
	return false;
}

bool vmi_blob_load(struct vmi_run_blob *b, const char *path, int *exit_code)
{
	memset(b, 0, sizeof(*b));
	const char *why = "";
	FILE *f = vmi_fopen_input(path, &why);
	if (!f) {
		fprintf(stderr, "vmirun: %s: cannot read: %s\n", path, why);
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	uint8_t *buf = malloc(VMI_BLOB_MAX + 1);
	size_t n = buf ? fread(buf, 1, VMI_BLOB_MAX + 1, f) : 0;
	fclose(f);
	if (!buf) {
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	struct vmi_blob_header h;
	bool ok = false;
	if (n < sizeof(h))
		ok = vmi_blob_bad(path, exit_code, "shorter than its header");
	else if (n > VMI_BLOB_MAX)
		ok = vmi_blob_bad(path, exit_code, "larger than 4 MiB");
	else {
		memcpy(&h, buf, sizeof(h));
		if (h.magic != VMI_BLOB_MAGIC)
			ok = vmi_blob_bad(path, exit_code, "wrong magic");
		else if (h.version != VMI_BLOB_VERSION || h.header_size < sizeof(h))
			ok = vmi_blob_bad(path, exit_code, "unknown header version");
		else if (h.arch != VMI_RUN_ARCH)
			ok = vmi_blob_bad(path, exit_code, "built for another architecture");
		else if (h.size > n || h.boot_off >= h.size || h.strerror_off >= h.size)
			ok = vmi_blob_bad(path, exit_code, "entry offsets outside the blob");
		else
			ok = true;
	}
	if (!ok) {
		free(buf);
		return false;
	}
	/* A random base: the blob must not care where it runs. */
	uint64_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = 0;
	size_t len = (h.size + 4095u) & ~(size_t)4095u;
	void *p = MAP_FAILED;
	for (int tries = 0; tries < 16 && p == MAP_FAILED; tries++, rnd = rnd * 6364136223846793005ull + 1) {
#if defined(__x86_64__)
		uint64_t at = (1ull << 32) + ((rnd >> 16) % (1ull << 32) << 12);
#else
		uint64_t at = (1ull << 24) + ((rnd >> 16) % 0xe0000u << 12); /* below 0xf1000000 */
#endif
		p = mmap((void *)(uintptr_t)at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(buf);
		*exit_code = VMI_RUN_EXIT_IO;
		return false;
	}
	memcpy(p, buf, h.size);
	free(buf);
	mprotect(p, len, PROT_READ | PROT_EXEC);
	b->base = p;
	b->len = len;
	void *boot = b->base + h.boot_off, *se = b->base + h.strerror_off;
	memcpy(&b->boot, &boot, sizeof(b->boot));
	memcpy(&b->strerror, &se, sizeof(b->strerror));
	return true;
}
