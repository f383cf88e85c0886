/* SPDX-License-Identifier: MIT */
/*
 * tools/common/stubcheck.h - may a ROM's inline stub be copied into a site?
 *
 * An INLINE stub runs in the middle of the guest's code and must fall
 * through to the site's padding: whole instructions (Zydis), and no
 * transfer out of it. A ret, call, far or indirect jump, int/iret or
 * syscall/sysenter would leave the site with the guest's stack or flow in
 * an unknown state; a relative jump may only land inside the stub or at
 * its end. The boot path has no decoder, so the offline tools check every
 * ROM they read, before anything is planned or written.
 */
#ifndef VMI_TOOL_STUBCHECK_H
#define VMI_TOOL_STUBCHECK_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmi/rom.h"

/**
 * vmi_stub_check - is [@p, @p + @len) a stub that can be inlined?
 * Return: true, or false with @why (at most @whylen bytes) saying which
 * byte offset holds what.
 */
bool vmi_stub_check(const ZydisDecoder *dec, const uint8_t *p, size_t len, char *why, size_t whylen);

/**
 * vmi_rom_stubs_check - vmi_stub_check on every stub of a validated ROM.
 * Return: true, or false with @why naming the call and the problem.
 */
bool vmi_rom_stubs_check(const vmi_rom *rom, char *why, size_t whylen);

#endif /* VMI_TOOL_STUBCHECK_H */
