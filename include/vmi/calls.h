/* SPDX-License-Identifier: MIT */
/*
 * vmi/calls.h - the VMI call catalog: the single source of truth for call
 * ids, names, categories, the interface minor that introduced each call, the
 * feature bit that gates it and the native instruction it stands for.
 *
 * Ids are wire values (annotation entries and ROM call tables carry them):
 * never renumber or reuse one. Ids below VMI_CALL_ID_LIMIT only; an id the
 * catalog does not know (a newer guest) leaves its site IDENT.
 *
 * Register convention of a call (what an out-of-line CALL implementation
 * receives and returns, and what the guest macros load before the site):
 *   - Calls whose native instruction fixes its registers use exactly those
 *     registers on both arches: port I/O (value in eax/ax/al, port in dx,
 *     string I/O in (e/r)si/(e/r)di/(e/r)cx), WRMSR/RDMSR/RDPMC (index in
 *     ecx, value in edx:eax), CPUID (leaf eax, subleaf ecx; results in
 *     eax ebx ecx edx), GetCycleCounter (result in edx:eax).
 *   - All other calls pass arguments in the arch's C registers:
 *     i386   regparm(3): eax, edx, ecx; result in eax (edx:eax for 64 bits).
 *     x86-64 SysV: rdi, rsi, rdx; result in rax.
 *   - The PAE and long-mode MMU calls differ where register pressure
 *     forces it: SetPxE/UpdatePxE (i386 PAE) take the 64-bit entry in
 *     edx:eax and the pointer in ecx; SetPxELong/UpdatePxELong take the
 *     pointer in rdi and the entry in rsi.
 *   - SetDR/GetDR carry the register number as an extra input (edx on
 *     i386, rsi on x86-64) that the native form ignores.
 * An implementation may clobber only the registers its ROM call entry
 * declares; a site states which registers it lets a replacement clobber,
 * and a replacement that needs more stays IDENT (reason "clobbers").
 * x86-64 guests build with -mno-red-zone so a call may push below rsp.
 */
#ifndef VMI_CALLS_H
#define VMI_CALLS_H

#include <stdint.h>

/* Interface version this header describes. */
#define VMI_INTERFACE_MAJOR 1
#define VMI_INTERFACE_MINOR 3

/* Ids are < VMI_CALL_ID_LIMIT so per-call tables can be direct-indexed. */
#define VMI_CALL_ID_LIMIT 128

/* Categories (bit positions in vmi_policy.ident_categories). */
enum vmi_category {
	VMI_CAT_CPU = 0,      /* control/debug registers, MSRs, CPUID, caches, descriptor tables */
	VMI_CAT_IRQ = 1,      /* interrupt flag, halt, interrupt returns */
	VMI_CAT_IO = 2,       /* port I/O of each width, string I/O, I/O delay */
	VMI_CAT_MMU = 3,      /* page-table writes, TLB, page notifications */
	VMI_CAT_TIME = 4,     /* cycle counter, wallclock, alarms */
	VMI_CAT_DEFER = 5,    /* deferred mode (batching) and flush */
	VMI_CAT_APIC = 6,     /* local APIC register access */
	VMI_CAT_LOCK = 7,     /* optional lock primitives */
	VMI_CAT_SHOOTDOWN = 8,/* optional cross-CPU TLB shootdown */
	VMI_CAT_COUNT = 9
};

/* Feature bits a ROM advertises (vmi_rom_header.features). */
#define VMI_FEAT_DEFERRED      (1u << 0) /* deferred mode: batched MMU updates + flush */
#define VMI_FEAT_PAE           (1u << 1) /* 3-level (PAE) page-table calls */
#define VMI_FEAT_LONGMODE      (1u << 2) /* 4-level (long-mode) page-table calls */
#define VMI_FEAT_APIC          (1u << 3) /* paravirtual local-APIC access */
#define VMI_FEAT_TIMER         (1u << 4) /* paravirtual one-shot alarm */
#define VMI_FEAT_LOCKS         (1u << 5) /* paravirtual spin lock primitives */
#define VMI_FEAT_TLB_SHOOTDOWN (1u << 6) /* hypervisor-assisted cross-CPU TLB flush */
#define VMI_FEAT_KNOWN         0x7fu     /* every bit this header defines */

/* Result kinds of a call. */
enum vmi_ret {
	VMI_RET_NONE = 0, /* no result */
	VMI_RET_LONG = 1, /* eax / rax */
	VMI_RET_U64 = 2,  /* edx:eax on i386, rax on x86-64 */
};

/*
 * The catalog. X(id, Name, category, minor, feature, nargs, ret, "native")
 *   minor   - interface minor that introduced the call
 *   feature - VMI_FEAT_* bit that must be offered, or 0
 *   nargs   - register arguments (see the convention above)
 *   native  - the native instruction(s) a site holds when IDENT; "" means
 *             the call has no native form (a notification: IDENT = NOPs)
 */
#define VMI_CALLS(X)                                                                         \
	/* CPU control */                                                                    \
	X(1, CPUID, VMI_CAT_CPU, 0, 0, 1, VMI_RET_LONG, "cpuid")                             \
	X(2, WRMSR, VMI_CAT_CPU, 0, 0, 3, VMI_RET_NONE, "wrmsr")                             \
	X(3, RDMSR, VMI_CAT_CPU, 0, 0, 1, VMI_RET_U64, "rdmsr")                              \
	X(4, SetGDT, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "lgdt (reg)")                       \
	X(5, SetIDT, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "lidt (reg)")                       \
	X(6, SetLDT, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "lldt reg")                         \
	X(7, SetTR, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "ltr reg")                           \
	X(8, GetGDT, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "sgdt (reg)")                       \
	X(9, GetIDT, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "sidt (reg)")                       \
	X(10, GetLDT, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "sldt reg")                        \
	X(11, GetTR, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "str reg")                          \
	X(12, SetCR0, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "mov reg,%cr0")                    \
	X(13, SetCR2, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "mov reg,%cr2")                    \
	X(14, SetCR3, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "mov reg,%cr3")                    \
	X(15, SetCR4, VMI_CAT_CPU, 0, 0, 1, VMI_RET_NONE, "mov reg,%cr4")                    \
	X(16, GetCR0, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "mov %cr0,reg")                    \
	X(17, GetCR2, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "mov %cr2,reg")                    \
	X(18, GetCR3, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "mov %cr3,reg")                    \
	X(19, GetCR4, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "mov %cr4,reg")                    \
	X(20, CLTS, VMI_CAT_CPU, 0, 0, 0, VMI_RET_NONE, "clts")                              \
	X(21, WBINVD, VMI_CAT_CPU, 0, 0, 0, VMI_RET_NONE, "wbinvd")                          \
	X(22, INVD, VMI_CAT_CPU, 0, 0, 0, VMI_RET_NONE, "invd")                              \
	X(23, SetDR, VMI_CAT_CPU, 0, 0, 2, VMI_RET_NONE, "mov reg,%drN")                     \
	X(24, GetDR, VMI_CAT_CPU, 0, 0, 1, VMI_RET_LONG, "mov %drN,reg")                     \
	X(25, RDPMC, VMI_CAT_CPU, 0, 0, 1, VMI_RET_U64, "rdpmc")                             \
	X(26, GetMSW, VMI_CAT_CPU, 0, 0, 0, VMI_RET_LONG, "smsw reg")                        \
	/* interrupt control */                                                              \
	X(32, DisableInterrupts, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "cli")                  \
	X(33, EnableInterrupts, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "sti")                   \
	X(34, GetInterruptMask, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_LONG, "pushf; pop reg")        \
	X(35, SetInterruptMask, VMI_CAT_IRQ, 0, 0, 1, VMI_RET_NONE, "push reg; popf")        \
	X(36, Halt, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "hlt")                               \
	X(37, SafeHalt, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "sti; hlt")                      \
	X(38, IRET, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "iret")                              \
	X(39, SYSEXIT, VMI_CAT_IRQ, 0, 0, 0, VMI_RET_NONE, "sysexit")                        \
	/* I/O */                                                                            \
	X(48, INB, VMI_CAT_IO, 0, 0, 1, VMI_RET_LONG, "in (%dx),%al")                        \
	X(49, INW, VMI_CAT_IO, 0, 0, 1, VMI_RET_LONG, "in (%dx),%ax")                        \
	X(50, INL, VMI_CAT_IO, 0, 0, 1, VMI_RET_LONG, "in (%dx),%eax")                       \
	X(51, OUTB, VMI_CAT_IO, 0, 0, 2, VMI_RET_NONE, "out %al,(%dx)")                      \
	X(52, OUTW, VMI_CAT_IO, 0, 0, 2, VMI_RET_NONE, "out %ax,(%dx)")                      \
	X(53, OUTL, VMI_CAT_IO, 0, 0, 2, VMI_RET_NONE, "out %eax,(%dx)")                     \
	X(54, INSB, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep insb")                           \
	X(55, INSW, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep insw")                           \
	X(56, INSL, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep insl")                           \
	X(57, OUTSB, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep outsb")                         \
	X(58, OUTSW, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep outsw")                         \
	X(59, OUTSL, VMI_CAT_IO, 0, 0, 3, VMI_RET_NONE, "rep outsl")                         \
	X(60, IODelay, VMI_CAT_IO, 0, 0, 0, VMI_RET_NONE, "out %al,$0x80")                   \
	/* MMU */                                                                            \
	X(64, SetPTE, VMI_CAT_MMU, 0, 0, 2, VMI_RET_NONE, "mov val,(ptr)")                   \
	X(65, UpdatePTE, VMI_CAT_MMU, 0, 0, 2, VMI_RET_NONE, "mov val,(ptr)")                \
	X(66, SetPxE, VMI_CAT_MMU, 1, VMI_FEAT_PAE, 3, VMI_RET_NONE, "mov lo/hi,(ptr)")      \
	X(67, UpdatePxE, VMI_CAT_MMU, 1, VMI_FEAT_PAE, 3, VMI_RET_NONE, "mov lo/hi,(ptr)")   \
	X(68, SetPxELong, VMI_CAT_MMU, 2, VMI_FEAT_LONGMODE, 2, VMI_RET_NONE, "mov val,(ptr)") \
	X(69, UpdatePxELong, VMI_CAT_MMU, 2, VMI_FEAT_LONGMODE, 2, VMI_RET_NONE, "mov val,(ptr)") \
	X(70, InvalPage, VMI_CAT_MMU, 0, 0, 1, VMI_RET_NONE, "invlpg (reg)")                 \
	X(71, FlushTLB, VMI_CAT_MMU, 0, 0, 0, VMI_RET_NONE, "mov %cr3,reg; mov reg,%cr3")    \
	X(72, AllocatePage, VMI_CAT_MMU, 0, 0, 2, VMI_RET_NONE, "")                          \
	X(73, ReleasePage, VMI_CAT_MMU, 0, 0, 2, VMI_RET_NONE, "")                           \
	X(74, SetLinearMapping, VMI_CAT_MMU, 1, 0, 3, VMI_RET_NONE, "")                      \
	/* time */                                                                           \
	X(80, GetCycleCounter, VMI_CAT_TIME, 0, 0, 0, VMI_RET_U64, "rdtsc")                  \
	X(81, GetCycleFrequency, VMI_CAT_TIME, 0, 0, 0, VMI_RET_U64, "xor (result 0)")       \
	X(82, GetWallclock, VMI_CAT_TIME, 0, 0, 0, VMI_RET_U64, "xor (result 0)")            \
	X(83, SetAlarm, VMI_CAT_TIME, 1, VMI_FEAT_TIMER, 2, VMI_RET_NONE, "")                \
	X(84, CancelAlarm, VMI_CAT_TIME, 1, VMI_FEAT_TIMER, 0, VMI_RET_NONE, "")             \
	/* deferred mode */                                                                  \
	X(96, SetDeferredMode, VMI_CAT_DEFER, 1, VMI_FEAT_DEFERRED, 1, VMI_RET_NONE, "")     \
	X(97, FlushDeferredCalls, VMI_CAT_DEFER, 1, VMI_FEAT_DEFERRED, 0, VMI_RET_NONE, "")  \
	/* APIC */                                                                           \
	X(104, APICWrite, VMI_CAT_APIC, 2, VMI_FEAT_APIC, 2, VMI_RET_NONE, "mov val,(reg)")  \
	X(105, APICRead, VMI_CAT_APIC, 2, VMI_FEAT_APIC, 1, VMI_RET_LONG, "mov (reg),reg")   \
	/* optional extensions */                                                            \
	X(112, SpinWait, VMI_CAT_LOCK, 3, VMI_FEAT_LOCKS, 1, VMI_RET_NONE, "pause")           \
	X(113, SpinKick, VMI_CAT_LOCK, 3, VMI_FEAT_LOCKS, 1, VMI_RET_NONE, "")                \
	X(120, FlushTLBOthers, VMI_CAT_SHOOTDOWN, 3, VMI_FEAT_TLB_SHOOTDOWN, 2, VMI_RET_NONE, "")

enum vmi_call_id {
#define VMI_CALL_ENUM_(id, name, cat, minor, feat, nargs, ret, native) VMI_CALL_##name = id,
	VMI_CALLS(VMI_CALL_ENUM_)
#undef VMI_CALL_ENUM_
};

#define VMI_CALL_NAME_MAX 24   /* longest name + NUL, checked by a static assert */
#define VMI_CALL_NATIVE_MAX 32 /* longest native text + NUL */

/*
 * One catalog row. Names are stored inline (no pointers) so the table
 * needs no relocation in the freestanding patcher.
 */
typedef struct vmi_call_info {
	uint16_t id;                        /* VMI_CALL_* wire id; 0 = no such call */
	uint8_t category;                   /* enum vmi_category */
	uint8_t minor;                      /* interface minor that introduced it */
	uint32_t feature;                   /* VMI_FEAT_* bit that gates it, or 0 */
	uint8_t nargs;                      /* register arguments */
	uint8_t ret;                        /* enum vmi_ret */
	char name[VMI_CALL_NAME_MAX];       /* e.g. "SetCR3" */
	char native[VMI_CALL_NATIVE_MAX];   /* native form, AT&T-ish; "" if none */
} vmi_call_info;

/**
 * vmi_call_lookup - catalog row of a call id.
 * Return: the row, or NULL if @id is not in the catalog (unknown to this
 * version of the interface).
 */
const vmi_call_info *vmi_call_lookup(uint32_t id);

/**
 * vmi_call_by_name - call id from its name ("SetCR3"), case-sensitive.
 * @len: length of @name (need not be NUL-terminated).
 * Return: the id, or 0 if no call has that name.
 */
uint16_t vmi_call_by_name(const char *name, uint32_t len);

/**
 * vmi_call_next - iterate the catalog in id order.
 * @id: 0 to start, then the previous id.
 * Return: the next known id after @id, or 0 at the end.
 */
uint16_t vmi_call_next(uint32_t id);

/** vmi_category_name - "cpu", "irq", "io", "mmu", "time", "defer", "apic", "lock", "shootdown"; "?" otherwise. */
const char *vmi_category_name(uint32_t category);

/** vmi_category_by_name - inverse of vmi_category_name; -1 if unknown. */
int vmi_category_by_name(const char *name, uint32_t len);

/** vmi_feature_name - name of a single VMI_FEAT_* bit ("deferred", "pae", ...); "?" otherwise. */
const char *vmi_feature_name(uint32_t bit);

#endif /* VMI_CALLS_H */
