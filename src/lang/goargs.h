/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TK_LANG_GOARGS_H
#define TK_LANG_GOARGS_H

#include <stdbool.h>
#include <stdint.h>

struct attach_point;
struct cg;
struct go_param;
struct lt_type;

/* An `error` prints as a string of this capacity (goargs.c, "Go's error values"). */
#define GO_ERROR_STRLEN 128

/* pt_regs offset of a bpftrace register name ("ax", "r8"), or -1. */
int reg_offset(const char *name);
/* Fill ap->params from the DWARF of the function at link-time address addr. */
int go_params_load(struct attach_point *ap, const char *path, uint64_t addr);
/* -lv: "    TYPE NAME" per parameter. */
int go_params_print(const char *path, uint64_t addr);

/* Is gp a Go `error` (an interface in two registers)? */
bool go_param_is_error(const struct go_param *gp);
/* The map of ap's binary's error types (by itab hash): its fd; -ENOENT when ap reads none. */
int go_error_map_create(const struct attach_point *ap);
/* heap[off..off+GO_ERROR_STRLEN) = gp as text: "T: message", "T", "<nil>". */
void go_emit_error(struct cg *g, const struct go_param *gp, uint32_t off, int map_fd);

/* A slice printed by name shows its first GO_SLICE_ELEMS elements. */
#define GO_SLICE_ELEMS 16
/* Is gp a slice of integers ([]int, []byte, []bool, ...)? Its elements' type into *elem. */
bool go_param_int_slice(const struct go_param *gp, struct lt_type *elem, uint32_t *elem_size);
/* heap[off] = gp's length, then its first GO_SLICE_ELEMS elements of elem_size bytes, each
 * widened to 8 (LT_ARRAY) */
void go_emit_slice(struct cg *g, const struct go_param *gp, uint32_t off,
		   const struct lt_type *elem, uint32_t elem_size);

#endif
