/* SPDX-License-Identifier: MIT */
/*
 * tools/common/romfile.h - a ROM image read from a file and validated by
 * the library (vmi_rom_validate, the same checks the boot path runs).
 */
#ifndef VMI_TOOL_ROMFILE_H
#define VMI_TOOL_ROMFILE_H

#include "diag.h"
#include "vmi/rom.h"

typedef struct vmi_romfile {
	const char *path; /* as given (not owned) */
	uint8_t *buf;     /* file bytes (owned) */
	size_t len;       /* file length */
	vmi_rom rom;      /* validated view into buf */
} vmi_romfile;

/**
 * vmi_romfile_load - read and validate a ROM file.
 * Return: VMI_EXIT_OK, VMI_EXIT_IO (unreadable), VMI_EXIT_INPUT (fails
 * validation: the message names the failed check; or an inline stub fails
 * vmi_rom_stubs_check).
 */
int vmi_romfile_load(vmi_romfile *rf, const char *path, vmi_diag *d);

void vmi_romfile_free(vmi_romfile *rf);

#endif /* VMI_TOOL_ROMFILE_H */
