/* SPDX-License-Identifier: MIT */
#include "verify.h"

#include <Zydis/Zydis.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "segmap.h"
#include "stubcheck.h"

#define VMI_VERIFY_MAX_LINES 20

/* Whole instructions in [p, p+len): true if they end exactly at len. */
static bool vmi_decodes_exactly(const ZydisDecoder *dec, const uint8_t *p, size_t len, bool nops_only)
{
	size_t pos = 0;
	while (pos < len) {
		ZydisDecodedInstruction in;
		if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dec, NULL, p + pos, len - pos, &in)))
			return false;
		if (nops_only && in.mnemonic != ZYDIS_MNEMONIC_NOP)
			return false;
		pos += in.length;
	}
	return pos == len;
}

/* The slot (or direct target) the call at @addr transfers through. */
static bool vmi_call_operand(const ZydisDecoder *dec, const uint8_t *p, size_t len, uint64_t addr,
			     uint8_t *ilen, uint64_t *mem, bool *indirect)
{
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dec, p, len, &in, ops)) || in.mnemonic != ZYDIS_MNEMONIC_CALL ||
	    in.operand_count_visible < 1)
		return false;
	*ilen = in.length;
	ZyanU64 a = 0;
	if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in, &ops[0], addr, &a)))
		return false;
	*indirect = ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
	if (*indirect && ops[0].mem.index != ZYDIS_REGISTER_NONE)
		return false;
	if (*indirect && ops[0].mem.base != ZYDIS_REGISTER_NONE && ops[0].mem.base != ZYDIS_REGISTER_RIP)
		return false;
	*mem = a;
	return true;
}

static bool vmi_verify_site(const ZydisDecoder *dec, const vmi_image *img, const vmi_guestinfo *gi,
			    const vmi_toolplan *tp, uint32_t i, char *why, size_t whylen)
{
	const vmi_decision *d = &tp->plan.decisions[i];
	uint64_t off, noff;
	vmi_site s;
	uint8_t expect[VMI_SITE_MAX_LEN];
	uint32_t elen = 0;

	if (!vmi_segmap_offset(img, d->addr, d->len, &off)) {
		snprintf(why, whylen, "not inside a loadable segment");
		return false;
	}
	const uint8_t *p = img->buf + off;
	if (vmi_annotations_get(&gi->ann, d->index, &s) != VMI_OK) {
		snprintf(why, whylen, "annotation entry unreadable");
		return false;
	}
	if (vmi_plan_site_bytes(&tp->plan, i, expect, &elen) != VMI_OK || elen != d->len ||
	    memcmp(expect, p, d->len) != 0) {
		snprintf(why, whylen, "bytes differ from the plan's %s form", vmi_form_name(d->form));
		return false;
	}
	size_t head = 0;
	switch (d->form) {
	case VMI_FORM_IDENT:
		if (s.native_len) {
			if (!vmi_segmap_offset(img, s.native_addr, s.native_len, &noff) ||
			    memcmp(img->buf + noff, p, s.native_len) != 0) {
				snprintf(why, whylen, "ident: site does not start with its native copy");
				return false;
			}
			if (!vmi_decodes_exactly(dec, p, s.native_len, false)) {
				snprintf(why, whylen, "ident: native bytes are not whole instructions");
				return false;
			}
		}
		head = s.native_len;
		break;
	case VMI_FORM_NOP:
		break;
	case VMI_FORM_CALL: {
		uint8_t ilen;
		uint64_t mem;
		bool indirect;
		if (!vmi_call_operand(dec, p, d->len, d->addr, &ilen, &mem, &indirect)) {
			snprintf(why, whylen, "call: site does not start with a decodable call");
			return false;
		}
		if (indirect != (d->encoding != VMI_ENC_CALL_REL32)) {
			snprintf(why, whylen, "call: %s call where a%s call was planned",
				 indirect ? "indirect" : "direct", indirect ? " direct" : "n indirect");
			return false;
		}
		if (indirect) {
			uint64_t want = tp->opts.slots_addr + (uint64_t)d->call_id * VMI_SLOT_SIZE;
			if (mem != want) {
				snprintf(why, whylen, "call: goes through 0x%llx, not slot 0x%llx of call %u",
					 (unsigned long long)mem, (unsigned long long)want, (unsigned)d->call_id);
				return false;
			}
		}
		head = ilen;
		break;
	}
	case VMI_FORM_INLINE: {
		vmi_rom_call rc;
		const vmi_rom *rom = tp->offer.rom;
		if (!rom || vmi_rom_find_call(rom, d->call_id, &rc) != VMI_OK || !rc.stub_len ||
		    rc.stub_len > d->len || memcmp(rom->image + rc.stub_off, p, rc.stub_len) != 0) {
			snprintf(why, whylen, "inline: site does not start with the ROM's stub");
			return false;
		}
		char sub[112];
		if (!vmi_stub_check(dec, p, rc.stub_len, sub, sizeof(sub))) {
			snprintf(why, whylen, "inline: %s", sub);
			return false;
		}
		head = rc.stub_len;
		break;
	}
	default:
		snprintf(why, whylen, "unknown form %u", (unsigned)d->form);
		return false;
	}
	if (!vmi_decodes_exactly(dec, p + head, d->len - head, true)) {
		snprintf(why, whylen, "%s: padding after byte %zu is not NOPs ending at the site end",
			 vmi_form_name(d->form), head);
		return false;
	}
	return true;
}

uint32_t vmi_verify_image(const char *prog, const vmi_image *img, const vmi_guestinfo *gi,
			  const vmi_toolplan *tp)
{
	ZydisDecoder dec;
	uint32_t failed = 0;
	char why[160], nb[24];

	if (!vmi_zydis_init(&dec, img->arch)) {
		fprintf(stderr, "%s: %s: verify: cannot set up the decoder\n", prog, img->path);
		return tp->plan.count ? tp->plan.count : 1;
	}
	for (uint32_t i = 0; i < tp->plan.count; i++) {
		if (vmi_verify_site(&dec, img, gi, tp, i, why, sizeof(why)))
			continue;
		const vmi_decision *d = &tp->plan.decisions[i];
		if (failed++ < VMI_VERIFY_MAX_LINES)
			fprintf(stderr, "%s: %s: verify: site %u at 0x%llx (%s): %s\n", prog, img->path,
				(unsigned)d->index, (unsigned long long)d->addr,
				vmi_call_name_of(d->call_id, nb, sizeof(nb)), why);
	}
	return failed;
}
