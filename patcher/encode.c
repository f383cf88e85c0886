/* SPDX-License-Identifier: MIT */
/*
 * patcher/encode.c - the x86 CALL encodings a site can take.
 *
 *   E8 rel32          call target          rel32 = target - (site + 5)
 *   FF 15 disp32      call *disp32(%rip)   x86-64: disp32 = slot - (site + 6)
 *   FF 15 abs32       call *abs32          i386: ModRM 0x15 is disp32 with no base
 */
#include "internal.h"
#include "vmi/internal/util.h"

bool vmi_rel32_reaches(uint64_t next, uint64_t target)
{
	int64_t d = (int64_t)(target - next);
	return d >= INT32_MIN && d <= INT32_MAX;
}

uint32_t vmi_encode_call(uint8_t *out, uint32_t encoding, uint64_t site, uint64_t dest)
{
	switch (encoding) {
	case VMI_ENC_CALL_REL32:
		out[0] = 0xe8;
		/* Truncation is the i386 wrap-around; x86-64 callers checked the range. */
		vmi_put_le32(out + 1, (uint32_t)(dest - (site + VMI_CALL_REL32_LEN)));
		return VMI_CALL_REL32_LEN;
	case VMI_ENC_CALL_RIP:
		out[0] = 0xff;
		out[1] = 0x15;
		vmi_put_le32(out + 2, (uint32_t)(dest - (site + VMI_CALL_IND_LEN)));
		return VMI_CALL_IND_LEN;
	case VMI_ENC_CALL_ABS:
		out[0] = 0xff;
		out[1] = 0x15;
		vmi_put_le32(out + 2, (uint32_t)dest);
		return VMI_CALL_IND_LEN;
	default:
		return 0;
	}
}
