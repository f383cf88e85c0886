/* SPDX-License-Identifier: MIT */
/* names.c - printable names of the site forms (reports, tools, boot log). */
#include "vmi/rom.h"

const char *vmi_form_name(uint32_t form)
{
	switch (form) {
	case VMI_FORM_IDENT: return "ident";
	case VMI_FORM_INLINE: return "inline";
	case VMI_FORM_CALL: return "call";
	case VMI_FORM_NOP: return "nop";
	}
	return "?";
}
