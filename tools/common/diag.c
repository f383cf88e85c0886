/* SPDX-License-Identifier: MIT */
#include "diag.h"

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
