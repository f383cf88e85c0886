/* SPDX-License-Identifier: MIT */
/*
 * tools/vmilint/baseline.h - accepted findings (--baseline FILE), so that a
 * build step fails only on new ones.
 *
 * A baseline is text, one accepted finding per line, "SYMBOL MNEMONIC"
 * (0xADDR for a finding outside any symbol); '#' starts a comment.
 * Addresses and line numbers move with every edit, symbol and mnemonic
 * do not. Each line accepts one finding: a function with two accepted
 * pushfq and a third one new fails. --write-baseline FILE writes the
 * current findings in this form.
 */
#ifndef VMI_LINT_BASELINE_H
#define VMI_LINT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef struct vmi_baseline_entry {
	char *sym, *mnemonic; /* into the file's text */
	bool used;            /* accepted a finding of this run */
} vmi_baseline_entry;

typedef struct vmi_baseline {
	char *text;                  /* the file (owned) */
	vmi_baseline_entry *e;       /* sorted by (sym, mnemonic) (owned) */
	size_t n;
} vmi_baseline;

/**
 * vmi_baseline_load - read @path. Return: VMI_EXIT_OK, VMI_EXIT_IO
 * (unreadable), VMI_EXIT_INPUT naming the line that is not "SYMBOL MNEMONIC".
 */
int vmi_baseline_load(vmi_baseline *b, const char *path, vmi_diag *d);

/** vmi_baseline_accept - does an unused entry accept @sym/@mnemonic? (It is used up.) */
bool vmi_baseline_accept(vmi_baseline *b, const char *sym, const char *mnemonic);

/** vmi_baseline_unused - entries that accepted nothing (fixed findings). */
size_t vmi_baseline_unused(const vmi_baseline *b);

void vmi_baseline_free(vmi_baseline *b);

#endif /* VMI_LINT_BASELINE_H */
