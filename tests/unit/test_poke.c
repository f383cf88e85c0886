/* SPDX-License-Identifier: MIT */
/*
 * test_poke.c - the int3 cross-modification protocol (vmi/poke.h) against
 * a recording write/sync hook: the exact sequence of writes and syncs for
 * one site and for 1000, skipped unchanged sites, validation before any
 * write (unsorted, overlapping, bad lengths, bad opts), failing hooks and
 * a rerun, and the trap lookup an int3 handler does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmi/poke.h"

#define TEXT_BASE 0x400000u
#define TEXT_LEN 65536u
#define MAX_EV 8192u

enum { EV_WRITE = 1, EV_SYNC = 2 };
typedef struct ev {
	int kind;
	uint64_t addr;
	size_t len;
	uint8_t bytes[VMI_POKE_MAX_LEN];
} ev;

/* The recorder: a simulated text the writes land in, the event log, and
 * optional failure injection. After each write it checks what a CPU could
 * fetch at every site: the old bytes, an int3 first, or the new bytes. */
typedef struct rec {
	uint8_t text[TEXT_LEN];
	ev log[MAX_EV];
	uint32_t nev;
	uint32_t fail_write_at; /* 1-based write number that fails, 0 = none */
	uint32_t fail_sync_at;  /* 1-based sync number that fails, 0 = none */
	uint32_t writes, syncs;
	const vmi_poke_site *sites;
	uint32_t nsites;
	int check_invariant;
} rec;

static rec *R;

static void check_fetchable(const rec *r)
{
	for (uint32_t i = 0; i < r->nsites; i++) {
		const vmi_poke_site *s = &r->sites[i];
		const uint8_t *t = r->text + (s->addr - TEXT_BASE);
		int ok = !memcmp(t, s->old_bytes, s->len) || t[0] == VMI_POKE_INT3 ||
			 !memcmp(t, s->new_bytes, s->len);
		assert_true(ok);
	}
}

static vmi_status rec_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	rec *r = ctx;
	r->writes++;
	if (r->fail_write_at && r->writes == r->fail_write_at)
		return VMI_E_IO;
	assert_true(r->nev < MAX_EV);
	assert_true(len >= 1 && len <= VMI_POKE_MAX_LEN);
	assert_true(addr >= TEXT_BASE && addr + len <= TEXT_BASE + TEXT_LEN);
	ev *e = &r->log[r->nev++];
	e->kind = EV_WRITE;
	e->addr = addr;
	e->len = len;
	memcpy(e->bytes, src, len);
	memcpy(r->text + (addr - TEXT_BASE), src, len);
	if (r->check_invariant)
		check_fetchable(r);
	return VMI_OK;
}

static vmi_status rec_sync(void *ctx)
{
	rec *r = ctx;
	r->syncs++;
	if (r->fail_sync_at && r->syncs == r->fail_sync_at)
		return VMI_E_IO;
	assert_true(r->nev < MAX_EV);
	r->log[r->nev++].kind = EV_SYNC;
	return VMI_OK;
}

static int setup(void **state)
{
	(void)state;
	R = calloc(1, sizeof(*R));
	return R ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(R);
	R = NULL;
	return 0;
}

/* A fresh recorder whose text holds every site's old bytes. */
static void rec_reset(const vmi_poke_site *sites, uint32_t n)
{
	memset(R, 0, sizeof(*R));
	memset(R->text, 0x90, sizeof(R->text));
	for (uint32_t i = 0; i < n; i++)
		memcpy(R->text + (sites[i].addr - TEXT_BASE), sites[i].old_bytes, sites[i].len);
	R->sites = sites;
	R->nsites = n;
	R->check_invariant = n <= 64;
}

static vmi_poke_ops rec_ops(void)
{
	VMI_OPTS(vmi_poke_ops, o, .ctx = R, .write = rec_write, .sync = rec_sync);
	return o;
}

static void expect_write(uint32_t i, uint64_t addr, const uint8_t *bytes, size_t len)
{
	assert_true(i < R->nev);
	assert_int_equal(R->log[i].kind, EV_WRITE);
	assert_int_equal(R->log[i].addr, addr);
	assert_int_equal(R->log[i].len, len);
	assert_memory_equal(R->log[i].bytes, bytes, len);
}

static void expect_sync(uint32_t i)
{
	assert_true(i < R->nev);
	assert_int_equal(R->log[i].kind, EV_SYNC);
}

static void expect_text(const vmi_poke_site *sites, uint32_t n, int want_new)
{
	for (uint32_t i = 0; i < n; i++)
		assert_memory_equal(R->text + (sites[i].addr - TEXT_BASE),
				    want_new ? sites[i].new_bytes : sites[i].old_bytes, sites[i].len);
}

static const uint8_t int3[1] = { VMI_POKE_INT3 };
/* call rel32 -> jmp rel32: first byte and tail change. */
static const uint8_t call5[5] = { 0xe8, 0x11, 0x22, 0x33, 0x44 };
static const uint8_t jmp5[5] = { 0xe9, 0x55, 0x66, 0x77, 0x08 };

static void test_one_site(void **state)
{
	(void)state;
	const vmi_poke_site s = { .addr = TEXT_BASE + 0x10, .old_bytes = call5, .new_bytes = jmp5,
				  .resume = 0x9000, .len = 5 };
	rec_reset(&s, 1);
	vmi_poke_ops ops = rec_ops();
	uint32_t syncs = 99;
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, &syncs), VMI_OK);
	assert_int_equal(syncs, 3);
	assert_int_equal(R->nev, 6);
	expect_write(0, s.addr, int3, 1);
	expect_sync(1);
	expect_write(2, s.addr + 1, jmp5 + 1, 4);
	expect_sync(3);
	expect_write(4, s.addr, jmp5, 1);
	expect_sync(5);
	expect_text(&s, 1, 1);
}

/* Only the first byte changes: no tail write, so no phase-2 sync. Only
 * the tail changes: the int3 still goes first, and the first byte (same
 * as before) is written back over it. A 1-byte site has no tail. */
static void test_head_or_tail_only(void **state)
{
	(void)state;
	static const uint8_t a[5] = { 0xe8, 1, 2, 3, 4 }, b[5] = { 0xe9, 1, 2, 3, 4 }, c[5] = { 0xe8, 1, 2, 3, 5 };
	static const uint8_t cli[1] = { 0xfa }, sti[1] = { 0xfb };
	vmi_poke_site s = { .addr = TEXT_BASE, .old_bytes = a, .new_bytes = b, .len = 5 };
	rec_reset(&s, 1);
	vmi_poke_ops ops = rec_ops();
	uint32_t syncs;
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, &syncs), VMI_OK);
	assert_int_equal(syncs, 2);
	assert_int_equal(R->nev, 4);
	expect_write(0, TEXT_BASE, int3, 1);
	expect_sync(1);
	expect_write(2, TEXT_BASE, b, 1);
	expect_sync(3);
	expect_text(&s, 1, 1);

	s.new_bytes = c;
	rec_reset(&s, 1);
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, &syncs), VMI_OK);
	assert_int_equal(syncs, 3);
	assert_int_equal(R->nev, 6);
	expect_write(0, TEXT_BASE, int3, 1);
	expect_write(2, TEXT_BASE + 1, c + 1, 4);
	expect_write(4, TEXT_BASE, c, 1);
	expect_text(&s, 1, 1);

	s = (vmi_poke_site){ .addr = TEXT_BASE + 7, .old_bytes = cli, .new_bytes = sti, .len = 1 };
	rec_reset(&s, 1);
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, &syncs), VMI_OK);
	assert_int_equal(syncs, 2);
	assert_int_equal(R->nev, 4);
	expect_write(0, TEXT_BASE + 7, int3, 1);
	expect_write(2, TEXT_BASE + 7, sti, 1);
	expect_text(&s, 1, 1);
}

#define MANY 1000u
static vmi_poke_site many[MANY];
static uint8_t many_old[MANY][8], many_new[MANY][8];

/* 1000 sites of lengths 1..8 at irregular gaps; @unchanged_every > 0
 * makes every that-many-th site unchanged. Returns the changing count. */
static uint32_t build_many(uint32_t unchanged_every)
{
	uint64_t addr = TEXT_BASE;
	uint32_t changing = 0;
	for (uint32_t i = 0; i < MANY; i++) {
		uint8_t len = (uint8_t)(1 + i % 8);
		for (uint32_t k = 0; k < len; k++) {
			many_old[i][k] = (uint8_t)(i * 7 + k);
			many_new[i][k] = (uint8_t)(i * 7 + k + 1);
		}
		if (unchanged_every && i % unchanged_every == 0)
			memcpy(many_new[i], many_old[i], len);
		else
			changing++;
		many[i] = (vmi_poke_site){ .addr = addr, .old_bytes = many_old[i], .new_bytes = many_new[i],
					   .resume = 0x100000u + i * 16u, .len = len };
		addr += len + i % 5; /* some sites adjacent, some apart */
	}
	return changing;
}

static void test_many_sites(void **state)
{
	(void)state;
	build_many(0);
	rec_reset(many, MANY);
	vmi_poke_ops ops = rec_ops();
	uint32_t syncs;
	assert_int_equal(vmi_poke_batch(&ops, many, MANY, &syncs), VMI_OK);
	assert_int_equal(syncs, 3);
	/* MANY int3s, sync, a tail per site longer than 1, sync, MANY heads, sync. */
	uint32_t tails = MANY - MANY / 8, e = 0;
	assert_int_equal(R->nev, MANY + 1 + tails + 1 + MANY + 1);
	for (uint32_t i = 0; i < MANY; i++)
		expect_write(e++, many[i].addr, int3, 1);
	expect_sync(e++);
	for (uint32_t i = 0; i < MANY; i++)
		if (many[i].len > 1)
			expect_write(e++, many[i].addr + 1, many_new[i] + 1, many[i].len - 1u);
	expect_sync(e++);
	for (uint32_t i = 0; i < MANY; i++)
		expect_write(e++, many[i].addr, many_new[i], 1);
	expect_sync(e++);
	assert_int_equal(e, R->nev);
	assert_int_equal(R->syncs, 3);
	expect_text(many, MANY, 1);
}

/* Unchanged sites are skipped; a batch of only those does nothing. */
static void test_unchanged_sites(void **state)
{
	(void)state;
	uint32_t changing = build_many(3);
	rec_reset(many, MANY);
	vmi_poke_ops ops = rec_ops();
	uint32_t syncs;
	assert_int_equal(vmi_poke_batch(&ops, many, MANY, &syncs), VMI_OK);
	assert_int_equal(syncs, 3);
	uint32_t writes = 0;
	for (uint32_t i = 0; i < R->nev; i++) {
		if (R->log[i].kind != EV_WRITE)
			continue;
		writes++;
		for (uint32_t k = 0; k < MANY; k += 3) /* never a write into an unchanged site */
			assert_false(R->log[i].addr >= many[k].addr && R->log[i].addr < many[k].addr + many[k].len);
	}
	assert_true(writes >= 2 * changing && writes <= 3 * changing);
	expect_text(many, MANY, 1);

	/* All unchanged: 0 writes, 0 syncs. */
	static const uint8_t same[5] = { 0xe8, 0, 0, 0, 0 };
	vmi_poke_site s[2] = { { .addr = TEXT_BASE, .old_bytes = same, .new_bytes = same, .len = 5 },
			       { .addr = TEXT_BASE + 5, .old_bytes = same, .new_bytes = same, .len = 5 } };
	rec_reset(s, 2);
	syncs = 99;
	assert_int_equal(vmi_poke_batch(&ops, s, 2, &syncs), VMI_OK);
	assert_int_equal(syncs, 0);
	assert_int_equal(R->nev, 0);
	/* An empty batch too. */
	assert_int_equal(vmi_poke_batch(&ops, NULL, 0, &syncs), VMI_OK);
	assert_int_equal(syncs, 0);
	assert_int_equal(R->writes + R->syncs, 0);
}

/* Bad site arrays are refused before a single write or sync. */
static void test_bad_sites(void **state)
{
	(void)state;
	vmi_poke_site s[3] = {
		{ .addr = TEXT_BASE + 0, .old_bytes = call5, .new_bytes = jmp5, .len = 5 },
		{ .addr = TEXT_BASE + 5, .old_bytes = call5, .new_bytes = jmp5, .len = 5 },
		{ .addr = TEXT_BASE + 16, .old_bytes = call5, .new_bytes = jmp5, .len = 5 },
	};
	vmi_poke_ops ops = rec_ops();
	struct { const char *what; int idx; uint64_t addr; uint8_t len; int null_old, null_new; } bad[] = {
		{ "unsorted", 2, TEXT_BASE + 2 - 2, 5, 0, 0 },
		{ "overlap by one byte", 1, TEXT_BASE + 4, 5, 0, 0 },
		{ "same address", 1, TEXT_BASE, 5, 0, 0 },
		{ "len 0", 1, TEXT_BASE + 5, 0, 0, 0 },
		{ "len above max", 2, TEXT_BASE + 16, VMI_POKE_MAX_LEN + 1, 0, 0 },
		{ "wraps", 2, UINT64_MAX - 2, 5, 0, 0 },
		{ "NULL old", 2, TEXT_BASE + 16, 5, 1, 0 },
		{ "NULL new", 0, TEXT_BASE, 5, 0, 1 },
	};
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		vmi_poke_site t[3];
		memcpy(t, s, sizeof(t));
		t[bad[b].idx].addr = bad[b].addr;
		t[bad[b].idx].len = bad[b].len;
		if (bad[b].null_old)
			t[bad[b].idx].old_bytes = NULL;
		if (bad[b].null_new)
			t[bad[b].idx].new_bytes = NULL;
		rec_reset(s, 3);
		uint32_t syncs = 99;
		vmi_status st = vmi_poke_batch(&ops, t, 3, &syncs);
		if (st != VMI_E_INVALID_ARG)
			fail_msg("%s: got %d", bad[b].what, st);
		assert_int_equal(syncs, 0);
		assert_int_equal(R->writes + R->syncs, 0);
		expect_text(s, 3, 0);
	}
	rec_reset(s, 3);
	assert_int_equal(vmi_poke_batch(&ops, NULL, 3, NULL), VMI_E_INVALID_ARG);
	/* The untouched array is fine, and adjacency is not overlap. */
	assert_int_equal(vmi_poke_batch(&ops, s, 3, NULL), VMI_OK);
	expect_text(s, 3, 1);
}

/* The ops struct is size-versioned (VMI_OPTS). */
static void test_ops_size(void **state)
{
	(void)state;
	const vmi_poke_site s = { .addr = TEXT_BASE, .old_bytes = call5, .new_bytes = jmp5, .len = 5 };
	vmi_poke_ops ops = rec_ops();
	uint32_t syncs = 99;
	rec_reset(&s, 1);
	assert_int_equal(vmi_poke_batch(NULL, &s, 1, &syncs), VMI_E_INVALID_ARG);
	assert_int_equal(syncs, 0);

	ops.size = 0;
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, NULL), VMI_E_INVALID_ARG);
	/* An older, shorter struct without the sync hook cannot work. */
	ops.size = (uint32_t)offsetof(vmi_poke_ops, sync);
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, NULL), VMI_E_INVALID_ARG);
	ops = rec_ops();
	ops.sync = NULL;
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, NULL), VMI_E_INVALID_ARG);
	ops = rec_ops();
	ops.write = NULL;
	assert_int_equal(vmi_poke_batch(&ops, &s, 1, NULL), VMI_E_INVALID_ARG);
	assert_int_equal(R->writes + R->syncs, 0);

	/* A newer, longer struct: fine with a zero tail, refused otherwise. */
	struct { vmi_poke_ops ops; uint64_t future; } big;
	memset(&big, 0, sizeof(big));
	big.ops = rec_ops();
	big.ops.size = sizeof(big);
	big.future = 1;
	assert_int_equal(vmi_poke_batch(&big.ops, &s, 1, NULL), VMI_E_OPTS_UNKNOWN);
	assert_int_equal(R->writes + R->syncs, 0);
	big.future = 0;
	assert_int_equal(vmi_poke_batch(&big.ops, &s, 1, &syncs), VMI_OK);
	assert_int_equal(syncs, 3);
	expect_text(&s, 1, 1);
}

/* A failing hook stops the batch with its status; the same batch run
 * again finishes the job from wherever it stopped. */
static void test_hook_failure_and_rerun(void **state)
{
	(void)state;
	build_many(0);
	vmi_poke_ops ops = rec_ops();
	for (uint32_t at = 1; at <= 2 * MANY + 200; at += 97) {
		rec_reset(many, MANY);
		R->fail_write_at = at;
		uint32_t syncs = 99;
		assert_int_equal(vmi_poke_batch(&ops, many, MANY, &syncs), VMI_E_IO);
		assert_true(syncs <= 2);
		R->fail_write_at = 0;
		assert_int_equal(vmi_poke_batch(&ops, many, MANY, &syncs), VMI_OK);
		assert_int_equal(syncs, 3);
		expect_text(many, MANY, 1);
	}
	for (uint32_t at = 1; at <= 3; at++) {
		rec_reset(many, MANY);
		R->fail_sync_at = at;
		uint32_t syncs = 99;
		assert_int_equal(vmi_poke_batch(&ops, many, MANY, &syncs), VMI_E_IO);
		assert_int_equal(syncs, at - 1);
		R->fail_sync_at = 0;
		assert_int_equal(vmi_poke_batch(&ops, many, MANY, NULL), VMI_OK);
		expect_text(many, MANY, 1);
	}
}

static void test_trap_target(void **state)
{
	(void)state;
	static const uint8_t same[5] = { 0xe8, 9, 9, 9, 9 };
	const vmi_poke_site s[3] = {
		{ .addr = 0x1000, .old_bytes = call5, .new_bytes = jmp5, .resume = 0x7000, .len = 5 },
		{ .addr = 0x1005, .old_bytes = same, .new_bytes = same, .resume = 0x7100, .len = 5 },
		{ .addr = 0x2000, .old_bytes = jmp5, .new_bytes = call5, .resume = 0x7200, .len = 5 },
	};
	uint64_t r = 0;
	assert_int_equal(vmi_poke_trap_target(s, 3, 0x1000, &r), VMI_OK);
	assert_int_equal(r, 0x7000);
	assert_int_equal(vmi_poke_trap_target(s, 3, 0x2000, &r), VMI_OK);
	assert_int_equal(r, 0x7200);
	r = 1;
	/* Misses: inside a site, between, before, after, an unchanged site. */
	const uint64_t miss[] = { 0x1001, 0x1004, 0x1500, 0xfff, 0x2001, 0, UINT64_MAX, 0x1005 };
	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		assert_int_equal(vmi_poke_trap_target(s, 3, miss[i], &r), VMI_E_INVALID_ARG);
	assert_int_equal(r, 1); /* untouched on a miss */
	assert_int_equal(vmi_poke_trap_target(s, 0, 0x1000, &r), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_poke_trap_target(NULL, 3, 0x1000, &r), VMI_E_INVALID_ARG);
	assert_int_equal(vmi_poke_trap_target(s, 3, 0x1000, NULL), VMI_E_INVALID_ARG);

	/* Every changing site of a large batch is found, nothing else is. */
	build_many(4);
	for (uint32_t i = 0; i < MANY; i++) {
		vmi_status st = vmi_poke_trap_target(many, MANY, many[i].addr, &r);
		if (i % 4 == 0) {
			assert_int_equal(st, VMI_E_INVALID_ARG);
		} else {
			assert_int_equal(st, VMI_OK);
			assert_int_equal(r, many[i].resume);
		}
		if (many[i].len > 1)
			assert_int_equal(vmi_poke_trap_target(many, MANY, many[i].addr + 1, &r), VMI_E_INVALID_ARG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_or_tail_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_sites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_sites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_sites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ops_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_failure_and_rerun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trap_target, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
