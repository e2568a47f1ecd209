/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growable arrays: the one way to make room in a malloc()ed array, so the doubling, the
 * overflow check and the failure path are written once.
 *
 *	struct thing *v = NULL; size_t n = 0, cap = 0;
 *	if (VEC_RESERVE(v, cap, n, 1))
 *		return -ENOMEM;
 *	v[n++] = t;
 */
#ifndef TK_VEC_H
#define TK_VEC_H

#include <stddef.h>

/*
 * Make room for len + more elements of elem bytes in *arr (capacity *cap, at least doubled
 * when it grows). 0, or -ENOMEM with *arr and *cap unchanged.
 */
int vec_reserve(void *arr, size_t *cap, size_t len, size_t more, size_t elem);

#define VEC_RESERVE(arr, cap, len, more) vec_reserve(&(arr), &(cap), (len), (more), sizeof(*(arr)))

#endif
