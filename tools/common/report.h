/* SPDX-License-Identifier: MIT */
/*
 * tools/common/report.h - the pieces of output vmipatch and vmidump share:
 * the note, the ROM, the offer and the per-form/per-reason summary, as text
 * and as JSON (so both tools print them the same way).
 */
#ifndef VMI_TOOL_REPORT_H
#define VMI_TOOL_REPORT_H

#include <stdio.h>

#include "json.h"
#include "vmi/patcher.h"

/** vmi_features_text - "deferred,pae" or "none" into @buf. */
const char *vmi_features_text(uint32_t features, char *buf, size_t len);

/** vmi_stamp_state_name - "native", "patched", or "unknown" for a state no tool writes. */
const char *vmi_stamp_state_name(uint32_t state);

void vmi_report_guest_text(FILE *f, const vmi_guest *g);
void vmi_report_guest_json(vmi_json *j, const vmi_guest *g);
void vmi_report_rom_text(FILE *f, const char *path, const vmi_rom *rom);
void vmi_report_rom_json(vmi_json *j, const char *path, const vmi_rom *rom);
void vmi_report_offer_text(FILE *f, const vmi_offer *o);
void vmi_report_offer_json(vmi_json *j, const vmi_offer *o);
/** summary lines: "forms: ident 3, call 5" / "reasons: ok 5, not-offered 3" (zero counts left out) */
void vmi_report_summary_text(FILE *f, const vmi_summary *s);
void vmi_report_summary_json(vmi_json *j, const vmi_summary *s);

#endif /* VMI_TOOL_REPORT_H */
