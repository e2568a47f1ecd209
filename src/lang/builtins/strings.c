// SPDX-License-Identifier: GPL-2.0
/*
 * Output and strings: printf (checked against bpftrace's format rules), exit, time,
 * strftime, join, cat, str, buf, strncmp, strlen, strstr, strcontains, ntop, bswap.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/cg.h"
#include "lang/fmt.h"

static const char *kind_word(const struct lt_type *t)
{
	return lt_is_int(t) && t->kind == LT_INT ? "integer"
	       : t->kind == LT_STR		 ? "string"
	       : t->kind == LT_BUF		 ? "buffer"
						 : "other";
}

static bool is_stringish(const struct lt_type *t)
{
	return t->kind == LT_STR || t->kind == LT_KSTACK || t->kind == LT_USTACK ||
	       t->kind == LT_KSYM || t->kind == LT_USYM || t->kind == LT_PROBE ||
	       t->kind == LT_INET || t->kind == LT_TIMESTAMP || t->kind == LT_BUF ||
	       t->kind == LT_TUPLE || t->is_bool /* a bool prints true/false (0.26) */ ||
	       t->resolve || t->kind == LT_ARRAY;
}

/*
 * Check a printf-style format against its arguments. Returns the number of conversions or
 * -EINVAL after a diagnostic.
 */
static int check_format(struct compiler *c, struct node *call, const char *fn, const char *fmt,
			struct node *args)
{
	struct lt_spec specs[64];
	int nconv = lt_fmt_parse(fmt, specs, 64), nargs = (int)node_count(args), i = 0;

	/* conversions as the runtime will see them (bpftrace's rules: %i, %+d are text) */
	for (struct node *a = args; a && i < nconv && i < 64; a = a->next, i++) {
		const struct lt_type *t = &NS(a)->t;
		char conv = specs[i].conv;

		if (specs[i].arg == LT_SPEC_STR && !is_stringish(t))
			return sema_err(
				c, call->loc,
				"%s: %%s specifier expects a value of type string (%s supplied)",
				fn, kind_word(t));
		if ((specs[i].arg == LT_SPEC_BUF || specs[i].arg == LT_SPEC_BUFX ||
		     specs[i].arg == LT_SPEC_BUFH) &&
		    t->kind != LT_BUF && t->kind != LT_STR)
			return sema_err(
				c, call->loc,
				"%s: %%r specifier expects a value of type buffer (%s supplied)",
				fn, kind_word(t));
		if (specs[i].arg == LT_SPEC_INT && !lt_is_int(t))
			return sema_err(
				c, call->loc,
				"%s: %%%c specifier expects a value of type integer (%s supplied)",
				fn, conv, kind_word(t));
	}
	if (nconv > nargs)
		return sema_err(
			c, call->loc,
			"%s: Not enough arguments for format string (%d supplied, %d expected)", fn,
			nargs, nconv);
	if (nconv < nargs)
		return sema_err(
			c, call->loc,
			"%s: Too many arguments for format string (%d supplied, %d expected)", fn,
			nargs, nconv);
	return nconv;
}

static int ck_printf(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct node *f = n->args;

	s->ext = VX_VOID;
	if (!f)
		return sema_err(c, n->loc, "%s() requires at least one argument", n->name);
	if (f->kind != N_STR) {
		if (sema_expr(c, f))
			return -EINVAL;
		return sema_err(c, n->loc, "%s() expects a string literal (%s provided)", n->name,
				lt_is_int(&NS(f)->t) ? "integer" : "string");
	}
	sema_expr(c, f);
	for (struct node *a = f->next; a; a = a->next) {
		if (sema_expr(c, a))
			return -EINVAL;
		if (NS(a)->ext || NS(a)->t.kind == LT_NONE)
			return sema_err(c, a->loc, "%s: argument of this type can not be printed",
					n->name);
	}
	if (check_format(c, n, n->name, f->name, f->next) < 0)
		return -EINVAL;
	if (!strcmp(n->name, "system") && !c->opts->unsafe)
		return sema_err(c, n->loc,
				"system() is an unsafe function being used in safe mode");
	s->fmt = fmt_add(c, f->name, f->next, 0);
	return 0;
}

/* header + args tuple, then out through the ring buffer */
static int em_event(struct cg *g, struct node *n, int kind, struct node *args)
{
	struct nsema *s = NS(n);
	const struct lt_type *tt = &g->c->fmts[s->fmt].f.args;
	uint32_t size = lt_type_size(tt), off = cg_heap_alloc(g, 8 + size);
	int i = 0;

	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, kind);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), s->fmt);
	for (struct node *a = args; a; a = a->next, i++)
		cg_value(g, a, off + 8 + tt->members[i].offset);
	cg_output(g, off, 8 + size);
	return 0;
}

static int em_printf(struct cg *g, struct node *n, int dst)
{
	return em_event(g, n,
			!strcmp(n->name, "cat")	     ? LT_EV_CAT
			: !strcmp(n->name, "system") ? LANG_EV_SYSTEM
						     : LT_EV_PRINTF,
			n->args->next);
}

/*
 * exit() stops the run; 0.26's exit(code) also sets tracekit's exit status. The code travels
 * in the event's id, and the probe returns right after.
 */
static int ck_exit(struct compiler *c, struct node *n)
{
	int nargs = (int)node_count(n->args);

	sema_info(n)->ext = VX_VOID;
	if (c->opts->dialect == LANG_0_17 && nargs)
		return sema_err(c, n->loc, "exit() requires no arguments (%d provided)", nargs);
	if (nargs > 1)
		return sema_err(c, n->loc, "exit() takes up to one argument (%d provided)", nargs);
	if (nargs && (sema_expr(c, n->args) || !lt_is_int(&NS(n->args)->t)))
		return sema_err(c, n->args->loc, "exit() expects an integer exit code");
	return 0;
}

static void emit_exit_code(struct cg *g, struct node *code, int32_t imm)
{
	uint32_t off = cg_heap_alloc(g, 8);

	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_EXIT);
	if (code) {
		cg_int(g, code);
		cg_stx(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), BPF_REG_0);
	} else {
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), imm);
	}
	cg_output(g, off, 8);
	cg_return(g);
}

static int em_exit(struct cg *g, struct node *n, int dst)
{
	emit_exit_code(g, n->args, 0);
	return 0;
}

/* errorf/warnf: a printf whose text goes to stderr after the call's place (0.24/0.25). */
static void note_call_place(struct compiler *c, struct node *n, int fmt)
{
	struct lt_fmt *f = &c->fmts[fmt].f;

	f->file = c->diag->file;
	f->line = n->loc.line;
	f->col = n->loc.col;
	f->end = n->loc.end;
}

int sema_str_index(struct compiler *c, struct node *n)
{
	uint32_t size = NS(n->a)->t.size;
	int64_t i;

	if (!lt_is_int(&NS(n->b)->t) || NS(n->b)->ext)
		return sema_err(c, n->b->loc, "The index of a string must be an integer");
	if (sema_const_int(c, n->b, &i) && (i < 0 || i >= (int64_t)size))
		return sema_err(c, n->loc, "the index %lld is out of bounds for array of size %u",
				(long long)i, size);
	sema_set_int(n, 1, true);
	return 0;
}

int cg_str_index(struct cg *g, struct node *n)
{
	uint32_t size = NS(n->a)->t.size, saved = g->heap, off = cg_heap_alloc(g, size);
	int out = cg_label(g), done = cg_label(g);

	cg_value(g, n->a, off);
	cg_int(g, n->b);
	/* unsigned: a negative index is out of bounds too */
	cg_jmp_imm(g, BPF_JGE, BPF_REG_0, (int32_t)size, out);
	cg_mov64(g, BPF_REG_1, BPF_REG_9);
	cg_alu_reg(g, BPF_ADD, BPF_REG_1, BPF_REG_0);
	cg_ldx(g, BPF_B, BPF_REG_0, BPF_REG_1, (int16_t)off);
	cg_extend(g, 1, true);
	cg_ja(g, done);
	cg_bind(g, out);
	cg_mov_imm(g, BPF_REG_0, 0);
	cg_bind(g, done);
	g->heap = saved;
	return 0;
}

static int ck_errorf(struct compiler *c, struct node *n)
{
	if (ck_printf(c, n))
		return -EINVAL;
	note_call_place(c, n, NS(n)->fmt);
	return 0;
}

static int em_errorf(struct cg *g, struct node *n, int dst)
{
	bool warn = !strcmp(n->name, "warnf");

	/* --no-warnings silences warnf at its source: no event at all */
	if (warn && g->c->diag->no_warnings)
		return 0;
	return em_event(g, n, warn ? LT_EV_WARNF : LT_EV_ERRORF, n->args->next);
}

/* assert(cond, msg): errorf("assert failed: %s", msg) and exit(1) when cond is false. */
static int ck_assert(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct node *cond = n->args, *msg = cond ? cond->next : NULL;

	s->ext = VX_VOID;
	if (!msg || msg->next)
		return sema_err(c, n->loc, "assert() requires 2 arguments (%d provided)",
				(int)node_count(n->args));
	if (sema_expr(c, cond) || sema_expr(c, msg))
		return -EINVAL;
	if (NS(cond)->ext || !lt_is_int(&NS(cond)->t))
		return sema_err(c, cond->loc, "Invalid condition in assert()");
	if (NS(msg)->t.kind != LT_STR)
		return sema_err(c, msg->loc, "assert() expects a string message");
	s->fmt = fmt_add(c, "assert failed: %s", n->args, 1);
	note_call_place(c, n, s->fmt);
	return 0;
}

static int em_assert(struct cg *g, struct node *n, int dst)
{
	int ok = cg_label(g);

	cg_int(g, n->args);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, ok);
	em_event(g, n, LT_EV_ERRORF, n->args->next);
	emit_exit_code(g, NULL, 1);
	cg_bind(g, ok);
	return 0;
}

static int ck_time(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	s->ext = VX_VOID;
	if (node_count(n->args) > 1 || (n->args && n->args->kind != N_STR))
		return sema_err(c, n->loc, "time() expects an optional string literal format");
	s->fmt = fmt_add(c, n->args ? n->args->name : "%H:%M:%S\n", NULL, 0);
	return 0;
}

static int em_time(struct cg *g, struct node *n, int dst)
{
	uint32_t off = cg_heap_alloc(g, 8);

	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_TIME);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), NS(n)->fmt);
	cg_output(g, off, 8);
	return 0;
}

static int ck_strftime(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	if (node_count(n->args) != 2 || n->args->kind != N_STR)
		return sema_err(c, n->loc,
				"strftime() expects a format string literal and a timestamp");
	if (sema_expr(c, n->args->next) || !lt_is_int(&NS(n->args->next)->t))
		return sema_err(c, n->args->next->loc, "strftime() expects an integer timestamp");
	s->t.kind = LT_TIMESTAMP;
	s->t.fmt_id = fmt_add(c, n->args->name, NULL, 0);
	return 0;
}

static int em_strftime(struct cg *g, struct node *n, int dst)
{
	cg_int(g, n->args->next);
	/* since 0.19 nsecs and strftime() count from boot; 0.17's nsecs was monotonic */
	if (g->c->opts->dialect == LANG_0_26)
		return 0;
	/* nsecs (monotonic) -> boot time: add (boottime - monotonic) now */
	cg_push(g);
	cg_call(g, BPF_FUNC_ktime_get_boot_ns);
	cg_push(g);
	cg_call(g, BPF_FUNC_ktime_get_ns);
	cg_pop(g, BPF_REG_1);
	cg_alu_reg(g, BPF_SUB, BPF_REG_1, BPF_REG_0);
	cg_pop(g, BPF_REG_0);
	cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_1);
	return 0;
}

static int ck_join(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int na = (int)node_count(n->args);

	s->ext = VX_VOID;
	if (na < 1 || na > 2)
		return sema_err(c, n->loc, "join() requires 1 or 2 arguments (%d provided)", na);
	if (sema_expr(c, n->args) || !lt_is_int(&NS(n->args)->t))
		return sema_err(c, n->args->loc, "join() expects a char ** argument");
	if (na == 2 && n->args->next->kind != N_STR)
		return sema_err(c, n->args->next->loc, "join() delimiter must be a string literal");
	s->fmt = fmt_add(c, na == 2 ? n->args->next->name : " ", NULL, 0);
	c->fmts[s->fmt].f.join_arg_size = 256;
	return 0;
}

static int em_join(struct cg *g, struct node *n, int dst)
{
	uint32_t asz = g->c->fmts[NS(n)->fmt].f.join_arg_size;
	uint32_t off = cg_heap_alloc(g, 8 + LT_JOIN_MAX_ARGS * asz);
	int done = cg_label(g);

	cg_int(g, n->args);
	cg_push(g);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_JOIN);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), NS(n)->fmt);
	for (int i = 0; i < LT_JOIN_MAX_ARGS; i++)
		cg_st_imm(g, BPF_B, BPF_REG_9, (int16_t)(off + 8 + i * asz), 0);
	for (int i = 0; i < LT_JOIN_MAX_ARGS; i++) {
		/* p = argv[i]; if (!p) stop; read string */
		cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_10, (int16_t)(-8 - g->stack));
		cg_alu_imm(g, BPF_ADD, BPF_REG_3, 8 * i);
		cg_read(g, BPF_FUNC_probe_read, 8, BPF_REG_3);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_3, 0, done);
		cg_heap_ptr(g, BPF_REG_1, off + 8 + i * asz);
		cg_mov_imm(g, BPF_REG_2, (int32_t)asz);
		cg_call(g, BPF_FUNC_probe_read_str);
	}
	cg_bind(g, done);
	cg_pop(g, BPF_REG_0);
	cg_output(g, off, 8 + LT_JOIN_MAX_ARGS * asz);
	return 0;
}

static int ck_str(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int na = (int)node_count(n->args);
	int64_t max = lang_max_strlen(c->opts), len = max;

	if (na < 1)
		return sema_err(c, n->loc, "str() requires at least one argument (0 provided)");
	if (na > 2)
		return sema_err(c, n->loc, "str() can only take up to two arguments (%d provided)",
				na);
	if (sema_expr(c, n->args))
		return -EINVAL;
	if (NS(n->args)->t.kind == LT_STR) {
		/* str() of a string (e.g. a positional parameter): the string itself */
		s->t = NS(n->args)->t;
		s->k[1] = 1;
		return 0;
	}
	if (!lt_is_int(&NS(n->args)->t) || NS(n->args)->ext)
		return sema_err(c, n->args->loc,
				"str() expects an integer or a pointer type as first argument (%s "
				"provided)",
				kind_word(&NS(n->args)->t));
	if (na == 2) {
		if (sema_expr(c, n->args->next))
			return -EINVAL;
		if (!sema_const_int(c, n->args->next, &len)) {
			/* a runtime length: capture the default size, cut at run time */
			len = max;
			s->k[2] = 1;
		} else if (len < 0 || (c->opts->dialect == LANG_0_17 && len > 1024)) {
			return sema_err(c, n->args->next->loc,
					"str() length must be between 0 and 1024");
		} else if (len >= max && c->opts->dialect == LANG_0_26) {
			if (!c->quiet)
				diag_warn(c->diag, n->args->next->loc,
				  "length param (%lld) is too long and will be shortened to %u "
				  "bytes (see BPFTRACE_MAX_STRLEN)",
				  (long long)len, (unsigned int)max);
			len = max;
		} else {
			/* 0.17: n characters, then the NUL; 0.26: n bytes, the NUL among them */
			len += c->opts->dialect == LANG_0_17;
			len = len > max ? max : len;
		}
	}
	sema_set_str(n, (uint32_t)len);
	s->t.may_truncate = true;
	return 0;
}

static int em_str(struct cg *g, struct node *n, int dst)
{
	struct nsema *s = NS(n);

	if (s->k[1])
		return cg_value(g, n->args, (uint32_t)dst);
	cg_zero(g, (uint32_t)dst, s->t.size);
	if (s->k[2]) {
		/* runtime length n: R2 = min(n, size - 1) + 1 (n characters, then the NUL) */
		int ok = cg_label(g);

		cg_int(g, n->args->next);
		cg_push(g);
		cg_int(g, n->args);
		cg_mov64(g, BPF_REG_3, BPF_REG_0);
		cg_pop(g, BPF_REG_2);
		cg_jmp_imm(g, BPF_JLE, BPF_REG_2, (int32_t)s->t.size - 1, ok);
		cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size - 1);
		cg_bind(g, ok);
		cg_alu_imm(g, BPF_ADD, BPF_REG_2, 1);
	} else {
		cg_int(g, n->args);
		cg_mov64(g, BPF_REG_3, BPF_REG_0);
		cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size);
	}
	cg_heap_ptr(g, BPF_REG_1, (uint32_t)dst);
	cg_call(g, BPF_FUNC_probe_read_str);
	cg_helper_check(g, BPF_FUNC_probe_read_str, 0, &n->loc);
	return 0;
}

/* strcap(s) (0.25): the string's capacity, its NUL included: its type's size. */
static int ck_strcap(struct compiler *c, struct node *n)
{
	if (sema_nargs(c, n, 1) || sema_expr(c, n->args))
		return -EINVAL;
	if (NS(n->args)->t.kind != LT_STR)
		return sema_err(c, n->args->loc, "strcap() expects a string (%s provided)",
				kind_word(&NS(n->args)->t));
	sema_set_int(n, 8, true);
	sema_info(n)->k[0] = NS(n->args)->t.size;
	return 0;
}

static int em_strcap(struct cg *g, struct node *n, int dst)
{
	cg_mov_imm(g, BPF_REG_0, (int32_t)NS(n)->k[0]);
	return 0;
}

/* kptr(p)/uptr(p): p, its reads from kernel or from user memory. */
static int ck_addrspace(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);

	if (sema_int_arg(c, n, "a pointer or an integer"))
		return -EINVAL;
	s->t = NS(n->args)->t;
	s->is_user_ptr = !strcmp(n->name, "uptr");
	return 0;
}

static int em_addrspace(struct cg *g, struct node *n, int dst)
{
	return cg_int(g, n->args);
}

static int ck_buf(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int64_t len = LT_STR_DEFAULT;
	uint32_t cap;

	if (node_count(n->args) < 1 || node_count(n->args) > 2)
		return sema_err(c, n->loc, "buf() requires 1 or 2 arguments");
	if (sema_expr(c, n->args) || (!lt_is_int(&NS(n->args)->t) && NS(n->args)->t.kind != LT_STR))
		return sema_err(c, n->args->loc,
				"buf() expects a pointer or a string as first argument");
	if (n->args->next &&
	    (sema_expr(c, n->args->next) || !sema_const_int(c, n->args->next, &len)))
		return sema_err(c, n->args->next->loc, "buf() length must be an integer literal");
	/* 0.22 lifted 0.17's cap of 256 to the string capacity */
	cap = c->opts->dialect == LANG_0_26 ? lang_max_strlen(c->opts) : 256;
	if (len < 1 || len > cap)
		return sema_err(c, n->loc, "buf() length must be between 1 and %u", cap);
	s->t.kind = LT_BUF;
	s->t.size = (uint32_t)len;
	return 0;
}

static int em_buf(struct cg *g, struct node *n, int dst)
{
	struct nsema *s = NS(n);

	cg_zero(g, (uint32_t)dst, lt_type_size(&s->t));
	if (NS(n->args)->t.kind == LT_STR) {
		uint32_t sz = lt_type_size(&NS(n->args)->t), tmp = cg_heap_alloc(g, sz);

		cg_value(g, n->args, tmp);
		cg_copy(g, (uint32_t)dst + 8, tmp, s->t.size < sz ? s->t.size : sz);
	} else {
		cg_int(g, n->args);
		cg_mov64(g, BPF_REG_3, BPF_REG_0);
		cg_heap_ptr(g, BPF_REG_1, (uint32_t)dst + 8);
		cg_mov_imm(g, BPF_REG_2, (int32_t)s->t.size);
		cg_call(g, BPF_FUNC_probe_read);
	}
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)dst, (int32_t)s->t.size);
	return 0;
}

static int ck_strncmp(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	struct node *a = n->args;

	if (node_count(a) != 3)
		return sema_err(c, n->loc, "strncmp() requires 3 arguments (%d provided)",
				(int)node_count(a));
	if (sema_expr(c, a) || sema_expr(c, a->next) || sema_expr(c, a->next->next))
		return -EINVAL;
	if (NS(a)->t.kind != LT_STR || NS(a->next)->t.kind != LT_STR)
		return sema_err(c, n->loc, "strncmp() expects two strings");
	if (!sema_const_int(c, a->next->next, &s->k[0]) || s->k[0] < 0)
		return sema_err(c, a->next->next->loc,
				"strncmp() length must be an integer literal");
	sema_set_int(n, 8, false);
	return 0;
}

static int em_strncmp(struct cg *g, struct node *n, int dst)
{
	struct node *a = n->args;
	uint32_t sa = lt_type_size(&NS(a)->t), sb = lt_type_size(&NS(a->next)->t);
	uint32_t oa = cg_heap_alloc(g, sa), ob = cg_heap_alloc(g, sb);
	uint32_t len = (uint32_t)NS(n)->k[0];

	if (len > sa)
		len = sa;
	if (len > sb)
		len = sb;
	cg_value(g, a, oa);
	cg_value(g, a->next, ob);
	/* strncmp() is 0 for equal strings */
	cg_str_equal(g, oa, ob, len);
	cg_alu_imm(g, BPF_XOR, BPF_REG_0, 1);
	return 0;
}

static int ck_ntop(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int na = (int)node_count(n->args);
	struct node *addr = na == 2 ? n->args->next : n->args;

	if (na < 1 || na > 2)
		return sema_err(c, n->loc, "ntop() requires 1 or 2 arguments (%d provided)", na);
	for (struct node *a = n->args; a; a = a->next)
		if (sema_expr(c, a))
			return -EINVAL;
	if (na == 2 && !lt_is_int(&NS(n->args)->t))
		return sema_err(c, n->args->loc, "ntop() address family must be an integer");
	if (!lt_is_int(&NS(addr)->t) && NS(addr)->t.kind != LT_STR)
		return sema_err(c, addr->loc, "ntop() expects an integer or array argument");
	s->t.kind = LT_INET;
	return 0;
}

static int em_ntop(struct cg *g, struct node *n, int dst)
{
	int na = (int)node_count(n->args);
	struct node *addr = na == 2 ? n->args->next : n->args;

	cg_zero(g, (uint32_t)dst, sizeof(struct lt_inet));
	if (NS(addr)->t.kind == LT_STR) {
		uint32_t sz = NS(addr)->t.size > 16 ? 16 : NS(addr)->t.size;
		uint32_t tmp = cg_heap_alloc(g, NS(addr)->t.size);

		cg_value(g, addr, tmp);
		cg_copy(g, (uint32_t)dst + 8, tmp, sz);
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)dst, sz == 16 ? 10 : 2);
	} else {
		cg_int(g, addr);
		cg_stx(g, BPF_W, BPF_REG_9, (int16_t)(dst + 8), BPF_REG_0);
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)dst, 2);
	}
	if (na == 2) {
		cg_int(g, n->args);
		cg_stx(g, BPF_W, BPF_REG_9, (int16_t)dst, BPF_REG_0);
	}
	return 0;
}

/* strlen(s) (0.25): uint64, the bytes before the NUL. */
static int ck_strlen(struct compiler *c, struct node *n)
{
	if (sema_nargs(c, n, 1) || sema_expr(c, n->args))
		return -EINVAL;
	if (NS(n->args)->t.kind != LT_STR || NS(n->args)->ext)
		return sema_err(c, n->loc, "strlen() only supports string arguments (%s provided)",
				kind_word(&NS(n->args)->t));
	sema_set_int(n, 8, false);
	return 0;
}

static int em_strlen(struct cg *g, struct node *n, int dst)
{
	uint32_t size = NS(n->args)->t.size, saved = g->heap, off = cg_heap_alloc(g, size);

	cg_value(g, n->args, off);
	cg_count_nonzero(g, off, 1, size);
	g->heap = saved;
	return 0;
}

/* strstr(haystack, needle) (0.25): int64, the index of the first match or -1; strcontains */
#define STRSTR_NEEDLE_MAX 64
static int ck_strstr(struct compiler *c, struct node *n)
{
	int na = (int)node_count(n->args);

	if (na != 2)
		return sema_err(c, n->loc, "%s() requires 2 arguments (%d provided)", n->name, na);
	/* bpftrace 0.17's words for strcontains() */
	for (struct node *a = n->args; a; a = a->next) {
		if (sema_expr(c, a))
			return -EINVAL;
		if (NS(a)->t.kind != LT_STR || NS(a)->ext)
			return sema_err(c, n->loc,
					"%s() only supports string arguments (%s provided)",
					n->name, kind_word(&NS(a)->t));
	}
	if (NS(n->args->next)->t.size > STRSTR_NEEDLE_MAX)
		return sema_err(c, n->args->next->loc,
				"%s(): the needle can be at most %d bytes long (string[%u] given): "
				"use a literal or str(ptr, %d)",
				n->name, STRSTR_NEEDLE_MAX, NS(n->args->next)->t.size,
				STRSTR_NEEDLE_MAX);
	if (!strcmp(n->name, "strcontains"))
		sema_set_bool(c, n); /* 0.24; 1/0 before */
	else
		sema_set_int(n, 8, true);
	return 0;
}

/*
 * A loop over the haystack's positions, bounded by its size for the verifier, and at each
 * one the needle compared up to its NUL without a branch (cg_str_diff()); the haystack's NUL
 * is the end. The verifier walks every position with the needle's bytes unrolled in it, so
 * the needle's size is bounded (STRSTR_NEEDLE_MAX).
 */
static int em_strstr(struct cg *g, struct node *n, int dst)
{
	struct node *h = n->args, *nd = h->next;
	uint32_t hs = NS(h)->t.size, ns = NS(nd)->t.size, saved = g->heap;
	uint32_t ho = cg_heap_alloc(g, hs), no = cg_heap_alloc(g, ns);
	int loop = cg_label(g), found = cg_label(g), none = cg_label(g);
	int done = cg_label(g);

	/* a match starting at the haystack's last byte reads past it: into the needle */
	cg_value(g, h, ho);
	cg_value(g, nd, no);
	cg_mov_imm(g, BPF_REG_1, 0);
	cg_bind(g, loop);
	cg_jmp_imm(g, BPF_JGT, BPF_REG_1, (int32_t)hs - 1, none);
	cg_mov64(g, BPF_REG_2, BPF_REG_9);
	cg_alu_reg(g, BPF_ADD, BPF_REG_2, BPF_REG_1);
	cg_str_diff(g, BPF_REG_2, (int16_t)ho, no, ns, true);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, found);
	cg_ldx(g, BPF_B, BPF_REG_3, BPF_REG_2, (int16_t)ho);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_3, 0, none);
	cg_alu_imm(g, BPF_ADD, BPF_REG_1, 1);
	cg_ja(g, loop);
	cg_bind(g, found);
	cg_mov64(g, BPF_REG_0, BPF_REG_1);
	cg_ja(g, done);
	cg_bind(g, none);
	cg_mov_imm(g, BPF_REG_0, -1);
	cg_bind(g, done);
	g->heap = saved;
	return 0;
}

/* strcontains(haystack, needle) (0.17): 1 or 0 (a bool in 0.26, printed true/false there). */
static int em_strcontains(struct cg *g, struct node *n, int dst)
{
	int done = cg_label(g);

	em_strstr(g, n, dst);
	/* -1 -> 0, an index -> 1 */
	cg_alu_imm(g, BPF_ADD, BPF_REG_0, 1);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	cg_mov_imm(g, BPF_REG_0, 1);
	cg_bind(g, done);
	return 0;
}

/*
 * bswap(n): the bytes of n reversed, as an unsigned integer of n's width. A literal has its
 * dialect's width: int64 in 0.17, in 0.26 the smallest signed type that holds it
 * (bpftrace-0.26.md 2.4).
 */
static int ck_bswap(struct compiler *c, struct node *n)
{
	struct node *a = n->args;
	int w;
	int64_t v;

	if (sema_nargs(c, n, 1) || sema_expr(c, a))
		return -EINVAL;
	if (!lt_is_int(&NS(a)->t) || NS(a)->ext)
		return sema_err(c, n->loc, "bswap() only supports integer arguments (%s provided)",
				kind_word(&NS(a)->t));
	w = (int)NS(a)->t.size;
	if (c->opts->dialect == LANG_0_26 && a->kind != N_POSPARAM && sema_const_int(c, a, &v))
		w = v >= INT8_MIN && v <= INT8_MAX     ? 1
		    : v >= INT16_MIN && v <= INT16_MAX ? 2
		    : v >= INT32_MIN && v <= INT32_MAX ? 4
						       : 8;
	sema_set_int(n, w, false);
	return 0;
}

static int em_bswap(struct cg *g, struct node *n, int dst)
{
	uint32_t w = NS(n)->t.size;

	cg_int(g, n->args);
	if (w == 1)
		cg_alu_imm(g, BPF_AND, BPF_REG_0, 0xff);
	else /* to big endian on this little-endian machine: a swap, upper bits cleared */
		cg_emit(g, INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_0, 0, 0, (int32_t)(8 * w)));
	return 0;
}

static int ck_unsafe(struct compiler *c, struct node *n)
{
	return sema_err(c, n->loc, "%s() is an unsafe function being used in safe mode", n->name);
}

const struct builtin builtins_strings[] = {
	{"printf", true, PTM_ALL, ck_printf, em_printf},
	{"cat", true, PTM_ALL, ck_printf, em_printf},
	{"system", true, PTM_ALL, ck_printf, em_printf},
	{"signal", true, PTM_ALL, ck_unsafe, NULL},
	{"exit", true, PTM_ALL, ck_exit, em_exit},
	{"errorf", true, PTM_ALL, ck_errorf, em_errorf},
	{"strcap", true, PTM_ALL, ck_strcap, em_strcap},
	{"kptr", true, PTM_ALL, ck_addrspace, em_addrspace},
	{"uptr", true, PTM_ALL, ck_addrspace, em_addrspace},
	{"warnf", true, PTM_ALL, ck_errorf, em_errorf},
	{"assert", true, PTM_ALL, ck_assert, em_assert},
	{"time", true, PTM_ALL, ck_time, em_time},
	{"strftime", true, PTM_ALL, ck_strftime, em_strftime},
	{"join", true, PTM_ALL, ck_join, em_join},
	{"str", true, PTM_ALL, ck_str, em_str},
	{"buf", true, PTM_ALL, ck_buf, em_buf},
	{"strncmp", true, PTM_ALL, ck_strncmp, em_strncmp},
	{"ntop", true, PTM_ALL, ck_ntop, em_ntop},
	{"strlen", true, PTM_ALL, ck_strlen, em_strlen},
	{"strstr", true, PTM_ALL, ck_strstr, em_strstr},
	{"strcontains", true, PTM_ALL, ck_strstr, em_strcontains},
	{"bswap", true, PTM_ALL, ck_bswap, em_bswap},
	{NULL},
};
