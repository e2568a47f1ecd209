// SPDX-License-Identifier: GPL-2.0
/*
 * Block expressions `{ a; b; value }` and if expressions `if c { 1 } else { 2 }` (bpftrace
 * 0.24), lowered before semantic analysis into what the statement passes already know: each
 * one becomes a hidden variable that a scoped statement sets, ahead of the statement that
 * uses the value:
 *
 *	$r = { let $b = 2; $b * 3 } + 1;
 * is
 *	let $$v1; if (1) { let $b = 2; $$v1 = $b * 3; } $r = $$v1 + 1;
 *
 * and an if expression is an if statement whose branches set the variable. The block keeps
 * its scope (the if's), so variables made inside stay inside. Evaluation moves before the
 * statement: a block in the right operand of && or || runs even when that operand is not
 * needed (a ternary whose arms hold blocks is an if expression, and keeps its laziness).
 * "$$" starts no name a program can write, so the hidden variables meet no other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/macro.h"

struct lower {
	struct compiler *c;
	int nvars; /* hidden variables made so far: their names */
	int err;
};

static bool has_value_expr(const struct node *n)
{
	for (; n; n = n->next) {
		if (n->kind == N_BLOCK || n->kind == N_IF)
			return true;
		if (has_value_expr(n->a) || has_value_expr(n->b) || has_value_expr(n->c) ||
		    has_value_expr(n->args))
			return true;
	}
	return false;
}

/* Only the node n of a list, to search it without its siblings. */
static bool expr_has_value_expr(const struct node *n)
{
	struct node one;

	if (!n)
		return false;
	one = *n;
	one.next = NULL;
	return has_value_expr(&one);
}

static struct node *new_var(struct loc l, const char *name)
{
	struct node *v = node_new(N_VAR, l);

	v->name = strdup(name);
	if (!v->name)
		abort();
	return v;
}

static int lower_err(struct lower *lw, struct loc l, const char *msg)
{
	if (!lw->err)
		diag_error(lw->c->diag, l, "%s", msg);
	lw->err = -1;
	return -1;
}

/*
 * The valued block blk (an N_BLOCK with num set) made to store its value into var: its last
 * statement becomes `var = value`.
 */
static int set_value(struct lower *lw, struct node *blk, const char *var)
{
	struct node *last = blk->args, *val;

	while (last && last->next)
		last = last->next;
	if (!blk->num || !last)
		return lower_err(
			lw, blk->loc,
			"this block has no value: its last expression ends with ';'"); /* ours */
	if (last->kind == N_EXPRSTMT) {
		val = last->a;
	} else {
		/* an if statement last: its value is that of the if as an expression */
		val = node_new(N_IF, last->loc);
		val->a = last->a;
		val->b = last->b;
		val->c = last->c;
		last->b = last->c = NULL;
	}
	/* the statement keeps its place in the list */
	last->kind = N_ASSIGN;
	last->op = 0;
	last->num = 0;
	last->a = new_var(last->loc, var);
	last->b = val;
	blk->num = 0;
	return 0;
}

/* An if statement `if (1) blk`, the scope a block expression keeps. */
static struct node *scoped(struct node *blk)
{
	struct node *n = node_new(N_IF, blk->loc);

	n->a = node_new(N_NUM, blk->loc);
	n->a->num = 1;
	n->b = blk;
	return n;
}

/*
 * The value expression e (a block, an if, or a ternary with them in an arm) into a hidden
 * variable set by statements appended to *pre; e becomes a read of the variable, in place.
 */
static int hoist_one(struct lower *lw, struct node *e, struct node **pre)
{
	struct node *let, *st;
	char name[32];

	snprintf(name, sizeof(name), "$$v%d", ++lw->nvars);
	let = node_new(N_LET, e->loc);
	let->a = new_var(e->loc, name);
	node_append(pre, let);
	if (e->kind == N_TERNARY) {
		/* c ? a : b with blocks in an arm: if c { a } else { b }, lazily */
		struct node *b = node_new(N_BLOCK, e->b->loc), *c = node_new(N_BLOCK, e->c->loc);

		b->args = node_new(N_EXPRSTMT, e->b->loc);
		b->args->a = e->b;
		b->num = 1;
		c->args = node_new(N_EXPRSTMT, e->c->loc);
		c->args->a = e->c;
		c->num = 1;
		e->kind = N_IF;
		e->b = b;
		e->c = c;
	}
	if (e->kind == N_IF && !e->c)
		return lower_err(lw, e->loc, "an if expression needs an else branch"); /* ours */
	if (e->kind == N_IF) {
		st = node_new(N_IF, e->loc);
		st->a = e->a;
		st->b = e->b;
		st->c = e->c;
	} else {
		struct node *blk = node_new(N_BLOCK, e->loc);

		blk->args = e->args;
		blk->num = e->num;
		st = scoped(blk);
	}
	node_append(pre, st);
	/* e is now the variable; its parts are st's */
	e->a = e->b = e->c = e->args = NULL;
	free(e->name);
	e->kind = N_VAR;
	e->name = strdup(name);
	if (!e->name)
		abort();
	e->num = 0;
	e->op = 0;
	if (st->c)
		return set_value(lw, st->b, name) || set_value(lw, st->c, name) ? -1 : 0;
	return set_value(lw, st->b, name);
}

/* Every value expression inside expression list e, innermost last (they run in order). */
static int hoist(struct lower *lw, struct node *e, struct node **pre)
{
	for (; e; e = e->next) {
		if (e->kind == N_BLOCK || e->kind == N_IF ||
		    (e->kind == N_TERNARY &&
		     (expr_has_value_expr(e->b) || expr_has_value_expr(e->c)))) {
			if (hoist_one(lw, e, pre))
				return -1;
			continue;
		}
		if (hoist(lw, e->a, pre) || hoist(lw, e->b, pre) || hoist(lw, e->c, pre) ||
		    hoist(lw, e->args, pre))
			return -1;
	}
	return 0;
}

static int lower_block(struct lower *lw, struct node *blk);

/* while (C) B with a value expression in C: while (1) { if (!C) { break; } B }. */
static void lower_while(struct node *w)
{
	struct node *test = node_new(N_IF, w->a->loc), *not = node_new(N_UNOP, w->a->loc);
	struct node *body = node_new(N_BLOCK, w->b->loc);

	not ->op = '!';
	not ->a = w->a;
	test->a = not ;
	test->b = node_new(N_BLOCK, w->a->loc);
	test->b->args = node_new(N_BREAK, w->a->loc);
	test->next = scoped(w->b); /* B keeps its own scope */
	body->args = test;
	w->b = body;
	w->a = node_new(N_NUM, not ->loc);
	w->a->num = 1;
}

/* The expressions a statement evaluates before its own work (not its blocks). */
static int hoist_stmt(struct lower *lw, struct node *s, struct node **pre)
{
	switch (s->kind) {
	case N_IF:
	case N_UNROLL:
	case N_EXPRSTMT:
	case N_INCDEC:
		return hoist(lw, s->a, pre);
	case N_ASSIGN:
		return hoist(lw, s->a, pre) || hoist(lw, s->b, pre) ? -1 : 0;
	case N_LET:
		return hoist(lw, s->b, pre);
	case N_FOR:
		return hoist(lw, s->c, pre);
	default:
		return 0;
	}
}

static int lower_stmt_blocks(struct lower *lw, struct node *s)
{
	switch (s->kind) {
	case N_IF:
		return lower_block(lw, s->b) || (s->c && lower_block(lw, s->c)) ? -1 : 0;
	case N_WHILE:
	case N_UNROLL:
	case N_FOR:
		return lower_block(lw, s->b);
	default:
		return 0;
	}
}

static int lower_block(struct lower *lw, struct node *blk)
{
	struct node **link = &blk->args;

	while (*link) {
		struct node *s = *link, *pre = NULL;

		if (s->kind == N_EXPRSTMT && (s->a->kind == N_BLOCK || s->a->kind == N_IF) &&
		    !s->num) {
			/* a block or if whose value nobody reads: a statement */
			struct node *e = s->a;

			s->a = NULL;
			if (e->kind == N_BLOCK) {
				e->num = 0;
				e = scoped(e);
			}
			e->next = s->next;
			s->next = NULL;
			node_free(s);
			*link = s = e;
		}
		if (s->kind == N_WHILE && expr_has_value_expr(s->a))
			lower_while(s);
		if (hoist_stmt(lw, s, &pre)) {
			node_free(pre);
			return -1;
		}
		if (pre) {
			/* the new statements go first, and are lowered in turn */
			struct node *last = pre;

			while (last->next)
				last = last->next;
			last->next = s;
			*link = pre;
			continue;
		}
		if (lower_stmt_blocks(lw, s))
			return -1;
		link = &s->next;
	}
	return 0;
}

int lang_lower_blocks(struct compiler *c)
{
	struct lower lw = {.c = c};

	for (struct node *pn = c->prog->args; pn; pn = pn->next) {
		if (expr_has_value_expr(pn->a)) {
			/* /pred/ { body } is if (pred) { body }, where the value can be hoisted */
			struct node *body = node_new(N_BLOCK, pn->b->loc), *test;

			test = node_new(N_IF, pn->a->loc);
			test->a = pn->a;
			test->b = pn->b;
			body->args = test;
			pn->a = NULL;
			pn->b = body;
		}
		if (lower_block(&lw, pn->b))
			return -EINVAL;
	}
	return 0;
}
