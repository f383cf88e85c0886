/* SPDX-License-Identifier: MIT */
/*
 * e2e.h - shared declarations of the end-to-end guest kernel.
 *
 * The harness (console, exit, ROM copy) uses plain unannotated port I/O
 * on purpose: only the workload holds annotated sites, so every site runs
 * exactly as often as the workload says and the ROM's per-call counters
 * can be checked against the plan.
 */
#ifndef VMI_E2E_H
#define VMI_E2E_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#define VMI_E2E_ARCH_NAME "x86_64"
#else
#define VMI_E2E_ARCH_NAME "i386"
#endif

#define VMI_E2E_COM1 0x3f8
#define VMI_E2E_EXIT_PORT 0xf4
#define VMI_E2E_EXIT_PASS 0x10 /* QEMU exit status (0x10 << 1) | 1 = 33 */
#define VMI_E2E_EXIT_FAIL 0x01 /* status 3 */

static inline void vmi_e2e_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t vmi_e2e_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void vmi_e2e_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

/* console.c */
void vmi_e2e_console_init(void);
void vmi_e2e_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmi_e2e_vprintf(const char *fmt, va_list ap);
__attribute__((noreturn)) void vmi_e2e_exit(int pass);

/* workload.c: runs every annotated site of the guest exactly once. */
struct vmi_e2e_results {
	unsigned failures;   /* checks that failed (each printed as it fails) */
	unsigned checks;     /* checks made */
};
void vmi_e2e_workload(struct vmi_e2e_results *r);
void vmi_e2e_check(struct vmi_e2e_results *r, int ok, const char *what, uint32_t got,
		   uint32_t want);

#if defined(__x86_64__)
/* boot64.S: the page-table root it built (identity map of the low 4 GiB). */
unsigned long vmi_e2e_boot_cr3(void);
#endif

/* memcpy/memset/memmove/memcmp, which the compiler may emit calls to,
 * come from the freestanding library the kernel links
 * (patcher/fs/freestanding_mem.c). */

#endif /* VMI_E2E_H */
