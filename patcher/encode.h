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

/* A word of little-endian bytes at @p, stored with one move. */
static inline void vmi_put_word(uint8_t *p, uint64_t le)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	VMI_MOVE_(p, &le, 8);
#else
	vmi_put_le64(p, le);
#endif
}

/* Write the call @encoding at @site with field base @base (vmi_call_base)
 * into @out as one 8-byte store (the bytes past the call are for the
 * caller to overwrite); return its length (0, and nothing written, for
 * VMI_ENC_NONE). The planner's fast loop writes calls this way. */
static inline uint32_t vmi_encode_call_word(uint8_t *out, uint32_t encoding, uint64_t site, uint64_t base)
{
	/* Truncation is the i386 wrap-around; x86-64 callers checked the range. */
	switch (encoding) {
	case VMI_ENC_CALL_REL32:
		vmi_put_word(out, 0xe8 | (uint64_t)(uint32_t)(base - site) << 8);
		return VMI_CALL_REL32_LEN;
	case VMI_ENC_CALL_RIP:
		vmi_put_word(out, 0x15ff | (uint64_t)(uint32_t)(base - site) << 16);
		return VMI_CALL_IND_LEN;
	case VMI_ENC_CALL_ABS:
		vmi_put_word(out, 0x15ff | (uint64_t)(uint32_t)base << 16);
		return VMI_CALL_IND_LEN;
	default:
		return 0;
	}
}

/* The same call written exactly: nothing past out[len - 1]. */
static inline uint32_t vmi_encode_call(uint8_t *out, uint32_t encoding, uint64_t site, uint64_t base)
{
	uint8_t word[8];
	uint32_t n = vmi_encode_call_word(word, encoding, site, base);
	vmi_copy_upto32(out, word, n);
	return n;
}

#endif /* VMI_PATCHER_ENCODE_H */
