/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one hash of bytes for user-space tables (metric series, stack profile strings and
 * locations): FNV-1a, 64-bit. Keys are short and none of these tables is on an event's
 * path, so simplicity wins over speed.
 */
#ifndef TK_HASH_H
#define TK_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_SEED 0xcbf29ce484222325ull

/* h continued over data[0 .. len); start with HASH_FNV_SEED. */
static inline uint64_t hash_fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* h continued over the string s, without its NUL. */
static inline uint64_t hash_fnv_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

#endif
