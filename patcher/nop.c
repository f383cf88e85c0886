/* SPDX-License-Identifier: MIT */
/*
 * patcher/nop.c - the canonical multi-byte NOP padding.
 *
 * The bytes must stay identical to the padding the guest macros emit
 * (include/vmi/guest.h): an IDENT site and a never-patched site are then
 * byte-identical, which is what lets an offline restore reproduce the input
 * image exactly.
 */
#include "vmi/patcher.h"

/* Row n-1 holds the n-byte NOP (Intel SDM recommended forms). A 2-D char
 * array rather than a pointer table: nothing in it needs relocation. */
static const uint8_t vmi_nops[8][8] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void vmi_nop_fill(uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = len > 8 ? 8 : len;
		for (size_t i = 0; i < n; i++)
			buf[i] = vmi_nops[n - 1][i];
		buf += n;
		len -= n;
	}
}
