/* SPDX-License-Identifier: MIT */
/*
 * roms/rom_common.h - runtime pieces the sample ROMs share: the data-area
 * pointer, VMI init, per-call counters, hypercalls with a native fallback
 * and the deferred-operation queue. Included once by each ROM source
 * (everything is static: a ROM is one object).
 *
 * With data->hypercall == 0 there is no hypervisor: the ROM runs in ring 0
 * (the QEMU end-to-end guest) and performs the native instruction itself,
 * so a patched guest behaves exactly like an unpatched one.
 */
#ifndef VMI_ROMS_COMMON_H
#define VMI_ROMS_COMMON_H

#include "vmi/rom_sdk.h"

#include "native_ops.h"

#ifndef VMI_SAMPLE_MAJOR
#define VMI_SAMPLE_MAJOR 1
#endif
#ifndef VMI_SAMPLE_MINOR
#define VMI_SAMPLE_MINOR 3
#endif

/* The ROM's only writable global: set by VMI init (the image is a RAM copy). */
static struct vmi_rom_data *vmi_rd;

static inline void vmi_rom_count(uint32_t id)
{
	vmi_rd->counts[id]++;
}

static inline int vmi_rom_have_hv(void)
{
	return vmi_rd->hypercall != 0;
}

static inline unsigned long vmi_rom_hc(unsigned long nr, unsigned long a0, unsigned long a1)
{
	vmi_rom_hypercall_fn fn = (vmi_rom_hypercall_fn)(uintptr_t)vmi_rd->hypercall;
	vmi_rd->hypercalls++;
	return fn(nr, a0, a1);
}

/* ---- native forms (ring 0 only): native_ops.h ---- */

/* ---- the deferred queue ---- */

/* Hand the whole queue over in one batch (or replay it natively). */
static inline void vmi_rom_flush(void)
{
	struct vmi_rom_data *d = vmi_rd;
	if (!d->queue_len)
		return;
	if (vmi_rom_have_hv()) {
		vmi_rom_hc(VMI_HC_BATCH, (unsigned long)(uintptr_t)d->queue, d->queue_len);
	} else {
		for (uint32_t i = 0; i < d->queue_len; i++)
			vmi_native_op(d->queue[i].op, d->queue[i].a0, d->queue[i].a1);
	}
	d->batches++;
	d->queue_len = 0;
}

static inline void vmi_rom_enqueue(uint32_t op, uint64_t a0, uint64_t a1)
{
	struct vmi_rom_data *d = vmi_rd;
	if (d->queue_len >= VMI_ROM_QUEUE_MAX)
		vmi_rom_flush();
	struct vmi_rom_queue_entry *e = &d->queue[d->queue_len++];
	e->op = op;
	e->reserved = 0;
	e->a0 = a0;
	e->a1 = a1;
}

/* ---- VMI init ---- */

/*
 * Attach the data area. With a hypervisor, the CR shadows start from what
 * it reports for GetCR0/3/4 (three hypercalls); without one they are read
 * from the real registers when asked.
 */
static inline int vmi_rom_init(void *data, uint32_t size, uint32_t guest_version)
{
	if (!data || size < VMI_ROM_DATA_SIZE)
		return VMI_ROM_INIT_TOO_SMALL;
	if ((guest_version >> 8) != VMI_SAMPLE_MAJOR)
		return VMI_ROM_INIT_MAJOR;
	vmi_rd = data;
	vmi_rd->size = size;
	vmi_rd->guest_version = guest_version;
	vmi_rd->queue_len = 0;
	vmi_rd->deferred = 0;
	if (vmi_rom_have_hv()) {
		vmi_rd->cr[0] = vmi_rom_hc(VMI_CALL_GetCR0, 0, 0);
		vmi_rd->cr[3] = vmi_rom_hc(VMI_CALL_GetCR3, 0, 0);
		vmi_rd->cr[4] = vmi_rom_hc(VMI_CALL_GetCR4, 0, 0);
	}
	vmi_rd->magic = VMI_ROM_DATA_MAGIC;
	return VMI_ROM_INIT_OK;
}

#endif /* VMI_ROMS_COMMON_H */
