/* SPDX-License-Identifier: MIT */
/* Port I/O sites of each width plus the I/O delay. */
#include "sample.h"

#define VMI_SAMPLE_IO_FN(n)                                                                        \
	VMI_SAMPLE_FN void vmi_sample_io_##n(void);                                                \
	VMI_SAMPLE_FN void vmi_sample_io_##n(void)                                                 \
	{                                                                                          \
		uint8_t b = vmi_inb(0x60 + n);                                                     \
		uint16_t w = vmi_inw(0x1f0);                                                       \
		uint32_t l = vmi_inl(0xcfc);                                                       \
		vmi_outb(b, 0x64);                                                                 \
		vmi_outw(w, 0x1f0);                                                                \
		vmi_outl(l, 0xcf8);                                                                \
		vmi_io_delay();                                                                    \
	}
VMI_SAMPLE_REP(VMI_SAMPLE_IO_FN)
