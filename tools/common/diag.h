/* SPDX-License-Identifier: MIT */
/*
 * tools/common/diag.h - exit codes and the one-line error every tool prints.
 *
 * A failing step fills a vmi_diag (exit code, file, message) and returns its
 * exit code; only main() prints, once, as "prog: file: message". So a bad
 * input always gives exactly one line on stderr.
 */
#ifndef VMI_TOOL_DIAG_H
#define VMI_TOOL_DIAG_H

#include <stdarg.h>

/* Exit codes, the same for all three tools (documented in their man pages). */
enum vmi_exit {
	VMI_EXIT_OK = 0,        /* success (vmilint: also with findings unless --strict) */
	VMI_EXIT_INPUT = 1,     /* bad input: image, ROM, policy or annotations rejected */
	VMI_EXIT_USAGE = 2,     /* bad command line */
	VMI_EXIT_IO = 3,        /* reading or writing a file failed */
	VMI_EXIT_FINDINGS = 4,  /* vmilint --strict: unannotated sensitive instructions */
	VMI_EXIT_VERIFY = 5,    /* vmipatch --verify: a patched site is not what was intended */
};

#define VMI_DIAG_MSG_MAX 512

typedef struct vmi_diag {
	int code;                    /* enum vmi_exit; VMI_EXIT_OK = nothing to report */
	const char *file;            /* the file the message is about (not owned) */
	char msg[VMI_DIAG_MSG_MAX];  /* the message, without program or file name */
} vmi_diag;

/** vmi_diag_set - record a failure; returns @code so callers can `return vmi_diag_set(...)`. */
int vmi_diag_set(vmi_diag *d, int code, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** vmi_diag_print - print "prog: file: msg" (one line) to stderr if @d holds a failure. */
void vmi_diag_print(const char *prog, const vmi_diag *d);

/** vmi_usage_error - print "prog: <fmt with arg> (try --help)"; returns VMI_EXIT_USAGE. */
int vmi_usage_error(const char *prog, const char *fmt, const char *arg);

/** vmi_arch_parse - "i386", "x86_64" or "x86-64" to enum vmi_arch; 0 if neither. */
int vmi_arch_parse(const char *name);

#endif /* VMI_TOOL_DIAG_H */
