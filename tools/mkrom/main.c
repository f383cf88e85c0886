/* SPDX-License-Identifier: MIT */
/*
 * mkrom - the VMI ROM SDK's builder: a relocatable object written against
 * vmi/rom_sdk.h in, a validated option ROM out; `--info` shows a ROM.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "build.h"
#include "diag.h"
#include "info.h"
#include "obj.h"
#include "romfile.h"
#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/vmi.h"

static void vmi_usage(FILE *f)
{
	fprintf(f,
		"usage: mkrom -o OUT.rom [--arch i386|x86_64] OBJECT.o\n"
		"       mkrom --info [--json] ROM\n"
		"Build a VMI option ROM from an object written against <vmi/rom_sdk.h>,\n"
		"or describe a ROM.\n"
		"  -o, --output=FILE   write the ROM here (atomically; nothing on error)\n"
		"      --arch=ARCH     require the object to be for ARCH (i386 or x86_64)\n"
		"      --info          print the ROM's header and call table\n"
		"      --json          with --info: JSON instead of text\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"Exit status: 0 ok, 1 bad input or spec, 2 usage, 3 I/O error.\n");
}

/* Test aid (documented in mkrom(1) under TESTING): damage a valid ROM in one
 * specific way so loader tests get ROMs that fail one specific check. */
static int vmi_corrupt(const char *kind, const char *in, const char *out, vmi_diag *d)
{
	vmi_romfile rf;
	int rc = vmi_romfile_load(&rf, in, d);
	if (rc)
		return rc;
	size_t len = rf.rom.size;
	if (!strcmp(kind, "checksum")) {
		rf.buf[len - 1] ^= 0x5a;
	} else if (!strcmp(kind, "table-oob")) {
		/* Table starts 8 bytes before the end: its first entry crosses it. */
		uint32_t off = (uint32_t)len - 8;
		memcpy(rf.buf + 0x20, &(uint8_t[4]){ (uint8_t)off, (uint8_t)(off >> 8), 0, 0 }, 4);
		vmi_rom_checksum_fix(rf.buf, len);
	} else if (!strcmp(kind, "truncate")) {
		len = len > VMI_ROM_BLOCK ? len - VMI_ROM_BLOCK : len / 2;
	} else {
		vmi_romfile_free(&rf);
		return vmi_diag_set(d, VMI_EXIT_USAGE, NULL, "--corrupt: unknown kind '%s'", kind);
	}
	rc = vmi_atomic_write(out, rf.buf, len, 0644, d);
	vmi_romfile_free(&rf);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "arch", required_argument, NULL, 'a' },
		{ "info", no_argument, NULL, 'i' },         { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'v' },
		{ "corrupt", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *corrupt = NULL;
	bool info = false, json = false;
	uint8_t arch = 0;
	vmi_diag d = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'i': info = true; break;
		case 'j': json = true; break;
		case 'c': corrupt = optarg; break;
		case 'h': vmi_usage(stdout); return VMI_EXIT_OK;
		case 'v': printf("mkrom (vmipatch) %s, VMI interface %d.%d\n", VMI_VERSION_STRING,
				 VMI_INTERFACE_MAJOR, VMI_INTERFACE_MINOR);
			return VMI_EXIT_OK;
		case 'a':
			if (!(arch = vmi_arch_parse(optarg))) {
				fprintf(stderr, "mkrom: --arch: '%s' is not i386 or x86_64\n", optarg);
				return VMI_EXIT_USAGE;
			}
			break;
		default: vmi_usage(stderr); return VMI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (info && (out || corrupt)) || (!info && !out) || (json && !info)) {
		fprintf(stderr, "mkrom: expected -o OUT.rom OBJECT.o, or --info [--json] ROM (see --help)\n");
		return VMI_EXIT_USAGE;
	}
	const char *in = argv[optind];
	int rc;
	if (info) {
		vmi_romfile rf;
		rc = vmi_romfile_load(&rf, in, &d);
		if (!rc)
			vmi_mkrom_info(stdout, in, &rf.rom, json);
		vmi_romfile_free(&rf);
	} else if (corrupt) {
		rc = vmi_corrupt(corrupt, in, out, &d);
	} else {
		vmi_obj o;
		uint8_t *img = NULL;
		size_t len = 0;
		rc = vmi_obj_open(&o, in, &d);
		if (!rc)
			rc = vmi_mkrom_build(&o, arch, &img, &len, &d);
		vmi_obj_close(&o);
		if (!rc)
			rc = vmi_atomic_write(out, img, len, 0644, &d);
		free(img);
	}
	vmi_diag_print("mkrom", &d);
	return rc;
}
