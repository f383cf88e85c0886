/* SPDX-License-Identifier: MIT */
#include "x86check.h"

#include <Zydis/Zydis.h>

static void vmi_x86_init(ZydisDecoder *d, int arch)
{
	if (arch == 1)
		ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
	else
		ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
}

int vmi_x86_only_nops(int arch, const uint8_t *buf, size_t len)
{
	ZydisDecoder d;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	size_t off = 0, prev = 16;
	vmi_x86_init(&d, arch);
	while (off < len) {
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&d, buf + off, len - off, &in, ops)))
			return 0;
		if (in.mnemonic != ZYDIS_MNEMONIC_NOP || in.length > prev)
			return 0;
		prev = in.length;
		off += in.length;
	}
	return off == len;
}

size_t vmi_x86_decode_call(int arch, const uint8_t *buf, size_t len, uint64_t addr, int *kind,
			   uint64_t *target)
{
	ZydisDecoder d;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	vmi_x86_init(&d, arch);
	*kind = 0;
	if (ZYAN_FAILED(ZydisDecoderDecodeFull(&d, buf, len, &in, ops)) || in.mnemonic != ZYDIS_MNEMONIC_CALL)
		return 0;
	if (ops[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && ops[0].imm.is_relative) {
		if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(&in, &ops[0], addr, target)))
			return 0;
		if (arch == 1)
			*target &= 0xffffffffu;
		*kind = 1;
	} else if (ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY) {
		if (ZYAN_FAILED(ZydisCalcAbsoluteAddress(&in, &ops[0], addr, target)))
			return 0;
		*kind = 2;
	} else {
		return 0;
	}
	return in.length;
}
