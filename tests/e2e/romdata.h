/* SPDX-License-Identifier: MIT */
/*
 * romdata.h - the guest's side of the ROM data area (vmi/rom_sdk.h):
 * VMI init and the per-call counters the ROM keeps there.
 */
#ifndef VMI_E2E_ROMDATA_H
#define VMI_E2E_ROMDATA_H

#include <stdint.h>

#include "vmi/rom.h"

/* Runs VMI init of the RAM copy @image with the guest's zeroed data area.
 * Init may write into @image (the ROM keeps its data pointer there), so the
 * guest validates and patches before it. @hypercall: route the ROM to the
 * in-guest hypervisor instead of native execution. */
vmi_status vmi_e2e_rom_init(const vmi_rom *rom, uint8_t *image, int hypercall);
/* Hypervisor entries the ROM says it made. */
uint32_t vmi_e2e_rom_hypercalls(void);
/* Entries the ROM counted for @id since the last reset. */
uint32_t vmi_e2e_rom_count(uint32_t id);
/* Forget what VMI init itself may have counted. */
void vmi_e2e_rom_reset_counts(void);
/* Deferred operations the ROM holds right now (0 without a ROM). */
uint32_t vmi_e2e_rom_queued(void);
/* One line with the ROM's own bookkeeping (hypercalls, vif, deferred queue). */
void vmi_e2e_rom_print(void);

#endif /* VMI_E2E_ROMDATA_H */
