/* SPDX-License-Identifier: MIT */
/*
 * patcher/encode.h - the x86 CALL encodings a site can take.
 *
 *   E8 rel32          call target          rel32 = target - (site + 5)
 *   FF 15 disp32      call *disp32(%rip)   x86-64: disp32 = slot - (site + 6)
 *   FF 15 abs32       call *abs32          i386: ModRM 0x15 is disp32 with no base
 *
 * Inline: the planner encodes every CALL site in its per-site loop.
 */
#ifndef VMI_PATCHER_ENCODE_H
#define VMI_PATCHER_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmi/patcher.h"
#include "vmi/internal/util.h"

#define VMI_CALL_REL32_LEN 5 /* E8 rel32 */
#define VMI_CALL_IND_LEN 6   /* FF 15 disp32 / abs32 */

/* Does @target lie within a signed 32-bit displacement of @next? */
static inline bool vmi_rel32_reaches(uint64_t next, uint64_t target)
{
	/* Shifted so one unsigned compare tests -2^31 <= d < 2^31. */
	return target - next + 0x80000000ull <= 0xffffffffull;
}

/* What a call's 32-bit field is computed from, given its destination
 * @dest (the ROM entry for REL32, the slot for RIP/ABS): the destination
 * minus the call's length when the field is relative to the site (so the
 * field is base - site), the destination itself when it is absolute. */
static inline uint64_t vmi_call_base(uint32_t encoding, uint64_t dest)
{
	return encoding == VMI_ENC_CALL_REL32 ? dest - VMI_CALL_REL32_LEN
	       : encoding == VMI_ENC_CALL_RIP ? dest - VMI_CALL_IND_LEN
					      : dest;
}

/* Write the call @encoding at @site with field base @base (vmi_call_base)
 * into @out; return its length (0 for VMI_ENC_NONE). */
static inline uint32_t vmi_encode_call(uint8_t *out, uint32_t encoding, uint64_t site, uint64_t base)
{
	switch (encoding) {
	case VMI_ENC_CALL_REL32:
		out[0] = 0xe8;
		/* Truncation is the i386 wrap-around; x86-64 callers checked the range. */
		vmi_put_le32(out + 1, (uint32_t)(base - site));
		return VMI_CALL_REL32_LEN;
	case VMI_ENC_CALL_RIP:
		out[0] = 0xff;
		out[1] = 0x15;
		vmi_put_le32(out + 2, (uint32_t)(base - site));
		return VMI_CALL_IND_LEN;
	case VMI_ENC_CALL_ABS:
		out[0] = 0xff;
		out[1] = 0x15;
		vmi_put_le32(out + 2, (uint32_t)base);
		return VMI_CALL_IND_LEN;
	default:
		return 0;
	}
}

#endif /* VMI_PATCHER_ENCODE_H */
