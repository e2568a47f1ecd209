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
/* Keep the first error that only dialect d reports (see struct lexer). */
void lexer_compat(struct lexer *lx, enum lang_dialect d, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
