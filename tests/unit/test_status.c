/* SPDX-License-Identifier: MIT */
/*
 * test_status.c - vmi_strerror names every status code.
 *
 * The list of codes is read from include/vmi/status.h itself (the test runs
 * from the repository root), so a code appended to the header without a
 * string here fails the test instead of silently printing "unknown".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmi/status.h"

#define VMI_TS_MAX 128

struct vmi_ts_code {
	char name[64];
	long value;
};

/* Parse "VMI_xxx = -0x1ab," lines of the enum in status.h. */
static size_t vmi_ts_read_codes(struct vmi_ts_code *codes, size_t max)
{
	FILE *f = fopen("include/vmi/status.h", "r");
	char line[512];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		char val[32];
		if (sscanf(line, " %63[A-Z0-9_] = %31[-0-9a-fx]", name, val) != 2)
			continue;
		if (strncmp(name, "VMI_OK", 6) != 0 && strncmp(name, "VMI_E_", 6) != 0)
			continue;
		assert_true(n < max);
		snprintf(codes[n].name, sizeof(codes[n].name), "%s", name);
		codes[n].value = strtol(val, NULL, 0);
		n++;
	}
	fclose(f);
	return n;
}

static void test_every_code_named(void **state)
{
	struct vmi_ts_code codes[VMI_TS_MAX];
	size_t n = vmi_ts_read_codes(codes, VMI_TS_MAX);
	(void)state;

	/* status.h has 35 codes today; fewer means the parser broke. */
	assert_true(n >= 35);
	for (size_t i = 0; i < n; i++) {
		const char *s = vmi_strerror((vmi_status)codes[i].value);
		size_t nl = strlen(codes[i].name);
		assert_non_null(s);
		if (strncmp(s, codes[i].name, nl) != 0 || s[nl] != ':' || s[nl + 1] != ' ' || !s[nl + 2])
			fail_msg("%s (%ld) gives \"%s\"", codes[i].name, codes[i].value, s);
		assert_int_not_equal(strncmp(s, "VMI_E_UNKNOWN:", 14), 0);
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(codes[i].value, codes[j].value);
			assert_string_not_equal(s, vmi_strerror((vmi_status)codes[j].value));
		}
	}
}

static void test_spot_checks(void **state)
{
	(void)state;
	assert_string_equal(vmi_strerror(VMI_E_ROM_CHECKSUM), "VMI_E_ROM_CHECKSUM: ROM byte sum is not zero");
	assert_int_equal(strncmp(vmi_strerror(VMI_OK), "VMI_OK: ", 8), 0);
	assert_int_equal(strncmp(vmi_strerror(VMI_E_SLOTS), "VMI_E_SLOTS: ", 13), 0);
}

static void test_unknown(void **state)
{
	static const vmi_status unknown[] = { 1, -0x006, -0x100, -0x112, -0x200, -0x207, -0x300, -0x309,
					      -0x400, 0x7fffffff, INT32_MIN };
	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(vmi_strerror(unknown[i]), "VMI_E_UNKNOWN: unknown status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_named),
		cmocka_unit_test(test_spot_checks),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
