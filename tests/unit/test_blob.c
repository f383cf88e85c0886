/* SPDX-License-Identifier: MIT */
/*
 * test_blob.c - the real patcher.bin, copied to random addresses and run.
 *
 * The blob is the freestanding x86-64 core linked flat; it is loaded at 8
 * random page-aligned places and one 16-byte-aligned place inside a page,
 * called through its header, and must patch a text exactly as the host
 * library does with the same inputs. Also: vmi_boot_patch's own rules
 * (stamp, invalid ROM, dry run) through the host library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers/romgen.h"
#include "helpers/sitegen.h"
#include "helpers/x86check.h"
#include "vmi/blob.h"
#include "vmi/internal/util.h"

#ifndef VMI_TEST_BLOB
#error "VMI_TEST_BLOB (path of the x86-64 patcher.bin) must be defined by the build"
#endif

typedef vmi_status (*boot_fn)(const vmi_boot_args *, vmi_boot_state *);
typedef vmi_status (*ws_fn)(const vmi_annotations *, size_t *);
typedef const char *(*strerror_fn)(vmi_status);

struct world {
	vmi_test_img img;
	uint8_t *pristine;
	uint8_t rom[8192];
	size_t rom_len;
	uint8_t note[sizeof(struct vmi_note_desc)];
	uint8_t ws[4096] __attribute__((aligned(8)));
};

static void note_put(struct world *w, uint8_t stamp, uint32_t crc, uint8_t minor)
{
	struct vmi_note_desc d;
	memset(&d, 0, sizeof(d));
	d.format_version = VMI_FORMAT_VERSION;
	d.entry_size = VMI_SITE_ENTRY_V1_SIZE;
	d.arch = VMI_ARCH_X86_64;
	d.req_major = 1;
	d.req_minor = 3;
	d.stamp_state = stamp;
	d.stamp_major = 1;
	d.stamp_minor = minor;
	d.stamp_rom_crc = crc;
	memcpy(w->note, &d, sizeof(d));
}

/* Host == target here: the running process is the "guest". */
static void world_init(struct world *w)
{
	static const uint8_t cr3[] = { 0x0f, 0x22, 0xdf }, cli[] = { 0xfa }, wbinvd[] = { 0x0f, 0x09 },
			     sti[] = { 0xfb }, rdtsc[] = { 0x0f, 0x31 };
	memset(w, 0, sizeof(*w));
	vmi_test_img_init(&w->img, VMI_ARCH_X86_64, 0, 512);
	w->img.base = (uintptr_t)w->img.mem;
	vmi_test_img_site(&w->img, 16, 8, cr3, 3, VMI_CALL_SetCR3, 0, 0, 0x7);
	vmi_test_img_site(&w->img, 40, 6, cli, 1, VMI_CALL_DisableInterrupts, 0, 0, 0x7);
	vmi_test_img_site(&w->img, 64, 12, NULL, 0, VMI_CALL_AllocatePage, 0, 0, 0x7);
	vmi_test_img_site(&w->img, 100, 6, wbinvd, 2, VMI_CALL_WBINVD, 0, 0, 0x7);
	vmi_test_img_site(&w->img, 130, 6, sti, 1, VMI_CALL_EnableInterrupts, 0, 0, 0x7);
	vmi_test_img_site(&w->img, 160, 7, rdtsc, 2, VMI_CALL_GetCycleCounter, 2, 0x01, 0x7);
	vmi_test_img_finish(&w->img, 1, 3);
	w->pristine = malloc(w->img.size);
	memcpy(w->pristine, w->img.mem, w->img.size);

	static const uint8_t stub1[] = { 0x90 };
	static const uint8_t stub9[9] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
	const vmi_test_call calls[] = {
		{ .id = VMI_CALL_SetCR3, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = 1 },
		{ .id = VMI_CALL_DisableInterrupts, .form = VMI_FORM_INLINE, .stub = stub1, .stub_len = 1 },
		{ .id = VMI_CALL_AllocatePage, .form = VMI_FORM_NOP },
		{ .id = VMI_CALL_EnableInterrupts, .form = VMI_FORM_INLINE, .stub = stub9, .stub_len = 9,
		  .has_entry = 1 },
		{ .id = VMI_CALL_GetCycleCounter, .form = VMI_FORM_CALL, .has_entry = 1, .call_clobbers = 5 },
	};
	w->rom_len = vmi_test_rom_build(w->rom, sizeof(w->rom), 1, 3, 0, VMI_ARCH_X86_64, calls, 5);
	assert_true(w->rom_len > 0);
	note_put(w, VMI_STAMP_NATIVE, 0, 0);
}

static void world_free(struct world *w)
{
	free(w->pristine);
	vmi_test_img_free(&w->img);
}

static void world_args(struct world *w, vmi_boot_args *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->note = w->note;
	a->note_len = sizeof(w->note);
	a->sites = w->img.mem + w->img.table_off;
	a->sites_len = (size_t)w->img.count * VMI_SITE_ENTRY_V1_SIZE;
	a->native = w->img.mem + w->img.native_off;
	a->native_len = w->img.native_used;
	a->text = w->img.mem;
	a->text_len = w->img.text_len;
	a->slots = w->img.mem + w->img.slots_off;
	a->slots_len = VMI_CALL_ID_LIMIT * VMI_SLOT_SIZE;
	a->rom = w->rom;
	a->rom_len = w->rom_len;
	a->workspace = w->ws;
	a->workspace_len = sizeof(w->ws);
}

static uint8_t *read_blob(size_t *len)
{
	FILE *f = fopen(VMI_TEST_BLOB, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(*len > sizeof(struct vmi_blob_header) && *len < sizeof(buf));
	return buf;
}

static void test_blob_anywhere(void **state)
{
	(void)state;
	size_t blob_len;
	const uint8_t *blob = read_blob(&blob_len);
	struct vmi_blob_header h;
	memcpy(&h, blob, sizeof(h));
	assert_int_equal(h.magic, VMI_BLOB_MAGIC);
	assert_int_equal(h.version, VMI_BLOB_VERSION);
	assert_int_equal(h.arch, VMI_ARCH_X86_64);
	assert_int_equal(h.header_size, sizeof(h));
	assert_int_equal(h.size, blob_len);
	assert_true(h.boot_off >= sizeof(h) && h.boot_off < blob_len);
	assert_true(h.workspace_off >= sizeof(h) && h.workspace_off < blob_len);
	assert_true(h.strerror_off >= sizeof(h) && h.strerror_off < blob_len);

	/* Expected result: the host library, same inputs, same addresses. */
	struct world *w = malloc(sizeof(*w));
	world_init(w);
	vmi_boot_args args;
	vmi_boot_state *st = malloc(sizeof(*st));
	world_args(w, &args);
	assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
	assert_int_equal(st->summary.sites, 6);
	assert_true(st->summary.changed >= 4);
	uint8_t *want = malloc(w->img.size);
	memcpy(want, w->img.mem, w->img.size);
	assert_memory_not_equal(want, w->pristine, w->img.size);
	size_t want_ws;
	assert_int_equal(vmi_plan_workspace_size(&st->ann, &want_ws), VMI_OK);

	const size_t arena_len = 256u << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *arena = mmap(NULL, arena_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(arena != MAP_FAILED);
	unsigned seed = (unsigned)time(NULL);
	srand(seed);
	print_message("blob: %zu bytes, seed %u\n", blob_len, seed);
	for (int k = 0; k < 9; k++) {
		size_t pages = (arena_len - blob_len - 2 * page) / page;
		size_t off = ((size_t)rand() % pages) * page;
		if (k == 8)
			off += 16 * (1 + (size_t)rand() % (page / 16 - 1)); /* inside a page */
		uint8_t *map = arena + (off & ~(page - 1));
		size_t map_len = (off - (off & ~(page - 1)) + blob_len + page - 1) & ~(page - 1);
		assert_int_equal(mprotect(map, map_len, PROT_READ | PROT_WRITE), 0);
		memcpy(arena + off, blob, blob_len);
		assert_int_equal(mprotect(map, map_len, PROT_READ | PROT_EXEC), 0);

		boot_fn boot = (boot_fn)(uintptr_t)(arena + off + h.boot_off);
		ws_fn wsz = (ws_fn)(uintptr_t)(arena + off + h.workspace_off);
		strerror_fn serr = (strerror_fn)(uintptr_t)(arena + off + h.strerror_off);

		memcpy(w->img.mem, w->pristine, w->img.size);
		memset(st, 0x5a, sizeof(*st));
		assert_int_equal(boot(&args, st), VMI_OK);
		if (memcmp(w->img.mem, want, w->img.size))
			fail_msg("blob at %p patched differently from the host library", (void *)(arena + off));
		assert_int_equal(st->summary.sites, 6);
		assert_int_equal(st->prepatched, 0);
		size_t got_ws = 0;
		assert_int_equal(wsz(&st->ann, &got_ws), VMI_OK);
		assert_int_equal(got_ws, want_ws);
		assert_string_equal(serr(VMI_E_SITE_OVERLAP), vmi_strerror(VMI_E_SITE_OVERLAP));
		/* Its strings live in the blob, wherever that is. */
		const char *s = serr(VMI_E_SITE_OVERLAP);
		assert_true((const uint8_t *)s >= arena + off && (const uint8_t *)s < arena + off + blob_len);

		/* And it refuses a bad set as the host library does. */
		assert_int_equal(boot(&(vmi_boot_args){ .size = 4 }, st), VMI_E_INVALID_ARG);
		assert_int_equal(mprotect(map, map_len, PROT_NONE), 0);
	}
	munmap(arena, arena_len);
	free(want);
	free(st);
	world_free(w);
	free(w);
}

static void test_boot_rules(void **state)
{
	(void)state;
	struct world *w = malloc(sizeof(*w));
	vmi_boot_state *st = malloc(sizeof(*st));
	vmi_boot_args args;
	world_init(w);
	world_args(w, &args);
	vmi_rom rom;
	assert_int_equal(vmi_rom_validate(w->rom, w->rom_len, NULL, &rom), VMI_OK);

	/* Dry run: decisions and counts, no byte written. */
	args.flags = VMI_BOOT_F_DRY_RUN;
	assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
	assert_memory_equal(w->img.mem, w->pristine, w->img.size);
	assert_int_equal(st->summary.forms[VMI_FORM_CALL], 3);
	assert_int_equal(st->summary.forms[VMI_FORM_INLINE], 1);
	assert_int_equal(st->summary.forms[VMI_FORM_NOP], 1);
	assert_int_equal(st->summary.reasons[VMI_REASON_NOT_OFFERED], 1);
	args.flags = 0;

	/* Stamped for this ROM and no policy: only the slots are written. */
	note_put(w, VMI_STAMP_PATCHED, rom.crc, 3);
	assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
	assert_int_equal(st->prepatched, 1);
	assert_memory_equal(w->img.mem, w->pristine, w->img.slots_off);
	assert_int_equal(vmi_le64(w->img.mem + w->img.slots_off + 8 * VMI_CALL_SetCR3),
			 (uintptr_t)w->rom + vmi_test_rom_entry_off(w->rom, VMI_CALL_SetCR3));

	/* Stamp for another ROM (or another minor, or a policy): re-patch. */
	static const uint32_t bad_crc_delta[3] = { 1, 0, 0 };
	static const uint8_t bad_minor[3] = { 3, 2, 3 };
	for (int k = 0; k < 3; k++) {
		memcpy(w->img.mem, w->pristine, w->img.size);
		note_put(w, VMI_STAMP_PATCHED, rom.crc + bad_crc_delta[k], bad_minor[k]);
		VMI_OPTS(vmi_policy, pol, .flags = VMI_POLICY_F_NO_NOP);
		args.policy = k == 2 ? &pol : NULL;
		assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
		assert_int_equal(st->prepatched, 0);
		assert_memory_not_equal(w->img.mem, w->pristine, w->img.text_len);
	}
	args.policy = NULL;
	note_put(w, VMI_STAMP_NATIVE, 0, 0);

	/* A corrupt ROM is no ROM: the guest boots native, the status says why. */
	memcpy(w->img.mem, w->pristine, w->img.size);
	w->rom[0x30] ^= 0xff;
	assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
	assert_int_equal(st->rom_status, VMI_E_ROM_CHECKSUM);
	assert_int_equal(st->summary.reasons[VMI_REASON_NO_ROM], 6);
	assert_memory_equal(w->img.mem, w->pristine, w->img.size);
	w->rom[0x30] ^= 0xff;

	/* A ROM for the other arch is refused by validation the same way. */
	uint8_t *other = malloc(8192);
	const vmi_test_call one = { .id = VMI_CALL_SetCR3, .form = VMI_FORM_NOP };
	args.rom = other;
	args.rom_len = vmi_test_rom_build(other, 8192, 1, 3, 0, VMI_ARCH_I386, &one, 1);
	assert_int_equal(vmi_boot_patch(&args, st), VMI_OK);
	assert_int_equal(st->rom_status, VMI_E_ROM_ARCH);
	assert_memory_equal(w->img.mem, w->pristine, w->img.size);
	free(other);

	/* Workspace too small: an error, nothing written. */
	world_args(w, &args);
	args.workspace_len = 16;
	assert_int_equal(vmi_boot_patch(&args, st), VMI_E_NO_SPACE);
	assert_memory_equal(w->img.mem, w->pristine, w->img.size);

	/* A longer args struct from a newer caller with unknown bits set. */
	struct {
		vmi_boot_args a;
		uint64_t extra;
	} big;
	memset(&big, 0, sizeof(big));
	world_args(w, &big.a);
	big.a.size = sizeof(big);
	big.extra = 1;
	assert_int_equal(vmi_boot_patch(&big.a, st), VMI_E_OPTS_UNKNOWN);

	free(st);
	world_free(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_anywhere),
		cmocka_unit_test(test_boot_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
