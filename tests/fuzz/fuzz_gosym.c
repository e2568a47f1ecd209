// SPDX-License-Identifier: GPL-2.0
/*
 * gosym.c on arbitrary bytes, as a pclntab and as a .go.buildinfo section. Every function
 * reported must have a NUL-terminated name inside the data and lookups must agree with it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gosym.h"

#define MAX_FUNCS 4096 /* keep each input fast; the parser itself has no such limit */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gosym_table *t;
	struct gosym_func f, g;
	char ver[64], *copy;

	if (gosym_table__parse(data, size, 0x401000, &t) == 0) {
		size_t n = gosym_table__count(t);

		for (size_t i = 0; i < n && i < MAX_FUNCS; i++) {
			if (gosym_table__func(t, i, &f))
				continue;
			if ((const uint8_t *)f.name < data ||
			    (const uint8_t *)f.name >= data + size ||
			    !memchr(f.name, 0, data + size - (const uint8_t *)f.name))
				abort();
			/* The entry's own address finds a function starting at or before it. */
			if (f.end > f.entry && gosym_table__lookup(t, f.entry, &g) == 0 &&
			    (g.entry > f.entry || g.end <= f.entry))
				abort();
		}
		gosym_table__lookup(t, 0x401000, &f);
		gosym_table__lookup(t, size > 8 ? *(const uint32_t *)data + 0x401000ull : 0, &f);
		gosym_table__free(t);
	}
	if (gosym_buildinfo_version(data, size, ver, sizeof(ver)) == 0 &&
	    strlen(ver) >= sizeof(ver))
		abort();

	copy = malloc(size + 1);
	if (copy) {
		struct gosym_g_offsets off;

		memcpy(copy, data, size);
		copy[size] = '\0';
		/* Whatever the string, a layout comes back: the table's or its nearest guess. */
		gosym_g_offsets(copy, &off);
		if (off.goid != 0x98 && off.goid != 0xa0)
			abort();
		free(copy);
	}
	return 0;
}
