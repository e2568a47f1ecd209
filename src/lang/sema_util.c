// SPDX-License-Identifier: GPL-2.0
/*
 * What every semantic check uses, the builtin families' checks included: the compiler's
 * allocations, per-node semantic info, error reporting and constant folding of literals.
 * Below sema_expr.c, sema_stmt.c and builtins/ in the dependency order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"

void *c_alloc(struct compiler *c, size_t size)
{
	void *p = calloc(1, size ? size : 1);
	void **v;

	if (!p)
		abort();
	if (!(c->nallocs & (c->nallocs - 1))) {
		v = realloc(c->allocs, (c->nallocs ? c->nallocs * 2 : 16) * sizeof(*v));
		if (!v)
			abort();
		c->allocs = v;
	}
	c->allocs[c->nallocs++] = p;
	return p;
}

int sema_err(struct compiler *c, struct loc loc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (c->quiet)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(c->diag, loc, "%s", msg);
	return -EINVAL;
}

struct nsema *sema_info(struct node *n)
{
	if (!n->ext) {
		n->ext = calloc(1, sizeof(struct nsema));
		if (!n->ext)
			abort();
	}
	return n->ext;
}

void sema_set_int(struct node *n, int size, bool is_signed)
{
	struct nsema *s = sema_info(n);

	memset(&s->t, 0, sizeof(s->t));
	s->t.kind = LT_INT;
	s->t.size = size;
	s->t.is_signed = is_signed;
}

void sema_set_bool(struct compiler *c, struct node *n)
{
	if (c->opts->dialect == LANG_0_17) {
		sema_set_int(n, 8, false);
		return;
	}
	sema_set_int(n, 1, false);
	sema_info(n)->t.is_bool = true;
}

void sema_set_str(struct node *n, uint32_t size)
{
	struct nsema *s = sema_info(n);

	memset(&s->t, 0, sizeof(s->t));
	s->t.kind = LT_STR;
	s->t.size = size;
}

bool sema_const_int(struct compiler *c, struct node *n, int64_t *v)
{
	if (n->kind == N_NUM) {
		*v = n->num;
		return true;
	}
	if (n->kind == N_UNOP && n->op == '-' && n->a && n->a->kind == N_NUM) {
		*v = -n->a->num;
		return true;
	}
	if (n->kind == N_POSPARAM && n->ext && NS(n)->t.kind == LT_INT) {
		*v = NS(n)->k[0];
		return true;
	}
	return false;
}

int sema_nargs(struct compiler *c, struct node *n, int want)
{
	int got = (int)node_count(n->args);

	if (got == want)
		return 0;
	if (!want)
		return sema_err(c, n->loc, "%s() requires no arguments (%d provided)", n->name,
				got);
	if (want == 1)
		return sema_err(c, n->loc, "%s() requires one argument (%d provided)", n->name,
				got);
	return sema_err(c, n->loc, "%s() requires %d arguments (%d provided)", n->name, want, got);
}

int sema_int_arg(struct compiler *c, struct node *n, const char *what)
{
	if (sema_nargs(c, n, 1) || sema_expr(c, n->args))
		return -EINVAL;
	if (!lt_is_int(&NS(n->args)->t) || NS(n->args)->ext)
		return sema_err(c, n->args->loc, "%s() expects %s", n->name, what);
	return 0;
}
