/* SPDX-License-Identifier: GPL-2.0 */
/* Stands in for <stddef.h> in vmipatch's headers: the kernel's size_t and offsetof. */
#ifndef VMI_LINUX_SHIM_STDDEF_H
#define VMI_LINUX_SHIM_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
