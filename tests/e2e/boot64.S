/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 entry of the x86-64 end-to-end guest. QEMU refuses ELF64
 * multiboot kernels, but it honours the header's address fields (flag bit
 * 16): then it loads the file's bytes as a flat image and never looks at
 * the ELF class. So the image stays an ordinary ELF64 that vmipatch can
 * patch, and this 32-bit entry switches to long mode: identity-map the low
 * 4 GiB with 2 MiB pages (the kernel, the ROM area, the local APIC), enable
 * PAE, EFER.LME and paging, then jump to 64-bit code.
 */
#define MB_FLAGS 0x00010003 /* page-align, memory info, address fields valid */

	.section .multiboot, "a"
	.balign 4
vmi_e2e_mb_header:
	.long 0x1BADB002
	.long MB_FLAGS
	.long -(0x1BADB002 + MB_FLAGS)
	.long vmi_e2e_mb_header         /* header_addr */
	.long __vmi_e2e_load_start      /* load_addr: the file is loaded from here ... */
	.long __vmi_e2e_load_end        /* load_end_addr: ... to here */
	.long __vmi_e2e_bss_end         /* bss_end_addr: zeroed up to here */
	.long _start                    /* entry_addr */

	.text
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	movl %eax, %edi                 /* multiboot magic -> 1st argument */
	movl %ebx, %esi                 /* multiboot info  -> 2nd argument */
	movl $vmi_e2e_stack_top, %esp

	movl $vmi_e2e_pdpt + 3, vmi_e2e_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $vmi_e2e_pd + 3, %eax
	movl %eax, vmi_e2e_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                 /* present, writable, 2 MiB page */
	movl %eax, vmi_e2e_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $vmi_e2e_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* EFER */
	rdmsr
	orl $0x100, %eax                /* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax           /* PG, PE */
	movl %eax, %cr0
	lgdt vmi_e2e_gdtr
	ljmp $0x08, $vmi_e2e_long

	.code64
vmi_e2e_long:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movq $vmi_e2e_stack_top, %rsp
	movl %edi, %edi
	movl %esi, %esi
	call vmi_e2e_main
3:	cli
	hlt
	jmp 3b
	.size _start, . - _start

	.globl vmi_e2e_boot_cr3
	.type vmi_e2e_boot_cr3, @function
vmi_e2e_boot_cr3:
	movl $vmi_e2e_pml4, %eax
	ret
	.size vmi_e2e_boot_cr3, . - vmi_e2e_boot_cr3

	.section .rodata
	.balign 8
vmi_e2e_gdt:
	.quad 0                         /* null */
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
vmi_e2e_gdtr:
	.word vmi_e2e_gdtr - vmi_e2e_gdt - 1
	.long vmi_e2e_gdt

	.section .bss
	.balign 4096
vmi_e2e_pml4:	.space 4096
vmi_e2e_pdpt:	.space 4096
vmi_e2e_pd:	.space 4 * 4096
	.balign 16
	.space 16384
vmi_e2e_stack_top:

	.section .note.GNU-stack, "", @progbits
