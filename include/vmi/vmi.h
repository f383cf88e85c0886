/* SPDX-License-Identifier: MIT */
/*
 * vmi/vmi.h - umbrella header of libvmipatch.
 *
 * One error convention: every fallible function returns vmi_status
 * (vmi/status.h), VMI_OK or a negative code; vmi_strerror() names it.
 * Lookups that cannot fail return a value (NULL / 0 / "?" for unknown).
 */
#ifndef VMI_VMI_H
#define VMI_VMI_H

#include "vmi/status.h"
#include "vmi/calls.h"
#include "vmi/annotations.h"
#include "vmi/rom.h"
#include "vmi/patcher.h"
#include "vmi/blob.h"

#define VMI_VERSION_STRING "0.1.0"

#endif /* VMI_VMI_H */
