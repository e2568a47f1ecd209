/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What DWARF tells a tracer about a function (libdw; Go's zlib-compressed .debug_* included):
 * where its prologue ends, its formal parameters (name, type, size, struct members one level
 * deep, location at entry, whether it is a result), and the offsets of goid and stack.hi in
 * Go's runtime.g. Plain structs only: no libdw type leaks out. Every walk is bounded, so a
 * hostile file gives an error, never a crash or an endless loop.
 */
#ifndef TK_DWARF_H
#define TK_DWARF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/srcline.h"

struct dwarf_file;

/* 0; -ENOENT no DWARF, -ENOEXEC not an ELF file, -errno from open(2), -ENOMEM. */
int dwarf_file__open(const char *path, struct dwarf_file **out);
void dwarf_file__close(struct dwarf_file *df);

/*
 * Address flagged prologue_end in the line table inside the function starting at (or
 * containing) func_addr. Go marks the instruction after its stack check; leaf/NOSPLIT
 * functions have none (-ENOENT): probe those at +0.
 */
int dwarf_file__prologue_end(struct dwarf_file *df, uint64_t func_addr, uint64_t *addr);

/*
 * The site of a source line: the lowest address the line table flags is_stmt for FILE:LINE
 * (and column COL, unless 0) over every CU. FILE is a path as the table has it or a tail of
 * one on a '/' ("main.go", "rpcserver/server.go"). -ENOENT no such file, -ENODATA the file
 * is there but the line has no code.
 */
int dwarf_file__line_addr(struct dwarf_file *df, const char *file, unsigned int line,
			  unsigned int col, uint64_t *addr);

/*
 * The source frames at addr: frames[0] the innermost inlined function (its line from the line
 * table), each next one the function it was inlined into (file:line of the call site,
 * DW_TAG_inlined_subroutine's DW_AT_call_file/line), the last the function holding addr.
 * Up to max, the outermost kept. Strings live as long as df. The number of frames (>= 1);
 * -ENOENT when DWARF has no function there.
 */
int dwarf_file__frames(struct dwarf_file *df, uint64_t addr, struct src_frame *frames, int max);

enum dwarf_loc_kind {
	DWARF_LOC_NONE,	       /* no location (optimized out, or a result) */
	DWARF_LOC_REG,	       /* in DWARF register reg */
	DWARF_LOC_CFA,	       /* in memory at CFA + off (CFA = SP at entry + 8 on x86-64) */
	DWARF_LOC_FBREG,       /* in memory at frame base + off (reported as CFA when the
				* frame base is the CFA, as with Go and gcc) */
	DWARF_LOC_BREG,	       /* in memory at register reg + off */
	DWARF_LOC_ADDR,	       /* in memory at the link-time address off */
	DWARF_LOC_UNSUPPORTED, /* an expression we do not evaluate */
};

/* One part of a value: Go splits structs and strings over several registers. */
struct dwarf_piece {
	enum dwarf_loc_kind kind;
	int reg;       /* DWARF register number (REG, BREG) */
	int64_t off;   /* CFA, FBREG, BREG offset; ADDR address */
	uint32_t size; /* bytes of the value in this piece; 0 = the whole value */
};

#define DWARF_MAX_PIECES 8

struct dwarf_loc {
	unsigned int npieces; /* 0: no location at entry */
	struct dwarf_piece pieces[DWARF_MAX_PIECES];
};

enum dwarf_type_kind {
	DWARF_TYPE_OTHER,
	DWARF_TYPE_INT,	 /* signed integer */
	DWARF_TYPE_UINT, /* unsigned integer, char */
	DWARF_TYPE_FLOAT,
	DWARF_TYPE_BOOL,
	DWARF_TYPE_PTR,
	DWARF_TYPE_STRUCT, /* struct, union, class */
	DWARF_TYPE_ARRAY,
};

struct dwarf_member {
	char *name;
	char *type;
	enum dwarf_type_kind kind;
	uint64_t offset;
	uint64_t size;
};

struct dwarf_param {
	char *name; /* "~r0" etc. for Go's unnamed results */
	char *type; /* "main.Args", "int *", "const char *" */
	enum dwarf_type_kind kind;
	uint64_t size;	       /* 0 when unknown */
	bool is_result;	       /* DW_AT_variable_parameter (Go's results) */
	struct dwarf_loc loc;  /* at the function's first instruction */
	unsigned int nmembers; /* struct members, one level deep */
	struct dwarf_member *members;
};

#define DWARF_MAX_PARAMS  64
#define DWARF_MAX_MEMBERS 64

struct dwarf_func {
	char *name;
	uint64_t low_pc, high_pc;
	uint64_t prologue_end; /* 0 when the line table marks none */
	bool frame_base_is_cfa;
	unsigned int nparams;
	struct dwarf_param *params;
};

/* The function containing func_addr, with its parameters. -ENOENT when DWARF has none. */
int dwarf_file__func(struct dwarf_file *df, uint64_t func_addr, struct dwarf_func *out);
void dwarf_func__free(struct dwarf_func *f);

/* Offsets into Go's runtime.g, from its DWARF type. -ENOENT when absent (stripped, not Go). */
struct dwarf_go_g {
	uint32_t goid;
	uint32_t stack_hi; /* g.stack.hi */
};
int dwarf_file__go_g_offsets(struct dwarf_file *df, struct dwarf_go_g *out);

/*
 * The types of a Go binary that have an Error method, each with its hash (abi.Type.Hash,
 * which an itab copies: how a tracer names an error's dynamic type without addresses) and
 * its name ("*errors.errorString"). From DWARF's types (their runtime descriptor) and
 * .symtab's runtime.types. *out is the caller's to free (also on error). -ENOENT: none.
 */
struct dwarf_go_type {
	uint32_t hash;
	char type[60];
};
int dwarf_file__go_error_types(struct dwarf_file *df, struct dwarf_go_type **out, size_t *n);

/* x86-64 DWARF register number -> bpftrace reg() name ("ax", "r8"); NULL when not in pt_regs. */
const char *dwarf_reg_name(int reg);

#endif
