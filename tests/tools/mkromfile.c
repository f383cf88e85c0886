/* SPDX-License-Identifier: MIT */
/*
 * mkromfile - write the ROM files the tool tests need, built with the unit
 * tests' romgen (written from vmi/rom.h alone, not from the loader), so
 * the tool tests do not depend on the ROM SDK.
 *
 *   mkromfile OUT ARCH KIND     ARCH: i386 | x86_64
 *   KIND  mix          every form: CALL entries, INLINE stubs (one too long
 *                      for any site, so it falls back to CALL), NOP, IDENT,
 *                      and feature-gated calls; interface 1.3, all features
 *         old-minor    the same table at interface 1.1
 *         wrong-major  the same table at interface 2.3
 *         bad-checksum mix with its checksum byte broken
 *         bad-stub     cli/sti inline stubs that are not valid instructions
 *                      (the loader cannot tell; the tools' stub check must)
 *         ret-stub     a cli stub that returns (leaves the site)
 *         jmp-stub     a cli stub whose jump lands past its end
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helpers/romgen.h"
#include "vmi/vmi.h"

int main(int argc, char **argv);

static const uint8_t vmi_stub_cli[] = { 0xfa };
static const uint8_t vmi_stub_sti[] = { 0xfb };
static const uint8_t vmi_stub_long[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xf4 };
static const uint8_t vmi_stub_bad[] = { 0x0f, 0x04 }; /* an undefined opcode */
static const uint8_t vmi_stub_ret[] = { 0xfa, 0xc3 };  /* cli; ret */
static const uint8_t vmi_stub_jmp[] = { 0xfa, 0xeb, 0x10 }; /* cli; jmp .+0x12 */

int main(int argc, char **argv)
{
	static uint8_t buf[VMI_ROM_MAX_SIZE];
	if (argc != 4) {
		fprintf(stderr, "usage: mkromfile OUT i386|x86_64 mix|old-minor|wrong-major|bad-checksum|bad-stub|ret-stub|jmp-stub\n");
		return 2;
	}
	uint8_t arch = !strcmp(argv[2], "i386") ? VMI_ARCH_I386 : VMI_ARCH_X86_64;
	const char *kind = argv[3];
	bool bad_stub = !strcmp(kind, "bad-stub");
	const uint8_t *cli = bad_stub ? vmi_stub_bad : vmi_stub_cli;
	uint8_t cli_len = bad_stub ? sizeof(vmi_stub_bad) : sizeof(vmi_stub_cli);
	if (!strcmp(kind, "ret-stub")) {
		cli = vmi_stub_ret;
		cli_len = sizeof(vmi_stub_ret);
	} else if (!strcmp(kind, "jmp-stub")) {
		cli = vmi_stub_jmp;
		cli_len = sizeof(vmi_stub_jmp);
	}
	const uint8_t *sti = bad_stub ? vmi_stub_bad : vmi_stub_sti;
	uint8_t sti_len = bad_stub ? sizeof(vmi_stub_bad) : sizeof(vmi_stub_sti);
	const vmi_test_call calls[] = {
		{ VMI_CALL_DisableInterrupts, VMI_FORM_INLINE, cli, cli_len, 1, 0, VMI_CLOBBER_CALL_I386 },
		{ VMI_CALL_EnableInterrupts, VMI_FORM_INLINE, sti, sti_len, 1, 0, VMI_CLOBBER_CALL_I386 },
		{ VMI_CALL_Halt, VMI_FORM_INLINE, vmi_stub_long, sizeof(vmi_stub_long), 1, 0, VMI_CLOBBER_CALL_I386 },
		{ VMI_CALL_GetCR3, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
		{ VMI_CALL_SetCR3, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
		{ VMI_CALL_RDMSR, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX | VMI_REG_DX },
		{ VMI_CALL_WRMSR, VMI_FORM_CALL, NULL, 0, 1, 0, 0 },
		{ VMI_CALL_INB, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
		{ VMI_CALL_OUTB, VMI_FORM_CALL, NULL, 0, 1, 0, 0 },
		{ VMI_CALL_CLTS, VMI_FORM_IDENT, NULL, 0, 0, 0, 0 },
		{ VMI_CALL_IODelay, VMI_FORM_NOP, NULL, 0, 0, 0, 0 },
		{ VMI_CALL_SetDeferredMode, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
		{ VMI_CALL_FlushDeferredCalls, VMI_FORM_NOP, NULL, 0, 0, 0, 0 },
		{ VMI_CALL_APICRead, VMI_FORM_CALL, NULL, 0, 1, 0, VMI_REG_AX },
		{ VMI_CALL_APICWrite, VMI_FORM_CALL, NULL, 0, 1, 0, 0 },
		{ VMI_CALL_SpinWait, VMI_FORM_CALL, NULL, 0, 1, 0, 0 },
		{ VMI_CALL_FlushTLBOthers, VMI_FORM_CALL, NULL, 0, 1, 0, 0 },
	};
	uint8_t major = !strcmp(kind, "wrong-major") ? 2 : 1;
	uint8_t minor = !strcmp(kind, "old-minor") ? 1 : 3;
	size_t n = vmi_test_rom_build(buf, sizeof(buf), major, minor, VMI_FEAT_KNOWN, arch, calls,
				      sizeof(calls) / sizeof(calls[0]));
	if (!n) {
		fprintf(stderr, "mkromfile: ROM does not fit\n");
		return 1;
	}
	if (!strcmp(kind, "bad-checksum"))
		buf[n - 1] ^= 0x5a;
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
