/* SPDX-License-Identifier: MIT */
/*
 * tools/mkrom/info.h - `mkrom --info`: a validated ROM's header and call
 * table as text or JSON.
 */
#ifndef VMI_MKROM_INFO_H
#define VMI_MKROM_INFO_H

#include <stdbool.h>
#include <stdio.h>

#include "vmi/rom.h"

/** vmi_mkrom_info - print @rom (validated, from file @path) to @f. */
void vmi_mkrom_info(FILE *f, const char *path, const vmi_rom *rom, bool json);

#endif /* VMI_MKROM_INFO_H */
