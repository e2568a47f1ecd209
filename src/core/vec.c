// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

int vec_reserve(void *arr, size_t *cap, size_t len, size_t more, size_t elem)
{
	size_t want, ncap;
	void *p;

	if (more > SIZE_MAX - len)
		return -ENOMEM;
	want = len + more;
	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	memcpy(&p, arr, sizeof(p));
	p = realloc(p, ncap * elem);
	if (!p)
		return -ENOMEM;
	memcpy(arr, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

size_t vec_upper_bound(const void *arr, size_t n, size_t elem, size_t off, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v;

		memcpy(&v, (const char *)arr + mid * elem + off, sizeof(v));
		if (v <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
