// SPDX-License-Identifier: GPL-2.0
/*
 * debugf(fmt, ...) as bpftrace has it: bpf_trace_printk(), whose line goes to the kernel's trace
 * pipe (/sys/kernel/tracing/trace_pipe), not to tracekit's output. At most 3 arguments, and
 * only the conversions the helper itself knows (%d %i %u %x, with l or ll, %p, %s, %%); the
 * call warns at compile time, as bpftrace's does.
 */
#include <errno.h>
#include <string.h>

#include "lang/cg.h"

#define DEBUGF_MAX_ARGS 3

/*
 * The conversions of fmt, in order, into conv ('i' an integer one, 's' a string): their
 * number, or -1 after an error.
 */
static int debugf_convs(struct compiler *c, struct node *n, const char *fmt,
			char conv[DEBUGF_MAX_ARGS + 1])
{
	int k = 0;

	for (const char *p = fmt; (p = strchr(p, '%')); p++) {
		if (p[1] == '%') {
			p++;
			continue;
		}
		p++;
		if (*p == 'l')
			p += p[1] == 'l' ? 2 : 1;
		if (!*p || !strchr("diuxps", *p))
			return sema_err(
				c, n->loc,
				"debugf: unsupported format specifier: %c (bpf_trace_printk "
				"takes %%d %%i %%u %%x %%p %%s)",
				*p ? *p : '%'); /* ours */
		if (k < DEBUGF_MAX_ARGS)
			conv[k] = *p == 's' ? 's' : 'i';
		k++;
	}
	return k;
}

static int ck_debugf(struct compiler *c, struct node *n)
{
	struct node *f = n->args;
	char conv[DEBUGF_MAX_ARGS + 1];
	int nargs = (int)node_count(n->args) - 1, nconv, i = 0;

	sema_info(n)->ext = VX_VOID;
	if (!f || f->kind != N_STR)
		return sema_err(c, n->loc,
				"debugf() expects a string literal as its first argument");
	sema_expr(c, f);
	if (nargs > DEBUGF_MAX_ARGS)
		return sema_err(
			c, n->loc,
			"debugf() takes at most %d arguments after the format (%d provided)",
			DEBUGF_MAX_ARGS, nargs); /* ours: the helper's limit */
	nconv = debugf_convs(c, n, f->name, conv);
	if (nconv < 0)
		return -EINVAL;
	if (nconv != nargs)
		return sema_err(c, n->loc,
				"%s arguments for format string (%d supplied, %d expected)",
				nconv > nargs ? "not enough" : "too many", nargs, nconv);
	for (struct node *a = f->next; a; a = a->next, i++) {
		if (sema_expr(c, a))
			return -EINVAL;
		if (conv[i] == 's' ? NS(a)->t.kind != LT_STR : !lt_is_int(&NS(a)->t))
			return sema_err(c, a->loc, "debugf: %s expected for this conversion",
					conv[i] == 's' ? "a string" : "an integer"); /* ours */
	}
	if (!c->quiet)
		diag_warn(c->diag, n->loc,
			  "The debugf() builtin is not recommended for production use. For more "
			  "information see bpf_trace_printk in bpf-helpers(7).");
	return 0;
}

static int em_debugf(struct cg *g, struct node *n, int dst)
{
	struct node *f = n->args;
	uint32_t saved = g->heap, len = (uint32_t)f->num + 1, fmt = cg_heap_alloc(g, len);
	uint32_t slot[DEBUGF_MAX_ARGS];
	int i = 0;

	cg_const_str(g, fmt, f->name, (uint32_t)f->num, len);
	/* every argument is computed before R3-R5 are loaded: the computing clobbers them */
	for (struct node *a = f->next; a; a = a->next, i++) {
		if (NS(a)->t.kind == LT_STR) {
			slot[i] = cg_heap_alloc(g, lt_type_size(&NS(a)->t));
			cg_value(g, a, slot[i]);
		} else {
			slot[i] = cg_heap_alloc(g, 8);
			cg_int(g, a);
			cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)slot[i], BPF_REG_0);
		}
	}
	i = 0;
	for (struct node *a = f->next; a; a = a->next, i++) {
		if (NS(a)->t.kind == LT_STR)
			cg_heap_ptr(g, BPF_REG_3 + i, slot[i]);
		else
			cg_ldx(g, BPF_DW, BPF_REG_3 + i, BPF_REG_9, (int16_t)slot[i]);
	}
	cg_heap_ptr(g, BPF_REG_1, fmt);
	cg_mov_imm(g, BPF_REG_2, (int32_t)len);
	cg_call(g, BPF_FUNC_trace_printk);
	g->heap = saved;
	return 0;
}

const struct builtin builtins_debug[] = {
	{"debugf", true, PTM_ALL, ck_debugf, em_debugf},
	{NULL},
};
