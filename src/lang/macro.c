// SPDX-License-Identifier: GPL-2.0
/*
 * Macros (bpftrace 0.24): `macro name(params) { body }`, expanded on the syntax tree before
 * semantic analysis, the way bpftrace's MacroExpansion pass does it. A call `name(args)` (or
 * a bare `name` for a macro without parameters) becomes a copy of the body, a block
 * expression, in which
 *   - a `$v` parameter is the caller's variable (the macro may assign it),
 *   - an `@m` parameter is the caller's map,
 *   - a bare identifier parameter is the caller's expression, evaluated at each use (a
 *     variable or map passed there is only read),
 *   - a variable the body assigns (or declares) is the macro's own: renamed to $$NAME_N_x,
 *     a name no program can write, so that it meets none of the caller's,
 *   - any other map is an error: a macro only touches the maps it is given.
 * Calls inside a body expand in turn; a macro calling itself, directly or not, is an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/macro.h"

#define MAX_DEPTH 64

struct expander {
	struct compiler *c;
	const struct node *stack[MAX_DEPTH]; /* the macros being expanded, outermost first */
	int depth;
	int count; /* expansions so far: the renamed variables' N */
	int err;
};

/* One expansion: the macro and the call's arguments, by parameter. */
struct binding {
	const struct node *macro;
	struct node **args;
	int n;
};

static int __attribute__((format(printf, 3, 4)))
macro_err(struct expander *ex, struct loc l, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ex->err) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		diag_error(ex->c->diag, l, "%s", msg);
	}
	ex->err = -EINVAL;
	return -EINVAL;
}

static const struct node *first_macro(const struct compiler *c, const char *name)
{
	for (const struct node *m = c->prog->b; m; m = m->next)
		if (m->kind == N_MACRO && m->name && !strcmp(m->name, name))
			return m;
	return NULL;
}

static bool param_takes(const struct node *param, const struct node *arg)
{
	if (param->kind == N_VAR)
		return arg->kind == N_VAR;
	if (param->kind == N_MAP)
		return arg->kind == N_MAP && !arg->args;
	return true;
}

static const char *kind_words(const struct node *n)
{
	if (n->kind == N_VAR)
		return "a variable";
	if (n->kind == N_MAP && !n->args)
		return "a map";
	return "an expression";
}

/* The definition of name that takes args; NULL after reporting when there is none. */
static const struct node *macro_find(struct expander *ex, const struct node *call)
{
	const struct node *near = NULL, *bad_param = NULL, *bad_arg = NULL;
	size_t nargs = call->kind == N_CALL ? node_count(call->args) : 0;

	for (const struct node *m = ex->c->prog->b; m; m = m->next) {
		const struct node *p = m->args, *a = call->kind == N_CALL ? call->args : NULL;

		if (m->kind != N_MACRO || strcmp(m->name, call->name) ||
		    node_count(m->args) != nargs)
			continue;
		for (; p && param_takes(p, a); p = p->next, a = a->next)
			;
		if (!p)
			return m;
		if (!near) {
			near = m;
			bad_param = p;
			bad_arg = a;
		}
	}
	/* a definition of that arity: say what does not fit it */
	if (near)
		macro_err(ex, call->loc, "Mismatched arg. %s() expects %s for arg %s but got %s.",
			  call->name, bad_param->kind == N_VAR ? "a variable" : "a map",
			  bad_param->name, kind_words(bad_arg));
	else
		macro_err(ex, call->loc,
			  "Call to %s() has arguments that do not match any definition.",
			  call->name);
	return NULL;
}

static void set_name(struct node *n, const char *name)
{
	char *s = strdup(name);

	if (!s)
		abort();
	free(n->name);
	n->name = s;
}

static int bound_index(const struct binding *b, const struct node *n, enum node_kind kind)
{
	int i = 0;

	for (const struct node *p = b->macro->args; p; p = p->next, i++)
		if (p->kind == kind && !strcmp(p->name, n->name))
			return i;
	return -1;
}

/* dst takes src's place and contents (dst's list link kept); src's shell is freed. */
static void node_move(struct node *dst, struct node *src)
{
	struct node *old = malloc(sizeof(*old)), *next = dst->next;

	if (!old)
		abort();
	*old = *dst;
	old->next = NULL;
	node_free(old);
	*dst = *src;
	dst->next = next;
	free(src);
}

/*
 * Whether the macro body (a list) makes variable name: assigns it, declares it, loops over
 * it. Only those are the macro's own; a variable it only reads is the caller's (as in
 * bpftrace, which renames the variables a macro assigns).
 */
static bool made_here(const struct node *n, const char *name)
{
	for (; n; n = n->next) {
		if ((n->kind == N_ASSIGN || n->kind == N_LET || n->kind == N_FOR) && n->a &&
		    n->a->kind == N_VAR && !strcmp(n->a->name, name))
			return true;
		if (made_here(n->a, name) || made_here(n->b, name) || made_here(n->c, name) ||
		    made_here(n->args, name))
			return true;
	}
	return false;
}

/* The body copy n (a list) in the macro's own names (the comment at the top). */
static int rename_body(struct expander *ex, struct node *n, const struct binding *b)
{
	char name[256];
	int i;

	for (; n && !ex->err; n = n->next) {
		switch (n->kind) {
		case N_VAR:
			i = bound_index(b, n, N_VAR);
			if (i >= 0) {
				set_name(n, b->args[i]->name);
			} else if (made_here(b->macro->b, n->name)) {
				snprintf(name, sizeof(name), "$$%s_%d_%s", b->macro->name,
					 ex->count, n->name + 1);
				set_name(n, name);
			}
			break;
		case N_LET:
			if (n->a && n->a->kind == N_VAR && bound_index(b, n->a, N_VAR) >= 0)
				return macro_err(ex, n->loc,
						 "Variable declaration shadows macro arg %s",
						 n->a->name);
			break;
		case N_MAP:
			i = bound_index(b, n, N_MAP);
			if (i < 0)
				return macro_err(
					ex, n->loc,
					"Unhygienic access to map: %s. Maps must be passed "
					"into the macro as arguments.",
					n->name);
			set_name(n, b->args[i]->name);
			break;
		case N_IDENT:
			i = bound_index(b, n, N_IDENT);
			if (i >= 0) {
				struct node *arg = node_clone(b->args[i]);

				if (arg->kind == N_VAR || arg->kind == N_MAP) {
					/* a variable or map given for an expression is only read */
					struct node *blk = node_new(N_BLOCK, arg->loc);

					blk->args = node_new(N_EXPRSTMT, arg->loc);
					blk->args->a = arg;
					blk->num = 1;
					arg = blk;
				}
				node_move(n, arg);
				continue; /* the caller's expression, in the caller's names */
			}
			break;
		case N_RECORD:
			/* field names are no identifiers to bind: only the values */
			for (struct node *f = n->args; f; f = f->next)
				if (rename_body(ex, f->b, b))
					return -EINVAL;
			continue;
		default:
			break;
		}
		if (rename_body(ex, n->a, b) || rename_body(ex, n->b, b) ||
		    rename_body(ex, n->c, b) || rename_body(ex, n->args, b))
			return -EINVAL;
	}
	return ex->err;
}

static int expand_list(struct expander *ex, struct node *n);

/* Expand the macro call n in place; stmt: n is a statement of its own (no value needed). */
static int expand_call(struct expander *ex, struct node *n, bool stmt)
{
	const struct node *m;
	struct binding b = {0};
	struct node *body;
	char chain[1024];
	int i, ret;

	if (n->kind == N_CALL && expand_list(ex, n->args))
		return -EINVAL;
	m = macro_find(ex, n);
	if (!m)
		return -EINVAL;
	for (i = 0; i < ex->depth && ex->stack[i] != m; i++)
		;
	if (i < ex->depth) {
		size_t len = 0;

		chain[0] = 0;
		for (; i < ex->depth; i++)
			len += snprintf(chain + len, len < sizeof(chain) ? sizeof(chain) - len : 0,
					"%s > ", ex->stack[i]->name);
		return macro_err(ex, n->loc, "Recursive macro call detected. Call chain: %s%s",
				 chain, m->name);
	}
	if (ex->depth == MAX_DEPTH)
		return macro_err(ex, n->loc, "macro %s: expansions nested too deeply", m->name);
	if (!m->b->num && !stmt)
		return macro_err(
			ex, n->loc,
			"Macro '%s' expanded to a block instead of a block expression. Try "
			"removing the semicolon from the end of the last statement in the "
			"macro body.",
			m->name);
	b.macro = m;
	b.n = (int)node_count(m->args);
	b.args = calloc(b.n ? b.n : 1, sizeof(*b.args));
	if (!b.args)
		abort();
	i = 0;
	for (struct node *a = n->kind == N_CALL ? n->args : NULL; a; a = a->next)
		b.args[i++] = a;
	body = node_clone(m->b);
	ex->count++;
	ret = rename_body(ex, body->args, &b);
	free(b.args);
	if (!ret) {
		ex->stack[ex->depth++] = m;
		ret = expand_list(ex, body->args);
		ex->depth--;
	}
	body->loc = n->loc;
	node_move(n, body);
	return ret;
}

static bool is_macro_use(struct expander *ex, const struct node *n)
{
	return (n->kind == N_CALL || n->kind == N_IDENT) && n->name && first_macro(ex->c, n->name);
}

static int expand_list(struct expander *ex, struct node *n)
{
	for (; n && !ex->err; n = n->next) {
		if (is_macro_use(ex, n)) {
			if (expand_call(ex, n, false))
				return -EINVAL;
			continue;
		}
		if (n->kind == N_EXPRSTMT && !n->num && is_macro_use(ex, n->a)) {
			if (expand_call(ex, n->a, true))
				return -EINVAL;
			continue;
		}
		if (n->kind == N_RECORD) {
			for (struct node *f = n->args; f; f = f->next)
				if (expand_list(ex, f->b))
					return -EINVAL;
			continue;
		}
		if (expand_list(ex, n->a) || expand_list(ex, n->b) || expand_list(ex, n->c) ||
		    expand_list(ex, n->args))
			return -EINVAL;
	}
	return ex->err;
}

/* Two definitions one call could not tell apart, and parameters named twice. */
static int check_definitions(struct expander *ex)
{
	for (const struct node *m = ex->c->prog->b; m; m = m->next) {
		if (m->kind != N_MACRO)
			continue;
		for (const struct node *p = m->args; p; p = p->next)
			for (const struct node *q = p->next; q; q = q->next)
				if (!strcmp(p->name, q->name))
					return macro_err(ex, q->loc,
							 "Variable for macro argument has already "
							 "been used: %s",
							 q->name);
		for (const struct node *o = ex->c->prog->b; o != m; o = o->next) {
			const struct node *p = m->args, *q = o->args;

			if (o->kind != N_MACRO || strcmp(o->name, m->name))
				continue;
			while (p && q && (p->kind == N_IDENT) == (q->kind == N_IDENT) &&
			       p->kind == q->kind) {
				p = p->next;
				q = q->next;
			}
			if (!p && !q)
				return macro_err(ex, m->loc, "Redefinition of macro: %s", m->name);
		}
	}
	return 0;
}

int lang_expand_macros(struct compiler *c)
{
	struct expander ex = {.c = c};
	bool any = false;

	for (const struct node *m = c->prog->b; m; m = m->next) {
		/* the files are not read: the program is not what it says without them */
		if (m->kind == N_IMPORT)
			return macro_err(&ex, m->loc,
					 "import \"%s\": imports are not supported yet",
					 m->name); /* ours */
		any |= m->kind == N_MACRO;
	}
	if (!any)
		return 0;
	if (check_definitions(&ex))
		return -EINVAL;
	for (struct node *pn = c->prog->args; pn; pn = pn->next)
		if (expand_list(&ex, pn->a) || expand_list(&ex, pn->b))
			return -EINVAL;
	return 0;
}
