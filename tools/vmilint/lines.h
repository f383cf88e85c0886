/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/lines.h - address to source file and line, from the
 * image's DWARF line table through elfutils' libdwfl (for an ET_REL
 * object, translated from the section layout vmi_rel_prepare chose to
 * libdwfl's own). Built without libdw (no libdw-dev), or for an image without
 * line information, every lookup fails and findings are placed as
 * IMAGE:0xADDR.
 */
#ifndef VMI_LINT_LINES_H
#define VMI_LINT_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

typedef struct vmi_lines vmi_lines;

/**
 * vmi_lines_open - read the line information of @img's file. @relocatable:
 * @img is an ET_REL object laid out by vmi_rel_prepare (img->secs[].addr).
 * Return: a handle (valid while @img is), or NULL when there is none (no
 * libdw, no DWARF).
 */
vmi_lines *vmi_lines_open(const vmi_image *img, int relocatable);

/**
 * vmi_lines_find - the source line of @addr: *@file (relative to the
 * current directory when below it; valid until vmi_lines_close) and
 * *@line. Return: 1 when found, else 0.
 */
int vmi_lines_find(vmi_lines *l, uint64_t addr, const char **file, int *line);

void vmi_lines_close(vmi_lines *l);

#endif /* VMI_LINT_LINES_H */
