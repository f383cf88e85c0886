/* SPDX-License-Identifier: MIT */
#include "romfile.h"
#include "stubcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

/* Larger than any valid ROM, so a bigger file is refused before reading it all. */
#define VMI_ROMFILE_MAX (VMI_ROM_MAX_SIZE + 4096u)

int vmi_romfile_load(vmi_romfile *rf, const char *path, vmi_diag *d)
{
	memset(rf, 0, sizeof(*rf));
	rf->path = path;
	struct stat st;
	const char *why = NULL;
	int fd = vmi_open_input(path, &st, &why);
	if (fd < 0)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open ROM: %s", why);
	if ((uint64_t)st.st_size > VMI_ROMFILE_MAX) {
		close(fd);
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "not a VMI ROM: %lld bytes, larger than %u",
				    (long long)st.st_size, VMI_ROM_MAX_SIZE);
	}
	rf->buf = malloc(VMI_ROMFILE_MAX + 1);
	if (!rf->buf) {
		close(fd);
		return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
	}
	/* Read to the end (the file may have grown since fstat), at most one
	 * byte past the limit. */
	while (rf->len <= VMI_ROMFILE_MAX) {
		ssize_t n = read(fd, rf->buf + rf->len, VMI_ROMFILE_MAX + 1 - rf->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot read ROM: %s", strerror(e));
		}
		if (n == 0)
			break;
		rf->len += (size_t)n;
	}
	close(fd);
	if (rf->len > VMI_ROMFILE_MAX)
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "not a VMI ROM: file larger than %u bytes",
				    VMI_ROM_MAX_SIZE);
	vmi_status st2 = vmi_rom_validate(rf->buf, rf->len, NULL, &rf->rom);
	if (st2 != VMI_OK)
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "ROM fails validation: %s", vmi_strerror(st2));
	/* The boot path trusts the stubs; offline, a stub that is not whole
	 * instructions or leaves the site is refused before any plan. */
	char stubwhy[200];
	if (!vmi_rom_stubs_check(&rf->rom, stubwhy, sizeof(stubwhy)))
		return vmi_diag_set(d, VMI_EXIT_INPUT, path, "ROM cannot be inlined: %s", stubwhy);
	return VMI_EXIT_OK;
}

void vmi_romfile_free(vmi_romfile *rf)
{
	free(rf->buf);
	rf->buf = NULL;
}
