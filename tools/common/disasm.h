/* SPDX-License-Identifier: MIT */
/*
 * tools/common/disasm.h - Capstone, for the text people read (vmidump)
 * and as vmilint's second opinion. The Zydis decoder the tools check
 * with is in decoder.h.
 */
#ifndef VMI_TOOL_DISASM_H
#define VMI_TOOL_DISASM_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** vmi_capstone_open - a Capstone handle for @arch. Return: true on success. */
bool vmi_capstone_open(csh *h, uint32_t arch);

/**
 * vmi_disasm_text - render @len bytes at target address @addr as
 * "insn; insn; ..." with Capstone into @out (always NUL-terminated).
 * Undecodable bytes are shown as "(bad)".
 */
void vmi_disasm_text(csh h, const uint8_t *code, size_t len, uint64_t addr, char *out, size_t outlen);

/** vmi_hex_text - "0f 01 44" for @len bytes into @out. */
void vmi_hex_text(const uint8_t *code, size_t len, char *out, size_t outlen);

#endif /* VMI_TOOL_DISASM_H */
