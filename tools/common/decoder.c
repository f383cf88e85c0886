/* SPDX-License-Identifier: MIT */
#include "decoder.h"

#include "vmi/annotations.h"

bool vmi_zydis_init(ZydisDecoder *dec, uint32_t arch)
{
	if (arch == VMI_ARCH_X86_64)
		return ZYAN_SUCCESS(ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64));
	if (arch == VMI_ARCH_I386)
		return ZYAN_SUCCESS(ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32));
	return false;
}
