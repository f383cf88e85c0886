/* SPDX-License-Identifier: MIT */
/*
 * bench/synth_rom.c - write the synthetic ROM (synth.c) to a file, so the
 * offline benches and the bad-input tests have a ROM even before (or
 * without) the sample ROMs of the ROM SDK.
 * Usage: synth_rom i386|x86_64 OUT
 */
#include <stdio.h>
#include <string.h>

#include "synth.h"

int main(int argc, char **argv)
{
	static uint8_t rom[VMI_ROM_MAX_SIZE];

	if (argc != 3 || (strcmp(argv[1], "i386") && strcmp(argv[1], "x86_64"))) {
		fprintf(stderr, "usage: synth_rom i386|x86_64 OUT\n");
		return 2;
	}
	size_t n = vmi_synth_rom(strcmp(argv[1], "i386") ? VMI_ARCH_X86_64 : VMI_ARCH_I386, rom);
	FILE *f = fopen(argv[2], "wb");
	if (!n || !f || fwrite(rom, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "synth_rom: %s: cannot write the ROM\n", argv[2]);
		return 1;
	}
	return 0;
}
