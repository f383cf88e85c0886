/* SPDX-License-Identifier: MIT */
/* tools/vmirun/matrix.h - the equivalence matrix (matrix.c). */
#ifndef VMI_RUN_MATRIX_H
#define VMI_RUN_MATRIX_H

#include "vmirun.h"

/* Run every workload (or @only) under no ROM and each of @roms with the
 * built-in policy mixes; exit code VMI_RUN_EXIT_MISMATCH if any differs. */
int vmi_matrix(struct vmi_run_ctx *ctx, const char *const *roms, unsigned nroms, const char *only);

#endif /* VMI_RUN_MATRIX_H */
