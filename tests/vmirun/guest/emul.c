/* SPDX-License-Identifier: MIT */
/*
 * The emulator's corners, with raw (unannotated) instructions: operands in
 * registers the guest macros never use, the imm8 port forms, partial
 * register writes, stores of an immediate and of 32 bits into the page
 * tables. Each check compares with what the ISA defines and sets one bit
 * of the counter device: all pass = counter 0xff.
 */
#include "wl.h"

VMI_WL_DECL(emul)
{
#if defined(__x86_64__)
	uint32_t ok = 0;
	uint64_t v;

	/* mov %cr0 into r11, mov r9 into %cr2, back through r14. */
	__asm__ volatile("mov %%cr0,%%r11\n\tmov %%r11,%0" : "=r"(v) : : "r11");
	ok |= (v == 0x80050033u) << 0;
	__asm__ volatile("mov %1,%%r9\n\tmov %%r9,%%cr2\n\tmov %%cr2,%%r14\n\tmov %%r14,%0"
			 : "=r"(v) : "r"(0x1234ul) : "r9", "r14");
	ok |= (v == 0x1234u) << 1;

	/* out %al,$imm8; in $imm8,%al merges into the low byte only. */
	__asm__ volatile("movb $0x5a,%%al\n\toutb %%al,$0x21\n\tmovq $-1,%%rax\n\tinb $0x21,%%al\n\tmovq %%rax,%0"
			 : "=r"(v) : : "rax");
	ok |= (v == 0xffffffffffffff5aull) << 2;
	/* in $imm8,%eax zero-extends to 64 bits (a 32-bit register write). */
	__asm__ volatile("movq $-1,%%rax\n\tinl $0x21,%%eax\n\tmovq %%rax,%0" : "=r"(v) : : "rax");
	ok |= (v == 0x5au) << 3;
	/* in (%dx),%ax keeps bits 16..63. */
	__asm__ volatile("movq $-1,%%rax\n\tmovw $0x21,%%dx\n\tinw %%dx,%%ax\n\tmovq %%rax,%0" : "=r"(v) : : "rax", "rdx");
	ok |= (v == 0xffffffffffff005aull) << 4;

	/* Page-table stores: an immediate (sign-extended imm32) through r10,
	 * then 32 bits from r13d; read back through the read-only view. */
	volatile uint64_t *e = env->pt + 7 * 512 + 3;
	__asm__ volatile("mov %0,%%r10\n\tmovq $-2,(%%r10)" : : "r"(e) : "r10", "memory");
	ok |= (*e == 0xfffffffffffffffeull) << 5;
	__asm__ volatile("mov %0,%%r10\n\tmov %1,%%r13d\n\tmovl %%r13d,(%%r10)"
			 : : "r"(e), "r"(0x1003u) : "r10", "r13", "memory");
	ok |= (*e == 0xffffffff00001003ull) << 6;

	/* rdmsr ignores rcx's upper half; debug register through r12. */
	__asm__ volatile("movq $0xdead000000000010,%%rcx\n\trdmsr\n\tshlq $32,%%rdx\n\torq %%rdx,%%rax\n\t"
			 "movq $0x40,%%r12\n\tmovq %%r12,%%dr3\n\tmovq %%dr3,%%r12\n\taddq %%r12,%%rax\n\tmovq %%rax,%0"
			 : "=r"(v) : : "rax", "rcx", "rdx", "r12");
	ok |= (v > 0x40) << 7; /* IA32_TSC (0x10) read + 0x40: not the #GP of MSR 0xdead000000000010 */

#else
	uint32_t ok = 0;
	uint32_t v;

	/* mov %cr0 into esi, mov edi into %cr2, back through esi. */
	__asm__ volatile("mov %%cr0,%%esi\n\tmov %%esi,%0" : "=r"(v) : : "esi");
	ok |= (v == 0x80050033u) << 0;
	__asm__ volatile("mov %1,%%edi\n\tmov %%edi,%%cr2\n\tmov %%cr2,%%esi\n\tmov %%esi,%0"
			 : "=r"(v) : "r"(0x1234u) : "edi", "esi");
	ok |= (v == 0x1234u) << 1;

	/* out %al,$imm8; in $imm8,%al merges into the low byte only. */
	__asm__ volatile("movb $0x5a,%%al\n\toutb %%al,$0x21\n\tmovl $-1,%%eax\n\tinb $0x21,%%al\n\tmovl %%eax,%0"
			 : "=r"(v) : : "eax");
	ok |= (v == 0xffffff5au) << 2;
	/* in $imm8,%eax replaces the whole register. */
	__asm__ volatile("movl $-1,%%eax\n\tinl $0x21,%%eax\n\tmovl %%eax,%0" : "=r"(v) : : "eax");
	ok |= (v == 0x5au) << 3;
	/* in (%dx),%ax keeps bits 16..31. */
	__asm__ volatile("movl $-1,%%eax\n\tmovw $0x21,%%dx\n\tinw %%dx,%%ax\n\tmovl %%eax,%0" : "=r"(v) : : "eax", "edx");
	ok |= (v == 0xffff005au) << 4;

	/* Page-table stores: immediates into both halves through esi, then
	 * the low half from edi; read back through the read-only view. */
	volatile uint64_t *e = env->pt + 7 * 512 + 3;
	__asm__ volatile("mov %0,%%esi\n\tmovl $-2,(%%esi)\n\tmovl $-1,4(%%esi)" : : "r"(e) : "esi", "memory");
	ok |= (*e == 0xfffffffffffffffeull) << 5;
	__asm__ volatile("mov %0,%%esi\n\tmov %1,%%edi\n\tmovl %%edi,(%%esi)"
			 : : "r"(e), "r"(0x1003u) : "esi", "edi", "memory");
	ok |= (*e == 0xffffffff00001003ull) << 6;

	/* rdmsr of IA32_TSC (0x10); a debug register through edi. */
	__asm__ volatile("movl $0x10,%%ecx\n\trdmsr\n\torl %%edx,%%eax\n\t"
			 "movl $0x40,%%edi\n\tmovl %%edi,%%dr3\n\tmovl %%dr3,%%edi\n\taddl %%edi,%%eax\n\tmovl %%eax,%0"
			 : "=r"(v) : : "eax", "ecx", "edx", "edi");
	ok |= (v != 0x40u) << 7; /* a running TSC (nonzero) + 0x40: not the #GP of the rdmsr */

#endif
	vmi_outl(ok, VMI_WL_PORT_COUNTER);
}
