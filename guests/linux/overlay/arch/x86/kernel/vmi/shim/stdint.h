/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmipatch's public headers include <stdint.h>; inside the kernel the
 * fixed-width types must be the kernel's own (u64 is unsigned long long,
 * the compiler's uint64_t is unsigned long), so this shim stands in for it.
 */
#ifndef VMI_LINUX_SHIM_STDINT_H
#define VMI_LINUX_SHIM_STDINT_H
#include <linux/types.h>
#endif
