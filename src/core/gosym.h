/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go's own symbol table, .gopclntab, which survives `go build -ldflags='-s -w'`, and the Go
 * version from .go.buildinfo. Pure functions of the bytes given: no I/O, bounded loops, every
 * offset checked, so a hostile table gives an error, never a crash or an endless loop.
 * (gosym_table__from_elf() only finds those bytes in a file libelf has open.)
 */
#ifndef TK_GOSYM_H
#define TK_GOSYM_H

#include <stddef.h>
#include <stdint.h>

#include "core/elf.h"
#include "core/srcline.h"

struct gosym_table;

/*
 * Parse a pclntab. data/size: the section bytes (copied references; the caller keeps them
 * alive). text_start: address of runtime.text (.text's address in a Go-linked binary), the
 * base of Go 1.18+ entries where the table's own textStart is 0: a PIE file, and every file
 * from Go 1.26 on. Layouts: Go 1.2-1.15, 1.16-1.17, 1.18-1.19, 1.20+.
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
/*
 * The pclntab of ef: .gopclntab, or .data.rel.ro.gopclntab where the linker put it there,
 * parsed with .text as text_start. -ENOENT when ef has neither, else as gosym_table__parse().
 * The table points into ef: free it before closing ef.
 */
int gosym_table__from_elf(struct elf_file *ef, struct gosym_table **out);
/*
 * cb(name, entry, size) for each function of t, corrupt entries skipped; like
 * elf_file__for_each_func(), a non-zero cb return stops the walk and is returned.
 */
int gosym_table__for_each_func(const struct gosym_table *t, elf_func_cb cb, void *ctx);
/* The function containing pc, by binary search; -ENOENT if none. */
int gosym_table__lookup(const struct gosym_table *t, uint64_t pc, struct gosym_func *f);

/*
 * Source frames. FUNCDATA (inline trees) lives outside the pclntab in most versions: data is
 * the bytes at vaddr addr on (caller keeps them alive), gofunc moduledata.gofunc (Go 1.18+
 * funcdata offsets are from it; Go 1.16-1.17 ones are addresses). Without it, frames have no
 * inlined calls. 0, or -EINVAL.
 */
int gosym_table__set_funcdata(struct gosym_table *t, const void *data, size_t size, uint64_t addr,
			      uint64_t gofunc);

/*
 * The source frames at pc, inlined calls expanded as the runtime's traceback does: frames[0]
 * the innermost inlined function with the file:line of pc, each next one its caller with the
 * file:line of the call, the last the function holding pc. Up to max, the outermost kept.
 * Strings point into the table's data. The number of frames (>= 1), -ENOENT (no function
 * at pc), -ENOTSUP (Go 1.2-1.15 tables, which keep lines differently), -EINVAL.
 */
int gosym_table__frames(const struct gosym_table *t, uint64_t pc, struct src_frame *frames,
			int max);
/*
 * As gosym_table__from_elf(), for frames: the table and its FUNCDATA copied out of ef, so
 * that it outlives ef (go:func.* found through the moduledata whose pcHeader is the table:
 * stripped binaries too). Without FUNCDATA (not found) frames still have files and lines.
 */
int gosym_table__load_elf(struct elf_file *ef, struct gosym_table **out);

/*
 * Go version string ("go1.19.8") from the .go.buildinfo section bytes. Handles the
 * Go >= 1.18 inline-string layout; older pointer layouts return -ENOTSUP.
 */
int gosym_buildinfo_version(const void *data, size_t size, char *buf, size_t buflen);

/* Offsets into Go's runtime.g (the current goroutine, R14 in Go's register ABI). */
struct gosym_g_offsets {
	uint32_t goid;
	uint32_t stack_hi; /* g.stack.hi */
};
/*
 * The offsets for a Go version string ("go1.23.12"), from a table of Go 1.17-1.27: 0 when the
 * version is in it. -ENOENT otherwise (newer, older, unknown): ask the binary's DWARF; *out
 * still holds the nearest version's layout, the best guess when there is no DWARF.
 */
int gosym_g_offsets(const char *version, struct gosym_g_offsets *out);

#endif
