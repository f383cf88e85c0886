/* SPDX-License-Identifier: MIT */
/*
 * romdata.c - the guest's side of the ROM data area (vmi/rom_sdk.h).
 *
 * The guest runs in ring 0 under QEMU, so by default it leaves
 * data->hypercall at 0: the ROM then performs each operation with the
 * native instruction itself. With `hypercall` the ROM forwards to the
 * stand-in hypervisor of hypervisor.c instead. Either way the ROM counts
 * every entry, which is what lets the counters be checked.
 */
#include "vmi/rom_sdk.h"
#include "vmi/internal/util.h"

#include "e2e.h"
#include "hypervisor.h"
#include "romdata.h"

/* Two pages: room for a ROM that asks for more than the SDK's layout. */
static union {
	struct vmi_rom_data d;
	uint8_t bytes[8192];
} vmi_e2e_area __attribute__((aligned(4096)));
#define vmi_e2e_data vmi_e2e_area.d

#if defined(__i386__)
typedef int (*vmi_e2e_init_fn)(void *data, uint32_t size, uint32_t guest_version)
	__attribute__((regparm(3)));
#else
typedef int (*vmi_e2e_init_fn)(void *data, uint32_t size, uint32_t guest_version);
#endif

vmi_status vmi_e2e_rom_init(const vmi_rom *rom, uint8_t *image, int hypercall)
{
	if (!rom->init_off) {
		vmi_e2e_printf("vmi-init: the ROM has no VMI init\n");
		return VMI_E_INVALID_ARG;
	}
	if (rom->data_size > sizeof(vmi_e2e_area)) {
		vmi_e2e_printf("vmi-init: the ROM wants %u bytes of data area, the guest has %u\n",
			       rom->data_size, (unsigned)sizeof(vmi_e2e_area));
		return VMI_E_NO_SPACE;
	}
	vmi_memset(&vmi_e2e_area, 0, sizeof(vmi_e2e_area));
	vmi_e2e_data.hypercall = hypercall ? (uintptr_t)vmi_e2e_hypervisor : 0;
	vmi_e2e_init_fn init = (vmi_e2e_init_fn)(uintptr_t)(image + rom->init_off);
	int rc = init(&vmi_e2e_area, sizeof(vmi_e2e_area),
		      (VMI_INTERFACE_MAJOR << 8) | VMI_INTERFACE_MINOR);
	if (rc != VMI_ROM_INIT_OK || vmi_e2e_data.magic != VMI_ROM_DATA_MAGIC) {
		vmi_e2e_printf("vmi-init: returned %d, data magic %x\n", rc, vmi_e2e_data.magic);
		return VMI_E_STATE;
	}
	return VMI_OK;
}

uint32_t vmi_e2e_rom_count(uint32_t id)
{
	return id < VMI_CALL_ID_LIMIT ? vmi_e2e_data.counts[id] : 0;
}

uint32_t vmi_e2e_rom_hypercalls(void)
{
	return vmi_e2e_data.hypercalls;
}

uint32_t vmi_e2e_rom_queued(void)
{
	return vmi_e2e_data.queue_len;
}

void vmi_e2e_rom_reset_counts(void)
{
	vmi_memset(vmi_e2e_data.counts, 0, sizeof(vmi_e2e_data.counts));
}

void vmi_e2e_rom_print(void)
{
	vmi_e2e_printf("rom-data: hypercalls %u vif %u deferred %u queued %u batches %u\n",
		       vmi_e2e_data.hypercalls, vmi_e2e_data.vif, vmi_e2e_data.deferred,
		       vmi_e2e_data.queue_len, vmi_e2e_data.batches);
}
