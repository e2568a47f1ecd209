// SPDX-License-Identifier: GPL-2.0
/* bcc's log2-histogram tools' summaries, JSON and metrics (see hist_tool.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/hist.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/vec.h"
#include "tools/hist_tool.h"
#include "tools/snoop_common.h"
#include "tools/tool.h"

static uint64_t key_num(const struct hist_tool *ht, const void *key)
{
	uint32_t u32;
	uint64_t u64;

	if (ht->key_size == sizeof(u32)) {
		memcpy(&u32, key, sizeof(u32));
		return u32;
	}
	memcpy(&u64, key, sizeof(u64));
	return u64;
}

const char *hist_tool_key_str(const struct hist_tool *ht, const void *key, char *buf, size_t len)
{
	if (ht->key == HIST_KEY_STR)
		return str_escape(buf, len, key, ht->key_size);
	if (ht->key_name)
		return ht->key_name(key, buf, len);
	snprintf(buf, len, "%llu", (unsigned long long)key_num(ht, key));
	return buf;
}

uint64_t hist_tool_sum(const struct hist_tool *ht, const struct hist_tool_val *v)
{
	return ht->sum_scale > 1 ? v->sum / ht->sum_scale : v->sum;
}

/* qsort() has no context: one summary runs at a time */
static const struct hist_tool *sorting;

static int cmp_entry(const void *a, const void *b)
{
	const struct hist_tool_entry *x = a, *y = b;
	uint64_t kx, ky;

	if (sorting->key == HIST_KEY_STR)
		return strncmp((const char *)x->key, (const char *)y->key, sorting->key_size);
	kx = key_num(sorting, x->key);
	ky = key_num(sorting, y->key);
	return kx < ky ? -1 : kx > ky;
}

/* by total, then by key (the table's order: bcc sorts by value) */
static int cmp_total(const void *a, const void *b)
{
	const struct hist_tool_entry *x = *(const struct hist_tool_entry *const *)a;
	const struct hist_tool_entry *y = *(const struct hist_tool_entry *const *)b;

	if (x->v.sum != y->v.sum)
		return x->v.sum < y->v.sum ? -1 : 1;
	return cmp_entry(x, y);
}

static int cmp_count(const void *a, const void *b)
{
	const struct hist_tool_entry *x = *(const struct hist_tool_entry *const *)a;
	const struct hist_tool_entry *y = *(const struct hist_tool_entry *const *)b;

	if (x->v.count != y->v.count)
		return x->v.count < y->v.count ? -1 : 1;
	return cmp_entry(x, y);
}

void hist_tool_print_totals(const struct hist_tool *ht, const struct hist_tool_entry *e, size_t n,
			    const char *title, int width, bool counts)
{
	const struct hist_tool_entry **v = n ? calloc(n, sizeof(*v)) : NULL;
	char total[32], buf[256];

	snprintf(total, sizeof(total), "TOTAL_%s", counts ? "count" : ht->unit);
	printf("%-*s %11s\n", width, title, total);
	if (n && !v) {
		tk_err("out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &e[i];
	sorting = ht;
	if (n)
		qsort(v, n, sizeof(*v), counts ? cmp_count : cmp_total);
	for (size_t i = 0; i < n; i++)
		printf("%-*s %11llu\n", width, hist_tool_key_str(ht, v[i]->key, buf, sizeof(buf)),
		       (unsigned long long)(counts ? v[i]->v.count : hist_tool_sum(ht, &v[i]->v)));
	free(v);
}

/*
 * Take every histogram out of the map (lookup and delete: a sample that lands in between
 * goes to the next summary), sorted by key: 0, or -ENOMEM.
 */
static int take_all(struct hist_tool *ht, struct hist_tool_entry **out, size_t *n)
{
	int fd = bpf_map__fd(ht->hists);
	unsigned char keys[64][HIST_TOOL_KEY_MAX];
	struct hist_tool_entry *e = NULL;
	size_t cap = 0;

	*n = 0;
	/* batches of keys first: deleting while walking would restart the walk */
	for (;;) {
		size_t nk = 0;
		void *prev = NULL;

		while (nk < 64 && !bpf_map_get_next_key(fd, prev, keys[nk])) {
			prev = keys[nk];
			nk++;
		}
		for (size_t i = 0; i < nk; i++) {
			if (VEC_RESERVE(e, cap, *n, 1)) {
				free(e);
				return -ENOMEM;
			}
			memset(&e[*n], 0, sizeof(e[*n]));
			memcpy(e[*n].key, keys[i], ht->key_size);
			if (!bpf_map_lookup_and_delete_elem(fd, keys[i], &e[*n].v))
				(*n)++;
		}
		if (nk < 64)
			break;
	}
	sorting = ht;
	if (*n)
		qsort(e, *n, sizeof(*e), cmp_entry);
	*out = e;
	return 0;
}

/* a linear histogram's non-empty rows: [{"value":V,"count":N},...] */
static void json_linear(const struct hist_tool_val *v)
{
	const char *sep = "";

	printf("[");
	for (unsigned int i = 0; i < HIST_TOOL_SLOTS; i++) {
		if (!v->slots[i])
			continue;
		printf("%s{\"value\":%u,\"count\":%llu}", sep, i, (unsigned long long)v->slots[i]);
		sep = ",";
	}
	printf("]");
}

static void print_json(const struct hist_tool *ht, const struct hist_tool_entry *e, size_t n,
		       const char *ts)
{
	char buf[256];

	printf("{\"time\":\"%s\",\"unit\":", ts);
	json_str(stdout, ht->unit);
	printf(",\"hists\":[");
	for (size_t i = 0; i < n; i++) {
		printf("%s{", i ? "," : "");
		if (ht->key != HIST_KEY_NONE) {
			printf("\"%s\":", ht->section);
			if (ht->key == HIST_KEY_STR || ht->key_name)
				json_str(stdout, hist_tool_key_str(ht, e[i].key, buf, sizeof(buf)));
			else
				printf("%llu", (unsigned long long)key_num(ht, e[i].key));
			printf(",");
		}
		if (ht->comm) {
			printf("\"comm\":");
			json_strn(stdout, e[i].v.comm, sizeof(e[i].v.comm));
			printf(",");
		}
		printf("\"count\":%llu,\"sum\":%llu,\"buckets\":", (unsigned long long)e[i].v.count,
		       (unsigned long long)hist_tool_sum(ht, &e[i].v));
		if (ht->linear)
			json_linear(&e[i].v);
		else
			hist_json_log2(stdout, (const uint64_t *)e[i].v.slots, HIST_TOOL_SLOTS);
		printf("}");
	}
	printf("]}\n");
}

void hist_tool_print_sections(const struct hist_tool *ht, const struct hist_tool_entry *e, size_t n)
{
	char buf[256], comm[80];

	for (size_t i = 0; i < n; i++) {
		if (ht->key != HIST_KEY_NONE) {
			const char *q = ht->quote ? "'" : "";

			printf("\n%s = %s%s%s", ht->section, q,
			       hist_tool_key_str(ht, e[i].key, buf, sizeof(buf)), q);
			if (ht->comm)
				printf(" %s", str_escape(comm, sizeof(comm), e[i].v.comm,
							 sizeof(e[i].v.comm)));
			printf("\n");
		}
		if (ht->linear)
			hist_print_linear(stdout, (const uint64_t *)e[i].v.slots, HIST_TOOL_SLOTS,
					  ht->unit);
		else
			hist_print_log2(stdout, (const uint64_t *)e[i].v.slots, HIST_TOOL_SLOTS,
					ht->unit);
	}
}

void hist_tool_print_extension(struct hist_tool *ht, const struct hist_tool_entry *e, size_t n)
{
	unsigned long long total = 0, count = 0;

	hist_tool_print_sections(ht, e, n);
	for (size_t i = 0; i < n; i++) {
		total += hist_tool_sum(ht, &e[i].v);
		count += e[i].v.count;
	}
	/* bcc's print() of a string that ends in a newline: a blank line after */
	if (count)
		printf("\navg = %llu %s, total: %llu %s, count: %llu\n\n", total / count, ht->unit,
		       total, ht->unit, count);
}

/* A summary (the run's on_interval): bcc's blank line, -T's time, the histograms. */
static int hist_tool_print(void *ctx)
{
	struct hist_tool *ht = ctx;
	struct hist_tool_entry *e;
	size_t n;
	char ts[16];

	if (take_all(ht, &e, &n)) {
		tk_err("out of memory");
		return 1;
	}
	time_hms(ts, sizeof(ts));
	if (ht->json) {
		print_json(ht, e, n, ts);
	} else {
		printf("\n");
		if (ht->timestamp)
			printf("%-8s\n", ts);
		if (ht->print)
			ht->print(ht, e, n);
		else
			hist_tool_print_sections(ht, e, n);
	}
	free(e);
	fflush(stdout);
	return ferror(stdout) ? 1 : 0; /* the reader went away (tool | head): stop */
}

/* --metrics: the histograms since the start, from the map the summaries never clear */
static int collect(void *ctx, struct metrics *m)
{
	struct hist_tool *ht = ctx;
	int fd = bpf_map__fd(ht->totals);
	unsigned char key[HIST_TOOL_KEY_MAX] = {0}, next[HIST_TOOL_KEY_MAX];
	struct hist_tool_val v;
	char buf[256];
	const char *label[] = {NULL};
	void *prev = NULL;

	(void)m;
	if (ht->key == HIST_KEY_NONE)
		metric_add(metric_series(ht->fam, NULL),
			   0); /* no sample yet: count 0, not absent */
	for (; !bpf_map_get_next_key(fd, prev, next); prev = key) {
		struct metric_series *s;

		memcpy(key, next, ht->key_size);
		if (bpf_map_lookup_elem(fd, key, &v))
			continue;
		if (ht->key != HIST_KEY_NONE)
			label[0] = hist_tool_key_str(ht, key, buf, sizeof(buf));
		s = metric_series(ht->fam, ht->key != HIST_KEY_NONE ? label : NULL);
		if (!s)
			continue; /* over the series limit: counted by the registry */
		for (size_t i = 0; i < HIST_TOOL_SLOTS; i++)
			if (v.slots[i])
				metric_hist_add(s, i, v.slots[i]);
		metric_add_count_sum(s, v.count,
				     (double)v.sum / (ht->sum_scale ? ht->sum_scale : 1));
	}
	return 0;
}

static int hist_tool_metrics(void *ctx, struct metrics *m)
{
	struct hist_tool *ht = ctx;
	const char *label = ht->label ? ht->label : ht->section;
	const struct snoop_metric spec = {&ht->fam,	   ht->metric, METRIC_HISTOGRAM,
					  ht->metric_help, &label,     ht->key != HIST_KEY_NONE,
					  ht->metric_div,  true};

	double bounds[HIST_TOOL_SLOTS];
	int err = snoop_metrics_add(m, &spec, 1);

	if (!err && ht->linear) {
		for (size_t i = 0; i < HIST_TOOL_SLOTS; i++)
			bounds[i] = i;
		err = metric_family_set_bounds(ht->fam, bounds, HIST_TOOL_SLOTS);
	}
	return err ?: metrics_add_collector(m, collect, ht);
}

int hist_tool_fill(struct hist_tool *ht, struct tool_run *r, struct bpf_object *obj)
{
	bool metrics = tool_metrics_opts()->addr != NULL;

	ht->hists = bpf_object__find_map_by_name(obj, "hists");
	ht->totals = bpf_object__find_map_by_name(obj, "hist_totals");
	if (!ht->hists || !ht->totals ||
	    bpf_map__value_size(ht->hists) != sizeof(struct hist_tool_val)) {
		tk_err("the BPF side has no histogram maps");
		return 1;
	}
	ht->key_size = bpf_map__key_size(ht->hists);
	if (ht->key_size > HIST_TOOL_KEY_MAX ||
	    (ht->key == HIST_KEY_NUM && ht->key_size != 4 && ht->key_size != 8)) {
		tk_err("histogram key of %zu bytes", ht->key_size);
		return 1;
	}
	/* without --metrics nothing goes into the totals: no room for them */
	if (!metrics && bpf_map__set_max_entries(ht->totals, 1)) {
		tk_err("cannot size the histogram maps");
		return 1;
	}
	TOOL_SET_RODATA(r, "hist_totals_on", bool, metrics);
	r->on_interval = hist_tool_print;
	r->interval_at_end = true;
	if (metrics && ht->metric)
		r->metrics = hist_tool_metrics;
	return r->fill_failed;
}

int hist_tool_cpu_opt(const struct usage *u, unsigned long cpu, int *targ_cpu)
{
	if (cpu == ULONG_MAX)
		return 0;
	if (cpu >= (unsigned long)libbpf_num_possible_cpus())
		return usage_error(u, "argument -c/--cpu: no CPU %lu on this machine", cpu);
	*targ_cpu = (int)cpu;
	return 0;
}
