/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the program says in bpftrace 0.24's forms that the semantic passes do not know,
 * rewritten on the syntax tree before they run: macros (macro.c), block and if expressions
 * (expr_block.c).
 */
#ifndef TK_LANG_MACRO_H
#define TK_LANG_MACRO_H

#include "lang/compile.h"

/*
 * Every call of a `macro` of c->prog (its top-level N_MACROs) replaced by the macro's body
 * as a block expression, hygienically; an import is an error (not read yet). 0, or -EINVAL
 * after reporting.
 */
int lang_expand_macros(struct compiler *c);

/*
 * Block and if expressions lowered into hidden variables and scoped statements, in every
 * probe of c->prog. 0, or -EINVAL after reporting.
 */
int lang_lower_blocks(struct compiler *c);

#endif
