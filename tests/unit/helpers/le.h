/* SPDX-License-Identifier: MIT */
/*
 * le.h - little-endian writes for building test inputs (ROMs, notes, site
 * tables) by hand. Kept apart from the library's vmi/internal/util.h on
 * purpose: the bytes the parsers are tested on must not come from the
 * code that reads them.
 */
#ifndef VMI_TEST_LE_H
#define VMI_TEST_LE_H

#include <stdint.h>

static inline void vmi_test_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void vmi_test_put32(uint8_t *p, uint32_t v)
{
	vmi_test_put16(p, (uint16_t)v);
	vmi_test_put16(p + 2, (uint16_t)(v >> 16));
}

#endif /* VMI_TEST_LE_H */
