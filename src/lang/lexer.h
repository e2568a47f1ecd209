/* SPDX-License-Identifier: GPL-2.0 */
/* Tokens of the trace language, read on demand by the parser. */
#ifndef TK_LANG_LEXER_H
#define TK_LANG_LEXER_H

#include <stdint.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/dialect.h"

enum tok {
	TOK_EOF = 0,
	TOK_ERROR = 256, /* above every ASCII punctuation token */
	TOK_NUM,
	TOK_STR,
	TOK_IDENT,
	TOK_MAP,      /* @name or @ */
	TOK_VAR,      /* $name */
	TOK_POSPARAM, /* $1, $# */
	/* keywords */
	TOK_IF,
	TOK_ELSE,
	TOK_WHILE,
	TOK_UNROLL,
	TOK_RETURN,
	TOK_BREAK,
	TOK_CONTINUE,
	TOK_SIZEOF,
	TOK_FOR,
	TOK_STRUCT,
	/* multi-char operators */
	TOK_EQ,
	TOK_NE,
	TOK_LE,
	TOK_GE,
	TOK_LAND,
	TOK_LOR,
	TOK_SHL,
	TOK_SHR,
	TOK_INC,
	TOK_DEC,
	TOK_ARROW,
	TOK_ADD_ASSIGN,
	TOK_SUB_ASSIGN,
	TOK_MUL_ASSIGN,
	TOK_DIV_ASSIGN,
	TOK_MOD_ASSIGN,
	TOK_AND_ASSIGN,
	TOK_OR_ASSIGN,
	TOK_XOR_ASSIGN,
	TOK_SHL_ASSIGN,
	TOK_SHR_ASSIGN,
	/* single characters are their own ASCII value (>= 32 and < 128 are free below) */
};

struct token {
	int kind; /* enum tok, or an ASCII punctuation character */
	struct loc loc;
	int64_t num;
	char *text; /* identifiers, strings (escapes resolved), map/var names */
	int len;    /* string length */
};

struct lexer {
	const char *src;
	int pos, len;
	int line, col;
	struct diag *diag;
	struct token peeked;
	int has_peek;
	/*
	 * Syntax only one dialect refuses (0.26's new forms in 0.17, 0.26's stricter literals):
	 * the parser does not know the dialect, so the first such error of each is kept here
	 * (N_COMPAT nodes) and reported by semantic analysis.
	 */
	struct node *compat;
	/* The first "#..." line skipped since the parser cleared it (not a "#!" first line). */
	struct loc cpp_line;
};

void lexer_init(struct lexer *lx, const char *src, struct diag *diag);
/* Next token in expression context; caller frees tok->text. */
void lexer_next(struct lexer *lx, struct token *tok);
/* Look at the next token without consuming it (owned by the lexer). */
const struct token *lexer_peek(struct lexer *lx);
/* Skip spaces and comments; returns the next raw character (0 at end). */
int lexer_skip_space(struct lexer *lx);
/*
 * Read one attach point in raw mode: up to whitespace, ',' or '{' (outside quotes and
 * brackets). Quotes are removed. Returns 0 or -1 (nothing there). *out is malloc'd.
 */
int lexer_attach_point(struct lexer *lx, char **out, struct loc *loc);
const char *tok_name(int kind);

/* A raw position, to read ahead and come back (lexer_reset() drops a peeked token). */
struct lexer_mark {
	int pos, line, col;
};

void lexer_mark(struct lexer *lx, struct lexer_mark *m);
void lexer_reset(struct lexer *lx, const struct lexer_mark *m);
/*
 * The identifier at the current raw position (after lexer_skip_space()): its length, its
 * text in buf when it fits, and in *after the first non-blank character behind it (0 at the
 * end). Nothing is consumed; 0 when no identifier starts there.
 */
int lexer_word(struct lexer *lx, char *buf, int size, int *after);
/* Raw mode: consume c when it is the next character after blanks and comments. */
int lexer_accept_raw(struct lexer *lx, int c);
/* Raw mode: skip up to and including the next c (or to the end). */
void lexer_skip_past(struct lexer *lx, int c);
/*
 * "struct NAME {" ahead (the name and '{' before any ':', '/', ',' or ';'): a C definition,
 * not a probe written struct:... (bpftrace's rule).
 */
int lexer_c_def_ahead(struct lexer *lx);
/*
 * Raw mode: a C definition from the current position (struct/union/enum up to its balanced
 * closing brace, a typedef up to its ';'), the trailing ';' consumed and always in *text.
 * Returns 0, or -1 for unbalanced braces: *loc is then the end of the input.
 */
int lexer_c_def(struct lexer *lx, char **text, struct loc *loc);
/* Keep the first error that only dialect d reports (see struct lexer). */
void lexer_compat(struct lexer *lx, enum lang_dialect d, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
