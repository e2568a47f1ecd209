// SPDX-License-Identifier: GPL-2.0
/*
 * funclatency: histogram of function durations, bcc's command line and output. Go functions
 * are timed from the post-prologue entry to every RET, paired per goroutine: safe for Go
 * programs whose goroutines grow stacks, block and move between threads.
 */
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/func_probe.h"
#include "core/attach.h"
#include "core/funcplan.h"
#include "core/heatmap.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/out.h"
#include "core/vec.h"
#include "funclatency.skel.h"
#include "tools/functool.h"
#include "tools/tool.h"

struct entry {
	struct lat_key key;
	struct lat_hist h;
};

struct flat {
	struct functool ft; /* first: the callbacks' ctx */
	bool per_func; /* -F */
	const char *unit;
	uint64_t unit_div;
	const char *pattern_text;
	struct funclatency *skel;
	/* every histogram at the last summary, sorted: the BPF histograms are never cleared,
	 * so a summary shows their growth and a scrape their totals */
	struct entry *shown;
	size_t nshown;
	struct metric_family *fam; /* --metrics */
	/* --heatmap: every heat_ms, a column of the calls that ended since the last one */
	const char *heatmap;
	unsigned long heat_ms; /* --heatmap-interval; 0: -i's interval, else 1 s */
	struct heatmap heat;
	uint64_t heat_last[HIST_SLOTS]; /* every histogram's slots summed, at the last column */
	uint64_t heat_t0;		/* CLOCK_MONOTONIC at attach, ns */
};
FUNCTOOL_FIRST(struct flat);

/* -u, -m: the last one given wins */
static int parse_unit(void *opts, const struct usage *u, int key, const char *arg)
{
	struct flat *fl = opts;

	fl->unit = key == 'u' ? "usecs" : "msecs";
	fl->unit_div = key == 'u' ? 1000 : 1000000;
	return 0;
}

/* --heatmap-interval SECONDS: a decimal, so that short runs get columns too */
static int parse_heat_interval(void *opts, const struct usage *u, int key, const char *arg)
{
	struct flat *fl = opts;
	char *end;
	double s = strtod(arg, &end);

	if (end == arg || *end || !(s >= 0.01 && s <= FUNCTOOL_MAX_SECONDS))
		return usage_error(u,
				   "argument --heatmap-interval: invalid value: '%s' (seconds, "
				   "0.01 or more)",
				   arg);
	fl->heat_ms = (unsigned long)(s * 1000 + 0.5);
	return 0;
}

enum { OPT_HEATMAP = TOOL_OPT_JSON + 16, OPT_HEATMAP_INTERVAL };

#define FL struct flat
static struct tool_cli cli = {
	.name = "funclatency",
	.description = "Time functions and print latency as a histogram.",
	.required = "pattern",
	.opts = TOOL_OPTS(
		FUNCTOOL_OPTS_SUMMARY(FL),
		{'u', NULL, NULL, "microsecond histogram", TOOL_OPT_CALL, .parse = parse_unit},
		{'m', NULL, NULL, "millisecond histogram", TOOL_OPT_CALL, .parse = parse_unit},
		{'F', NULL, NULL, "show a separate histogram per function", TOOL_OPT_FLAG,
		 offsetof(FL, per_func)},
		FUNCTOOL_OPT_REGEX(FL), FUNCTOOL_OPT_DEBUG(FL),
		{OPT_HEATMAP, "heatmap", "FILE",
		 "write a latency heat map (SVG) to FILE at the end", TOOL_OPT_STR,
		 offsetof(FL, heatmap)},
		{OPT_HEATMAP_INTERVAL, "heatmap-interval", "SECONDS",
		 "the heat map's column width (default: -i's interval, else 1)", TOOL_OPT_CALL,
		 .parse = parse_heat_interval},
		FUNCTOOL_OPT_JSON(FL, "one JSON object per summary"), FUNCTOOL_OPT_VERBOSE(FL)),
	.args = "pattern",
	.args_help = "  pattern      search expression for functions\n",
	.epilog = "Go code is timed with a probe on every RET instruction, paired per goroutine;\n"
		  "never with a uretprobe (they crash Go programs). C code uses uretprobes.\n",
	.examples = "  funclatency -d 10 './server:main.*.Mul'   # Go method, 10 seconds\n"
		    "  funclatency -u c:read                      # libc read(), microseconds\n"
		    "  funclatency -F -i 5 './server:main.*'      # per function, every 5 s\n"
		    "  funclatency --heatmap lat.svg './server:main.*.Mul'   # latency over time\n",
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key.idx != y->key.idx)
		return x->key.idx < y->key.idx ? -1 : 1;
	return x->key.tgid < y->key.tgid ? -1 : x->key.tgid > y->key.tgid;
}

/* Every (function, process) histogram as it is now, sorted. */
static struct entry *read_all(struct flat *fl, size_t *n)
{
	int fd = bpf_map__fd(fl->skel->maps.hists);
	struct lat_key key, next, *prev = NULL;
	struct entry *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (VEC_RESERVE(v, cap, *n, 1))
			break;
		if (!bpf_map_lookup_elem(fd, &next, &v[*n].h)) {
			v[*n].key = next;
			(*n)++;
		}
		key = next;
		prev = &key;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), entry_cmp);
	return v;
}

/* The histograms' growth since the last summary (those that grew), which becomes the last. */
static struct entry *read_hists(struct flat *fl, size_t *n)
{
	size_t ncur, k = 0;
	struct entry *cur = read_all(fl, &ncur), *d = calloc(ncur + 1, sizeof(*d));

	*n = 0;
	if (!d) {
		free(cur);
		return NULL;
	}
	for (size_t i = 0; i < ncur; i++) {
		const struct entry *old = NULL;

		while (k < fl->nshown && entry_cmp(&fl->shown[k], &cur[i]) < 0)
			k++;
		if (k < fl->nshown && !entry_cmp(&fl->shown[k], &cur[i]))
			old = &fl->shown[k];
		d[*n] = cur[i];
		if (old) {
			for (int s = 0; s < HIST_SLOTS; s++)
				d[*n].h.slots[s] -= old->h.slots[s];
			d[*n].h.total -= old->h.total;
			d[*n].h.count -= old->h.count;
		}
		if (d[*n].h.count)
			(*n)++;
	}
	free(fl->shown);
	fl->shown = cur;
	fl->nshown = ncur;
	return d;
}

/* --metrics: each function's latency since the start, over its processes, in seconds. */
static int collect_hists(void *ctx, struct metrics *m)
{
	struct flat *fl = ctx;
	struct metric_family *f = fl->fam;
	size_t n;
	struct entry *v = read_all(fl, &n);

	for (size_t i = 0; i < fl->ft.plan.nfuncs; i++) {
		const char *name = fl->ft.plan.funcs[i].f->name;

		metric_add(metric_series(f, &name), 0); /* a function not called yet: count 0 */
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = fl->ft.plan.funcs[v[i].key.idx].f->name;
		struct metric_series *s = metric_series(f, &name);

		for (int b = 0; b < HIST_SLOTS; b++)
			if (v[i].h.slots[b])
				metric_hist_add(s, b, v[i].h.slots[b]);
		metric_add_count_sum(s, v[i].h.count, v[i].h.total);
	}
	free(v);
	return 0;
}

static int add_metrics(void *ctx, struct metrics *m)
{
	struct flat *fl = ctx;
	static const char *const labels[] = {"func"};
	struct metric_family *f =
		metrics_family(m, "tracekit_funclatency_seconds", METRIC_HISTOGRAM,
			       "Latency of each traced function (funclatency)", labels, 1, true);

	if (!f || metrics_log2_bounds(f, HIST_SLOTS))
		return -ENOMEM;
	metric_family_set_divisor(f, 1e9 / fl->unit_div);
	fl->fam = f;
	return metrics_add_collector(m, collect_hists, ctx);
}

static void add_hist(struct lat_hist *dst, const struct lat_hist *src)
{
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->total += src->total;
	dst->count += src->count;
}

static void print_json(struct flat *fl, const struct entry *v, size_t n, const char *ts)
{
	printf("{\"time\":\"%s\",\"unit\":\"%s\",\"histograms\":[", ts, fl->unit);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"func\":", i ? "," : "");
		json_str(stdout, fl->ft.plan.funcs[v[i].key.idx].f->name);
		printf(",\"pid\":%u,\"count\":%llu,\"total\":%llu,\"slots\":[", v[i].key.tgid,
		       (unsigned long long)v[i].h.count, (unsigned long long)v[i].h.total);
		for (int s = 1, first = 1; s < HIST_SLOTS; s++) {
			if (!v[i].h.slots[s])
				continue;
			printf("%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}", first ? "" : ",",
			       s == 1 ? 0ULL : 1ULL << (s - 1),
			       s == 64 ? ~0ULL : (1ULL << s) - 1,
			       (unsigned long long)v[i].h.slots[s]);
			first = 0;
		}
		printf("]}");
	}
	printf("]}\n");
}

/*
 * bcc's layout: with -F, or for user-space targets without -p (keyed by process), one
 * "Function = NAME [PID]" section per histogram; otherwise a single histogram.
 */
static int print_hists(void *ctx)
{
	struct flat *fl = ctx;
	struct lat_hist all = { 0 };
	char ts[16], esc[512];
	size_t n;
	struct entry *v = read_hists(fl, &n);
	bool sections = fl->per_func || !fl->ft.o.pid;

	time_hms(ts, sizeof(ts));
	if (fl->ft.o.json) {
		print_json(fl, v, n, ts);
		free(v);
		return 0;
	}
	putchar('\n');
	if (fl->ft.o.timestamp)
		printf("%-8s\n", ts);
	for (size_t i = 0; i < n; i++) {
		add_hist(&all, &v[i].h);
		if (!sections)
			continue;
		str_escape(esc, sizeof(esc), fl->ft.plan.funcs[v[i].key.idx].f->name, sizeof(esc));
		if (i)
			putchar('\n');
		if (fl->ft.o.pid)
			printf("Function = %s\n", esc);
		else
			printf("Function = %s [%u]\n", esc, v[i].key.tgid);
		hist_print_log2(stdout, (const uint64_t *)v[i].h.slots, HIST_SLOTS, fl->unit);
	}
	if (!sections)
		hist_print_log2(stdout, (const uint64_t *)all.slots, HIST_SLOTS, fl->unit);
	if (all.count)
		printf("avg = %llu %s, total: %llu %s, count: %llu\n",
		       (unsigned long long)(all.total / all.count), fl->unit,
		       (unsigned long long)all.total, fl->unit, (unsigned long long)all.count);
	fflush(stdout);
	free(v);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * --heatmap: one column, the calls every histogram gained since the last. The BPF histograms
 * are never cleared (the summaries and scrapes read them too): a column is a difference.
 */
static int heat_column(struct flat *fl, bool last)
{
	uint64_t sum[HIST_SLOTS] = {0};
	size_t n;
	struct entry *v = read_all(fl, &n);
	int err;

	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < HIST_SLOTS; s++)
			sum[s] += v[i].h.slots[s];
	free(v);
	for (int s = 0; s < HIST_SLOTS; s++) {
		uint64_t d = sum[s] - fl->heat_last[s];

		fl->heat_last[s] = sum[s];
		sum[s] = d;
	}
	/* the end's partial column, when empty, would only stretch the time axis */
	for (int s = 0; last && s < HIST_SLOTS; s++)
		last = !sum[s];
	if (last && fl->heat.ncols)
		return 0;
	err = heatmap__add(&fl->heat, sum, HIST_SLOTS, now_ns() - fl->heat_t0);
	if (err)
		tk_err("heat map: %s", strerror(-err));
	return err;
}

static int heat_tick(void *ctx)
{
	return heat_column(ctx, false);
}

/* The column timer, on the tool's event loop: 0 or a negative errno after a one-line error. */
static int heat_start(struct flat *fl)
{
	unsigned long ms = fl->heat_ms	       ? fl->heat_ms
			   : fl->ft.o.interval ? fl->ft.o.interval * 1000
					       : 1000;
	int err;

	fl->heat_ms = ms;
	err = loop__add_timer(&fl->ft.run.loop, ms, heat_tick, fl);
	if (err)
		tk_err("heat map: cannot start its timer: %s", strerror(-err));
	fl->heat_t0 = now_ns();
	return err;
}

/*
 * Before tracing: the heat map's directory must take the file, so that a typo does not cost
 * the whole run. 0, or 1 after a one-line error.
 */
static int heat_check_path(const char *path)
{
	char *copy = strdup(path);
	int err = copy && access(dirname(copy), W_OK) ? -errno : copy ? 0 : -ENOMEM;

	free(copy);
	if (err)
		tk_err("cannot write %s: %s", path, strerror(-err));
	return err ? 1 : 0;
}

/* At the end: the last column, then the file, and a line on stderr that says where. */
static int heat_write(struct flat *fl)
{
	struct heatmap_opts o = {.unit_ns = fl->unit_div};
	unsigned long ms;
	char sub[512], esc[256];
	int err = heat_column(fl, true);

	if (err)
		return err;
	ms = fl->heat_ms << fl->heat.merges;
	str_escape(esc, sizeof(esc), fl->pattern_text, sizeof(esc));
	if (fl->ft.o.pid)
		snprintf(sub, sizeof(sub), "funclatency -p %u %s, columns of %g s", fl->ft.o.pid,
			 esc, ms / 1000.0);
	else
		snprintf(sub, sizeof(sub), "funclatency %s, columns of %g s", esc, ms / 1000.0);
	o.subtitle = sub;
	err = heatmap_write_svg(&fl->heat, fl->heatmap, &o);
	if (!err)
		fprintf(stderr, "Wrote the latency heat map (%zu columns) to %s\n", fl->heat.ncols,
			fl->heatmap);
	return err;
}

static int attach(void *ctx, struct attach_set *as)
{
	struct flat *fl = ctx;
	int err = functool_attach_timed(&fl->ft, as, fl->skel->progs.lat_entry,
					fl->skel->progs.lat_return);

	if (!err && fl->heatmap)
		err = heat_start(fl);
	return err;
}

static int funclatency_main(int argc, char **argv)
{
	struct flat fl = {.unit = "nsecs", .unit_div = 1};
	int err, first;

	if (!tool_start(&cli, &fl, argc, argv, &err))
		return err;
	err = 1;
	first = cli.first_arg;
	if (first < argc - 1)
		return usage_error(&cli.usage,
				   "unrecognized arguments: %s (one pattern only: use a "
				   "glob or -r for several functions)",
				   argv[first + 1]);
	fl.pattern_text = argv[first];
	if ((fl.heatmap && heat_check_path(fl.heatmap)) || functool_check_pid(&fl.ft.o) ||
	    functool_plan_user(&fl.ft, argv + first, 1))
		goto out;
	fl.skel = funclatency__open();
	if (!fl.skel) {
		tk_err("cannot open the BPF object: %s", strerror(errno));
		goto out;
	}
	fl.skel->rodata->filter_tgid = fl.ft.o.pid;
	fl.skel->rodata->unit_div = fl.unit_div;
	attach_prepare_uprobe(fl.skel->progs.lat_entry, fl.ft.plan.multi);
	attach_prepare_uprobe(fl.skel->progs.lat_return, fl.ft.plan.multi);
	err = funclatency__load(fl.skel);
	if (err) {
		tk_err("the kernel refused the BPF program: %s", attach_strerror(err));
		goto out;
	}
	fl.ft.run.metrics = add_metrics;
	fl.ft.run.obj = fl.skel->obj; /* its programs in the self metrics */
	err = functool_run_summary(&fl.ft, fl.ft.plan.nfuncs, fl.pattern_text, attach,
				   print_hists);
	if (fl.heatmap && fl.ft.run.ran && heat_write(&fl))
		err = 1;
out:
	heatmap__free(&fl.heat);
	free(fl.shown);
	funclatency__destroy(fl.skel);
	func_plan__free(&fl.ft.plan);
	return err ? 1 : 0;
}

TOOL_REGISTER(funclatency, funclatency_main, "time functions, print a latency histogram", &cli);
