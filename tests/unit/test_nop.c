/* SPDX-License-Identifier: MIT */
/* test_nop.c - vmi_nop_fill against the decoder and against the guest macros. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <Zydis/Zydis.h>

#include "helpers/x86check.h"
#include "vmi/patcher.h"

/* Every length 0..40, both arches: NOPs only, exactly the length, largest
 * first, at most 8 bytes each, and nothing written past the end. */
static void test_nop_lengths_decode(void **state)
{
	(void)state;
	for (int arch = 1; arch <= 2; arch++) {
		for (size_t len = 0; len <= 40; len++) {
			uint8_t buf[48];
			memset(buf, 0xcc, sizeof(buf));
			vmi_nop_fill(buf, len);
			assert_true(vmi_x86_only_nops(arch, buf, len));
			for (size_t i = len; i < sizeof(buf); i++)
				assert_int_equal(buf[i], 0xcc);
			/* Chunk count: ceil(len / 8), largest first. */
			ZydisDecoder d;
			ZydisDecodedInstruction in;
			ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
			ZydisDecoderInit(&d, arch == 1 ? ZYDIS_MACHINE_MODE_LEGACY_32 : ZYDIS_MACHINE_MODE_LONG_64,
					 arch == 1 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_64);
			size_t off = 0, n = 0;
			while (off < len) {
				assert_true(ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, buf + off, len - off, &in, ops)));
				size_t want = len - off > 8 ? 8 : len - off;
				assert_int_equal(in.length, want);
				off += in.length;
				n++;
			}
			assert_int_equal(n, (len + 7) / 8);
		}
	}
}

/* The padding the guest macros emit (vmi/guest.h) for a 3-byte native in
 * a 12-byte site: the patcher must produce the same 9 bytes. */
static void test_nop_matches_guest_macro(void **state)
{
	(void)state;
	/* 9 bytes = 8-byte NOP + 1-byte NOP (Intel SDM forms). */
	static const uint8_t want[9] = { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90 };
	uint8_t buf[9];
	vmi_nop_fill(buf, sizeof(buf));
	assert_memory_equal(buf, want, sizeof(want));
	static const uint8_t six[6] = { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	vmi_nop_fill(buf, 6);
	assert_memory_equal(buf, six, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nop_lengths_decode),
		cmocka_unit_test(test_nop_matches_guest_macro),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
