/* SPDX-License-Identifier: MIT */
/*
 * test_rom_exec - run the x86-64 sample ROMs for real: map a ROM into
 * executable memory at a random address, call VMI init with a data area
 * whose hypercall entry is a recorder in this program, call CALL entries
 * the way a patched guest would, and check what reached the ROM and the
 * "hypervisor" (counters, virtual IF, CR shadows, batches).
 *
 * The ROM files come from $VMI_ROMS_DIR and $VMI_TEST_ROMS_DIR (set by
 * tests/roms/module.mk).
 * i386 ROMs cannot run in this process; the QEMU end-to-end test runs them.
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

#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"
#include "vmi/rom_sdk.h"

/* ---- the recording "hypervisor" ---- */

#define REC_MAX 256
typedef struct rec_call {
	unsigned long nr, a0, a1;
	uint32_t nbatch;                                   /* entries of a VMI_HC_BATCH */
	struct vmi_rom_queue_entry batch[VMI_ROM_QUEUE_MAX]; /* copied at the call */
} rec_call;
static rec_call rec[REC_MAX];
static unsigned nrec;

#define HV_CR0 0x80050033ul
#define HV_CR3 0x1000ul
#define HV_CR4 0x6f0ul
#define HV_INB 0x1234ul /* INB answer: the thunk/ROM must hand back only the low byte */
#define HV_TSC 0x1122334455667788ull

static unsigned long rec_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	if (nrec < REC_MAX) {
		rec_call *r = &rec[nrec];
		r->nr = nr;
		r->a0 = a0;
		r->a1 = a1;
		r->nbatch = 0;
		if (nr == VMI_HC_BATCH && a1 <= VMI_ROM_QUEUE_MAX) {
			memcpy(r->batch, (const void *)a0, a1 * sizeof(r->batch[0]));
			r->nbatch = (uint32_t)a1;
		}
	}
	nrec++;
	switch (nr) {
	case VMI_CALL_GetCR0: return HV_CR0;
	case VMI_CALL_GetCR3: return HV_CR3;
	case VMI_CALL_GetCR4: return HV_CR4;
	case VMI_CALL_INB: return HV_INB;
	case VMI_CALL_GetCycleCounter: return (unsigned long)HV_TSC;
	}
	return 0;
}

/* ---- a ROM mapped for execution ---- */

typedef struct loaded {
	uint8_t *base;
	size_t map_len;
	vmi_rom rom;
	struct vmi_rom_data *data;
} loaded;

/* Sample ROMs come from $VMI_ROMS_DIR, test-only ROMs ("test:" prefix)
 * from $VMI_TEST_ROMS_DIR. */
static uint8_t *read_rom(const char *name, size_t *len)
{
	const char *dir = getenv("VMI_ROMS_DIR");
	if (!strncmp(name, "test:", 5)) {
		dir = getenv("VMI_TEST_ROMS_DIR");
		name += 5;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/roms", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set VMI_ROMS_DIR)", path);
	uint8_t *buf = malloc(VMI_ROM_MAX_SIZE);
	assert_non_null(buf);
	*len = fread(buf, 1, VMI_ROM_MAX_SIZE, f);
	fclose(f);
	return buf;
}

/* Map at a random page-aligned address in the low 2^46, like a guest that
 * copies the ROM wherever it has room; the code must not care. */
static void load(loaded *l, const char *name)
{
	size_t len;
	uint8_t *img = read_rom(name, &len);
	l->map_len = (len + 4095) & ~(size_t)4095;
	void *p = MAP_FAILED;
	for (int tries = 0; tries < 16 && p == MAP_FAILED; tries++) {
		uintptr_t hint = ((uintptr_t)(rand() & 0x3ffffff) << 12) + 0x10000000ul;
		p = mmap((void *)hint, l->map_len, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, l->map_len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		skip(); /* W+X mappings forbidden here: nothing to run on */
	l->base = p;
	memcpy(l->base, img, len);
	free(img);
	vmi_rom_opts o = { .size = sizeof(o), .arch = VMI_ARCH_X86_64 };
	assert_int_equal(vmi_rom_validate(l->base, len, &o, &l->rom), VMI_OK);
	assert_true(l->rom.init_off != 0);
	assert_true(l->rom.data_size >= sizeof(struct vmi_rom_data));
	l->data = calloc(1, l->rom.data_size);
	assert_non_null(l->data);
	l->data->hypercall = (uint64_t)(uintptr_t)rec_hypercall;
	nrec = 0;
	int (*init)(void *, uint32_t, uint32_t) =
		(int (*)(void *, uint32_t, uint32_t))(void *)(l->base + l->rom.init_off);
	assert_int_equal(init(l->data, l->rom.data_size, (VMI_INTERFACE_MAJOR << 8) | VMI_INTERFACE_MINOR), 0);
}

static void unload(loaded *l)
{
	munmap(l->base, l->map_len);
	free(l->data);
}

static void *entry(const loaded *l, uint32_t id)
{
	vmi_rom_call c;
	assert_int_equal(vmi_rom_find_call(&l->rom, id, &c), VMI_OK);
	assert_int_equal(c.form == VMI_FORM_CALL || c.form == VMI_FORM_INLINE, 1);
	assert_true(c.entry_off != 0);
	return l->base + c.entry_off;
}

typedef void (*fn_v)(void);
typedef void (*fn_ul)(unsigned long);
typedef void (*fn_ul2)(unsigned long, unsigned long);
typedef unsigned long (*fn_r)(void);

/* Call a fixed-register entry as a site would: eax/edx/ecx in, edx:eax out.
 * The stack is realigned and the red zone skipped (this program has one). */
static uint64_t call_regs(void *fn, uint32_t eax, uint32_t edx, uint32_t ecx)
{
	uint64_t a = eax, d = edx, c = ecx;
	__asm__ volatile("movq %%rsp,%%rbx\n\tsubq $128,%%rsp\n\tandq $-16,%%rsp\n\t"
			 "call *%[fn]\n\tmovq %%rbx,%%rsp"
			 : "+a"(a), "+d"(d), "+c"(c)
			 : [fn] "r"(fn)
			 : "rbx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
	return (uint64_t)(uint32_t)d << 32 | (uint32_t)a;
}

/* All four of eax, ebx, ecx, edx in and out (CPUID). */
typedef struct regs4 {
	uint32_t a, b, c, d;
} regs4;

static regs4 call_regs4(void *fn, regs4 in)
{
	uint64_t a = in.a, b = in.b, c = in.c, d = in.d;
	__asm__ volatile("movq %%rsp,%%r12\n\tsubq $128,%%rsp\n\tandq $-16,%%rsp\n\t"
			 "call *%[fn]\n\tmovq %%r12,%%rsp"
			 : "+a"(a), "+b"(b), "+c"(c), "+d"(d)
			 : [fn] "r"(fn)
			 : "r12", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
	regs4 out = { (uint32_t)a, (uint32_t)b, (uint32_t)c, (uint32_t)d };
	return out;
}

/* ---- tests ---- */

static void test_init_seeds_shadows(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	assert_int_equal(l.data->magic, VMI_ROM_DATA_MAGIC);
	assert_int_equal(l.data->size, l.rom.data_size);
	assert_int_equal(l.data->guest_version, (VMI_INTERFACE_MAJOR << 8) | VMI_INTERFACE_MINOR);
	assert_int_equal(nrec, 3);
	assert_int_equal(rec[0].nr, VMI_CALL_GetCR0);
	assert_int_equal(l.data->cr[0], HV_CR0);
	assert_int_equal(l.data->cr[3], HV_CR3);
	assert_int_equal(l.data->cr[4], HV_CR4);
	assert_int_equal(l.data->hypercalls, 3);
	unload(&l);
}

static void test_init_rejects_small_area_and_major(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	int (*init)(void *, uint32_t, uint32_t) =
		(int (*)(void *, uint32_t, uint32_t))(void *)(l.base + l.rom.init_off);
	struct vmi_rom_data *d = calloc(1, sizeof(*d));
	assert_int_equal(init(d, sizeof(*d) - 1, 0x103), VMI_ROM_INIT_TOO_SMALL);
	assert_int_equal(init(d, sizeof(*d), 0x203), VMI_ROM_INIT_MAJOR);
	assert_int_equal(d->magic, 0);
	free(d);
	unload(&l);
}

static void test_virtual_interrupt_flag(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	unsigned before = nrec;
	((fn_v)entry(&l, VMI_CALL_EnableInterrupts))();
	assert_int_equal(l.data->vif, 1);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetInterruptMask))() & 0x200, 0x200);
	((fn_v)entry(&l, VMI_CALL_DisableInterrupts))();
	assert_int_equal(l.data->vif, 0);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetInterruptMask))() & 0x200, 0);
	((fn_ul)entry(&l, VMI_CALL_SetInterruptMask))(0x246);
	assert_int_equal(l.data->vif, 1);
	((fn_ul)entry(&l, VMI_CALL_SetInterruptMask))(0x046);
	assert_int_equal(l.data->vif, 0);
	/* No exits for any of it: that is the point of a virtual IF. */
	assert_int_equal(nrec, before);
	assert_int_equal(l.data->counts[VMI_CALL_EnableInterrupts], 1);
	assert_int_equal(l.data->counts[VMI_CALL_DisableInterrupts], 1);
	assert_int_equal(l.data->counts[VMI_CALL_GetInterruptMask], 2);
	assert_int_equal(l.data->counts[VMI_CALL_SetInterruptMask], 2);
	assert_int_equal(l.data->counts[VMI_CALL_SetCR3], 0);
	unload(&l);
}

static void test_cr_shadow_and_forward(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	unsigned before = nrec;
	((fn_ul)entry(&l, VMI_CALL_SetCR3))(0x5000);
	assert_int_equal(nrec, before + 1);
	assert_int_equal(rec[before].nr, VMI_CALL_SetCR3);
	assert_int_equal(rec[before].a0, 0x5000);
	assert_int_equal(l.data->cr[3], 0x5000);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetCR3))(), 0x5000);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetCR0))(), HV_CR0);
	assert_int_equal(nrec, before + 1); /* reads come from the shadow */
	assert_int_equal(l.data->counts[VMI_CALL_SetCR3], 1);
	assert_int_equal(l.data->counts[VMI_CALL_GetCR3], 1);
	/* CLTS changes CR0 behind SetCR0's back: the shadow must follow. */
	((fn_ul)entry(&l, VMI_CALL_SetCR0))(HV_CR0 | 0x8);
	((fn_v)entry(&l, VMI_CALL_CLTS))();
	assert_int_equal(rec[nrec - 1].nr, VMI_CALL_CLTS);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetCR0))(), HV_CR0 & ~0x8ul);
	unload(&l);
}

static void test_deferred_batch(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	uint64_t ptes[3] = { 0 };
	fn_ul2 set_pxe = (fn_ul2)entry(&l, VMI_CALL_SetPxELong);

	/* Not deferred: one hypercall per update, straight through. */
	unsigned before = nrec;
	set_pxe((unsigned long)&ptes[0], 0xabc003);
	assert_int_equal(nrec, before + 1);
	assert_int_equal(rec[before].nr, VMI_CALL_SetPxELong);
	assert_int_equal(rec[before].a0, (unsigned long)&ptes[0]);
	assert_int_equal(rec[before].a1, 0xabc003);

	((fn_ul)entry(&l, VMI_CALL_SetDeferredMode))(1);
	assert_int_equal(l.data->deferred, 1);
	before = nrec;
	for (int i = 0; i < 3; i++)
		set_pxe((unsigned long)&ptes[i], 0x1000ul * (unsigned long)(i + 1) | 3);
	((fn_ul)entry(&l, VMI_CALL_InvalPage))(0x7000);
	assert_int_equal(nrec, before); /* all queued */
	assert_int_equal(l.data->queue_len, 4);
	((fn_v)entry(&l, VMI_CALL_FlushDeferredCalls))();
	assert_int_equal(nrec, before + 1);
	const rec_call *b = &rec[before];
	assert_int_equal(b->nr, VMI_HC_BATCH);
	assert_int_equal(b->a0, (unsigned long)l.data->queue);
	assert_int_equal(b->nbatch, 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(b->batch[i].op, VMI_CALL_SetPxELong);
		assert_int_equal(b->batch[i].a0, (uint64_t)(uintptr_t)&ptes[i]);
		assert_int_equal(b->batch[i].a1, 0x1000ull * (uint64_t)(i + 1) | 3);
	}
	assert_int_equal(b->batch[3].op, VMI_CALL_InvalPage);
	assert_int_equal(b->batch[3].a0, 0x7000);
	assert_int_equal(l.data->queue_len, 0);
	assert_int_equal(l.data->batches, 1);
	/* An empty queue costs nothing. */
	((fn_v)entry(&l, VMI_CALL_FlushDeferredCalls))();
	assert_int_equal(nrec, before + 1);
	/* The ROM updated no page table itself: that is the hypervisor's job. */
	assert_int_equal(ptes[1], 0);
	assert_int_equal(l.data->counts[VMI_CALL_SetPxELong], 4);
	assert_int_equal(l.data->counts[VMI_CALL_FlushDeferredCalls], 2);
	unload(&l);
}

static void test_deferred_queue_overflow_and_exit(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	uint64_t pte = 0;
	fn_ul2 set_pxe = (fn_ul2)entry(&l, VMI_CALL_SetPxELong);
	((fn_ul)entry(&l, VMI_CALL_SetDeferredMode))(1);
	unsigned before = nrec;
	for (int i = 0; i < VMI_ROM_QUEUE_MAX + 1; i++)
		set_pxe((unsigned long)&pte, (unsigned long)i);
	assert_int_equal(nrec, before + 1); /* the full queue went out by itself */
	assert_int_equal(rec[before].nbatch, VMI_ROM_QUEUE_MAX);
	assert_int_equal(rec[before].batch[VMI_ROM_QUEUE_MAX - 1].a1, VMI_ROM_QUEUE_MAX - 1);
	assert_int_equal(l.data->queue_len, 1);
	((fn_ul)entry(&l, VMI_CALL_SetDeferredMode))(0); /* leaving flushes the rest */
	assert_int_equal(nrec, before + 2);
	assert_int_equal(rec[before + 1].nbatch, 1);
	assert_int_equal(rec[before + 1].batch[0].a1, VMI_ROM_QUEUE_MAX);
	assert_int_equal(l.data->deferred, 0);
	unload(&l);
}

static void test_register_thunks(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	unsigned before = nrec;
	/* INB: port in dx, byte back in al. */
	uint64_t r = call_regs(entry(&l, VMI_CALL_INB), 0xdeadbeef, 0x3f8, 0);
	assert_int_equal(nrec, before + 1);
	assert_int_equal(rec[before].nr, VMI_CALL_INB);
	assert_int_equal(rec[before].a0, 0x3f8);
	assert_int_equal(r & 0xff, HV_INB & 0xff);
	/* OUTB: value in al, port in dx. */
	call_regs(entry(&l, VMI_CALL_OUTB), 0x41, 0x3f8, 0);
	assert_int_equal(rec[before + 1].nr, VMI_CALL_OUTB);
	assert_int_equal(rec[before + 1].a0, 0x3f8);
	assert_int_equal(rec[before + 1].a1, 0x41);
	/* GetCycleCounter: 64 bits back split into edx:eax. */
	r = call_regs(entry(&l, VMI_CALL_GetCycleCounter), 0, 0, 0);
	assert_int_equal(r, HV_TSC);
	assert_int_equal(l.data->counts[VMI_CALL_INB], 1);
	assert_int_equal(l.data->counts[VMI_CALL_OUTB], 1);
	assert_int_equal(l.data->counts[VMI_CALL_GetCycleCounter], 1);
	unload(&l);
}

static void test_inline_fallback_entry_agrees(void **state)
{
	(void)state;
	loaded l;
	load(&l, "vmware-like-x86_64.rom");
	vmi_rom_call c;
	assert_int_equal(vmi_rom_find_call(&l.rom, VMI_CALL_GetCycleFrequency, &c), VMI_OK);
	assert_int_equal(c.form, VMI_FORM_INLINE);
	/* The stub is `mov $imm32,%eax` (b8 imm32); the fallback entry must return the same. */
	assert_int_equal(c.stub_len, 5);
	assert_int_equal(l.base[c.stub_off], 0xb8);
	uint32_t imm;
	memcpy(&imm, l.base + c.stub_off + 1, 4);
	assert_int_equal(((fn_r)entry(&l, VMI_CALL_GetCycleFrequency))(), imm);
	unload(&l);
}

static void test_xen_like_multicalls(void **state)
{
	(void)state;
	loaded l;
	load(&l, "xen-like-x86_64.rom");
	uint64_t pte = 0;
	fn_ul2 set_pxe = (fn_ul2)entry(&l, VMI_CALL_SetPxELong);
	/* Outside deferred mode an update is still a multicall: a batch of one. */
	unsigned before = nrec;
	set_pxe((unsigned long)&pte, 0x5003);
	assert_int_equal(nrec, before + 1);
	assert_int_equal(rec[before].nr, VMI_HC_BATCH);
	assert_int_equal(rec[before].nbatch, 1);
	assert_int_equal(rec[before].batch[0].op, VMI_CALL_SetPxELong);
	((fn_ul)entry(&l, VMI_CALL_SetDeferredMode))(1);
	set_pxe((unsigned long)&pte, 0x6003);
	((fn_v)entry(&l, VMI_CALL_FlushTLB))();
	assert_int_equal(nrec, before + 1);
	/* A new CR3 must not overtake queued updates: flush first, then SetCR3. */
	((fn_ul)entry(&l, VMI_CALL_SetCR3))(0x9000);
	assert_int_equal(nrec, before + 3);
	assert_int_equal(rec[before + 1].nr, VMI_HC_BATCH);
	assert_int_equal(rec[before + 1].nbatch, 2);
	assert_int_equal(rec[before + 1].batch[1].op, VMI_CALL_FlushTLB);
	assert_int_equal(rec[before + 2].nr, VMI_CALL_SetCR3);
	assert_int_equal(l.data->counts[VMI_CALL_SetPxELong], 2);
	unload(&l);
}

static void test_two_addresses_same_behaviour(void **state)
{
	(void)state;
	loaded a, b;
	load(&a, "vmware-like-x86_64.rom");
	load(&b, "vmware-like-x86_64.rom");
	assert_true(a.base != b.base);
	((fn_ul)entry(&a, VMI_CALL_SetCR4))(0x20);
	((fn_ul)entry(&b, VMI_CALL_SetCR4))(0x30);
	/* Each copy keeps its own data-area pointer in its own image. */
	assert_int_equal(a.data->cr[4], 0x20);
	assert_int_equal(b.data->cr[4], 0x30);
	unload(&a);
	unload(&b);
}

/* Every SDK register thunk: native registers in, C arguments seen, C result
 * back in the native registers (tests/roms/thunks.c echoes its arguments). */
static void test_sdk_thunks(void **state)
{
	(void)state;
	loaded l;
	load(&l, "test:thunks-x86_64.rom");
	regs4 r = call_regs4(entry(&l, VMI_CALL_INW), (regs4){ 0xffffffff, 0, 0, 0x100001f0 });
	assert_int_equal(l.data->cr[0], 0x1f0); /* only dx is the port */
	assert_int_equal(r.a, 0x1f0 * 3 + 1);
	call_regs4(entry(&l, VMI_CALL_OUTL), (regs4){ 0xcafebabe, 0, 0, 0xcf8 });
	assert_int_equal(l.data->cr[0], 0xcafebabe);
	assert_int_equal(l.data->cr[2], 0xcf8);
	r = call_regs4(entry(&l, VMI_CALL_RDMSR), (regs4){ 0, 0, 0xc0000080, 0 });
	assert_int_equal(l.data->cr[0], 0xc0000080);
	assert_int_equal(r.d, 0xc0000080);
	assert_int_equal(r.a, 0x89abcdef);
	call_regs4(entry(&l, VMI_CALL_WRMSR), (regs4){ 0x9abcdef0, 0, 0x1b, 0x12345678 });
	assert_int_equal(l.data->cr[0], 0x1b);
	assert_int_equal(l.data->cr[2], 0x123456789abcdef0ull);
	r = call_regs4(entry(&l, VMI_CALL_GetCycleCounter), (regs4){ 0, 0, 0, 0 });
	assert_int_equal(r.d, 0x01234567);
	assert_int_equal(r.a, 0x89abcdef);
	r = call_regs4(entry(&l, VMI_CALL_CPUID), (regs4){ 7, 0x5555, 1, 0 });
	assert_int_equal(l.data->cr[0], 7);
	assert_int_equal(l.data->cr[2], 1);
	assert_int_equal(r.a, 8);
	assert_int_equal(r.b, 0xb0b0);
	assert_int_equal(r.c, 3);
	assert_int_equal(r.d, 0xd0d0);
	/* CPUID's entry writes ebx, so its table entry must say so. */
	vmi_rom_call c;
	assert_int_equal(vmi_rom_find_call(&l.rom, VMI_CALL_CPUID, &c), VMI_OK);
	assert_true(c.call_clobbers & VMI_REG_BX);
	assert_int_equal(vmi_rom_find_call(&l.rom, VMI_CALL_INW, &c), VMI_OK);
	assert_false(c.call_clobbers & VMI_REG_BX);
	unload(&l);
}

int main(void)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_seeds_shadows),
		cmocka_unit_test(test_init_rejects_small_area_and_major),
		cmocka_unit_test(test_virtual_interrupt_flag),
		cmocka_unit_test(test_cr_shadow_and_forward),
		cmocka_unit_test(test_deferred_batch),
		cmocka_unit_test(test_deferred_queue_overflow_and_exit),
		cmocka_unit_test(test_register_thunks),
		cmocka_unit_test(test_inline_fallback_entry_agrees),
		cmocka_unit_test(test_xen_like_multicalls),
		cmocka_unit_test(test_two_addresses_same_behaviour),
		cmocka_unit_test(test_sdk_thunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
