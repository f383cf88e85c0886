/* SPDX-License-Identifier: MIT */
/*
 * vmi/guest.h - the guest macros: each wrapper emits the native
 * instruction, pads the site with the canonical NOPs (the same bytes
 * vmi_nop_fill() writes, so an IDENT site and an untouched site are
 * byte-identical), records a vmi_sites entry and keeps a copy of the
 * native bytes in vmi_native (format: vmi/annotations.h).
 *
 * Registers: every wrapper loads its operands into the registers of the
 * call convention in vmi/calls.h and declares the whole caller-saved set as
 * clobbered (written), so the patcher may turn any site into a call of a C
 * function in the ROM; registers the call does not read are not loaded.
 * Sites record that set as their clobber mask.
 *
 * Build guests with -mno-red-zone on x86-64. One translation unit of the
 * guest says VMI_GUEST_NOTE(major, minor) to emit the note and the slot
 * table. Sites longer than their native instruction by more than 16 bytes
 * are not supported by the padding (use a longer native).
 */
#ifndef VMI_GUEST_H
#define VMI_GUEST_H

#include <stdint.h>

#include "vmi/annotations.h"
#include "vmi/calls.h"

#define VMI_STR_(x) #x
#define VMI_XSTR_(x) VMI_STR_(x)

#if defined(__x86_64__)
#define VMI_GUEST_ARCH 2
#define VMI_GUEST_SITE_LEN VMI_SITE_MIN_LEN_X86_64
#define VMI_GUEST_CLOBBERS VMI_CLOBBER_CALL_X86_64
#elif defined(__i386__)
#define VMI_GUEST_ARCH 1
/* 6, not the 5-byte minimum: an offline-patched image calls through its
 * slot table (`call *abs32`, 6 bytes) because the ROM address is unknown. */
#define VMI_GUEST_SITE_LEN 6
#define VMI_GUEST_CLOBBERS VMI_CLOBBER_CALL_I386
#else
#error "vmi/guest.h: i386 or x86-64 only"
#endif

/*
 * Canonical padding. `.fill -(cond), 1, byte` emits the byte once when cond
 * holds (GAS comparisons give -1 for true). The pad P is split into chunks
 * of at most 8 bytes, largest first, exactly as vmi_nop_fill() does.
 */
#define VMI_F_(c, b) ".fill -(" c "),1," b "\n\t"
#define VMI_NOP1_(c) VMI_F_(c, "0x90")
#define VMI_NOP2_(c) VMI_F_(c, "0x66") VMI_F_(c, "0x90")
#define VMI_NOP3_(c) VMI_F_(c, "0x0f") VMI_F_(c, "0x1f") VMI_F_(c, "0x00")
#define VMI_NOP4_(c) VMI_F_(c, "0x0f") VMI_F_(c, "0x1f") VMI_F_(c, "0x40") VMI_F_(c, "0x00")
#define VMI_NOP5_(c) VMI_F_(c, "0x0f") VMI_F_(c, "0x1f") VMI_F_(c, "0x44") VMI_F_(c, "0x00") VMI_F_(c, "0x00")
#define VMI_NOP6_(c) VMI_F_(c, "0x66") VMI_NOP5_(c)
#define VMI_NOP7_(c) VMI_F_(c, "0x0f") VMI_F_(c, "0x1f") VMI_F_(c, "0x80") ".fill -(" c ")*4,1,0\n\t"
#define VMI_NOP8_(c) VMI_F_(c, "0x0f") VMI_F_(c, "0x1f") VMI_F_(c, "0x84") ".fill -(" c ")*5,1,0\n\t"
#define VMI_PADN_(P)                                                                               \
	VMI_NOP8_("(" P ")>=8") VMI_NOP1_("(" P ")==1") VMI_NOP2_("(" P ")==2")                    \
	VMI_NOP3_("(" P ")==3") VMI_NOP4_("(" P ")==4") VMI_NOP5_("(" P ")==5")                    \
	VMI_NOP6_("(" P ")==6") VMI_NOP7_("(" P ")==7")                                            \
	VMI_NOP8_("(" P ")>=16") VMI_NOP1_("(" P ")==9") VMI_NOP2_("(" P ")==10")                  \
	VMI_NOP3_("(" P ")==11") VMI_NOP4_("(" P ")==12") VMI_NOP5_("(" P ")==13")                 \
	VMI_NOP6_("(" P ")==14") VMI_NOP7_("(" P ")==15")

/*
 * VMI_SITE_ASM - the asm text of one annotated site. Operands the text
 * refers to by name: [vmi_id] call id, [vmi_mn] required minor, [vmi_fl]
 * flags, [vmi_cl] clobber mask, [vmi_len] site length, all "i".
 */
#define VMI_SITE_ASM(native)                                                                       \
	"771:\n\t" native "\n772:\n\t" VMI_PADN_("%c[vmi_len]-(772b-771b)") "773:\n\t"              \
	".pushsection vmi_native,\"a\"\n774:\n\t" native "\n\t.popsection\n\t"                    \
	".pushsection vmi_sites,\"a\"\n\t.balign 4\n\t"                                            \
	".long 771b-.\n\t.long 774b-.\n\t.short %c[vmi_id]\n\t"                                    \
	".byte 773b-771b, 772b-771b, %c[vmi_mn], %c[vmi_fl]\n\t"                                   \
	".short %c[vmi_cl]\n\t.popsection\n"

#define VMI_SITE_IMM(id, minor, flags, clobbers, len)                                              \
	[vmi_id] "i"(id), [vmi_mn] "i"(minor), [vmi_fl] "i"(flags), [vmi_cl] "i"(clobbers),        \
		[vmi_len] "i"(len)

/* Fixed register bindings: every caller-saved register is an in/out operand. */
#if defined(__x86_64__)
#define VMI_REGS_(...) VMI_REGS5_(__VA_ARGS__)
#define VMI_REGS5_(a, d, c, s, di)                                                                 \
	unsigned long vmi_a_ = (unsigned long)(a), vmi_d_ = (unsigned long)(d),                    \
		      vmi_c_ = (unsigned long)(c), vmi_s_ = (unsigned long)(s),                    \
		      vmi_di_ = (unsigned long)(di)
#define VMI_OUTS_ "+a"(vmi_a_), "+d"(vmi_d_), "+c"(vmi_c_), "+S"(vmi_s_), "+D"(vmi_di_)
#define VMI_CLOB_ "r8", "r9", "r10", "r11", "memory", "cc"
#else
#define VMI_REGS_(...) VMI_REGS5_(__VA_ARGS__)
#define VMI_REGS5_(a, d, c, s, di)                                                                 \
	unsigned long vmi_a_ = (unsigned long)(a), vmi_d_ = (unsigned long)(d),                    \
		      vmi_c_ = (unsigned long)(c);                                                 \
	(void)(s);                                                                                 \
	(void)(di)
#define VMI_OUTS_ "+a"(vmi_a_), "+d"(vmi_d_), "+c"(vmi_c_)
#define VMI_CLOB_ "memory", "cc"
#endif

/* One site with the default length, flags and clobbers. */
#define VMI_SITE_(id, minor, native)                                                               \
	__asm__ volatile(VMI_SITE_ASM(native)                                                      \
			 : VMI_OUTS_                                                               \
			 : VMI_SITE_IMM(id, minor, 0, VMI_GUEST_CLOBBERS, VMI_GUEST_SITE_LEN)      \
			 : VMI_CLOB_)

/*
 * The wrappers bind every caller-saved register as an OUTPUT (the site may
 * become a call that clobbers it) and only the registers the call reads as
 * inputs, through matching constraints ("0" = the register of output 0).
 * Unused registers are therefore never loaded: a site costs nothing beyond
 * its native instruction when it stays native.
 */
#if defined(__x86_64__)
#define VMI_DECL_ unsigned long vmi_a_, vmi_d_, vmi_c_, vmi_s_, vmi_di_
#define VMI_OUTV_ "=a"(vmi_a_), "=d"(vmi_d_), "=c"(vmi_c_), "=S"(vmi_s_), "=D"(vmi_di_)
#define VMI_IN_SI_(x) "3"((unsigned long)(x))
#define VMI_IN_DI_(x) "4"((unsigned long)(x))
#define VMI_ARG1_(x) VMI_IN_DI_(x)                  /* first C argument: rdi */
#define VMI_ARG2_(x, y) VMI_IN_DI_(x), VMI_IN_SI_(y) /* rdi, rsi */
#else
#define VMI_DECL_ unsigned long vmi_a_, vmi_d_, vmi_c_
#define VMI_OUTV_ "=a"(vmi_a_), "=d"(vmi_d_), "=c"(vmi_c_)
#define VMI_ARG1_(x) VMI_IN_AX_(x)                  /* eax */
#define VMI_ARG2_(x, y) VMI_IN_AX_(x), VMI_IN_DX_(y) /* eax, edx */
#endif
#define VMI_IN_AX_(x) "0"((unsigned long)(x))
#define VMI_IN_DX_(x) "1"((unsigned long)(x))
#define VMI_IN_CX_(x) "2"((unsigned long)(x))

/* One site with the default length, flags and clobbers; inputs follow. */
#define VMI_SITE_IN_(id, minor, native, ...)                                                       \
	__asm__ volatile(VMI_SITE_ASM(native)                                                      \
			 : VMI_OUTV_                                                               \
			 : VMI_SITE_IMM(id, minor, 0, VMI_GUEST_CLOBBERS, VMI_GUEST_SITE_LEN),     \
			   ##__VA_ARGS__                                                           \
			 : VMI_CLOB_)

#define VMI_INLINE_ static inline __attribute__((always_inline))

#if defined(__x86_64__)
#define VMI_A1_(x) 0, 0, 0, 0, (x)          /* first C argument: rdi */
#define VMI_A2_(x, y) 0, 0, 0, (y), (x)     /* rdi, rsi */
#define VMI_NAT_(i386_text, x86_64_text) x86_64_text
#else
#define VMI_A1_(x) (x), 0, 0, 0, 0          /* eax */
#define VMI_A2_(x, y) (x), (y), 0, 0, 0     /* eax, edx */
#define VMI_NAT_(i386_text, x86_64_text) i386_text
#endif

/* ---- interrupt control ---- */
VMI_INLINE_ void vmi_cli(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_DisableInterrupts, 0, "cli"); }
VMI_INLINE_ void vmi_sti(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_EnableInterrupts, 0, "sti"); }
VMI_INLINE_ void vmi_halt(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_Halt, 0, "hlt"); }
VMI_INLINE_ void vmi_safe_halt(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_SafeHalt, 0, "sti; hlt"); }
VMI_INLINE_ unsigned long vmi_save_flags(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_GetInterruptMask, 0, VMI_NAT_("pushfl; popl %%eax", "pushfq; popq %%rax"));
	return vmi_a_;
}
VMI_INLINE_ void vmi_restore_flags(unsigned long f)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SetInterruptMask, 0, VMI_NAT_("pushl %%eax; popfl", "pushq %%rdi; popfq"), VMI_ARG1_(f));
}

/* ---- control registers ---- */
#define VMI_CR_RW_(n)                                                                              \
	VMI_INLINE_ unsigned long vmi_read_cr##n(void)                                             \
	{                                                                                          \
		VMI_DECL_;                                                          \
		VMI_SITE_IN_(VMI_CALL_GetCR##n, 0, VMI_NAT_("movl %%cr" #n ",%%eax", "movq %%cr" #n ",%%rax")); \
		return vmi_a_;                                                                     \
	}                                                                                          \
	VMI_INLINE_ void vmi_write_cr##n(unsigned long v)                                          \
	{                                                                                          \
		VMI_DECL_;                                                             \
		VMI_SITE_IN_(VMI_CALL_SetCR##n, 0, VMI_NAT_("movl %%eax,%%cr" #n, "movq %%rdi,%%cr" #n), VMI_ARG1_(v)); \
	}
VMI_CR_RW_(0)
VMI_CR_RW_(2)
VMI_CR_RW_(3)
VMI_CR_RW_(4)

/* Debug registers: value in the first C argument register, the register
 * number in the second (calls.h), so a ROM entry knows which one. */
#define VMI_DR_RW_(n)                                                                              \
	VMI_INLINE_ unsigned long vmi_read_dr##n(void)                                             \
	{                                                                                          \
		VMI_DECL_;                                                          \
		VMI_SITE_IN_(VMI_CALL_GetDR, 0, VMI_NAT_("movl %%db" #n ",%%eax", "movq %%db" #n ",%%rax"), VMI_NAT_(VMI_IN_DX_(n), VMI_IN_SI_(n))); \
		return vmi_a_;                                                                     \
	}                                                                                          \
	VMI_INLINE_ void vmi_write_dr##n(unsigned long v)                                          \
	{                                                                                          \
		VMI_DECL_;                                                          \
		VMI_SITE_IN_(VMI_CALL_SetDR, 0, VMI_NAT_("movl %%eax,%%db" #n, "movq %%rdi,%%db" #n), VMI_ARG2_(v, n)); \
	}
VMI_DR_RW_(0)
VMI_DR_RW_(1)
VMI_DR_RW_(2)
VMI_DR_RW_(3)
VMI_DR_RW_(6)
VMI_DR_RW_(7)

VMI_INLINE_ void vmi_clts(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_CLTS, 0, "clts"); }
VMI_INLINE_ void vmi_wbinvd(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_WBINVD, 0, "wbinvd"); }
VMI_INLINE_ unsigned long vmi_smsw(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_GetMSW, 0, "smsw %%eax");
	return vmi_a_ & 0xffffffffu;
}

/* ---- MSRs, CPUID, TSC (native registers on both arches) ---- */
VMI_INLINE_ uint64_t vmi_rdmsr(uint32_t msr)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_RDMSR, 0, "rdmsr", VMI_IN_CX_(msr));
	return ((uint64_t)(uint32_t)vmi_d_ << 32) | (uint32_t)vmi_a_;
}
VMI_INLINE_ void vmi_wrmsr(uint32_t msr, uint64_t v)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_WRMSR, 0, "wrmsr", VMI_IN_AX_((uint32_t)v), VMI_IN_DX_((uint32_t)(v >> 32)), VMI_IN_CX_(msr));
}
VMI_INLINE_ uint64_t vmi_rdtsc(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_GetCycleCounter, 0, "rdtsc");
	return ((uint64_t)(uint32_t)vmi_d_ << 32) | (uint32_t)vmi_a_;
}
VMI_INLINE_ uint64_t vmi_get_wallclock(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_GetWallclock, 0, VMI_NAT_("xorl %%eax,%%eax; xorl %%edx,%%edx", "xorl %%eax,%%eax"));
#if defined(__x86_64__)
	return vmi_a_;
#else
	return ((uint64_t)(uint32_t)vmi_d_ << 32) | (uint32_t)vmi_a_;
#endif
}

VMI_INLINE_ uint64_t vmi_get_cycle_frequency(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_GetCycleFrequency, 0, VMI_NAT_("xorl %%eax,%%eax; xorl %%edx,%%edx", "xorl %%eax,%%eax"));
#if defined(__x86_64__)
	return vmi_a_;
#else
	return ((uint64_t)(uint32_t)vmi_d_ << 32) | (uint32_t)vmi_a_;
#endif
}

/* ---- port I/O (value in eax, port in dx on both arches) ---- */
#define VMI_IN_(name, id, type, text)                                                              \
	VMI_INLINE_ type vmi_##name(uint16_t port)                                                 \
	{                                                                                          \
		VMI_DECL_;                                                       \
		VMI_SITE_IN_(id, 0, text, VMI_IN_DX_(port));                                                            \
		return (type)vmi_a_;                                                               \
	}
#define VMI_OUT_(name, id, type, text)                                                             \
	VMI_INLINE_ void vmi_##name(type v, uint16_t port)                                         \
	{                                                                                          \
		VMI_DECL_;                                                       \
		VMI_SITE_IN_(id, 0, text, VMI_IN_AX_(v), VMI_IN_DX_(port));                                                            \
	}
VMI_IN_(inb, VMI_CALL_INB, uint8_t, "inb %%dx,%%al")
VMI_IN_(inw, VMI_CALL_INW, uint16_t, "inw %%dx,%%ax")
VMI_IN_(inl, VMI_CALL_INL, uint32_t, "inl %%dx,%%eax")
VMI_OUT_(outb, VMI_CALL_OUTB, uint8_t, "outb %%al,%%dx")
VMI_OUT_(outw, VMI_CALL_OUTW, uint16_t, "outw %%ax,%%dx")
VMI_OUT_(outl, VMI_CALL_OUTL, uint32_t, "outl %%eax,%%dx")
VMI_INLINE_ void vmi_io_delay(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_IODelay, 0, "outb %%al,$0x80"); }

/* ---- MMU ---- */
#if defined(__i386__)
/* 2-level: pointer in eax, entry in edx. */
VMI_INLINE_ void vmi_set_pte(uint32_t *ptep, uint32_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SetPTE, 0, "movl %%edx,(%%eax)", VMI_IN_AX_(ptep), VMI_IN_DX_(pte));
}
VMI_INLINE_ void vmi_update_pte(uint32_t *ptep, uint32_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_UpdatePTE, 0, "movl %%edx,(%%eax)", VMI_IN_AX_(ptep), VMI_IN_DX_(pte));
}
/* PAE: entry in edx:eax, pointer in ecx; high half first so no half-valid
 * present entry is ever visible. */
VMI_INLINE_ void vmi_set_pxe_pae(uint64_t *ptep, uint64_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SetPxE, 1, "movl %%edx,4(%%ecx); movl %%eax,(%%ecx)", VMI_IN_AX_((uint32_t)pte), VMI_IN_DX_((uint32_t)(pte >> 32)), VMI_IN_CX_(ptep));
}
VMI_INLINE_ void vmi_update_pxe_pae(uint64_t *ptep, uint64_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_UpdatePxE, 1, "movl %%edx,4(%%ecx); movl %%eax,(%%ecx)",
		     VMI_IN_AX_((uint32_t)pte), VMI_IN_DX_((uint32_t)(pte >> 32)), VMI_IN_CX_(ptep));
}
#else
/* Long mode: pointer in rdi, entry in rsi. */
VMI_INLINE_ void vmi_set_pxe_long(uint64_t *ptep, uint64_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SetPxELong, 2, "movq %%rsi,(%%rdi)", VMI_ARG2_(ptep, pte));
}
VMI_INLINE_ void vmi_update_pxe_long(uint64_t *ptep, uint64_t pte)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_UpdatePxELong, 2, "movq %%rsi,(%%rdi)", VMI_ARG2_(ptep, pte));
}
#endif
VMI_INLINE_ void vmi_invlpg(const void *addr)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_InvalPage, 0, VMI_NAT_("invlpg (%%eax)", "invlpg (%%rdi)"), VMI_ARG1_(addr));
}
VMI_INLINE_ void vmi_flush_tlb(void)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_FlushTLB, 0, VMI_NAT_("movl %%cr3,%%eax; movl %%eax,%%cr3", "movq %%cr3,%%rax; movq %%rax,%%cr3"));
}
VMI_INLINE_ void vmi_allocate_page(unsigned long pfn, unsigned long level)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_AllocatePage, 0, "", VMI_ARG2_(pfn, level));
}
VMI_INLINE_ void vmi_release_page(unsigned long pfn, unsigned long level)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_ReleasePage, 0, "", VMI_ARG2_(pfn, level));
}

/* ---- deferred mode ---- */
VMI_INLINE_ void vmi_set_deferred_mode(unsigned long mode)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SetDeferredMode, 1, "", VMI_ARG1_(mode));
}
VMI_INLINE_ void vmi_flush_deferred(void) { VMI_DECL_; VMI_SITE_IN_(VMI_CALL_FlushDeferredCalls, 1, ""); }

/* ---- APIC ---- */
VMI_INLINE_ void vmi_apic_write(volatile uint32_t *reg, uint32_t v)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_APICWrite, 2, VMI_NAT_("movl %%edx,(%%eax)", "movl %%esi,(%%rdi)"), VMI_ARG2_(reg, v));
}
VMI_INLINE_ uint32_t vmi_apic_read(volatile uint32_t *reg)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_APICRead, 2, VMI_NAT_("movl (%%eax),%%eax", "movl (%%rdi),%%eax"), VMI_ARG1_(reg));
	return (uint32_t)vmi_a_;
}

/* ---- optional extensions ---- */
VMI_INLINE_ void vmi_spin_wait(volatile void *lock)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SpinWait, 3, "pause", VMI_ARG1_(lock));
}
VMI_INLINE_ void vmi_spin_kick(volatile void *lock)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_SpinKick, 3, "", VMI_ARG1_(lock));
}
VMI_INLINE_ void vmi_flush_tlb_others(unsigned long cpumask, unsigned long addr)
{
	VMI_DECL_;
	VMI_SITE_IN_(VMI_CALL_FlushTLBOthers, 3, "", VMI_ARG2_(cpumask, addr));
}

/*
 * VMI_GUEST_NOTE - emit the .note.vmi descriptor (format, entry size, arch,
 * required major/minor; stamp = native) and the vmi_slots table. Use once
 * per image, at file scope, with literal numbers.
 */
#define VMI_GUEST_NOTE(major, minor)                                                               \
	__asm__(".pushsection .note.vmi,\"a\",@note\n\t.balign 4\n\t"                              \
		".long 4\n\t.long 28\n\t.long 0x564d01\n\t.asciz \"VMI\"\n\t.balign 4\n\t"         \
		".short 0x100\n\t.short 16\n\t"                                                    \
		".byte " VMI_XSTR_(VMI_GUEST_ARCH) ", " #major ", " #minor ", 0\n\t"              \
		".byte 0, 0, 0, 0\n\t.long 0, 0, 0, 0\n\t.popsection\n\t"                          \
		".pushsection vmi_slots,\"aw\"\n\t.balign 8\n\t.fill 128, 8, 0\n\t.popsection\n\t" \
		".pushsection vmi_sites,\"a\"\n\t.balign 4\n\t.popsection\n\t"                     \
		".pushsection vmi_native,\"a\"\n\t.popsection\n")

/* Linker-provided bounds of the sections (defined when the image has them). */
extern const uint8_t __start_vmi_sites[], __stop_vmi_sites[];
extern const uint8_t __start_vmi_native[], __stop_vmi_native[];
extern uint8_t __start_vmi_slots[], __stop_vmi_slots[];

#endif /* VMI_GUEST_H */
