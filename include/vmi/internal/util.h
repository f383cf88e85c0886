/* SPDX-License-Identifier: MIT */
/*
 * vmi/internal/util.h - the freestanding core's only "libc": byte copies
 * and little-endian field access. Not installed.
 *
 * Fields are read byte by byte so an entry at any alignment (a site table
 * in a file buffer, a ROM at an odd offset) is never an unaligned access.
 * The loops are plain on purpose; they are too short to matter and must not
 * become libc calls (the build uses -fno-tree-loop-distribute-patterns on gcc).
 */
#ifndef VMI_INTERNAL_UTIL_H
#define VMI_INTERNAL_UTIL_H

#include <stddef.h>
#include <stdint.h>

static inline void vmi_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;
	while (n--)
		*d++ = *s++;
}

/*
 * Copy or compare 0..32 bytes (a site's worth, VMI_SITE_MAX_LEN) with at
 * most two overlapping word moves per size class instead of a byte loop:
 * the planner and apply do this for every site, and at a million sites the
 * loop overhead was most of the cost. __builtin_memcpy with a constant
 * size is expanded inline even under -fno-builtin, so none of this becomes
 * a libc call. The buffers must not overlap.
 */
#define VMI_MOVE_(d, s, k) __builtin_memcpy((d), (s), (k))
static inline void vmi_copy_upto32(void *dst, const void *src, size_t n)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;
	if (n >= 16) {
		VMI_MOVE_(d, s, 16);
		VMI_MOVE_(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		VMI_MOVE_(d, s, 8);
		VMI_MOVE_(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		VMI_MOVE_(d, s, 4);
		VMI_MOVE_(d + n - 4, s + n - 4, 4);
	} else if (n >= 2) {
		VMI_MOVE_(d, s, 2);
		VMI_MOVE_(d + n - 2, s + n - 2, 2);
	} else if (n) {
		d[0] = s[0];
	}
}

static inline uint64_t vmi_ld64_(const uint8_t *p)
{
	uint64_t v;
	VMI_MOVE_(&v, p, 8);
	return v;
}

static inline uint32_t vmi_ld32_(const uint8_t *p)
{
	uint32_t v;
	VMI_MOVE_(&v, p, 4);
	return v;
}

/* Are the 0..32 bytes at @a and @b the same? (Only equality: no order.) */
static inline int vmi_same_upto32(const void *a, const void *b, size_t n)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	if (n >= 16)
		return !((vmi_ld64_(x) ^ vmi_ld64_(y)) | (vmi_ld64_(x + 8) ^ vmi_ld64_(y + 8)) |
			 (vmi_ld64_(x + n - 16) ^ vmi_ld64_(y + n - 16)) |
			 (vmi_ld64_(x + n - 8) ^ vmi_ld64_(y + n - 8)));
	if (n >= 8)
		return !((vmi_ld64_(x) ^ vmi_ld64_(y)) | (vmi_ld64_(x + n - 8) ^ vmi_ld64_(y + n - 8)));
	if (n >= 4)
		return !((vmi_ld32_(x) ^ vmi_ld32_(y)) | (vmi_ld32_(x + n - 4) ^ vmi_ld32_(y + n - 4)));
	for (; n; n--, x++, y++)
		if (*x != *y)
			return 0;
	return 1;
}

static inline void vmi_memset(void *dst, int c, size_t n)
{
	uint8_t *d = (uint8_t *)dst;
	while (n--)
		*d++ = (uint8_t)c;
}

static inline int vmi_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

static inline uint16_t vmi_le16(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t vmi_le32(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static inline uint64_t vmi_le64(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint64_t)vmi_le32(b) | ((uint64_t)vmi_le32(b + 4) << 32);
}

static inline void vmi_put_le16(void *p, uint16_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void vmi_put_le32(void *p, uint32_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void vmi_put_le64(void *p, uint64_t v)
{
	vmi_put_le32(p, (uint32_t)v);
	vmi_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* OPTS handling (libbpf's scheme): a caller compiled against an older
 * header passes a shorter struct; a newer one may pass a longer struct
 * whose unknown tail must be zero. */
static inline int vmi_opts_tail_zero(const void *opts, size_t known, size_t given)
{
	const uint8_t *b = (const uint8_t *)opts;
	for (size_t i = known; i < given; i++)
		if (b[i])
			return 0;
	return 1;
}
#define VMI_OPTS_SZ(o) ((o) ? *(const uint32_t *)(o) : 0u)
/* Is field f of opts struct pointer o present in the caller's struct? */
#define VMI_OPTS_HAS(o, type, f) ((o) && VMI_OPTS_SZ(o) >= offsetof(type, f) + sizeof(((type *)0)->f))
#define VMI_OPTS_GET(o, type, f, dflt) (VMI_OPTS_HAS(o, type, f) ? (o)->f : (dflt))
/* Valid: size covers at least the size field and unknown tail bytes are zero. */
#define VMI_OPTS_VALID(o, type)                                                                    \
	(!(o) || (VMI_OPTS_SZ(o) >= sizeof(uint32_t) &&                                            \
		  (VMI_OPTS_SZ(o) <= offsetof(type, type##__last_field) + sizeof(((type *)0)->type##__last_field) || \
		   vmi_opts_tail_zero((o), offsetof(type, type##__last_field) + sizeof(((type *)0)->type##__last_field), VMI_OPTS_SZ(o)))))

#endif /* VMI_INTERNAL_UTIL_H */
