// SPDX-License-Identifier: GPL-2.0
/*
 * Stacks and symbols: kstack, ustack (bare, (N), (perf[, N]), (raw)), ksym(), usym().
 * Stacks are captured with bpf_get_stack() into the layout of types.h. For Go entry probes
 * the return address at [SP] is inserted as frame 1: at +0 the caller is missing from a
 * frame-pointer walk (go-tracing.md §6).
 */
#include <errno.h>
#include <string.h>

#include "lang/cg.h"

/* build_id (0.25) is for ustack; kstack falls back to raw with bpftrace's warning. */
static void stack_build_id(struct compiler *c, struct node *n, struct nsema *s)
{
	s->t.stack_perf = false;
	s->t.stack_raw = n->name[0] == 'k';
	s->t.stack_build_id = n->name[0] == 'u';
	if (n->name[0] == 'k' && !c->quiet)
		diag_warn(c->diag, n->loc,
			  "'build_id' stack mode can only be used for ustack. Falling back to "
			  "'raw' mode.");
}

static int ck_stack(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	bool user = n->name[0] == 'u';
	int i = 0;

	memset(&s->t, 0, sizeof(s->t));
	s->t.kind = user ? LT_USTACK : LT_KSTACK;
	/* config stack_mode's default (build_id prints as bpftrace's mode here) */
	s->t.stack_perf = c->opts->stack_mode == 1;
	s->t.stack_raw = c->opts->stack_mode == 2;
	if (c->opts->stack_mode == 3 && c->opts->dialect == LANG_0_26)
		stack_build_id(c, n, s);
	for (struct node *a = n->args; a; a = a->next, i++) {
		if (a->kind == N_IDENT && i == 0 && !strcmp(a->name, "build_id") &&
		    c->opts->dialect == LANG_0_26) {
			stack_build_id(c, n, s);
			continue;
		}
		if (a->kind == N_IDENT && i == 0 &&
		    (!strcmp(a->name, "perf") || !strcmp(a->name, "bpftrace") ||
		     !strcmp(a->name, "raw"))) {
			s->t.stack_perf = !strcmp(a->name, "perf");
			s->t.stack_build_id = false;
			/* 0.17 printed raw as its default mode */
			s->t.stack_raw = !strcmp(a->name, "raw") && c->opts->dialect == LANG_0_26;
			continue;
		}
		if (a->kind == N_NUM && a->num >= 1 && a->num <= LT_STACK_FRAMES) {
			s->t.nframes = (uint32_t)a->num;
			continue;
		}
		/* 0.26 takes up to 1024; the kernel walks at most perf_event_max_stack (127) */
		if (a->kind == N_NUM && a->num > LT_STACK_FRAMES && a->num <= 1024 &&
		    c->opts->dialect == LANG_0_26) {
			s->t.nframes = LT_STACK_FRAMES;
			continue;
		}
		return sema_err(
			c, a->loc,
			"%s: invalid argument (expected perf, bpftrace, raw or a frame count 1-%d)",
			n->name, c->opts->dialect == LANG_0_26 ? 1024 : LT_STACK_FRAMES);
	}
	if (i > 2)
		return sema_err(c, n->loc, "%s() takes at most 2 arguments", n->name);
	if (s->t.stack_build_id && (!s->t.nframes || s->t.nframes > LT_STACK_BUILD_ID_FRAMES))
		s->t.nframes = LT_STACK_BUILD_ID_FRAMES;
	return 0;
}

static int em_stack(struct cg *g, struct node *n, int dst)
{
	bool user = n->name[0] == 'u';
	uint32_t nf = NS(n)->t.nframes ? NS(n)->t.nframes : LT_STACK_FRAMES;
	bool build_id = NS(n)->t.stack_build_id;
	uint32_t frames = (build_id ? sizeof(struct bpf_stack_build_id) : 8) * nf;
	bool go_fix = user && g->ap->type == PT_UPROBE && g->ap->up.is_go &&
		      !g->ap->up.has_offset && !build_id;

	if (user) {
		cg_call(g, BPF_FUNC_get_current_pid_tgid);
		cg_alu_imm(g, BPF_RSH, BPF_REG_0, 32);
		cg_stx(g, BPF_W, BPF_REG_9, (int16_t)dst, BPF_REG_0);
	} else {
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)dst, 0);
	}
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(dst + 4), 0);
	/* ustack(N) captures N frames: equal tops must make equal keys */
	if (frames < 8 * LT_STACK_FRAMES)
		cg_zero(g, (uint32_t)dst + 8 + frames, 8 * LT_STACK_FRAMES - frames);
	cg_mov64(g, BPF_REG_1, BPF_REG_6);
	cg_heap_ptr(g, BPF_REG_2, (uint32_t)dst + 8);
	cg_mov_imm(g, BPF_REG_3, (int32_t)frames);
	cg_mov_imm(g, BPF_REG_4,
		   user ? BPF_F_USER_STACK | (build_id ? BPF_F_USER_BUILD_ID : 0) : 0);
	cg_call(g, BPF_FUNC_get_stack);
	if (go_fix) {
		/* shift frames 1.. up by one and put *(u64 *)SP at ip[1] */
		for (int i = (int)nf - 2; i >= 1; i--) {
			cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_9, (int16_t)(dst + 8 + 8 * i));
			cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(dst + 8 + 8 * (i + 1)), BPF_REG_1);
		}
		cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_6, PR_SP);
		cg_heap_ptr(g, BPF_REG_1, (uint32_t)dst + 16);
		cg_mov_imm(g, BPF_REG_2, 8);
		cg_call(g, BPF_FUNC_probe_read_user);
	}
	return 0;
}

static int ck_sym(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	if (node_count(n->args) != 1)
		return sema_err(c, n->loc, "%s() requires 1 argument (%d provided)", n->name,
				(int)node_count(n->args));
	if (sema_expr(c, n->args) || !lt_is_int(&NS(n->args)->t))
		return sema_err(c, n->args->loc, "%s() expects an integer or pointer argument",
				n->name);
	memset(&s->t, 0, sizeof(s->t));
	s->t.kind = n->name[0] == 'u' ? LT_USYM : LT_KSYM;
	return 0;
}

static int em_ksym(struct cg *g, struct node *n, int dst)
{
	return cg_int(g, n->args);
}

static int em_usym(struct cg *g, struct node *n, int dst)
{
	cg_int(g, n->args);
	cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)dst, BPF_REG_0);
	cg_call(g, BPF_FUNC_get_current_pid_tgid);
	cg_alu_imm(g, BPF_RSH, BPF_REG_0, 32);
	cg_stx(g, BPF_W, BPF_REG_9, (int16_t)(dst + 8), BPF_REG_0);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(dst + 12), 0);
	return 0;
}

const struct builtin builtins_stacks[] = {
	{"kstack", false, PTM_ALL, ck_stack, em_stack},
	{"ustack", false, PTM_ALL, ck_stack, em_stack},
	{"ksym", true, PTM_ALL, ck_sym, em_ksym},
	{"usym", true, PTM_ALL, ck_sym, em_usym},
	{NULL},
};
