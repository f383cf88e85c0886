/* SPDX-License-Identifier: MIT */
/*
 * x86check.h - decode patched bytes with Zydis and say what they are.
 * Independent of the patcher's encoders: the verdicts come from the
 * decoder, not from re-encoding.
 */
#ifndef VMI_TEST_X86CHECK_H
#define VMI_TEST_X86CHECK_H

#include <stddef.h>
#include <stdint.h>

/* 1 if buf[0..len) decodes (@arch: 1 = i386, 2 = x86-64) as NOP
 * instructions only, covering exactly @len bytes, each chunk no longer than
 * the one before (largest first). */
int vmi_x86_only_nops(int arch, const uint8_t *buf, size_t len);

/* Decode a CALL at @addr. Returns its length (0 if not a CALL) and sets
 * @kind to 1 (direct rel32, *target = destination), 2 (memory operand,
 * *target = the address it loads the destination from). */
size_t vmi_x86_decode_call(int arch, const uint8_t *buf, size_t len, uint64_t addr, int *kind,
			   uint64_t *target);

#endif
