/* SPDX-License-Identifier: MIT */
/*
 * console.c - COM1 output and the isa-debug-exit device. Polled, no
 * interrupts: the guest runs with the PIC masked.
 */
#include "e2e.h"

void vmi_e2e_console_init(void)
{
	vmi_e2e_outb(VMI_E2E_COM1 + 1, 0x00); /* no UART interrupts */
	vmi_e2e_outb(VMI_E2E_COM1 + 3, 0x80); /* DLAB to set the divisor */
	vmi_e2e_outb(VMI_E2E_COM1 + 0, 0x01); /* 115200 baud */
	vmi_e2e_outb(VMI_E2E_COM1 + 1, 0x00);
	vmi_e2e_outb(VMI_E2E_COM1 + 3, 0x03); /* 8N1 */
	vmi_e2e_outb(VMI_E2E_COM1 + 2, 0xc7); /* FIFO on, cleared */
	vmi_e2e_outb(VMI_E2E_COM1 + 4, 0x03); /* DTR, RTS */
}

static void vmi_e2e_putc(char c)
{
	if (c == '\n')
		vmi_e2e_putc('\r');
	while (!(vmi_e2e_inb(VMI_E2E_COM1 + 5) & 0x20))
		;
	vmi_e2e_outb(VMI_E2E_COM1, (uint8_t)c);
}

static void vmi_e2e_puts(const char *s)
{
	while (*s)
		vmi_e2e_putc(*s++);
}

static void vmi_e2e_putnum(uint32_t v, unsigned base, int width, char pad)
{
	char buf[12];
	int n = 0;
	do {
		unsigned d = v % base;
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (width-- > n)
		vmi_e2e_putc(pad);
	while (n)
		vmi_e2e_putc(buf[--n]);
}

/* %s %c %d %u %x with an optional zero-pad width, and %llx. */
void vmi_e2e_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			vmi_e2e_putc(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			vmi_e2e_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			vmi_e2e_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				vmi_e2e_putc('-');
				v = -v;
			}
			vmi_e2e_putnum((uint32_t)v, 10, width, pad);
			break;
		}
		case 'u':
			vmi_e2e_putnum(va_arg(ap, unsigned), 10, width, pad);
			break;
		case 'x':
			vmi_e2e_putnum(va_arg(ap, unsigned), 16, width, pad);
			break;
		case 'l': /* only %llx */
			fmt += 2;
			{
				uint64_t v = va_arg(ap, unsigned long long);
				if (v >> 32) {
					vmi_e2e_putnum((uint32_t)(v >> 32), 16, 0, '0');
					vmi_e2e_putnum((uint32_t)v, 16, 8, '0');
				} else {
					vmi_e2e_putnum((uint32_t)v, 16, width, pad);
				}
			}
			break;
		case '%':
			vmi_e2e_putc('%');
			break;
		default:
			vmi_e2e_putc('?');
			break;
		}
	}
}

void vmi_e2e_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmi_e2e_vprintf(fmt, ap);
	va_end(ap);
}

void vmi_e2e_exit(int pass)
{
	vmi_e2e_printf("RESULT: %s\n", pass ? "PASS" : "FAIL");
	vmi_e2e_outl(VMI_E2E_EXIT_PORT, pass ? VMI_E2E_EXIT_PASS : VMI_E2E_EXIT_FAIL);
	/* Only reached without the exit device: stop the CPU. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
