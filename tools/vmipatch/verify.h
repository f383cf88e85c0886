/* SPDX-License-Identifier: MIT */
/*
 * tools/vmipatch/verify.h - --verify: decode every patched site with Zydis
 * and check that it holds the instruction sequence its decision intends:
 *   IDENT   the native copy from vmi_native, then NOPs to the site's end
 *   NOP     only NOPs, ending exactly at the site's end
 *   CALL    one `call` whose operand is the slot (or target) of its call id,
 *           then NOPs
 *   INLINE  the ROM's stub bytes, decoding to whole instructions, then NOPs
 * and that the bytes equal what the planner says it wrote.
 */
#ifndef VMI_VERIFY_H
#define VMI_VERIFY_H

#include <stdint.h>

#include "guestinfo.h"
#include "image.h"
#include "toolplan.h"

/**
 * vmi_verify_image - check every decision of @tp against the bytes in img->buf.
 * @prog: program name for the per-site failure lines (stderr).
 * Return: the number of sites that failed (0 = all as intended).
 */
uint32_t vmi_verify_image(const char *prog, const vmi_image *img, const vmi_guestinfo *gi,
			  const vmi_toolplan *tp);

#endif /* VMI_VERIFY_H */
