// SPDX-License-Identifier: GPL-2.0
/* Expressions and statements to BPF instructions (see cg.h for the register conventions). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/insn.h"
#include "lang/btftypes.h"
#include "lang/cg.h"
#include "lang/goargs.h"
#include "lang/lexer.h"
#include "lang/probes.h"

static int emit_builtin(struct cg *g, struct node *n, int dst)
{
	const struct builtin *b = builtin_get(NS(n)->builtin);

	if (!b || !b->emit) {
		g->err = -ENOTSUP;
		return -ENOTSUP;
	}
	return b->emit(g, n, dst);
}

void cg_extend(struct cg *g, int size, bool is_signed)
{
	int sh = 64 - 8 * size;

	if (size >= 8 || size <= 0)
		return;
	cg_alu_imm(g, BPF_LSH, BPF_REG_0, sh);
	cg_alu_imm(g, is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0, sh);
}

uint32_t cg_map_key(struct cg *g, struct node *map)
{
	struct mapdef *md = &g->c->maps[NS(map)->map];
	uint32_t ks = md->m.key_size, off = cg_heap_alloc(g, ks);
	int i = 0;

	if (!map->args) {
		cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)off, 0);
		return off;
	}
	cg_zero(g, off, ks);
	for (struct node *k = map->args; k; k = k->next, i++) {
		const struct lt_member *m = &md->m.key.members[i];

		if (NS(k)->t.kind == LT_STR && m->type->size != NS(k)->t.size) {
			/* key string slots have the map's size: copy the shorter value in */
			uint32_t tmp = cg_heap_alloc(g, lt_type_size(&NS(k)->t));
			uint32_t n = NS(k)->t.size < m->type->size ? NS(k)->t.size : m->type->size;

			cg_value(g, k, tmp);
			cg_copy(g, off + m->offset, tmp, n);
			if (n == m->type->size)
				cg_st_imm(g, BPF_B, BPF_REG_9, (int16_t)(off + m->offset + n - 1),
					  0);
		} else {
			cg_value(g, k, off + m->offset);
		}
	}
	return off;
}

/* R0 = value of an integer map entry (0 when absent). */
static void map_read_int(struct cg *g, struct node *n)
{
	struct mapdef *md = &g->c->maps[NS(n)->map];
	uint32_t saved = g->heap, key = cg_map_key(g, n);
	int none = cg_label(g), done = cg_label(g);

	if (md->m.agg != LT_AGG_NONE) {
		cg_agg_read(g, &md->m, key); /* summed over the CPUs (builtins/maps.c) */
		g->heap = saved;
		return;
	}
	cg_map_lookup(g, md->m.fd, key);
	cg_helper_check(g, BPF_FUNC_map_lookup_elem, 0, &n->loc);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, none);
	if (md->m.agg == LT_AGG_MIN || md->m.agg == LT_AGG_MAX || md->m.agg == LT_AGG_NONE ||
	    md->m.agg == LT_AGG_COUNT || md->m.agg == LT_AGG_SUM)
		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_0, 0);
	cg_ja(g, done);
	cg_bind(g, none);
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_bind(g, done);
	g->heap = saved;
}

/*
 * R0 op= R1. Signed operands divide signed in 0.26 (bpftrace's sdiv/srem: -100 / 10 is -10):
 * the kernel's signed forms, off = 1 (BPF ISA v4, Linux 6.6). 0.17 divided unsigned.
 */
static void alu_div(struct cg *g, struct node *n, int op)
{
	if ((op == BPF_DIV || op == BPF_MOD) && NS(n)->k[0] && g->c->opts->dialect == LANG_0_26)
		cg_emit(g, INSN(BPF_ALU64 | op | BPF_X, BPF_REG_0, BPF_REG_1, 1, 0));
	else
		cg_alu_reg(g, op, BPF_REG_0, BPF_REG_1);
}

static int cmp_op(int tok, bool sign)
{
	switch (tok) {
	case TOK_EQ:
		return BPF_JEQ;
	case TOK_NE:
		return BPF_JNE;
	case '<':
		return sign ? BPF_JSLT : BPF_JLT;
	case '>':
		return sign ? BPF_JSGT : BPF_JGT;
	case TOK_LE:
		return sign ? BPF_JSLE : BPF_JLE;
	case TOK_GE:
		return sign ? BPF_JSGE : BPF_JGE;
	}
	return -1;
}

/* The BPF ALU operation of a binary operator and of its op= form; -1 for others. */
static int binop_alu(int op)
{
	switch (op) {
	case '+':
		return BPF_ADD;
	case '-':
		return BPF_SUB;
	case '*':
		return BPF_MUL;
	case '/': /* unsigned, as bpftrace 0.17 does (it warns about signed operands) */
		return BPF_DIV;
	case '%':
		return BPF_MOD;
	case '&':
		return BPF_AND;
	case '|':
		return BPF_OR;
	case '^':
		return BPF_XOR;
	case TOK_SHL:
		return BPF_LSH;
	case TOK_SHR:
		return BPF_RSH;
	}
	return -1;
}

static int cg_binop(struct cg *g, struct node *n)
{
	bool sign = NS(n)->k[0];
	int op;

	if (bt_is_ptr_arith(n))
		return bt_cg_ptr_arith(g, n);
	if (n->op == TOK_LAND || n->op == TOK_LOR) {
		int out = cg_label(g), done = cg_label(g);

		cg_int(g, n->a);
		cg_jmp_imm(g, n->op == TOK_LAND ? BPF_JEQ : BPF_JNE, BPF_REG_0, 0, out);
		cg_int(g, n->b);
		cg_jmp_imm(g, n->op == TOK_LAND ? BPF_JEQ : BPF_JNE, BPF_REG_0, 0, out);
		cg_mov_imm(g, BPF_REG_0, n->op == TOK_LAND);
		cg_ja(g, done);
		cg_bind(g, out);
		cg_mov_imm(g, BPF_REG_0, n->op != TOK_LAND);
		cg_bind(g, done);
		return 0;
	}
	if (NS(n->a)->t.kind == LT_TUPLE)
		return cg_tuple_equal(g, n);
	if (NS(n->a)->t.kind == LT_STR) {
		uint32_t saved = g->heap;
		uint32_t sa = lt_type_size(&NS(n->a)->t), sb = lt_type_size(&NS(n->b)->t);
		uint32_t a = cg_heap_alloc(g, sa), b = cg_heap_alloc(g, sb);

		cg_value(g, n->a, a);
		cg_value(g, n->b, b);
		cg_str_equal(g, a, b, sa < sb ? sa : sb);
		if (n->op == TOK_NE)
			cg_alu_imm(g, BPF_XOR, BPF_REG_0, 1);
		g->heap = saved;
		return 0;
	}
	cg_int(g, n->a);
	cg_push(g);
	cg_int(g, n->b);
	cg_mov64(g, BPF_REG_1, BPF_REG_0);
	cg_pop(g, BPF_REG_0);
	op = cmp_op(n->op, sign);
	if (op >= 0) {
		int t = cg_label(g);

		cg_mov64(g, BPF_REG_2, BPF_REG_0);
		cg_mov_imm(g, BPF_REG_0, 1);
		cg_jmp_reg(g, op, BPF_REG_2, BPF_REG_1, t);
		cg_mov_imm(g, BPF_REG_0, 0);
		cg_bind(g, t);
		return 0;
	}
	op = binop_alu(n->op);
	if (op < 0)
		return g->err = -EINVAL;
	/* >> of a signed left operand keeps the sign */
	if (op == BPF_RSH && NS(n->a)->t.is_signed)
		op = BPF_ARSH;
	if (NS(n)->k[1]) { /* x / 0 and x % 0: 1 and a warning, as bpftrace 0.26 */
		int ok = cg_label(g), done = cg_label(g);

		cg_jmp_imm(g, BPF_JNE, BPF_REG_1, 0, ok);
		cg_runtime_warning(g, (int)NS(n)->k[1] - 1);
		cg_mov_imm(g, BPF_REG_0, 1);
		cg_ja(g, done);
		cg_bind(g, ok);
		alu_div(g, n, op);
		cg_bind(g, done);
		return 0;
	}
	alu_div(g, n, op);
	return 0;
}

/* Read size bytes at the address in R0 (user or kernel) into R0. */
static void deref(struct cg *g, int size, bool is_signed)
{
	cg_mov64(g, BPF_REG_3, BPF_REG_0);
	cg_read(g, BPF_FUNC_probe_read, size, BPF_REG_0);
	cg_extend(g, size, is_signed);
}

static int cg_field_int(struct cg *g, struct node *n)
{
	struct nsema *s = NS(n);

	if (g->p->type == PT_TRACEPOINT) {
		const struct tp_field *f = tp_field_find(&g->ap->tp.fmt, n->name);
		int sz;

		if (!f) {
			diag_error(g->c->diag, n->loc, "tracepoint %s:%s has no field '%s'",
				   g->ap->tp.cat, g->ap->tp.name, n->name);
			return g->err = -EINVAL;
		}
		/* the size and sign sema gave it (0.26: the C type's, tp_field_int()) */
		sz = s->t.size == 1 ? BPF_B : s->t.size == 2 ? BPF_H : s->t.size == 4 ? BPF_W : BPF_DW;
		cg_ldx(g, sz, BPF_REG_0, BPF_REG_6, (int16_t)f->offset);
		if (s->t.size < 8)
			cg_extend(g, (int)s->t.size, s->t.is_signed);
		return 0;
	}
	/* Go parameters */
	{
		struct go_param *gp = &g->ap->up.params[s->go_param];
		bool member = NS(n->a)->ext == VX_GOSTRUCT || NS(n->a)->t.kind == LT_ARRAY;
		int reg = member ? gp->member_reg[s->go_member] : gp->regs[0];

		if (g->ap->up.stash && !gp->is_result) /* Go return: the entry's registers */
			cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_9, (int16_t)(g->saved_regs + reg));
		else
			cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_6, (int16_t)reg);
		/* a register's bits above a narrow value (bool, int32) are undefined */
		if (!member)
			cg_extend(g, gp->size, gp->is_signed);
	}
	return 0;
}

/*
 * Assignments that read-modify-write an integer (x op= e, x++, ++x) and plain assignments
 * used as values. With want, R0 holds the expression's value afterwards.
 */
int cg_update(struct cg *g, struct node *n, bool want)
{
	struct node *lhs = n->a;
	bool incdec = n->kind == N_INCDEC, post = incdec && n->num;
	int alu = incdec ? (n->op == TOK_INC ? BPF_ADD : BPF_SUB) : binop_alu(n->op);

	if (!incdec && !n->op) {
		/* plain assignment of an integer, used as an expression */
		if (lhs->kind == N_VAR) {
			const struct var *v = &g->p->vars[NS(lhs)->var];

			cg_int(g, n->b);
			cg_extend(g, (int)v->type.size, v->type.is_signed);
			cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)v->heap_off, BPF_REG_0);
			return 0;
		}
		return g->err = -EINVAL;
	}
	if (alu < 0)
		return g->err = -EINVAL;
	if (incdec) /* 1, or a C pointer's pointee size: $p++ moves to the next element */
		cg_mov_imm(g, BPF_REG_0, bt_incdec_step(g->c, lhs));
	else
		cg_int(g, n->b);
	if (lhs->kind == N_VAR) {
		const struct var *v = &g->p->vars[NS(lhs)->var];
		int16_t vo = (int16_t)v->heap_off;

		cg_mov64(g, BPF_REG_1, BPF_REG_0);
		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_10, vo);
		cg_mov64(g, BPF_REG_2, BPF_REG_0);
		cg_alu_reg(g, alu, BPF_REG_0, BPF_REG_1);
		/* a variable declared narrower (let $x: uint8) wraps at its size */
		cg_extend(g, (int)v->type.size, v->type.is_signed);
		cg_stx(g, BPF_DW, BPF_REG_10, vo, BPF_REG_0);
		if (post)
			cg_mov64(g, BPF_REG_0, BPF_REG_2);
		return 0;
	}
	/* map: lookup, create with 0 when absent, then update in place */
	{
		struct mapdef *md = &g->c->maps[NS(lhs)->map];
		uint32_t saved = g->heap, key, val;
		int have = cg_label(g), done = cg_label(g);

		cg_push(g);
		key = cg_map_key(g, lhs);
		val = cg_heap_alloc(g, md->m.value_size);
		cg_map_lookup_or_init(g, md->m.fd, key, val, md->m.value_size, &lhs->loc);
		cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, have);
		cg_pop(g, BPF_REG_0);
		cg_mov_imm(g, BPF_REG_0, 0);
		cg_ja(g, done);
		cg_bind(g, have);
		g->stack += 8; /* the pushed operand is still there on this path */
		cg_pop(g, BPF_REG_1);
		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
		cg_mov64(g, BPF_REG_3, BPF_REG_2);
		cg_alu_reg(g, alu, BPF_REG_3, BPF_REG_1);
		cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_3);
		cg_mov64(g, BPF_REG_0, post ? BPF_REG_2 : BPF_REG_3);
		cg_bind(g, done);
		g->heap = saved;
	}
	return 0;
}

int cg_int(struct cg *g, struct node *n)
{
	struct nsema *s = NS(n);

	switch (n->kind) {
	case N_NUM:
		cg_ld_imm64(g, BPF_REG_0, (uint64_t)n->num);
		return 0;
	case N_POSPARAM:
		cg_ld_imm64(g, BPF_REG_0, (uint64_t)s->k[0]);
		return 0;
	case N_SIZEOF:
		cg_mov_imm(g, BPF_REG_0, (int32_t)s->k[0]);
		return 0;
	case N_IDENT:
	case N_CALL:
		return emit_builtin(g, n, -1);
	case N_MAP:
		map_read_int(g, n);
		return 0;
	case N_VAR: {
		struct var *v = &g->p->vars[s->var];

		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_10, (int16_t)v->heap_off);
		return 0;
	}
	case N_BINOP:
		return cg_binop(g, n);
	case N_UNOP:
		if (bt_is_access(n))
			return bt_cg_int(g, n);
		cg_int(g, n->a);
		switch (n->op) {
		case '-':
			cg_emit(g, INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0));
			break;
		case '~':
			cg_alu_imm(g, BPF_XOR, 0, -1);
			break;
		case '!': {
			int t = cg_label(g);

			cg_mov64(g, BPF_REG_1, BPF_REG_0);
			cg_mov_imm(g, BPF_REG_0, 1);
			cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, t);
			cg_mov_imm(g, BPF_REG_0, 0);
			cg_bind(g, t);
			break;
		}
		case '*':
			deref(g, s->t.size, s->t.is_signed);
			break;
		}
		return 0;
	case N_TERNARY: {
		int els = cg_label(g), done = cg_label(g);

		cg_int(g, n->a);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, els);
		cg_int(g, n->b);
		cg_ja(g, done);
		cg_bind(g, els);
		cg_int(g, n->c);
		cg_bind(g, done);
		return 0;
	}
	case N_FIELD:
		if (bt_is_access(n))
			return bt_cg_int(g, n);
		if (NS(n->a)->t.kind == LT_TUPLE) {
			uint32_t saved = g->heap,
				 off = cg_heap_alloc(g, lt_type_size(&NS(n->a)->t));

			cg_value(g, n->a, off);
			cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_9,
			       (int16_t)(off + NS(n->a)->t.members[s->k[0]].offset));
			g->heap = saved;
			return 0;
		}
		return cg_field_int(g, n);
	case N_INDEX:
		if (bt_is_access(n))
			return bt_cg_int(g, n);
		if (NS(n->a)->t.kind == LT_STR)
			return cg_str_index(g, n);
		cg_int(g, n->b);
		cg_alu_imm(g, BPF_MUL, BPF_REG_0, (int32_t)s->k[0]);
		cg_push(g);
		cg_int(g, n->a);
		cg_pop(g, BPF_REG_1);
		cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
		deref(g, s->t.size, s->t.is_signed);
		return 0;
	case N_CAST:
		cg_int(g, n->a);
		if (s->t.is_bool && s->k[0]) {
			cg_nonzero(g, BPF_REG_1, BPF_REG_0);
			cg_mov64(g, BPF_REG_0, BPF_REG_1);
			return 0;
		}
		if (!s->k[3])
			cg_extend(g, s->t.size, s->t.is_signed);
		return 0;
	case N_INCDEC:
	case N_ASSIGN:
		return cg_update(g, n, true);
	default:
		return g->err = -EINVAL;
	}
}

int cg_value(struct cg *g, struct node *n, uint32_t off)
{
	struct nsema *s = NS(n);

	if (!cg_is_blob(&s->t)) {
		cg_int(g, n);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)off, BPF_REG_0);
		return 0;
	}
	if (bt_is_access(n))
		return bt_cg_value(g, n, off);
	switch (n->kind) {
	case N_STR:
		cg_const_str(g, off, n->name, (uint32_t)n->num, s->t.size);
		return 0;
	case N_POSPARAM: {
		const char *v = g->c->opts->params[n->num - 1];

		cg_const_str(g, off, v, (uint32_t)strlen(v), s->t.size);
		return 0;
	}
	case N_IDENT:
	case N_CALL:
		return emit_builtin(g, n, (int)off);
	case N_VAR: {
		struct var *v = &g->p->vars[s->var];

		cg_copy(g, off, v->heap_off, lt_type_size(&s->t));
		return 0;
	}
	case N_MAP: {
		struct mapdef *md = &g->c->maps[s->map];
		uint32_t saved = g->heap, key = cg_map_key(g, n);

		cg_map_lookup(g, md->m.fd, key);
		cg_copy_value(g, off, lt_type_size(&s->t));
		g->heap = saved;
		return 0;
	}
	case N_TERNARY: {
		int els = cg_label(g), done = cg_label(g);
		uint32_t sz = lt_type_size(&s->t);

		cg_int(g, n->a);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, els);
		cg_zero(g, off, sz);
		cg_value(g, n->b, off);
		cg_ja(g, done);
		cg_bind(g, els);
		cg_zero(g, off, sz);
		cg_value(g, n->c, off);
		cg_bind(g, done);
		return 0;
	}
	case N_RECORD: /* its values, as a tuple's */
	case N_TUPLE: {
		int i = 0;

		cg_zero(g, off, lt_type_size(&s->t));
		for (struct node *a = n->args; a; a = a->next, i++)
			cg_value(g, a, off + s->t.members[i].offset);
		return 0;
	}
	case N_FIELD:
		if (NS(n->a)->t.kind == LT_TUPLE) {
			uint32_t saved = g->heap,
				 tmp = cg_heap_alloc(g, lt_type_size(&NS(n->a)->t));

			cg_value(g, n->a, tmp);
			cg_copy(g, off, tmp + NS(n->a)->t.members[s->k[0]].offset,
				lt_type_size(&s->t));
			g->heap = saved;
			return 0;
		}
		if (s->k[3] == 2 && NS(n->a)->ext == VX_ARGS) {
			go_emit_error(g, &g->ap->up.params[s->go_param], off, g->ap->up.errs_fd);
			return 0;
		}
		if (s->k[3] == 3 && NS(n->a)->ext == VX_ARGS) {
			struct lt_type elem;
			uint32_t esize;

			go_param_int_slice(&g->ap->up.params[s->go_param], &elem, &esize);
			go_emit_slice(g, &g->ap->up.params[s->go_param], off, &elem, esize);
			return 0;
		}
		if (s->k[3] && NS(n->a)->ext == VX_ARGS) {
			/* a Go string parameter: bytes at reg0, length in reg1 */
			struct go_param *gp = &g->ap->up.params[s->go_param];
			bool saved = g->ap->up.stash && !gp->is_result;
			int base = saved ? BPF_REG_9 : BPF_REG_6;
			int16_t adj = saved ? (int16_t)g->saved_regs : 0;
			int ok = cg_label(g);

			cg_zero(g, off, s->t.size);
			cg_ldx(g, BPF_DW, BPF_REG_2, base, (int16_t)(adj + gp->regs[1]));
			cg_jmp_imm(g, BPF_JLE, BPF_REG_2, (int32_t)s->t.size - 1, ok);
			cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size - 1);
			cg_bind(g, ok);
			cg_ldx(g, BPF_DW, BPF_REG_3, base, (int16_t)(adj + gp->regs[0]));
			cg_heap_ptr(g, BPF_REG_1, off);
			cg_call(g, BPF_FUNC_probe_read_user);
			return 0;
		}
		if (s->field && g->p->type == PT_TRACEPOINT) {
			const struct tp_field *f = tp_field_find(&g->ap->tp.fmt, n->name);

			if (!f || !f->is_str)
				return g->err = -EINVAL;
			if (f->data_loc) {
				/* u32 at the field: (len << 16) | offset from the record start */
				cg_zero(g, off, s->t.size);
				cg_ldx(g, BPF_W, BPF_REG_3, BPF_REG_6, (int16_t)f->offset);
				cg_alu_imm(g, BPF_AND, BPF_REG_3, 0xffff);
				cg_alu_reg(g, BPF_ADD, BPF_REG_3, BPF_REG_6);
				cg_heap_ptr(g, BPF_REG_1, off);
				cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size);
				cg_call(g, BPF_FUNC_probe_read_kernel_str);
				return 0;
			}
			for (int i = 0; i < f->array_len && i < (int)s->t.size; i++) {
				cg_ldx(g, BPF_B, BPF_REG_1, BPF_REG_6, (int16_t)(f->offset + i));
				cg_stx(g, BPF_B, BPF_REG_9, (int16_t)(off + i), BPF_REG_1);
			}
			cg_st_imm(g, BPF_B, BPF_REG_9, (int16_t)(off + s->t.size - 1), 0);
			return 0;
		}
		return g->err = -EINVAL;
	default:
		return g->err = -EINVAL;
	}
}
