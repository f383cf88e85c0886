/* SPDX-License-Identifier: MIT */
#include "romfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger than any valid ROM, so a bigger file is refused before reading it all. */
#define VMI_ROMFILE_MAX (VMI_ROM_MAX_SIZE + 4096u)

int vmi_romfile_load(vmi_romfile *rf, const char *path, vmi_diag *d)
{
	memset(rf, 0, sizeof(*rf));
	rf->path = path;
	FILE *f = fopen(path, "rb");
	if (!f)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open ROM: %s", strerror(errno));
	rf->buf = malloc(VMI_ROMFILE_MAX + 1);
	if (!rf->buf) {
		fclose(f);
		return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
	}
	rf->len = fread(rf->buf, 1, VMI_ROMFILE_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot read ROM");
	if (rf->len > VMI_ROMFILE_MAX)
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "not a VMI ROM: file larger than %u bytes",
				    VMI_ROM_MAX_SIZE);
	vmi_status st = vmi_rom_validate(rf->buf, rf->len, NULL, &rf->rom);
	if (st != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "ROM fails validation: %s", vmi_strerror(st));
	return VMI_EXIT_OK;
}

void vmi_romfile_free(vmi_romfile *rf)
{
	free(rf->buf);
	rf->buf = NULL;
}
