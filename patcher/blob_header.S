/* SPDX-License-Identifier: MIT */
/*
 * patcher/blob_header.S - struct vmi_blob_header at offset 0 of patcher.bin
 * (vmi/blob.h). Every offset is a link-time difference from the blob's
 * start, so it is PC-relative and the same at any base; this is also how a
 * loader finds the entry points that -fvisibility=hidden keeps out of any
 * symbol table.
 */
#ifdef __x86_64__
#define VMI_BLOB_ARCH 2 /* VMI_ARCH_X86_64 */
#else
#define VMI_BLOB_ARCH 1 /* VMI_ARCH_I386 */
#endif

	.section .vmi_blob_header, "a"
	.globl __vmi_blob_start
	.hidden __vmi_blob_start
__vmi_blob_start:
	.long 0x50494d56                          /* magic "VMIP" */
	.short 1                                  /* version */
	.byte VMI_BLOB_ARCH                       /* arch */
	.byte 32                                  /* header_size */
	.long __vmi_blob_end - __vmi_blob_start   /* size */
	.long vmi_boot_patch - __vmi_blob_start   /* boot_off */
	.long vmi_plan_workspace_size - __vmi_blob_start /* workspace_off */
	.long vmi_strerror - __vmi_blob_start     /* strerror_off */
	.long 0, 0                                /* reserved */

	.section .note.GNU-stack, "", @progbits
