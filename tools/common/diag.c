/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include "vmi/annotations.h"

#include <stdio.h>
#include <string.h>

int vmi_diag_set(vmi_diag *d, int code, const char *file, const char *fmt, ...)
{
	va_list ap;

	d->code = code;
	d->file = file;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	/* One line, always: a message built from file content must not break it. */
	for (char *p = d->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

void vmi_diag_print(const char *prog, const vmi_diag *d)
{
	if (d->code == VMI_EXIT_OK)
		return;
	if (d->file)
		fprintf(stderr, "%s: %s: %s\n", prog, d->file, d->msg);
	else
		fprintf(stderr, "%s: %s\n", prog, d->msg);
}

int vmi_usage_error(const char *prog, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	return VMI_EXIT_USAGE;
}

int vmi_arch_parse(const char *name)
{
	if (!strcmp(name, "i386"))
		return VMI_ARCH_I386;
	if (!strcmp(name, "x86_64") || !strcmp(name, "x86-64"))
		return VMI_ARCH_X86_64;
	return 0;
}
