/* SPDX-License-Identifier: MIT */
/* Port I/O of each width against the model's devices. */
#include "wl.h"

static void vmi_wl_serial_puts(const char *s)
{
	for (; *s; s++) {
		while (!(vmi_inb(VMI_WL_PORT_SERIAL_LSR) & 0x20))
			;
		vmi_outb((uint8_t)*s, VMI_WL_PORT_SERIAL);
	}
}

VMI_WL_DECL(io)
{
	/* PIC-like: mask everything, then unmask by line. */
	vmi_outb(0xff, VMI_WL_PORT_PIC1_DATA);
	vmi_outb(0xff, VMI_WL_PORT_PIC2_DATA);
	for (uint32_t i = 0; i < env->n; i++) {
		uint8_t line = (uint8_t)(i % 16);
		uint16_t port = line < 8 ? VMI_WL_PORT_PIC1_DATA : VMI_WL_PORT_PIC2_DATA;
		uint8_t m = vmi_inb(port);
		vmi_outb((uint8_t)(m ^ (1u << (line % 8))), port);
		vmi_outb(0x20, line < 8 ? VMI_WL_PORT_PIC1_CMD : VMI_WL_PORT_PIC2_CMD); /* EOI */
		vmi_io_delay();
		vmi_outw((uint16_t)(i + 1), VMI_WL_PORT_COUNTER);
		vmi_outl(i, VMI_WL_PORT_COUNTER);
	}
	vmi_wl_result(vmi_inb(VMI_WL_PORT_PIC1_DATA) | (uint32_t)vmi_inb(VMI_WL_PORT_PIC2_DATA) << 8);
	vmi_wl_result(vmi_inl(VMI_WL_PORT_COUNTER));
	vmi_wl_result(vmi_inw(VMI_WL_PORT_COUNTER));
	vmi_wl_serial_puts("vmirun io workload\n");
}
