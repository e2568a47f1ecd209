// SPDX-License-Identifier: GPL-2.0
/*
 * Maps as bpftrace 0.17 prints them (print(@m[, top[, div]]) and the dump at exit):
 *   - count/sum/min/max and integer maps sorted ascending by value, avg/stats by average,
 *     hist/lhist by total count, every other map by key; ties broken by key so that our
 *     output is deterministic (bpftrace leaves tie order to std::sort);
 *   - `@name: v` without keys, `@name[k1, k2]: v` with them;
 *   - avg and stats maps are followed by a blank line, each histogram by a blank line;
 *   - an empty map prints an empty line (plus the avg/stats blank line), except a count map
 *     without keys, which prints `@name: 0`;
 *   - top keeps the last (largest) `top` entries, div divides scalar values.
 * JSON: one {"type": "map"|"stats"|"hist", "data": {"@name": ...}} line per map; keys joined
 * with "," as the object key; empty maps print nothing.
 * bpftrace 0.26 (lt_render_map_as(), reference §2.7-2.8) differs: empty maps print nothing,
 * not even the scalar count's 0; no blank line after avg/stats maps; stats values are
 * records; `@h:` has no trailing space; JSON integers beyond 2^53 are strings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/vec.h"
#include "lang/print.h"

/*
 * The sizes the kernel uses for m: they decide how much a lookup writes, so buffers follow
 * them even should the program description disagree (then the larger of the two is used).
 */
struct map_geom {
	uint32_t ks;	  /* key bytes */
	uint32_t vs;	  /* one CPU's value bytes as created */
	uint32_t stride;  /* per-CPU slot stride in a lookup result */
	uint32_t lt_vs;	  /* value bytes the renderers read (types.h) */
	size_t max_steps; /* bound of a key walk */
};

static void map_geom(const struct lt_map *m, struct map_geom *g)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	size_t max = LT_MAP_KEYS_MAX;

	g->ks = m->key_size;
	g->vs = lt_map_value_size(m);
	if (!bpf_obj_get_info_by_fd(m->fd, &info, &len)) {
		if (info.key_size)
			g->ks = info.key_size;
		if (info.value_size)
			g->vs = info.value_size;
		if (info.max_entries)
			max = info.max_entries;
	}
	g->stride = lt_align_up(g->vs, 8);
	g->lt_vs = lt_map_value_size(m);
	/*
	 * When the previous key is deleted under us (a map the programs keep changing), the
	 * kernel restarts the walk from the first key: bound walks so a busy map cannot hold us.
	 */
	g->max_steps = 2 * max + 16;
}

/* Combine per-CPU slots into dst (one slot), following types.h §2. */
static void reduce(const struct lt_map *m, const struct map_geom *g, uint8_t *dst,
		   const uint8_t *src, int ncpus)
{
	uint32_t vs = g->vs < g->lt_vs ? g->vs : g->lt_vs;

	for (int c = 0; c < ncpus; c++) {
		const uint8_t *s = src + (size_t)c * g->stride;
		switch (m->agg) {
		case LT_AGG_MIN:
		case LT_AGG_MAX: {
			struct lt_minmax a, b;
			if (vs < sizeof(a))
				return;
			memcpy(&a, dst, sizeof(a));
			memcpy(&b, s, sizeof(b));
			if (b.set && (!a.set || (m->agg == LT_AGG_MIN ? b.v < a.v : b.v > a.v)))
				a = b;
			memcpy(dst, &a, sizeof(a));
			break;
		}
		case LT_AGG_TSERIES:
			if (vs >= lt_map_value_size(m))
				lt_tseries_merge(m, dst, s);
			break;
		default:
			/* count, sum, avg/stats {sum, n}, hist slots: all u64 sums. */
			for (uint32_t i = 0; i + 8 <= vs; i += 8) {
				uint64_t x = lt_load_u64(dst + i) + lt_load_u64(s + i);
				memcpy(dst + i, &x, 8);
			}
		}
	}
}

void lt_entries_free(struct lt_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].val);
	}
	free(e);
}

int lt_map_read(const struct lt_map *m, int ncpus, struct lt_entry **out)
{
	struct map_geom g;
	map_geom(m, &g);
	size_t raw_len = m->percpu ? (size_t)g.stride * ncpus : g.vs;
	size_t ebuf = g.vs > g.lt_vs ? g.vs : g.lt_vs;
	size_t kbuf = g.ks > m->key_size ? g.ks : m->key_size;
	uint8_t *prev = NULL, *key = calloc(1, kbuf), *raw = calloc(1, raw_len);
	struct lt_entry *e = NULL;
	size_t n = 0, cap = 0, steps = 0;
	int err = 0;

	*out = NULL;
	if (!key || !raw) {
		err = -ENOMEM;
		goto out;
	}
	while (steps++ < g.max_steps && bpf_map_get_next_key(m->fd, prev, key) == 0) {
		if (!prev && !(prev = malloc(kbuf))) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(prev, key, g.ks);
		if (bpf_map_lookup_elem(m->fd, key, raw))
			continue; /* deleted meanwhile */
		if (VEC_RESERVE(e, cap, n, 1)) {
			err = -ENOMEM;
			goto out;
		}
		e[n].key = calloc(1, kbuf);
		e[n].val = calloc(1, ebuf);
		if (!e[n].key || !e[n].val) {
			free(e[n].key);
			free(e[n].val);
			err = -ENOMEM;
			goto out;
		}
		memcpy(e[n].key, key, g.ks);
		if (m->percpu)
			reduce(m, &g, e[n].val, raw, ncpus);
		else
			memcpy(e[n].val, raw, g.vs);
		n++;
	}
out:
	free(prev);
	free(key);
	free(raw);
	if (err) {
		lt_entries_free(e, n);
		return err;
	}
	*out = e;
	return (int)n;
}

int lt_map_clear(const struct lt_map *m)
{
	struct map_geom g;
	map_geom(m, &g);
	uint8_t *key = calloc(1, g.ks > m->key_size ? g.ks : m->key_size);
	size_t steps = 0;
	int err = 0;

	if (!key)
		return -ENOMEM;
	/* Always restart from the first key: deleting invalidates the iteration. */
	while (steps++ < g.max_steps && bpf_map_get_next_key(m->fd, NULL, key) == 0) {
		if (bpf_map_delete_elem(m->fd, key)) {
			err = -errno;
			break;
		}
	}
	free(key);
	return err;
}

int lt_map_zero(const struct lt_map *m, int ncpus)
{
	struct map_geom g;
	map_geom(m, &g);
	struct lt_entry *e;
	size_t len = m->percpu ? (size_t)g.stride * ncpus : g.vs;
	uint8_t *zero = calloc(1, len);
	int n, err = 0;

	if (!zero)
		return -ENOMEM;
	n = lt_map_read(m, ncpus, &e);
	for (int i = 0; i < n; i++)
		if (bpf_map_update_elem(m->fd, e[i].key, zero, BPF_EXIST) && errno != ENOENT)
			err = -errno;
	if (n > 0)
		lt_entries_free(e, (size_t)n);
	free(zero);
	return n < 0 ? n : err;
}

/* ---- sorting ------------------------------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static const char *probe_name(const struct lt_prog *prog, uint64_t i)
{
	if (prog && i < prog->nprobes && prog->probe_names[i])
		return prog->probe_names[i];
	return "";
}

static int cmp_value_of(const struct lt_type *t, const uint8_t *a, const uint8_t *b,
			const struct lt_prog *prog)
{
	switch (t->kind) {
	case LT_PROBE:
		return strcmp(probe_name(prog, lt_load_u64(a)), probe_name(prog, lt_load_u64(b)));
	case LT_INT:
		return t->is_signed ? cmp_i64((int64_t)lt_load_u64(a), (int64_t)lt_load_u64(b))
				    : cmp_u64(lt_load_u64(a), lt_load_u64(b));
	case LT_STR:
		return strncmp((const char *)a, (const char *)b, lt_type_size(t));
	case LT_TUPLE:
		for (uint32_t i = 0; i < t->nmembers; i++) {
			const struct lt_member *mb = &t->members[i];
			int c = cmp_value_of(mb->type, a + mb->offset, b + mb->offset, prog);
			if (c)
				return c;
		}
		return 0;
	default:
		return memcmp(a, b, lt_type_size(t));
	}
}

static int64_t avg_of(const uint8_t *v)
{
	struct lt_avgstat s;

	memcpy(&s, v, sizeof(s));
	return s.n ? s.sum / (int64_t)s.n : 0;
}

static uint64_t hist_total(const struct lt_map *m, const uint8_t *v)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < lt_hist_nslots(m); i++)
		t += lt_load_u64(v + 8 * i);
	return t;
}

struct sort_ctx {
	const struct lt_map *m;
	const struct lt_prog *prog;
};

static int cmp_entries(const void *pa, const void *pb, void *arg)
{
	const struct lt_entry *a = pa, *b = pb;
	const struct sort_ctx *sc = arg;
	const struct lt_map *m = sc->m;
	int c = 0;

	switch (m->agg) {
	case LT_AGG_COUNT:
		c = cmp_u64(lt_load_u64(a->val), lt_load_u64(b->val));
		break;
	case LT_AGG_SUM:
	case LT_AGG_MIN:
	case LT_AGG_MAX:
		c = cmp_i64((int64_t)lt_load_u64(a->val), (int64_t)lt_load_u64(b->val));
		break;
	case LT_AGG_AVG:
	case LT_AGG_STATS:
		c = cmp_i64(avg_of(a->val), avg_of(b->val));
		break;
	case LT_AGG_HIST:
	case LT_AGG_LHIST:
		c = cmp_u64(hist_total(m, a->val), hist_total(m, b->val));
		break;
	case LT_AGG_TSERIES: /* by the most recent update */
		c = cmp_u64(lt_tseries_newest(m, a->val), lt_tseries_newest(m, b->val));
		break;
	case LT_AGG_NONE:
		if (m->val.kind == LT_INT)
			c = cmp_value_of(&m->val, a->val, b->val, sc->prog);
		break;
	}
	if (!c && m->key.kind != LT_NONE)
		c = cmp_value_of(&m->key, a->key, b->key, sc->prog);
	return c;
}

/* ---- rendering ----------------------------------------------------------------------- */

/* "[k1, k2]" (text) or "k1,k2" (JSON object key, unquoted parts). */
static void put_key(struct lt_sbuf *out, const struct lt_map *m, const uint8_t *key, bool json,
		    const struct lt_prog *prog, struct lt_symctx *sym)
{
	const struct lt_type *t = &m->key;
	struct lt_member one = {t, 0};
	const struct lt_member *mem = t->kind == LT_TUPLE ? t->members : &one;
	uint32_t n = t->kind == LT_TUPLE ? t->nmembers : 1;

	if (t->kind == LT_NONE)
		return;
	if (!json)
		lt_sbuf_putc(out, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			lt_sbuf_puts(out, json ? "," : ", ");
		lt_format_value(out, mem[i].type, key + mem[i].offset, LT_CTX_KEY, prog, sym);
	}
	if (!json)
		lt_sbuf_putc(out, ']');
}

/* The scalar shown for a count/sum/min/max/avg/int entry, divided by div. */
static int64_t scalar_of(const struct lt_map *m, const uint8_t *v, uint64_t div)
{
	int64_t x = m->agg == LT_AGG_AVG ? avg_of(v) : (int64_t)lt_load_u64(v);

	if (div > 1) {
		if (m->agg == LT_AGG_COUNT || (m->agg == LT_AGG_NONE && !m->val.is_signed))
			return (int64_t)((uint64_t)x / div);
		return x / (int64_t)div;
	}
	return x;
}

static void put_value(struct lt_sbuf *out, const struct lt_map *m, const uint8_t *v, uint64_t div,
		      bool json, enum lang_dialect d, const struct lt_prog *prog,
		      struct lt_symctx *sym)
{
	switch (m->agg) {
	case LT_AGG_COUNT:
		if (json)
			lt_put_json_int(out, (uint64_t)scalar_of(m, v, div), false, d);
		else
			lt_sbuf_printf(out, "%" PRIu64, (uint64_t)scalar_of(m, v, div));
		return;
	case LT_AGG_SUM:
	case LT_AGG_MIN:
	case LT_AGG_MAX:
	case LT_AGG_AVG:
		if (json)
			lt_put_json_int(out, (uint64_t)scalar_of(m, v, div), true, d);
		else
			lt_sbuf_printf(out, "%" PRId64, scalar_of(m, v, div));
		return;
	case LT_AGG_STATS: {
		struct lt_avgstat s;
		memcpy(&s, v, sizeof(s));
		if (json) {
			lt_sbuf_puts(out, "{\"count\": ");
			lt_put_json_int(out, s.n, false, d);
			lt_sbuf_puts(out, ", \"average\": ");
			lt_put_json_int(out, (uint64_t)avg_of(v), true, d);
			lt_sbuf_puts(out, ", \"total\": ");
			lt_put_json_int(out, (uint64_t)s.sum, true, d);
			lt_sbuf_putc(out, '}');
		} else {
			/* 0.24 made the value a record (reference §2.7) */
			lt_sbuf_printf(out,
				       d == LANG_0_17 ? "count %" PRIu64 ", average %" PRId64
							", total %" PRId64
						      : "{ .count = %" PRIu64
							", .average = %" PRId64
							", .total = %" PRId64 " }",
				       s.n, avg_of(v), s.sum);
		}
		return;
	}
	case LT_AGG_HIST:
	case LT_AGG_LHIST:
		if (json)
			lt_render_hist_json_as(out, m, (const uint64_t *)v, d);
		else
			lt_render_hist_as(out, m, (const uint64_t *)v, d);
		return;
	case LT_AGG_TSERIES:
		lt_render_tseries(out, m, v, json, d);
		return;
	case LT_AGG_NONE:
		if (m->val.kind == LT_INT && div > 1) {
			uint64_t x = (uint64_t)scalar_of(m, v, div);
			if (json)
				lt_put_json_int(out, x, m->val.is_signed, d);
			else
				lt_sbuf_printf(out, m->val.is_signed ? "%" PRId64 : "%" PRIu64, x);
			return;
		}
		if (json)
			lt_format_json_value(out, &m->val, v, d, prog, sym);
		else
			lt_format_value(out, &m->val, v, LT_CTX_VALUE, prog, sym);
		return;
	}
}

static const char *json_type(const struct lt_map *m)
{
	switch (m->agg) {
	case LT_AGG_AVG:
	case LT_AGG_STATS:
		return "stats";
	case LT_AGG_HIST:
	case LT_AGG_LHIST:
		return "hist";
	case LT_AGG_TSERIES:
		return "tseries";
	default:
		return "map";
	}
}

/* 0.26 removes every blank from a JSON map key's text (reference §2.8): "a b" -> "ab". */
static void drop_blanks(struct lt_sbuf *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->len; i++)
		if (k->p[i] != ' ')
			k->p[n++] = k->p[i];
	k->len = n;
	if (k->p)
		k->p[n] = '\0';
}

static void render_json(struct lt_sbuf *out, const struct lt_map *m, struct lt_entry *e,
			size_t first, size_t n, uint64_t div, enum lang_dialect d,
			const struct lt_prog *prog, struct lt_symctx *sym)
{
	lt_sbuf_printf(out, "{\"type\": \"%s\", \"data\": {", json_type(m));
	lt_sbuf_put_json_str(out, m->name, strlen(m->name));
	lt_sbuf_puts(out, ": ");
	if (m->key.kind == LT_NONE) {
		if (n == 0)
			lt_sbuf_puts(out, "0");
		else
			put_value(out, m, e[0].val, div, true, d, prog, sym);
	} else {
		struct lt_sbuf k = {0};
		lt_sbuf_putc(out, '{');
		for (size_t i = first; i < n; i++) {
			if (i > first)
				lt_sbuf_puts(out, ", ");
			lt_sbuf_reset(&k);
			put_key(&k, m, e[i].key, true, prog, sym);
			if (d != LANG_0_17)
				drop_blanks(&k);
			lt_sbuf_put_json_str(out, lt_sbuf_str(&k), k.len);
			lt_sbuf_puts(out, ": ");
			put_value(out, m, e[i].val, div, true, d, prog, sym);
		}
		lt_sbuf_putc(out, '}');
		lt_sbuf_free(&k);
	}
	lt_sbuf_puts(out, "}}\n");
}

void lt_render_map_as(struct lt_sbuf *out, const struct lt_map *m, struct lt_entry *e, size_t n,
		      uint64_t top, uint64_t div, bool json, enum lang_dialect d,
		      const struct lt_prog *prog, struct lt_symctx *sym)
{
	bool is_hist = m->agg == LT_AGG_HIST || m->agg == LT_AGG_LHIST || m->agg == LT_AGG_TSERIES;
	bool is_stats = m->agg == LT_AGG_AVG || m->agg == LT_AGG_STATS;
	/* 0.17 printed a never-set scalar count as 0 and other empty maps as an empty line */
	bool zero_count = d == LANG_0_17 && m->key.kind == LT_NONE && m->agg == LT_AGG_COUNT;
	size_t first = 0;

	struct sort_ctx sc = {m, prog};

	qsort_r(e, n, sizeof(*e), cmp_entries, &sc);
	if (m->agg == LT_AGG_TSERIES)
		lt_tseries_range(m, e, n);
	if (top && n > top)
		first = n - top;
	if (json) {
		if (n || zero_count)
			render_json(out, m, e, first, n, div, d, prog, sym);
		return;
	}
	if (n == 0 && d != LANG_0_17)
		return;
	if (n == 0) {
		if (zero_count)
			lt_sbuf_printf(out, "%s: 0\n", m->name);
		else
			lt_sbuf_putc(out, '\n');
	}
	for (size_t i = first; i < n; i++) {
		lt_sbuf_puts(out, m->name);
		put_key(out, m, e[i].key, false, prog, sym);
		if (is_hist)
			lt_sbuf_puts(out, d == LANG_0_17 ? ": \n" : ":\n");
		else
			lt_sbuf_puts(out, ": ");
		put_value(out, m, e[i].val, div, false, d, prog, sym);
		lt_sbuf_putc(out, '\n');
	}
	if (is_stats && d == LANG_0_17)
		lt_sbuf_putc(out, '\n');
}

void lt_render_map(struct lt_sbuf *out, const struct lt_map *m, struct lt_entry *e, size_t n,
		   uint64_t top, uint64_t div, bool json, const struct lt_prog *prog,
		   struct lt_symctx *sym)
{
	lt_render_map_as(out, m, e, n, top, div, json, LANG_0_17, prog, sym);
}

