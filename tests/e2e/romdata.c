/* placeholder until vmi/rom_sdk.h lands */
#include "e2e.h"
#include "romdata.h"
vmi_status vmi_e2e_rom_init(const vmi_rom *rom, uint8_t *image) { (void)rom; (void)image; return VMI_OK; }
uint32_t vmi_e2e_rom_count(uint32_t id) { (void)id; return 0; }
void vmi_e2e_rom_reset_counts(void) {}
