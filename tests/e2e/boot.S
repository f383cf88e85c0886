/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 entry of the end-to-end guest. QEMU's multiboot loader
 * enters here in flat 32-bit protected mode with eax = 0x2BADB002 and
 * ebx = the multiboot info. The GDT QEMU leaves behind lives in its
 * multiboot ROM, so the guest loads its own before anything else.
 */
	.section .multiboot, "a"
	.balign 4
	.long 0x1BADB002                /* magic */
	.long 3                         /* page-align modules, want memory info */
	.long -(0x1BADB002 + 3)         /* checksum */

	.text
	.globl _start
	.type _start, @function
_start:
	cli
	movl $vmi_e2e_stack_top, %esp
	lgdt vmi_e2e_gdtr
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	pushl %ebx
	pushl %eax
	call vmi_e2e_main
	/* vmi_e2e_main never returns (it exits QEMU); stop here if it does. */
2:	cli
	hlt
	jmp 2b
	.size _start, . - _start

	.section .rodata
	.balign 8
vmi_e2e_gdt:
	.quad 0                         /* null */
	.quad 0x00cf9a000000ffff        /* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: flat 32-bit data */
vmi_e2e_gdtr:
	.word vmi_e2e_gdtr - vmi_e2e_gdt - 1
	.long vmi_e2e_gdt

	.section .bss
	.balign 16
	.space 16384
vmi_e2e_stack_top:

	.section .note.GNU-stack, "", @progbits
