/* SPDX-License-Identifier: MIT */
#include "disasm.h"

#include <stdio.h>
#include <string.h>

#include "vmi/annotations.h"

bool vmi_capstone_open(csh *h, uint32_t arch)
{
	cs_mode mode = arch == VMI_ARCH_X86_64 ? CS_MODE_64 : CS_MODE_32;
	if (arch != VMI_ARCH_X86_64 && arch != VMI_ARCH_I386)
		return false;
	return cs_open(CS_ARCH_X86, mode, h) == CS_ERR_OK;
}

void vmi_disasm_text(csh h, const uint8_t *code, size_t len, uint64_t addr, char *out, size_t outlen)
{
	cs_insn *insn = cs_malloc(h);
	size_t pos = 0;

	out[0] = 0;
	if (!insn)
		return;
	while (len && pos + 1 < outlen) {
		const uint8_t *p = code;
		size_t n = len;
		uint64_t a = addr;
		const char *sep = out[0] ? "; " : "";
		int w;
		if (cs_disasm_iter(h, &p, &n, &a, insn)) {
			w = snprintf(out + pos, outlen - pos, "%s%s%s%s", sep, insn->mnemonic,
				     insn->op_str[0] ? " " : "", insn->op_str);
			size_t used = (size_t)(p - code);
			code = p;
			len -= used;
			addr = a;
		} else {
			w = snprintf(out + pos, outlen - pos, "%s(bad)", sep);
			code++;
			len--;
			addr++;
		}
		if (w < 0 || (size_t)w >= outlen - pos)
			break;
		pos += (size_t)w;
	}
	cs_free(insn, 1);
}

void vmi_hex_text(const uint8_t *code, size_t len, char *out, size_t outlen)
{
	size_t pos = 0;
	out[0] = 0;
	for (size_t i = 0; i < len && pos + 4 <= outlen; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, i ? " %02x" : "%02x", code[i]);
}
