/* SPDX-License-Identifier: MIT */
/*
 * bench/synth.h - synthetic guests and ROMs built in memory, for the
 * benchmarks and the fuzz seed generator: a ROM offering every form and a
 * guest text with N annotated sites of mixed calls and lengths, laid out
 * as the guest macros lay them out (native bytes + canonical NOPs, one
 * native copy per site, entries with self-relative offsets).
 */
#ifndef VMI_BENCH_SYNTH_H
#define VMI_BENCH_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/vmi.h"

/* Target addresses of the synthetic layout; all within +-2 GiB. */
#define VMI_SYNTH_ROM_ADDR 0xc0000u
#define VMI_SYNTH_TEXT_ADDR 0x1000000u

typedef struct vmi_synth_guest {
	uint8_t arch;          /* enum vmi_arch */
	uint32_t nsites;       /* sites */
	uint8_t *text;         /* host copy of the text */
	uint8_t *pristine;     /* the text as generated (to reset between runs) */
	size_t text_len;
	uint8_t *native;       /* native copies */
	size_t native_len;
	uint8_t *table;        /* vmi_sites */
	size_t table_len;
	uint64_t native_addr;  /* target address of the native copies */
	uint64_t table_addr;   /* target address of the table */
	uint64_t site_bytes;   /* sum of site lengths */
	vmi_guest guest;       /* what the note would say */
	vmi_region regions[2]; /* text (exec), native copies */
} vmi_synth_guest;

/* vmi_synth_rom - a valid ROM for @arch (built with tests/unit/helpers/romgen)
 * offering INLINE, CALL, NOP and IDENT entries; @buf must hold VMI_ROM_MAX_SIZE bytes. Returns its size. */
size_t vmi_synth_rom(uint8_t arch, uint8_t *buf);

/* vmi_synth_guest_make - allocate and fill a guest with @nsites sites.
 * Return: 0, or -1 when out of memory. */
int vmi_synth_guest_make(vmi_synth_guest *g, uint8_t arch, uint32_t nsites);

/* vmi_synth_guest_free - release what vmi_synth_guest_make allocated. */
void vmi_synth_guest_free(vmi_synth_guest *g);

#endif /* VMI_BENCH_SYNTH_H */
