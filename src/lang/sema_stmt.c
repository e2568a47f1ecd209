// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic analysis of statements and probes, and the two-pass driver (sema_run): the quiet
 * first pass learns map types from every assignment, the second one reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/btftypes.h"
#include "lang/compile.h"
#include "lang/lexer.h"
#include "lang/probes.h"

/* ---- statements -------------------------------------------------------------------- */

static int sema_block(struct compiler *c, struct node *blk);

/*
 * The declaring `let` of each of the current probe's variables (NULL: first assigned), by
 * variable index: what "was never assigned to" needs. struct var belongs to compile.h's
 * callers, so this side table lives here, rebuilt for every probe (analysis is one thread).
 */
static struct node **var_let;
static int nvar_let;

static bool block_scoped(const struct compiler *c)
{
	return c->opts->dialect != LANG_0_17; /* 0.22 on; 0.17's variables live probe-wide */
}

static struct var *new_var(struct compiler *c, const char *name, struct node *let)
{
	struct var *v = var_add(c->cur, name);

	if (c->cur->nvars > nvar_let) {
		struct node **t = realloc(var_let, c->cur->nvars * 2 * sizeof(*t));

		if (!t)
			abort();
		memset(t + nvar_let, 0, (c->cur->nvars * 2 - nvar_let) * sizeof(*t));
		var_let = t;
		nvar_let = c->cur->nvars * 2;
	}
	var_let[c->cur->nvars - 1] = let;
	return v;
}

/* Variable v (declared by a let or not) receives a value. */
static void var_assigned(struct compiler *c, const struct var *v)
{
	int i = (int)(v - c->cur->vars);
	struct node *let = i < nvar_let ? var_let[i] : NULL;

	if (let)
		sema_info(let)->k[1] = 1;
}

/* The variable a value of node val is stored into (named name): typed, or widened. */
static int var_store(struct compiler *c, struct var *v, struct node *val, struct loc loc,
		     const char *name)
{
	struct nsema *r = NS(val);

	if (r->ext == VX_AGG)
		return sema_err(c, val->loc, "%s() should be directly assigned to a map",
				val->name);
	if (r->ext || r->t.kind == LT_NONE)
		return sema_err(c, val->loc,
				"Value of this type can not be assigned to a variable");
	if (v->type.kind == LT_NONE) {
		type_copy(c, &v->type, &r->t);
		if (v->type.kind == LT_INT)
			v->type.size = 8;
	} else if (!types_compatible(&v->type, &r->t)) {
		char a[64], b[64];

		return sema_err(c, loc,
				"Type mismatch for %s: trying to assign value of type '%s' "
				"when variable already %s '%s'",
				name, lt_type_str(&r->t, a, sizeof(a)),
				block_scoped(c) ? "has a type" : "contains a value of type",
				lt_type_str(&v->type, b, sizeof(b)));
	} else if (v->type.kind == LT_STR && r->t.size > v->type.size) {
		v->type.size = r->t.size;
	}
	var_assigned(c, v);
	return 0;
}

static int sema_assign(struct compiler *c, struct node *n)
{
	struct nsema *r;

	if (n->a->kind == N_VAR && !n->op) {
		struct var *v;

		if (sema_expr(c, n->b))
			return -EINVAL;
		v = var_find(c->cur, n->a->name);
		if (!v)
			v = new_var(c, n->a->name, NULL);
		if (var_store(c, v, n->b, n->loc, n->a->name))
			return -EINVAL;
		sema_info(n->a)->var = (int)(v - c->cur->vars);
		NS(n->a)->t = v->type;
		return 0;
	}
	if (n->op) {
		/* x op= e  is  x = x op e  on integers */
		if (sema_expr(c, n->b))
			return -EINVAL;
		if (!lt_is_int(&NS(n->b)->t) || NS(n->b)->ext)
			return sema_err(c, n->b->loc, "compound assignment needs an integer value");
		if (n->a->kind == N_MAP) {
			if (sema_map_keys(c, n->a))
				return -EINVAL;
			if (!c->maps[NS(n->a)->map].typed) {
				struct lt_type t = NS(n->b)->t;

				/* @n += ($a > 1) counts: the sum of bools is an integer */
				if (t.is_bool)
					t = (struct lt_type){.kind = LT_INT, .size = 8};
				sema_map_value(c, n->a, LT_AGG_NONE, &t, n->loc);
			}
			if (c->maps[NS(n->a)->map].m.agg != LT_AGG_NONE ||
			    !lt_is_int(&c->maps[NS(n->a)->map].m.val))
				return sema_err(c, n->loc,
						"compound assignment needs an integer map");
			return 0;
		}
		if (sema_expr(c, n->a))
			return -EINVAL;
		if (!lt_is_int(&NS(n->a)->t))
			return sema_err(c, n->loc, "compound assignment needs an integer variable");
		var_assigned(c, &c->cur->vars[NS(n->a)->var]);
		return 0;
	}
	/* map assignment */
	if (sema_map_keys(c, n->a) || sema_expr(c, n->b))
		return -EINVAL;
	r = NS(n->b);
	if (r->ext == VX_AGG) {
		struct mapdef *md = &c->maps[NS(n->a)->map];
		bool first = !md->typed;

		if (sema_map_value(c, n->a, r->agg, NULL, n->loc))
			return -EINVAL;
		/* hist(v, k): the same k at every call site (bpftrace's words) */
		if (r->agg == LT_AGG_HIST && first)
			md->m.hist_bits = (uint32_t)r->k[0];
		else if (r->agg == LT_AGG_HIST && md->m.hist_bits != (uint32_t)r->k[0])
			return sema_err(c, n->b->loc,
					"Different bits in a single hist unsupported");
		if (r->agg == LT_AGG_LHIST) {
			if (md->m.lhist_step &&
			    (md->m.lhist_min != r->k[0] || md->m.lhist_max != r->k[1] ||
			     md->m.lhist_step != r->k[2]))
				return sema_err(
					c, n->loc,
					"Different lhist bounds in a single map unsupported");
			md->m.lhist_min = r->k[0];
			md->m.lhist_max = r->k[1];
			md->m.lhist_step = r->k[2];
		}
		return 0;
	}
	if (r->ext || r->t.kind == LT_NONE)
		return sema_err(c, n->b->loc, "Value of this type can not be assigned to a map");
	if (sema_map_value(c, n->a, LT_AGG_NONE, &r->t, n->loc))
		return -EINVAL;
	NS(n->a)->t = c->maps[NS(n->a)->map].m.val;
	return 0;
}

/* The type of a let's annotation, `let $x: TYPE`, into *t. */
static int let_type(struct compiler *c, struct node *cast, struct lt_type *t)
{
	if (!strcmp(cast->name, "string") && !cast->num) {
		memset(t, 0, sizeof(*t));
		t->kind = LT_STR;
		t->size = lang_max_strlen(c->opts);
		return 0;
	}
	if (sema_expr(c, cast)) /* the integer types and their pointers, as (TYPE)0 knows them */
		return -EINVAL;
	*t = NS(cast)->t;
	return 0;
}

/* let $x [: TYPE] [= expr]: a variable of the current block (0.22). */
static int sema_let(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct lt_type t = {0};
	struct var *v;

	sema_info(n->a)->var = -1; /* until declared: what scope_close() looks at */
	if (var_find(c->cur, n->a->name))
		return sema_err(
			c, n->loc,
			"Variable %s was already declared. Variable shadowing is not allowed.",
			n->a->name);
	if (n->c && let_type(c, n->c, &t))
		return -EINVAL;
	if (n->b && sema_expr(c, n->b))
		return -EINVAL;
	v = new_var(c, n->a->name, n);
	s->k[1] = 0;
	if (n->c)
		v->type = t;
	else if (!n->b && s->t.kind != LT_NONE)
		v->type = s->t; /* what the first pass learned from later assignments */
	sema_info(n->a)->var = (int)(v - c->cur->vars);
	if (n->b && var_store(c, v, n->b, n->loc, n->a->name))
		return -EINVAL;
	NS(n->a)->t = v->type;
	return 0;
}

/* A hidden integer variable of the probe (loop bounds, saved registers): its index. */
static int hidden_var(struct compiler *c)
{
	struct var *v = new_var(c, "", NULL);

	v->type.kind = LT_INT;
	v->type.size = 8;
	return (int)(v - c->cur->vars);
}

/*
 * A body of a for over a map runs as a callback, without the probe's registers: context
 * builtins are refused there (bpftrace's words), and so is exit() (bpftrace 0.25).
 */
static int check_loop_body(struct compiler *c, struct node *e)
{
	for (; e; e = e->next) {
		if ((e->kind == N_IDENT || e->kind == N_CALL) &&
		    (builtin_arg_index(e->name, "arg") >= 0 || !strcmp(e->name, "retval") ||
		     !strcmp(e->name, "args")))
			return sema_err(c, e->loc, "'%s' builtin is not allowed in a for-loop",
					e->name);
		if (e->kind == N_CALL && !strcmp(e->name, "exit"))
			return sema_err(c, e->loc, "exit() is not allowed inside a loop");
		if (check_loop_body(c, e->a) || check_loop_body(c, e->b) ||
		    check_loop_body(c, e->c) || check_loop_body(c, e->args))
			return -EINVAL;
	}
	return 0;
}

/*
 * $kv of for ($kv : @m): (key, value), the key a tuple for a multi-key map; an aggregate
 * (count, sum, min, max, avg) gives its value summed over the CPUs, as reading it does.
 */
static int loop_map_type(struct compiler *c, struct node *n, struct lt_type *t)
{
	static const char *const names[] = {
		[LT_AGG_STATS] = "stats_t", [LT_AGG_HIST] = "hist_t", [LT_AGG_LHIST] = "lhist_t"};
	struct mapdef *md = &c->maps[NS(n)->map];
	struct lt_member *m = c_alloc(c, 2 * sizeof(*m));
	struct lt_type *k = c_alloc(c, sizeof(*k)), *v = c_alloc(c, sizeof(*v));

	if (!md->typed || !md->key_typed) {
		if (!c->quiet)
			return sema_err(c, n->loc, "Undefined map: %s", n->name);
		sema_set_int(n, 8, true); /* learnt in the second pass */
		*k = NS(n)->t;
		*v = NS(n)->t;
	} else if (md->m.key.kind != LT_TUPLE) {
		return sema_err(c, n->loc,
				"%s has no explicit keys (scalar map), and cannot be used for "
				"iteration",
				n->name);
	} else if (md->m.agg == LT_AGG_STATS || md->m.agg == LT_AGG_HIST ||
		   md->m.agg == LT_AGG_LHIST || md->m.agg >= sizeof(names) / sizeof(names[0])) {
		return sema_err(c, n->loc, "Loop expression does not support type: %s",
				md->m.agg < sizeof(names) / sizeof(names[0]) && names[md->m.agg]
					? names[md->m.agg]
					: "aggregation");
	} else {
		if (md->m.key.nmembers == 1)
			type_copy(c, k, md->m.key.members[0].type);
		else
			type_copy(c, k, &md->m.key);
		if (md->m.agg == LT_AGG_NONE) {
			type_copy(c, v, &md->m.val);
		} else {
			memset(v, 0, sizeof(*v));
			v->kind = LT_INT;
			v->size = 8;
			v->is_signed = md->m.agg != LT_AGG_COUNT;
		}
	}
	m[0].type = k;
	m[1].type = v;
	lt_tuple_layout(m, 2);
	memset(t, 0, sizeof(*t));
	t->kind = LT_TUPLE;
	t->members = m;
	t->nmembers = 2;
	return 0;
}

/*
 * for ($kv : @m) (0.21): NS(n)->k: [0] $kv, [2] the hidden flag a `return` in the body
 * sets, [3] the hidden slot of the probe's context (type none: not a value). stmt.c.
 */
static int sema_for_map(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct lt_type t;
	struct var *v;
	int ret;

	s->map = sema_map_get(c, n->c);
	sema_info(n->c)->map = s->map;
	if (loop_map_type(c, n->c, &t))
		return -EINVAL;
	if (check_loop_body(c, n->b->args))
		return -EINVAL;
	if (var_find(c->cur, n->a->name))
		return sema_err(c, n->a->loc, "Loop declaration shadows existing variable: %s",
				n->a->name);
	v = new_var(c, n->a->name, NULL);
	v->type = t;
	s->k[0] = (int)(v - c->cur->vars);
	sema_info(n->a)->var = (int)s->k[0];
	NS(n->a)->t = v->type;
	s->k[2] = hidden_var(c);
	s->k[3] = (int)(new_var(c, "", NULL) - c->cur->vars);
	c->loop_depth++;
	ret = sema_block(c, n->b);
	c->loop_depth--;
	c->cur->vars[s->k[0]].name[0] = 0;
	return ret;
}

/*
 * for ($i : START..END) (0.24). NS(n)->k: [0] the loop variable, [2] a hidden 8-byte stack
 * slot for the iterator (stmt.c).
 */
static int sema_for(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct var *v;
	int ret;

	if (n->c->kind == N_MAP)
		return sema_for_map(c, n);
	if (sema_expr(c, n->c->a) || sema_expr(c, n->c->b))
		return -EINVAL;
	if (!lt_is_int(&NS(n->c->a)->t) || NS(n->c->a)->ext)
		return sema_err(c, n->c->a->loc,
				"Loop range requires an integer for the start value");
	if (!lt_is_int(&NS(n->c->b)->t) || NS(n->c->b)->ext)
		return sema_err(c, n->c->b->loc,
				"Loop range requires an integer for the end value");
	if (var_find(c->cur, n->a->name))
		return sema_err(c, n->a->loc, "Loop declaration shadows existing variable: %s",
				n->a->name);
	v = new_var(c, n->a->name, NULL);
	v->type.kind = LT_INT;
	v->type.size = 8;
	v->type.is_signed = true; /* the iterator counts in ints */
	s->k[0] = (int)(v - c->cur->vars);
	sema_info(n->a)->var = (int)s->k[0];
	NS(n->a)->t = v->type;
	s->k[2] = hidden_var(c);
	c->loop_depth++;
	ret = sema_block(c, n->b);
	c->loop_depth--;
	c->cur->vars[s->k[0]].name[0] = 0; /* the loop variable lives in the loop */
	return ret;
}

/* 0.25: while still works, with a warning (bpftrace's words and hint). */
static void warn_while(struct compiler *c, struct node *n)
{
	struct loc l = n->loc;

	if (c->quiet || !block_scoped(c))
		return;
	if (n->num > l.end)
		l.end = (int)n->num;
	diag_warn(c->diag, l, "While loops are deprecated and may be removed in the future.");
	diag_hint(c->diag, "For loops support ranges (e.g. `for ($x : $start..$end) { ... }`), and "
			   "can be used in place of while. These are more easily proven to be "
			   "bounded by the verifier.");
}

/*
 * Reads in expression e of a variable declared by a `let` and not assigned yet (in source
 * order): bpftrace warns, and the read gives zero. Blocks are checked as their statements are.
 */
static void warn_unassigned_reads(struct compiler *c, struct node *e)
{
	for (; e; e = e->next) {
		if (e->kind == N_BLOCK)
			continue;
		if (e->kind == N_VAR) {
			struct var *v = var_find(c->cur, e->name);
			int i = v ? (int)(v - c->cur->vars) : -1;

			if (i >= 0 && i < nvar_let && var_let[i] && !NS(var_let[i])->k[1])
				diag_warn(c->diag, e->loc,
					  "Variable used before it was assigned: %s", e->name);
			continue;
		}
		if (e->kind == N_CALL && !strcmp(e->name, "find") && e->args) {
			/* find(@m, key, $v) reads the key and writes $v (ck_find() moves them) */
			struct node *key = e->num ? e->args->args : e->args->next;
			struct node *v = e->num ? e->a : key ? key->next : NULL, *rest;
			struct var *var = v && v->kind == N_VAR ? var_find(c->cur, v->name) : NULL;

			if (key && !e->num) {
				rest = key->next;
				key->next = NULL;
				warn_unassigned_reads(c, key);
				key->next = rest;
			} else {
				warn_unassigned_reads(c, key);
			}
			if (var)
				var_assigned(c, var);
			continue;
		}
		warn_unassigned_reads(c, e->a);
		warn_unassigned_reads(c, e->b);
		warn_unassigned_reads(c, e->c);
		warn_unassigned_reads(c, e->args);
	}
}

/* The expressions statement n reads before it runs (a plain assignment's target is none). */
static void check_reads(struct compiler *c, struct node *n)
{
	if (c->quiet || !block_scoped(c))
		return;
	switch (n->kind) {
	case N_ASSIGN:
		if (n->op || n->a->kind != N_VAR)
			warn_unassigned_reads(c, n->a);
		warn_unassigned_reads(c, n->b);
		return;
	case N_LET:
		warn_unassigned_reads(c, n->b);
		return;
	case N_FOR:
		warn_unassigned_reads(c, n->c);
		return;
	case N_EXPRSTMT:
	case N_IF:
	case N_WHILE:
	case N_INCDEC:
		warn_unassigned_reads(c, n->a);
		return;
	default:
		return;
	}
}

static int sema_stmt(struct compiler *c, struct node *n)
{
	int64_t k;

	check_reads(c, n);
	if (n->kind == N_EXPRSTMT && n->a->kind == N_INCDEC)
		n = n->a; /* $x++; */
	if ((n->kind == N_INCDEC || (n->kind == N_ASSIGN && n->op)) && n->a->kind == N_VAR) {
		/* `let $x; $x++;`: arithmetic on a variable declared without a type makes it int64
		 */
		struct var *v = var_find(c->cur, n->a->name);

		if (v && v->type.kind == LT_NONE) {
			v->type.kind = LT_INT;
			v->type.size = 8;
			v->type.is_signed = true;
		}
	}
	switch (n->kind) {
	case N_LET:
		return sema_let(c, n);
	case N_FOR:
		return sema_for(c, n);
	case N_ASSIGN:
		return sema_assign(c, n);
	case N_EXPRSTMT:
		if (sema_expr(c, n->a))
			return -EINVAL;
		if (NS(n->a)->ext == VX_AGG)
			return sema_err(c, n->a->loc, "%s() should be assigned to a map",
					n->a->name);
		return 0;
	case N_INCDEC:
		if (sema_expr(c, n))
			return -EINVAL;
		if (n->a->kind == N_VAR)
			var_assigned(c, &c->cur->vars[NS(n->a)->var]);
		return 0;
	case N_IF:
		if (sema_expr(c, n->a))
			return -EINVAL;
		if (!lt_is_int(&NS(n->a)->t) || NS(n->a)->ext)
			return sema_err(c, n->a->loc,
					"Invalid condition in if(): must be an integer");
		if (sema_block(c, n->b))
			return -EINVAL;
		return n->c ? sema_block(c, n->c) : 0;
	case N_WHILE: {
		int ret;

		if (sema_expr(c, n->a))
			return -EINVAL;
		if (!lt_is_int(&NS(n->a)->t) || NS(n->a)->ext)
			return sema_err(c, n->a->loc,
					"Invalid condition in while(): must be an integer");
		warn_while(c, n);
		c->loop_depth++;
		ret = sema_block(c, n->b);
		c->loop_depth--;
		return ret;
	}
	case N_UNROLL:
		if (sema_expr(c, n->a))
			return -EINVAL;
		if (!sema_const_int(c, n->a, &k))
			return sema_err(c, n->a->loc, "unroll() count must be an integer literal");
		if (k < 1)
			return sema_err(c, n->loc, "unroll minimum value is 1");
		if (k > 100)
			return sema_err(c, n->loc, "unroll maximum value is 100");
		sema_info(n)->k[0] = k;
		return sema_block(c, n->b);
	case N_RETURN:
		return 0;
	case N_BREAK:
	case N_CONTINUE:
		if (c->loop_depth)
			return 0;
		if (block_scoped(c))
			return sema_err(c, n->loc, "'%s' statement is not allowed in a probe",
					n->kind == N_BREAK ? "break" : "continue");
		return sema_err(c, n->loc, "%s used outside of a loop",
				n->kind == N_BREAK ? "break" : "continue");
	default:
		return sema_err(c, n->loc, "unexpected statement");
	}
}

/*
 * The end of a block in the 0.26 dialect: its variables go out of scope (their entries stay,
 * with their stack slots, but no name finds them any more), its lets remember the type the
 * first pass learned, and a let never assigned is reported.
 */
static void scope_close(struct compiler *c, struct node *blk, int first)
{
	for (struct node *st = blk->args; st; st = st->next) {
		struct var *v;

		if (st->kind != N_LET || !st->a->ext || NS(st->a)->var < first ||
		    NS(st->a)->var >= c->cur->nvars)
			continue;
		v = &c->cur->vars[NS(st->a)->var];
		if (c->quiet && !st->c)
			sema_info(st)->t = v->type;
		if (!c->quiet && !c->diag->nerrors && !st->b && !NS(st)->k[1])
			diag_warn(c->diag, st->loc, "Variable %s was never assigned to.", v->name);
	}
	for (int i = first; i < c->cur->nvars; i++)
		c->cur->vars[i].name[0] = 0;
}

static int sema_block(struct compiler *c, struct node *blk)
{
	int ret = 0, first = c->cur->nvars;

	for (struct node *s = blk->args; s; s = s->next)
		if (sema_stmt(c, s))
			ret = -EINVAL;
	if (block_scoped(c))
		scope_close(c, blk, first);
	return ret;
}

static int sema_probe(struct compiler *c, struct probe *p)
{
	int ret = 0;

	c->cur = p;
	for (int i = 0; i < p->nvars; i++)
		free(p->vars[i].name);
	free(p->vars);
	p->vars = NULL;
	p->nvars = 0;
	if (p->node->a) {
		if (sema_expr(c, p->node->a))
			ret = -EINVAL;
		else if (!lt_is_int(&NS(p->node->a)->t) || NS(p->node->a)->ext)
			ret = sema_err(c, p->node->a->loc,
				       "Invalid type for predicate: must be an integer");
	}
	if (sema_block(c, p->node->b))
		ret = -EINVAL;
	c->cur = NULL;
	return ret;
}

/* Syntax the parser took that this dialect refuses (struct lexer): its first error. */
static int compat_errors(struct compiler *c)
{
	for (struct node *n = c->prog->a; n; n = n->next)
		if (n->kind == N_COMPAT && n->num == (int64_t)c->opts->dialect) {
			diag_error(c->diag, n->loc, "%s", n->name);
			return -EINVAL;
		}
	return 0;
}

int sema_run(struct compiler *c)
{
	int ret = 0, nfmts;

	if (compat_errors(c))
		return -EINVAL;
	/* a script's C definitions are checked whether or not the probes use them */
	if (bt_check_script(c))
		return -EINVAL;

	/* pass 1: quiet, learns map types from every assignment */
	c->quiet = true;
	nfmts = c->nfmts;
	for (int i = 0; i < c->nprobes; i++)
		sema_probe(c, &c->probes[i]);
	for (int i = nfmts; i < c->nfmts; i++)
		free((char *)c->fmts[i].f.fmt);
	c->nfmts = nfmts;
	c->quiet = false;
	for (int i = 0; i < c->nprobes; i++)
		if (sema_probe(c, &c->probes[i]))
			ret = -EINVAL;
	free(var_let);
	var_let = NULL;
	nvar_let = 0;
	for (int i = 0; i < c->nmaps && !ret; i++) {
		struct mapdef *md = &c->maps[i];

		if (!md->typed) {
			if (md->key_typed && !md->used_print_only)
				ret = sema_err(c, md->loc, "Undefined map: %s", md->name);
			else
				ret = sema_err(c, md->loc, "Undefined map: %s", md->name);
			continue;
		}
		md->m.key_size = lt_map_key_size(&md->m.key);
		md->m.value_size = lt_map_value_size(&md->m);
	}
	if (!ret)
		ret = sema_map_decls(c);
	return ret;
}

void compiler_free(struct compiler *c)
{
	extern void attach_point_free(struct attach_point * ap);

	for (int i = 0; i < c->nprobes; i++) {
		struct probe *p = &c->probes[i];

		for (int k = 0; k < p->naps; k++)
			attach_point_free(&p->aps[k]);
		free(p->aps);
		for (int k = 0; k < p->nvars; k++)
			free(p->vars[k].name);
		free(p->vars);
	}
	free(c->probes);
	for (int i = 0; i < c->nmaps; i++)
		free(c->maps[i].name);
	free(c->maps);
	for (int i = 0; i < c->nfmts; i++)
		free((char *)c->fmts[i].f.fmt);
	free(c->fmts);
	for (int i = 0; i < c->nprobe_names; i++)
		free((char *)c->probe_names[i]);
	free(c->probe_names);
	free(c->getopts);
	free(c->sites);
	for (int i = 0; i < c->nallocs; i++)
		free(c->allocs[i]);
	free(c->allocs);
	node_free(c->prog);
	memset(c, 0, sizeof(*c));
}
