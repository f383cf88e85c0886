/* SPDX-License-Identifier: MIT */
/*
 * tools/common/search.h - the binary search the tools share: segments,
 * symbols and annotated spans are each sorted by a 64-bit address field,
 * and each lookup wants how many leading elements have it <= an address.
 */
#ifndef VMI_TOOL_SEARCH_H
#define VMI_TOOL_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * vmi_count_upto - in @n elements of @stride bytes at @base, sorted by the
 * uint64_t at byte @key_off of each, the number whose key is <= @x (so the
 * index of the first one above it).
 */
static inline size_t vmi_count_upto(const void *base, size_t n, size_t stride, size_t key_off, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k;
		memcpy(&k, (const char *)base + mid * stride + key_off, sizeof(k));
		if (k <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif /* VMI_TOOL_SEARCH_H */
