/* SPDX-License-Identifier: MIT */
/*
 * tools/common/decoder.h - the Zydis decoder the tools check with
 * (lengths, operands: vmipatch --verify, vmilint). Apart from the Capstone
 * text (disasm.h) so that a tool that only checks does not load Capstone.
 */
#ifndef VMI_TOOL_DECODER_H
#define VMI_TOOL_DECODER_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stdint.h>

/** vmi_zydis_init - a decoder for enum vmi_arch @arch. Return: true on success. */
bool vmi_zydis_init(ZydisDecoder *dec, uint32_t arch);

#endif /* VMI_TOOL_DECODER_H */
