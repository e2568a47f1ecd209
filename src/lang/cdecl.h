/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The script's C definitions (`struct foo { int a; char *p; };` at the top of a program)
 * made into a BTF blob, laid out with x86-64's alignment and padding rules, that kbtf reads
 * like the kernel's: one reader of types for both (btftypes.h).
 */
#ifndef TK_LANG_CDECL_H
#define TK_LANG_CDECL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kbtf;

/* One N_CDEFS text and the script line it starts on. */
struct cdecl_src {
	const char *text;
	int line;
};

/*
 * Parse n texts into a BTF blob (*btf, *size; freed with cdecl_free()). Names the script
 * does not define are looked up in kernel (may be NULL). 0, or -EINVAL with a one-line
 * message in err and the script line of the error in *err_line.
 */
int cdecl_parse(const struct cdecl_src *src, size_t n, const struct kbtf *kernel, void **btf,
		size_t *size, char *err, size_t errlen, int *err_line);
void cdecl_free(void *btf);
/*
 * A C integer type as spelled ("int", "unsigned long", "s32", "pid_t"): its size and sign.
 * false for anything else (typedefs of the kernel, pointers, floats).
 */
bool cdecl_int_name(const char *spelling, uint32_t *size, bool *is_signed);

#endif
