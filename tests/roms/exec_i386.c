/* SPDX-License-Identifier: MIT */
/*
 * exec_i386 - the i386 ROMs executed for real in a 32-bit process: the
 * regparm(3) convention, the GOT-base (GOTPC/GOTOFF) relocations mkrom
 * resolved, the register thunks, and the i386-only paths of the samples
 * (PAE entries in edx:eax, 64-bit entries that do not fit a hypercall
 * argument). Standalone (no CMocka or libvmipatch: both are 64-bit here);
 * it reads the call table from the rom.h layout itself.
 *
 * usage: exec_i386 ROMS_DIR TEST_ROMS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmi/calls.h"
#include "vmi/rom.h"
#include "vmi/rom_sdk.h"

#if !defined(__i386__)
#error "exec_i386 must be built with -m32"
#endif

#define RP __attribute__((regparm(3)))

static int checks, fails;
#define CHECK_EQ(x, y)                                                                             \
	do {                                                                                       \
		unsigned long long x_ = (unsigned long long)(x), y_ = (unsigned long long)(y);     \
		checks++;                                                                          \
		if (x_ != y_) {                                                                    \
			fails++;                                                                   \
			fprintf(stderr, "FAIL %s:%d: %s == 0x%llx, want 0x%llx\n", __FILE__,       \
				__LINE__, #x, x_, y_);                                             \
		}                                                                                  \
	} while (0)

/* ---- recording hypervisor (regparm(3), as the ROM calls it on i386) ---- */

typedef struct rec_call {
	unsigned long nr, a0, a1;
	uint32_t nbatch;
	struct vmi_rom_queue_entry batch[VMI_ROM_QUEUE_MAX];
} rec_call;
static rec_call rec[64];
static unsigned nrec;

static RP unsigned long rec_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	if (nrec < 64) {
		rec_call *r = &rec[nrec];
		r->nr = nr;
		r->a0 = a0;
		r->a1 = a1;
		r->nbatch = 0;
		if (nr == VMI_HC_BATCH && a1 <= VMI_ROM_QUEUE_MAX) {
			memcpy(r->batch, (const void *)a0, a1 * sizeof(r->batch[0]));
			r->nbatch = a1;
		}
	}
	nrec++;
	switch (nr) {
	case VMI_CALL_GetCR0: return 0x80050033ul;
	case VMI_CALL_GetCR3: return 0x1000ul;
	case VMI_CALL_GetCR4: return 0x20ul;
	case VMI_CALL_INB: return 0x1234ul;
	}
	return 0;
}

/* ---- a ROM mapped at a random address ---- */

typedef struct loaded {
	uint8_t *base;
	size_t len;
	struct vmi_rom_data *data;
} loaded;

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int load(loaded *l, const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "FAIL: cannot open %s\n", path);
		fails++;
		return -1;
	}
	static uint8_t buf[VMI_ROM_MAX_SIZE];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	l->len = (len + 4095) & ~(size_t)4095;
	void *p = MAP_FAILED;
	for (int i = 0; i < 16 && p == MAP_FAILED; i++) {
		uintptr_t hint = ((uintptr_t)(rand() & 0x7ffff) << 12) + 0x10000000u;
		p = mmap((void *)hint, l->len, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "FAIL: no executable mapping for %s\n", name);
		fails++;
		return -1;
	}
	l->base = p;
	memcpy(l->base, buf, len);
	CHECK_EQ(l->base[0x14], VMI_ARCH_I386);
	uint32_t init_off = le32(l->base + 0x24), data_size = le32(l->base + 0x28);
	CHECK_EQ(data_size, sizeof(struct vmi_rom_data));
	l->data = calloc(1, data_size);
	l->data->hypercall = (uintptr_t)rec_hypercall;
	nrec = 0;
	RP int (*init)(void *, uint32_t, uint32_t) = (RP int (*)(void *, uint32_t, uint32_t))(l->base + init_off);
	CHECK_EQ(init(l->data, data_size, 0x103), 0);
	CHECK_EQ(l->data->magic, VMI_ROM_DATA_MAGIC);
	return 0;
}

static void unload(loaded *l)
{
	munmap(l->base, l->len);
	free(l->data);
}

static void *entry(const loaded *l, uint16_t id)
{
	uint32_t table = le32(l->base + 0x20);
	uint16_t count = le16(l->base + 0x1C), stride = le16(l->base + 0x16);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = l->base + table + i * stride;
		if (le16(e) == id && le32(e + 8))
			return l->base + le32(e + 8);
	}
	fprintf(stderr, "FAIL: no entry for call %u\n", id);
	fails++;
	exit(1);
}

typedef struct regs4 {
	uint32_t a, b, c, d;
} regs4;

/* Native registers in and out, stack 16-aligned for the recorder. */
static regs4 call_regs4(void *fn, regs4 in)
{
	uint32_t a = in.a, b = in.b, c = in.c, d = in.d;
	__asm__ volatile("movl %%esp,%%esi\n\tandl $-16,%%esp\n\tcall *%%edi\n\tmovl %%esi,%%esp"
			 : "+a"(a), "+b"(b), "+c"(c), "+d"(d)
			 : "D"(fn)
			 : "esi", "memory", "cc");
	return (regs4){ a, b, c, d };
}

typedef RP void (*fn_v)(void);
typedef RP void (*fn_ul)(unsigned long);
typedef RP void (*fn_ul2)(unsigned long, unsigned long);
typedef RP unsigned long (*fn_r)(void);
typedef RP void (*fn_pxe)(uint64_t pte, uint64_t *ptep);

static void test_thunks(const char *dir)
{
	loaded l;
	if (load(&l, dir, "thunks-i386.rom"))
		return;
	regs4 r = call_regs4(entry(&l, VMI_CALL_INW), (regs4){ 0xffffffff, 0, 0, 0x100001f0 });
	CHECK_EQ(l.data->cr[0], 0x1f0);
	CHECK_EQ(r.a, 0x1f0 * 3 + 1);
	call_regs4(entry(&l, VMI_CALL_OUTL), (regs4){ 0xcafebabe, 0, 0, 0xcf8 });
	CHECK_EQ(l.data->cr[0], 0xcafebabe);
	CHECK_EQ(l.data->cr[2], 0xcf8);
	r = call_regs4(entry(&l, VMI_CALL_RDMSR), (regs4){ 0, 0, 0xc0000080, 0 });
	CHECK_EQ(l.data->cr[0], 0xc0000080);
	CHECK_EQ(r.d, 0xc0000080);
	CHECK_EQ(r.a, 0x89abcdef);
	call_regs4(entry(&l, VMI_CALL_WRMSR), (regs4){ 0x9abcdef0, 0, 0x1b, 0x12345678 });
	CHECK_EQ(l.data->cr[0], 0x1b);
	CHECK_EQ(l.data->cr[2], 0x123456789abcdef0ull);
	r = call_regs4(entry(&l, VMI_CALL_GetCycleCounter), (regs4){ 0, 0, 0, 0 });
	CHECK_EQ(r.d, 0x01234567);
	CHECK_EQ(r.a, 0x89abcdef);
	r = call_regs4(entry(&l, VMI_CALL_CPUID), (regs4){ 7, 0x5555, 1, 0 });
	CHECK_EQ(l.data->cr[0], 7);
	CHECK_EQ(l.data->cr[2], 1);
	CHECK_EQ(r.a, 8);
	CHECK_EQ(r.b, 0xb0b0);
	CHECK_EQ(r.c, 3);
	CHECK_EQ(r.d, 0xd0d0);
	unload(&l);
}

static void test_vmware_like(const char *dir)
{
	loaded l;
	if (load(&l, dir, "vmware-like-i386.rom"))
		return;
	CHECK_EQ(nrec, 3);
	CHECK_EQ(l.data->cr[0], 0x80050033);
	((fn_v)entry(&l, VMI_CALL_EnableInterrupts))();
	CHECK_EQ(((fn_r)entry(&l, VMI_CALL_GetInterruptMask))() & 0x200, 0x200);
	((fn_v)entry(&l, VMI_CALL_DisableInterrupts))();
	CHECK_EQ(l.data->vif, 0);
	CHECK_EQ(nrec, 3);
	((fn_ul)entry(&l, VMI_CALL_SetCR3))(0x5000);
	CHECK_EQ(nrec, 4);
	CHECK_EQ(rec[3].nr, VMI_CALL_SetCR3);
	CHECK_EQ(rec[3].a0, 0x5000);
	CHECK_EQ(((fn_r)entry(&l, VMI_CALL_GetCR3))(), 0x5000);

	/* PAE: entry in edx:eax, pointer in ecx. A 32-bit entry goes straight
	 * through; one with high bits cannot, so it becomes a batch of one. */
	static uint64_t ptes[4];
	fn_pxe set_pxe = (fn_pxe)entry(&l, VMI_CALL_SetPxE);
	set_pxe(0x2003, &ptes[0]);
	CHECK_EQ(nrec, 5);
	CHECK_EQ(rec[4].nr, VMI_CALL_SetPxE);
	CHECK_EQ(rec[4].a0, (uintptr_t)&ptes[0]);
	CHECK_EQ(rec[4].a1, 0x2003);
	set_pxe(0x8000000000003003ull, &ptes[1]);
	CHECK_EQ(nrec, 6);
	CHECK_EQ(rec[5].nr, VMI_HC_BATCH);
	CHECK_EQ(rec[5].nbatch, 1);
	CHECK_EQ(rec[5].batch[0].a1, 0x8000000000003003ull);

	/* Deferred: queued, then one batch. */
	((fn_ul)entry(&l, VMI_CALL_SetDeferredMode))(1);
	set_pxe(0x8000000000004003ull, &ptes[2]);
	set_pxe(0x5003, &ptes[3]);
	((fn_ul)entry(&l, VMI_CALL_InvalPage))(0x7000);
	CHECK_EQ(nrec, 6);
	CHECK_EQ(l.data->queue_len, 3);
	((fn_v)entry(&l, VMI_CALL_FlushDeferredCalls))();
	CHECK_EQ(nrec, 7);
	CHECK_EQ(rec[6].nr, VMI_HC_BATCH);
	CHECK_EQ(rec[6].nbatch, 3);
	CHECK_EQ(rec[6].batch[0].op, VMI_CALL_SetPxE);
	CHECK_EQ(rec[6].batch[0].a0, (uintptr_t)&ptes[2]);
	CHECK_EQ(rec[6].batch[0].a1, 0x8000000000004003ull);
	CHECK_EQ(rec[6].batch[2].op, VMI_CALL_InvalPage);
	CHECK_EQ(l.data->counts[VMI_CALL_SetPxE], 4);

	/* Port I/O through the thunk: port in dx, byte back in al. */
	regs4 r = call_regs4(entry(&l, VMI_CALL_INB), (regs4){ 0xdeadbeef, 0, 0, 0x3f8 });
	CHECK_EQ(rec[7].nr, VMI_CALL_INB);
	CHECK_EQ(rec[7].a0, 0x3f8);
	CHECK_EQ(r.a & 0xff, 0x34);
	unload(&l);
}

static void test_xen_like(const char *dir)
{
	loaded l;
	if (load(&l, dir, "xen-like-i386.rom"))
		return;
	static uint32_t pte;
	unsigned before = nrec;
	((fn_ul2)entry(&l, VMI_CALL_SetPTE))((unsigned long)&pte, 0x1003);
	CHECK_EQ(nrec, before + 1);
	CHECK_EQ(rec[before].nr, VMI_HC_BATCH);
	CHECK_EQ(rec[before].nbatch, 1);
	CHECK_EQ(rec[before].batch[0].op, VMI_CALL_SetPTE);
	CHECK_EQ(rec[before].batch[0].a1, 0x1003);
	CHECK_EQ(pte, 0); /* the hypervisor writes page tables, not the ROM */
	unload(&l);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: exec_i386 ROMS_DIR TEST_ROMS_DIR\n");
		return 2;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	test_thunks(argv[2]);
	test_vmware_like(argv[1]);
	test_xen_like(argv[1]);
	if (fails) {
		printf("exec_i386: %d of %d checks failed\n", fails, checks);
		return 1;
	}
	printf("exec_i386: all %d checks passed\n", checks);
	return 0;
}
