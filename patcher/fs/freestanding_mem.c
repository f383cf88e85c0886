/* SPDX-License-Identifier: MIT */
/*
 * patcher/fs/freestanding_mem.c - the four functions a compiler may call
 * on its own even in freestanding code (struct copies, large initialisers).
 *
 * Built only into the freestanding libraries and patcher.bin, never into
 * the host library (libc has them). Weak, so a kernel's own versions win;
 * hidden, so they never leak out of patcher.bin's symbol space. The core
 * itself uses vmi_memcpy/vmi_memset (vmi/internal/util.h).
 */
#include <stddef.h>
#include <stdint.h>

#define VMI_FS_MEM __attribute__((weak, visibility("hidden")))

VMI_FS_MEM void *memcpy(void *dst, const void *src, size_t n);
VMI_FS_MEM void *memset(void *dst, int c, size_t n);
VMI_FS_MEM void *memmove(void *dst, const void *src, size_t n);
VMI_FS_MEM int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
