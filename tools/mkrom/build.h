/* SPDX-License-Identifier: MIT */
/*
 * tools/mkrom/build.h - turn a ROM object (declarations from vmi/rom_sdk.h
 * plus position-independent code) into a validated VMI ROM image.
 *
 * Image layout, every offset from the ROM start:
 *   0x00                 option-ROM + VMI header (vmi/rom.h)
 *   0x40                 call table, sorted by call id
 *   then, each at its own alignment, in section-table order within a class:
 *     INLINE stubs (.vmirom.stub), code, read-only data, writable data,
 *     zero-initialised data (stored as zeros: the guest runs a RAM copy)
 *   last byte            checksum; the image is padded to a 512-byte multiple
 * The GOT base of i386 GOTOFF/GOTPC relocations is the ROM start.
 * Nothing depends on time or on the host, so the same object gives the same
 * bytes.
 */
#ifndef VMI_MKROM_BUILD_H
#define VMI_MKROM_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "obj.h"

/**
 * vmi_mkrom_build - lay out, relocate, checksum and validate.
 * @want_arch: enum vmi_arch the caller asked for, 0 = the object's.
 * @image/@len: on success a malloc'ed image the caller frees.
 * Return: VMI_EXIT_OK or VMI_EXIT_INPUT with @d naming the problem.
 */
int vmi_mkrom_build(const vmi_obj *o, uint8_t want_arch, uint8_t **image, size_t *len, vmi_diag *d);

#endif /* VMI_MKROM_BUILD_H */
