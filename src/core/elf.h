/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF files we probe or symbolize (libelf). Every reader is bounds-checked: we run as root on
 * binaries we did not build, so a truncated or hostile file must give an error, never a crash.
 */
#ifndef TK_ELF_H
#define TK_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file;
struct Elf; /* libelf's Elf */

/*
 * What every reader of an ELF file starts with: path opened read-only, libelf begun on it.
 * *fd and *elf are always set (-1 and NULL where it did not get that far) so that
 * elf_close_raw() undoes just what was done. 0, -errno of open(), -ENOEXEC when not ELF.
 */
int elf_open_raw(const char *path, int *fd, struct Elf **elf);
void elf_close_raw(int fd, struct Elf *elf);
/*
 * The defined symbol name of any type (not TLS) in .symtab, else .dynsym: its value and size.
 * 0, or -ENOENT. For data symbols too (uaddr, runtime.types), where elf_file__for_each_func()
 * walks functions only.
 */
int elf_raw_symbol(struct Elf *elf, const char *name, uint64_t *value, uint64_t *size);

/* -ENOENT missing, -EACCES, -ENOEXEC not an ELF (or not x86-64), -EINVAL corrupt. */
int elf_file__open(const char *path, struct elf_file **out);
void elf_file__close(struct elf_file *ef);
const char *elf_file__path(const struct elf_file *ef);
bool elf_file__is_pie(const struct elf_file *ef); /* ET_DYN */

/* Section contents by name; NULL when absent or not inside the file. */
const void *elf_file__section(struct elf_file *ef, const char *name, uint64_t *addr, size_t *size);

typedef int (*elf_func_cb)(const char *name, uint64_t addr, uint64_t size, void *ctx);
/*
 * Call cb for each defined function symbol (STT_FUNC, STT_GNU_IFUNC) of .symtab, then of
 * .dynsym. Duplicates (same name and address) are reported once. A non-zero cb return stops
 * the walk and is returned; else 0, or a negative errno.
 */
int elf_file__for_each_func(struct elf_file *ef, elf_func_cb cb, void *ctx);

/* Virtual address -> file offset through the PT_LOAD that holds it. -ERANGE when none. */
int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off);
/* p_vaddr - p_offset of the executable PT_LOAD holding vaddr (for load bias computations). */
int elf_file__segment_delta(const struct elf_file *ef, uint64_t vaddr, int64_t *delta);
/*
 * len bytes of file contents at vaddr, NULL if not wholly inside a PT_LOAD's file part. Read
 * from the file itself (see elf.c for why); valid until the next call on ef.
 */
const uint8_t *elf_file__bytes_at(struct elf_file *ef, uint64_t vaddr, size_t len);

/* A Go binary: has .go.buildinfo, .gopclntab or .note.go.buildid. */
bool elf_file__is_go(struct elf_file *ef);

#endif
