/* SPDX-License-Identifier: MIT */
/*
 * tools/common/json.h - a small streaming JSON writer for --json output.
 *
 * It tracks nesting so callers never place commas by hand; strings are
 * escaped per RFC 8259. 64-bit addresses are written as hex strings
 * ("0xffffffff81000000") because JSON numbers lose precision past 2^53.
 */
#ifndef VMI_TOOL_JSON_H
#define VMI_TOOL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VMI_JSON_DEPTH 16

typedef struct vmi_json {
	FILE *f;                      /* destination */
	int depth;                    /* open objects/arrays */
	bool first[VMI_JSON_DEPTH];   /* nothing written yet at this level */
	bool after_key;               /* a key was written; the value follows without a comma */
} vmi_json;

void vmi_json_init(vmi_json *j, FILE *f);
void vmi_json_obj(vmi_json *j);     /* { */
void vmi_json_obj_end(vmi_json *j); /* } */
void vmi_json_arr(vmi_json *j);     /* [ */
void vmi_json_arr_end(vmi_json *j); /* ] */
void vmi_json_key(vmi_json *j, const char *key);
void vmi_json_str(vmi_json *j, const char *s);
void vmi_json_u64(vmi_json *j, uint64_t v);
void vmi_json_hex(vmi_json *j, uint64_t v); /* "0x..." string */
void vmi_json_bool(vmi_json *j, bool v);
void vmi_json_null(vmi_json *j);
/* key + value shorthands */
void vmi_json_kstr(vmi_json *j, const char *key, const char *s); /* NULL s -> null */
void vmi_json_ku64(vmi_json *j, const char *key, uint64_t v);
void vmi_json_khex(vmi_json *j, const char *key, uint64_t v);
void vmi_json_kbool(vmi_json *j, const char *key, bool v);
/** vmi_json_end - finish the document with a newline. */
void vmi_json_end(vmi_json *j);

#endif /* VMI_TOOL_JSON_H */
