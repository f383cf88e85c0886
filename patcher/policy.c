/* SPDX-License-Identifier: MIT */
/*
 * patcher/policy.c - the policy string parser, its hash, and size-aware
 * field access.
 */
#include "internal.h"
#include "vmi/internal/util.h"

#define VMI_POL_HAS(p, f) VMI_OPTS_HAS(p, vmi_policy, f)

uint32_t vmi_pol_flags(const vmi_policy *p)
{
	return VMI_POL_HAS(p, flags) ? p->flags : 0;
}

uint32_t vmi_pol_ident_categories(const vmi_policy *p)
{
	return VMI_POL_HAS(p, ident_categories) ? p->ident_categories : 0;
}

uint32_t vmi_pol_deny_features(const vmi_policy *p)
{
	return VMI_POL_HAS(p, deny_features) ? p->deny_features : 0;
}

uint32_t vmi_pol_max_minor(const vmi_policy *p)
{
	if (!(vmi_pol_flags(p) & VMI_POLICY_F_MAX_MINOR) || !VMI_POL_HAS(p, max_minor))
		return 255;
	return p->max_minor;
}

bool vmi_pol_ident_call(const vmi_policy *p, uint32_t id)
{
	return id < VMI_CALL_ID_LIMIT && VMI_POL_HAS(p, ident_calls) &&
	       (p->ident_calls[id / 8] >> (id % 8)) & 1;
}

bool vmi_pol_no_inline_call(const vmi_policy *p, uint32_t id)
{
	return id < VMI_CALL_ID_LIMIT && VMI_POL_HAS(p, no_inline_calls) &&
	       (p->no_inline_calls[id / 8] >> (id % 8)) & 1;
}

/* Does text[0..len) equal the NUL-terminated word? */
static bool vmi_pol_eq(const char *text, size_t len, const char *word)
{
	size_t i = 0;
	for (; i < len; i++)
		if (!word[i] || word[i] != text[i])
			return false;
	return word[i] == '\0';
}

static int vmi_pol_feature(const char *name, size_t len)
{
	for (uint32_t b = 0; b < 32; b++)
		if ((VMI_FEAT_KNOWN >> b) & 1 && vmi_pol_eq(name, len, vmi_feature_name(1u << b)))
			return (int)b;
	return -1;
}

/* Parse one item text[0..len). */
static vmi_status vmi_pol_item(vmi_policy *pol, const char *text, size_t len)
{
	size_t colon = 0;
	while (colon < len && text[colon] != ':')
		colon++;
	const char *arg = text + colon + 1;
	size_t alen = colon < len ? len - colon - 1 : 0;
	bool has_arg = colon < len;

	if (has_arg && alen == 0)
		return VMI_E_INVALID_ARG;
	if (vmi_pol_eq(text, colon, "ident")) {
		if (!has_arg) {
			pol->flags |= VMI_POLICY_F_ALL_IDENT;
			return VMI_OK;
		}
		if (alen <= UINT32_MAX) {
			int cat = vmi_category_by_name(arg, (uint32_t)alen);
			if (cat >= 0) {
				pol->ident_categories |= 1u << cat;
				return VMI_OK;
			}
			uint16_t id = vmi_call_by_name(arg, (uint32_t)alen);
			if (id && id < VMI_CALL_ID_LIMIT) {
				pol->ident_calls[id / 8] |= (uint8_t)(1u << (id % 8));
				return VMI_OK;
			}
		}
		return VMI_E_INVALID_ARG;
	}
	if (vmi_pol_eq(text, colon, "no-inline")) {
		if (!has_arg) {
			pol->flags |= VMI_POLICY_F_NO_INLINE;
			return VMI_OK;
		}
		uint16_t id = alen <= UINT32_MAX ? vmi_call_by_name(arg, (uint32_t)alen) : 0;
		if (!id || id >= VMI_CALL_ID_LIMIT)
			return VMI_E_INVALID_ARG;
		pol->no_inline_calls[id / 8] |= (uint8_t)(1u << (id % 8));
		return VMI_OK;
	}
	if (vmi_pol_eq(text, colon, "no-nop") && !has_arg) {
		pol->flags |= VMI_POLICY_F_NO_NOP;
		return VMI_OK;
	}
	if (vmi_pol_eq(text, colon, "max-minor") && has_arg) {
		uint32_t n = 0;
		if (alen > 3)
			return VMI_E_INVALID_ARG;
		for (size_t i = 0; i < alen; i++) {
			if (arg[i] < '0' || arg[i] > '9')
				return VMI_E_INVALID_ARG;
			n = n * 10 + (uint32_t)(arg[i] - '0');
		}
		if (n > 255)
			return VMI_E_INVALID_ARG;
		/* Two caps: the stricter one holds. */
		if (!(pol->flags & VMI_POLICY_F_MAX_MINOR) || n < pol->max_minor)
			pol->max_minor = (uint8_t)n;
		pol->flags |= VMI_POLICY_F_MAX_MINOR;
		return VMI_OK;
	}
	if (vmi_pol_eq(text, colon, "no-feature") && has_arg) {
		int bit = vmi_pol_feature(arg, alen);
		if (bit < 0)
			return VMI_E_INVALID_ARG;
		pol->deny_features |= 1u << bit;
		return VMI_OK;
	}
	return VMI_E_INVALID_ARG;
}

vmi_status vmi_policy_parse(vmi_policy *pol, const char *text, size_t len, size_t *err_at)
{
	if (err_at)
		*err_at = 0;
	/* Parsing writes every field, so the caller's struct must hold them all. */
	if (!pol || (!text && len) || pol->size < sizeof(vmi_policy))
		return VMI_E_INVALID_ARG;
	if (!VMI_OPTS_VALID(pol, vmi_policy))
		return VMI_E_OPTS_UNKNOWN;
	size_t start = 0;
	while (start < len) {
		size_t end = start;
		while (end < len && text[end] != ',')
			end++;
		if (end == start || vmi_pol_item(pol, text + start, end - start) != VMI_OK) {
			if (err_at)
				*err_at = start;
			return VMI_E_INVALID_ARG;
		}
		if (end == len - 1) { /* trailing ',' : an empty last item */
			if (err_at)
				*err_at = len;
			return VMI_E_INVALID_ARG;
		}
		start = end + 1;
	}
	return VMI_OK;
}

static uint32_t vmi_fnv_byte(uint32_t h, uint8_t b)
{
	return (h ^ b) * 16777619u;
}

static uint32_t vmi_fnv_u32(uint32_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		h = vmi_fnv_byte(h, (uint8_t)(v >> (8 * i)));
	return h;
}

uint32_t vmi_policy_hash(const vmi_policy *pol)
{
	/* Hash what the policy means, not its bytes: reserved bytes, the struct
	 * size and a max_minor without its flag change nothing. */
	uint32_t flags = vmi_pol_flags(pol) &
			 (VMI_POLICY_F_ALL_IDENT | VMI_POLICY_F_MAX_MINOR | VMI_POLICY_F_NO_INLINE |
			  VMI_POLICY_F_NO_NOP);
	uint32_t cats = vmi_pol_ident_categories(pol);
	uint32_t deny = vmi_pol_deny_features(pol);
	uint32_t minor = flags & VMI_POLICY_F_MAX_MINOR ? vmi_pol_max_minor(pol) : 0;
	uint32_t any = flags | cats | deny;
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++)
		any |= (uint32_t)vmi_pol_ident_call(pol, id) | (uint32_t)vmi_pol_no_inline_call(pol, id);
	if (!any)
		return 0;
	uint32_t h = 2166136261u;
	h = vmi_fnv_u32(h, flags);
	h = vmi_fnv_u32(h, cats);
	h = vmi_fnv_u32(h, deny);
	h = vmi_fnv_u32(h, minor);
	for (uint32_t id = 0; id < VMI_CALL_ID_LIMIT; id++)
		h = vmi_fnv_byte(h, (uint8_t)(vmi_pol_ident_call(pol, id) | (vmi_pol_no_inline_call(pol, id) << 1)));
	return h ? h : 1; /* 0 is reserved for "no policy" */
}
