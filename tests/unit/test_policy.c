/* SPDX-License-Identifier: MIT */
/* test_policy.c - the policy string grammar and the policy hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmi/patcher.h"

static vmi_status parse(vmi_policy *p, const char *s, size_t *err)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return vmi_policy_parse(p, s, strlen(s), err);
}

static int bit(const uint8_t *map, unsigned id)
{
	return (map[id / 8] >> (id % 8)) & 1;
}

static void test_policy_items(void **state)
{
	(void)state;
	vmi_policy p;
	size_t err = 99;

	assert_int_equal(parse(&p, "", &err), VMI_OK);
	assert_int_equal(p.flags, 0);

	assert_int_equal(parse(&p, "ident", &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_ALL_IDENT);

	assert_int_equal(parse(&p, "ident:mmu,ident:irq", &err), VMI_OK);
	assert_int_equal(p.ident_categories, (1u << VMI_CAT_MMU) | (1u << VMI_CAT_IRQ));

	assert_int_equal(parse(&p, "ident:SetCR3", &err), VMI_OK);
	assert_true(bit(p.ident_calls, VMI_CALL_SetCR3));
	assert_false(bit(p.ident_calls, VMI_CALL_GetCR3));
	assert_int_equal(p.ident_categories, 0);

	assert_int_equal(parse(&p, "no-inline", &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_NO_INLINE);

	assert_int_equal(parse(&p, "no-inline:DisableInterrupts", &err), VMI_OK);
	assert_true(bit(p.no_inline_calls, VMI_CALL_DisableInterrupts));
	assert_int_equal(p.flags, 0);

	assert_int_equal(parse(&p, "no-nop", &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_NO_NOP);

	assert_int_equal(parse(&p, "max-minor:2", &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_MAX_MINOR);
	assert_int_equal(p.max_minor, 2);
	assert_int_equal(parse(&p, "max-minor:255,max-minor:0", &err), VMI_OK);
	assert_int_equal(p.max_minor, 0); /* the stricter cap holds */

	assert_int_equal(parse(&p, "no-feature:deferred,no-feature:tlb-shootdown", &err), VMI_OK);
	assert_int_equal(p.deny_features, VMI_FEAT_DEFERRED | VMI_FEAT_TLB_SHOOTDOWN);

	assert_int_equal(parse(&p, "ident:lock,no-inline,no-nop,max-minor:1,no-feature:pae", &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_NO_INLINE | VMI_POLICY_F_NO_NOP | VMI_POLICY_F_MAX_MINOR);
	assert_int_equal(p.ident_categories, 1u << VMI_CAT_LOCK);
	assert_int_equal(p.deny_features, VMI_FEAT_PAE);

	/* Not NUL-terminated: only @len bytes count. */
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	assert_int_equal(vmi_policy_parse(&p, "no-nopXYZ", 6, &err), VMI_OK);
	assert_int_equal(p.flags, VMI_POLICY_F_NO_NOP);
}

static void test_policy_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t at;
	} bad[] = {
		{ "bogus", 0 },
		{ "ident,bogus", 6 },
		{ "ident:", 0 },
		{ "ident:nosuch", 0 },
		{ "ident,ident:setcr3", 6 },  /* names are case-sensitive */
		{ "no-inline:mmu", 0 },       /* categories are not calls */
		{ "no-nop:SetCR3", 0 },
		{ "max-minor", 0 },
		{ "max-minor:", 0 },
		{ "max-minor:256", 0 },
		{ "max-minor:1x", 0 },
		{ "max-minor:-1", 0 },
		{ "max-minor:0001", 0 },
		{ "no-feature:warp", 0 },
		{ "no-feature", 0 },
		{ ",ident", 0 },
		{ "ident,,no-nop", 6 },
		{ "ident,", 6 },
		{ "ident ,no-nop", 0 },
		{ "no-nop,no-inline:SetCR3,ident:tlb", 24 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vmi_policy p;
		size_t err = 999;
		assert_int_equal(parse(&p, bad[i].text, &err), VMI_E_INVALID_ARG);
		if (err != bad[i].at)
			fail_msg("'%s': err_at %zu, want %zu", bad[i].text, err, bad[i].at);
	}
	/* A struct too short to hold the fields is refused, not overrun. */
	vmi_policy p;
	memset(&p, 0, sizeof(p));
	p.size = 8;
	assert_int_equal(vmi_policy_parse(&p, "ident", 5, NULL), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_policy_parse(NULL, "ident", 5, NULL), VMI_E_INVALID_ARG);
}

static void test_policy_hash(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"ident", "ident:mmu", "ident:irq", "ident:SetCR3", "ident:GetCR3", "no-inline",
		"no-inline:SetCR3", "no-nop", "max-minor:0", "max-minor:1", "no-feature:pae",
		"no-feature:locks", "ident:mmu,no-nop",
	};
	enum { N = sizeof(texts) / sizeof(texts[0]) };
	uint32_t h[N];
	vmi_policy p;
	assert_int_equal(vmi_policy_hash(NULL), 0);
	assert_int_equal(parse(&p, "", NULL), VMI_OK);
	assert_int_equal(vmi_policy_hash(&p), 0);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(parse(&p, texts[i], NULL), VMI_OK);
		h[i] = vmi_policy_hash(&p);
		assert_int_not_equal(h[i], 0);
		/* Stable: same meaning, same hash; order of items does not matter. */
		assert_int_equal(vmi_policy_hash(&p), h[i]);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	vmi_policy a, b;
	assert_int_equal(parse(&a, "no-nop,ident:mmu", NULL), VMI_OK);
	assert_int_equal(parse(&b, "ident:mmu,no-nop", NULL), VMI_OK);
	b.reserved[1] = 7; /* bytes without meaning do not count */
	assert_int_equal(vmi_policy_hash(&a), vmi_policy_hash(&b));
	assert_int_equal(vmi_policy_hash(&a), h[N - 1]);
	/* max_minor without its flag means nothing. */
	assert_int_equal(parse(&a, "", NULL), VMI_OK);
	a.max_minor = 3;
	assert_int_equal(vmi_policy_hash(&a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_items),
		cmocka_unit_test(test_policy_bad),
		cmocka_unit_test(test_policy_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
