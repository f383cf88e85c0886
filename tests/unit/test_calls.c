/* SPDX-License-Identifier: MIT */
/*
 * test_calls.c - the call catalog agrees with the VMI_CALLS X-macro it is
 * built from: the test expands the macro itself and checks every row, the
 * name lookups, the id-order iteration and the category/feature names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmi/calls.h"

struct vmi_tc_row {
	unsigned id, cat, minor, feat, nargs, ret;
	const char *name, *native;
};

static const struct vmi_tc_row vmi_tc_rows[] = {
#define VMI_TC_ROW_(id, name, cat, minor, feat, nargs, ret, native) \
	{ id, cat, minor, feat, nargs, ret, #name, native },
	VMI_CALLS(VMI_TC_ROW_)
#undef VMI_TC_ROW_
};
#define VMI_TC_N (sizeof(vmi_tc_rows) / sizeof(vmi_tc_rows[0]))

static void test_rows_match_macro(void **state)
{
	(void)state;
	assert_true(VMI_TC_N >= 60);
	for (size_t i = 0; i < VMI_TC_N; i++) {
		const struct vmi_tc_row *r = &vmi_tc_rows[i];
		const vmi_call_info *ci = vmi_call_lookup(r->id);

		assert_true(r->id >= 1 && r->id < VMI_CALL_ID_LIMIT);
		assert_non_null(ci);
		assert_int_equal(ci->id, r->id);
		assert_int_equal(ci->category, r->cat);
		assert_int_equal(ci->minor, r->minor);
		assert_int_equal(ci->feature, r->feat);
		assert_int_equal(ci->nargs, r->nargs);
		assert_int_equal(ci->ret, r->ret);
		assert_string_equal(ci->name, r->name);
		assert_string_equal(ci->native, r->native);
		assert_true(memchr(ci->name, 0, VMI_CALL_NAME_MAX) != NULL);
		assert_true(memchr(ci->native, 0, VMI_CALL_NATIVE_MAX) != NULL);
		assert_true(ci->minor <= VMI_INTERFACE_MINOR);
		assert_true(ci->category < VMI_CAT_COUNT);
	}
}

static void test_by_name(void **state)
{
	char buf[64];
	(void)state;
	for (size_t i = 0; i < VMI_TC_N; i++) {
		const struct vmi_tc_row *r = &vmi_tc_rows[i];
		size_t len = strlen(r->name);

		/* Not NUL-terminated: the length alone delimits the name. */
		memset(buf, 'x', sizeof(buf));
		memcpy(buf, r->name, len);
		assert_int_equal(vmi_call_by_name(buf, (uint32_t)len), r->id);
		/* A prefix or a longer word is not the name. */
		assert_int_equal(vmi_call_by_name(buf, (uint32_t)len + 1), 0);
		if (len > 1 && vmi_call_by_name(buf, (uint32_t)len - 1) != 0) {
			/* Only fine if the prefix is itself another call's name. */
			uint16_t other = vmi_call_by_name(buf, (uint32_t)len - 1);
			assert_int_not_equal(other, r->id);
			assert_int_equal(strlen(vmi_call_lookup(other)->name), len - 1);
		}
	}
	assert_int_equal(vmi_call_by_name("SetCR3", 6), VMI_CALL_SetCR3);
	assert_int_equal(vmi_call_by_name("setcr3", 6), 0); /* case-sensitive */
	assert_int_equal(vmi_call_by_name("SetCR", 5), 0);
	assert_int_equal(vmi_call_by_name("", 0), 0);
	assert_int_equal(vmi_call_by_name(NULL, 3), 0);
	assert_int_equal(vmi_call_by_name("NoSuchCallAtAll", 15), 0);
}

static void test_unknown_ids(void **state)
{
	static const uint32_t unknown[] = { 0, 27, 31, 40, 63, 121, 127, 128, 129, 0x10000, UINT32_MAX };
	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_null(vmi_call_lookup(unknown[i]));
}

static int vmi_tc_cmp(const void *a, const void *b)
{
	return (int)*(const unsigned *)a - (int)*(const unsigned *)b;
}

static void test_next_iterates_rows_in_order(void **state)
{
	unsigned ids[VMI_TC_N];
	size_t n = 0;
	(void)state;

	for (size_t i = 0; i < VMI_TC_N; i++)
		ids[i] = vmi_tc_rows[i].id;
	qsort(ids, VMI_TC_N, sizeof(ids[0]), vmi_tc_cmp);
	for (uint16_t id = vmi_call_next(0); id; id = vmi_call_next(id)) {
		assert_true(n < VMI_TC_N);
		assert_int_equal(id, ids[n]);
		n++;
	}
	assert_int_equal(n, VMI_TC_N);
	/* From an unknown id it continues with the next known one. */
	assert_int_equal(vmi_call_next(27), 32);
	assert_int_equal(vmi_call_next(ids[VMI_TC_N - 1]), 0);
	assert_int_equal(vmi_call_next(VMI_CALL_ID_LIMIT), 0);
	assert_int_equal(vmi_call_next(UINT32_MAX), 0);
}

static void test_categories(void **state)
{
	/* The names vmi/calls.h documents for vmi_category_name. */
	static const char *const names[VMI_CAT_COUNT] = { "cpu",   "irq",   "io",   "mmu",      "time",
							   "defer", "apic", "lock", "shootdown" };
	(void)state;
	for (uint32_t c = 0; c < VMI_CAT_COUNT; c++) {
		assert_string_equal(vmi_category_name(c), names[c]);
		assert_int_equal(vmi_category_by_name(names[c], (uint32_t)strlen(names[c])), (int)c);
	}
	assert_string_equal(vmi_category_name(VMI_CAT_COUNT), "?");
	assert_string_equal(vmi_category_name(UINT32_MAX), "?");
	assert_int_equal(vmi_category_by_name("cp", 2), -1);
	assert_int_equal(vmi_category_by_name("cpux", 4), -1);
	assert_int_equal(vmi_category_by_name("CPU", 3), -1);
	assert_int_equal(vmi_category_by_name("?", 1), -1);
	assert_int_equal(vmi_category_by_name("", 0), -1);
	assert_int_equal(vmi_category_by_name("iox", 2), VMI_CAT_IO); /* length delimits */
	/* Every category has at least one call. */
	for (uint32_t c = 0; c < VMI_CAT_COUNT; c++) {
		int seen = 0;
		for (size_t i = 0; i < VMI_TC_N; i++)
			seen |= vmi_tc_rows[i].cat == c;
		assert_true(seen);
	}
}

static void test_features(void **state)
{
	/* The names vmi/patcher.h documents for no-feature:NAME. */
	static const char *const names[] = { "deferred", "pae", "longmode", "apic", "timer", "locks", "tlb-shootdown" };
	(void)state;
	for (uint32_t b = 0; b < 7; b++) {
		assert_true((VMI_FEAT_KNOWN >> b) & 1);
		assert_string_equal(vmi_feature_name(1u << b), names[b]);
	}
	assert_int_equal(VMI_FEAT_KNOWN >> 7, 0);
	assert_string_equal(vmi_feature_name(0), "?");
	assert_string_equal(vmi_feature_name(1u << 7), "?");
	assert_string_equal(vmi_feature_name(1u << 31), "?");
	assert_string_equal(vmi_feature_name(VMI_FEAT_PAE | VMI_FEAT_APIC), "?");
	/* Every gating feature in the catalog has a name. */
	for (size_t i = 0; i < VMI_TC_N; i++)
		if (vmi_tc_rows[i].feat)
			assert_string_not_equal(vmi_feature_name(vmi_tc_rows[i].feat), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_match_macro),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_next_iterates_rows_in_order),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
