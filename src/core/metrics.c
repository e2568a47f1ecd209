// SPDX-License-Identifier: GPL-2.0
/* The metrics registry and its exposition formats (see metrics.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/strbuf.h"
#include "core/vec.h"

struct metric_series {
	struct metric_family *f;
	char *labels; /* rendered: name="value",... (escaped); "" without labels */
	uint64_t hash;
	double value, sum;
	uint64_t count;
	uint64_t *buckets; /* histogram: nbounds + 1 own counts (the last is +Inf's) */
	uint64_t gen;	   /* the collect that last set it (collected families) */
	struct metric_series *hnext;
};

struct metric_family {
	struct metrics *m;
	char *name, *help;
	enum metric_type type;
	char *labels[METRICS_MAX_LABELS];
	int nlabels;
	bool collected, self;
	double *bounds;
	size_t nbounds;
	double div;
	struct metric_series **series;
	size_t nseries, cap;
};

struct collector {
	metrics_collect_fn fn;
	void *ctx;
};

#define DROPPED_SET_SIZE 65536 /* distinct refused label sets remembered (512 KiB at most) */

struct metrics {
	struct metric_family **fams;
	size_t nfams, fcap;
	struct metric_series **table; /* hash table of every series, chained */
	size_t tsize, nseries;	      /* nseries: those counted against max_series */
	size_t max_series;
	uint64_t gen;
	struct collector *colls;
	size_t ncolls, ccap;
	struct collector last; /* the self metrics: after the others, whose drops they count */
	uint64_t *dropped_set; /* open addressing, 0 = empty */
	size_t ndropped_set;
	uint64_t dropped;
};

struct metrics *metrics_new(size_t max_series)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->max_series = max_series;
	m->tsize = 1024;
	m->table = calloc(m->tsize, sizeof(*m->table));
	if (!m->table) {
		free(m);
		return NULL;
	}
	return m;
}

static void series_free(struct metric_series *s)
{
	free(s->labels);
	free(s->buckets);
	free(s);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfams; i++) {
		struct metric_family *f = m->fams[i];

		for (size_t k = 0; k < f->nseries; k++)
			series_free(f->series[k]);
		for (int k = 0; k < f->nlabels; k++)
			free(f->labels[k]);
		free(f->series);
		free(f->bounds);
		free(f->name);
		free(f->help);
		free(f);
	}
	free(m->fams);
	free(m->table);
	free(m->colls);
	free(m->dropped_set);
	free(m);
}

int metrics_add_collector(struct metrics *m, metrics_collect_fn fn, void *ctx)
{
	if (VEC_RESERVE(m->colls, m->ccap, m->ncolls, 1))
		return -ENOMEM;
	m->colls[m->ncolls++] = (struct collector){fn, ctx};
	return 0;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

const char *metrics_sanitize_name(const char *name, char *buf, size_t len)
{
	size_t i = 0;

	if (!len)
		return buf;
	for (; name[i] && i + 1 < len; i++)
		buf[i] = name_char(name[i], i == 0) ? name[i] : '_';
	buf[i] = 0;
	if (!i && len > 1) {
		buf[0] = '_';
		buf[1] = 0;
	}
	return buf;
}

static bool valid_name(const char *s, bool label)
{
	if (!*s)
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!name_char(s[i], i == 0) || (label && s[i] == ':'))
			return false;
	return true;
}

struct metric_family *metrics_family(struct metrics *m, const char *name, enum metric_type type,
				     const char *help, const char *const *labels, int nlabels,
				     bool collected)
{
	struct metric_family *f;

	for (size_t i = 0; i < m->nfams; i++)
		if (!strcmp(m->fams[i]->name, name))
			return m->fams[i]->type == type ? m->fams[i] : NULL;
	if (!valid_name(name, false) || nlabels < 0 || nlabels > METRICS_MAX_LABELS)
		return NULL;
	for (int i = 0; i < nlabels; i++)
		if (!valid_name(labels[i], true) || !strcmp(labels[i], "le") ||
		    !strcmp(labels[i], "quantile"))
			return NULL;
	if (VEC_RESERVE(m->fams, m->fcap, m->nfams, 1))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->m = m;
	f->type = type;
	f->collected = collected;
	f->div = 1;
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	f->nlabels = nlabels;
	for (int i = 0; i < nlabels; i++)
		f->labels[i] = strdup(labels[i]);
	for (int i = 0; i < nlabels; i++)
		if (!f->labels[i])
			goto fail;
	if (!f->name || !f->help)
		goto fail;
	m->fams[m->nfams++] = f;
	return f;
fail:
	for (int i = 0; i < nlabels; i++)
		free(f->labels[i]);
	free(f->name);
	free(f->help);
	free(f);
	return NULL;
}

int metric_family_set_bounds(struct metric_family *f, const double *bounds, size_t nbounds)
{
	double *b;

	if (f->nseries) /* the series' bucket arrays have the old size */
		return -EBUSY;
	b = malloc((nbounds ? nbounds : 1) * sizeof(*b));
	if (!b)
		return -ENOMEM;
	memcpy(b, bounds, nbounds * sizeof(*b));
	free(f->bounds);
	f->bounds = b;
	f->nbounds = nbounds;
	return 0;
}

int metrics_log2_bounds(struct metric_family *f, size_t n)
{
	double b[65];

	if (n > 65)
		n = 65;
	/* bucket 0 holds 0, bucket i > 0 holds [2^(i-1), 2^i - 1]: integers, so le is inclusive */
	for (size_t i = 0; i < n; i++)
		b[i] = i ? ldexp(1, (int)i) - 1 : 0;
	return metric_family_set_bounds(f, b, n);
}

void metric_family_set_divisor(struct metric_family *f, double div)
{
	f->div = div;
}

/* ---- series ------------------------------------------------------------------------ */

/*
 * Text in a label value (quote: \" too) or a HELP line: \\ and \n escaped; a byte that is
 * no valid UTF-8 (comm and paths of traced processes are any bytes) or another control
 * character becomes the text \xNN, so that a scrape is never refused for one odd name.
 */
static void put_escaped(struct strbuf *b, const char *v, bool quote)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	while (n) {
		size_t k = *s < 0x80 ? 1 : utf8_len(s, n);

		if (*s == '\\')
			strbuf_put(b, "\\\\", 2);
		else if (*s == '"' && quote)
			strbuf_put(b, "\\\"", 2);
		else if (*s == '\n')
			strbuf_put(b, "\\n", 2);
		else if (!k || *s < 0x20 || *s == 0x7f)
			strbuf_printf(b, "\\\\x%02x", *s);
		else
			strbuf_put(b, (const char *)s, k);
		k = k ? k : 1;
		s += k;
		n -= k;
	}
}

static uint64_t series_hash(const struct metric_family *f, const char *labels)
{
	return hash_fnv_str(hash_fnv_str(HASH_FNV_SEED, f->name), labels) | 1;
}

static int table_grow(struct metrics *m)
{
	size_t nsize = m->tsize * 2;
	struct metric_series **t = calloc(nsize, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < m->tsize; i++) {
		for (struct metric_series *s = m->table[i], *next; s; s = next) {
			next = s->hnext;
			s->hnext = t[s->hash & (nsize - 1)];
			t[s->hash & (nsize - 1)] = s;
		}
	}
	free(m->table);
	m->table = t;
	m->tsize = nsize;
	return 0;
}

/* Count a refused label set, once per distinct one while the set has room. */
static void count_dropped(struct metrics *m, uint64_t h)
{
	size_t i;

	if (!m->dropped_set)
		m->dropped_set = calloc(DROPPED_SET_SIZE, sizeof(*m->dropped_set));
	if (!m->dropped_set || m->ndropped_set >= DROPPED_SET_SIZE / 2) {
		m->dropped++;
		return;
	}
	for (i = h & (DROPPED_SET_SIZE - 1); m->dropped_set[i];
	     i = (i + 1) & (DROPPED_SET_SIZE - 1))
		if (m->dropped_set[i] == h)
			return;
	m->dropped_set[i] = h;
	m->ndropped_set++;
	m->dropped++;
}

static void series_reset(struct metric_series *s)
{
	s->value = s->sum = 0;
	s->count = 0;
	if (s->buckets)
		memset(s->buckets, 0, (s->f->nbounds + 1) * sizeof(*s->buckets));
}

struct metric_series *metric_series(struct metric_family *f, const char *const *values)
{
	struct metrics *m = f->m;
	struct strbuf lb = {0};
	struct metric_series *s;
	uint64_t h;

	strbuf_put(&lb, "", 0);
	for (int i = 0; i < f->nlabels; i++) {
		strbuf_printf(&lb, "%s%s=\"", i ? "," : "", f->labels[i]);
		put_escaped(&lb, values[i] ? values[i] : "", true);
		strbuf_put(&lb, "\"", 1);
	}
	if (lb.oom) {
		free(lb.p);
		return NULL;
	}
	h = series_hash(f, lb.p);
	for (s = m->table[h & (m->tsize - 1)]; s; s = s->hnext) {
		if (s->hash == h && s->f == f && !strcmp(s->labels, lb.p)) {
			free(lb.p);
			if (f->collected && s->gen != m->gen)
				series_reset(s);
			s->gen = m->gen;
			return s;
		}
	}
	if (!f->self && m->nseries >= m->max_series) {
		count_dropped(m, h);
		free(lb.p);
		return NULL;
	}
	if ((m->nseries + 1 > m->tsize && table_grow(m)) ||
	    VEC_RESERVE(f->series, f->cap, f->nseries, 1))
		goto oom;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	if (f->type == METRIC_HISTOGRAM) {
		s->buckets = calloc(f->nbounds + 1, sizeof(*s->buckets));
		if (!s->buckets) {
			free(s);
			goto oom;
		}
	}
	s->f = f;
	s->labels = lb.p;
	s->hash = h;
	s->gen = m->gen;
	s->hnext = m->table[h & (m->tsize - 1)];
	m->table[h & (m->tsize - 1)] = s;
	f->series[f->nseries++] = s;
	if (!f->self)
		m->nseries++;
	return s;
oom:
	free(lb.p);
	return NULL;
}

void metric_set(struct metric_series *s, double v)
{
	if (s)
		s->value = v;
}

void metric_add(struct metric_series *s, double v)
{
	if (s)
		s->value += v;
}

void metric_add_count_sum(struct metric_series *s, uint64_t count, double sum)
{
	if (!s)
		return;
	s->count += count;
	s->sum += sum;
}

int metric_hist_add(struct metric_series *s, size_t i, uint64_t count)
{
	if (!s || !s->buckets || i > s->f->nbounds)
		return -EINVAL;
	s->buckets[i] += count;
	return 0;
}

/* The bucket of v: the first bound >= v, or nbounds (+Inf). */
static size_t bucket_of(const struct metric_family *f, double v)
{
	size_t lo = 0, hi = f->nbounds;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->bounds[mid] >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void metric_observe(struct metric_series *s, double v)
{
	if (!s)
		return;
	s->count++;
	s->sum += v;
	if (s->buckets)
		s->buckets[bucket_of(s->f, v)]++;
}

/* Drop the series of collected families that the last collect did not set. */
static void sweep(struct metrics *m)
{
	for (size_t i = 0; i < m->nfams; i++) {
		struct metric_family *f = m->fams[i];
		size_t k = 0;

		if (!f->collected)
			continue;
		for (size_t j = 0; j < f->nseries; j++) {
			struct metric_series *s = f->series[j], **pp;

			if (s->gen == m->gen) {
				f->series[k++] = s;
				continue;
			}
			for (pp = &m->table[s->hash & (m->tsize - 1)]; *pp != s; pp = &(*pp)->hnext)
				;
			*pp = s->hnext;
			if (!f->self)
				m->nseries--;
			series_free(s);
		}
		f->nseries = k;
	}
}

/* ---- rendering ----------------------------------------------------------------------- */

/*
 * A sample value: integers exactly, others in the shortest form that reads back the same.
 * om: OpenMetrics's canonical form for le bounds (an integer gets ".0").
 */
static void put_number(struct strbuf *b, double v, bool om)
{
	char tmp[40];

	if (isnan(v)) {
		strbuf_puts(b, "NaN");
		return;
	}
	if (isinf(v)) {
		strbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		strbuf_printf(b, om ? "%.0f.0" : "%.0f", v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	strbuf_puts(b, tmp);
}

/* name{labels[,extra]} */
static void put_sample_name(struct strbuf *b, const struct metric_family *f, const char *suffix,
			    const struct metric_series *s, const char *extra)
{
	strbuf_puts(b, f->name);
	strbuf_puts(b, suffix);
	if (!*s->labels && !extra) {
		strbuf_put(b, " ", 1);
		return;
	}
	strbuf_put(b, "{", 1);
	strbuf_puts(b, s->labels);
	if (extra) {
		if (*s->labels)
			strbuf_put(b, ",", 1);
		strbuf_puts(b, extra);
	}
	strbuf_put(b, "} ", 2);
}

static void render_histogram(struct strbuf *b, const struct metric_family *f, size_t upto,
			     const struct metric_series *s, bool om)
{
	uint64_t cum = 0;
	struct strbuf le = {0};

	for (size_t i = 0; i <= upto && i < f->nbounds; i++) {
		cum += s->buckets[i];
		le.len = 0;
		strbuf_puts(&le, "le=\"");
		put_number(&le, f->bounds[i] / f->div, om);
		strbuf_puts(&le, "\"");
		put_sample_name(b, f, "_bucket", s, le.oom ? "le=\"NaN\"" : le.p);
		strbuf_printf(b, "%llu\n", (unsigned long long)cum);
	}
	free(le.p);
	put_sample_name(b, f, "_bucket", s, "le=\"+Inf\"");
	strbuf_printf(b, "%llu\n", (unsigned long long)s->count);
	put_sample_name(b, f, "_sum", s, NULL);
	put_number(b, s->sum / f->div, false);
	strbuf_put(b, "\n", 1);
	put_sample_name(b, f, "_count", s, NULL);
	strbuf_printf(b, "%llu\n", (unsigned long long)s->count);
}

static const char *type_name(enum metric_type t)
{
	static const char *const names[] = {"counter", "gauge", "histogram", "summary"};

	return names[t];
}

static void render_family(struct strbuf *b, const struct metric_family *f, bool om)
{
	const char *total = f->type == METRIC_COUNTER ? "_total" : "";
	size_t upto = f->nbounds;

	if (!f->nseries)
		return;
	/* text 0.0.4 names the family as its samples; OpenMetrics without the _total */
	strbuf_printf(b, "# HELP %s%s ", f->name, om ? "" : total);
	put_escaped(b, f->help, om); /* OpenMetrics escapes \" in HELP too */
	strbuf_printf(b, "\n# TYPE %s%s %s\n", f->name, om ? "" : total, type_name(f->type));
	/*
	 * Every bucket of the layout, always: a bucket series that appeared only when its first
	 * value came would make rate() miss that value, and quantiles go wrong.
	 */
	for (size_t j = 0; j < f->nseries; j++) {
		const struct metric_series *s = f->series[j];

		switch (f->type) {
		case METRIC_COUNTER:
		case METRIC_GAUGE:
			put_sample_name(b, f, total, s, NULL);
			put_number(b, s->value / f->div, false);
			strbuf_put(b, "\n", 1);
			break;
		case METRIC_HISTOGRAM:
			render_histogram(b, f, upto, s, om);
			break;
		case METRIC_SUMMARY:
			put_sample_name(b, f, "_sum", s, NULL);
			put_number(b, s->sum / f->div, false);
			strbuf_put(b, "\n", 1);
			put_sample_name(b, f, "_count", s, NULL);
			strbuf_printf(b, "%llu\n", (unsigned long long)s->count);
			break;
		}
	}
}

char *metrics_render(struct metrics *m, bool openmetrics, size_t *len)
{
	struct strbuf b = {0};

	m->gen++;
	for (size_t i = 0; i < m->ncolls; i++)
		m->colls[i].fn(m->colls[i].ctx, m); /* a failed source leaves its series out */
	if (m->last.fn)
		m->last.fn(m->last.ctx, m);
	sweep(m);
	strbuf_put(&b, "", 0);
	for (size_t i = 0; i < m->nfams; i++)
		render_family(&b, m->fams[i], openmetrics);
	if (openmetrics)
		strbuf_puts(&b, "# EOF\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

void metrics_set_last_collector(struct metrics *m, metrics_collect_fn fn, void *ctx)
{
	m->last = (struct collector){fn, ctx};
}

/* For metrics_self.c: self families do not count against the series limit. */
void metrics_family_mark_self(struct metric_family *f)
{
	f->self = true;
}

uint64_t metrics_dropped(const struct metrics *m)
{
	return m->dropped;
}
