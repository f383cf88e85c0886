/* SPDX-License-Identifier: MIT */
/*
 * tests/install/guest - the smallest guest kernel built from the installed
 * headers and the installed freestanding library (pkg-config variable
 * lib_x86_64): three annotated sites, one raw sgdt that nobody annotated
 * (vmilint's one finding), and a call into the library so the link needs
 * it. Never run; the installed tools read it.
 */
#include <vmi/guest.h>
#include <vmi/patcher.h>

VMI_GUEST_NOTE(1, 3);

volatile unsigned long install_sink;

__attribute__((noinline)) void install_unannotated(void);
void install_unannotated(void)
{
	struct __attribute__((packed)) {
		unsigned short limit;
		unsigned long base;
	} gdtr;
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	install_sink = gdtr.base;
}

void _start(void);
__attribute__((noreturn)) void _start(void)
{
	size_t ws = 0;
	for (;;) {
		unsigned long flags = vmi_save_flags();
		vmi_cli();
		vmi_restore_flags(flags);
		install_unannotated();
		vmi_plan_workspace_size(NULL, &ws);
		install_sink += ws;
	}
}
