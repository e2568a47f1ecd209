/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growable arrays: the one way to make room in a malloc()ed array, so the doubling, the
 * overflow check and the failure path are written once. And the one binary search of a
 * sorted address table (symbols: which one holds an address).
 *
 *	struct thing *v = NULL; size_t n = 0, cap = 0;
 *	if (VEC_RESERVE(v, cap, n, 1))
 *		return -ENOMEM;
 *	v[n++] = t;
 */
#ifndef TK_VEC_H
#define TK_VEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Make room for len + more elements of elem bytes in *arr (capacity *cap, at least doubled
 * when it grows). 0, or -ENOMEM with *arr and *cap unchanged.
 */
int vec_reserve(void *arr, size_t *cap, size_t len, size_t more, size_t elem);

#define VEC_RESERVE(arr, cap, len, more) vec_reserve(&(arr), &(cap), (len), (more), sizeof(*(arr)))

/*
 * Binary search of an address table: in arr[0..n), elements of elem bytes sorted by the
 * uint64_t at byte off of each, how many have it <= key. arr[ret - 1] is the last of them,
 * the one that may hold key (none when 0).
 */
size_t vec_upper_bound(const void *arr, size_t n, size_t elem, size_t off, uint64_t key);

#define VEC_UPPER_BOUND(arr, n, type, member, key)                                                 \
	vec_upper_bound((arr), (n), sizeof(type), offsetof(type, member), (key))

#endif
