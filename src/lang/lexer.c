// SPDX-License-Identifier: GPL-2.0
/* Hand-written lexer: tokens carry exact locations for bpftrace-style diagnostics. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lexer.h"

void lexer_init(struct lexer *lx, const char *src, struct diag *diag)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = (int)strlen(src);
	lx->line = 1;
	lx->col = 1;
	lx->diag = diag;
}

static int cur(struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->src[lx->pos] : 0;
}

static int at(struct lexer *lx, int k)
{
	return lx->pos + k < lx->len ? (unsigned char)lx->src[lx->pos + k] : 0;
}

static void adv(struct lexer *lx)
{
	if (lx->pos >= lx->len)
		return;
	if (lx->src[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

int lexer_skip_space(struct lexer *lx)
{
	for (;;) {
		int c = cur(lx);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			adv(lx);
		} else if (c == '/' && at(lx, 1) == '/') {
			while (cur(lx) && cur(lx) != '\n')
				adv(lx);
		} else if (c == '/' && at(lx, 1) == '*') {
			struct loc l = {lx->line, lx->col, lx->col + 2};

			adv(lx);
			adv(lx);
			while (cur(lx) && !(cur(lx) == '*' && at(lx, 1) == '/'))
				adv(lx);
			if (!cur(lx)) {
				l.end = lx->col;
				diag_error(lx->diag, l, "end of file during comment");
				return 0;
			}
			adv(lx);
			adv(lx);
		} else if (c == '#' && lx->col == 1) {
			/* "#!" interpreter lines and "#include" lines (C headers are not used) */
			if (!lx->cpp_line.line && !(lx->line == 1 && at(lx, 1) == '!'))
				lx->cpp_line = (struct loc){lx->line, 1, 0};
			while (cur(lx) && cur(lx) != '\n')
				adv(lx);
			if (!lx->cpp_line.end)
				lx->cpp_line.end = lx->col;
		} else {
			return c;
		}
	}
}

static const struct {
	const char *s;
	int tok;
} keywords[] = {
	{"if", TOK_IF},
	{"else", TOK_ELSE},
	{"while", TOK_WHILE},
	{"unroll", TOK_UNROLL},
	{"return", TOK_RETURN},
	{"break", TOK_BREAK},
	{"continue", TOK_CONTINUE},
	{"sizeof", TOK_SIZEOF},
	{"for", TOK_FOR},
	{"struct", TOK_STRUCT},
};

static const struct {
	const char *s;
	int tok;
} ops[] = {
	{"<<=", TOK_SHL_ASSIGN}, {">>=", TOK_SHR_ASSIGN}, {"==", TOK_EQ},
	{"!=", TOK_NE},		 {"<=", TOK_LE},	  {">=", TOK_GE},
	{"&&", TOK_LAND},	 {"||", TOK_LOR},	  {"<<", TOK_SHL},
	{">>", TOK_SHR},	 {"++", TOK_INC},	  {"--", TOK_DEC},
	{"->", TOK_ARROW},	 {"+=", TOK_ADD_ASSIGN},  {"-=", TOK_SUB_ASSIGN},
	{"*=", TOK_MUL_ASSIGN},	 {"/=", TOK_DIV_ASSIGN},  {"%=", TOK_MOD_ASSIGN},
	{"&=", TOK_AND_ASSIGN},	 {"|=", TOK_OR_ASSIGN},	  {"^=", TOK_XOR_ASSIGN},
};

const char *tok_name(int kind)
{
	static char one[4];

	switch (kind) {
	case TOK_EOF:
		return "end of file";
	case TOK_NUM:
		return "integer";
	case TOK_STR:
		return "string";
	case TOK_IDENT:
		return "identifier";
	case TOK_MAP:
		return "map";
	case TOK_VAR:
		return "variable";
	case TOK_POSPARAM:
		return "positional parameter";
	}
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].tok == kind)
			return keywords[i].s;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].tok == kind)
			return ops[i].s;
	if (kind > 32 && kind < 127) {
		one[0] = (char)kind;
		one[1] = 0;
		return one;
	}
	return "token";
}

static int is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_';
}

static char *dup_range(struct lexer *lx, int start, int end)
{
	char *s = malloc(end - start + 1);

	if (!s)
		abort();
	memcpy(s, lx->src + start, end - start);
	s[end - start] = 0;
	return s;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The one-letter escapes: the letter after the backslash and the character it stands for. */
static const struct {
	char letter, value;
} escapes[] = {
	{'n', '\n'}, {'t', '\t'},   {'r', '\r'}, {'a', '\a'},   {'b', '\b'}, {'f', '\f'},
	{'v', '\v'}, {'e', 27},     {'\\', '\\'}, {'"', '"'}, {'\'', '\''},
};

/* c's character as a one-letter escape, -1 when it is not one. */
static int escape_value(int c)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++)
		if (escapes[i].letter == c)
			return escapes[i].value;
	return -1;
}

static void lex_string(struct lexer *lx, struct token *t)
{
	char *buf = malloc(lx->len + 1);
	int n = 0;

	if (!buf)
		abort();
	adv(lx); /* opening quote */
	for (;;) {
		int c = cur(lx), e;

		if (!c || c == '\n') {
			t->loc.end = lx->col;
			diag_error(lx->diag, t->loc, "unterminated string");
			t->kind = TOK_ERROR;
			free(buf);
			return;
		}
		if (c == '"') {
			adv(lx);
			break;
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			adv(lx);
			continue;
		}
		adv(lx);
		c = cur(lx);
		e = escape_value(c);
		if (e >= 0) {
			buf[n++] = (char)e;
			adv(lx);
			continue;
		}
		switch (c) {
		case 'x': {
			int v = 0, k = 0;

			adv(lx);
			while (k < 2 && hexval(cur(lx)) >= 0) {
				v = v * 16 + hexval(cur(lx));
				adv(lx);
				k++;
			}
			if (!k) {
				struct loc l = t->loc;

				l.end = lx->col;
				diag_error(lx->diag, l, "invalid escape character '\\x'");
			}
			buf[n++] = (char)v;
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int v = 0, k = 0;

				while (k < 3 && cur(lx) >= '0' && cur(lx) <= '7') {
					v = v * 8 + cur(lx) - '0';
					adv(lx);
					k++;
				}
				buf[n++] = (char)v;
			} else {
				struct loc l = t->loc;

				if (c)
					adv(lx);
				/* like bpftrace: underline the string up to the bad escape */
				while (cur(lx) && cur(lx) != '"' && cur(lx) != '\n')
					adv(lx);
				l.end = lx->col + (cur(lx) == '"');
				diag_error(lx->diag, l, "invalid escape character '\\%c'",
					   c ? c : ' ');
			}
		}
	}
	buf[n] = 0;
	t->kind = TOK_STR;
	t->text = buf;
	t->len = n;
	t->loc.end = lx->col;
}

/* Nanoseconds in one unit of a duration literal's suffix (1s, 100ms); 0 if s is none. */
static uint64_t duration_unit(const char *s, int n)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{"ns", 1ULL},
		{"us", 1000ULL},
		{"ms", 1000000ULL},
		{"s", 1000000000ULL},
		{"m", 60ULL * 1000000000ULL},
		{"h", 3600ULL * 1000000000ULL},
		{"d", 86400ULL * 1000000000ULL},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if ((int)strlen(units[i].unit) == n && !memcmp(s, units[i].unit, n))
			return units[i].ns;
	return 0;
}

/* C's integer suffixes (u, l, ul, ll, ull in either case): accepted and ignored. */
static bool int_suffix(const char *s, int n)
{
	int i = 0;

	if (i < n && (s[i] == 'u' || s[i] == 'U'))
		i++;
	if (i < n && (s[i] == 'l' || s[i] == 'L'))
		i++;
	if (i < n && s[i] == s[i - 1] && (s[i] == 'l' || s[i] == 'L'))
		i++;
	return i == n;
}

void lexer_compat(struct lexer *lx, enum lang_dialect d, struct loc loc, const char *fmt, ...)
{
	struct node *n;
	va_list ap;

	for (n = lx->compat; n; n = n->next)
		if (n->num == d)
			return;
	n = node_new(N_COMPAT, loc);
	n->num = d;
	va_start(ap, fmt);
	if (vasprintf(&n->name, fmt, ap) < 0)
		abort();
	va_end(ap);
	node_append(&lx->compat, n);
}

static void lex_number(struct lexer *lx, struct token *t)
{
	int start = lx->pos;
	uint64_t v = 0;
	int overflow = 0, hex = cur(lx) == '0' && (at(lx, 1) == 'x' || at(lx, 1) == 'X');

	if (hex) {
		adv(lx);
		adv(lx);
		while (hexval(cur(lx)) >= 0 || cur(lx) == '_') {
			if (cur(lx) != '_') {
				if (v >> 60)
					overflow = 1;
				v = v * 16 + hexval(cur(lx));
			}
			adv(lx);
		}
	} else {
		while (isdigit(cur(lx)) || cur(lx) == '_') {
			if (cur(lx) != '_') {
				uint64_t nv = v * 10 + (cur(lx) - '0');

				if (nv / 10 != v)
					overflow = 1;
				v = nv;
			}
			adv(lx);
		}
		/* 1e6: scientific notation for integers */
		if ((cur(lx) == 'e' || cur(lx) == 'E') && isdigit(at(lx, 1))) {
			int e = 0;

			adv(lx);
			while (isdigit(cur(lx))) {
				if (e <= 30)
					e = e * 10 + cur(lx) - '0';
				if (e > 30)
					overflow = 1;
				adv(lx);
			}
			while (e-- > 0 && !overflow) {
				if (v > UINT64_MAX / 10)
					overflow = 1;
				v *= 10;
			}
		}
	}
	t->loc.end = lx->col;
	if (is_ident(cur(lx))) {
		int sfx = lx->pos;
		uint64_t mul;

		while (is_ident(cur(lx)))
			adv(lx);
		t->loc.end = lx->col;
		mul = hex ? 0 : duration_unit(lx->src + sfx, lx->pos - sfx);
		if (mul) {
			if (v > UINT64_MAX / mul)
				overflow = 1;
			v *= mul;
		} else if (!int_suffix(lx->src + sfx, lx->pos - sfx)) {
			lexer_compat(lx, LANG_0_26, t->loc, "invalid integer suffix '%.*s'",
				     lx->pos - sfx, lx->src + sfx);
		}
		/* 0.17 knew no suffixes */
		lexer_compat(lx, LANG_0_17, t->loc, "invalid integer literal '%.*s'",
			     lx->pos - start, lx->src + start);
	}
	if (overflow) {
		diag_error(lx->diag, t->loc, "integer literal out of range");
		t->kind = TOK_ERROR;
		return;
	}
	t->kind = TOK_NUM;
	t->num = (int64_t)v;
}

static void lex_token(struct lexer *lx, struct token *t)
{
	int c, start;

	memset(t, 0, sizeof(*t));
	c = lexer_skip_space(lx);
	t->loc.line = lx->line;
	t->loc.col = lx->col;
	start = lx->pos;
	if (!c) {
		t->kind = TOK_EOF;
		t->loc.end = lx->col + 1;
		return;
	}
	if (c == '"') {
		lex_string(lx, t);
		return;
	}
	if (isdigit(c)) {
		lex_number(lx, t);
		return;
	}
	if (is_ident_start(c)) {
		while (is_ident(cur(lx)))
			adv(lx);
		t->text = dup_range(lx, start, lx->pos);
		t->loc.end = lx->col;
		t->kind = TOK_IDENT;
		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strcmp(keywords[i].s, t->text) == 0)
				t->kind = keywords[i].tok;
		return;
	}
	if (c == '@') {
		adv(lx);
		while (is_ident(cur(lx)))
			adv(lx);
		t->text = dup_range(lx, start, lx->pos);
		t->loc.end = lx->col;
		t->kind = TOK_MAP;
		return;
	}
	if (c == '$') {
		adv(lx);
		if (cur(lx) == '#') {
			adv(lx);
			t->kind = TOK_POSPARAM;
			t->num = -1;
		} else if (isdigit(cur(lx))) {
			int64_t v = 0;

			while (isdigit(cur(lx))) {
				if (v < 100000)
					v = v * 10 + cur(lx) - '0';
				adv(lx);
			}
			t->kind = TOK_POSPARAM;
			t->num = v;
		} else if (is_ident_start(cur(lx))) {
			while (is_ident(cur(lx)))
				adv(lx);
			t->kind = TOK_VAR;
		} else {
			t->loc.end = lx->col;
			diag_error(lx->diag, t->loc, "syntax error, unexpected $");
			t->kind = TOK_ERROR;
			return;
		}
		t->text = dup_range(lx, start, lx->pos);
		t->loc.end = lx->col;
		return;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].s);

		if ((int)(lx->pos + n) <= lx->len && memcmp(lx->src + lx->pos, ops[i].s, n) == 0) {
			for (size_t k = 0; k < n; k++)
				adv(lx);
			t->kind = ops[i].tok;
			t->loc.end = lx->col;
			return;
		}
	}
	adv(lx);
	t->loc.end = lx->col;
	if (strchr("+-*/%&|^!~<>=?:;,.()[]{}", c)) {
		t->kind = c;
		return;
	}
	if (c < 32 || c >= 127)
		diag_error(lx->diag, t->loc, "invalid character '\\x%02x'", c);
	else
		diag_error(lx->diag, t->loc, "invalid character '%c'", c);
	t->kind = TOK_ERROR;
}

void lexer_next(struct lexer *lx, struct token *tok)
{
	if (lx->has_peek) {
		*tok = lx->peeked;
		lx->has_peek = 0;
		return;
	}
	lex_token(lx, tok);
}

const struct token *lexer_peek(struct lexer *lx)
{
	if (!lx->has_peek) {
		lex_token(lx, &lx->peeked);
		lx->has_peek = 1;
	}
	return &lx->peeked;
}

int lexer_attach_point(struct lexer *lx, char **out, struct loc *loc)
{
	char *buf;
	int n = 0, depth = 0, c;

	if (lx->has_peek) /* the parser never peeks before an attach point */
		return -1;
	c = lexer_skip_space(lx);
	loc->line = lx->line;
	loc->col = lx->col;
	buf = malloc(lx->len + 1);
	if (!buf)
		abort();
	while ((c = cur(lx))) {
		if (c == '"') {
			adv(lx);
			while (cur(lx) && cur(lx) != '"' && cur(lx) != '\n') {
				buf[n++] = (char)cur(lx);
				adv(lx);
			}
			if (cur(lx) != '"') {
				loc->end = lx->col;
				diag_error(lx->diag, *loc, "unterminated string");
				free(buf);
				return -1;
			}
			adv(lx);
			continue;
		}
		if (isspace(c) || c == '{' || (c == ',' && depth == 0))
			break;
		if (c == '/' && (at(lx, 1) == '/' || at(lx, 1) == '*'))
			break;
		if (c == '[')
			depth++;
		else if (c == ']' && depth)
			depth--;
		buf[n++] = (char)c;
		adv(lx);
	}
	buf[n] = 0;
	loc->end = lx->col;
	if (!n) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

void lexer_mark(struct lexer *lx, struct lexer_mark *m)
{
	m->pos = lx->pos;
	m->line = lx->line;
	m->col = lx->col;
}

void lexer_reset(struct lexer *lx, const struct lexer_mark *m)
{
	if (lx->has_peek) {
		free(lx->peeked.text);
		lx->has_peek = 0;
	}
	lx->pos = m->pos;
	lx->line = m->line;
	lx->col = m->col;
}

/* Offset of the first non-blank character at or after offset i (spaces only). */
static int blank_end(struct lexer *lx, int i)
{
	while (i < lx->len && isspace((unsigned char)lx->src[i]))
		i++;
	return i;
}

int lexer_word(struct lexer *lx, char *buf, int size, int *after)
{
	int i = lx->pos, n;

	if (!is_ident_start(cur(lx)))
		return 0;
	while (i < lx->len && is_ident((unsigned char)lx->src[i]))
		i++;
	n = i - lx->pos;
	if (n < size) {
		memcpy(buf, lx->src + lx->pos, n);
		buf[n] = 0;
	} else if (size) {
		buf[0] = 0;
	}
	i = blank_end(lx, i);
	*after = i < lx->len ? (unsigned char)lx->src[i] : 0;
	return n;
}

int lexer_accept_raw(struct lexer *lx, int c)
{
	if (lexer_skip_space(lx) != c)
		return 0;
	adv(lx);
	return 1;
}

void lexer_skip_past(struct lexer *lx, int c)
{
	while (cur(lx) && cur(lx) != c)
		adv(lx);
	adv(lx);
}

int lexer_c_def_ahead(struct lexer *lx)
{
	for (int i = lx->pos; i < lx->len; i++) {
		char c = lx->src[i];

		if (c == '{')
			return 1;
		if (c == ':' || c == '/' || c == ',' || c == ';')
			return 0;
	}
	return 0;
}

/* Past a string, a character literal or a comment at the current position; 0 if none. */
static int skip_c_token(struct lexer *lx)
{
	int c = cur(lx);

	if (c == '"' || c == '\'') {
		adv(lx);
		while (cur(lx) && cur(lx) != c && cur(lx) != '\n') {
			if (cur(lx) == '\\')
				adv(lx);
			adv(lx);
		}
		adv(lx);
		return 1;
	}
	if (c == '/' && (at(lx, 1) == '/' || at(lx, 1) == '*')) {
		int block = at(lx, 1) == '*';

		adv(lx);
		adv(lx);
		while (cur(lx) && (block ? !(cur(lx) == '*' && at(lx, 1) == '/') : cur(lx) != '\n'))
			adv(lx);
		if (block && cur(lx)) {
			adv(lx);
			adv(lx);
		}
		return 1;
	}
	return 0;
}

/* Past balanced open/close (the current character is open); false at the end of input. */
static bool skip_balanced(struct lexer *lx, int open, int close)
{
	int depth = 0;

	while (cur(lx)) {
		int c = cur(lx);

		if (skip_c_token(lx))
			continue;
		adv(lx);
		if (c == open)
			depth++;
		else if (c == close && --depth == 0)
			return true;
	}
	return false;
}

int lexer_c_def(struct lexer *lx, char **text, struct loc *loc)
{
	int start = lx->pos, end, kwlen;
	bool typedef_ = !strncmp(lx->src + start, "typedef", 7);
	bool ok = true;
	char word[16];
	int after;

	loc->line = lx->line;
	loc->col = lx->col;
	kwlen = lexer_word(lx, word, sizeof(word), &after);
	if (typedef_) {
		/* typedef ... ;: braces of an inline struct inside are balanced too */
		while (ok && cur(lx) && cur(lx) != ';') {
			if (cur(lx) == '{')
				ok = skip_balanced(lx, '{', '}');
			else if (!skip_c_token(lx))
				adv(lx);
		}
		ok = ok && cur(lx) == ';';
	} else {
		while (cur(lx) && cur(lx) != '{')
			adv(lx);
		ok = skip_balanced(lx, '{', '}');
		/* struct S { ... } __attribute__((packed)) */
		while (ok && lexer_skip_space(lx) &&
		       lexer_word(lx, word, sizeof(word), &after) == 13 &&
		       !strcmp(word, "__attribute__") && after == '(') {
			while (cur(lx) != '(')
				adv(lx);
			ok = skip_balanced(lx, '(', ')');
		}
	}
	if (!ok) {
		*loc = (struct loc){lx->line, lx->col, lx->col + 1};
		return -1;
	}
	end = lx->pos;
	/* a definition over several lines: its keyword */
	loc->end = loc->line == lx->line ? lx->col : loc->col + kwlen;
	lexer_accept_raw(lx, ';');
	if (asprintf(text, "%.*s;", end - start, lx->src + start) < 0)
		abort();
	return 0;
}
