/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/devices.c - the port-I/O bus and its devices: two PIC-like
 * register files, a serial-like transmitter, the delay port, a counter,
 * the result register the workloads report to, and the MMU probe port.
 *
 * Unclaimed ports read as all ones and ignore writes, as on a PC bus.
 */
#include <string.h>

#include "vmirun.h"

static struct {
	uint8_t pic_imr[2];       /* mask registers */
	uint8_t pic_last_cmd[2];  /* last command written (EOI, OCW3, ...) */
	uint64_t pic_eois[2];     /* non-specific EOIs seen */
	char serial[256];         /* transmitted bytes (first 255) */
	uint32_t serial_len;      /* bytes transmitted */
	uint64_t serial_hash;     /* FNV-1a of every transmitted byte */
	uint64_t delay_writes;    /* writes to port 0x80 */
	uint32_t counter;         /* counter device */
	uint64_t result_hash;     /* FNV-1a of every value the guest reported */
	uint64_t results;         /* values reported */
	uint32_t probe_vpn;       /* last virtual page number written to the probe port */
} vmi_dev;

void vmi_dev_reset(void)
{
	memset(&vmi_dev, 0, sizeof(vmi_dev));
	vmi_dev.serial_hash = VMI_RUN_FNV_INIT;
	vmi_dev.result_hash = VMI_RUN_FNV_INIT;
}

static uint32_t vmi_dev_mask(unsigned size)
{
	return size == 1 ? 0xffu : size == 2 ? 0xffffu : 0xffffffffu;
}

uint32_t vmi_dev_in(uint16_t port, unsigned size)
{
	uint32_t v;
	switch (port) {
	case VMI_WL_PORT_PIC1_CMD:
	case VMI_WL_PORT_PIC2_CMD:
		v = 0; /* IRR: nothing pending, the model raises no interrupts */
		break;
	case VMI_WL_PORT_PIC1_DATA:
		v = vmi_dev.pic_imr[0];
		break;
	case VMI_WL_PORT_PIC2_DATA:
		v = vmi_dev.pic_imr[1];
		break;
	case VMI_WL_PORT_SERIAL_LSR:
		v = 0x60; /* transmitter empty and idle */
		break;
	case VMI_WL_PORT_COUNTER:
		v = vmi_dev.counter;
		break;
	case VMI_WL_PORT_PROBE:
		v = vmi_mmu_probe(vmi_dev.probe_vpn);
		break;
	default:
		v = 0xffffffffu;
		break;
	}
	return v & vmi_dev_mask(size);
}

/* The window's own port write is one hypervisor entry at each end, counted
 * the same way at both (before or after the snapshot, depending on the
 * form), so close - open - 1 is exactly what happened in between. */
static void vmi_dev_window(uint32_t v)
{
	struct vmi_run_window *w = &vmi_run_cpu.win;
	const struct vmi_run_stats *s = &vmi_run_cpu.st;
	uint64_t entries = s->traps + s->hypercalls;
	if (v == 0) {
		*w = (struct vmi_run_window){ .open = true, .entries = entries, .batches = s->batches,
					      .batched_ops = s->batched_ops, .pt_writes = s->pt_writes };
	} else if (w->open) {
		w->open = false;
		w->entries = entries - w->entries - 1;
		w->batches = s->batches - w->batches;
		w->batched_ops = s->batched_ops - w->batched_ops;
		w->pt_writes = s->pt_writes - w->pt_writes;
	}
}

void vmi_dev_out(uint16_t port, unsigned size, uint32_t value)
{
	value &= vmi_dev_mask(size);
	switch (port) {
	case VMI_WL_PORT_PIC1_CMD:
	case VMI_WL_PORT_PIC2_CMD: {
		unsigned i = port == VMI_WL_PORT_PIC2_CMD;
		vmi_dev.pic_last_cmd[i] = (uint8_t)value;
		vmi_dev.pic_eois[i] += value == 0x20;
		break;
	}
	case VMI_WL_PORT_PIC1_DATA:
		vmi_dev.pic_imr[0] = (uint8_t)value;
		break;
	case VMI_WL_PORT_PIC2_DATA:
		vmi_dev.pic_imr[1] = (uint8_t)value;
		break;
	case VMI_WL_PORT_DELAY:
		vmi_dev.delay_writes++;
		break;
	case VMI_WL_PORT_SERIAL: {
		uint8_t c = (uint8_t)value;
		if (vmi_dev.serial_len < sizeof(vmi_dev.serial) - 1)
			vmi_dev.serial[vmi_dev.serial_len] = (char)c;
		vmi_dev.serial_len++;
		vmi_dev.serial_hash = vmi_run_fnv(vmi_dev.serial_hash, &c, 1);
		break;
	}
	case VMI_WL_PORT_COUNTER:
		vmi_dev.counter += value;
		break;
	case VMI_WL_PORT_RESULT:
		vmi_dev.result_hash = vmi_run_fnv(vmi_dev.result_hash, &value, sizeof(value));
		vmi_dev.results++;
		break;
	case VMI_WL_PORT_PROBE:
		vmi_dev.probe_vpn = value;
		break;
	case VMI_WL_PORT_WINDOW:
		vmi_dev_window(value);
		break;
	default:
		break;
	}
}

/* A ROM may rightly turn IODelay into nothing: statistics, not state. */
uint64_t vmi_dev_delay_writes(void)
{
	return vmi_dev.delay_writes;
}

void vmi_dev_dump(FILE *f)
{
	fprintf(f, "state pic imr=%02x/%02x last-cmd=%02x/%02x eois=%llu/%llu\n", vmi_dev.pic_imr[0],
		vmi_dev.pic_imr[1], vmi_dev.pic_last_cmd[0], vmi_dev.pic_last_cmd[1],
		(unsigned long long)vmi_dev.pic_eois[0], (unsigned long long)vmi_dev.pic_eois[1]);
	fprintf(f, "state serial bytes=%u hash=%016llx text=\"", vmi_dev.serial_len,
		(unsigned long long)vmi_dev.serial_hash);
	for (uint32_t i = 0; i < vmi_dev.serial_len && i < sizeof(vmi_dev.serial) - 1; i++) {
		unsigned char c = (unsigned char)vmi_dev.serial[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fprintf(f, "\"\n");
	fprintf(f, "state counter=0x%x\n", vmi_dev.counter);
	fprintf(f, "state results=%llu hash=%016llx\n", (unsigned long long)vmi_dev.results,
		(unsigned long long)vmi_dev.result_hash);
}
