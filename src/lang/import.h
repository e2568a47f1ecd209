/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root imports (bpftrace 0.24, stable in 0.26): `import "helpers.bt";` merges that file's
 * probes, macros, map declarations and C definitions into the program; a directory imports
 * all its .bt files. .h and .bpf.c imports are refused (not supported yet).
 */
#ifndef TK_LANG_IMPORT_H
#define TK_LANG_IMPORT_H

#include <stddef.h>

#include "lang/compile.h"
#include "lang/diag.h"

/* What the imports read: the files' texts, which the diagnostics show until the end. */
struct lang_imports {
	struct diag_file *files;
	int nfiles;
	char **seen; /* real paths imported (and the script's own): each file once */
	size_t nseen;
	char *root_dir; /* the script's directory ("" for -e: the current one) */
};

/*
 * Right after parsing c->prog, from the script at path script (NULL for -e): reads what it
 * imports, merges it (imported probes first) and points c->diag at the files for their
 * diagnostics. 0, or negative errno after a diagnostic.
 */
int lang_imports(struct compiler *c, const char *script, struct lang_imports *im);
void lang_imports_free(struct lang_imports *im);

#endif
