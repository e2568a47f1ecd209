// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic analysis of statements and probes, and the two-pass driver (sema_run): the quiet
 * first pass learns map types from every assignment, the second one reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/compile.h"
#include "lang/lexer.h"
#include "lang/probes.h"

/* ---- statements -------------------------------------------------------------------- */

static int sema_block(struct compiler *c, struct node *blk);

static int sema_assign(struct compiler *c, struct node *n)
{
	struct nsema *r;

	if (n->a->kind == N_VAR && !n->op) {
		struct var *v;

		if (sema_expr(c, n->b))
			return -EINVAL;
		r = NS(n->b);
		if (r->ext == VX_AGG)
			return sema_err(c, n->b->loc, "%s() should be directly assigned to a map",
					n->b->name);
		if (r->ext || r->t.kind == LT_NONE)
			return sema_err(c, n->b->loc,
					"Value of this type can not be assigned to a variable");
		v = var_find(c->cur, n->a->name);
		if (!v) {
			v = var_add(c->cur, n->a->name);
			type_copy(c, &v->type, &r->t);
			if (v->type.kind == LT_INT)
				v->type.size = 8;
		} else if (!types_compatible(&v->type, &r->t)) {
			char a[64], b[64];

			return sema_err(c, n->loc,
					"Type mismatch for %s: trying to assign value of type '%s' "
					"when variable already contains a value of type '%s'",
					n->a->name, lt_type_str(&r->t, a, sizeof(a)),
					lt_type_str(&v->type, b, sizeof(b)));
		} else if (v->type.kind == LT_STR && r->t.size > v->type.size) {
			v->type.size = r->t.size;
		}
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
			if (!c->maps[NS(n->a)->map].typed)
				sema_map_value(c, n->a, LT_AGG_NONE, &NS(n->b)->t, n->loc);
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
		return 0;
	}
	/* map assignment */
	if (sema_map_keys(c, n->a) || sema_expr(c, n->b))
		return -EINVAL;
	r = NS(n->b);
	if (r->ext == VX_AGG) {
		struct mapdef *md = &c->maps[NS(n->a)->map];

		if (sema_map_value(c, n->a, r->agg, NULL, n->loc))
			return -EINVAL;
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

static int sema_stmt(struct compiler *c, struct node *n)
{
	int64_t k;

	switch (n->kind) {
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
		return sema_expr(c, n);
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
		if (!c->loop_depth)
			return sema_err(c, n->loc, "%s used outside of a loop",
					n->kind == N_BREAK ? "break" : "continue");
		return 0;
	default:
		return sema_err(c, n->loc, "unexpected statement");
	}
}

static int sema_block(struct compiler *c, struct node *blk)
{
	int ret = 0;

	for (struct node *s = blk->args; s; s = s->next)
		if (sema_stmt(c, s))
			ret = -EINVAL;
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

int sema_run(struct compiler *c)
{
	int ret = 0, nfmts;

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
	for (int i = 0; i < c->nallocs; i++)
		free(c->allocs[i]);
	free(c->allocs);
	node_free(c->prog);
	memset(c, 0, sizeof(*c));
}
