// SPDX-License-Identifier: GPL-2.0
/* Statements, assignments and whole programs (prologue, predicate, Go entry condition). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/insn.h"
#include "core/kbtf.h"
#include "lang/cg.h"
#include "lang/gopair.h"
#include "lang/lexer.h"

/* @m[k] = v for non-aggregation maps. */
static int cg_map_assign(struct cg *g, struct node *n)
{
	struct mapdef *md = &g->c->maps[NS(n->a)->map];
	uint32_t saved = g->heap, key, val;

	key = cg_map_key(g, n->a);
	val = cg_heap_alloc(g, md->m.value_size);
	if (md->m.val.kind == LT_STR || md->m.val.kind == LT_TUPLE)
		cg_zero(g, val, md->m.value_size);
	if (NS(n->b)->t.kind == LT_STR && NS(n->b)->t.size < md->m.val.size) {
		uint32_t tmp = cg_heap_alloc(g, NS(n->b)->t.size);

		cg_value(g, n->b, tmp);
		cg_copy(g, val, tmp, NS(n->b)->t.size);
	} else {
		cg_value(g, n->b, val);
	}
	cg_ld_map(g, BPF_REG_1, md->m.fd);
	cg_heap_ptr(g, BPF_REG_2, key);
	cg_heap_ptr(g, BPF_REG_3, val);
	cg_mov_imm(g, BPF_REG_4, BPF_ANY);
	cg_call(g, BPF_FUNC_map_update_elem);
	cg_helper_check(g, BPF_FUNC_map_update_elem, 0, &n->a->loc);
	g->heap = saved;
	return 0;
}

static int cg_block(struct cg *g, struct node *blk);

/* $v = e (and let $v = e); a NULL e zeroes the variable (let $v). */
static int var_assign(struct cg *g, const struct var *v, struct node *e)
{
	if (!cg_is_blob(&v->type)) {
		int ret = 0;

		if (e) {
			ret = cg_int(g, e);
			cg_extend(g, (int)v->type.size, v->type.is_signed);
		} else {
			cg_mov_imm(g, BPF_REG_0, 0);
		}
		cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)v->heap_off, BPF_REG_0);
		return ret;
	}
	if (!e || (NS(e)->t.kind == LT_STR && NS(e)->t.size < v->type.size))
		cg_zero(g, v->heap_off, lt_type_size(&v->type));
	return e ? cg_value(g, e, v->heap_off) : 0;
}

/* The running kernel's BTF ids of the open-coded number iterator's kfuncs (Linux 6.4). */
enum { ITER_NEW, ITER_NEXT, ITER_DESTROY };

static int iter_kfunc(int which)
{
	static const char *const names[] = {"bpf_iter_num_new", "bpf_iter_num_next",
					    "bpf_iter_num_destroy"};
	static int ids[3];
	struct kbtf *k;

	if (ids[which])
		return ids[which];
	if (kbtf__open(NULL, &k))
		return -ENOENT;
	for (int i = 0; i < 3; i++) {
		int id = kbtf__find(k, names[i], BTF_KIND_FUNC, NULL);

		ids[i] = id > 0 ? id : -ENOENT;
	}
	kbtf__close(k);
	return ids[which];
}

/* it = R10 + off; call the iterator kfunc which (R2, R3: its other arguments). */
static void iter_call(struct cg *g, int which, int16_t off)
{
	int id = iter_kfunc(which);

	if (id < 0) {
		if (!g->err)
			diag_error(g->c->diag, g->cur_loc,
				   "for loops need the kernel's bpf_iter_num kfuncs (Linux 6.4+)");
		g->err = -ENOTSUP;
		return;
	}
	cg_mov64(g, BPF_REG_1, BPF_REG_10);
	cg_alu_imm(g, BPF_ADD, BPF_REG_1, off);
	cg_emit(g, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id));
}

/*
 * for ($i : START..END) { body } as an open-coded iterator (bpf_iter_num_new/next/destroy):
 * the verifier checks the body once, whatever the bounds, where a plain bounded loop
 * is walked iteration by iteration and refused when END is not known at load time; and no
 * callback is needed (bpf_loop's wants the program's BTF function info). START and END are
 * evaluated once; the iterator takes them as ints and gives at most 8M iterations.
 * Every way out of the body (break, return, exit()) destroys the iterator first.
 */
static int cg_for(struct cg *g, struct node *n)
{
	const struct var *iv = &g->p->vars[NS(n)->k[0]], *it = &g->p->vars[NS(n)->k[2]];
	int top = cg_label(g), done = cg_label(g), out = cg_label(g);
	int saved_exit = g->exit_label;

	if (g->nloops >= CG_MAX_LOOPS)
		return g->err = -E2BIG;
	cg_int(g, n->c->b);
	cg_push(g);
	cg_int(g, n->c->a);
	cg_mov64(g, BPF_REG_2, BPF_REG_0);
	cg_pop(g, BPF_REG_3);
	iter_call(g, ITER_NEW, (int16_t)it->heap_off);
	g->brk[g->nloops] = done;
	g->cont[g->nloops] = top;
	g->nloops++;
	g->exit_label = out;
	cg_bind(g, top);
	iter_call(g, ITER_NEXT, (int16_t)it->heap_off);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	cg_ldx(g, BPF_W, BPF_REG_0, BPF_REG_0, 0);
	cg_extend(g, 4, true);
	cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)iv->heap_off, BPF_REG_0);
	cg_block(g, n->b);
	cg_ja(g, top);
	g->nloops--;
	g->exit_label = saved_exit;
	cg_bind(g, out);
	iter_call(g, ITER_DESTROY, (int16_t)it->heap_off);
	cg_return(g);
	cg_bind(g, done);
	iter_call(g, ITER_DESTROY, (int16_t)it->heap_off);
	return g->err;
}

/*
 * for ($kv : @m) runs its body as the callback of bpf_for_each_map_elem, a subprogram
 * emitted after the program (cg_subs_emit()). What it needs from the loop's place:
 */
struct cg_sub {
	struct node *n; /* the N_FOR; NULL: len(@m)'s callback, which only counts */
	int label;	/* the callback's first instruction */
	uint32_t heap;	/* heap in use where the loop is: the callback allocates above it */
};

/*
 * The callback runs in its own stack frame, so the probe's integer variables (which live on
 * the stack, see cg_program()) are copied in from the caller's frame (R7 = its frame pointer,
 * the helper's callback_ctx) and back out on every way out of the body. The loop's context
 * slot (type LT_NONE) holds a pointer and is no value: it is not copied.
 */
static void sub_copy_vars(struct cg *g, bool in)
{
	for (int i = 0; i < g->p->nvars; i++) {
		const struct var *v = &g->p->vars[i];

		if (cg_is_blob(&v->type) || v->type.kind == LT_NONE)
			continue;
		cg_ldx(g, BPF_DW, BPF_REG_0, in ? BPF_REG_7 : BPF_REG_10, (int16_t)v->heap_off);
		cg_stx(g, BPF_DW, in ? BPF_REG_10 : BPF_REG_7, (int16_t)v->heap_off, BPF_REG_0);
	}
}

/* size bytes at the address in src to heap off (key and value of the callback) */
static void copy_from(struct cg *g, int src, uint32_t off, uint32_t size)
{
	static const int sizes[] = {BPF_DW, BPF_W, BPF_H, BPF_B};
	uint32_t i = 0;

	for (int k = 0, w = 8; k < 4; k++, w /= 2)
		for (; i + (uint32_t)w <= size; i += (uint32_t)w) {
			cg_ldx(g, sizes[k], BPF_REG_0, src, (int16_t)i);
			cg_stx(g, sizes[k], BPF_REG_9, (int16_t)(off + i), BPF_REG_0);
		}
}

/*
 * for ($kv : @m) { body }: the caller's side. The callback returns 0 (next element) or 1
 * (stop); a `return` in the body also sets the loop's flag, which makes the caller leave
 * the probe in turn. NS(n)->k: [0] $kv, [2] the flag, [3] the context slot.
 */
/* R0 = bpf_for_each_map_elem(map fd, a new callback for n, R10 or NULL) */
static void for_each_call(struct cg *g, struct node *n, int fd)
{
	struct cg_sub *s = realloc(g->subs, (g->nsubs + 1) * sizeof(*s));

	if (!s)
		abort();
	g->subs = s;
	s = &g->subs[g->nsubs++];
	s->n = n;
	s->label = cg_label(g);
	s->heap = g->heap;
	cg_ld_map(g, BPF_REG_1, fd);
	/* imm: the callback's label, made its offset by cg_subs_emit() once it is placed */
	cg_emit(g, INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_FUNC, 0, s->label));
	cg_emit(g, INSN(0, 0, 0, 0, 0));
	if (n)
		cg_mov64(g, BPF_REG_3, BPF_REG_10);
	else
		cg_mov_imm(g, BPF_REG_3, 0);
	cg_mov_imm(g, BPF_REG_4, 0);
	cg_call(g, BPF_FUNC_for_each_map_elem);
}

/* len(@m): the helper returns how many elements its callback saw, here all of them. */
void cg_map_len(struct cg *g, int fd)
{
	for_each_call(g, NULL, fd);
}

static int cg_for_map(struct cg *g, struct node *n)
{
	const struct var *flag = &g->p->vars[NS(n)->k[2]], *ctx = &g->p->vars[NS(n)->k[3]];

	cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)ctx->heap_off, BPF_REG_6);
	cg_st_imm(g, BPF_DW, BPF_REG_10, (int16_t)flag->heap_off, 0);
	for_each_call(g, n, g->c->maps[NS(n)->map].m.fd);
	cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_10, (int16_t)flag->heap_off);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, g->exit_label);
	return g->err;
}

/*
 * The callback of sub: long cb(map, key, value, caller's frame). R7 = the caller's frame,
 * R6 = the probe's context (from the caller's slot), R9 = this CPU's heap (looked up again:
 * a program does not change CPU), $kv = (key, value); a per-CPU aggregate's value is the
 * sum over the CPUs, as reading it elsewhere gives. R8 says how the body ended: 0 next,
 * 1 break, 2 return.
 */
static void cg_sub_emit(struct cg *g, const struct cg_sub *sub)
{
	struct node *n = sub->n;
	const struct lt_map *m;
	const struct var *kv, *flag, *ctx;
	const struct lt_type *t;
	int cont, brk, ret, out, zero, noret, noheap;
	uint32_t ksz;

	cg_bind(g, sub->label);
	if (!n) {
		cg_mov_imm(g, BPF_REG_0, 0);
		cg_emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		return;
	}
	m = &g->c->maps[NS(n)->map].m;
	kv = &g->p->vars[NS(n)->k[0]];
	flag = &g->p->vars[NS(n)->k[2]];
	ctx = &g->p->vars[NS(n)->k[3]];
	t = &kv->type;
	ksz = lt_type_size(t->members[0].type);
	cont = cg_label(g), brk = cg_label(g), ret = cg_label(g), out = cg_label(g);
	zero = cg_label(g), noret = cg_label(g), noheap = cg_label(g);
	g->cur_loc = n->loc;
	g->heap = sub->heap;
	g->nloops = 0;
	g->exit_label = ret;
	cg_mov64(g, BPF_REG_7, BPF_REG_4);
	cg_mov64(g, BPF_REG_8, BPF_REG_2);
	cg_mov64(g, BPF_REG_6, BPF_REG_3);
	cg_st_imm(g, BPF_W, BPF_REG_10, -8, 0);
	cg_map_lookup_stack(g, g->fds->heap);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, noheap);
	cg_mov64(g, BPF_REG_9, BPF_REG_0);
	cg_zero(g, kv->heap_off, lt_type_size(t));
	copy_from(g, BPF_REG_8, kv->heap_off, ksz);
	if (m->agg == LT_AGG_NONE) {
		copy_from(g, BPF_REG_6, kv->heap_off + t->members[1].offset,
			  lt_type_size(t->members[1].type));
	} else {
		uint32_t key = cg_heap_alloc(g, m->key_size);

		copy_from(g, BPF_REG_8, key, m->key_size);
		cg_agg_read(g, m, key);
		cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(kv->heap_off + t->members[1].offset),
		       BPF_REG_0);
	}
	cg_ldx(g, BPF_DW, BPF_REG_6, BPF_REG_7, (int16_t)ctx->heap_off);
	sub_copy_vars(g, true);
	g->brk[0] = brk;
	g->cont[0] = cont;
	g->nloops = 1;
	cg_block(g, n->b);
	for (int i = 0; i < 3; i++) {
		cg_bind(g, i == 0 ? cont : i == 1 ? brk : ret);
		cg_mov_imm(g, BPF_REG_8, i);
		cg_ja(g, out);
	}
	cg_bind(g, out);
	sub_copy_vars(g, false);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_8, 2, noret);
	cg_st_imm(g, BPF_DW, BPF_REG_7, (int16_t)flag->heap_off, 1);
	cg_bind(g, noret);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_8, 0, zero);
	cg_bind(g, noheap);
	cg_mov_imm(g, BPF_REG_0, 1);
	cg_emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	cg_bind(g, zero);
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/*
 * After the program's own exit: every callback, then each callback's address in the
 * instruction that loads it (BPF_PSEUDO_FUNC: relative to the next instruction). A callback
 * may hold loops of its own: they are appended to the list as they are met.
 */
static void cg_subs_emit(struct cg *g)
{
	for (int i = 0; i < g->nsubs; i++) {
		struct cg_sub sub = g->subs[i];

		cg_sub_emit(g, &sub);
	}
	for (int i = 0; i < g->n; i++) {
		struct bpf_insn *in = &g->insn[i];

		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && in->src_reg == BPF_PSEUDO_FUNC)
			in->imm = g->labels[in->imm] - i - 1;
	}
	free(g->subs);
	g->subs = NULL;
}

/* An assignment's whole extent: from the target to the end of the value. */
static struct loc span_stmt(const struct node *n)
{
	struct loc l = n->a->loc;

	if (n->b && n->b->loc.line == l.line && n->b->loc.end > l.end)
		l.end = n->b->loc.end;
	return l;
}

static int cg_stmt(struct cg *g, struct node *n)
{
	uint32_t saved = g->heap;
	struct loc saved_loc = g->cur_loc;
	int ret = 0;

	g->cur_loc = n->kind == N_EXPRSTMT ? n->a->loc
		     : n->kind == N_ASSIGN ? span_stmt(n)
					   : n->loc;
	switch (n->kind) {
	case N_ASSIGN:
		if (n->op) {
			ret = cg_update(g, n, false);
		} else if (n->a->kind == N_VAR) {
			ret = var_assign(g, &g->p->vars[NS(n->a)->var], n->b);
		} else if (NS(n->b)->ext == VX_AGG) {
			ret = cg_aggregate(g, n->a, n->b);
		} else {
			ret = cg_map_assign(g, n);
		}
		break;
	case N_INCDEC:
		ret = cg_update(g, n, false);
		break;
	case N_EXPRSTMT:
		if (cg_is_blob(&NS(n->a)->t)) {
			uint32_t off = cg_heap_alloc(g, lt_type_size(&NS(n->a)->t));

			ret = cg_value(g, n->a, off);
		} else if (NS(n->a)->ext == VX_VOID || NS(n->a)->t.kind == LT_NONE) {
			if (n->a->kind == N_CALL || n->a->kind == N_IDENT) {
				const struct builtin *b = builtin_get(NS(n->a)->builtin);

				ret = b && b->emit ? b->emit(g, n->a, -1) : -ENOTSUP;
			}
		} else {
			ret = cg_int(g, n->a);
		}
		break;
	case N_IF: {
		int els = cg_label(g), done = cg_label(g);

		cg_int(g, n->a);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, els);
		cg_block(g, n->b);
		cg_ja(g, done);
		cg_bind(g, els);
		if (n->c)
			cg_block(g, n->c);
		cg_bind(g, done);
		break;
	}
	case N_WHILE: {
		int top = cg_label(g), done = cg_label(g);

		if (g->nloops >= CG_MAX_LOOPS)
			return g->err = -E2BIG;
		g->brk[g->nloops] = done;
		g->cont[g->nloops] = top;
		g->nloops++;
		cg_bind(g, top);
		cg_int(g, n->a);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
		cg_block(g, n->b);
		cg_ja(g, top);
		cg_bind(g, done);
		g->nloops--;
		break;
	}
	case N_UNROLL:
		for (int64_t i = 0; i < NS(n)->k[0]; i++)
			cg_block(g, n->b);
		break;
	case N_LET:
		ret = var_assign(g, &g->p->vars[NS(n->a)->var], n->b);
		break;
	case N_FOR:
		ret = n->c->kind == N_MAP ? cg_for_map(g, n) : cg_for(g, n);
		break;
	case N_RETURN:
		cg_return(g);
		break;
	case N_BREAK:
		cg_ja(g, g->brk[g->nloops - 1]);
		break;
	case N_CONTINUE:
		cg_ja(g, g->cont[g->nloops - 1]);
		break;
	default:
		ret = -EINVAL;
	}
	g->heap = saved;
	g->cur_loc = saved_loc;
	if (ret && !g->err)
		g->err = ret;
	return ret;
}

static int cg_block(struct cg *g, struct node *blk)
{
	for (struct node *s = blk->args; s; s = s->next)
		cg_stmt(g, s);
	return g->err;
}

int cg_program(struct compiler *c, struct probe *p, struct attach_point *ap, struct cg_maps *fds,
	       uint64_t start_ns, struct bpf_insn **out, struct loc **locs)
{
	struct cg g = {.c = c, .p = p, .ap = ap, .fds = fds, .start_ns = start_ns};
	int ret;

	c->cur = p;
	c->cur_ap = ap;
	g.cur_loc = p->node->loc;
	cg_prologue(&g);
	if (ap->type == PT_UPROBE && ap->up.is_go && uprobe_sites__has_conds(&ap->up.sites))
		cg_go_entry_check(&g);
	if (ap_is_uprobe(ap) && ap->up.stash) {
		g.saved_regs = cg_heap_alloc(&g, GOPAIR_REGS_SIZE);
		gopair_emit_fetch(&g, g.saved_regs);
	}
	/*
	 * Scratch variables, zeroed: integers on the stack (fp-16 down) where the verifier
	 * tracks their values (bounded loops need that), everything else in the heap.
	 */
	for (int i = 0; i < p->nvars; i++) {
		uint32_t sz = lt_type_size(&p->vars[i].type);

		if (!cg_is_blob(&p->vars[i].type)) {
			g.stack += 8;
			p->vars[i].heap_off = (uint32_t)(-8 - g.stack);
			cg_st_imm(&g, BPF_DW, BPF_REG_10, (int16_t)p->vars[i].heap_off, 0);
			continue;
		}
		p->vars[i].heap_off = cg_heap_alloc(&g, sz);
		cg_zero(&g, p->vars[i].heap_off, lt_align_up(sz, 8));
	}
	g.heap_vars = g.heap;
	if (p->node->a) {
		g.cur_loc = p->node->a->loc;
		cg_int(&g, p->node->a);
		cg_jmp_imm(&g, BPF_JEQ, BPF_REG_0, 0, g.exit_label);
	}
	cg_block(&g, p->node->b);
	g.cur_loc = p->node->loc;
	if (g.nsubs) {
		/* the program's exit before the callbacks; the epilogue's own one is pruned */
		cg_bind(&g, g.exit_label);
		cg_mov_imm(&g, BPF_REG_0, 0);
		cg_emit(&g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		cg_subs_emit(&g);
		g.exit_label = cg_label(&g);
	}
	ret = cg_epilogue(&g);
	c->cur = NULL;
	c->cur_ap = NULL;
	if (ret) {
		free(g.insn);
		free(g.insn_loc);
		return ret;
	}
	*out = g.insn;
	*locs = g.insn_loc;
	return g.n;
}
