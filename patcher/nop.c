/* SPDX-License-Identifier: MIT */
/*
 * patcher/nop.c - the canonical multi-byte NOP padding, for callers outside
 * the patcher (the table and the rules live with vmi_nop_pad in
 * internal.h, which the planner inlines).
 */
#include "internal.h"

void vmi_nop_fill(uint8_t *buf, size_t len)
{
	vmi_nop_pad(buf, len);
}
