/* SPDX-License-Identifier: MIT */
/* A guest object without annotations: no note, no sites. vmirun must
 * refuse it with one clear line. */
#include "wl.h"

VMI_WL_DECL(irq)
{
	(void)env;
	__asm__ volatile("cli; sti");
}
