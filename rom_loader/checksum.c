/* SPDX-License-Identifier: MIT */
/* checksum.c - the option-ROM byte sum (the BIOS refuses a ROM whose sum is not 0). */
#include "vmi/rom.h"

void vmi_rom_checksum_fix(void *image, size_t len)
{
	uint8_t *b = (uint8_t *)image;
	uint8_t sum = 0;

	if (!b || !len)
		return;
	for (size_t i = 0; i + 1 < len; i++)
		sum = (uint8_t)(sum + b[i]);
	b[len - 1] = (uint8_t)(0u - sum);
}
