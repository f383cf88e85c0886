/* SPDX-License-Identifier: MIT */
#include "crosscheck.h"

#include <stdio.h>
#include <string.h>

/* Condition-code spellings: Capstone's (left) to Zydis's (right). */
static const char *vmi_cc_norm(const char *cc)
{
	static const char *const map[][2] = {
		{ "e", "z" },    { "ne", "nz" }, { "ae", "nb" }, { "nc", "nb" }, { "c", "b" },
		{ "nae", "b" },  { "a", "nbe" }, { "na", "be" }, { "ge", "nl" }, { "nge", "l" },
		{ "g", "nle" },  { "ng", "le" }, { "pe", "p" },  { "po", "np" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(cc, map[i][0]))
			return map[i][1];
	return cc;
}

/* One spelling for both decoders: last word (drop prefixes), cc aliases. */
static void vmi_mnem_norm(const char *in, char *out, size_t len)
{
	const char *sp = strrchr(in, ' ');
	const char *m = sp ? sp + 1 : in;
	static const char *const ccops[] = { "cmov", "set", "j" };

	/* Zydis names far transfers like near ones (the far-ness is an attribute). */
	if (!strcmp(m, "movabs"))
		m = "mov";
	else if (!strcmp(m, "retf") || !strcmp(m, "retfq"))
		m = "ret";
	else if (!strcmp(m, "lcall"))
		m = "call";
	else if (!strcmp(m, "ljmp"))
		m = "jmp";
	/* Capstone folds the SSE/AVX compare predicate into the name (cmpeqss). */
	size_t ml = strlen(m);
	const char *cmp = !strncmp(m, "vcmp", 4) ? "vcmp" : !strncmp(m, "cmp", 3) ? "cmp" : NULL;
	if (cmp && ml > strlen(cmp) + 2 &&
	    (!strcmp(m + ml - 2, "ss") || !strcmp(m + ml - 2, "sd") || !strcmp(m + ml - 2, "ps") ||
	     !strcmp(m + ml - 2, "pd"))) {
		snprintf(out, len, "%s%s", cmp, m + ml - 2);
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(ccops[i]);
		if (!strncmp(m, ccops[i], n) && m[n] && strcmp(m, "jmp") && strncmp(m, "jecxz", 5) &&
		    strncmp(m, "jrcxz", 5) && strncmp(m, "jcxz", 4)) {
			snprintf(out, len, "%s%s", ccops[i], vmi_cc_norm(m + n));
			return;
		}
	}
	snprintf(out, len, "%s", m);
}

bool vmi_crosscheck_one(csh h, cs_insn *insn, const ZydisDecodedInstruction *in, const uint8_t *code,
			size_t len, uint64_t addr, char *why, size_t whylen)
{
	const uint8_t *p = code;
	size_t n = len;
	uint64_t a = addr;
	const char *zm = ZydisMnemonicGetString(in->mnemonic);
	char za[32], ca[32];

	if (!cs_disasm_iter(h, &p, &n, &a, insn)) {
		snprintf(why, whylen, "zydis %s (%u bytes), capstone cannot decode", zm ? zm : "?",
			 (unsigned)in->length);
		return false;
	}
	if (insn->size != in->length) {
		snprintf(why, whylen, "length: zydis %s %u bytes, capstone %s %u bytes", zm ? zm : "?",
			 (unsigned)in->length, insn->mnemonic, (unsigned)insn->size);
		return false;
	}
	vmi_mnem_norm(zm ? zm : "?", za, sizeof(za));
	vmi_mnem_norm(insn->mnemonic, ca, sizeof(ca));
	if (strcmp(za, ca) != 0) {
		snprintf(why, whylen, "mnemonic: zydis %s, capstone %s", zm ? zm : "?", insn->mnemonic);
		return false;
	}
	return true;
}
