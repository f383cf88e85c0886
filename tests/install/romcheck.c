/* SPDX-License-Identifier: MIT */
/*
 * tests/install/romcheck - a hosted program built only from the installed
 * headers and libvmipatch.a (pkg-config vmipatch): validates each ROM file
 * given and prints what the library read from it, one line per file:
 *   FILE: vendor "V" interface M.N arch A calls C crc 0xX
 *   FILE: refused: <vmi_strerror>
 * Exit 0 when every file was read (valid or refused), 3 on I/O errors.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vmi/vmi.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			rc = 3;
			continue;
		}
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		vmi_rom rom;
		vmi_status st = vmi_rom_validate(buf, n, NULL, &rom);
		if (st != VMI_OK) {
			printf("%s: refused: %s\n", argv[i], vmi_strerror(st));
			continue;
		}
		printf("%s: vendor \"%s\" interface %u.%u arch %s calls %u crc 0x%08x\n", argv[i], rom.vendor,
		       (unsigned)rom.major, (unsigned)rom.minor, rom.arch == VMI_ARCH_X86_64 ? "x86_64" : "i386",
		       (unsigned)rom.call_count, (unsigned)rom.crc);
	}
	return rc;
}
