/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpftrace 0.26's config variables: the program's `config = { ... }` block, then
 * BPFTRACE_<KEY> in the environment, which wins (../shared/reference/bpftrace-0.26.md, 2.9).
 */
#ifndef TK_LANG_CONFIG_H
#define TK_LANG_CONFIG_H

#include "lang/compile.h"

/*
 * Check every key and value and fill c->opts (0.26 dialect only: 0.17 had neither the block
 * nor these variable names). 0, or -EINVAL after reporting.
 */
int lang_config_apply(struct compiler *c);

#endif
