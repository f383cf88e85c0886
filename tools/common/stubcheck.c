/* SPDX-License-Identifier: MIT */
#include "stubcheck.h"

#include <stdio.h>

#include "decoder.h"
#include "toolplan.h"

bool vmi_stub_check(const ZydisDecoder *dec, const uint8_t *p, size_t len, char *why, size_t whylen)
{
	size_t pos = 0;
	while (pos < len) {
		ZydisDecodedInstruction in;
		ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dec, p + pos, len - pos, &in, ops))) {
			snprintf(why, whylen, "byte %zu of %zu does not start a whole instruction", pos, len);
			return false;
		}
		const char *mn = ZydisMnemonicGetString(in.mnemonic);
		switch (in.meta.category) {
		case ZYDIS_CATEGORY_RET:
		case ZYDIS_CATEGORY_CALL:
		case ZYDIS_CATEGORY_INTERRUPT:
		case ZYDIS_CATEGORY_SYSCALL:
		case ZYDIS_CATEGORY_SYSRET:
			snprintf(why, whylen, "%s at byte %zu leaves the site", mn, pos);
			return false;
		case ZYDIS_CATEGORY_UNCOND_BR:
		case ZYDIS_CATEGORY_COND_BR: {
			ZyanU64 target;
			if (ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || !ops[0].imm.is_relative ||
			    !ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &ops[0], pos, &target))) {
				snprintf(why, whylen, "%s at byte %zu is an indirect or far jump", mn, pos);
				return false;
			}
			/* Relative to the stub's start (runtime address 0 + pos). */
			if (target > len) {
				snprintf(why, whylen, "%s at byte %zu jumps out of the stub", mn, pos);
				return false;
			}
			break;
		}
		default:
			break;
		}
		pos += in.length;
	}
	return true;
}

bool vmi_rom_stubs_check(const vmi_rom *rom, char *why, size_t whylen)
{
	ZydisDecoder dec;
	char sub[112];
	if (!vmi_zydis_init(&dec, rom->arch)) {
		snprintf(why, whylen, "cannot set up the decoder");
		return false;
	}
	for (uint32_t i = 0; i < rom->call_count; i++) {
		vmi_rom_call rc;
		if (vmi_rom_call_at(rom, i, &rc) != VMI_OK || !rc.stub_len)
			continue;
		if (!vmi_stub_check(&dec, rom->image + rc.stub_off, rc.stub_len, sub, sizeof(sub))) {
			char nb[24];
			snprintf(why, whylen, "inline stub of %s (%u bytes at 0x%x): %s",
				 vmi_call_name_of(rc.call_id, nb, sizeof(nb)), (unsigned)rc.stub_len,
				 (unsigned)rc.stub_off, sub);
			return false;
		}
	}
	return true;
}
