// SPDX-License-Identifier: GPL-2.0
/*
 * Maps and aggregations: count sum avg min max stats hist lhist (per-CPU values in the
 * layouts of types.h), and delete has_key len clear zero print.
 */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lang/cg.h"

static int agg_of(const char *name)
{
	static const char *const names[] = {"",	   "count", "sum",  "min",  "max",
					    "avg", "stats", "hist", "lhist"};

	for (int i = 1; i < 9; i++)
		if (!strcmp(names[i], name))
			return i;
	return 0;
}

static int ck_agg(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int agg = agg_of(n->name);

	s->ext = VX_AGG;
	s->agg = agg;
	if (agg == LT_AGG_COUNT)
		return sema_nargs(c, n, 0);
	if (agg == LT_AGG_LHIST) {
		struct node *a = n->args;

		if (sema_nargs(c, n, 4))
			return -EINVAL;
		if (sema_expr(c, a))
			return -EINVAL;
		for (int i = 0; i < 3; i++) {
			a = a->next;
			if (sema_expr(c, a))
				return -EINVAL;
			if (!sema_const_int(c, a, &s->k[i]))
				return sema_err(c, a->loc, "lhist() %s must be an integer literal",
						i == 0	 ? "min"
						: i == 1 ? "max"
							 : "step");
		}
		if (s->k[2] <= 0)
			return sema_err(c, n->loc, "lhist() step must be >= 1 (%lld provided)",
					(long long)s->k[2]);
		if (s->k[1] <= s->k[0])
			return sema_err(c, n->loc,
					"lhist() min must be less than max (provided min %lld and "
					"max %lld)",
					(long long)s->k[0], (long long)s->k[1]);
		if ((s->k[1] - s->k[0]) / s->k[2] > 1000)
			return sema_err(
				c, n->loc,
				"lhist() too many buckets, must be <= 1000 (would need %lld)",
				(long long)((s->k[1] - s->k[0]) / s->k[2]));
	} else if (agg == LT_AGG_HIST && c->opts->dialect == LANG_0_26 && n->args &&
		   n->args->next) {
		/* hist(v, k) (0.20): 2^k buckets per power of 2, k a literal 0..5 */
		struct node *b = n->args->next;

		if (b->next)
			return sema_err(c, n->loc, "hist() takes up to 2 arguments (%d provided)",
					(int)node_count(n->args));
		if (sema_expr(c, n->args) || sema_expr(c, b))
			return -EINVAL;
		if (!sema_const_int(c, b, &s->k[0]))
			return sema_err(c, b->loc, "hist() bits must be an integer literal");
		if (s->k[0] < 0 || s->k[0] > 5)
			return sema_err(c, b->loc, "hist: bits %lld must be 0..5",
					(long long)s->k[0]);
	} else if (sema_nargs(c, n, 1)) {
		return -EINVAL;
	} else if (sema_expr(c, n->args)) {
		return -EINVAL;
	}
	if (!lt_is_int(&NS(n->args)->t) || NS(n->args)->ext)
		return sema_err(c, n->args->loc, "%s() expects an integer argument", n->name);
	if (NS(n->args)->t.is_bool)
		return sema_err(c, n->loc, "%s() only supports integer arguments (bool provided)",
				n->name);
	return 0;
}

/* slots[R2]++, R0 = slots: a hist's or lhist's bucket (none past the last); uses R3. */
static void count_in_slot(struct cg *g, uint32_t nslots, int done)
{
	cg_jmp_imm(g, BPF_JGT, BPF_REG_2, (int32_t)(nslots - 1), done);
	cg_alu_imm(g, BPF_LSH, BPF_REG_2, 3);
	cg_alu_reg(g, BPF_ADD, BPF_REG_0, BPF_REG_2);
	cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_0, 0);
	cg_alu_imm(g, BPF_ADD, BPF_REG_3, 1);
	cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_3);
}

/*
 * A hist or lhist value's sum (the u64 after its slots), += v (R1), before the slot is
 * computed from it: --metrics exports it as the histogram's _sum. R0: the value.
 */
static void add_to_sum(struct cg *g, const struct lt_map *m)
{
	int16_t off = (int16_t)(8 * lt_hist_slots_of(m));

	cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_0, off);
	cg_alu_reg(g, BPF_ADD, BPF_REG_3, BPF_REG_1);
	cg_stx(g, BPF_DW, BPF_REG_0, off, BPF_REG_3);
}

/* dst += floor(log2(src)) for src >= 1, in halving steps that shift src down to 1 */
static void add_log2(struct cg *g, int src, int dst, int tmp)
{
	for (int sh = 32; sh >= 1; sh /= 2) {
		int skip = cg_label(g);

		cg_mov64(g, tmp, src);
		cg_alu_imm(g, BPF_RSH, tmp, sh);
		cg_jmp_imm(g, BPF_JEQ, tmp, 0, skip);
		cg_mov64(g, src, tmp);
		cg_alu_imm(g, BPF_ADD, dst, sh);
		cg_bind(g, skip);
	}
}

/*
 * R2 = the slot of R1 in hist(v, k) (bpftrace 0.20): 0 for negatives, v + 1 below 2^(k+1)
 * (one value each), then with p = floor(log2(v)) the 2^k slices of [2^p, 2^(p+1)):
 * ((p - k) << k) + (v >> (p - k)) + 1 (the top k + 1 bits of v pick the slice). Jumps to
 * label slot when done; uses R3-R5.
 */
static void hist_bits_slot(struct cg *g, uint32_t k, int slot)
{
	cg_mov_imm(g, BPF_REG_2, 0);
	cg_jmp_imm(g, BPF_JSLT, BPF_REG_1, 0, slot);
	cg_mov64(g, BPF_REG_2, BPF_REG_1);
	cg_alu_imm(g, BPF_ADD, BPF_REG_2, 1);
	cg_jmp_imm(g, BPF_JLT, BPF_REG_1, (int32_t)(2u << k), slot);
	cg_mov64(g, BPF_REG_3, BPF_REG_1);
	cg_mov_imm(g, BPF_REG_4, 0);
	add_log2(g, BPF_REG_3, BPF_REG_4, BPF_REG_5);
	cg_alu_imm(g, BPF_SUB, BPF_REG_4, (int32_t)k);
	cg_mov64(g, BPF_REG_2, BPF_REG_1);
	cg_alu_reg(g, BPF_RSH, BPF_REG_2, BPF_REG_4);
	cg_alu_imm(g, BPF_LSH, BPF_REG_4, (int32_t)k);
	cg_alu_reg(g, BPF_ADD, BPF_REG_2, BPF_REG_4);
	cg_alu_imm(g, BPF_ADD, BPF_REG_2, 1);
}

/*
 * @m[k] = agg(v): value first (it may call helpers), then find or create the per-CPU
 * entry and update it in place.
 */
int cg_aggregate(struct cg *g, struct node *map, struct node *fn)
{
	struct mapdef *md = &g->c->maps[NS(map)->map];
	struct nsema *s = NS(fn);
	uint32_t key, val;
	int done = cg_label(g), ok = cg_label(g);

	if (md->m.agg == LT_AGG_TSERIES)
		return cg_tseries(g, map, fn);
	if (md->m.agg == LT_AGG_LHIST) {
		md->m.lhist_min = s->k[0];
		md->m.lhist_max = s->k[1];
		md->m.lhist_step = s->k[2];
	}
	if (fn->args)
		cg_int(g, fn->args);
	else
		cg_mov_imm(g, BPF_REG_0, 1);
	cg_push(g);
	key = cg_map_key(g, map);
	val = cg_heap_alloc(g, md->m.value_size);
	/* a full map makes no entry: reported there, the value dropped */
	cg_map_lookup_or_init(g, md->m.fd, key, val, md->m.value_size, &map->loc);
	cg_jmp_imm(g, BPF_JNE, BPF_REG_0, 0, ok);
	cg_ja(g, done);
	cg_bind(g, ok);
	cg_pop(g, BPF_REG_1); /* R1 = value, R0 = per-CPU slot */
	switch (md->m.agg) {
	case LT_AGG_COUNT:
	case LT_AGG_SUM:
		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
		cg_alu_reg(g, BPF_ADD, BPF_REG_2, BPF_REG_1);
		cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_2);
		break;
	case LT_AGG_AVG:
	case LT_AGG_STATS:
		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
		cg_alu_reg(g, BPF_ADD, BPF_REG_2, BPF_REG_1);
		cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_2);
		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 8);
		cg_alu_imm(g, BPF_ADD, BPF_REG_2, 1);
		cg_stx(g, BPF_DW, BPF_REG_0, 8, BPF_REG_2);
		break;
	case LT_AGG_MIN:
	case LT_AGG_MAX: {
		int store = cg_label(g);

		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 8);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_2, 0, store);
		cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
		cg_jmp_reg(g, md->m.agg == LT_AGG_MIN ? BPF_JSLT : BPF_JSGT, BPF_REG_1, BPF_REG_2,
			   store);
		cg_ja(g, done);
		cg_bind(g, store);
		cg_stx(g, BPF_DW, BPF_REG_0, 0, BPF_REG_1);
		cg_st_imm(g, BPF_DW, BPF_REG_0, 8, 1);
		break;
	}
	case LT_AGG_HIST: {
		/* slot = v < 0 ? 0 : v == 0 ? 1 : 2 + floor(log2(v)) */
		int neg = cg_label(g), zero = cg_label(g), slot = cg_label(g);

		add_to_sum(g, &md->m);
		if (md->m.hist_bits) {
			hist_bits_slot(g, md->m.hist_bits, slot);
			cg_bind(g, slot);
			count_in_slot(g, lt_hist_slots_of(&md->m), done);
			break;
		}

		cg_mov_imm(g, BPF_REG_2, 0);
		cg_jmp_imm(g, BPF_JSLT, BPF_REG_1, 0, neg);
		cg_mov_imm(g, BPF_REG_2, 1);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, zero);
		cg_mov_imm(g, BPF_REG_2, 2);
		add_log2(g, BPF_REG_1, BPF_REG_2, BPF_REG_3);
		cg_bind(g, neg);
		cg_bind(g, zero);
		cg_bind(g, slot);
		count_in_slot(g, LT_HIST_SLOTS, done);
		break;
	}
	case LT_AGG_LHIST: {
		uint32_t nslots = lt_lhist_slots(s->k[0], s->k[1], s->k[2]);
		int low = cg_label(g), high = cg_label(g), slot = cg_label(g);

		add_to_sum(g, &md->m);
		cg_ld_imm64(g, BPF_REG_3, (uint64_t)s->k[0]);
		cg_jmp_reg(g, BPF_JSLT, BPF_REG_1, BPF_REG_3, low);
		cg_ld_imm64(g, BPF_REG_4, (uint64_t)s->k[1]);
		cg_jmp_reg(g, BPF_JSGE, BPF_REG_1, BPF_REG_4, high);
		cg_mov64(g, BPF_REG_2, BPF_REG_1);
		cg_alu_reg(g, BPF_SUB, BPF_REG_2, BPF_REG_3);
		cg_ld_imm64(g, BPF_REG_4, (uint64_t)s->k[2]);
		cg_alu_reg(g, BPF_DIV, BPF_REG_2, BPF_REG_4);
		cg_alu_imm(g, BPF_ADD, BPF_REG_2, 1);
		cg_ja(g, slot);
		cg_bind(g, low);
		cg_mov_imm(g, BPF_REG_2, 0);
		cg_ja(g, slot);
		cg_bind(g, high);
		cg_mov_imm(g, BPF_REG_2, (int32_t)(nslots - 1));
		cg_bind(g, slot);
		count_in_slot(g, nslots, done);
		break;
	}
	default:
		break;
	}
	cg_bind(g, done);
	/* the failed-create path skipped the pop: keep the compile-time stack balanced */
	return 0;
}

/*
 * Reading an aggregate in an expression (bpftrace 0.21; avg 0.22): the value of every
 * possible CPU, looked up one by one with bpf_map_lookup_percpu_elem() (Linux 5.19) and
 * reduced as the printer reduces them (types.h). Unrolled over the CPUs, which are known
 * when the program is built, so the verifier walks no loop. Two stack slots hold the sum
 * (or min/max) and the count (or whether a min/max was set); uses R0-R5.
 */
void cg_agg_read(struct cg *g, const struct lt_map *m, uint32_t key_off)
{
	int ncpus = libbpf_num_possible_cpus(), done = cg_label(g);
	bool minmax = m->agg == LT_AGG_MIN || m->agg == LT_AGG_MAX;
	int16_t acc, cnt;

	cg_mov_imm(g, BPF_REG_0, 0);
	cg_push(g);
	acc = (int16_t)(-8 - g->stack);
	cg_push(g);
	cnt = (int16_t)(-8 - g->stack);
	for (int cpu = 0; cpu < (ncpus > 0 ? ncpus : 1); cpu++) {
		int next = cg_label(g), take = cg_label(g);

		cg_ld_map(g, BPF_REG_1, m->fd);
		cg_heap_ptr(g, BPF_REG_2, key_off);
		cg_mov_imm(g, BPF_REG_3, cpu);
		cg_call(g, BPF_FUNC_map_lookup_percpu_elem);
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, next);
		cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
		cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_10, acc);
		if (minmax) {
			cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_0, 8);
			cg_jmp_imm(g, BPF_JEQ, BPF_REG_2, 0, next); /* never set on that CPU */
			cg_ldx(g, BPF_DW, BPF_REG_2, BPF_REG_10, cnt);
			cg_jmp_imm(g, BPF_JEQ, BPF_REG_2, 0, take);
			cg_jmp_reg(g, m->agg == LT_AGG_MIN ? BPF_JSGE : BPF_JSLE, BPF_REG_1,
				   BPF_REG_3, next);
			cg_bind(g, take);
			cg_stx(g, BPF_DW, BPF_REG_10, acc, BPF_REG_1);
			cg_st_imm(g, BPF_DW, BPF_REG_10, cnt, 1);
		} else {
			cg_alu_reg(g, BPF_ADD, BPF_REG_3, BPF_REG_1);
			cg_stx(g, BPF_DW, BPF_REG_10, acc, BPF_REG_3);
			if (m->agg == LT_AGG_AVG) {
				cg_ldx(g, BPF_DW, BPF_REG_1, BPF_REG_0, 8);
				cg_ldx(g, BPF_DW, BPF_REG_3, BPF_REG_10, cnt);
				cg_alu_reg(g, BPF_ADD, BPF_REG_3, BPF_REG_1);
				cg_stx(g, BPF_DW, BPF_REG_10, cnt, BPF_REG_3);
			}
		}
		cg_bind(g, next);
	}
	cg_pop(g, BPF_REG_1);
	cg_pop(g, BPF_REG_0);
	if (m->agg == LT_AGG_AVG) {
		int pos = cg_label(g);

		/* the sum's sign apart: BPF's division is unsigned (sdiv needs cpu v4) */
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_1, 0, done);
		cg_jmp_imm(g, BPF_JSGE, BPF_REG_0, 0, pos);
		cg_emit(g, INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0));
		cg_alu_reg(g, BPF_DIV, BPF_REG_0, BPF_REG_1);
		cg_emit(g, INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0));
		cg_ja(g, done);
		cg_bind(g, pos);
		cg_alu_reg(g, BPF_DIV, BPF_REG_0, BPF_REG_1);
	}
	cg_bind(g, done);
}

static int em_agg(struct cg *g, struct node *n, int dst)
{
	return 0; /* emitted by cg_aggregate() from the assignment */
}

/*
 * f(@m, key) (0.22's has_key() and delete()) becomes f(@m[key]), the element form the rest
 * of the compiler knows: the key moves under the map node, a tuple literal's members become
 * the keys (`@m[1, 2]` is `@m[(1, 2)]`). Done once (the call's num marks it), in whichever
 * sema pass comes first. Returns the map node.
 */
static struct node *map_call_key(struct node *n)
{
	struct node *m = n->args, *k = m->next;

	if (n->num)
		return m;
	n->num = 1;
	m->next = NULL;
	if (k->kind == N_TUPLE) {
		m->args = k->args;
		k->args = NULL;
		node_free(k);
	} else {
		m->args = k;
	}
	return m;
}

/*
 * Whether @m (m: a map node) has keys, as its uses so far say; 0 when unknown. The first
 * (quiet) pass has seen every use by the time the second one asks.
 */
static int map_keyed(struct compiler *c, struct node *m)
{
	int i = sema_map_get(c, m); /* before c->maps: it may move it */
	struct mapdef *md = &c->maps[i];

	if (!md->key_typed)
		return 0;
	return md->m.key.kind == LT_NONE ? -1 : 1;
}

static int ck_delete(struct compiler *c, struct node *n)
{
	struct node *m = n->args;
	int na = (int)node_count(m);
	bool v26 = c->opts->dialect == LANG_0_26;
	int i;

	/* 0.24: whether the key was there to delete, a bool */
	if (v26)
		sema_set_bool(c, n);
	else
		sema_info(n)->ext = VX_VOID;
	if (v26 && (na == 2 || n->num) && m->kind == N_MAP && (!m->args || n->num)) {
		/* 0.22: delete(@m, key) */
		if (!n->num && map_keyed(c, m) < 0)
			return sema_err(c, m->loc,
					"call to delete() with two arguments expects a map with "
					"explicit keys (non-scalar map)");
		m = map_call_key(n);
	} else if (v26 && na == 1 && m->kind == N_MAP && !m->args && map_keyed(c, m) > 0) {
		return sema_err(
			c, m->loc,
			"call to delete() expects a map without explicit keys (scalar map)");
	} else if (na != 1 || m->kind != N_MAP) {
		return sema_err(c, n->loc, "delete() expects a map element as its only argument");
	}
	i = sema_map_get(c, m); /* before c->maps: it may move it */
	if (c->maps[i].m.agg == LT_AGG_TSERIES)
		/* a series' element can be deleted though not read */
		return sema_map_keys(c, m) && !c->quiet ? -EINVAL : 0;
	return sema_expr(c, m) && !c->quiet ? -EINVAL : 0;
}

static int em_delete(struct cg *g, struct node *n, int dst)
{
	struct node *m = n->args;
	struct mapdef *md = &g->c->maps[NS(m)->map];
	uint32_t key = cg_map_key(g, m);

	cg_ld_map(g, BPF_REG_1, md->m.fd);
	cg_heap_ptr(g, BPF_REG_2, key);
	cg_call(g, BPF_FUNC_map_delete_elem);
	if (g->c->opts->dialect == LANG_0_26) {
		int done = cg_label(g), gone = cg_label(g);

		/* 0 (deleted) -> 1, -ENOENT -> 0 */
		cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, gone);
		cg_mov_imm(g, BPF_REG_0, 0);
		cg_ja(g, done);
		cg_bind(g, gone);
		cg_mov_imm(g, BPF_REG_0, 1);
		cg_bind(g, done);
	}
	return 0;
}

/*
 * find(@m, key, $v) (0.25): one lookup; when the key is there $v gets its value (an
 * aggregate's summed over the CPUs) and the result is true. $v is made on first use, as an
 * assignment makes it. Once checked, n->args is @m[key] and n->a is $v (map_call_key()).
 */
static int ck_find(struct compiler *c, struct node *n)
{
	struct node *m = n->args, *v = n->a;
	int na = n->num ? 3 : (int)node_count(m);
	struct lt_type t = {.kind = LT_INT, .size = 8, .is_signed = true};
	struct mapdef *md;
	struct var *var;

	sema_set_bool(c, n);
	if (na != 3)
		return sema_err(c, n->loc, "find() requires 3 arguments (%d provided)", na);
	if (m->kind != N_MAP || (!n->num && m->args))
		return sema_err(c, m->loc, "find() expects a map argument");
	if (!n->num) {
		v = m->next->next;
		if (v->kind != N_VAR)
			return sema_err(c, v->loc,
					"find() expects a variable as its third argument");
		if (map_keyed(c, m) < 0)
			return sema_err(
				c, m->loc,
				"call to find() expects a map with explicit keys (non-scalar "
				"map)");
		m->next->next = NULL;
		n->a = v;
	}
	m = map_call_key(n);
	if (sema_map_keys(c, m))
		return -EINVAL;
	md = &c->maps[NS(m)->map];
	if (!md->typed)
		return c->quiet ? 0 : sema_err(c, m->loc, "Undefined map: %s", m->name);
	if (md->m.agg == LT_AGG_NONE)
		t = md->m.val;
	else if (md->m.agg == LT_AGG_COUNT)
		t.is_signed = false;
	else if (md->m.agg > LT_AGG_AVG)
		return sema_err(c, m->loc, "The value of a %s map can not be read in a probe",
				md->m.agg == LT_AGG_HIST ? "hist" : "aggregation");
	var = var_find(c->cur, v->name);
	if (!var || var->type.kind == LT_NONE) {
		var = var ? var : var_add(c->cur, v->name);
		type_copy(c, &var->type, &t);
	} else if (!types_compatible(&var->type, &t) || cg_is_blob(&t) != cg_is_blob(&var->type) ||
		   (t.kind == LT_STR && t.size > var->type.size)) {
		char a[64], b[64];

		return sema_err(c, v->loc, "find() can not store a value of type '%s' in %s ('%s')",
				lt_type_str(&t, a, sizeof(a)), v->name,
				lt_type_str(&var->type, b, sizeof(b)));
	}
	sema_info(v)->var = (int)(var - c->cur->vars);
	NS(v)->t = var->type;
	return 0;
}

static int em_find(struct cg *g, struct node *n, int dst)
{
	struct node *m = n->args;
	const struct lt_map *lm = &g->c->maps[NS(m)->map].m;
	const struct var *v = &g->p->vars[NS(n->a)->var];
	uint32_t saved = g->heap, key = cg_map_key(g, m);
	int done = cg_label(g);

	cg_map_lookup(g, lm->fd, key);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	if (lm->agg != LT_AGG_NONE) {
		cg_agg_read(g, lm, key);
		cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)v->heap_off, BPF_REG_0);
	} else if (!cg_is_blob(&v->type)) {
		cg_ldx(g, BPF_DW, BPF_REG_0, BPF_REG_0, 0);
		cg_extend(g, (int)v->type.size, v->type.is_signed);
		cg_stx(g, BPF_DW, BPF_REG_10, (int16_t)v->heap_off, BPF_REG_0);
	} else {
		if (lt_type_size(&lm->val) < lt_type_size(&v->type))
			cg_zero(g, v->heap_off, lt_type_size(&v->type));
		cg_copy_value(g, v->heap_off, lt_type_size(&lm->val));
	}
	cg_mov_imm(g, BPF_REG_0, 1);
	cg_bind(g, done);
	g->heap = saved;
	return 0;
}

/* has_key(@m, key): a bool (0.26 only). */
static int ck_has_key(struct compiler *c, struct node *n)
{
	struct node *m = n->args;
	int na = (int)node_count(m);

	sema_set_bool(c, n);
	if (!n->num && na != 2)
		return sema_err(c, n->loc, "has_key() requires 2 arguments (%d provided)", na);
	if (m->kind != N_MAP || (!n->num && m->args))
		return sema_err(c, m->loc, "has_key() expects a map argument");
	if (!n->num && map_keyed(c, m) < 0)
		return sema_err(
			c, m->loc,
			"call to has_key() expects a map with explicit keys (non-scalar map)");
	m = map_call_key(n);
	if (sema_map_keys(c, m))
		return -EINVAL;
	if (!c->maps[NS(m)->map].typed && !c->quiet)
		return sema_err(c, m->loc, "Undefined map: %s", m->name);
	return 0;
}

static int em_has_key(struct cg *g, struct node *n, int dst)
{
	struct node *m = n->args;
	uint32_t saved = g->heap, key = cg_map_key(g, m);
	int done = cg_label(g);

	cg_map_lookup(g, g->c->maps[NS(m)->map].m.fd, key);
	cg_jmp_imm(g, BPF_JEQ, BPF_REG_0, 0, done);
	cg_mov_imm(g, BPF_REG_0, 1);
	cg_bind(g, done);
	g->heap = saved;
	return 0;
}

/*
 * len(ustack), len(kstack) (0.23): the frames captured, int64. len(@m) (0.20): a map's
 * element count, from bpf_for_each_map_elem() (cg_map_len()).
 */
static int ck_len(struct compiler *c, struct node *n)
{
	struct node *a = n->args;

	sema_set_int(n, 8, true);
	if (sema_nargs(c, n, 1))
		return -EINVAL;
	if (a->kind == N_MAP && !a->args) {
		if (map_keyed(c, a) < 0)
			return sema_err(
				c, a->loc,
				"call to len() expects a map with explicit keys (non-scalar "
				"map)");
		sema_info(a)->map = sema_map_get(c, a);
		if (!c->quiet && !c->maps[NS(a)->map].typed)
			return sema_err(c, a->loc, "Undefined map: %s", a->name);
		return 0;
	}
	if (sema_expr(c, a))
		return -EINVAL;
	if (NS(a)->t.kind != LT_KSTACK && NS(a)->t.kind != LT_USTACK)
		return sema_err(c, n->loc, "len() expects a map or a stack (ustack, kstack)");
	return 0;
}

/* The frames up to the first zero ip (as printed), unrolled: a stack has at most 127. */
static int em_len(struct cg *g, struct node *n, int dst)
{
	const struct lt_type *t = &NS(n->args)->t;
	uint32_t nf = t->nframes ? t->nframes : LT_STACK_FRAMES, saved = g->heap;
	uint32_t off;

	if (n->args->kind == N_MAP) {
		cg_map_len(g, g->c->maps[NS(n->args)->map].m.fd);
		return 0;
	}
	off = cg_heap_alloc(g, lt_type_size(t));
	cg_value(g, n->args, off);
	cg_count_nonzero(g, off + sizeof(struct lt_stack_hdr), 8, nf);
	g->heap = saved;
	return 0;
}

static int ck_mapop(struct compiler *c, struct node *n)
{
	struct nsema *s = sema_info(n);
	int na = (int)node_count(n->args);

	s->ext = VX_VOID;
	if (!strcmp(n->name, "print")) {
		if (na < 1 || na > 3)
			return sema_err(c, n->loc,
					"print() requires 1 to 3 arguments (%d provided)", na);
		if (n->args->kind != N_MAP || n->args->args) {
			/* print(value): a one-value event */
			if (na != 1)
				return sema_err(c, n->loc,
						"Non-map print() only takes 1 argument, %d found",
						na);
			if (c->opts->dialect == LANG_0_26 && n->args->kind == N_MAP && !c->quiet) {
				int i = sema_map_get(c, n->args);
				enum lt_agg agg = c->maps[i].m.agg;

				if (agg == LT_AGG_HIST || agg == LT_AGG_LHIST ||
				    agg == LT_AGG_TSERIES)
					return sema_err(c, n->args->loc,
							"Map type %s cannot print the value of "
							"individual keys. You must print the whole "
							"map.",
							agg == LT_AGG_HIST    ? "hist_t"
							: agg == LT_AGG_LHIST ? "lhist_t"
									      : "tseries_t");
			}
			if (sema_expr(c, n->args))
				return -EINVAL;
			if (NS(n->args)->ext)
				return sema_err(c, n->args->loc,
						"print() of this value is not supported");
			s->k[3] = 1;
			s->fmt = fmt_add(c, "", n->args, 0);
			return 0;
		}
		for (struct node *a = n->args->next; a; a = a->next)
			if (sema_expr(c, a) || !lt_is_int(&NS(a)->t))
				return sema_err(c, a->loc,
						"print() top and div arguments must be integers");
	} else if (sema_nargs(c, n, 1)) {
		return -EINVAL;
	}
	return sema_map_ref(c, n->args, n->name);
}

static int em_mapop(struct cg *g, struct node *n, int dst)
{
	struct nsema *s = NS(n);
	int kind = !strcmp(n->name, "print")   ? LT_EV_PRINT
		   : !strcmp(n->name, "clear") ? LT_EV_CLEAR
					       : LT_EV_ZERO;
	uint32_t off;

	if (s->k[3]) {
		uint32_t size = lt_type_size(&g->c->fmts[s->fmt].f.args);

		off = cg_heap_alloc(g, 8 + size);
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, LT_EV_PRINT_VAL);
		cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), s->fmt);
		cg_zero(g, off + 8, size);
		cg_value(g, n->args, off + 8);
		cg_output(g, off, 8 + size);
		return 0;
	}
	off = cg_heap_alloc(g, 8 + sizeof(struct lt_ev_print));
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)off, kind);
	cg_st_imm(g, BPF_W, BPF_REG_9, (int16_t)(off + 4), NS(n->args)->map);
	cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)(off + 8), 0);
	cg_st_imm(g, BPF_DW, BPF_REG_9, (int16_t)(off + 16), 0);
	if (kind == LT_EV_PRINT) {
		int i = 0;

		for (struct node *a = n->args->next; a; a = a->next, i++) {
			cg_int(g, a);
			cg_stx(g, BPF_DW, BPF_REG_9, (int16_t)(off + 8 + 8 * i), BPF_REG_0);
		}
	}
	cg_output(g, off, kind == LT_EV_PRINT ? 8 + sizeof(struct lt_ev_print) : 8);
	return 0;
}

const struct builtin builtins_maps[] = {
	{"count", true, PTM_ALL, ck_agg, em_agg},
	{"sum", true, PTM_ALL, ck_agg, em_agg},
	{"avg", true, PTM_ALL, ck_agg, em_agg},
	{"min", true, PTM_ALL, ck_agg, em_agg},
	{"max", true, PTM_ALL, ck_agg, em_agg},
	{"stats", true, PTM_ALL, ck_agg, em_agg},
	{"hist", true, PTM_ALL, ck_agg, em_agg},
	{"lhist", true, PTM_ALL, ck_agg, em_agg},
	{"delete", true, PTM_ALL, ck_delete, em_delete},
	{"has_key", true, PTM_ALL, ck_has_key, em_has_key},
	{"find", true, PTM_ALL, ck_find, em_find},
	{"len", true, PTM_ALL, ck_len, em_len},
	{"print", true, PTM_ALL, ck_mapop, em_mapop},
	{"clear", true, PTM_ALL, ck_mapop, em_mapop},
	{"zero", true, PTM_ALL, ck_mapop, em_mapop},
	{NULL},
};
