/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbolization of addresses in running processes: /proc/PID/maps, then the
 * mapped file's .symtab/.dynsym or, for stripped Go binaries, .gopclntab. Files are read
 * lazily and cached across processes (by path).
 */
#ifndef TK_USYM_H
#define TK_USYM_H

#include <stdint.h>

struct usym_cache;

struct usym {
	const char *name;   /* function name, or NULL when unknown */
	uint64_t off;	    /* ip - function start */
	const char *module; /* mapped file path, or NULL */
};

struct usym_cache *usym_cache__new(void);
void usym_cache__free(struct usym_cache *c);
/*
 * The function at link-time address vaddr of the non-PIE file at path, for an address of a
 * process that is gone (a non-PIE binary's code is at the same addresses in every process).
 * 0, or -ENOENT (no such function, or a PIE file), -errno of stat().
 */
int usym_cache__resolve_file(struct usym_cache *c, const char *path, uint64_t vaddr,
			     struct usym *out);
/*
 * Read pid's /proc/PID/maps now, so that its addresses still resolve (through the files'
 * own paths) after it has exited: a tool that reports at its end calls this at its start for
 * the -p process. 0, or -ESRCH (gone already), -ENOMEM.
 */
int usym_cache__remember(struct usym_cache *c, int pid);
/* Forget cached maps of a pid (after it exec()s or exits). */
void usym_cache__forget_pid(struct usym_cache *c, int pid);
/* 0, or -ENOENT (no symbol; module may still be set), -ESRCH (process gone). */
int usym_cache__resolve(struct usym_cache *c, int pid, uint64_t ip, struct usym *out);

/*
 * One source frame at an address: the function, and its file and line where the binary
 * says (Go: .gopclntab; others: DWARF line tables and inlined subroutines, when present).
 * The strings live as long as the cache.
 */
struct usym_frame {
	const char *func;
	const char *file; /* NULL: unknown */
	uint32_t line;	  /* 0: unknown */
};
/*
 * The source frames at ip in pid, inlined calls expanded: frames[0] is the innermost inlined
 * function (with the file:line of ip), each next one its caller (with the file:line of the
 * call), the last one the function that holds ip, named as usym_cache__resolve() names it.
 * Up to max frames (the outermost kept when cut). *sym as usym_cache__resolve() gives it.
 * A file's tables are read on its first call (Go: .gopclntab, stripped too; else DWARF);
 * without them, one frame with no file:line. The number of frames (>= 1), -EINVAL (max < 1),
 * or usym_cache__resolve()'s errors. ip is looked up as given: a caller passes a return
 * address minus one.
 */
int usym_cache__frames(struct usym_cache *c, int pid, uint64_t ip, struct usym_frame *frames,
		       int max, struct usym *sym);

#endif
