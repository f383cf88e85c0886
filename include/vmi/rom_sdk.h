/* SPDX-License-Identifier: MIT */
/*
 * vmi/rom_sdk.h - the ROM SDK: how a hypervisor vendor writes a VMI ROM in
 * C, and the data-area contract between a ROM, the guest and the hypervisor.
 *
 * Two audiences include this header:
 *   - ROM code (compiled with -DVMI_ROM_BUILD, -ffreestanding, -fPIC,
 *     -fvisibility=hidden, -mgeneral-regs-only, -mregparm=3 on i386,
 *     -mno-red-zone on x86-64) declares the ROM and its call table with the
 *     VMI_ROM_* macros below; `mkrom` turns the object into a ROM image.
 *   - Hosts (vmirun, tests, the e2e guest) read struct vmi_rom_data: the
 *     mutable state a ROM keeps in the data area the guest hands it at VMI
 *     init (the ROM image itself is read-only at run time).
 *
 * ---- Declaring a ROM ----
 *
 *   VMI_ROM_DECLARE("acme-hv", 1, 3, VMI_FEAT_DEFERRED | VMI_FEAT_PAE);
 *   VMI_ROM_INIT(my_init);                 int my_init(void *data, uint32_t size, uint32_t guest_version)
 *   VMI_ROM_CALL(SetCR3, my_set_cr3);      out-of-line C function (form CALL)
 *   VMI_ROM_INLINE(GetCycleFrequency, VMI_REG_AX, "movl $2000000000,%%eax");
 *                                          stub bytes from assembler text (form INLINE;
 *                                          1..VMI_SITE_MAX_LEN bytes, empty = use NOP)
 *   VMI_ROM_NOP(AllocatePage);             explicit NOP
 *   VMI_ROM_IDENT(CPUID);                  explicit IDENT (listed, native kept)
 *
 * Call names are the catalog names of vmi/calls.h; a misspelt name does not
 * compile. A call declared INLINE and CALL gets one table entry of form
 * INLINE whose entry point is the fallback for sites the stub does not fit.
 * Any other repeat of a call id is an error mkrom reports.
 *
 * C signatures of CALL implementations (the SDK adds a register thunk where
 * the call's native registers differ from the C convention of the arch, so
 * the same C source builds for i386 and x86-64):
 *   generic calls      the catalog's arguments as unsigned long, in order,
 *                      result unsigned long (uint64_t for VMI_RET_U64), e.g.
 *                      void set_cr3(unsigned long v); unsigned long get_cr0(void);
 *                      SetPTE(ptep, pte); SetPxELong(ptep, pte);
 *                      SetPxE/UpdatePxE: void f(uint64_t pte, uint64_t *ptep);
 *                      SetDR: void f(unsigned long value, unsigned long regno);
 *                      GetDR: unsigned long f(unsigned long unused, unsigned long regno)
 *   INB/INW/INL        uint32_t f(uint32_t port)
 *   OUTB/OUTW/OUTL     void f(uint32_t value, uint32_t port)
 *   RDMSR/RDPMC        uint64_t f(uint32_t index)
 *   WRMSR              void f(uint32_t index, uint64_t value)
 *   GetCycleCounter    uint64_t f(void)
 *   CPUID              void f(struct vmi_rom_cpuid *regs)   (in: eax, ecx; out: all four)
 *   string I/O, IRET,  no C form: write the entry in assembler and declare it
 *   SYSEXIT            with VMI_ROM_CALL_ASM(Name, symbol, clobbers)
 * A CALL entry's clobbers are the caller-saved set of the arch
 * (VMI_CLOBBER_CALL_I386 / _X86_64), plus bx for CPUID; VMI_ROM_CALL_CLOBBERS
 * and VMI_ROM_CALL_ASM let an author who knows better declare fewer.
 *
 * ---- VMI init and the data area ----
 *
 * The guest (1) copies the ROM to RAM and validates it, (2) gives it a
 * zeroed data area of at least data_size bytes (the header field; SDK ROMs
 * ask for sizeof(struct vmi_rom_data)), (3) sets data->hypercall to its
 * hypervisor's hypercall entry or leaves it 0, (4) calls VMI init(data,
 * size, guest_version). Init fills magic and size and returns 0, or a
 * negative value if the area is too small (the guest then must not patch).
 * The ROM keeps the data pointer in one static variable of its own image.
 *
 * A hypercall entry is
 *   unsigned long hc(unsigned long nr, unsigned long a0, unsigned long a1)
 * in the ROM-call convention of the arch (regparm(3) on i386, SysV on
 * x86-64); nr is the VMI call id the ROM forwards, or VMI_HC_BATCH with
 * a0 = address of data->queue and a1 = number of entries. With
 * hypercall == 0 the ROM performs the native instruction itself (it runs
 * in ring 0, e.g. in the QEMU end-to-end guest).
 *
 * What the sample ROMs of roms/ do with it (hosts and tests rely on this):
 *   - VMI init with a hypervisor makes three hypercalls, GetCR0, GetCR3,
 *     GetCR4 (a0 = a1 = 0), and seeds cr[0], cr[3], cr[4] with the results.
 *   - Every CALL entry first increments counts[call id].
 *   - vmware-like: Disable/EnableInterrupts, Get/SetInterruptMask only
 *     update vif (GetInterruptMask returns 0x2 | (vif ? 0x200 : 0)); CR reads
 *     come from cr[] (CR2: hypercall); CR writes update cr[] and make
 *     hypercall(id, value); MMU calls make hypercall(id, ptr, value), or are
 *     queued while deferred (SetDeferredMode(0) and a full queue flush too);
 *     an i386 64-bit entry that does not fit a hypercall argument goes as a
 *     batch of one. Port I/O: hypercall(id, port, value).
 *   - xen-like: every MMU/TLB call is a queue entry; outside deferred mode
 *     the queue is flushed at once (a batch of one); SetCR3 flushes first.
 *   - A batch is hypercall(VMI_HC_BATCH, &queue[0], n), then queue_len = 0
 *     and batches++; without a hypervisor the entries are replayed natively.
 */
#ifndef VMI_ROM_SDK_H
#define VMI_ROM_SDK_H

#include <stddef.h>
#include <stdint.h>

#include "vmi/annotations.h"
#include "vmi/calls.h"
#include "vmi/rom.h"

/* ================= the data area (host/guest/ROM contract) ================= */

#define VMI_ROM_DATA_MAGIC 0x41544144u /* "DATA" as a little-endian u32, set by VMI init */
#define VMI_ROM_QUEUE_MAX 64           /* deferred entries before the ROM flushes by itself */
#define VMI_HC_BATCH 0x100u            /* hypercall nr: a0 = &data->queue[0], a1 = entry count */

/* One deferred operation. Wire format: 24 bytes, same on both arches. */
struct vmi_rom_queue_entry {
	uint32_t op;       /* VMI call id of the operation (SetPxELong, InvalPage, FlushTLB, ...) */
	uint32_t reserved; /* 0 */
	uint64_t a0;       /* first argument (page-table entry pointer, address) */
	uint64_t a1;       /* second argument (entry value), 0 if none */
};
_Static_assert(sizeof(struct vmi_rom_queue_entry) == 24, "queue entry is 24 bytes");

/*
 * The data area. Every 64-bit field sits at an 8-byte offset so i386 and
 * x86-64 ROMs share one layout (asserted below). The guest zeroes it and
 * sets only `hypercall`; everything else belongs to the ROM.
 */
struct vmi_rom_data {
	uint32_t magic;         /* 0x00 VMI_ROM_DATA_MAGIC once VMI init ran */
	uint32_t size;          /* 0x04 bytes the guest gave (init's data_size) */
	uint64_t hypercall;     /* 0x08 hypercall entry address set by the guest before init; 0 = native */
	uint32_t hypercalls;    /* 0x10 hypervisor entries made by the ROM (batches count once) */
	uint32_t vif;           /* 0x14 virtual interrupt flag kept by the ROM: 1 = enabled */
	uint64_t cr[5];         /* 0x18 control-register shadows, indexed by CR number (0, 2, 3, 4 used) */
	uint32_t deferred;      /* 0x40 deferred mode on (SetDeferredMode argument != 0) */
	uint32_t queue_len;     /* 0x44 valid entries in queue[] */
	uint32_t guest_version; /* 0x48 (major << 8) | minor the guest passed to init */
	uint32_t batches;       /* 0x4C VMI_HC_BATCH hypercalls made (or native batch replays) */
	struct vmi_rom_queue_entry queue[VMI_ROM_QUEUE_MAX]; /* 0x50 deferred operations, oldest first */
	uint32_t counts[VMI_CALL_ID_LIMIT]; /* 0x650 entries into the ROM per call id (CALL form only:
					       INLINE stubs and IDENT/NOP sites never enter the ROM) */
};
_Static_assert(offsetof(struct vmi_rom_data, hypercall) == 0x08, "data layout");
_Static_assert(offsetof(struct vmi_rom_data, cr) == 0x18, "data layout");
_Static_assert(offsetof(struct vmi_rom_data, deferred) == 0x40, "data layout");
_Static_assert(offsetof(struct vmi_rom_data, queue) == 0x50, "data layout");
_Static_assert(offsetof(struct vmi_rom_data, counts) == 0x650, "data layout");
_Static_assert(sizeof(struct vmi_rom_data) == 0x850, "data area is 0x850 bytes on both arches");
#define VMI_ROM_DATA_SIZE 0x850u
/* A guest that gives more than VMI_ROM_DATA_SIZE bytes lets the ROM keep a
 * 32-bit lock word at this offset (zero at init): the sample xen-like ROM
 * serialises its shared queue with it when several CPUs call it. */
#define VMI_ROM_DATA_LOCK_OFF VMI_ROM_DATA_SIZE

/* VMI init results. */
#define VMI_ROM_INIT_OK 0
#define VMI_ROM_INIT_TOO_SMALL (-1) /* data_size < VMI_ROM_DATA_SIZE or data == NULL */
#define VMI_ROM_INIT_MAJOR (-2)     /* the guest's major differs from the ROM's */

/* CPUID implementation argument (in: eax = leaf, ecx = subleaf). */
struct vmi_rom_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

/* ================= declaration records (read by mkrom) ================= */

/*
 * Each VMI_ROM_* macro emits one record into section VMI_ROM_DECL_SECTION
 * (writable, so C and asm records agree on the section flags)
 * of the object; mkrom reads them and does not copy the section into the
 * image. `target` is resolved through the section's relocation (a plain
 * pointer-sized absolute reloc there is fine: it is only a symbol reference).
 * Wire format: 48 bytes, little-endian, same on both arches.
 */
#define VMI_ROM_DECL_SECTION ".vmirom.decl"
#define VMI_ROM_STUB_SECTION ".vmirom.stub"       /* INLINE stub bytes (copied into the image) */
#define VMI_ROM_THUNK_SECTION ".text.vmirom.thunk"/* register thunks (copied) */
#define VMI_ROM_DISCARD_SECTION ".vmirom.discard" /* carriers of the asm records (never copied) */
#define VMI_ROM_DECL_MAGIC 0x4c434544u           /* "DECL" */
#define VMI_ROM_DECL_SIZE 48

enum vmi_rom_decl_kind {
	VMI_ROM_DECL_HEADER = 1, /* major, minor, value = features, vendor */
	VMI_ROM_DECL_INIT = 2,   /* target = VMI init entry, value = data_size */
	VMI_ROM_DECL_CALL = 3,   /* target = entry point, clobbers = call clobbers */
	VMI_ROM_DECL_INLINE = 4, /* target = stub bytes, stub_len, clobbers = stub clobbers */
	VMI_ROM_DECL_NOP = 5,    /* no target */
	VMI_ROM_DECL_IDENT = 6,  /* no target */
};

#define VMI_ROM_DECL_F_UNKNOWN_OK 0x01u /* call id may be unknown to mkrom's catalog (newer interface) */

struct vmi_rom_decl {
	uint32_t magic;    /* 0x00 VMI_ROM_DECL_MAGIC */
	uint8_t kind;      /* 0x04 enum vmi_rom_decl_kind */
	uint8_t flags;     /* 0x05 VMI_ROM_DECL_F_* */
	uint16_t call_id;  /* 0x06 VMI_CALL_* (CALL/INLINE/NOP/IDENT) */
	uint16_t clobbers; /* 0x08 VMI_REG_* the entry or stub clobbers */
	uint8_t stub_len;  /* 0x0A INLINE: stub bytes */
	uint8_t major;     /* 0x0B HEADER: interface major */
	uint8_t minor;     /* 0x0C HEADER: interface minor */
	uint8_t reserved[3]; /* 0x0D 0 */
	uint32_t value;    /* 0x10 HEADER: features; INIT: data_size */
	uint32_t reserved2;/* 0x14 0 */
	union {
		const void *ptr;
		uint64_t raw;
	} target;          /* 0x18 entry/stub/init symbol reference (relocated) */
	char vendor[VMI_ROM_VENDOR_MAX]; /* 0x20 HEADER: NUL-padded name */
};
_Static_assert(sizeof(struct vmi_rom_decl) == VMI_ROM_DECL_SIZE, "decl record is 48 bytes");
_Static_assert(offsetof(struct vmi_rom_decl, target) == 0x18, "decl layout");

/* ================= the macros (ROM code only) ================= */
#ifdef VMI_ROM_BUILD

#if defined(__x86_64__)
#define VMI_ROM_CLOBBER_C VMI_CLOBBER_CALL_X86_64
#define VMI_ROM_PTR_DIRECTIVE_ ".quad"
#define VMI_ROM_PTR_PAD_ ""
#elif defined(__i386__)
#define VMI_ROM_CLOBBER_C VMI_CLOBBER_CALL_I386
#define VMI_ROM_PTR_DIRECTIVE_ ".long"
#define VMI_ROM_PTR_PAD_ "\n\t.long 0"
#else
#error "vmi/rom_sdk.h: i386 or x86-64 only"
#endif

#define VMI_ROM_CAT2_(a, b) a##b
#define VMI_ROM_CAT_(a, b) VMI_ROM_CAT2_(a, b)
#define VMI_ROM_STR_(x) #x
#define VMI_ROM_USED_ __attribute__((used, section(VMI_ROM_DECL_SECTION), aligned(8)))

/* VMI_ROM_DECLARE - the header: vendor string (<= 16 chars), major, minor, features. */
#define VMI_ROM_DECLARE(vendor_, major_, minor_, features_)                                        \
	static struct vmi_rom_decl vmi_rom_decl_header_ VMI_ROM_USED_ = {                    \
		.magic = VMI_ROM_DECL_MAGIC, .kind = VMI_ROM_DECL_HEADER, .major = (major_),       \
		.minor = (minor_), .value = (features_), .vendor = vendor_ }

/* VMI_ROM_INIT - the VMI init entry; the data area it asks for is struct vmi_rom_data. */
#define VMI_ROM_INIT(fn)                                                                           \
	static struct vmi_rom_decl vmi_rom_decl_init_ VMI_ROM_USED_ = {                      \
		.magic = VMI_ROM_DECL_MAGIC, .kind = VMI_ROM_DECL_INIT,                            \
		.value = VMI_ROM_DATA_SIZE, .target = { .ptr = (const void *)(fn) } }

/* A record pointing at a C-visible symbol. */
#define VMI_ROM_RECORD_(kind_, id_, flags_, clob_, sym_)                                           \
	static struct vmi_rom_decl VMI_ROM_CAT_(vmi_rom_decl_, __COUNTER__) VMI_ROM_USED_ = {   \
		.magic = VMI_ROM_DECL_MAGIC, .kind = (kind_), .flags = (flags_), .call_id = (id_), \
		.clobbers = (clob_), .target = { .ptr = (const void *)(sym_) } }

/*
 * A record pointing at an assembler label (stub or thunk start), emitted
 * from inside a never-called carrier function so the numbers can be "i"
 * operands; the carrier lives in the discard section.
 *   text: asm that defines local labels 1 (start) and 2 (end) in @sect_.
 */
#define VMI_ROM_ASM_RECORD_(kind_, id_, flags_, clob_, sect_, text_)                               \
	__attribute__((used, section(VMI_ROM_DISCARD_SECTION))) static void VMI_ROM_CAT_(          \
		vmi_rom_carrier_, __COUNTER__)(void)                                                  \
	{                                                                                          \
		__asm__ volatile(".pushsection " sect_ ",\"ax\",@progbits\n1:\n\t" text_ "\n2:\n\t"    \
				 ".popsection\n\t"                                                 \
				 ".pushsection " VMI_ROM_DECL_SECTION ",\"aw\",@progbits\n\t"      \
				 ".balign 8\n\t.long %c[m]\n\t.byte %c[k], %c[f]\n\t.short %c[id]\n\t" \
				 ".short %c[cl]\n\t.byte 2b-1b, 0, 0, 0, 0, 0\n\t.long 0, 0\n\t"      \
				 VMI_ROM_PTR_DIRECTIVE_ " 1b" VMI_ROM_PTR_PAD_ "\n\t"              \
				 ".fill 16, 1, 0\n\t.popsection"                                   \
				 :                                                                 \
				 : [m] "i"(VMI_ROM_DECL_MAGIC), [k] "i"(kind_), [f] "i"(flags_),   \
				   [id] "i"(id_), [cl] "i"(clob_));                                \
	}

/* VMI_ROM_NOP / VMI_ROM_IDENT - explicit table entries without code. */
#define VMI_ROM_NOP(name) VMI_ROM_RECORD_(VMI_ROM_DECL_NOP, VMI_CALL_##name, 0, 0, 0)
#define VMI_ROM_IDENT(name) VMI_ROM_RECORD_(VMI_ROM_DECL_IDENT, VMI_CALL_##name, 0, 0, 0)

/*
 * VMI_ROM_INLINE - a stub from AT&T assembler text. The text is part of an
 * extended asm statement, so registers are written with %% ("pause",
 * "movl $1000000,%%eax; xorl %%edx,%%edx"). @clobbers: VMI_REG_* the stub
 * REALLY writes. The stub must be position-independent and at most
 * VMI_SITE_MAX_LEN bytes (mkrom checks).
 */
#define VMI_ROM_INLINE(name, clobbers, text)                                                       \
	VMI_ROM_ASM_RECORD_(VMI_ROM_DECL_INLINE, VMI_CALL_##name, 0, clobbers,                     \
			    VMI_ROM_STUB_SECTION, text)

/* VMI_ROM_CALL_ASM - an entry point written in assembler with its own register use. */
#define VMI_ROM_CALL_ASM(name, sym, clobbers)                                                      \
	VMI_ROM_RECORD_(VMI_ROM_DECL_CALL, VMI_CALL_##name, 0, clobbers, sym)

/* VMI_ROM_CALL_RAW - a CALL entry by numeric id, e.g. for calls of a newer
 * interface than this header knows (test ROMs); @flags VMI_ROM_DECL_F_*. */
#define VMI_ROM_CALL_RAW(id, fn, clobbers, flags)                                                  \
	VMI_ROM_RECORD_(VMI_ROM_DECL_CALL, id, flags, clobbers, fn)

/*
 * VMI_ROM_CALL - a C implementation; the convention kind of the call picks
 * a register thunk (see the signatures at the top).
 */
#define VMI_ROM_CALL(name, fn)                                                                     \
	VMI_ROM_NAME_CHECK_(name)                                                                  \
	VMI_ROM_CAT_(VMI_ROM_VIA_, VMI_ROM_KIND_##name)(name, fn, VMI_ROM_CLOBBER_C)
#define VMI_ROM_CALL_CLOBBERS(name, fn, clobbers)                                                  \
	VMI_ROM_NAME_CHECK_(name)                                                                  \
	VMI_ROM_CAT_(VMI_ROM_VIA_, VMI_ROM_KIND_##name)(name, fn, clobbers)
/* A misspelt name fails here first, with the compiler naming VMI_CALL_<name>. */
#define VMI_ROM_NAME_CHECK_(name) enum { VMI_ROM_CAT_(vmi_rom_name_check_, __COUNTER__) = VMI_CALL_##name };

#define VMI_ROM_VIA_GEN(name, fn, clob) VMI_ROM_RECORD_(VMI_ROM_DECL_CALL, VMI_CALL_##name, 0, clob, fn)
/* The thunk names @fn only in asm text; the typed keeper pointer (never
 * copied into the image) keeps @fn alive and checks its signature. */
#define VMI_ROM_VIA_THUNK_(name, fn, clob, text, type)                                             \
	static type const VMI_ROM_CAT_(vmi_rom_keep_, __COUNTER__)                                    \
		__attribute__((used, section(VMI_ROM_DISCARD_SECTION ".keep"))) = (fn);           \
	VMI_ROM_ASM_RECORD_(VMI_ROM_DECL_CALL, VMI_CALL_##name, 0, clob, VMI_ROM_THUNK_SECTION, text)
typedef uint32_t (*vmi_rom_pin_fn)(uint32_t port);
typedef void (*vmi_rom_pout_fn)(uint32_t value, uint32_t port);
typedef uint64_t (*vmi_rom_rdmsr_fn)(uint32_t index);
typedef void (*vmi_rom_wrmsr_fn)(uint32_t index, uint64_t value);
typedef uint64_t (*vmi_rom_tsc_fn)(void);
typedef void (*vmi_rom_cpuid_fn)(struct vmi_rom_cpuid *regs);
/* ASM-only calls: using VMI_ROM_CALL on them is a compile error. */
#define VMI_ROM_VIA_ASMONLY(name, fn, clob)                                                        \
	_Static_assert(0, "VMI_ROM_CALL(" #name "): no C form; use VMI_ROM_CALL_ASM")

#if defined(__x86_64__)
/* Port in dx -> first argument; value in eax -> first, port -> second. */
#define VMI_ROM_VIA_PIN(name, fn, clob)                                                            \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "movzwl %%dx,%%edi\n\tjmp " #fn, vmi_rom_pin_fn)
#define VMI_ROM_VIA_POUT(name, fn, clob)                                                           \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "movl %%eax,%%edi\n\tmovzwl %%dx,%%esi\n\tjmp " #fn,    \
			   vmi_rom_pout_fn)
/* Index in ecx; 64-bit result back to edx:eax (the stack stays 16-aligned). */
#define VMI_ROM_VIA_RDMSR(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, clob,                                                         \
			   "movl %%ecx,%%edi\n\tsubq $8,%%rsp\n\tcall " #fn "\n\taddq $8,%%rsp\n\t" \
			   "movq %%rax,%%rdx\n\tshrq $32,%%rdx\n\tmovl %%eax,%%eax\n\tret", vmi_rom_rdmsr_fn)
#define VMI_ROM_VIA_WRMSR(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, clob,                                                         \
			   "movl %%eax,%%esi\n\tshlq $32,%%rdx\n\torq %%rdx,%%rsi\n\t"             \
			   "movl %%ecx,%%edi\n\tjmp " #fn, vmi_rom_wrmsr_fn)
#define VMI_ROM_VIA_TSC(name, fn, clob)                                                            \
	VMI_ROM_VIA_THUNK_(name, fn, clob,                                                         \
			   "subq $8,%%rsp\n\tcall " #fn "\n\taddq $8,%%rsp\n\t"                    \
			   "movq %%rax,%%rdx\n\tshrq $32,%%rdx\n\tmovl %%eax,%%eax\n\tret", vmi_rom_tsc_fn)
#define VMI_ROM_VIA_CPUID(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, (clob) | VMI_REG_BX,                                          \
			   "subq $24,%%rsp\n\tmovl %%eax,0(%%rsp)\n\tmovl %%ebx,4(%%rsp)\n\t"      \
			   "movl %%ecx,8(%%rsp)\n\tmovl %%edx,12(%%rsp)\n\tmovq %%rsp,%%rdi\n\t"   \
			   "call " #fn "\n\tmovl 0(%%rsp),%%eax\n\tmovl 4(%%rsp),%%ebx\n\t"        \
			   "movl 8(%%rsp),%%ecx\n\tmovl 12(%%rsp),%%edx\n\taddq $24,%%rsp\n\tret", vmi_rom_cpuid_fn)
#else
#define VMI_ROM_VIA_PIN(name, fn, clob)                                                            \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "movzwl %%dx,%%eax\n\tjmp " #fn, vmi_rom_pin_fn)
#define VMI_ROM_VIA_POUT(name, fn, clob)                                                           \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "movzwl %%dx,%%edx\n\tjmp " #fn, vmi_rom_pout_fn)
#define VMI_ROM_VIA_RDMSR(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "movl %%ecx,%%eax\n\tjmp " #fn, vmi_rom_rdmsr_fn)
/* regparm(3) f(index, value): eax = index, edx:ecx = value (low, high). */
#define VMI_ROM_VIA_WRMSR(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, clob, "xchgl %%eax,%%ecx\n\txchgl %%ecx,%%edx\n\tjmp " #fn, vmi_rom_wrmsr_fn)
/* regparm(3) already returns 64 bits in edx:eax: no thunk, only the type check. */
#define VMI_ROM_VIA_TSC(name, fn, clob)                                                            \
	static vmi_rom_tsc_fn const VMI_ROM_CAT_(vmi_rom_keep_, __COUNTER__)                          \
		__attribute__((used, section(VMI_ROM_DISCARD_SECTION ".keep"))) = (fn);           \
	VMI_ROM_VIA_GEN(name, fn, clob)
#define VMI_ROM_VIA_CPUID(name, fn, clob)                                                          \
	VMI_ROM_VIA_THUNK_(name, fn, (clob) | VMI_REG_BX,                                          \
			   "subl $16,%%esp\n\tmovl %%eax,0(%%esp)\n\tmovl %%ebx,4(%%esp)\n\t"      \
			   "movl %%ecx,8(%%esp)\n\tmovl %%edx,12(%%esp)\n\tmovl %%esp,%%eax\n\t"   \
			   "call " #fn "\n\tmovl 0(%%esp),%%eax\n\tmovl 4(%%esp),%%ebx\n\t"        \
			   "movl 8(%%esp),%%ecx\n\tmovl 12(%%esp),%%edx\n\taddl $16,%%esp\n\tret", vmi_rom_cpuid_fn)
#endif

/* Convention kind of every catalog call (keep in step with vmi/calls.h). */
#define VMI_ROM_KIND_CPUID CPUID
#define VMI_ROM_KIND_WRMSR WRMSR
#define VMI_ROM_KIND_RDMSR RDMSR
#define VMI_ROM_KIND_RDPMC RDMSR
#define VMI_ROM_KIND_GetCycleCounter TSC
#define VMI_ROM_KIND_INB PIN
#define VMI_ROM_KIND_INW PIN
#define VMI_ROM_KIND_INL PIN
#define VMI_ROM_KIND_OUTB POUT
#define VMI_ROM_KIND_OUTW POUT
#define VMI_ROM_KIND_OUTL POUT
#define VMI_ROM_KIND_INSB ASMONLY
#define VMI_ROM_KIND_INSW ASMONLY
#define VMI_ROM_KIND_INSL ASMONLY
#define VMI_ROM_KIND_OUTSB ASMONLY
#define VMI_ROM_KIND_OUTSW ASMONLY
#define VMI_ROM_KIND_OUTSL ASMONLY
#define VMI_ROM_KIND_IRET ASMONLY
#define VMI_ROM_KIND_SYSEXIT ASMONLY
#define VMI_ROM_KIND_SetGDT GEN
#define VMI_ROM_KIND_SetIDT GEN
#define VMI_ROM_KIND_SetLDT GEN
#define VMI_ROM_KIND_SetTR GEN
#define VMI_ROM_KIND_GetGDT GEN
#define VMI_ROM_KIND_GetIDT GEN
#define VMI_ROM_KIND_GetLDT GEN
#define VMI_ROM_KIND_GetTR GEN
#define VMI_ROM_KIND_SetCR0 GEN
#define VMI_ROM_KIND_SetCR2 GEN
#define VMI_ROM_KIND_SetCR3 GEN
#define VMI_ROM_KIND_SetCR4 GEN
#define VMI_ROM_KIND_GetCR0 GEN
#define VMI_ROM_KIND_GetCR2 GEN
#define VMI_ROM_KIND_GetCR3 GEN
#define VMI_ROM_KIND_GetCR4 GEN
#define VMI_ROM_KIND_CLTS GEN
#define VMI_ROM_KIND_WBINVD GEN
#define VMI_ROM_KIND_INVD GEN
#define VMI_ROM_KIND_SetDR GEN
#define VMI_ROM_KIND_GetDR GEN
#define VMI_ROM_KIND_GetMSW GEN
#define VMI_ROM_KIND_DisableInterrupts GEN
#define VMI_ROM_KIND_EnableInterrupts GEN
#define VMI_ROM_KIND_GetInterruptMask GEN
#define VMI_ROM_KIND_SetInterruptMask GEN
#define VMI_ROM_KIND_Halt GEN
#define VMI_ROM_KIND_SafeHalt GEN
#define VMI_ROM_KIND_IODelay GEN
#define VMI_ROM_KIND_SetPTE GEN
#define VMI_ROM_KIND_UpdatePTE GEN
#define VMI_ROM_KIND_SetPxE GEN
#define VMI_ROM_KIND_UpdatePxE GEN
#define VMI_ROM_KIND_SetPxELong GEN
#define VMI_ROM_KIND_UpdatePxELong GEN
#define VMI_ROM_KIND_InvalPage GEN
#define VMI_ROM_KIND_FlushTLB GEN
#define VMI_ROM_KIND_AllocatePage GEN
#define VMI_ROM_KIND_ReleasePage GEN
#define VMI_ROM_KIND_SetLinearMapping GEN
#define VMI_ROM_KIND_GetCycleFrequency GEN
#define VMI_ROM_KIND_GetWallclock GEN
#define VMI_ROM_KIND_SetAlarm GEN
#define VMI_ROM_KIND_CancelAlarm GEN
#define VMI_ROM_KIND_SetDeferredMode GEN
#define VMI_ROM_KIND_FlushDeferredCalls GEN
#define VMI_ROM_KIND_APICWrite GEN
#define VMI_ROM_KIND_APICRead GEN
#define VMI_ROM_KIND_SpinWait GEN
#define VMI_ROM_KIND_SpinKick GEN
#define VMI_ROM_KIND_FlushTLBOthers GEN

/* Hypercall entry type as a ROM calls it. */
typedef unsigned long (*vmi_rom_hypercall_fn)(unsigned long nr, unsigned long a0, unsigned long a1);

#endif /* VMI_ROM_BUILD */

#endif /* VMI_ROM_SDK_H */
