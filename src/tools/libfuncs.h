/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan of the tools that probe named functions of one library (gethostlatency's libc
 * resolver, memleak's allocator): each LIB:NAME resolved as the function tools resolve it
 * (core/funcplan.h), in the -p process's own maps first.
 */
#ifndef TK_LIBFUNCS_H
#define TK_LIBFUNCS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/funcplan.h"

/*
 * Resolve lib:names[i] for each of the n names into p (multi set from the kernel's
 * features): idx[i] is the plan's index of names[i], or -1 when the library lacks it (said
 * under verbose); the first name must be there, or the library is taken as missing. With pid > 0 and lib a library name (no '/'), the process must map it: a
 * static binary has no libc to probe. 0, or a negative errno after a one-line error.
 */
int libfuncs_plan(struct func_plan *p, const char *lib, const char *const *names, size_t n, int pid,
		  int *idx, bool verbose);

#endif
