/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/guest_abi.h - what vmirun and a guest workload object agree
 * on: the ports of the model's devices, the environment a workload gets,
 * and the symbols the guest object exports.
 *
 * A guest object is a shared object built with vmi/guest.h (-fPIC
 * -nostdlib; -mno-red-zone on x86-64), of the architecture vmirun was
 * built for: x86-64, or i386 for vmirun-i386 (the structures below then
 * have 32-bit pointers on both sides). vmirun finds its note through the
 * program headers and its annotation sections through
 * vmi_wl_get_sections(); workloads are `void vmi_wl_<name>(const struct
 * vmi_wl_env *)`, benchmark loops `void vmi_bn_<name>(const struct
 * vmi_wl_env *, unsigned long n)`.
 */
#ifndef VMI_RUN_GUEST_ABI_H
#define VMI_RUN_GUEST_ABI_H

#include <stdint.h>

/* Port map of the model's I/O bus. */
#define VMI_WL_PORT_PIC1_CMD 0x20   /* PIC-like register file: command / IRR */
#define VMI_WL_PORT_PIC1_DATA 0x21  /* mask register */
#define VMI_WL_PORT_DELAY 0x80      /* POST/delay port: writes are counted */
#define VMI_WL_PORT_PIC2_CMD 0xa0
#define VMI_WL_PORT_PIC2_DATA 0xa1
#define VMI_WL_PORT_SERIAL 0x3f8    /* serial-like: data register (transmit log) */
#define VMI_WL_PORT_SERIAL_LSR 0x3fd /* line status: always ready (0x60) */
#define VMI_WL_PORT_RESULT 0x500    /* outl: value folded into the result hash */
#define VMI_WL_PORT_COUNTER 0x504   /* outl adds, inl reads; outw/outb add too */
#define VMI_WL_PORT_PROBE 0x508     /* outl: virtual page number; inl: its PFN via the TLB, or ~0 */
#define VMI_WL_PROBE_MISS 0xffffffffu
#define VMI_WL_PORT_WINDOW 0x50c    /* outl 0: open a measuring window, 1: close it (see --stats) */

/* Page-table entry bits the model's walker looks at. */
#define VMI_WL_PTE_P 0x1ull
#define VMI_WL_PTE_W 0x2ull
#define VMI_WL_PTE_ADDR 0x000ffffffffff000ull

/* Scratch MSRs the model implements besides the architectural ones. */
#define VMI_WL_MSR_SCRATCH0 0x40000100u
#define VMI_WL_MSR_SCRATCH_COUNT 4

struct vmi_wl_env {
	uint64_t *pt;      /* page-table area as the guest sees it (writes trap unless patched) */
	uint64_t pt_gpa;   /* guest-physical address of pt[0] */
	uint32_t pt_pages; /* 4 KiB pages in the area */
	uint32_t n;        /* iterations the workload should do */
};

/* Where the guest object's annotation sections are (from __start_/__stop_). */
struct vmi_wl_sections {
	const uint8_t *sites, *sites_end;   /* vmi_sites */
	const uint8_t *native, *native_end; /* vmi_native */
	uint8_t *slots, *slots_end;         /* vmi_slots */
};

typedef void (*vmi_wl_fn)(const struct vmi_wl_env *env);
typedef void (*vmi_bn_fn)(const struct vmi_wl_env *env, unsigned long n);
typedef void (*vmi_wl_sections_fn)(struct vmi_wl_sections *out);

#define VMI_WL_SECTIONS_SYM "vmi_wl_get_sections"

#endif /* VMI_RUN_GUEST_ABI_H */
