/* SPDX-License-Identifier: MIT */
/*
 * tests/guest/sample.h - helpers of the sample guest: an image that is never
 * run, only read by vmipatch, vmidump and vmilint (and their tests).
 *
 * VMI_SAMPLE_REP(F) expands F(0) .. F(VMI_SAMPLE_N - 1) so each category
 * gets VMI_SAMPLE_N small functions of its own; the repetition gives the
 * tools a few hundred sites spread over many symbols without copy-paste.
 */
#ifndef VMI_SAMPLE_H
#define VMI_SAMPLE_H

#include "vmi/guest.h"

#define VMI_SAMPLE_N 8
#define VMI_SAMPLE_REP(F) F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7)

/* Kept as real symbols so vmidump/vmilint can name the enclosing function. */
#define VMI_SAMPLE_FN __attribute__((noinline, used))

/* A sink the compiler cannot see through, so results are not dropped. */
extern volatile unsigned long vmi_sample_sink;

#endif /* VMI_SAMPLE_H */
