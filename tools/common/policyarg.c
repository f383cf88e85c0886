/* SPDX-License-Identifier: MIT */
#include "policyarg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmi/calls.h"

#define VMI_POLICY_FORMS "ident, ident:CATEGORY|CALL, no-inline[:CALL], no-nop, max-minor:N, no-feature:NAME"

static bool vmi_word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* "a, b, c" of the names @name gives for 0..@n-1 (skipping "?"). */
static void vmi_name_list(char *buf, size_t size, const char *(*name)(uint32_t), uint32_t n, bool bits)
{
	size_t used = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (bits && !((VMI_FEAT_KNOWN >> i) & 1))
			continue;
		const char *s = name(bits ? 1u << i : i);
		if (!s || !strcmp(s, "?"))
			continue;
		int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", s);
		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
}

/* Why the library refused @item (@len bytes, no comma): the first rule of
 * the policy grammar it breaks. */
static void vmi_policy_why(const char *item, size_t len, char *why, size_t size)
{
	char list[256];
	const char *colon = memchr(item, ':', len);
	size_t klen = colon ? (size_t)(colon - item) : len;
	const char *arg = colon ? colon + 1 : NULL;
	int alen = colon ? (int)(len - klen - 1) : 0;

	if (!len) {
		snprintf(why, size, "empty item (a comma too many)");
	} else if (colon && !alen) {
		snprintf(why, size, "'%.*s' has an empty argument", (int)klen, item);
	} else if (vmi_word_is(item, klen, "ident")) {
		vmi_name_list(list, sizeof(list), vmi_category_name, VMI_CAT_COUNT, false);
		snprintf(why, size, "unknown category or call '%.*s' (categories: %s; or a call name such as SetCR3)",
			 alen, arg, list);
	} else if (vmi_word_is(item, klen, "no-inline")) {
		snprintf(why, size, "unknown call '%.*s' (a call name such as SetCR3)", alen, arg);
	} else if (vmi_word_is(item, klen, "no-nop")) {
		snprintf(why, size, "no-nop takes no argument");
	} else if (vmi_word_is(item, klen, "max-minor")) {
		if (!colon)
			snprintf(why, size, "max-minor needs a minor version (max-minor:N)");
		else
			snprintf(why, size, "'%.*s' is not a minor version 0..255", alen, arg);
	} else if (vmi_word_is(item, klen, "no-feature")) {
		vmi_name_list(list, sizeof(list), vmi_feature_name, 32, true);
		if (!colon)
			snprintf(why, size, "no-feature needs a feature name (%s)", list);
		else
			snprintf(why, size, "unknown feature '%.*s' (features: %s)", alen, arg, list);
	} else {
		snprintf(why, size, "unknown policy '%.*s' (policies: " VMI_POLICY_FORMS ")", (int)klen, item);
	}
}

int vmi_policy_arg(vmi_policy *pol, const char *text, vmi_diag *d)
{
	size_t len = strlen(text), at = 0;
	if (vmi_policy_parse(pol, text, len, &at) == VMI_OK)
		return VMI_EXIT_OK;
	if (at > len)
		at = len;
	size_t end = at;
	while (end < len && text[end] != ',')
		end++;
	char why[400];
	vmi_policy_why(text + at, end - at, why, sizeof(why));
	return vmi_diag_set(d, VMI_EXIT_USAGE, NULL, "--policy: item '%.*s' (at offset %zu): %s", (int)(end - at),
			    text + at, at, why);
}
