// SPDX-License-Identifier: GPL-2.0
/*
 * gosym.c on arbitrary bytes, as a pclntab and as a .go.buildinfo section. Every function
 * reported must have a NUL-terminated name inside the data and lookups must agree with it;
 * source frames (pcvalue tables, inline trees) must stay inside the data too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gosym.h"

#define MAX_FUNCS  4096 /* keep each input fast; the parser itself has no such limit */
#define MAX_PCS	   4096 /* pcs asked for frames per input */
#define MAX_FRAMES 8

static bool inside(const char *s, const uint8_t *data, size_t size)
{
	return (const uint8_t *)s >= data && (const uint8_t *)s < data + size &&
	       memchr(s, 0, data + size - (const uint8_t *)s);
}

/*
 * Source frames with the input as its own FUNCDATA too (based at the text address, so small
 * offsets land in it): every pc of the first functions, frames bounded, names and files
 * NUL-terminated inside the data.
 */
static void frames(struct gosym_table *t, const uint8_t *data, size_t size)
{
	struct src_frame fr[MAX_FRAMES];
	struct gosym_func f;
	size_t n = gosym_table__count(t), pcs = 0;

	gosym_table__set_funcdata(t, data, size, 0x401000, 0x401000);
	for (size_t i = 0; i < n && pcs < MAX_PCS; i++) {
		if (gosym_table__func(t, i, &f))
			continue;
		for (uint64_t pc = f.entry; pc < f.end && pcs < MAX_PCS; pc++, pcs++) {
			int k = gosym_table__frames(t, pc, fr, MAX_FRAMES);

			if (k > MAX_FRAMES)
				abort();
			for (int j = 0; j < k; j++)
				if (!inside(fr[j].func, data, size) ||
				    (fr[j].file && !inside(fr[j].file, data, size)))
					abort();
		}
	}
}

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
		frames(t, data, size);
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
