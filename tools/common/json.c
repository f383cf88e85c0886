/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <inttypes.h>

void vmi_json_init(vmi_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Comma before every value except the first of its container or after a key. */
static void vmi_json_sep(vmi_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void vmi_json_open(vmi_json *j, char c)
{
	vmi_json_sep(j);
	fputc(c, j->f);
	if (j->depth + 1 < VMI_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void vmi_json_close(vmi_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->f);
}

void vmi_json_obj(vmi_json *j) { vmi_json_open(j, '{'); }
void vmi_json_obj_end(vmi_json *j) { vmi_json_close(j, '}'); }
void vmi_json_arr(vmi_json *j) { vmi_json_open(j, '['); }
void vmi_json_arr_end(vmi_json *j) { vmi_json_close(j, ']'); }

static void vmi_json_raw_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p); /* non-ASCII bytes kept readable and valid */
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void vmi_json_key(vmi_json *j, const char *key)
{
	vmi_json_sep(j);
	vmi_json_raw_str(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void vmi_json_str(vmi_json *j, const char *s)
{
	vmi_json_sep(j);
	vmi_json_raw_str(j->f, s);
}

void vmi_json_u64(vmi_json *j, uint64_t v)
{
	vmi_json_sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void vmi_json_hex(vmi_json *j, uint64_t v)
{
	vmi_json_sep(j);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void vmi_json_bool(vmi_json *j, bool v)
{
	vmi_json_sep(j);
	fputs(v ? "true" : "false", j->f);
}

void vmi_json_null(vmi_json *j)
{
	vmi_json_sep(j);
	fputs("null", j->f);
}

void vmi_json_kstr(vmi_json *j, const char *key, const char *s)
{
	vmi_json_key(j, key);
	if (s)
		vmi_json_str(j, s);
	else
		vmi_json_null(j);
}

void vmi_json_ku64(vmi_json *j, const char *key, uint64_t v)
{
	vmi_json_key(j, key);
	vmi_json_u64(j, v);
}

void vmi_json_khex(vmi_json *j, const char *key, uint64_t v)
{
	vmi_json_key(j, key);
	vmi_json_hex(j, v);
}

void vmi_json_kbool(vmi_json *j, const char *key, bool v)
{
	vmi_json_key(j, key);
	vmi_json_bool(j, v);
}

void vmi_json_end(vmi_json *j)
{
	fputc('\n', j->f);
}
