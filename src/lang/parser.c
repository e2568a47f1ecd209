// SPDX-License-Identifier: GPL-2.0
/*
 * Recursive-descent parser. On the first syntax error it reports (bison-like wording) and
 * gives up: one precise message beats a cascade.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lexer.h"
#include "lang/parser.h"

struct parser {
	struct lexer lx;
	struct diag *diag;
	struct token tok; /* current token */
	int failed;
	int in_pred;
	int depth;
	struct loc last; /* the token consumed last: calls and maps extend their loc to it */
	bool new_top;	 /* in a top-level item of 0.26's (parse_error()) */
	/* Where the top level is: config and imports, then C definitions, then the rest. */
	enum { TOP_PREAMBLE, TOP_C_DEFS, TOP_MAIN } stage;
	bool seen_config;
};

struct node *node_new(enum node_kind kind, struct loc loc)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->kind = kind;
	n->loc = loc;
	n->sym = -1;
	return n;
}

void node_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		node_free(n->a);
		node_free(n->b);
		node_free(n->c);
		node_free(n->args);
		free(n->name);
		free(n->ext);
		free(n);
		n = next;
	}
}

size_t node_count(const struct node *list)
{
	size_t n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

void node_append(struct node **list, struct node *n)
{
	while (*list)
		list = &(*list)->next;
	*list = n;
}

struct node *node_clone(const struct node *n)
{
	struct node *c;

	if (!n)
		return NULL;
	c = node_new(n->kind, n->loc);
	c->op = n->op;
	c->num = n->num;
	if (n->name) {
		c->name = strdup(n->name);
		if (!c->name)
			abort();
	}
	c->a = node_clone(n->a);
	c->b = node_clone(n->b);
	c->c = node_clone(n->c);
	for (const struct node *k = n->args; k; k = k->next)
		node_append(&c->args, node_clone(k));
	return c;
}

static void next(struct parser *p)
{
	p->last = p->tok.loc;
	free(p->tok.text);
	lexer_next(&p->lx, &p->tok);
	if (p->tok.kind == TOK_ERROR)
		p->failed = 1;
}

/*
 * What a syntax error calls the current token ("call", "integer", "variable", "=", ...), in
 * buf: tok_name()'s one-character names share one buffer with the expected token's.
 */
static const char *unexpected_name(struct parser *p, char *buf, size_t len)
{
	if (p->tok.kind == TOK_IDENT && lexer_peek(&p->lx)->kind == '(')
		snprintf(buf, len, "call");
	else
		snprintf(buf, len, "%s", tok_name(p->tok.kind));
	return buf;
}

/*
 * A syntax error at l. Inside a top-level item 0.17 did not know (p->new_top), 0.17 had its
 * own error at the item's start (old_top_error()): this one is then 0.26's only, kept like
 * that one, and the parse ends with both (lang_parse()).
 */
static void __attribute__((format(printf, 3, 4)))
parse_error(struct parser *p, struct loc l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->new_top)
		lexer_compat(&p->lx, LANG_0_26, l, "%s", msg);
	else
		diag_error(p->diag, l, "%s", msg);
}

static void syntax_error(struct parser *p, const char *expecting)
{
	char u[64], e[64];

	if (p->failed)
		return;
	if (p->diag->nerrors) { /* the lexer already said what is wrong */
		p->failed = 1;
		return;
	}
	if (expecting)
		snprintf(e, sizeof(e), "%s", expecting);
	unexpected_name(p, u, sizeof(u));
	if (expecting)
		parse_error(p, p->tok.loc, "syntax error, unexpected %s, expecting %s", u, e);
	else
		parse_error(p, p->tok.loc, "syntax error, unexpected %s", u);
}

/* 0.26 syntax at the current token: 0.17's parser stopped here with this error. */
static void old_syntax_error(struct parser *p, const char *expecting)
{
	char u[64];

	unexpected_name(p, u, sizeof(u));
	if (expecting)
		lexer_compat(&p->lx, LANG_0_17, p->tok.loc,
			     "syntax error, unexpected %s, expecting %s", u, expecting);
	else
		lexer_compat(&p->lx, LANG_0_17, p->tok.loc, "syntax error, unexpected %s", u);
}

static int accept(struct parser *p, int kind)
{
	if (p->failed || p->tok.kind != kind)
		return 0;
	next(p);
	return 1;
}

static int expect(struct parser *p, int kind)
{
	if (accept(p, kind))
		return 1;
	syntax_error(p, tok_name(kind));
	return 0;
}

static struct loc span(struct loc a, struct loc b)
{
	struct loc l = a;

	if (b.line == a.line && b.end > l.end)
		l.end = b.end;
	return l;
}

static char *take_text(struct parser *p)
{
	char *s = p->tok.text;

	p->tok.text = NULL;
	return s;
}

static struct node *parse_expr(struct parser *p);
static struct node *parse_block_top(struct parser *p, int top);
#define parse_block(p) parse_block_top(p, 0)
static struct node *parse_unary(struct parser *p);
static struct node *parse_if(struct parser *p);

static const char *const type_names[] = {
	"int8",	 "int16", "int32", "int64",  "uint8",  "uint16", "uint32", "uint64",
	"int",	 "char",  "bool",  "uint",   "long",   "ulong",	 "short",  "ushort",
	"uchar", "void",  "buf_t", "size_t", "u8",     "u16",	 "u32",	   "u64",
	"s8",	 "s16",	  "s32",   "s64",    "string",
};

bool lang_is_type_name(const char *s)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(s, type_names[i]) == 0)
			return true;
	return false;
}

/* Comma-separated expressions up to `close`; the opening token is already consumed. */
static struct node *parse_list(struct parser *p, int close)
{
	struct node *list = NULL;

	if (accept(p, close))
		return NULL;
	for (;;) {
		struct node *e = parse_expr(p);

		if (!e)
			break;
		node_append(&list, e);
		if (accept(p, ','))
			continue;
		expect(p, close);
		break;
	}
	return list;
}

/* A type name at the current token into n->name ("u64", "struct foo"); false after an error. */
/*
 * `union X`, `enum X` where a type is written: the words are no keywords (they stay usable as
 * names elsewhere), so a type is the word followed by a name.
 */
static bool tag_word(struct parser *p)
{
	return p->tok.kind == TOK_IDENT &&
	       (!strcmp(p->tok.text, "union") || !strcmp(p->tok.text, "enum")) &&
	       lexer_peek(&p->lx)->kind == TOK_IDENT;
}

static bool parse_type_name(struct parser *p, struct node *n)
{
	if (p->tok.kind == TOK_STRUCT || tag_word(p)) {
		char *tag = p->tok.kind == TOK_STRUCT ? strdup("struct") : take_text(p);

		next(p);
		if (!tag)
			abort();
		if (p->tok.kind != TOK_IDENT) {
			free(tag);
			syntax_error(p, "identifier");
			return false;
		}
		if (asprintf(&n->name, "%s %s", tag, p->tok.text) < 0)
			abort();
		free(tag);
	} else {
		n->name = take_text(p);
	}
	next(p);
	if (p->tok.kind == '[') {
		/* an integer array type (0.19): "uint8[4]", or "uint8[]" sized by the operand */
		char *t = n->name;
		long long len = -1;

		next(p);
		if (p->tok.kind == TOK_NUM) {
			len = p->tok.num;
			next(p);
		}
		if (!expect(p, ']'))
			return false;
		if ((len < 0 ? asprintf(&n->name, "%s[]", t)
			     : asprintf(&n->name, "%s[%lld]", t, len)) < 0)
			abort();
		free(t);
	}
	return true;
}

/*
 * (NAME) before the start of an operand (`(pid_t)$x`, `(u32)arg0`): a cast to a typedef.
 * A parenthesised name is an expression only before an operator or the end of one.
 */
static bool typedef_cast_ahead(struct parser *p)
{
	struct lexer_mark m;
	struct token t = {0};
	bool cast = false;

	if (p->tok.kind != TOK_IDENT || p->lx.has_peek)
		return false;
	lexer_mark(&p->lx, &m);
	lexer_next(&p->lx, &t);
	if (t.kind == ')') {
		free(t.text);
		t.text = NULL;
		lexer_next(&p->lx, &t);
		cast = t.kind == TOK_VAR || t.kind == TOK_MAP || t.kind == TOK_NUM ||
		       t.kind == TOK_IDENT || t.kind == TOK_POSPARAM || t.kind == '(';
	}
	free(t.text);
	lexer_reset(&p->lx, &m);
	return cast;
}

/* The current token as a node named by its text (identifier, map, variable), consumed. */
static struct node *named_leaf(struct parser *p, enum node_kind kind)
{
	struct node *n = node_new(kind, p->tok.loc);

	n->name = take_text(p);
	next(p);
	return n;
}

/*
 * offsetof(struct T, a.b) or offsetof(expr, a.b) (0.18): a call whose first argument is the
 * type, held as sizeof(T) holds one (N_SIZEOF without operand), or the expression; the field
 * path follows as an expression (builtins/addr.c reads it).
 */
static struct node *parse_offsetof(struct parser *p)
{
	struct node *n = named_leaf(p, N_CALL);
	struct loc l = n->loc;

	next(p); /* ( */
	if (p->tok.kind == TOK_STRUCT || tag_word(p) ||
	    (p->tok.kind == TOK_IDENT && lang_is_type_name(p->tok.text))) {
		struct node *t = node_new(N_SIZEOF, p->tok.loc);

		old_syntax_error(p, NULL);
		n->args = t;
		if (!parse_type_name(p, t))
			return n;
		t->loc = span(t->loc, p->last);
		if (!expect(p, ','))
			return n;
		node_append(&n->args, parse_list(p, ')'));
	} else {
		n->args = parse_list(p, ')');
	}
	n->loc = span(l, p->last);
	return n;
}

/* (name = value, ...) after its '(' (at l): N_RECORD (ast.h), 0.24's named tuple. */
static struct node *parse_record(struct parser *p, struct loc l)
{
	struct node *r = node_new(N_RECORD, l);

	for (;;) {
		struct node *f;

		if (p->tok.kind != TOK_IDENT) {
			syntax_error(p, "identifier");
			return r;
		}
		f = node_new(N_ASSIGN, p->tok.loc);
		f->a = named_leaf(p, N_IDENT);
		node_append(&r->args, f);
		/* 0.17 read (name as a grouped expression and stopped at the '=' */
		old_syntax_error(p, ")");
		if (!expect(p, '='))
			return r;
		f->b = parse_expr(p);
		if (!f->b)
			return r;
		f->loc = span(f->loc, f->b->loc);
		if (!accept(p, ',') || p->tok.kind == ')')
			break;
	}
	r->loc = span(l, p->tok.loc);
	expect(p, ')');
	return r;
}

static struct node *parse_primary(struct parser *p)
{
	struct node *n = NULL;
	struct loc l = p->tok.loc;

	if (p->failed)
		return NULL;
	switch (p->tok.kind) {
	case TOK_NUM:
	case TOK_POSPARAM:
		n = node_new(p->tok.kind == TOK_NUM ? N_NUM : N_POSPARAM, l);
		n->num = p->tok.num;
		next(p);
		return n;
	case TOK_STR:
		n = node_new(N_STR, l);
		n->num = p->tok.len;
		n->name = take_text(p);
		next(p);
		return n;
	case TOK_IDENT:
		if (!strcmp(p->tok.text, "offsetof") && lexer_peek(&p->lx)->kind == '(')
			return parse_offsetof(p);
		n = named_leaf(p, N_IDENT);
		if (p->tok.kind == '(') {
			n->kind = N_CALL;
			next(p);
			n->args = parse_list(p, ')');
			n->loc = span(l, p->last);
		}
		return n;
	case TOK_MAP:
		n = named_leaf(p, N_MAP);
		if (p->tok.kind == '[') {
			struct loc open = p->tok.loc;

			next(p);
			n->args = parse_list(p, ']');
			n->loc = span(l, p->last);
			if (!n->args && !p->failed) {
				diag_error(p->diag, span(open, open), "syntax error, unexpected ]");
				p->failed = 1;
			}
		}
		return n;
	case TOK_VAR:
		return named_leaf(p, N_VAR);
	case '{':
		/* a block expression { stmts; value } (0.24) */
		old_syntax_error(p, NULL);
		return parse_block(p);
	case TOK_IF:
		old_syntax_error(p, NULL);
		return parse_if(p);
	case TOK_SIZEOF:
		n = node_new(N_SIZEOF, l);
		next(p);
		if (!expect(p, '('))
			return n;
		if (p->tok.kind == TOK_STRUCT || tag_word(p) ||
		    (p->tok.kind == TOK_IDENT && lang_is_type_name(p->tok.text))) {
			if (!parse_type_name(p, n))
				return n;
		} else {
			n->a = parse_expr(p);
		}
		expect(p, ')');
		return n;
	case '(': {
		const struct token *pk;

		next(p);
		pk = NULL;
		if (p->tok.kind == TOK_STRUCT || tag_word(p) || typedef_cast_ahead(p) ||
		    (p->tok.kind == TOK_IDENT && lang_is_type_name(p->tok.text) &&
		     ((pk = lexer_peek(&p->lx))->kind == ')' || pk->kind == '*' ||
		      pk->kind == '['))) {
			/* a cast: (type[ *...]) expr */
			n = node_new(N_CAST, l);
			if (!parse_type_name(p, n))
				return n;
			while (accept(p, '*'))
				n->num++;
			expect(p, ')');
			n->a = parse_unary(p);
			if (n->a)
				n->loc = span(l, n->a->loc);
			return n;
		}
		if (p->tok.kind == TOK_IDENT && lexer_peek(&p->lx)->kind == '=')
			return parse_record(p, l);
		if (p->tok.kind == ')') {
			/* (): 0.22's empty tuple; 0.17 stopped at the ')' */
			lexer_compat(&p->lx, LANG_0_17, p->tok.loc, "syntax error, unexpected )");
			n = node_new(N_TUPLE, span(l, p->tok.loc));
			next(p);
			return n;
		}
		n = parse_expr(p);
		if (p->tok.kind == ',') {
			struct node *t = node_new(N_TUPLE, l);

			t->args = n;
			next(p);
			node_append(&t->args, parse_list(p, ')'));
			return t;
		}
		expect(p, ')');
		return n;
	}
	default:
		syntax_error(p, NULL);
		return NULL;
	}
}

static struct node *parse_postfix(struct parser *p)
{
	struct node *n = parse_primary(p);

	while (n && !p->failed) {
		struct loc l = p->tok.loc;

		if (p->tok.kind == '.' && lexer_peek(&p->lx)->kind == '.')
			break; /* a range, start..end */
		if (p->tok.kind == '.' || p->tok.kind == TOK_ARROW) {
			struct node *f = node_new(N_FIELD, span(n->loc, l));

			f->op = p->tok.kind;
			next(p);
			if (p->tok.kind == TOK_IDENT || p->tok.kind == TOK_NUM) {
				if (p->tok.kind == TOK_NUM) {
					char buf[32];

					snprintf(buf, sizeof(buf), "%lld", (long long)p->tok.num);
					f->name = strdup(buf);
				} else {
					f->name = take_text(p);
				}
				f->loc = span(n->loc, p->tok.loc);
				next(p);
			} else {
				syntax_error(p, "identifier");
			}
			f->a = n;
			n = f;
		} else if (p->tok.kind == '[' && n->kind != N_MAP) {
			struct node *ix = node_new(N_INDEX, n->loc);

			next(p);
			ix->a = n;
			ix->b = parse_expr(p);
			ix->loc = span(n->loc, p->tok.loc);
			expect(p, ']');
			n = ix;
		} else if (p->tok.kind == TOK_INC || p->tok.kind == TOK_DEC) {
			struct node *u = node_new(N_INCDEC, span(n->loc, l));

			u->op = p->tok.kind;
			u->num = 1;
			u->a = n;
			next(p);
			n = u;
		} else {
			break;
		}
	}
	return n;
}

static struct node *parse_unary(struct parser *p)
{
	struct loc l = p->tok.loc;
	int op = p->tok.kind;
	bool incdec = op == TOK_INC || op == TOK_DEC;

	if (p->failed)
		return NULL;
	if (++p->depth > 200) {
		diag_error(p->diag, l, "expression nested too deeply");
		p->failed = 1;
		return NULL;
	}
	if (incdec || op == '!' || op == '~' || op == '-' || op == '*' || op == '&' || op == '+') {
		struct node *n = node_new(incdec ? N_INCDEC : N_UNOP, l);

		next(p);
		n->op = op;
		n->a = parse_unary(p);
		if (n->a)
			n->loc = span(l, n->a->loc);
		p->depth--;
		return n;
	}
	p->depth--;
	return parse_postfix(p);
}

/* Binary precedence levels, lowest first. */
static int binop_prec(int tok)
{
	switch (tok) {
	case TOK_LOR:
		return 1;
	case TOK_LAND:
		return 2;
	case '|':
		return 3;
	case '^':
		return 4;
	case '&':
		return 5;
	case TOK_EQ:
	case TOK_NE:
		return 6;
	case '<':
	case '>':
	case TOK_LE:
	case TOK_GE:
		return 7;
	case TOK_SHL:
	case TOK_SHR:
		return 8;
	case '+':
	case '-':
		return 9;
	case '*':
	case '/':
	case '%':
		return 10;
	}
	return 0;
}

static struct node *parse_binary(struct parser *p, int min_prec)
{
	struct node *lhs = parse_unary(p);

	while (lhs && !p->failed) {
		int op = p->tok.kind, prec = binop_prec(op);
		struct node *n;

		if (!prec || prec < min_prec)
			break;
		/* "/ {" closes a predicate: not a division */
		if (op == '/' && p->in_pred && lexer_peek(&p->lx)->kind == '{')
			break;
		n = node_new(N_BINOP, p->tok.loc);
		n->op = op;
		/* the operator's own location, for warnings that point at it */
		n->num = (int64_t)p->tok.loc.line << 40 | (int64_t)p->tok.loc.col << 20 |
			 p->tok.loc.end;
		next(p);
		n->a = lhs;
		n->b = parse_binary(p, prec + 1);
		if (!n->b) {
			node_free(n);
			return NULL;
		}
		n->loc = span(lhs->loc, n->b->loc);
		lhs = n;
	}
	return lhs;
}

static struct node *parse_ternary(struct parser *p)
{
	struct node *c = parse_binary(p, 1), *n;

	if (!c || p->tok.kind != '?')
		return c;
	n = node_new(N_TERNARY, c->loc);
	next(p);
	n->a = c;
	if (p->tok.kind == ':') {
		/* elvis, a ?: b: a ? a : b, a evaluated again when true (as bpftrace does) */
		old_syntax_error(p, NULL);
		n->b = node_clone(c);
		next(p);
		n->c = parse_ternary(p);
		if (n->c)
			n->loc = span(c->loc, n->c->loc);
		return n;
	}
	n->b = parse_ternary(p);
	expect(p, ':');
	n->c = parse_ternary(p);
	if (n->c)
		n->loc = span(c->loc, n->c->loc);
	return n;
}

static struct node *parse_expr(struct parser *p)
{
	struct node *n;

	if (++p->depth > 200) {
		if (!p->failed)
			diag_error(p->diag, p->tok.loc, "expression nested too deeply");
		p->failed = 1;
		return NULL;
	}
	n = parse_ternary(p);
	p->depth--;
	return n;
}

static int assign_op(int tok)
{
	switch (tok) {
	case TOK_ADD_ASSIGN:
		return '+';
	case TOK_SUB_ASSIGN:
		return '-';
	case TOK_MUL_ASSIGN:
		return '*';
	case TOK_DIV_ASSIGN:
		return '/';
	case TOK_MOD_ASSIGN:
		return '%';
	case TOK_AND_ASSIGN:
		return '&';
	case TOK_OR_ASSIGN:
		return '|';
	case TOK_XOR_ASSIGN:
		return '^';
	case TOK_SHL_ASSIGN:
		return TOK_SHL;
	case TOK_SHR_ASSIGN:
		return TOK_SHR;
	}
	return 0;
}

/*
 * "KEYWORD ( expr )" or, since 0.24, "KEYWORD unary-expr": the head of if, while and
 * unroll; the node, its condition in n->a.
 */
static struct node *parse_cond(struct parser *p, enum node_kind kind)
{
	struct node *n = node_new(kind, p->tok.loc);

	next(p);
	if (p->tok.kind != '(') {
		old_syntax_error(p, "(");
		n->a = parse_unary(p);
		return n;
	}
	next(p);
	n->a = parse_expr(p);
	expect(p, ')');
	return n;
}

/* let $x [: TYPE] [= expr]; the current token is "let", the next a variable. */
static struct node *parse_let(struct parser *p)
{
	struct node *n = node_new(N_LET, p->tok.loc);

	next(p);
	old_syntax_error(p, "}");
	n->a = named_leaf(p, N_VAR);
	if (accept(p, ':')) {
		struct node *t = node_new(N_CAST, p->tok.loc);

		n->c = t;
		if (p->tok.kind != TOK_IDENT && p->tok.kind != TOK_STRUCT) {
			syntax_error(p, "type");
			return n;
		}
		if (!parse_type_name(p, t))
			return n;
		while (accept(p, '*'))
			t->num++;
		t->loc = span(t->loc, p->last);
		t->a = node_new(N_NUM, t->loc); /* typed by sema as the cast (TYPE)0 */
	}
	if (accept(p, '='))
		n->b = parse_expr(p);
	n->loc = span(n->loc, p->last);
	return n;
}

/* for ($v : START..END) BLOCK or for ($kv : @map) BLOCK; the parentheses are optional. */
static struct node *parse_for(struct parser *p)
{
	struct node *n = node_new(N_FOR, p->tok.loc);
	int paren;

	old_syntax_error(p, "}");
	next(p);
	paren = accept(p, '(');
	if (p->tok.kind != TOK_VAR) {
		syntax_error(p, "variable");
		return n;
	}
	n->a = named_leaf(p, N_VAR);
	if (!expect(p, ':'))
		return n;
	if (p->tok.kind == TOK_MAP && lexer_peek(&p->lx)->kind != '[' &&
	    lexer_peek(&p->lx)->kind != '.') {
		n->c = named_leaf(p, N_MAP);
	} else {
		struct node *r = node_new(N_RANGE, p->tok.loc);

		n->c = r;
		r->a = parse_unary(p);
		if (!r->a || !expect(p, '.') || !expect(p, '.'))
			return n;
		r->b = parse_unary(p);
		if (r->b)
			r->loc = span(r->loc, r->b->loc);
	}
	if (paren)
		expect(p, ')');
	n->b = parse_block(p);
	return n;
}

/* if COND BLOCK [else (BLOCK | if ...)]: a statement, or since 0.24 also an expression. */
static struct node *parse_if(struct parser *p)
{
	struct node *n = parse_cond(p, N_IF);

	n->b = parse_block(p);
	if (accept(p, TOK_ELSE)) {
		if (p->tok.kind == TOK_IF) {
			struct node *blk = node_new(N_BLOCK, p->tok.loc);

			blk->args = parse_if(p);
			blk->num = 1; /* its value is the inner if's */
			n->c = blk;
		} else {
			n->c = parse_block(p);
		}
	}
	n->loc = span(n->loc, p->last);
	return n;
}

static struct node *parse_stmt(struct parser *p)
{
	struct loc l = p->tok.loc;
	struct node *n, *e;

	switch (p->tok.kind) {
	case TOK_IF:
		return parse_if(p);
	case TOK_WHILE:
		n = parse_cond(p, N_WHILE);
		if (p->last.line == l.line)
			n->num = p->last.end; /* the head's end, for its deprecation warning */
		n->b = parse_block(p);
		return n;
	case TOK_UNROLL:
		n = parse_cond(p, N_UNROLL);
		n->loc = span(l, p->last);
		n->b = parse_block(p);
		return n;
	case TOK_FOR:
		return parse_for(p);
	case TOK_IDENT:
		if (!strcmp(p->tok.text, "let") && lexer_peek(&p->lx)->kind == TOK_VAR)
			return parse_let(p);
		if (!strcmp(p->tok.text, "_") && lexer_peek(&p->lx)->kind == '=') {
			/* a discard, `_ = expr;`: the value is dropped on purpose */
			next(p);
			old_syntax_error(p, "}");
			next(p);
			e = parse_expr(p);
			if (!e)
				return NULL;
			n = node_new(N_EXPRSTMT, e->loc);
			n->a = e;
			n->num = 1;
			return n;
		}
		break;
	case TOK_RETURN:
		next(p);
		return node_new(N_RETURN, l);
	case TOK_BREAK:
		next(p);
		return node_new(N_BREAK, l);
	case TOK_CONTINUE:
		next(p);
		return node_new(N_CONTINUE, l);
	}
	e = parse_expr(p);
	if (!e)
		return NULL;
	if (p->tok.kind == '=' || assign_op(p->tok.kind)) {
		n = node_new(N_ASSIGN, p->tok.loc);
		n->op = assign_op(p->tok.kind);
		if (e->kind != N_MAP && e->kind != N_VAR) {
			diag_error(p->diag, p->tok.loc, "syntax error, unexpected %s, expecting }",
				   tok_name(p->tok.kind));
			p->failed = 1;
			node_free(e);
			node_free(n);
			return NULL;
		}
		next(p);
		n->a = e;
		n->b = parse_expr(p);
		return n;
	}
	n = node_new(N_EXPRSTMT, e->loc);
	n->a = e;
	return n;
}

static int stmt_is_compound(const struct node *n)
{
	/* a block expression `{ ... }` as a statement needs no ';' either */
	return n->kind == N_IF || n->kind == N_WHILE || n->kind == N_UNROLL || n->kind == N_FOR ||
	       (n->kind == N_EXPRSTMT && n->a->kind == N_BLOCK);
}

static struct node *parse_block_top(struct parser *p, int top)
{
	struct node *blk = node_new(N_BLOCK, p->tok.loc);

	if (!expect(p, '{'))
		return blk;
	while (!p->failed && p->tok.kind != '}') {
		struct node *s;

		if (p->tok.kind == TOK_EOF) {
			syntax_error(p, "}");
			break;
		}
		if (accept(p, ';'))
			continue;
		s = parse_stmt(p);
		if (!s)
			break;
		node_append(&blk->args, s);
		/* an expression or an if last and without ';' is the block's value (0.24) */
		blk->num = p->tok.kind == '}' &&
			   ((s->kind == N_EXPRSTMT && !s->num) || s->kind == N_IF);
		if (stmt_is_compound(s) || p->tok.kind == '}')
			continue;
		if (!accept(p, ';'))
			syntax_error(p, "}");
	}
	/* After a probe's block the next token is an attach point, read raw: do not lex it. */
	if (top) {
		if (!p->failed && p->tok.kind != '}')
			syntax_error(p, "}");
		p->tok.kind = TOK_EOF;
	} else {
		accept(p, '}');
	}
	return blk;
}

static struct node *parse_probe(struct parser *p)
{
	struct node *probe = node_new(N_PROBE, p->tok.loc);
	char *text;
	struct loc l;

	/* The current token was not lexed yet: attach points are read raw. */
	for (;;) {
		struct node *ap;

		if (lexer_attach_point(&p->lx, &text, &l) < 0) {
			if (!p->diag->nerrors) {
				next(p);
				syntax_error(p, NULL);
			}
			p->failed = 1;
			return probe;
		}
		ap = node_new(N_ATTACH, l);
		ap->name = text;
		node_append(&probe->args, ap);
		if (!probe->args->next)
			probe->loc = l;
		if (lexer_skip_space(&p->lx) != ',')
			break;
		next(p); /* the comma */
	}
	next(p);
	if (p->tok.kind == '/') {
		p->in_pred = 1;
		next(p);
		probe->a = parse_expr(p);
		p->in_pred = 0;
		expect(p, '/');
	}
	if (!p->failed && p->tok.kind != '{') {
		syntax_error(p, "{");
		return probe;
	}
	probe->b = parse_block_top(p, 1);
	return probe;
}

/*
 * A top-level item ends at its last token, which is consumed without reading the next one:
 * that may be an attach point, read raw. A ';' after it is optional.
 */
static void top_done(struct parser *p)
{
	p->last = p->tok.loc;
	free(p->tok.text);
	p->tok.text = NULL;
	p->tok.kind = TOK_EOF;
	if (lexer_accept_raw(&p->lx, ';'))
		p->last.end = p->lx.col;
}

/*
 * 0.17 read a top-level keyword as an attach point and stopped at the token after it: its
 * error, kept for that dialect (the raw position is restored for 0.26's parse).
 */
static void old_top_error(struct parser *p)
{
	struct lexer_mark m;
	int nerrors = p->diag->nerrors;

	lexer_mark(&p->lx, &m);
	next(p);
	next(p);
	if (p->diag->nerrors != nerrors)
		return; /* a lexical error: the same in both dialects */
	old_syntax_error(p, "{");
	free(p->tok.text);
	p->tok.text = NULL;
	lexer_reset(&p->lx, &m);
	p->failed = 0;
	p->new_top = true;
}

/* let @m = TYPE(N): N_LET, a = N_MAP, b = N_CALL of TYPE with one N_NUM. */
static struct node *parse_map_decl(struct parser *p)
{
	struct node *n = node_new(N_LET, p->tok.loc), *call, *num;

	next(p);
	n->a = named_leaf(p, N_MAP);
	if (!expect(p, '='))
		return n;
	if (p->tok.kind != TOK_IDENT) {
		syntax_error(p, "identifier");
		return n;
	}
	call = named_leaf(p, N_CALL);
	n->b = call;
	if (!expect(p, '('))
		return n;
	if (p->tok.kind != TOK_NUM) {
		parse_error(p, p->tok.loc,
			    "expected positive integer for map declaration max entries");
		return n;
	}
	num = node_new(N_NUM, p->tok.loc);
	num->num = p->tok.num;
	call->args = num;
	next(p);
	if (p->tok.kind != ')') {
		syntax_error(p, ")");
		return n;
	}
	call->loc = span(call->loc, p->tok.loc);
	n->loc = span(n->loc, p->tok.loc);
	top_done(p);
	return n;
}

/* config = { KEY = VALUE; ... }: N_CONFIG (ast.h); the values are checked by config.c. */
static struct node *parse_config(struct parser *p)
{
	struct node *n = node_new(N_CONFIG, p->tok.loc);

	next(p);
	if (!expect(p, '='))
		return n;
	if (p->tok.kind != '{') {
		syntax_error(p, "{");
		return n;
	}
	next(p);
	while (!p->failed && p->tok.kind != '}') {
		struct node *a, *v;

		if (accept(p, ';'))
			continue;
		if (p->tok.kind != TOK_IDENT) {
			syntax_error(p, p->tok.kind == TOK_EOF ? "}" : "identifier");
			return n;
		}
		a = node_new(N_ASSIGN, p->tok.loc);
		a->a = named_leaf(p, N_IDENT);
		node_append(&n->args, a);
		if (!expect(p, '='))
			return n;
		if (p->tok.kind == TOK_NUM) {
			v = node_new(N_NUM, p->tok.loc);
			v->num = p->tok.num;
			next(p);
		} else if (p->tok.kind == TOK_STR) {
			v = node_new(N_STR, p->tok.loc);
			v->num = p->tok.len;
			v->name = take_text(p);
			next(p);
		} else if (p->tok.kind == TOK_IDENT) {
			v = named_leaf(p, N_IDENT);
		} else {
			syntax_error(p, NULL);
			return n;
		}
		a->b = v;
		a->loc = span(a->loc, v->loc);
		if (p->tok.kind != '}' && !expect(p, ';'))
			return n;
	}
	if (!p->failed)
		top_done(p);
	return n;
}

/* Builtins that can never name a macro parameter (reference 2.1). */
static bool builtin_param(const char *s)
{
	static const char *const names[] = {"args",  "ctx", "kstack", "ustack",
					    "nsecs", "pid", "tid"};
	const char *d = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return true;
	if (!strncmp(s, "arg", 3))
		d = s + 3;
	else if (!strncmp(s, "sarg", 4))
		d = s + 4;
	return d && *d && strspn(d, "0123456789") == strlen(d);
}

/*
 * KEYWORD NAME: a node of kind named by the token after the keyword (which must be a
 * `want`, else the syntax error says `expecting`), spanning both; NAME consumed.
 */
static struct node *keyword_named(struct parser *p, enum node_kind kind, int want,
				  const char *expecting)
{
	struct node *n = node_new(kind, p->tok.loc);

	next(p);
	if (p->tok.kind != want) {
		syntax_error(p, expecting);
		return n;
	}
	n->name = take_text(p);
	n->loc = span(n->loc, p->tok.loc);
	next(p);
	return n;
}

/* macro NAME(PARAMS) BLOCK: N_MACRO (ast.h); lang/macro.c expands the calls. */
static struct node *parse_macro(struct parser *p)
{
	struct node *n = keyword_named(p, N_MACRO, TOK_IDENT, "identifier");

	if (!expect(p, '('))
		return n;
	while (!p->failed && p->tok.kind != ')') {
		if (p->tok.kind == TOK_IDENT && builtin_param(p->tok.text)) {
			parse_error(p, p->tok.loc, "builtin '%s' can't be used as a macro argument",
				    p->tok.text);
			return n;
		}
		if (p->tok.kind != TOK_VAR && p->tok.kind != TOK_MAP && p->tok.kind != TOK_IDENT) {
			syntax_error(p, "variable, map or identifier");
			return n;
		}
		node_append(&n->args, named_leaf(p, p->tok.kind == TOK_VAR   ? N_VAR
						    : p->tok.kind == TOK_MAP ? N_MAP
									     : N_IDENT));
		if (p->tok.kind != ')' && !expect(p, ','))
			return n;
	}
	if (!expect(p, ')'))
		return n;
	if (p->tok.kind != '{') {
		syntax_error(p, "{");
		return n;
	}
	n->b = parse_block_top(p, 1);
	return n;
}

/* import "FILE"; N_IMPORT (ast.h). */
static struct node *parse_import(struct parser *p)
{
	struct node *n = keyword_named(p, N_IMPORT, TOK_STR, "string");

	if (p->tok.kind != ';') {
		syntax_error(p, ";");
		return n;
	}
	top_done(p);
	return n;
}

/* "let" at the top level: a map declaration, or 0.26's error (0.17's is old_top_error()'s). */
static void parse_top_let(struct parser *p, struct node *prog, int after)
{
	struct loc l = p->tok.loc;

	if (after == '@') {
		node_append(&prog->b, parse_map_decl(p));
		return;
	}
	lexer_compat(
		&p->lx, LANG_0_26, l,
		"root-level let statements need to be map declarations, e.g. let @a = hash(2);");
	/* both dialects' errors are kept: skip the statement */
	free(p->tok.text);
	p->tok.text = NULL;
	p->tok.kind = TOK_EOF;
	lexer_skip_past(&p->lx, ';');
}

/* A C definition, kept as its text (N_CDEFS) for the pass that reads C types. */
static void parse_top_c_def(struct parser *p, struct node *prog, bool is_typedef)
{
	struct node *n;
	struct loc l;
	char *text;

	old_top_error(p);
	if (lexer_c_def(&p->lx, &text, &l)) {
		parse_error(p, l, "syntax error, unexpected end of file, expecting %s",
			    is_typedef ? ";" : "}");
		return;
	}
	n = node_new(N_CDEFS, l);
	n->name = text;
	node_append(&prog->b, n);
	if (p->stage == TOP_MAIN)
		lexer_compat(&p->lx, LANG_0_26, l,
			     "C definitions must appear before probes and functions");
	else
		p->stage = TOP_C_DEFS;
}

/* One top-level item at the current raw position: a keyword's item, or a probe. */
static void parse_top(struct parser *p, struct node *prog)
{
	char w[16];
	int after, n = lexer_word(&p->lx, w, sizeof(w), &after);
	const char *misplaced;
	struct node *item;
	struct loc l;

	p->new_top = false;
	if (n > 0 && n < (int)sizeof(w) &&
	    (!strcmp(w, "typedef") ||
	     ((!strcmp(w, "struct") || !strcmp(w, "union") || !strcmp(w, "enum")) &&
	      lexer_c_def_ahead(&p->lx)))) {
		/* before the attach-point test: an anonymous `enum { A = 1 };` has a `{` next */
		parse_top_c_def(p, prog, !strcmp(w, "typedef"));
		return;
	}
	/* a word followed by what follows a provider name is an attach point */
	if (!n || n >= (int)sizeof(w) || !after || strchr("{,:/", after))
		w[0] = 0;
	if (strcmp(w, "let") && strcmp(w, "macro") && strcmp(w, "config") && strcmp(w, "import")) {
		p->stage = TOP_MAIN;
		node_append(&prog->args, parse_probe(p));
		return;
	}
	old_top_error(p);
	next(p); /* the keyword */
	l = p->tok.loc;
	if (*w == 'l' || *w == 'm') {
		p->stage = TOP_MAIN;
		if (*w == 'l')
			parse_top_let(p, prog, after);
		else
			node_append(&prog->b, parse_macro(p));
		return;
	}
	/* config and imports come first, and one config block at most */
	if (*w == 'c') {
		item = parse_config(p);
		misplaced = p->stage != TOP_PREAMBLE
				    ? "config must appear before probes and functions"
			    : p->seen_config ? "duplicate config block"
					     : NULL;
		p->seen_config = true;
	} else {
		item = parse_import(p);
		misplaced = p->stage != TOP_PREAMBLE
				    ? "root imports must appear before probes and functions"
				    : NULL;
	}
	if (misplaced) {
		/* it parses, but counts for nothing */
		lexer_compat(&p->lx, LANG_0_26, l, "%s", misplaced);
		node_free(item);
		return;
	}
	node_append(&prog->b, item);
}

/*
 * "#include" and other preprocessor lines (skipped by the lexer) since the last item: C
 * definitions, so 0.26 wants them before the probes too.
 */
static void cpp_lines(struct parser *p)
{
	if (!p->lx.cpp_line.line)
		return;
	if (p->stage == TOP_MAIN)
		lexer_compat(&p->lx, LANG_0_26, p->lx.cpp_line,
			     "C definitions must appear before probes and functions");
	else
		p->stage = TOP_C_DEFS;
	p->lx.cpp_line = (struct loc){0};
}

/* A program may leave its probes to the files it imports (lang/import.c). */
static bool has_import(const struct node *decls)
{
	for (; decls; decls = decls->next)
		if (decls->kind == N_IMPORT)
			return true;
	return false;
}

static struct node *parse_program(const char *src, struct diag *diag, bool imported)
{
	struct parser p = {0};
	struct node *prog = node_new(N_PROGRAM, (struct loc){1, 1, 2});

	p.diag = diag;
	lexer_init(&p.lx, src, diag);
	for (;;) {
		int c = lexer_skip_space(&p.lx);

		cpp_lines(&p);
		if (!c || diag->nerrors)
			break;
		parse_top(&p, prog);
		if (p.failed)
			break;
	}
	free(p.tok.text);
	if (p.lx.has_peek)
		free(p.lx.peeked.text);
	prog->a = p.lx.compat;
	if (p.failed && !diag->nerrors && p.new_top) {
		/*
		 * A top-level item of 0.26's that is wrong: both dialects' errors are in
		 * prog->a, for sema to report its dialect's, on a program of nothing.
		 */
		struct node *probe = node_new(N_PROBE, prog->loc);

		probe->args = node_new(N_ATTACH, prog->loc);
		probe->args->name = strdup("BEGIN");
		if (!probe->args->name)
			abort();
		probe->b = node_new(N_BLOCK, prog->loc);
		node_free(prog->args);
		node_free(prog->b);
		prog->args = probe;
		prog->b = NULL;
		return prog;
	}
	if (p.failed || diag->nerrors) {
		if (!diag->nerrors)
			diag_error(diag, p.tok.loc, "syntax error");
		node_free(prog);
		return NULL;
	}
	if (!prog->args && !imported && !has_import(prog->b)) {
		diag_error(diag, (struct loc){1, 1, 2}, "no probes in program");
		node_free(prog);
		return NULL;
	}
	return prog;
}

struct node *lang_parse(const char *src, struct diag *diag)
{
	return parse_program(src, diag, false);
}

struct node *lang_parse_import(const char *src, struct diag *diag)
{
	return parse_program(src, diag, true);
}
