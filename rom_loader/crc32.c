/* SPDX-License-Identifier: MIT */
/*
 * crc32.c - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial
 * and final XOR 0xFFFFFFFF), the value zlib's crc32() gives. It identifies
 * a ROM in the patch stamp, so it must match what tools compute elsewhere.
 */
#include "vmi/rom.h"

/* Nibble-wise: a 16-entry table is small enough for a boot-time patcher
 * and holds only numbers, so the blob needs no relocation for it. */
static const uint32_t vmi_crc32_nibble[16] = {
	0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
	0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
	0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t vmi_crc32(const void *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint32_t crc = 0xffffffffu;

	if (!p)
		return 0;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ vmi_crc32_nibble[crc & 0xf];
		crc = (crc >> 4) ^ vmi_crc32_nibble[crc & 0xf];
	}
	return crc ^ 0xffffffffu;
}
