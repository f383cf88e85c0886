/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/crosscheck.h - --cross-check: decode each instruction with
 * Capstone as well and compare length and mnemonic with Zydis. The two
 * spell some mnemonics differently (je/jz, rep prefixes inside Capstone's
 * mnemonic, movabs/mov, retf/ret, cmpeqss/cmpss); those spellings are normalised first so only real
 * disagreements are reported.
 */
#ifndef VMI_LINT_CROSSCHECK_H
#define VMI_LINT_CROSSCHECK_H

#include <Zydis/Zydis.h>
#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * vmi_crosscheck_one - compare Zydis's @in at @code/@len/@addr with Capstone.
 * @insn: from cs_malloc(@h). On disagreement fills @why and returns false.
 */
bool vmi_crosscheck_one(csh h, cs_insn *insn, const ZydisDecodedInstruction *in, const uint8_t *code,
			size_t len, uint64_t addr, char *why, size_t whylen);

#endif /* VMI_LINT_CROSSCHECK_H */
