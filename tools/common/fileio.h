/* SPDX-License-Identifier: MIT */
/*
 * tools/common/fileio.h - open a tool's input file without hanging on it.
 *
 * Every input (image, ROM, symbol map, object, patcher.bin, guest) is
 * opened with O_NONBLOCK, so a FIFO with no writer or a device does not
 * block open(); the file type is checked with fstat on the open file
 * (no race with a rename), and only a regular file is read. Needs only
 * libc: vmirun (also built for i386) compiles it on its own.
 */
#ifndef VMI_TOOL_FILEIO_H
#define VMI_TOOL_FILEIO_H

#include <stdio.h>
#include <sys/stat.h>

/**
 * vmi_open_input - open @path read-only, check that it is a regular file.
 * Return: the descriptor (blocking mode, close-on-exec) with *@st filled,
 * or -1 with *@why set to a static text for "prog: path: cannot open ...:
 * <why>": the open error (strerror), "Is a directory", or "expected a
 * regular file, found a FIFO" (and the other types).
 */
int vmi_open_input(const char *path, struct stat *st, const char **why);

/** vmi_fopen_input - vmi_open_input as a stdio stream ("rb"); NULL with *@why set. */
FILE *vmi_fopen_input(const char *path, const char **why);

/** vmi_file_type_name - "a FIFO", "a character device", ... for st_mode's type. */
const char *vmi_file_type_name(mode_t mode);

/**
 * vmi_text_escape - @len bytes of @s (stopping at a NUL) made safe to show:
 * printable ASCII as is, backslash and quote as "\\\\" and "\\"", every other byte (control,
 * DEL, non-ASCII) as "\xNN". Strings from the inputs (a ROM's vendor name)
 * go through it so no control byte reaches a terminal or a log.
 * @buf gets at most @size - 1 characters and a NUL (a name too long for it
 * is cut at a whole escape). Return: @buf.
 */
char *vmi_text_escape(const char *s, size_t len, char *buf, size_t size);
/* Room vmi_text_escape needs for @n input bytes. */
#define VMI_ESCAPED_SIZE(n) (4u * (n) + 1u)

#endif /* VMI_TOOL_FILEIO_H */
