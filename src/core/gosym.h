/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go's own symbol table, .gopclntab, which survives `go build -ldflags='-s -w'`, and the Go
 * version from .go.buildinfo. Pure functions of the bytes given: no I/O, bounded loops, every
 * offset checked, so a hostile table gives an error, never a crash or an endless loop.
 */
#ifndef TK_GOSYM_H
#define TK_GOSYM_H

#include <stddef.h>
#include <stdint.h>

struct gosym_table;

/*
 * Parse a pclntab. data/size: the section bytes (copied references; the caller keeps them
 * alive). text_start: address of runtime.text / .text, used where the table's own value is
 * absent (Go < 1.18) or for checking. Layouts: Go 1.2-1.15, 1.16-1.17, 1.18-1.19, 1.20+.
 * Returns 0, -EINVAL (corrupt), -ENOTSUP (unknown magic), -ENOMEM.
 */
int gosym_table__parse(const void *data, size_t size, uint64_t text_start,
		       struct gosym_table **out);
void gosym_table__free(struct gosym_table *t);
size_t gosym_table__count(const struct gosym_table *t);

struct gosym_func {
	const char *name; /* points into the table's data, NUL-terminated, validated */
	uint64_t entry;	  /* absolute address */
	uint64_t end;	  /* next function's entry (includes int3 padding) */
};
/* i in [0, count): fills *f; -EINVAL when that entry is corrupt. */
int gosym_table__func(const struct gosym_table *t, size_t i, struct gosym_func *f);
/* The function containing pc, by binary search; -ENOENT if none. */
int gosym_table__lookup(const struct gosym_table *t, uint64_t pc, struct gosym_func *f);

/*
 * Go version string ("go1.19.8") from the .go.buildinfo section bytes. Handles the
 * Go >= 1.18 inline-string layout; older pointer layouts return -ENOTSUP.
 */
int gosym_buildinfo_version(const void *data, size_t size, char *buf, size_t buflen);

/* Offset of goid in runtime.g for a version string: 0x98 up to go1.22, 0xa0 from go1.23. */
unsigned int gosym_goid_offset(const char *version);

#endif
