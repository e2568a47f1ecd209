/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_GOARGS_H
#define TK_LANG_GOARGS_H

#include <stdint.h>

struct attach_point;

/* pt_regs offset of a bpftrace register name ("ax", "r8"), or -1. */
int reg_offset(const char *name);
/* Fill ap->params from the DWARF of the function at link-time address addr. */
int go_params_load(struct attach_point *ap, const char *path, uint64_t addr);
/* -lv: "    TYPE NAME" per parameter. */
int go_params_print(const char *path, uint64_t addr);

#endif
