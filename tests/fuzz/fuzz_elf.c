/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_elf.c - the ELF input path of vmipatch on arbitrary
 * files: image load (libelf + every section/segment bounds check), the
 * annotation lookup, negotiation against a ROM of the image's arch, and
 * planning over the PT_LOAD regions; then apply and unpatch.
 *
 * The loader takes a path, so the input goes through a memfd
 * (/proc/self/fd/N): no disk traffic, the real open/read code.
 * Invariants beyond "no crash": every rejection carries a message (the
 * one line a user sees); a rejected plan changed no byte of the buffer;
 * apply + unpatch gives the buffer back byte for byte.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "guestinfo.h"
#include "image.h"
#include "synth.h"
#include "toolplan.h"

static int vmi_fuzz_fd = -1;
static char vmi_fuzz_path[64];
static vmi_rom vmi_fuzz_rom[3];
static uint8_t vmi_fuzz_rom_img[3][VMI_ROM_MAX_SIZE];

static void vmi_fuzz_setup(void)
{
	if (vmi_fuzz_fd >= 0)
		return;
	vmi_fuzz_fd = memfd_create("fuzz_elf", 0);
	if (vmi_fuzz_fd < 0)
		abort();
	snprintf(vmi_fuzz_path, sizeof(vmi_fuzz_path), "/proc/self/fd/%d", vmi_fuzz_fd);
	for (uint8_t a = VMI_ARCH_I386; a <= VMI_ARCH_X86_64; a++) {
		size_t n = vmi_synth_rom(a, vmi_fuzz_rom_img[a]);
		if (vmi_rom_validate(vmi_fuzz_rom_img[a], n, NULL, &vmi_fuzz_rom[a]) != VMI_OK)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vmi_fuzz_setup();
	if (ftruncate(vmi_fuzz_fd, 0) != 0 || pwrite(vmi_fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();

	vmi_image img;
	vmi_diag d;
	memset(&d, 0, sizeof(d));
	if (vmi_image_load(&img, vmi_fuzz_path, 0, &d) != VMI_EXIT_OK) {
		VMI_FUZZ_ASSERT(d.code != VMI_EXIT_OK && d.msg[0]);
		return 0;
	}
	VMI_FUZZ_ASSERT(img.len == size && !memcmp(img.buf, data, size));
	(void)vmi_guestinfo_present(&img);

	vmi_guestinfo gi;
	memset(&d, 0, sizeof(d));
	if (vmi_guestinfo_load(&img, &gi, &d) != VMI_EXIT_OK) {
		VMI_FUZZ_ASSERT(d.code != VMI_EXIT_OK && d.msg[0]);
		vmi_image_free(&img);
		return 0;
	}
	const vmi_rom *rom = img.arch == VMI_ARCH_I386 || img.arch == VMI_ARCH_X86_64
				     ? &vmi_fuzz_rom[img.arch] : NULL;
	vmi_toolplan tp;
	memset(&d, 0, sizeof(d));
	if (vmi_toolplan_build(&tp, &img, &gi, rom, NULL, &d) != VMI_EXIT_OK) {
		VMI_FUZZ_ASSERT(d.code != VMI_EXIT_OK && d.msg[0]);
		VMI_FUZZ_ASSERT(!memcmp(img.buf, data, size));
	} else {
		vmi_summary sum;
		VMI_FUZZ_ASSERT(vmi_plan_summarize(&tp.plan, &sum) == VMI_OK);
		VMI_FUZZ_ASSERT(vmi_plan_apply(&tp.plan) == VMI_OK);
		VMI_FUZZ_ASSERT(vmi_plan_unpatch(&tp.plan) == VMI_OK);
		VMI_FUZZ_ASSERT(!memcmp(img.buf, data, size));
	}
	vmi_toolplan_free(&tp);
	vmi_image_free(&img);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Seeds come from tests/fuzz/extra_seeds.sh (generated and sample images). */
	if (getenv("VMI_FUZZ_SEEDS"))
		exit(0);
	return 0;
}
