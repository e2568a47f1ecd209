/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The language's syntax tree: one node type for everything (ply-style). Operators and
 * statements are nodes with a kind and, where needed, an operator token; children hang off
 * a/b/c and lists off args (linked through next).
 */
#ifndef TK_LANG_AST_H
#define TK_LANG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loc {
	int line; /* 1-based */
	int col;  /* 1-based, first character */
	int end;  /* 1-based, one past the last character (bpftrace's "col-end") */
};

enum node_kind {
	N_PROGRAM,  /* args: probes, a: N_COMPAT list (dialect-only syntax errors) or NULL,
		     * b: top-level declarations in source order (N_CDEFS, ...) */
	N_PROBE,    /* args: attach points (N_ATTACH), a: predicate or NULL, b: block */
	N_ATTACH,   /* name: attach point text as written (quotes removed) */
	N_BLOCK,    /* args: statements; num = 1: the last one, an expression or an if without
		     * ';', is the value of the block used as an expression ({ a; b }, 0.24) */
	N_NUM,	    /* num */
	N_STR,	    /* name: bytes (escapes resolved), num: length without NUL */
	N_IDENT,    /* name: builtin (pid, comm, arg0, ...) or bare word */
	N_CALL,	    /* name(args) */
	N_MAP,	    /* @name[args]; name includes '@' */
	N_VAR,	    /* $name; name includes '$' */
	N_POSPARAM, /* $1..: num; $#: num = -1 */
	N_BINOP,    /* a op b */
	N_UNOP,	    /* op a */
	N_TERNARY,  /* a ? b : c */
	N_FIELD,    /* a.name or a->name (op = TOK_ARROW) */
	N_INDEX,    /* a[b] on a non-map */
	N_CAST,	    /* (name) a; num = pointer depth */
	N_SIZEOF,   /* sizeof(a) or sizeof(name) */
	N_TUPLE,    /* (args...) */
	N_ASSIGN,   /* a = b, or a op= b (op = compound operator token, 0 for '=') */
	N_INCDEC,   /* op = TOK_INC/TOK_DEC; num = 1 if postfix */
	N_EXPRSTMT, /* a; num = 1 for a discard `_ = a` */
	N_IF,	    /* if (a) b else c; also an expression (0.24): b and c are valued N_BLOCKs */
	N_WHILE,    /* while (a) b; num: the column after the head "while (a)" (0: other line) */
	N_UNROLL,   /* unroll (num) b */
	N_RETURN,
	N_BREAK,
	N_CONTINUE,
	N_LET,	  /* let a (N_VAR) [: c (N_CAST of a placeholder 0, the type)] [= b] */
	N_FOR,	  /* for (a (N_VAR) : c) b; c is N_RANGE or N_MAP */
	N_RANGE,  /* a..b */
	N_COMPAT, /* name: an error that only one dialect reports (num: enum lang_dialect) */
	N_RECORD, /* (name = a, ...): args are N_ASSIGN with a = N_IDENT (field name), b = value */
	N_CDEFS,  /* a top-level C struct/union/enum definition: name = its text as written */
	N_CONFIG, /* config = { ... }: args are N_ASSIGN with a = N_IDENT (the key as written),
		   * b = N_NUM, N_STR or N_IDENT (a bare word, true, false) */
	N_MACRO,  /* macro name(args) b: args are N_VAR, N_MAP or N_IDENT parameters, b N_BLOCK */
	N_IMPORT, /* import "name"; (a top-level declaration until lang/macro.c merges it) */
};

struct node {
	enum node_kind kind;
	int op;
	char *name;
	int64_t num;
	struct node *a, *b, *c;
	struct node *args;
	struct node *next;
	struct loc loc;

	/* Filled by semantic analysis. */
	int sym;   /* variable/map index, builtin id, ... (meaning depends on kind) */
	void *ext; /* per-kind data owned by sema (e.g. printf format descriptor) */
};

struct node *node_new(enum node_kind kind, struct loc loc);
/* A deep copy of n and its children (not n->next, not the semantic info). */
struct node *node_clone(const struct node *n);
void node_free(struct node *n);
size_t node_count(const struct node *list);
void node_append(struct node **list, struct node *n);

#endif
