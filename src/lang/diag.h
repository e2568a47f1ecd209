/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics in bpftrace's form: `FILE:LINE:COL-END: ERROR: message`, then the source line
 * and a `~~~` underline below the offending token ("stdin" for -e programs).
 */
#ifndef TK_LANG_DIAG_H
#define TK_LANG_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/ast.h"

/*
 * A file an import brought in (lang/import.c): its locations are numbered from line_base + 1,
 * past the main file's, so that a struct loc says which file it is in.
 */
struct diag_file {
	const char *file, *src;
	int line_base;
};

struct diag {
	const char *file;
	const char *src;
	const struct diag_file *files; /* imported files, line_base ascending (or NULL) */
	int nfiles;
	int nerrors;
	FILE *out; /* stderr; the fuzzer sets a sink */
	bool no_warnings; /* --no-warnings: diag_warn() says nothing */
	/* diag_hold(): what was said until diag_release() */
	char *held;
	size_t held_len;
	FILE *real_out;
};

void diag_init(struct diag *d, const char *file, const char *src);
/* The file loc is in (its name; *src its text), loc made a line of that file. */
const char *diag_where(const struct diag *d, struct loc *loc, const char **src);
/* The source line of loc and its underline, as a diagnostic shows them (malloc'd). */
char *diag_excerpt(const struct diag *d, struct loc loc);
void diag_error(struct diag *d, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warn(struct diag *d, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * bpftrace 0.26 prints a successful compile's warnings on stdout, a failed one's diagnostics
 * on stderr: diag_hold() keeps what is said from then on, and diag_release() writes it where
 * it belongs (stdout without errors, else stderr) and says the rest directly again.
 */
int diag_hold(struct diag *d);
void diag_release(struct diag *d);
/* A "HINT: message" line after a warning; nothing under --no-warnings either. */
void diag_hint(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Errors without a location (probe resolution, attach): "ERROR: message". */
void diag_plain(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
