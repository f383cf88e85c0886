/* SPDX-License-Identifier: MIT */
/*
 * tools/common/sitecheck.h - do an image's annotations describe its code?
 *
 * The planner checks that every site and native copy lies in loadable
 * bytes (and sites in an executable segment); it cannot see whether the
 * table describes the code that is there. A wrong site offset or native
 * copy is then patched silently, --verify passes (it checks the new
 * bytes), and --restore writes a "native" form that never was. So before
 * anything is written:
 *  - every site lies inside one allocated SHF_EXECINSTR section (when the
 *    image has section headers; a segment's executable flag can cover
 *    read-only data that the linker placed beside the code);
 *  - in an image stamped native, every site starts with the bytes of its
 *    native copy (the site is the native instruction, then padding).
 * An image stamped patched holds other forms; only the first rule applies.
 */
#ifndef VMI_TOOL_SITECHECK_H
#define VMI_TOOL_SITECHECK_H

#include "diag.h"
#include "guestinfo.h"
#include "image.h"

/**
 * vmi_sitecheck - check every site of @gi against @img's code.
 * Run after the plan was built (the bounds are the planner's checks).
 * Return: VMI_EXIT_OK, or VMI_EXIT_INPUT with @d naming the first bad site
 * (index, address, call) and what is wrong.
 */
int vmi_sitecheck(const vmi_image *img, const vmi_guestinfo *gi, vmi_diag *d);

#endif /* VMI_TOOL_SITECHECK_H */
