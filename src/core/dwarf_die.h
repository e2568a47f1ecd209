/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside core/dwarf: DIE-level helpers shared by dwarf.c (files, functions, runtime.g) and
 * dwarf_die.c (types and location expressions). Uses libdw types, so only core/dwarf*.c
 * include it; the public API in dwarf.h stays free of them.
 */
#ifndef TK_DWARF_DIE_H
#define TK_DWARF_DIE_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dwarf.h"

#define DW_MAX_SIBLINGS	 (1u << 20) /* DIEs visited per child list */
#define DW_TYPE_NAME_MAX 256

/* The type a DIE refers to (DW_AT_type, through abstract origins); false for void. */
bool dw_die_type(Dwarf_Die *die, Dwarf_Die *type);
/* DW_AT_name, through abstract origins and specifications; NULL if none. */
const char *dw_die_name(Dwarf_Die *die);
/* Follow typedefs and qualifiers to the type that has a shape; false on a cycle or void. */
bool dw_type_peel(Dwarf_Die *type, Dwarf_Die *out);
enum dwarf_type_kind dw_type_kind(Dwarf_Die *type);
/* Byte size by a bounded walk; 0 when unknown. */
uint64_t dw_type_size(Dwarf_Die *type);
/* "main.Args", "const char *", "struct pair"; go: Go names carry no "struct " prefix. */
void dw_type_name(Dwarf_Die *type, bool go, char *buf, size_t len);
/* Location of a parameter at pc (its function's entry); npieces 0 when it has none. */
void dw_param_location(Dwarf_Die *param, uint64_t pc, struct dwarf_loc *loc);

#endif
