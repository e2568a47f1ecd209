// SPDX-License-Identifier: GPL-2.0
/*
 * tseries(value, interval, count[, "avg"|"max"|"min"|"sum"]) (bpftrace 0.24, unstable): the
 * last `count` intervals of a value, one per `interval` ns of TAI time, as a ring of
 * struct lt_ts_slot in the map's per-CPU value (types.h §2). Without a mode an interval
 * keeps the value written last. Printed by lang/print_tseries.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lang/cg.h"

/*
 * One CPU's value stays within 4 KiB: maps allocate their entries as keys come
 * (BPF_F_NO_PREALLOC, run.c), and the kernel's allocator, refilled behind the programs,
 * fails more new keys of a burst the larger the per-CPU value (measured on openat bursts
 * while building: 8 KiB lhist values lost 59-107 new keys in 0.5 s, 4 KiB ones 0-43,
 * hist's 528 bytes none). bpftrace's own bound is 1000000 (an interval per map entry).
 */
#define TS_MAX_COUNT ((4096 - 8) / (int)sizeof(struct lt_ts_slot))

/* bpftrace's words (src/ast/passes/unstable_feature.cpp) */
#define TS_UNSTABLE                                                                                \
	"Script is using an unstable feature: tseries. To prevent this warning you must "          \
	"explicitly enable it in the config e.g. unstable_tseries=enable"
#define TS_DISABLED                                                                                \
	"tseries feature is not enabled by default. To enable this unstable feature, set "         \
	"the config flag to enable. unstable_tseries=enable"

/* *v = the literal a; false (after the error) when it is not a non-negative literal. */
static bool ts_literal(struct compiler *c, struct node *a, const char *what, int64_t *v)
{
	if (sema_expr(c, a))
		return false;
	if (!sema_const_int(c, a, v) || *v < 0) {
		sema_err(c, a->loc, "tseries: invalid %s value (must be non-negative literal)",
			 what);
		return false;
	}
	return true;
}

/*
 * k[0] interval (ns), k[1] count, k[2] mode (enum lt_ts_mode), k[3] whether the value is
 * signed; the map takes them in tseries_map_params().
 */
static int ck_tseries(struct compiler *c, struct node *n)
{
	/* enum lt_ts_mode's order after LT_TS_LAST */
	static const char *const modes[] = {"avg", "max", "min", "sum"};
	struct nsema *s = sema_info(n);
	struct node *v = n->args, *iv, *cnt, *mode;
	int na = (int)node_count(n->args);

	s->ext = VX_AGG;
	s->agg = LT_AGG_TSERIES;
	if (c->opts->unstable_tseries == UNSTABLE_ERROR)
		return sema_err(c, n->loc, TS_DISABLED);
	if (na < 3 || na > 4)
		return sema_err(c, n->loc, "tseries() requires 3 or 4 arguments (%d provided)", na);
	iv = v->next;
	cnt = iv->next;
	mode = cnt->next;
	if (sema_expr(c, v))
		return -EINVAL;
	if (!lt_is_int(&NS(v)->t) || NS(v)->ext)
		return sema_err(c, v->loc, "tseries() expects an integer argument");
	if (NS(v)->t.is_bool)
		return sema_err(c, n->loc,
				"tseries() only supports integer arguments (bool provided)");
	s->k[3] = NS(v)->t.is_signed;
	if (!ts_literal(c, iv, "interval_ns", &s->k[0]) ||
	    !ts_literal(c, cnt, "num_intervals", &s->k[1]))
		return -EINVAL;
	if (s->k[0] == 0)
		return sema_err(c, n->loc, "tseries() interval_ns must be >= 1 (0 provided)");
	if (s->k[1] == 0)
		return sema_err(c, n->loc, "tseries() num_intervals must be >= 1 (0 provided)");
	if (s->k[1] > 1000000)
		return sema_err(c, n->loc,
				"tseries() num_intervals must be < 1000000 (%lld provided)",
				(long long)s->k[1]);
	if (s->k[1] > TS_MAX_COUNT) /* ours: see TS_MAX_COUNT */
		return sema_err(c, n->loc, "tseries() num_intervals must be <= %d (%lld provided)",
				TS_MAX_COUNT, (long long)s->k[1]);
	s->k[2] = LT_TS_LAST;
	if (mode) {
		size_t i = 0;

		if (mode->kind != N_STR)
			return sema_err(c, mode->loc,
					"tseries() aggregation function must be a string literal");
		while (i < 4 && strcmp(mode->name, modes[i]))
			i++;
		if (i == 4)
			return sema_err(c, n->loc,
					"tseries() expects one of the following aggregation "
					"functions: avg, max, min, sum (\"%s\" provided)",
					mode->name);
		s->k[2] = LT_TS_AVG + (int64_t)i;
	}
	if (!c->quiet && c->opts->unstable_tseries == UNSTABLE_WARN && !c->ts_warned) {
		/* once, without a place: bpftrace logs it outside the diagnostics */
		fprintf(stderr, "WARNING: %s\n", TS_UNSTABLE);
		c->ts_warned = true;
	}
	c->ts_call = n;
	return 0;
}

int tseries_map_params(struct compiler *c, struct mapdef *md, bool first)
{
	struct node *n = c->ts_call;
	const struct nsema *s;

	if (!n)
		return 0;
	s = NS(n);
	if (first) {
		md->m.ts_interval = (uint64_t)s->k[0];
		md->m.ts_count = (uint32_t)s->k[1];
		md->m.ts_mode = (uint32_t)s->k[2];
	} else if (md->m.ts_interval != (uint64_t)s->k[0] || md->m.ts_count != (uint32_t)s->k[1] ||
		   md->m.ts_mode != (uint32_t)s->k[2]) {
		return sema_err(c, n->loc, "Different tseries bounds in a single map unsupported");
	}
	/* one signed call site makes the values signed */
	md->m.ts_signed |= s->k[3] != 0;
	return 0;
}

/*
 * @m[k] = tseries(v, ...): ts = TAI now, epoch = ts / interval, the slot epoch % count. A
 * slot left by an older epoch starts over; else the mode combines v into it.
 */
int cg_tseries(struct cg *g, struct node *map, struct node *fn)
{
	const struct lt_map *m = &g->c->maps[NS(map)->map].m;
	int done = cg_label(g), ok = cg_label(g), fresh = cg_label(g);
	const int16_t sv = 8, smeta = 16, sepoch = 24; /* the slot's fields past the header */
	uint32_t key, val;

	cg_int(g, fn->args);
	cg_push(g);
	cg_call(g, BPF_FUNC_ktime_get_tai_ns);
	cg_push(g);
	key = cg_map_key(g, map);
	val = cg_heap_alloc(g, m->value_size);
	/* a full map makes no entry: reported there, the value dropped */
	cg_map_lookup_or_init(g, m->fd, key, val, m->value_size, &map->loc);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, ok);
	cg_ja(g, done);
	cg_bind(g, ok);
	cg_pop(g, BPF_REG_3); /* ts */
	cg_pop(g, BPF_REG_1); /* v */
	cg_ld_imm64(g, BPF_REG_5, m->ts_interval);
	cg_mov64(g, BPF_REG_2, BPF_REG_3);
	cg_alu_reg(g, BPF_DIV, BPF_REG_2, BPF_REG_5); /* R2 = epoch */
	cg_mov64(g, BPF_REG_4, BPF_REG_2);
	cg_mov_imm(g, BPF_REG_5, (int32_t)m->ts_count);
	cg_alu_reg(g, BPF_MOD, BPF_REG_4, BPF_REG_5);
	/* never taken: it bounds the slot for the verifier */
	cg_jmp_imm(g, BPF_JGE, BPF_REG_4, (int32_t)m->ts_count, done);
	cg_alu_imm(g, BPF_MUL, BPF_REG_4, (int32_t)sizeof(struct lt_ts_slot));
	cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_4); /* R0 + 8 = the slot */
	cg_ldx(g, BPF_DW, BPF_REG_5, BPF_REG_0, sepoch);
	cg_jmp_reg(g, BPF_JNE, BPF_REG_5, BPF_REG_2, fresh);
	if (m->ts_mode == LT_TS_AVG) { /* the count, then the sum */
		cg_ldx(g, BPF_DW, BPF_REG_5, BPF_REG_0, smeta);
		cg_alu_imm(g, BPF_ADD, BPF_REG_5, 1);
		cg_stx(g, BPF_DW, BPF_REG_0, smeta, BPF_REG_5);
	}
	switch (m->ts_mode) {
	case LT_TS_AVG:
	case LT_TS_SUM:
		cg_ldx(g, BPF_DW, BPF_REG_5, BPF_REG_0, sv);
		cg_alu_reg(g, BPF_ADD, BPF_REG_5, BPF_REG_1);
		cg_stx(g, BPF_DW, BPF_REG_0, sv, BPF_REG_5);
		break;
	case LT_TS_MIN:
	case LT_TS_MAX: {
		bool min = m->ts_mode == LT_TS_MIN;

		cg_ldx(g, BPF_DW, BPF_REG_5, BPF_REG_0, sv);
		cg_jmp_reg(g,
			   m->ts_signed ? (min ? BPF_JSGE : BPF_JSLE) : (min ? BPF_JGE : BPF_JLE),
			   BPF_REG_1, BPF_REG_5, done);
		cg_stx(g, BPF_DW, BPF_REG_0, sv, BPF_REG_1);
		break;
	}
	default: /* last: the value and when it was written, for the CPUs to be compared */
		cg_stx(g, BPF_DW, BPF_REG_0, sv, BPF_REG_1);
		cg_stx(g, BPF_DW, BPF_REG_0, smeta, BPF_REG_3);
		break;
	}
	cg_ja(g, done);
	cg_bind(g, fresh);
	cg_stx(g, BPF_DW, BPF_REG_0, sv, BPF_REG_1);
	if (m->ts_mode == LT_TS_LAST)
		cg_stx(g, BPF_DW, BPF_REG_0, smeta, BPF_REG_3);
	else
		cg_st_imm(g, BPF_DW, BPF_REG_0, smeta, m->ts_mode == LT_TS_AVG);
	cg_stx(g, BPF_DW, BPF_REG_0, sepoch, BPF_REG_2);
	cg_bind(g, done);
	return 0;
}

static int em_tseries(struct cg *g, struct node *n, int dst)
{
	return 0; /* emitted by cg_tseries() from the assignment */
}

const struct builtin builtins_tseries[] = {
	{"tseries", true, PTM_ALL, ck_tseries, em_tseries},
	{NULL},
};
