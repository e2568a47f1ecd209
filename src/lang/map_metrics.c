// SPDX-License-Identifier: GPL-2.0
/* The language's maps as Prometheus metrics (see map_metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "core/metrics_http.h"
#include "lang/ast.h"
#include "lang/compile.h"
#include "lang/map_metrics.h"
#include "lang/print.h"

/* ---- labels from key expressions (compile time) ------------------------------------- */

/* What a key expression is called, or NULL: builtins, $variables, fields, stacks. */
static const char *expr_name(const struct node *k)
{
	while (k->kind == N_CAST && k->a)
		k = k->a;
	switch (k->kind) {
	case N_IDENT:
	case N_FIELD:
		return k->name;
	case N_VAR:
		return k->name[0] == '$' ? k->name + 1 : k->name;
	case N_CALL:
		/* kstack(perf), ustack(3): the stack; other calls name a conversion, not a value */
		return !strcmp(k->name, "kstack") || !strcmp(k->name, "ustack") ? k->name : NULL;
	default:
		return NULL;
	}
}

const char **lang_key_labels(struct compiler *c, const struct node *keys, int nk)
{
	const char **names = c_alloc(c, nk * sizeof(*names));
	int i = 0;

	for (const struct node *k = keys; k && i < nk; k = k->next, i++) {
		const char *n = expr_name(k);
		char buf[64];
		bool ok = n && *n && strlen(n) < sizeof(buf) && strncmp(n, "__", 2) &&
			  strcmp(n, "le") && strcmp(n, "quantile");

		if (ok)
			metrics_sanitize_name(n, buf, sizeof(buf));
		for (int j = 0; ok && j < i; j++)
			ok = strcmp(names[j], buf) != 0; /* @[$a, $a]: the second is key1 */
		if (!ok)
			snprintf(buf, sizeof(buf), "key%d", i);
		names[i] = strcpy(c_alloc(c, strlen(buf) + 1), buf);
	}
	return names;
}

/* ---- families --------------------------------------------------------------------- */

struct map_family {
	struct metric_family *f; /* NULL: the map is no number */
	const struct lt_map *m;
	uint32_t nslots; /* hist/lhist */
};

struct lang_metrics {
	struct metrics *m;
	struct metrics_server *srv;
	struct metrics_self self;
	const struct lt_prog *prog;
	int ncpus;
	const char *addr;
	struct lt_symctx sym;
	struct map_family *fams;
};

/*
 * The family's name for map m, its type and the divisor of a unit suffix: "@lat_ns" ->
 * "tracekit_lat_seconds" (1e9). false when the map holds no number.
 */
static bool family_of(const struct lt_map *m, char *name, size_t len, enum metric_type *type,
		      double *div)
{
	static const struct {
		const char *sfx;
		double div;
	} units[] = {{"_ns", 1e9}, {"_us", 1e6}, {"_ms", 1e3}};
	char base[128];
	size_t n;

	switch (m->agg) {
	case LT_AGG_COUNT:
	case LT_AGG_SUM:
		*type = METRIC_COUNTER;
		break;
	case LT_AGG_HIST:
	case LT_AGG_LHIST:
		*type = METRIC_HISTOGRAM;
		break;
	case LT_AGG_STATS:
		*type = METRIC_SUMMARY;
		break;
	case LT_AGG_AVG:
	case LT_AGG_MIN:
	case LT_AGG_MAX:
		*type = METRIC_GAUGE;
		break;
	case LT_AGG_NONE:
		if (m->val.kind != LT_INT)
			return false;
		*type = METRIC_GAUGE;
		break;
	default:
		return false; /* tseries: a picture of the last intervals, not one number */
	}
	metrics_sanitize_name(m->name[1] ? m->name + 1 : "map", base, sizeof(base));
	n = strlen(base);
	*div = 1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && m->agg != LT_AGG_COUNT; i++) {
		size_t sl = strlen(units[i].sfx);

		if (n > sl && !strcmp(base + n - sl, units[i].sfx)) {
			base[n - sl] = 0;
			*div = units[i].div;
			break;
		}
	}
	n = strlen(base);
	/* a counter's _total is the format's: @calls_total is tracekit_calls_total */
	if (*type == METRIC_COUNTER && n > 6 && !strcmp(base + n - 6, "_total"))
		base[n - 6] = 0;
	snprintf(name, len, "tracekit_%s%s", base, *div != 1 ? "_seconds" : "");
	return true;
}

static int make_family(struct lang_metrics *lm, uint32_t i)
{
	const struct lt_map *m = &lm->prog->maps[i];
	struct map_family *mf = &lm->fams[i];
	const char *labels[METRICS_MAX_LABELS];
	enum metric_type type;
	char name[160], help[192];
	double div, *bounds;
	int nlabels = 0;

	mf->m = m;
	if (!family_of(m, name, sizeof(name), &type, &div))
		return 0;
	if (m->key.kind == LT_TUPLE) {
		if (m->key.nmembers > METRICS_MAX_LABELS || !m->key_names) {
			fprintf(stderr, "WARNING: %s: more than %d keys, not exported as metrics\n",
				m->name, METRICS_MAX_LABELS);
			return 0;
		}
		nlabels = (int)m->key.nmembers;
		for (int k = 0; k < nlabels; k++)
			labels[k] = m->key_names[k];
	}
	snprintf(help, sizeof(help), "The map %s of the tracekit program", m->name);
	mf->f = metrics_family(lm->m, name, type, help, labels, nlabels, true);
	if (mf->f)
		for (uint32_t j = 0; j < i; j++)
			if (lm->fams[j].f == mf->f)
				mf->f = NULL; /* @a_ns and @a_us: one name, the first map has it */
	if (!mf->f) {
		fprintf(stderr, "WARNING: %s: its metric name %s is taken, not exported\n",
			m->name, name);
		return 0;
	}
	metric_family_set_divisor(mf->f, div);
	if (type != METRIC_HISTOGRAM)
		return 0;
	/* every slot's largest integer as its le; the last slot is +Inf's */
	mf->nslots = lt_hist_nslots(m);
	bounds = calloc(mf->nslots, sizeof(*bounds));
	if (!bounds)
		return -ENOMEM;
	for (uint32_t s = 0; s + 1 < mf->nslots; s++)
		bounds[s] = lt_hist_slot_max(m, s);
	if (metric_family_set_bounds(mf->f, bounds, mf->nslots - 1)) {
		free(bounds);
		return -ENOMEM;
	}
	free(bounds);
	return 0;
}

/* ---- collecting --------------------------------------------------------------------- */

static void export_entry(struct lang_metrics *lm, const struct map_family *mf,
			 const struct lt_entry *e, struct lt_sbuf *lv)
{
	const struct lt_map *m = mf->m;
	const char *values[METRICS_MAX_LABELS];
	size_t offs[METRICS_MAX_LABELS];
	struct metric_series *s;
	uint32_t n = m->key.kind == LT_TUPLE ? m->key.nmembers : 0;
	const uint8_t *v = e->val;

	/* label values as the map prints its keys, NUL-separated in one buffer */
	lt_sbuf_reset(lv);
	for (uint32_t k = 0; k < n; k++) {
		const struct lt_member *mem = &m->key.members[k];

		offs[k] = lv->len;
		lt_format_value(lv, mem->type, e->key + mem->offset, LT_CTX_KEY, lm->prog, &lm->sym);
		lt_sbuf_putn(lv, "", 1);
	}
	if (lv->failed)
		return;
	for (uint32_t k = 0; k < n; k++)
		values[k] = lv->p + offs[k];
	s = metric_series(mf->f, values);
	if (!s)
		return; /* over the series limit: counted by the registry */
	switch (m->agg) {
	case LT_AGG_COUNT:
		metric_add(s, (double)lt_load_u64(v));
		break;
	case LT_AGG_SUM:
		metric_add(s, (double)(int64_t)lt_load_u64(v));
		break;
	case LT_AGG_NONE:
		metric_add(s, m->val.is_signed ? (double)(int64_t)lt_load_u64(v)
					       : (double)lt_load_u64(v));
		break;
	case LT_AGG_MIN:
	case LT_AGG_MAX: {
		struct lt_minmax mm;

		memcpy(&mm, v, sizeof(mm));
		metric_add(s, mm.set ? (double)mm.v : 0);
		break;
	}
	case LT_AGG_AVG:
	case LT_AGG_STATS: {
		struct lt_avgstat a;

		memcpy(&a, v, sizeof(a));
		if (m->agg == LT_AGG_STATS)
			metric_add_count_sum(s, a.n, (double)a.sum);
		else
			metric_add(s, a.n ? (double)(a.sum / (int64_t)a.n) : 0);
		break;
	}
	case LT_AGG_HIST:
	case LT_AGG_LHIST: {
		uint64_t count = 0;

		for (uint32_t i = 0; i < mf->nslots; i++) {
			uint64_t c = lt_load_u64(v + 8 * i);

			if (c)
				metric_hist_add(s, i, c);
			count += c;
		}
		metric_add_count_sum(s, count, (double)(int64_t)lt_load_u64(v + 8 * mf->nslots));
		break;
	}
	default:
		break;
	}
}

static int collect_maps(void *ctx, struct metrics *m)
{
	struct lang_metrics *lm = ctx;
	struct lt_sbuf lv = {0};

	for (uint32_t i = 0; i < lm->prog->nmaps; i++) {
		struct lt_entry *e;
		int n;

		if (!lm->fams[i].f)
			continue;
		n = lt_map_read(lm->fams[i].m, lm->ncpus, &e);
		if (n < 0)
			continue;
		for (int k = 0; k < n; k++)
			export_entry(lm, &lm->fams[i], &e[k], &lv);
		lt_entries_free(e, n);
	}
	lt_sbuf_free(&lv);
	return 0;
}

/* ---- life --------------------------------------------------------------------------- */

struct lang_metrics *lang_metrics_start(struct event_loop *l, const char *addr,
					size_t max_series, const struct lt_prog *prog, int ncpus)
{
	struct lang_metrics *lm = calloc(1, sizeof(*lm));
	char why[160];

	if (!lm || !(lm->m = metrics_new(max_series)) ||
	    !(lm->fams = calloc(prog->nmaps + 1, sizeof(*lm->fams)))) {
		fprintf(stderr, "ERROR: out of memory\n");
		lang_metrics_stop(lm);
		return NULL;
	}
	lm->prog = prog;
	lm->ncpus = ncpus;
	lm->addr = addr;
	lm->sym.prog = prog;
	lm->sym.json = true; /* traced strings raw: the registry escapes label values itself */
	lm->srv = metrics_server_start(l, addr, lm->m, why, sizeof(why));
	if (!lm->srv) {
		fprintf(stderr, "ERROR: %s\n", why);
		lang_metrics_stop(lm);
		return NULL;
	}
	return lm;
}

int lang_metrics_ready(struct lang_metrics *lm, const struct compiler *c)
{
	int err = 0;

	for (uint32_t i = 0; i < lm->prog->nmaps && !err; i++)
		err = make_family(lm, i);
	lm->self.probes_attached = c->nattach;
	for (int p = 0; p < c->nprobes && !err; p++)
		for (int a = 0; a < c->probes[p].naps && !err; a++) {
			const struct attach_point *ap = &c->probes[p].aps[a];

			if (ap->prog_fd >= 0)
				err = metrics_self_add_prog(&lm->self, ap->prog_fd, ap->probe_name);
		}
	if (!err)
		err = metrics_add_self(lm->m, &lm->self);
	if (!err)
		err = metrics_add_collector(lm->m, collect_maps, lm);
	if (err) {
		fprintf(stderr, "ERROR: metrics: %s\n", strerror(-err));
		return err;
	}
	fprintf(stderr, "Serving metrics on http://%s/metrics\n", lm->addr);
	return 0;
}

void lang_metrics_set_lost(struct lang_metrics *lm, unsigned long long lost)
{
	if (lm)
		lm->self.lost_events_user = lost;
}

void lang_metrics_stop(struct lang_metrics *lm)
{
	if (!lm)
		return;
	metrics_server_stop(lm->srv);
	metrics_self_close(&lm->self);
	metrics_free(lm->m);
	lt_symctx_free(&lm->sym);
	free(lm->fams);
	free(lm);
}
